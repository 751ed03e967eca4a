"""Engine set-up: SQLite pragmas and BEGIN IMMEDIATE for transactions that write; memos kept while nothing is."""

from collections.abc import Callable, Hashable
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .extensions import db

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_MEMO_ENTRIES = 500
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
        # For unchanged_memo: the changes made before this transaction, and the data version, asked when needed.
        connection.info["transaction_start"] = [connection.connection.total_changes, None]


def unchanged_memo(session: Session, name: str) -> dict:
    """A dict kept with this database connection for as long as the database stays as it is (SQLite).

    For answers that are the same until something is written and cost a seek into a large index or many
    rows each time: the words a prefix expands to (seeking past `warga`, in most items, takes 10 ms on the
    national set), a search window's first item, the regions and categories a filter form offers, the
    header's unread count. `PRAGMA data_version` changes when another connection commits (it is asked once
    per transaction, whose snapshot stays the same), `total_changes` when this one writes; either empties
    every memo. A transaction that has written gets a new, empty dict each time: what it would keep could
    be rolled back. Memos go when the connection closes. On PostgreSQL the dict is a new, empty one each time.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return {}
    dbapi, start = connection.connection, connection.info.get("transaction_start")
    if start is None or dbapi.total_changes != start[0]:
        return {}  # this transaction has written (or began without our hook)
    if start[1] is None:
        start[1] = dbapi.execute("PRAGMA data_version").fetchone()[0]
    state = (start[1], start[0])
    memos = connection.info.get("unchanged_memos")
    if memos is None or memos[0] != state:
        memos = connection.info["unchanged_memos"] = (state, {})
    memo = memos[1].setdefault(name, {})
    if len(memo) > MAX_MEMO_ENTRIES:
        memo.clear()
    return memo


def kept(session: Session, name: str, key: Hashable, compute: Callable):
    """`compute()`'s answer for `key`, kept in the `name` memo while nothing is written (see unchanged_memo)."""
    memo = unchanged_memo(session, name)
    if key not in memo:
        memo[key] = compute()
    return memo[key]
