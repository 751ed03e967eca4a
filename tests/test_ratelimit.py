"""Per-address limit on log-in and password-change attempts (S5 extra): per address, resets, shared in Redis."""

import logging
import os
import socket
import time
import uuid

import pytest
import redis
from sqlalchemy import select

from app import create_app
from app.audit import AuditLog
from app.extensions import db

from .conftest import PASSWORD, login, make_app

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
WRONG = "bukan-sandinya-77"


@pytest.fixture
def limited(app, tmp_path):
    """Apps on the test database with a real (small) limit: `limited("3 per 5 minutes", …settings)`."""
    made = []

    def build(limit: str, **extra):
        settings = {"LOGIN_RATE_LIMIT": limit, **extra}
        instance = tmp_path / f"instance-{len(made)}"
        made.append(make_app(app.config["DATABASE_URL"], instance, **settings))
        return made[-1]

    yield build
    for built in made:
        with built.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the Redis test database; its keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        client.close()
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {REDIS_URL}")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    prefix = f"waspada-test-{uuid.uuid4().hex}"
    yield prefix
    keys = list(client.scan_iter(f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def _audit(app, action: str) -> list[AuditLog]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))
        db.session.expunge_all()
        return rows


def _attempt(client, username="operator", password=WRONG, ip="10.1.1.1", **headers):
    return client.post(
        "/masuk",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": ip},
        headers=headers,
    )


