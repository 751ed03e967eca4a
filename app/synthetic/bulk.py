"""Bulk loading on the raw database connection: executemany on SQLite, COPY on PostgreSQL.

The ORM (and so the audit hook) is bypassed on purpose: millions of rows through the session would
take hours. Rows are tuples of plain values; moments are naive UTC datetimes inside the generator and
are converted here to what each driver stores (SQLite: SQLAlchemy's text format, so the app reads
and compares them exactly as its own rows).
"""

import os
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import Table, text
from sqlalchemy.engine import Engine

from ..extensions import db

FLUSH_ROWS = 50_000


def _sqlite_moment(value: datetime | None) -> str | None:
    """A naive UTC moment as SQLAlchemy's SQLite DateTime writes it."""
    return None if value is None else value.isoformat(" ", "microseconds")


def _sqlite_day(value: date | None) -> str | None:
    """A date as SQLAlchemy's SQLite Date writes it."""
    return None if value is None else value.isoformat()


def _sqlite_clock(value: time | None) -> str | None:
    """A time of day as SQLAlchemy's SQLite Time writes it."""
    return None if value is None else value.isoformat("microseconds")


def _postgres_moment(value: datetime | None) -> datetime | None:
    """A naive UTC moment made aware for timestamptz."""
    return None if value is None else value.replace(tzinfo=UTC)


def _same(value):
    """psycopg adapts dates and times itself."""
    return value


class BulkWriter:
    """Buffers rows per table and writes them in dependency order, in one transaction per `commit()`."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.raw = engine.raw_connection()
        self.tables: dict[str, tuple[list[str], list[tuple]]] = {}
        self.counts: dict[str, int] = {}
        self.moment: Callable = _sqlite_moment if self.sqlite else _postgres_moment
        self.day: Callable = _sqlite_day if self.sqlite else _same
        self.clock: Callable = _sqlite_clock if self.sqlite else _same
        self.on_phase: Callable[[str], None] | None = None
        if self.sqlite:
            self._tune()
        self._begin()

    def _tune(self) -> None:
        """SQLite: a fast, unsafe load on this connection only (a crash leaves a broken file, which a
        fresh generated database may be); the rollback journal instead of WAL writes new pages once."""
        connection = self.raw.driver_connection
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-400000")  # 400 MB: the indexes being filled stay in memory
        connection.execute("PRAGMA temp_store=MEMORY")

    def _begin(self) -> None:
        """Start the load's transaction (psycopg opens one by itself)."""
        if self.sqlite:
            self.raw.driver_connection.execute("BEGIN IMMEDIATE")

    def table(self, table: Table, columns: list[str]) -> None:
        """Register a table (parents before children) with the columns its rows give, in order."""
        known = {c.name for c in table.columns}
        unknown = set(columns) - known
        required = {c.name for c in table.columns if not c.nullable and c.server_default is None and not c.primary_key}
        if unknown or required - set(columns):
            raise ValueError(
                f"{table.name}: kolom tidak dikenal {unknown}, kolom wajib tidak diisi {required - set(columns)}"
            )
        self.tables[table.name] = (columns, [])
        self.counts.setdefault(table.name, 0)

    def raw_table(self, name: str, columns: list[str]) -> None:
        """Register a table the models do not describe (the FTS5 index table)."""
        self.tables[name] = (columns, [])
        self.counts.setdefault(name, 0)

    def next_id(self, table: Table) -> int:
        """The first free id of a table (the load gives ids itself, so children can point at parents)."""
        return int(self.scalar(f"SELECT coalesce(max(id), 0) + 1 FROM {table.name}"))

    def add(self, name: str, row: tuple) -> None:
        """Queue a row; everything queued is written once the buffers are large."""
        buffer = self.tables[name][1]
        buffer.append(row)
        if len(buffer) >= FLUSH_ROWS:
            self.flush()

    def extend(self, name: str, rows: list[tuple]) -> None:
        """Queue many rows."""
        buffer = self.tables[name][1]
        buffer.extend(rows)
        if len(buffer) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write every buffer, parents first (foreign keys are checked row by row)."""
        for name, (columns, buffer) in self.tables.items():
            if buffer:
                self._write(name, columns, buffer)
                self.counts[name] += len(buffer)
                buffer.clear()

    def _write(self, name: str, columns: list[str], rows: list[tuple]) -> None:
        """One batch into one table."""
        column_list = ", ".join(columns)
        if self.sqlite:
            marks = ", ".join("?" * len(columns))
            self.raw.driver_connection.executemany(f"INSERT INTO {name} ({column_list}) VALUES ({marks})", rows)
            return
        with self.raw.cursor() as cursor, cursor.copy(f"COPY {name} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def commit(self) -> None:
        """Write what is queued and commit; the next rows go into a new transaction."""
        self.flush()
        if self.sqlite:
            self.raw.driver_connection.execute("COMMIT")
            self._begin()
        else:
            self.raw.commit()

    def phase(self, name: str) -> None:
        """Write what is queued and report that a part of the load is complete."""
        self.flush()
        if self.on_phase:
            self.on_phase(name)

    def execute(self, sql: str, parameters: tuple = ()):
        """Run one statement on the load's connection (inside its transaction); returns its first row."""
        cursor = self.raw.cursor()
        try:
            cursor.execute(sql, parameters)
            return cursor.fetchone() if cursor.description else None
        finally:
            cursor.close()

    def scalar(self, sql: str, parameters: tuple = ()):
        """The first value of a one-row query."""
        return self.execute(sql, parameters)[0]

    def abort(self) -> None:
        """Roll back the open transaction and give the connection back (after a failure)."""
        try:
            if self.sqlite:
                self.raw.driver_connection.execute("ROLLBACK")
            else:
                self.raw.rollback()
        finally:
            self.raw.close()

    def close(self) -> None:
        """Commit the rest and give the connection back."""
        self.flush()
        if self.sqlite:
            self.raw.driver_connection.execute("COMMIT")
            self.raw.driver_connection.execute("PRAGMA journal_mode=WAL")
        else:
            self.raw.commit()
        self.raw.close()


