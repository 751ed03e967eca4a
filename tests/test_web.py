"""Cross-cutting web behaviour: security headers, error pages, htmx helpers, Indonesian formatting."""

from datetime import UTC, date, datetime

import pytest
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask
from hypothesis import example, given
from hypothesis import strategies as st

from app import htmx
from app.security import is_safe_next
from app.ui import LOCALE, format_letter_date, format_long_date, format_number, format_short_date, local_time

from .conftest import login


def test_security_headers_and_cookie_flags(app, users):
    client = app.test_client()
    response = login(client, "operator")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    for part in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert part in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in page.headers  # plain http here


def test_hsts_over_https_and_secure_cookie_in_production(app, users):
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    response = client.post(
        "/masuk", data={"username": "operator", "password": "kata-sandi-uji-2024"}, base_url="https://localhost"
    )
    assert "Secure" in response.headers["Set-Cookie"]
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_static_files_are_cacheable(client):
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200 and response.headers.get("Cache-Control") != "no-store"


def test_pages_use_no_inline_script_or_style(app, users):
    client = app.test_client()
    login(client, "admin")
    for url in ("/", "/pengguna", "/wilayah/", "/wilayah/63.11", "/audit/", "/akun/kata-sandi", "/pengguna/baru"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "onclick" not in html, url


def test_not_found_page_is_indonesian(client):
    response = client.get("/tidak-ada")
    assert response.status_code == 404 and "Tidak ditemukan" in response.get_data(as_text=True)


def test_unexpected_error_is_500_without_a_stack_trace(app, users):
    @app.get("/_meledak")
    def _boom():
        raise RuntimeError("rahasia internal")

    response = app.test_client().get("/_meledak")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Terjadi kesalahan" in html and "rahasia internal" not in html and "Traceback" not in html


def test_htmx_errors_are_fragments_retargeted_to_the_error_box(auth, users):
    response = auth("operator").get("/pengguna", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#htmx-error"
    assert "<html" not in response.get_data(as_text=True)


def test_htmx_helpers():
    app = Flask(__name__)
    with app.test_request_context(headers={"HX-Request": "true"}):
        assert htmx.is_htmx() and htmx.wants_fragment()
    with app.test_request_context(headers={"HX-Request": "true", "HX-Boosted": "true"}):
        assert htmx.is_htmx() and not htmx.wants_fragment()
    with app.test_request_context(headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}):
        assert not htmx.wants_fragment()
    with app.test_request_context():
        assert not htmx.is_htmx()
        response = htmx.hx_trigger(htmx.hx_trigger(app.response_class(), "a"), "b")
        assert response.headers["HX-Trigger"] == "a, b"


def test_every_response_varies_on_hx_request(client):
    assert "HX-Request" in client.get("/masuk").headers["Vary"]


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/", True),
        ("/wilayah/?a=1", True),
        ("//evil", False),
        ("/\\evil", False),
        ("http://evil", False),
        ("evil", False),
        ("/ok\r\nX: y", False),
        (None, False),
    ],
)
def test_is_safe_next(target, safe):
    assert is_safe_next(target) is safe


def test_indonesian_dates_times_and_numbers(app):
    with app.test_request_context():
        assert format_long_date(date(2024, 9, 3)) == "Selasa, 3 September 2024"
        moment = datetime(2024, 9, 3, 6, 5, tzinfo=UTC)
        assert local_time(moment, "Asia/Makassar") == "3 Sep 2024 14.05 WITA"
        assert local_time(moment, "Asia/Jakarta", with_date=False) == "13.05 WIB"
        assert local_time(moment, "Asia/Jayapura", with_date=False) == "15.05 WIT"
        assert format_number(1234567) == "1.234.567"
        assert format_number(77.4412, 2) == "77,44"


@example(-0.0, 0)
@example(0, 0)
@example(-0.0, 2)
@given(
    st.one_of(st.integers(-(10**12), 10**12), st.floats(-1e9, 1e9, allow_nan=False), st.decimals(-1e6, 1e6, places=4)),
    st.integers(0, 3),
)
def test_cached_numbers_are_babels(value, digits):
    # The cache is keyed by value, and 1, 1.0 and Decimal("1.0") are one key: each must format alike.
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    assert format_number(value, digits) == babel_numbers.format_decimal(value, format=pattern, locale=LOCALE)
    if float(value) == value:  # one cache key: Babel must write both alike
        assert babel_numbers.format_decimal(float(value), format=pattern, locale=LOCALE) == format_number(value, digits)


@given(st.dates(date(1900, 1, 1), date(2100, 12, 31)), st.integers(0, 23))
def test_cached_dates_are_babels(day, hour):
    moment = datetime(day.year, day.month, day.day, hour)
    for ours, pattern in (
        (format_long_date, "EEEE, d MMMM y"),
        (format_short_date, "d MMM y"),
        (format_letter_date, "d MMMM y"),
    ):
        assert ours(day) == ours(moment) == babel_dates.format_date(day, pattern, locale=LOCALE)
    assert format_short_date(None) == "" and format_number(None) == "–"
