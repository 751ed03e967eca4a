"""Engine set-up: SQLite pragmas and BEGIN IMMEDIATE for transactions that write."""

from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_force_immediate: ContextVar[bool] = ContextVar("force_immediate", default=False)


def init_engine(app: Flask) -> None:
    """Install the SQLite connection and transaction hooks on the app's engine."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _install_sqlite_hooks(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"], app.config["SQLITE_SYNCHRONOUS"])


def begin_statement() -> str:
    """BEGIN IMMEDIATE when the transaction may write, plain BEGIN for reads.

    A deferred transaction that reads first and writes later cannot wait for the
    lock in WAL mode (SQLITE_BUSY at once), so writers take the lock up front.
    """
    if _force_immediate.get():
        return "BEGIN IMMEDIATE"
    if has_request_context() and request.method in READ_ONLY_METHODS:
        return "BEGIN"
    return "BEGIN IMMEDIATE"


@contextmanager
def writing():
    """Make transactions begun inside this block take the write lock at once (GET handlers that write)."""
    token = _force_immediate.set(True)
    try:
        yield
    finally:
        _force_immediate.reset(token)


def _install_sqlite_hooks(engine: Engine, busy_timeout_ms: int, synchronous: str) -> None:
    """Set the pragmas on every new connection and take over transaction begin."""
    if synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
        raise ValueError(f"SQLITE_SYNCHRONOUS tidak sah: {synchronous!r}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # pysqlite's own transaction handling would defer BEGIN; we emit it ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(begin_statement())
