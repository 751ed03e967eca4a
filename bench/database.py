"""The database side of the load scripts: the instance's SQLite file, or a throwaway PostgreSQL database.

`BENCH_POSTGRES_URL` names the PostgreSQL server (any database on it that we may connect to, default
`postgresql://$USER@127.0.0.1:5432/postgres`); the scripts create `waspada_bench_<pid>_<random>` there and
drop it when they end, whatever happens.
"""

import getpass
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

KINDS = ("sqlite", "postgresql")


def server_url() -> str:
    """The PostgreSQL server the scripts may create databases on."""
    url = os.environ.get("BENCH_POSTGRES_URL") or f"postgresql://{getpass.getuser()}@127.0.0.1:5432/postgres"
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@contextmanager
def throwaway(kind: str) -> Iterator[str | None]:
    """None for SQLite (the instance keeps its own file), or the URL of a new PostgreSQL database."""
    if kind == "sqlite":
        yield None
        return
    if kind != "postgresql":
        raise SystemExit(f"unknown database kind {kind!r} (sqlite or postgresql)")
    server = make_url(server_url())
    name = f"waspada_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def app_url(instance: Path, database_url: str | None) -> str:
    """The database the app of `instance` uses."""
    return database_url or f"sqlite:///{instance / 'waspada.sqlite'}"


def rows(url: str, sql: str, **params) -> list[tuple]:
    """All rows of one query (plain SQL both databases understand)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def integrity(url: str) -> str:
    """'ok' when the database checks sound: SQLite's integrity_check, or amcheck over PostgreSQL's B-tree indexes."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                return connection.execute(text("PRAGMA integrity_check")).scalar()
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            indexes = connection.execute(
                text(
                    "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE a.amname = 'btree' AND n.nspname = 'public'"
                )
            ).all()
            for oid, name in indexes:
                try:
                    # heapallindexed: every table row must be found in the index, not only the tree sound.
                    connection.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
                except DBAPIError as err:
                    return f"amcheck {name}: {str(err.orig or err).splitlines()[0]}"
            connection.commit()
            return f"ok (amcheck: {len(indexes)} B-tree indexes)"
    finally:
        engine.dispose()


def backends(url: str) -> list[tuple]:
    """(backend pid, application name, last query, when it started) of every other connection to this database."""
    return rows(
        url,
        "SELECT pid, application_name, query, query_start FROM pg_stat_activity "
        "WHERE datname = :db AND pid <> pg_backend_pid()",
        db=make_url(url).database,
    )


def server_now(url: str):
    """The database server's clock (pg_stat_activity's times are on it)."""
    return rows(url, "SELECT now()")[0][0]
