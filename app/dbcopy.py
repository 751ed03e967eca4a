"""`flask db-copy TARGET`: copy a whole Waspada database to another one (SQLite → PostgreSQL the usual move).

The source is read in one snapshot transaction (REPEATABLE READ on PostgreSQL, a read transaction in WAL
mode on SQLite), table by table in foreign-key order and in batches, so memory stays bounded. The target
must be an empty schema at the same migration: a target without tables is migrated first, a target holding
any row is refused. Everything is written in one transaction on the target: a failure leaves it empty.

Rows go through SQLAlchemy Core on engines of our own, never through the ORM session, so the audit hook
does not turn the copy into a "create" row per copied row; the copied audit_log keeps its ids and content,
and one audit row for the copy itself is added at the end. Full-text search needs nothing from us beyond
checking: the triggers of migration 0002 fill the FTS5 table (SQLite) or the tsvector column (PostgreSQL)
as each report item is inserted.
"""

import getpass
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import JSON, Table, bindparam, create_engine, event, func, inspect, null, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError

from . import clock
from .audit import AuditLog
from .extensions import db

BATCH_ROWS = 1000
ACTION = "db_copy"
# Tables of the database that are not models: Alembic's bookkeeping and SQLite's FTS5 index and internals.
INTERNAL_TABLES = frozenset({"alembic_version"})
INTERNAL_PREFIXES = ("report_item_search", "sqlite_")


class CopyError(RuntimeError):
    """The copy was refused or failed; the target was left as it was (its transaction rolled back)."""


@dataclass(frozen=True)
class CopyResult:
    """Rows per table in the source and in the target, and how long the copy took."""

    counts: dict[str, tuple[int, int]]
    seconds: float

    @property
    def total(self) -> int:
        """Rows copied over all tables."""
        return sum(source for source, _ in self.counts.values())


def normalise_url(url: str) -> str:
    """A database URL as the app uses it: plain postgresql:// means psycopg 3."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _same_database(first: str, second: str) -> bool:
    """Whether two URLs name the same database (SQLite files compared by their resolved path)."""
    a, b = make_url(first), make_url(second)
    if a.get_backend_name() == b.get_backend_name() == "sqlite":
        return bool(a.database) and bool(b.database) and Path(a.database).resolve() == Path(b.database).resolve()

    def plain(url):
        return url.set(password=None, drivername=url.get_backend_name())

    return plain(a) == plain(b)


def _engine(url: str, *, writes: bool) -> Engine:
    """An engine that takes no part in the app's hooks; on SQLite we emit BEGIN ourselves, as app/db.py does."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA foreign_keys=ON")
            dbapi_connection.execute("PRAGMA busy_timeout=10000")

        @event.listens_for(engine, "begin")
        def _on_begin(connection):
            # The reader takes a snapshot without blocking the app's writers; the writer locks at once.
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine


