"""`flask db-copy`: a populated SQLite database copied to an empty one (SQLite, PostgreSQL and back) is whole."""

import secrets
import sqlite3
from contextlib import closing, contextmanager
from datetime import UTC, datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import JSON, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app import audit, clock, demo
from app.audit import AuditLog
from app.auth.models import Role, User
from app.auth.services import UserData, actor_for, create_user
from app.dbcopy import copy_database
from app.extensions import db
from app.lapsus import services as lapsus_services
from app.maps.services import load_built_in_boundaries
from app.regions.models import Region, RegionKind
from app.regions.services import load_built_in
from app.reports.models import Classification, DailyReport, IssueCategory, ReportItem
from app.reports.seed import load_issue_categories
from app.scoring.seed import load_definitions
from app.surveys.services import load_examples

from .conftest import TEST_DATABASE_URL, login, make_app
from .factories import item_data

POSTGRES = pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs a PostgreSQL server (TEST_DATABASE_URL)")


def _tables():
    """Every model table, in foreign-key order."""
    return list(db.metadata.sorted_tables)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A SQLite database with demo data (reports, meetings, questionnaires, users, audit rows) and odd cases."""
    folder = tmp_path_factory.mktemp("copy-source")
    url = f"sqlite:///{folder / 'source.sqlite'}"
    app = make_app(url, folder / "instance")
    with app.app_context():
        upgrade()
        load_built_in(db.session)
        load_issue_categories(db.session)
        load_examples(db.session, clock.utcnow())
        load_definitions(db.session)
        load_built_in_boundaries(db.session)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["seed-demo", "--days", "2"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        operator = db.session.scalars(select(User).where(User.username == "operator.balangan")).one()
        audit.set_actor(db.session, actor_for(operator))
        lapsus_services.file_lapsus(
            db.session,
            operator,
            item_data(latitude=-2.3251, longitude=115.4712),
            Classification.TERBATAS,
            clock.utcnow(),
        )
        # Pemekaran: a kecamatan moves into a regency created after it, so its parent has the higher id.
        balangan = db.session.scalars(select(Region).where(Region.code == "63.11")).one()
        kecamatan = Region(code="63.11.91", name="Kecamatan Uji", kind=RegionKind.KECAMATAN, timezone="Asia/Makassar")
        kecamatan.parent = balangan
        db.session.add(kecamatan)
        db.session.flush()
        regency = Region(code="63.90", name="Kabupaten Pemekaran", kind=RegionKind.KABUPATEN, timezone="Asia/Makassar")
        regency.parent = balangan.parent
        db.session.add(regency)
        db.session.flush()
        kecamatan.parent = regency
        db.session.commit()
        assert kecamatan.parent_id > kecamatan.id
        db.session.remove()
        db.engine.dispose()
    return url


@pytest.fixture
def postgres_database():
    """Fresh, empty PostgreSQL databases on the test server, dropped afterwards: `postgres_database()` → URL."""
    server = make_url(TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    made = []

    def create() -> str:
        name = f"waspada_copy_{secrets.token_hex(4)}"
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        made.append(name)
        return server.set(database=name).render_as_string(hide_password=False)

    yield create
    with admin.connect() as connection:
        for name in made:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@contextmanager
def _connect(url: str):
    """A connection to `url` whose engine is disposed however the block ends."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table in key order, through the models' column types, with SQL NULLs of JSON marked."""
    found = {}
    with _connect(url) as connection:
        for table in _tables():
            flags = [c.is_(None) for c in table.columns if isinstance(c.type, JSON)]
            statement = select(*table.columns, *flags).order_by(*table.primary_key.columns)
            found[table.name] = [tuple(row) for row in connection.execute(statement)]
    return found


def _copy(source_url: str, target_url: str, instance):
    """Run `flask db-copy` from an app on the source; returns the CLI result."""
    app = make_app(source_url, instance)
    try:
        return app.test_cli_runner().invoke(args=["db-copy", target_url])
    finally:
        with app.app_context():
            db.engine.dispose()


