"""Fixtures: a migrated database per test (SQLite file copy, or a cleaned PostgreSQL), app, client, users."""

import os
import shutil
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import clock, create_app
from app.auth.models import Role, User
from app.auth.services import UserData, create_user
from app.extensions import db
from app.maps.services import load_built_in_boundaries
from app.regions.models import Region
from app.regions.services import load_built_in
from app.reports.seed import load_issue_categories
from app.scoring.seed import load_definitions
from app.surveys.services import load_examples

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "kata-sandi-uji-2024"
TEST_CONFIG = {
    "MODE": "testing",
    "SECRET_KEY": "kunci-rahasia-khusus-pengujian-0123456789abcdef",
    "WTF_CSRF_ENABLED": False,
    # Cheap scrypt parameters keep hundreds of log-ins fast; the production cost is tested on its own.
    "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    # The suite logs in hundreds of times from 127.0.0.1; tests/test_ratelimit.py sets real limits.
    "LOGIN_RATE_LIMIT": "100000 per minute",
}
# username → (role, region code, full name)
ACCOUNTS = {
    "admin": (Role.ADMIN, None, "Admin Uji"),
    "analis": (Role.PROVINSI, "63", "Analis Kalsel"),
    "operator": (Role.OPERATOR, "63.11", "Operator Balangan"),
    "fasilitator": (Role.FASILITATOR, "63.11", "Fasilitator Balangan"),
    "pimpinan": (Role.PIMPINAN, "63", "Pimpinan Kalsel"),
    "operator.tala": (Role.OPERATOR, "63.01", "Operator Tanah Laut"),
    "analis.kalteng": (Role.PROVINSI, "62", "Analis Kalteng"),
}


def make_app(database_url: str, instance_path, **extra):
    """An app for tests on the given database."""
    return create_app({**TEST_CONFIG, "DATABASE_URL": database_url, **extra}, instance_path=str(instance_path))


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Run the migrations once: into a SQLite file to copy per test, or into the PostgreSQL test database."""
    instance = tmp_path_factory.mktemp("template-instance")
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        url = TEST_DATABASE_URL
    else:
        url = f"sqlite:///{instance / 'template.sqlite'}"
    app = make_app(url, instance)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return None if TEST_DATABASE_URL else instance / "template.sqlite"


def _truncate_postgres() -> None:
    """Empty every table (TRUNCATE fires no row triggers, so the audit log can be emptied too)."""
    tables = ", ".join(t.name for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


def build_app(database_template, folder):
    """A fresh app and database in `folder` with the built-in regions and reference data, nothing else.

    On PostgreSQL there is one test database: building another app empties it again.
    """
    instance = folder / "instance"
    if TEST_DATABASE_URL:
        application = make_app(TEST_DATABASE_URL, instance)
        with application.app_context():
            _truncate_postgres()
    else:
        shutil.copy(database_template, folder / "waspada.sqlite")
        application = make_app(f"sqlite:///{folder / 'waspada.sqlite'}", instance)
    with application.app_context():
        load_built_in(db.session)
        load_issue_categories(db.session)
        load_examples(db.session, clock.utcnow())
        load_definitions(db.session)
        load_built_in_boundaries(db.session)
        db.session.commit()
        db.session.remove()
    return application


def dispose_app(application) -> None:
    """Close an app's connections."""
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(database_template, tmp_path):
    """A fresh app and database with the built-in regions and nothing else."""
    application = build_app(database_template, tmp_path)
    yield application
    dispose_app(application)


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def users(app):
    """One account per role (plus two from other regions); returns username → id."""
    return create_accounts(app)


def create_accounts(app) -> dict[str, int]:
    """The ACCOUNTS, created through the service; username → id."""
    ids = {}
    with app.app_context():
        for username, (role, code, name) in ACCOUNTS.items():
            region = db.session.scalars(db.select(Region).where(Region.code == code)).first() if code else None
            data = UserData(full_name=name, role=role, region_id=region.id if region else None, phone="0811000111")
            user = create_user(db.session, username, data, PASSWORD, must_change=False)
            db.session.flush()
            ids[username] = user.id
        db.session.commit()
        db.session.remove()
    return ids


def login(client, username: str, password: str = PASSWORD, follow: bool = False):
    """Log in through the form."""
    return client.post("/masuk", data={"username": username, "password": password}, follow_redirects=follow)


@pytest.fixture
def auth(client, users):
    """Log the test client in as someone: `auth("operator")`."""

    def _login(username: str):
        response = login(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login


@pytest.fixture
def pin_clock(monkeypatch):
    """Pin app.clock to a local time of today in a zone: `pin_clock(9, 0)` → that moment in UTC."""

    def pin(hour: int, minute: int = 0, zone: str = "Asia/Makassar") -> datetime:
        local = ZoneInfo(zone)
        fixed = datetime.combine(datetime.now(local).date(), time(hour, minute), local).astimezone(UTC)
        monkeypatch.setattr(clock, "utcnow", lambda: fixed)
        return fixed

    return pin


def get_user(app, username: str) -> User:
    """Load a user in a throwaway session (for assertions)."""
    with app.app_context():
        user = db.session.scalars(db.select(User).where(User.username == username)).one()
        db.session.expunge(user)
        return user
