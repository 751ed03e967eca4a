"""In Chromium: the province analyst's home says who has reported, who to call, and what came in."""

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..factories import make_report

pytestmark = pytest.mark.browser


def test_province_home_compliance_missing_regencies_and_notifications(app, page, live_server, pin_clock):
    pin_clock(10)
    report_id = make_report(app, "operator.tala", submit=True)
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{live_server}/masuk")
    page.get_by_label("Nama pengguna").fill("analis")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    expect(page.get_by_role("heading", name="Laporan hari ini: 1 dari 13 sudah lapor, 1 tepat waktu")).to_be_visible()
    missing = page.locator(".missing-list li")
    expect(missing).to_have_count(12)
    balangan = missing.filter(has_text="Kab. Balangan")
    expect(balangan).to_contain_text("Operator Balangan")
    expect(balangan.get_by_role("link", name="0811000111")).to_have_attribute("href", "tel:0811000111")
    expect(page.get_by_role("heading", name="Menunggu diperiksa (1)")).to_be_visible()
    expect(page.locator("#peta svg.map path.region")).to_have_count(13)

    # One unread notification in the header; opening it marks it read and shows the report.
    header = page.get_by_role("link", name="Notifikasi: 1 belum dibaca")
    expect(header).to_be_visible()
    header.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifikasi")
    page.get_by_role("button", name="Buka").first.click()
    expect(page).to_have_url(f"{live_server}/laporan/{report_id}")
    expect(page.get_by_role("link", name="Notifikasi", exact=True)).to_be_visible()  # no count left
    assert errors == []
