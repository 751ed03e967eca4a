"""Deny by default: every route × every kind of visitor has an expected outcome.

A route added to the app without a row here fails `test_every_route_is_in_the_table`.
Outcomes: an HTTP status, or "login" (redirect to the log-in page).
"""

import pytest
from sqlalchemy import func, select

from app.audit import AuditLog
from app.extensions import db

from .conftest import login

VISITORS = ("anon", "admin", "analis", "operator", "fasilitator", "pimpinan")
STAFF = ("analis", "operator", "fasilitator", "pimpinan")


def everyone(status, anon="login"):
    """The same outcome for every logged-in role."""
    return {"anon": anon, "admin": status, **{role: status for role in STAFF}}


def only(allowed: dict, anon="login"):
    """Given outcomes for some roles, 403 for the others."""
    return {"anon": anon, "admin": 403, **{role: 403 for role in STAFF}, **allowed}


# (endpoint, method) → outcome per visitor. POSTs carry an empty form unless noted.
TABLE = {
    ("auth.login", "GET"): everyone(302, anon=200),
    ("auth.login", "POST"): everyone(302, anon=422),
    ("auth.logout", "POST"): everyone(302),
    ("auth.change_password", "GET"): everyone(200),
    ("auth.change_password", "POST"): everyone(422),
    ("auth.users", "GET"): only({"admin": 200}),
    ("auth.user_create", "GET"): only({"admin": 200}),
    ("auth.user_create", "POST"): only({"admin": 422}),
    ("auth.user_edit", "GET"): only({"admin": 200}),
    ("auth.user_edit", "POST"): only({"admin": 422}),
    ("auth.user_set_active", "POST"): only({"admin": 302}),
    ("auth.user_reset_password", "POST"): only({"admin": 200}),
    ("dashboard.index", "GET"): everyone(200),
    ("regions.index", "GET"): only({"admin": 200, "analis": 200}),
    ("regions.detail", "GET"): only({"admin": 200, "analis": 200}),
    ("auditlog.index", "GET"): only({"admin": 200}),
}
# Routes outside the table on purpose.
EXEMPT = {"static"}
# Sample values for URL parameters: a Kalsel regency, and a spare account to act on.
URL_ARGS = {"code": "63.11", "user_id": "operator.tala"}


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


def _url(app, endpoint, users):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    args = {}
    for name in rule.arguments:
        value = URL_ARGS[name]
        args[name] = users[value] if value in users else value
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **args)


def _audit_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditLog))


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize(("endpoint", "method"), sorted(TABLE))
def test_access_table(app, users, visitor, endpoint, method):
    client = app.test_client()
    if visitor != "anon":
        assert login(client, visitor).status_code == 302
    url = _url(app, endpoint, users)
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
    expectations = {
        "admin": {"Pengguna", "Wilayah", "Log audit"},
        "analis": {"Wilayah"},
        "operator": set(),
        "fasilitator": set(),
        "pimpinan": set(),
    }
    for visitor, visible in expectations.items():
        client = app.test_client()
        login(client, visitor)
        nav = client.get("/").get_data(as_text=True).split('aria-label="Menu utama"')[1].split("</nav>")[0]
        for label in ("Pengguna", "Wilayah", "Log audit"):
            assert (f">{label}</a>" in nav) == (label in visible), (visitor, label)
        assert ">Beranda</a>" in nav
