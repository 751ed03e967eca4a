"""Database set-up: SQLite pragmas on pooled connections, BEGIN IMMEDIATE for writes, migrations = models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, text

from app.db import begin_statement, writing
from app.extensions import db
from app.sqltypes import include_in_migrations

from .conftest import TEST_DATABASE_URL

sqlite_only = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite pragmas; this run is on PostgreSQL")


@sqlite_only
def test_pragmas_on_a_pooled_connection(app):
    with app.app_context():
        for _ in range(2):  # the second checkout reuses the pooled connection
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


@sqlite_only
def test_foreign_keys_are_enforced(app):
    with app.app_context():
        with pytest.raises(Exception, match="FOREIGN KEY"):
            db.session.execute(
                text(
                    "INSERT INTO regions (code, name, kind, timezone, parent_id) "
                    "VALUES ('99.01', 'X', 'kabupaten', 'Asia/Jakarta', 987654)"
                )
            )
            db.session.commit()
        db.session.rollback()


def _begins(app, method: str) -> list[str]:
    """The BEGIN statements the engine sends during a request of `method`."""
    seen = []
    with app.app_context():
        engine = db.engine

        def _capture(_conn, _cursor, statement, *_args):
            if statement.startswith("BEGIN"):
                seen.append(statement)

        event.listen(engine, "before_cursor_execute", _capture)
        try:
            with app.test_request_context("/", method=method):
                db.session.execute(text("SELECT 1"))
                db.session.rollback()
        finally:
            event.remove(engine, "before_cursor_execute", _capture)
    return seen


@sqlite_only
def test_writes_take_the_lock_up_front_and_reads_do_not(app):
    assert _begins(app, "POST") == ["BEGIN IMMEDIATE"]
    assert _begins(app, "GET") == ["BEGIN"]


def test_begin_statement_rules(app):
    with app.test_request_context("/", method="GET"):
        assert begin_statement() == "BEGIN"
        with writing():
            assert begin_statement() == "BEGIN IMMEDIATE"
        assert begin_statement() == "BEGIN"
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        with app.test_request_context("/", method=method):
            assert begin_statement() == "BEGIN IMMEDIATE"
    assert begin_statement() == "BEGIN IMMEDIATE"  # no request: CLI and scripts write


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_in_migrations})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_a_migration_that_rebuilds_a_table_keeps_its_children(app, users):
    """Downgrading 0008 rebuilds survey_responses (SQLite batch mode): its answers must survive the rebuild."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import func, select

    from app.surveys.models import Answer

    from .conftest import login
    from .test_rollup import _answers, _open_round, _start

    round_id = _open_round(app)
    client = app.test_client()
    login(client, "fasilitator")
    form_id = _start(client, round_id)
    assert client.post(f"/kuesioner/isian/{form_id}/selesai", data=_answers(app, round_id)).status_code == 302
    with app.app_context():
        answers = db.session.scalar(select(func.count()).select_from(Answer))
        assert answers >= 20
        db.session.remove()
        downgrade(revision="0007")
        upgrade()
        assert db.session.scalar(select(func.count()).select_from(Answer)) == answers
        db.session.remove()  # outside a request every transaction takes the write lock
        with db.engine.connect() as conn:  # keys are back on for the app's connections
            if conn.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
