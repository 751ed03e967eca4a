"""In Chromium: typing and choosing filters refresh only the results, the address and export links follow."""

import re

import pytest
from playwright.sync_api import expect

from app.reports.models import Aspect

from ..conftest import PASSWORD
from ..factories import make_report

pytestmark = pytest.mark.browser


def test_analyst_searches_filters_and_opens_a_result(app, page, live_server):
    make_report(app, title="Sengketa lahan sawit", what="Warga menutup jalan kebun plasma.", submit=True)
    make_report(app, "operator.tala", title="Kampanye akbar", aspect=Aspect.HANKAM, submit=True)
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server}/masuk?next=/laporan/cari/")
    page.get_by_label("Nama pengguna").fill("analis")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cari kejadian")
    results = page.locator("#search-results tbody tr")
    expect(results).to_have_count(2)

    # Typing searches after a pause; only the results are replaced and the address follows.
    page.get_by_role("heading", level=1).evaluate("h => h.dataset.kept = 'yes'")
    page.get_by_label("Kata kunci").fill("plasm")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Sengketa lahan sawit")
    expect(results.first.locator("mark")).to_have_text("plasma")
    expect(page).to_have_url(re.compile(r"/laporan/cari/\?q=plasm"))
    expect(page.get_by_role("heading", level=1)).to_have_attribute("data-kept", "yes")  # no full reload
    expect(page.get_by_role("link", name="CSV")).to_have_attribute("href", "/laporan/cari/ekspor.csv?q=plasm")

    page.get_by_label("Kata kunci").fill("")
    page.get_by_label("Aspek").select_option(label="Pertahanan Keamanan")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Kampanye akbar")
    expect(page.get_by_role("link", name="Excel (XLSX)")).to_have_attribute(
        "href", re.compile(r"ekspor\.xlsx\?.*aspek=hankam")
    )

    page.get_by_role("link", name="Kampanye akbar").click()
    expect(page).to_have_url(re.compile(r"/laporan/\d+#item-\d+$"))
    assert errors == []
