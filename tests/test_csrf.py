"""With CSRF protection on (as in production): every state change without a token is refused."""

import re

import pytest

from app.extensions import db

from .access import build_url, url_args
from .conftest import PASSWORD, TEST_CONFIG, make_app


@pytest.fixture
def csrf_app(app):
    """The same database, with CSRF checks switched on."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    protected = make_app(uri, app.instance_path, WTF_CSRF_ENABLED=True)
    yield protected
    with protected.app_context():
        db.session.remove()
        db.engine.dispose()


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _logged_in(csrf_app):
    client = csrf_app.test_client()
    token = _token(client.get("/masuk").get_data(as_text=True))
    response = client.post("/masuk", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def test_login_without_token_is_refused(csrf_app, users):
    response = csrf_app.test_client().post("/masuk", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 400
    assert "Formulir kedaluwarsa" in response.get_data(as_text=True)


def test_post_routes_without_token_are_refused(csrf_app, users):
    client = _logged_in(csrf_app)
    post_rules = [r for r in csrf_app.url_map.iter_rules() if "POST" in r.methods]
    assert len(post_rules) >= 10
    args = url_args(csrf_app, users)
    for rule in post_rules:
        url = build_url(csrf_app, rule.endpoint, args)
        response = client.post(url, data={"full_name": "X"})
        assert response.status_code == 400, url


def test_htmx_post_with_token_header_is_accepted_and_without_is_refused(csrf_app, users):
    client = _logged_in(csrf_app)
    page = client.get("/pengguna").get_data(as_text=True)
    header_token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    url = f"/pengguna/{users['operator']}/status"
    refused = client.post(url, headers={"HX-Request": "true"})
    assert refused.status_code == 400
    assert refused.headers["HX-Retarget"] == "#htmx-error"
    accepted = client.post(url, headers={"HX-Request": "true", "X-CSRFToken": header_token})
    assert accepted.status_code == 200
    assert 'id="user-' in accepted.get_data(as_text=True)


def test_test_config_really_disables_csrf_elsewhere():
    assert TEST_CONFIG["WTF_CSRF_ENABLED"] is False