def _revision(connection: Connection) -> str | None:
    """The Alembic revision of a database, or None when it has never been migrated."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _unknown_tables(connection: Connection, tables: list[Table]) -> list[str]:
    """Tables of the database that no model describes (their rows would be left behind)."""
    known = {table.name for table in tables} | INTERNAL_TABLES
    return sorted(
        name
        for name in inspect(connection).get_table_names()
        if name not in known and not name.startswith(INTERNAL_PREFIXES)
    )


def _count(connection: Connection, table: Table) -> int:
    """Rows in a table."""
    return connection.execute(select(func.count()).select_from(table)).scalar_one()


def _copy_table(source: Connection, target: Connection, table: Table, batch: int) -> int:
    """Copy one table in primary-key order, `batch` rows at a time; returns the rows copied."""
    key = list(table.primary_key.columns)
    # A row may point at a later row of its own table (a region's parent added after it): such links are
    # inserted empty and filled in once the whole table is there.
    self_links = [fk.parent for fk in table.foreign_keys if fk.column.table is table]
    # JSON columns: SQL NULL and JSON null both read back as None, so ask the source which one it holds.
    json_columns = [column for column in table.columns if isinstance(column.type, JSON)]
    flags = [column.is_(None).label(f"_sql_null_{n}") for n, column in enumerate(json_columns)]
    # yield_per on the statement, not the connection (Connection.execution_options changes it in place).
    statement = select(*table.columns, *flags).order_by(*key).execution_options(yield_per=batch)
    result = source.execute(statement)
    later_links: list[dict] = []
    copied = 0
    for rows in result.partitions():
        values = []
        for row in rows:
            mapping = row._mapping
            data = {column.key: mapping[column] for column in table.columns}
            for n, column in enumerate(json_columns):
                if mapping[f"_sql_null_{n}"]:
                    data[column.key] = null()
            for column in self_links:
                linked, own = data[column.key], data[key[0].key]
                if linked is not None and linked >= own:
                    later_links.append({"_pk": own, "_value": linked, "_column": column.key})
                    data[column.key] = None
            values.append(data)
        target.execute(table.insert(), values)
        copied += len(values)
    for column in self_links:
        links = [link for link in later_links if link["_column"] == column.key]
        if links:
            update = table.update().where(key[0] == bindparam("_pk")).values({column.key: bindparam("_value")})
            target.execute(update, [{"_pk": link["_pk"], "_value": link["_value"]} for link in links])
    return copied


def _reset_sequences(target: Connection, tables: list[Table]) -> None:
    """Make the next id of every table max(id) + 1 on PostgreSQL, whose sequences do not follow explicit ids.

    SQLite needs nothing: our tables have no AUTOINCREMENT, so a new row takes max(rowid) + 1.
    """
    if target.dialect.name != "postgresql":
        return
    quote = target.dialect.identifier_preparer.quote
    for table in tables:
        for column in table.primary_key.columns:
            sequence = target.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": table.name, "column": column.name}
            ).scalar()
            if sequence:
                target.execute(
                    text(
                        f"SELECT setval(:sequence, coalesce((SELECT max({quote(column.name)}) "
                        f"FROM {quote(table.name)}), 0) + 1, false)"
                    ),
                    {"sequence": sequence},
                )


def _check_search_index(target: Connection) -> None:
    """Every report item must be in the full-text index, which the target's triggers fill as rows arrive."""
    inspector = inspect(target)
    items = target.execute(text("SELECT count(*) FROM report_items")).scalar_one()
    if target.dialect.name == "postgresql":
        if "search_vector" not in {c["name"] for c in inspector.get_columns("report_items")}:
            raise CopyError("Kolom pencarian search_vector tidak ada di tujuan: migrasi 0002 belum lengkap.")
        missing = target.execute(text("SELECT count(*) FROM report_items WHERE search_vector IS NULL")).scalar_one()
    else:
        if not inspector.has_table("report_item_search"):
            raise CopyError("Tabel pencarian report_item_search tidak ada di tujuan: migrasi 0002 belum lengkap.")
        indexed = target.execute(text("SELECT count(*) FROM report_item_search")).scalar_one()
        missing = items - indexed
    if missing:
        raise CopyError(f"{missing} kejadian tidak masuk indeks pencarian di tujuan (pemicu pencarian hilang?).")


def copy_database(
    source_url: str,
    target_url: str,
    username: str,
    *,
    batch: int = BATCH_ROWS,
    progress: Callable[[str, int], None] | None = None,
) -> CopyResult:
    """Copy every table of `source_url` into the empty, migrated `target_url` in one target transaction."""
    if _same_database(source_url, target_url):
        raise CopyError("Sumber dan tujuan adalah basis data yang sama.")
    tables = list(db.metadata.sorted_tables)
    started = time.perf_counter()
    source_engine = _engine(source_url, writes=False)
    target_engine = _engine(target_url, writes=True)
    try:
        with source_engine.connect() as source, target_engine.connect() as target:
            if source.dialect.name == "postgresql":
                source = source.execution_options(isolation_level="REPEATABLE READ")
            with source.begin():
                counts = _copy_all(source, target, tables, batch, username, progress)
    finally:
        source_engine.dispose()
        target_engine.dispose()
    return CopyResult(counts, time.perf_counter() - started)


def _copy_all(source, target, tables, batch, username, progress) -> dict[str, tuple[int, int]]:
    """Check both ends, copy in one target transaction, compare the counts, record the copy; commit."""
    with target.begin():
        _check_ends(source, target, tables)
        counts = {}
        for table in tables:
            copied = _copy_table(source, target, table, batch)
            if progress:
                progress(table.name, copied)
            counts[table.name] = (_count(source, table), _count(target, table))
        _reset_sequences(target, tables)
        _check_search_index(target)
        differing = [name for name, (left, right) in counts.items() if left != right]
        if differing:
            raise CopyError(f"Jumlah baris berbeda setelah menyalin: {', '.join(differing)}. Tidak ada yang disimpan.")
        target.execute(
            AuditLog.__table__.insert(),
            {
                "at": clock.utcnow(),
                "user_id": None,
                "username": username[:40],
                "action": ACTION,
                "entity": None,
                "entity_id": None,
                "region_id": None,
                "changes": {
                    "dari": _shown(source.engine.url),
                    "ke": _shown(target.engine.url),
                    "tabel": len(tables),
                    "baris": sum(left for left, _ in counts.values()),
                },
                "ip": None,
                "via": "cli",
            },
        )
    return counts