def finish_postgres(engine: Engine, names: Iterable[str]) -> None:
    """PostgreSQL: move each table's id sequence past the ids the load gave, and gather the planner's
    statistics as autovacuum soon would after such a load (SQLite: nothing; the app never runs ANALYZE)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for name in names:
            if "id" in db.metadata.tables[name].columns:
                sequence = f"pg_get_serial_sequence('{name}', 'id')"
                conn.execute(text(f"SELECT setval({sequence}, coalesce(max(id), 0) + 1, false) FROM {name}"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))


def database_size(engine: Engine) -> int:
    """Bytes on disk: the SQLite file with its WAL, or pg_database_size."""
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database or "")
        return sum(os.path.getsize(p) for p in (path, Path(f"{path}-wal")) if p.exists())
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def row_counts(names: Iterable[str]) -> dict[str, int]:
    """Rows per table, counted in the database."""
    return {name: db.session.execute(text(f"SELECT count(*) FROM {name}")).scalar_one() for name in names}


# The item columns the full-text index reads, in the order the migration's triggers join them (0002).
SEARCH_FIELDS = (
    "what",
    "desa",
    "actors",
    "how",
    "why",
    "source_detail",
    "analysis",
    "prediction",
    "steps_taken",
    "recommendation",
)


def search_body(item: dict) -> str:
    """What the FTS5 insert trigger stores as `body`: the fields joined by spaces, NULL as ''."""
    return " ".join(item[name] or "" for name in SEARCH_FIELDS)


def scope_tokens(code: str) -> str:
    """What the trigger stores as `scope`: 'p63 k6311' for regency 63.11."""
    return f"p{code[:2]} k{code.replace('.', '')}"


class SearchIndex:
    """The full-text index of report items during the load.

    SQLite: an FTS5 insert fired by the row trigger runs as a statement of its own, about five times
    slower than the same rows in one batch; so the triggers are dropped for the load, the generator
    writes the very rows the insert trigger would (`search_body`, `scope_tokens`), and the triggers are
    created again from their stored SQL. PostgreSQL: the row trigger stays (it computes every
    `search_vector`); only the GIN index over it is dropped and built once at the end.
    """

    FTS = "report_item_search"
    GIN = "ix_report_items_search_vector"

    def __init__(self, writer: BulkWriter):
        self.writer = writer
        self.saved: list[str] = []

    @property
    def direct(self) -> bool:
        """Whether the generator writes the index rows itself."""
        return self.writer.sqlite

    def suspend(self) -> None:
        """Remember the triggers (SQLite) or the index (PostgreSQL) and drop them."""
        writer = self.writer
        if writer.sqlite:
            cursor = writer.raw.cursor()
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'report_items' "
                "AND name LIKE 'report_items_search%' ORDER BY name"
            )
            triggers = cursor.fetchall()
            cursor.close()
            for name, sql in triggers:
                writer.execute(f"DROP TRIGGER {name}")
                self.saved.append(sql)
            writer.raw_table(self.FTS, ["rowid", "title", "body", "scope"])
            return
        row = writer.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", (self.GIN,))
        if row:
            self.saved.append(row[0])
            writer.execute(f"DROP INDEX {self.GIN}")

    def restore(self) -> None:
        """Create the triggers or the index again exactly as they were defined."""
        for sql in self.saved:
            self.writer.execute(sql)
        self.saved = []

    def restore_after_failure(self, engine: Engine) -> None:
        """After a failed load: put back whatever the rollback did not."""
        if not self.saved:
            return
        with engine.begin() as conn:
            existing = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'trigger'")
                if self.writer.sqlite
                else text("SELECT indexdef FROM pg_indexes WHERE indexname = :name").bindparams(name=self.GIN)
            ).scalars()
            present = set(existing)
            for sql in self.saved:
                if sql not in present:
                    conn.execute(text(sql))
        self.saved = []