def test_the_limit_refuses_an_address_after_n_attempts_even_with_the_right_password(limited, users, caplog):
    app = limited("3 per 5 minutes")
    client = app.test_client()
    for name in ("operator", "analis", "pimpinan"):  # one address trying several accounts
        assert _attempt(client, name).status_code == 422
    caplog.set_level(logging.WARNING, logger="waspada.security")
    refused = _attempt(client, "fasilitator", PASSWORD)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Terlalu banyak percobaan dari alamat ini" in page and "menit" in page
    assert int(refused.headers["Retry-After"]) > 0
    assert _attempt(client, "admin", PASSWORD).status_code == 429
    # Only posts count: the log-in page itself still opens.
    assert client.get("/masuk", environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 200
    # The refused attempts checked no password: no new failure was counted on the accounts.
    assert [r.username for r in _audit(app, "login_failed")] == ["operator", "analis", "pimpinan"]
    # Refusals are logged every time and audited once per address and window.
    assert sum("Rate limit" in r.getMessage() and "10.1.1.1" in r.getMessage() for r in caplog.records) == 2
    (row,) = _audit(app, "rate_limited")
    assert (row.ip, row.username, row.user_id, row.entity) == ("10.1.1.1", "fasilitator", None, "users")
    assert row.changes == {"batas": "3 per 5 minute", "halaman": "auth.login"}
    assert row.at.utcoffset().total_seconds() == 0


def test_the_limit_is_per_address(limited, users):
    app = limited("2 per 5 minutes")
    client = app.test_client()
    for _ in range(2):
        _attempt(client, ip="10.1.1.1")
    assert _attempt(client, ip="10.1.1.1").status_code == 429
    assert _attempt(client, "operator", PASSWORD, ip="10.2.2.2").status_code == 302


def _wait_out(window_s: float, since: float) -> None:
    """Sleep until the window that began at `since` (time.monotonic) has passed."""
    time.sleep(max(0.0, since + window_s + 0.3 - time.monotonic()))


def test_the_limit_resets_after_its_window(limited, users):
    app = limited("2 per 3 seconds")  # wide enough for three requests on a busy machine
    client = app.test_client()
    started = time.monotonic()
    for _ in range(2):
        assert _attempt(client).status_code == 422
    assert _attempt(client).status_code == 429
    _wait_out(3, started)
    assert _attempt(client, password=PASSWORD).status_code == 302


def test_the_password_change_is_limited_and_the_refusal_names_the_user(limited, users):
    app = limited("2 per 5 minutes")
    client = app.test_client()
    assert login(client, "operator").status_code == 302
    wrong = {"current_password": WRONG, "new_password": "Tabalong-Sungai-99", "confirm": "Tabalong-Sungai-99"}
    for _ in range(2):
        assert client.post("/akun/kata-sandi", data=wrong).status_code == 422
    assert client.post("/akun/kata-sandi", data={**wrong, "current_password": PASSWORD}).status_code == 429
    (row,) = _audit(app, "rate_limited")
    assert (row.user_id, row.username, row.entity_id) == (users["operator"], "operator", users["operator"])
    assert row.region_id is not None and row.changes["halaman"] == "auth.change_password"
    # Log-in keeps its own count.
    assert _attempt(app.test_client(), ip="127.0.0.1").status_code == 422


def test_behind_nginx_the_forwarded_client_address_is_counted(limited, users):
    app = limited("2 per 5 minutes", PROXY_FIX=True)
    client = app.test_client()
    for _ in range(2):
        _attempt(client, ip="127.0.0.1", **{"X-Forwarded-For": "36.80.1.1"})
    assert _attempt(client, ip="127.0.0.1", **{"X-Forwarded-For": "36.80.1.1"}).status_code == 429
    # Another office behind the same proxy is not blocked.
    assert _attempt(client, "operator", PASSWORD, ip="127.0.0.1", **{"X-Forwarded-For": "36.80.2.2"}).status_code == 302
    assert [r.ip for r in _audit(app, "rate_limited")] == ["36.80.1.1"]


def test_without_proxy_fix_a_forged_forwarded_header_does_not_escape_the_limit(limited, users):
    app = limited("2 per 5 minutes")
    client = app.test_client()
    for n in range(2):
        _attempt(client, ip="10.9.9.9", **{"X-Forwarded-For": f"1.1.1.{n}"})
    assert _attempt(client, ip="10.9.9.9", **{"X-Forwarded-For": "1.1.1.7"}).status_code == 429


def test_htmx_gets_the_refusal_in_the_error_box(limited, users):
    app = limited("1 per 5 minutes")
    client = app.test_client()
    _attempt(client)
    refused = _attempt(client, **{"HX-Request": "true"})
    assert refused.status_code == 429
    assert refused.headers["HX-Retarget"] == "#htmx-error" and "<html" not in refused.get_data(as_text=True)


def test_two_app_hosts_share_the_count_in_redis(limited, users, redis_prefix):
    shared = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": redis_prefix}
    first, second = limited("3 per 5 minutes", **shared), limited("3 per 5 minutes", **shared)
    assert _attempt(first.test_client()).status_code == 422
    assert _attempt(second.test_client()).status_code == 422
    assert _attempt(first.test_client()).status_code == 422
    assert _attempt(second.test_client(), password=PASSWORD).status_code == 429
    assert _attempt(first.test_client(), password=PASSWORD).status_code == 429
    # The refusal is audited once, though both hosts refused.
    assert len(_audit(first, "rate_limited")) == 1
    assert redis.Redis.from_url(REDIS_URL).keys(f"*{redis_prefix}*")


def test_memory_storage_is_per_app_instance(limited, users):
    """The control for the Redis test: without shared storage each instance counts alone."""
    first, second = limited("2 per 5 minutes"), limited("2 per 5 minutes")
    for client in (first.test_client(), first.test_client()):
        _attempt(client)
    assert _attempt(first.test_client()).status_code == 429
    assert _attempt(second.test_client(), password=PASSWORD).status_code == 302


def test_the_redis_limit_resets_after_its_window(limited, users, redis_prefix):
    app = limited("1 per 3 seconds", RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix)
    client = app.test_client()
    started = time.monotonic()
    assert _attempt(client).status_code == 422
    assert _attempt(client).status_code == 429
    _wait_out(3, started)
    assert _attempt(client, password=PASSWORD).status_code == 302


def test_an_unreachable_redis_does_not_stop_log_ins(limited, users, caplog):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = limited("2 per 5 minutes", RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0")
    client = app.test_client()
    caplog.set_level(logging.WARNING)
    assert _attempt(client, password=PASSWORD).status_code == 302
    assert any("falling back to in-memory" in r.getMessage() for r in caplog.records)
    # …and each worker still counts in its own memory.
    client = app.test_client()
    _attempt(client)
    assert _attempt(client).status_code == 429


def test_the_production_defaults(tmp_path, monkeypatch):
    for name in ("MODE", "RATELIMIT_STORAGE_URI", "LOGIN_RATE_LIMIT", "RATELIMIT_ENABLED"):
        monkeypatch.delenv(f"WASPADA_{name}", raising=False)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["LOGIN_RATE_LIMIT"] == "30 per 5 minutes"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.extensions["waspada.limiter"].enabled
    monkeypatch.setenv("WASPADA_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    app = create_app(instance_path=str(tmp_path))
    assert app.extensions["waspada.limiter"].storage.__class__.__name__ == "RedisStorage"
