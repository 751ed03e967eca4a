"""The account lockout (S5) holds across three gunicorn workers, with failures arriving at once.

gunicorn serves the test's own database (SQLite file, or PostgreSQL with TEST_DATABASE_URL) in
production mode. Its access log starts with the pid of the worker that served each request, so the
test can show that more than one worker counted the failures. On SQLite, BEGIN IMMEDIATE already
serialises the log-in transactions; on PostgreSQL the atomic UPDATE is what keeps the count exact (a
read-modify-write in Python lost 4 of 9 failures there when tried).
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.audit import AuditLog
from app.extensions import db
from bench import live

from .conftest import PASSWORD, get_user

pytestmark = pytest.mark.live

WRONG = "bukan-sandinya-77"
LOCKED = "Akun dikunci sementara"


@pytest.fixture
def gunicorn(app, users, tmp_path):
    """Three workers on a free loopback port over the test database; yields (base URL, access log, app log)."""
    access_log, app_log = tmp_path / "access.log", tmp_path / "gunicorn.log"
    env = live.environment(
        tmp_path / "gunicorn-instance",
        database_url=app.config["DATABASE_URL"],
        mode="production",
        settings={"RATELIMIT_ENABLED": "true"},  # the production default, as deployed
    )
    server, base = live.start_gunicorn(env, workers=3, log=app_log, access_log=access_log)
    try:
        yield base, access_log, app_log
    finally:
        live.stop(server)


def _at_once(clients, password: str) -> list[tuple[int, str]]:
    """Every client posts the log-in form at the same moment, each over its own connection."""
    barrier = threading.Barrier(len(clients))

    def attempt(client):
        barrier.wait(timeout=20)
        return client.post("/masuk", {"username": "operator", "password": password}, htmx=False)

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(attempt, clients))


def _actions(app) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditLog.action).where(AuditLog.username == "operator", AuditLog.entity == "users")
            )
        )


def _posts_logged(access_log, expected: int) -> list[int]:
    """Worker pids of the log-in posts; a worker writes its line just after answering, so wait a moment."""
    deadline = time.monotonic() + 5
    while True:
        posts = live.access_pids(access_log, "POST /masuk")
        if len(posts) >= expected or time.monotonic() > deadline:
            return posts
        time.sleep(0.05)


def test_ten_failures_over_three_workers_lock_the_account(app, users, gunicorn):
    base, access_log, app_log = gunicorn
    limit = app.config["LOGIN_MAX_FAILURES"]
    clients = [live.Client(base) for _ in range(limit - 1)]  # anonymous browsers with their CSRF tokens

    # Nine failures at once: each one counted, none lost, no lock yet.
    results = _at_once(clients, WRONG)
    assert [status for status, _ in results] == [422] * (limit - 1)
    assert all("Nama pengguna atau kata sandi salah" in body for _, body in results)
    operator = get_user(app, "operator")
    assert operator.failed_logins == limit - 1 and operator.locked_until is None

    # The tenth locks the account; the counter starts again for the next round.
    status, body = clients[0].post("/masuk", {"username": "operator", "password": WRONG}, htmx=False)
    assert status == 422 and LOCKED in body
    operator = get_user(app, "operator")
    assert operator.locked_until > datetime.now(UTC) and operator.failed_logins == 0

    # The eleventh, with the right password, is refused as locked, whichever worker takes it.
    for client in clients[1:4]:
        status, body = client.post("/masuk", {"username": "operator", "password": PASSWORD}, htmx=False)
        assert status == 422 and LOCKED in body
        assert 'name="password"' in client.get("/")[1]  # no session: the home page sends to the log-in form

    actions = _actions(app)
    assert actions.count("login_failed") == limit - 1
    assert actions.count("lockout") == 1
    assert actions.count("login_locked") == 3
    assert "login" not in actions

    posts = _posts_logged(access_log, limit + 3)
    assert len(posts) == limit + 3
    assert len(set(posts[: limit - 1])) > 1, f"one worker served every concurrent failure: {posts}"
    # Neither password reaches the logs.
    logs = access_log.read_text() + app_log.read_text()
    assert WRONG not in logs and PASSWORD not in logs
