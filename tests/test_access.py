"""Deny by default: every route × every kind of visitor has an expected outcome.

The rows live in tests/access/ (one module per feature). A route added to the app without a
row fails `test_every_route_is_in_the_table`.
"""

import re

import pytest
from sqlalchemy import func, select

from app.audit import AuditLog
from app.extensions import db

from .access import VISITORS, build_url, table, url_args
from .conftest import login

TABLE = table()
# Routes outside the table on purpose.
EXEMPT = {"static"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXEMPT:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_in_the_table(app):
    missing = [(rule.endpoint, method) for rule, method in _routes(app) if (rule.endpoint, method) not in TABLE]
    assert missing == [], f"routes without an access-control row: {missing}"
    stale = set(TABLE) - {(rule.endpoint, method) for rule, method in _routes(app)}
    assert stale == set(), f"table rows for routes that no longer exist: {stale}"


def _audit_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditLog))


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize(("endpoint", "method"), sorted(TABLE))
def test_access_table(app, users, visitor, endpoint, method):
    client = app.test_client()
    if visitor != "anon":
        assert login(client, visitor).status_code == 302
    url = build_url(app, endpoint, url_args(app, users))
    expected = TABLE[(endpoint, method)][visitor]
    before = _audit_count(app)
    response = client.open(url, method=method, data={})
    if expected == "login":
        assert response.status_code == 302, (url, response.status_code)
        assert response.headers["Location"].startswith("/masuk")
    else:
        assert response.status_code == expected, (url, visitor, response.get_data(as_text=True)[:400])
    if expected in ("login", 403, 404, 422):
        # A refused request writes nothing (a refused log-in writes its audit row, tested elsewhere).
        if not (endpoint == "auth.login" and method == "POST"):
            assert _audit_count(app) == before


@pytest.mark.parametrize(
    ("visitor", "code", "status"),
    [
        ("analis", "63.11", 200),  # a regency of the analyst's province
        ("analis", "63", 200),
        ("analis", "62", 404),  # another province: "not there"
        ("analis", "62.71", 404),
        ("analis.kalteng", "63.11", 404),
        ("admin", "62.71", 200),
        ("admin", "99", 404),
    ],
)
def test_another_regions_page_is_not_found(app, users, visitor, code, status):
    client = app.test_client()
    login(client, visitor)
    assert client.get(f"/wilayah/{code}").status_code == status


def test_navigation_shows_only_what_the_role_may_use(app, users):
    common = {"Beranda", "Laporan harian", "LAPSUS", "Rapat", "Kuesioner", "Peringkat", "Cari"}
    province = {"Kepatuhan", "Rekap"}
    expectations = {
        "admin": common | province | {"Pengaturan"},
        "analis": common | province | {"Pengaturan"},
        "operator": common | {"Laporan hari ini"},
        "fasilitator": common,
        "pimpinan": common | province,
    }
    for visitor, visible in expectations.items():
        client = app.test_client()
        login(client, visitor)
        nav = client.get("/").get_data(as_text=True).split('aria-label="Menu utama"')[1].split("</nav>")[0]
        shown = set(re.findall(r">([^<>]+)</a>", nav))
        assert shown == visible, visitor
