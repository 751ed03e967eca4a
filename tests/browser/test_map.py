"""In Chromium: the analyst sees the province map on the home page, switches layers, opens a regency."""

import pytest
from playwright.sync_api import expect

from app.reports.models import ThreatLevel

from ..conftest import PASSWORD
from ..factories import make_report

pytestmark = pytest.mark.browser


def test_analyst_reads_the_map_switches_layer_and_opens_a_regency(app, page, live_server, pin_clock):
    pin_clock(10)
    make_report(app, "operator", level=3, threat_level=ThreatLevel.TINGGI, submit=True)  # Balangan: Siaga
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{live_server}/masuk")
    page.get_by_label("Nama pengguna").fill("analis")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    section = page.locator("#peta")
    expect(section.get_by_role("heading", level=2)).to_have_text("Peta Kalimantan Selatan: situasi umum hari ini")
    regions = section.locator("svg.map path.region")
    expect(regions).to_have_count(13)
    balangan = section.get_by_role("link", name="Kab. Balangan: Siaga")
    expect(balangan.locator("path")).to_have_class("region map-sit-3")
    expect(section.get_by_role("link", name="Kab. Tanah Laut: belum lapor / tanpa situasi")).to_have_count(1)
    box = balangan.bounding_box()
    assert box and box["width"] > 5 and box["height"] > 5  # drawn, not an empty path

    # Switching the layer swaps only the map (the page heading keeps its mark).
    page.get_by_role("heading", level=1).evaluate("h => h.dataset.kept = 'yes'")
    section.get_by_label("Lapisan").select_option("kejadian7")
    expect(page.locator("#peta h2")).to_have_text("Peta Kalimantan Selatan: kejadian rawan tinggi, 7 hari terakhir")
    expect(page.get_by_role("link", name="Kab. Balangan: 1 kejadian rawan tinggi")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_attribute("data-kept", "yes")

    # The same data as a table, for screen readers and keyboard users.
    page.locator("#peta summary").click()
    expect(page.locator("#peta table tbody tr")).to_have_count(13)

    page.get_by_role("link", name="Kab. Balangan: 1 kejadian rawan tinggi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kab. Balangan")  # its profile
    expect(page.get_by_role("heading", name="Laporan harian")).to_be_visible()
    assert errors == []
