"""Log-in, log-out, lockout, session-token rotation, safe redirects and password rules."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.audit import AuditLog
from app.auth.models import User
from app.extensions import db

from .conftest import PASSWORD, get_user, login

NEW = "sungai-barito-mengalir"


def _change(client, current, new, confirm=None):
    return client.post(
        "/akun/kata-sandi", data={"current_password": current, "new_password": new, "confirm": confirm or new}
    )


def _audit_actions(app, username):
    with app.app_context():
        return [r.action for r in db.session.scalars(select(AuditLog).where(AuditLog.username == username))]


def test_login_page_is_indonesian_and_has_no_inline_script(client):
    page = client.get("/masuk")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'lang="id"' in html and "Masuk ke Waspada" in html and "Nama pengguna" in html
    assert "<script>" not in html and "<script src" in html


def test_login_then_home_shows_name_and_role(client, users):
    response = login(client, "operator", follow=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Operator Balangan" in html and "Operator kab/kota" in html and "Kab. Balangan" in html


def test_login_is_case_insensitive_on_username(client, users):
    assert login(client, "  OPERATOR ").status_code == 302


def test_wrong_password_gives_422_with_message_and_keeps_username(client, users, app):
    response = login(client, "operator", "salah-sekali-123")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nama pengguna atau kata sandi salah." in html
    assert 'value="operator"' in html
    assert get_user(app, "operator").failed_logins == 1
    assert _audit_actions(app, "operator")[-1] == "login_failed"


def test_unknown_user_gets_the_same_message(client, users, app):
    response = login(client, "tidak.ada", "apa-saja-123")
    assert response.status_code == 422
    assert "Nama pengguna atau kata sandi salah." in response.get_data(as_text=True)
    assert _audit_actions(app, "tidak.ada") == ["login_failed"]


def test_ten_failures_lock_the_account_for_fifteen_minutes(client, users, app, monkeypatch):
    for _ in range(9):
        assert login(client, "operator", "salah-sekali-123").status_code == 422
    response = login(client, "operator", "salah-sekali-123")
    assert "dikunci sementara" in response.get_data(as_text=True)
    locked = get_user(app, "operator")
    assert locked.locked_until is not None
    remaining = locked.locked_until - clock.utcnow()
    assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)
    assert "WITA" in response.get_data(as_text=True)  # the lock ends at a local time the user can read
    # Even the right password is refused while locked.
    response = login(client, "operator", PASSWORD)
    assert response.status_code == 422 and "dikunci sementara" in response.get_data(as_text=True)
    assert "lockout" in _audit_actions(app, "operator")
    # After the lock expires the right password works again.
    later = clock.utcnow() + timedelta(minutes=16)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    assert login(client, "operator", PASSWORD).status_code == 302
    assert get_user(app, "operator").failed_logins == 0


def test_success_resets_the_failure_count(client, users, app):
    for _ in range(5):
        login(client, "operator", "salah-sekali-123")
    assert login(client, "operator").status_code == 302
    assert get_user(app, "operator").failed_logins == 0


def test_new_session_token_on_every_login(client, users, app):
    before = get_user(app, "operator").session_token
    login(client, "operator")
    after = get_user(app, "operator").session_token
    assert before != after


def _session_cookie(client):
    return client.get_cookie("waspada_session").value


def test_logout_makes_the_old_cookie_useless(app, users):
    client = app.test_client()
    login(client, "operator")
    stolen = _session_cookie(client)
    response = client.post("/keluar")
    assert response.status_code == 302 and response.headers["Location"].endswith("/masuk")
    replay = app.test_client()
    replay.set_cookie("waspada_session", stolen)
    response = replay.get("/")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    assert "logout" in _audit_actions(app, "operator")


def test_logout_needs_post(client, users):
    login(client, "operator")
    assert client.get("/keluar").status_code == 405


def test_password_change_ends_other_sessions_but_keeps_this_one(app, users):
    other_device = app.test_client()
    login(other_device, "operator")
    client = app.test_client()
    login(client, "operator")
    response = _change(client, PASSWORD, NEW)
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session continues
    assert other_device.get("/").status_code == 302  # the other one ended
    assert login(app.test_client(), "operator", NEW).status_code == 302


def test_deactivation_ends_the_users_sessions(app, users, auth):
    operator = app.test_client()
    login(operator, "operator")
    admin = auth("admin")
    assert admin.post(f"/pengguna/{users['operator']}/status").status_code == 302
    assert operator.get("/").status_code == 302
    response = login(app.test_client(), "operator")
    assert response.status_code == 422 and "dinonaktifkan" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("pendek", "minimal 8"),
        ("password", "terlalu umum"),
        ("12345678", "terlalu umum"),
        ("bismillah", "terlalu umum"),
        ("aaaaaaaaaaaa", "terlalu umum"),
        ("operator-hebat", "nama pengguna"),
        ("x" * 129, "maksimal 128"),
    ],
)
def test_weak_new_passwords_are_refused_with_a_reason(client, users, new, message):
    login(client, "operator")
    response = _change(client, PASSWORD, new)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_long_passphrases_are_allowed(client, users):
    login(client, "operator")
    phrase = "kopi pahit di pagi hari membuat mata terbuka lebar sebelum rapat dimulai"
    assert len(phrase) >= 64
    assert _change(client, PASSWORD, phrase).status_code == 302


def test_wrong_current_password_is_refused_on_its_field(client, users):
    login(client, "operator")
    response = _change(client, "bukan-ini-123", NEW)
    assert response.status_code == 422
    assert "Kata sandi saat ini salah." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/wilayah/", "/wilayah/"),
        ("https://jahat.example/", "/"),
        ("//jahat.example/", "/"),
        ("/\\jahat.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_next_redirect_stays_on_site(client, users, next_url, expected):
    response = client.post("/masuk", data={"username": "analis", "password": PASSWORD, "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_anonymous_page_redirects_to_login_with_next(client):
    response = client.get("/wilayah/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/masuk?next=/wilayah/"


def test_anonymous_htmx_request_gets_hx_redirect_not_a_login_page(client):
    response = client.get("/pengguna", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/masuk")
    assert response.get_data() == b""


def test_must_change_password_blocks_other_pages(app, client, users):
    with app.app_context():
        user = db.session.get(User, users["operator"])
        user.must_change_password = True
        db.session.commit()
    login(client, "operator")
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/akun/kata-sandi"
    assert client.get("/akun/kata-sandi").status_code == 200


def test_stored_hashes_use_scrypt_at_the_production_cost(app):
    from app import config
    from app.auth.passwords import hash_password

    with app.app_context():
        app.config["PASSWORD_HASH_METHOD"] = config.PASSWORD_HASH_METHOD
        assert hash_password("sungai-barito-mengalir").startswith("scrypt:32768:8:1$")
