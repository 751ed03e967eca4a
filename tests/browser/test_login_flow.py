"""In Chromium, as a user would: log in, see the home page, use an htmx filter, log out."""

import re

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD

pytestmark = pytest.mark.browser


def _log_in(page, base, username):
    page.goto(f"{base}/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def test_operator_logs_in_and_sees_their_home_page(page, live_server):
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _log_in(page, live_server, "operator")
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Operator Balangan")
    expect(page.locator(".lead")).to_contain_text("WITA")
    expect(page.get_by_role("heading", name="Kecamatan di Kab. Balangan")).to_be_visible()
    nav = page.get_by_role("navigation", name="Menu utama")
    expect(nav.get_by_role("link")).to_have_text(
        ["Beranda", "Laporan hari ini", "Laporan harian", "LAPSUS", "Rapat", "Kuesioner", "Peringkat", "Cari"]
    )
    assert errors == []  # no CSP violation, no script error


def test_wrong_password_keeps_the_username_and_says_why(page, live_server):
    page.goto(f"{live_server}/masuk")
    page.get_by_label("Nama pengguna").fill("operator")
    page.get_by_label("Kata sandi").fill("salah-sekali-123")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("alert").filter(has_text="salah")).to_be_visible()
    expect(page.get_by_label("Nama pengguna")).to_have_value("operator")


def test_admin_filters_users_with_htmx_and_deactivates_one_inline(page, live_server):
    _log_in(page, live_server, "admin")
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Pengaturan").click()
    page.get_by_role("link", name="Pengguna").click()
    rows = page.locator("#user-table tbody tr")
    expect(rows).to_have_count(7)
    page.get_by_label("Cari").fill("tanah laut")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=tanah"))
    row = rows.first
    row.get_by_role("button", name=re.compile("Nonaktifkan")).click()
    expect(row.locator(".badge")).to_have_text("Nonaktif")
    expect(row.get_by_role("button", name=re.compile("^Aktifkan"))).to_be_visible()


def test_logout_returns_to_the_login_page(page, live_server):
    _log_in(page, live_server, "pimpinan")
    page.get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(f"{live_server}/masuk")
    expect(page.get_by_text("Anda telah keluar.")).to_be_visible()
    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/masuk\?next="))