def _check_ends(source: Connection, target: Connection, tables: list[Table]) -> None:
    """Refuse a source that is not Waspada's, schemas at different revisions, unknown tables, a target with rows."""
    source_revision, target_revision = _revision(source), _revision(target)
    if source_revision is None:
        raise CopyError("Sumber bukan basis data Waspada (tidak ada tabel alembic_version).")
    if source_revision != target_revision:
        raise CopyError(
            f"Revisi skema berbeda: sumber {source_revision}, tujuan {target_revision}. "
            "Jalankan `flask init-db` pada sumber (dengan versi aplikasi ini) lalu ulangi ke basis data tujuan kosong."
        )
    unknown = _unknown_tables(source, tables)
    if unknown:
        raise CopyError(f"Tabel sumber tanpa model, tidak akan ikut tersalin: {', '.join(unknown)}.")
    for table in tables:
        if target.execute(select(1).select_from(table).limit(1)).first() is not None:
            raise CopyError(
                f"Basis data tujuan tidak kosong (tabel {table.name} berisi data). db-copy hanya menyalin ke "
                "basis data baru yang kosong: buat yang baru (createdb), jangan jalankan init-db padanya."
            )


def _shown(url) -> str:
    """A URL fit for the log and the screen (no password)."""
    return url.render_as_string(hide_password=True)


def _migrate_blank_target(target_url: str) -> bool:
    """Run the migrations on a target that has no tables at all; returns whether it did."""
    engine = create_engine(target_url)
    try:
        with engine.connect() as connection:
            if inspect(connection).get_table_names():
                return False
    finally:
        engine.dispose()
    from flask_migrate import upgrade

    from . import create_app  # here, not at the top: the app package imports the CLI, which imports us

    overrides = {key: current_app.config[key] for key in ("MODE", "SECRET_KEY")}
    target_app = create_app({**overrides, "DATABASE_URL": target_url}, instance_path=current_app.instance_path)
    with target_app.app_context():
        try:
            upgrade()
        finally:
            db.session.remove()
            db.engine.dispose()
    return True


@click.command("db-copy")
@click.argument("target")
@click.option("--from", "source", default=None, help="Basis data sumber (bawaan: basis data aplikasi ini).")
@click.option(
    "--batch", default=BATCH_ROWS, show_default=True, type=click.IntRange(1, 100_000), help="Baris per kiriman."
)
@with_appcontext
def db_copy_command(target: str, source: str | None, batch: int):
    """Copy the whole database into an empty one, e.g. SQLite to PostgreSQL (stop the app first)."""
    source_url = normalise_url(source) if source else db.engine.url.render_as_string(hide_password=False)
    target_url = normalise_url(target)
    click.echo(f"Sumber: {_shown(make_url(source_url))}")
    click.echo(f"Tujuan: {_shown(make_url(target_url))}")
    try:
        if _migrate_blank_target(target_url):
            click.echo("Tujuan masih kosong tanpa tabel: skema dibuat dengan migrasi.")
        result = copy_database(
            source_url,
            target_url,
            f"cli:{getpass.getuser()}",
            batch=batch,
            progress=lambda name, rows: click.echo(f"  {name}: {rows} baris"),
        )
    except CopyError as err:
        raise click.ClickException(str(err)) from err
    except DBAPIError as err:
        # A value the target refuses (a text longer than its column, a NUL byte …): nothing was written.
        reason = str(err.orig or err).strip().splitlines()[0]
        raise click.ClickException(f"Penyalinan gagal, tujuan tidak diubah: {reason}") from err
    width = max(len(name) for name in result.counts)
    click.echo(f"\n{'tabel':<{width}}  {'sumber':>9}  {'tujuan':>9}")
    for name, (left, right) in result.counts.items():
        click.echo(f"{name:<{width}}  {left:>9}  {right:>9}  {'sama' if left == right else 'BERBEDA'}")
    click.echo(
        f"\nSelesai: {result.total} baris dari {len(result.counts)} tabel dalam {result.seconds:.1f} detik; "
        "satu catatan audit untuk penyalinan ini ditambahkan di tujuan."
    )
    click.echo(
        "Arahkan DATABASE_URL (instance/config.py atau WASPADA_DATABASE_URL) ke basis data tujuan, "
        "lalu jalankan lagi aplikasinya."
    )