def _check_copy(source_url: str, target_url: str, instance) -> None:
    """Counts and every field equal, one audit row more, search, log-in, fresh ids, the append-only log."""
    before, after = _rows(source_url), _rows(target_url)
    assert set(after) == set(before)
    for name, rows in before.items():
        if name == "audit_log":
            assert after[name][:-1] == rows
            assert len(after[name]) == len(rows) + 1
        else:
            assert after[name] == rows, name
    assert len(before["report_items"]) > 50 and len(before["survey_answers"]) > 1000
    assert len(before["attendance"]) > 0 and len(before["special_reports"]) == 1

    app = make_app(target_url, instance)
    try:
        with app.app_context():
            last = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(1)).one()
            assert (
                last.action == "db_copy"
                and last.via == "cli"
                and last.changes["baris"] == sum(len(rows) for rows in before.values())
            )
            assert last.at.tzinfo is not None and (datetime.now(UTC) - last.at).total_seconds() < 300
            item = db.session.scalars(
                select(ReportItem)
                .join(DailyReport)
                .join(Region)
                .where(Region.code.startswith("63."))
                .order_by(ReportItem.id.desc())
            ).first()
            word = max(item.title.split(), key=len)
            max_user = db.session.scalar(select(func.max(User.id)))
            max_audit = db.session.scalar(select(func.max(AuditLog.id)))
            max_category = db.session.scalar(select(func.max(IssueCategory.id)))

        client = app.test_client()
        assert login(client, "analis.kalsel", demo.DEMO_PASSWORD).status_code == 302
        found = client.get("/laporan/cari/", query_string={"q": word}).get_data(as_text=True)
        assert f'#item-{item.id}"' in found
        nothing = client.get("/laporan/cari/", query_string={"q": "zzkatatakada"}).get_data(as_text=True)
        assert f'#item-{item.id}"' not in nothing

        with app.app_context():
            audit.set_actor(db.session, audit.Actor(user_id=None, username="uji"))
            data = UserData(full_name="Pengguna Baru", role=Role.ADMIN, region_id=None)
            user = create_user(db.session, "pengguna.baru", data, "Sungai-Martapura-1945", must_change=False)
            category = IssueCategory(code="uji_salin", name="Uji salin", active=True, position=99)
            db.session.add(category)
            db.session.commit()
            assert user.id == max_user + 1 and category.id == max_category + 1
            assert db.session.scalar(select(func.min(AuditLog.id)).where(AuditLog.id > max_audit)) == max_audit + 1
            with pytest.raises(DBAPIError):
                db.session.execute(text("UPDATE audit_log SET username = 'palsu' WHERE id = 1"))
            db.session.rollback()
            with pytest.raises(DBAPIError):
                db.session.execute(text("DELETE FROM audit_log"))
            db.session.rollback()
            assert db.session.scalar(select(AuditLog.username).where(AuditLog.id == 1)) != "palsu"
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_copy_to_an_empty_sqlite_file_is_whole(source, tmp_path):
    target = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    result = _copy(source, target, tmp_path / "instance")
    assert result.exit_code == 0, result.output
    assert "skema dibuat dengan migrasi" in result.output
    assert "BERBEDA" not in result.output
    for line in ("report_items", "survey_answers", "audit_log"):
        assert any(row.startswith(line) and row.endswith("sama") for row in result.output.splitlines())
    _check_copy(source, target, tmp_path / "instance")


@POSTGRES
def test_copy_sqlite_to_postgresql_and_back(source, tmp_path, postgres_database):
    target = postgres_database()
    result = _copy(source, target, tmp_path / "instance")
    assert result.exit_code == 0, result.output
    assert "BERBEDA" not in result.output
    _check_copy(source, target, tmp_path / "instance")
    with _connect(target) as connection:
        assert connection.execute(text("SELECT count(*) FROM report_items WHERE search_vector IS NULL")).scalar() == 0
        for table in _tables():
            (column,) = table.primary_key.columns
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            ).scalar()
            if sequence:
                last, called = connection.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()
                highest = connection.execute(select(func.max(column))).scalar() or 0
                assert (last + 1 if called else last) == highest + 1, table.name

    # Back again: PostgreSQL → SQLite gives the original rows plus the two audit rows of the copies.
    back = f"sqlite:///{tmp_path / 'back.sqlite'}"
    pristine = postgres_database()
    assert _copy(source, pristine, tmp_path / "instance").exit_code == 0
    result = _copy(pristine, back, tmp_path / "instance")
    assert result.exit_code == 0, result.output
    original, returned = _rows(source), _rows(back)
    for name, rows in original.items():
        assert returned[name][: len(rows)] == rows, name
        assert len(returned[name]) == len(rows) + (2 if name == "audit_log" else 0)


@POSTGRES
def test_a_failed_copy_leaves_the_target_empty(source, tmp_path, postgres_database):
    broken = tmp_path / "broken.sqlite"
    with closing(sqlite3.connect(make_url(source).database)) as connection:
        connection.execute("VACUUM INTO ?", (str(broken),))
    with closing(sqlite3.connect(broken)) as connection, connection:
        # SQLite keeps a text longer than its column allows; PostgreSQL refuses it, late in the copy.
        connection.execute("UPDATE survey_answers SET value = ? WHERE id = 1", ("x" * 5000,))
    target = postgres_database()
    result = _copy(f"sqlite:///{broken}", target, tmp_path / "instance")
    assert result.exit_code != 0
    assert "Penyalinan gagal, tujuan tidak diubah" in result.output
    with _connect(target) as connection:
        for table in ("audit_log", "regions", "users", "daily_reports", "report_items"):
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0


def test_a_target_with_rows_or_another_revision_is_refused(source, tmp_path):
    used = f"sqlite:///{tmp_path / 'used.sqlite'}"
    app = make_app(used, tmp_path / "instance")
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        regions = db.session.scalar(select(func.count()).select_from(Region))
        db.engine.dispose()
    result = _copy(source, used, tmp_path / "instance")
    assert result.exit_code != 0 and "tidak kosong" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Region)) == regions
        assert db.session.scalar(select(func.count()).where(AuditLog.action == "db_copy")) == 0
        db.engine.dispose()

    older = f"sqlite:///{tmp_path / 'older.sqlite'}"
    app = make_app(older, tmp_path / "instance")
    with app.app_context():
        upgrade(revision="0006")
        db.engine.dispose()
    result = _copy(source, older, tmp_path / "instance")
    assert result.exit_code != 0 and "Revisi skema berbeda" in result.output

    result = _copy(source, source, tmp_path / "instance")
    assert result.exit_code != 0 and "sama" in result.output


def test_copy_database_reads_in_batches(source, tmp_path):
    target = f"sqlite:///{tmp_path / 'small-batches.sqlite'}"
    app = make_app(target, tmp_path / "instance")
    with app.app_context():
        upgrade()
        db.engine.dispose()
        seen = []
        result = copy_database(source, target, "uji", batch=7, progress=lambda name, rows: seen.append((name, rows)))
    assert [name for name, _ in seen] == [table.name for table in _tables()]
    assert all(left == right for left, right in result.counts.values())
    assert _rows(source)["regions"] == _rows(target)["regions"]
