"""The whole LAPSITDA flow in Chromium: the operator files items inline and submits, the province returns
the report, the operator fixes and resubmits, the province verifies."""

import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD

pytestmark = pytest.mark.browser
WITA = ZoneInfo("Asia/Makassar")


@pytest.fixture
def morning(pin_clock):
    """09:00 WITA today, so the report is on time whenever the suite runs."""
    return pin_clock(9, 0)


def _log_in(browser, base, username):
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(f"{base}/")
    return page


def _add_item(page, title, what, aspect="Politik", threat="Sedang"):
    form = page.locator("#item-baru")
    form.get_by_label("Aspek").select_option(label=aspect)
    form.get_by_label("Tingkat kerawanan").select_option(label=threat)
    form.get_by_label("Judul").fill(title)
    form.get_by_label("Apa yang terjadi").fill(what)
    form.get_by_role("button", name="Tambahkan kejadian").click()
    expect(page.locator("#item-list article h3").filter(has_text=title)).to_be_visible()


def test_operator_to_province_flow(browser, live_server, morning):
    operator = _log_in(browser, live_server, "operator")
    operator.get_by_role("link", name="Buat laporan hari ini").click()
    operator.get_by_role("button", name="Mulai laporan hari ini").click()
    expect(operator.get_by_role("heading", level=1)).to_contain_text("LAPSITDA Kab. Balangan")
    report_url = operator.url

    # Situasi umum autosaves while the operator works.
    operator.locator("#header-form").get_by_label("Situasi umum").select_option(label="Waspada")
    expect(operator.locator("#header-status")).to_contain_text("Tersimpan otomatis")

    # Items are added inline: the page does not reload and the form comes back empty.
    _add_item(operator, "Spanduk provokatif di simpang tiga", "Spanduk bernada provokatif terpasang pagi ini.")
    expect(operator.locator("#item-baru").get_by_label("Judul")).to_have_value("")
    _add_item(operator, "Rapat warga soal lahan", "Warga Desa Lajar rapat membahas ganti rugi.", "Ekonomi", "Rendah")
    assert operator.url == report_url
    expect(operator.locator("#item-list article")).to_have_count(2)

    # Click to edit, save in place: the item re-renders with the new title.
    first = operator.locator("#item-list article").first
    first.get_by_role("link", name=re.compile("^Ubah")).click()
    editor = operator.locator("#item-list form.item-form")
    editor.get_by_label("Judul").fill("Spanduk provokatif dicopot warga")
    editor.get_by_role("button", name="Simpan perubahan").click()
    expect(operator.locator("#item-list article h3").first).to_have_text("Spanduk provokatif dicopot warga")

    # Remove the second item in place.
    operator.locator("#item-list article").nth(1).get_by_role("button", name=re.compile("^Hapus")).click()
    expect(operator.locator("#item-list article")).to_have_count(1)

    operator.get_by_role("button", name="Kirim laporan ke provinsi").click()
    expect(operator.locator(".badges")).to_contain_text("Terkirim")
    expect(operator.get_by_text("Laporan terkirim ke provinsi.")).to_be_visible()
    expect(operator.locator(".badges")).not_to_contain_text("Terlambat")

    # The province analyst returns it with a reason.
    analyst = _log_in(browser, live_server, "analis")
    analyst.get_by_role("link", name="Laporan harian").click()
    analyst.get_by_role("link", name="Buka laporan Kab. Balangan").click()
    analyst.get_by_label("Fakta kurang lengkap (5W+1H)").check()
    analyst.get_by_label("Catatan untuk operator").fill("Mohon lengkapi siapa pemasang spanduk.")
    analyst.get_by_role("button", name="Kembalikan laporan").click()
    expect(analyst.locator(".badges")).to_contain_text("Dikembalikan")

    # The operator sees why, fixes the item and resubmits.
    operator.goto(report_url)
    expect(operator.get_by_role("alert").filter(has_text="dikembalikan")).to_contain_text("siapa pemasang spanduk")
    operator.locator("#item-list article").first.get_by_role("link", name=re.compile("^Ubah")).click()
    operator.locator("#item-list form.item-form").get_by_label("Siapa (pelaku/pihak)").fill("Simpatisan paslon 1")
    operator.locator("#item-list form.item-form").get_by_role("button", name="Simpan perubahan").click()
    expect(operator.locator("#item-list article").first).to_contain_text("Simpatisan paslon 1")
    operator.get_by_role("button", name="Kirim ulang ke provinsi").click()
    expect(operator.locator(".badges")).to_contain_text("Revisi 1")

    # The analyst verifies; the history shows every step and what changed.
    analyst.reload()
    analyst.get_by_role("button", name="Verifikasi laporan").click()
    expect(analyst.locator(".badges")).to_contain_text("Terverifikasi")
    history = analyst.locator(".timeline")
    for step in ("Dikirim oleh", "Dikembalikan oleh", "Dikirim ulang oleh", "Diverifikasi oleh"):
        expect(history).to_contain_text(step)
    history.get_by_text(re.compile("Perubahan dari versi sebelumnya")).click()
    expect(history).to_contain_text("Siapa (pelaku/pihak)")

    # The compliance board shows today's Balangan report as on time; a click opens its summary.
    analyst.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Kepatuhan").click()
    balangan = analyst.locator("#board-grid tbody tr").filter(has_text="Kab. Balangan")
    today_cell = balangan.locator("td.cell").last
    expect(today_cell).to_contain_text("Tepat waktu")
    today_cell.get_by_role("link").click()
    expect(analyst.locator("#board-detail")).to_contain_text("Terverifikasi")
    expect(analyst.locator("#board-detail").get_by_role("link", name="Buka laporan")).to_be_visible()
    assert "/laporan/kepatuhan" in analyst.url  # the panel loaded in place
