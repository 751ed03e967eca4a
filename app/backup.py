"""Backups that are consistent while the app keeps writing, and restores that check before they replace.

SQLite: `VACUUM INTO` a temporary file (a transactionally consistent copy made by SQLite itself, readers
and writers carry on), `PRAGMA quick_check` on the copy, then an atomic rename to the final name.
PostgreSQL: `pg_dump --format=custom` into a temporary file, `pg_restore --list` to prove it readable,
then the rename. A half-written backup never carries a final name.
"""

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

PREFIX = "waspada-"
SQLITE_SUFFIX = ".sqlite"
POSTGRES_SUFFIX = ".dump"


class BackupError(RuntimeError):
    """A backup or restore could not be made safely; nothing was replaced."""


@dataclass(frozen=True)
class BackupResult:
    """Where the backup went and how big it is."""

    path: Path
    size: int
    removed: list[Path]


def _libpq_url(url: URL) -> str:
    """The URL as pg_dump / pg_restore read it (no SQLAlchemy driver suffix)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def quick_check(path: Path) -> str:
    """SQLite's quick_check of a database file ('ok' when sound)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        connection.close()


def make_backup(database_url: str, directory: Path, now: datetime, keep: int | None = None) -> BackupResult:
    """Write a checked backup into `directory`; with `keep`, delete the oldest beyond that many."""
    url = make_url(database_url)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    if url.get_backend_name() == "sqlite":
        final = directory / f"{PREFIX}{stamp}{SQLITE_SUFFIX}"
        temporary = final.with_name(final.name + ".tmp")
        temporary.unlink(missing_ok=True)
        source = sqlite3.connect(url.database)
        try:
            source.execute("VACUUM INTO ?", (str(temporary),))
        finally:
            source.close()
        verdict = quick_check(temporary)
        if verdict != "ok":
            temporary.unlink(missing_ok=True)
            raise BackupError(f"Salinan tidak lolos pemeriksaan SQLite: {verdict}")
    elif url.get_backend_name() == "postgresql":
        final = directory / f"{PREFIX}{stamp}{POSTGRES_SUFFIX}"
        temporary = final.with_name(final.name + ".tmp")
        target = _libpq_url(url)
        done = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={temporary}", target],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            temporary.unlink(missing_ok=True)
            raise BackupError(f"pg_dump gagal: {done.stderr.strip()[:300]}")
        listed = subprocess.run(["pg_restore", "--list", str(temporary)], capture_output=True, text=True)
        if listed.returncode != 0:
            temporary.unlink(missing_ok=True)
            raise BackupError(f"Salinan tidak terbaca pg_restore: {listed.stderr.strip()[:300]}")
    else:
        raise BackupError(f"Basis data {url.get_backend_name()} tidak didukung.")
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, final)
    os.chmod(final, 0o600)
    removed = _rotate(directory, final.suffix, keep) if keep else []
    return BackupResult(final, final.stat().st_size, removed)


def _rotate(directory: Path, suffix: str, keep: int) -> list[Path]:
    """Delete the oldest backups (by their timestamped names) beyond `keep`."""
    backups = sorted(directory.glob(f"{PREFIX}*{suffix}"))
    old = backups[:-keep] if len(backups) > keep else []
    for path in old:
        path.unlink()
    return old


def restore_backup(database_url: str, backup: Path) -> None:
    """Replace the database with a backup (the app must be stopped). The backup is checked first."""
    url = make_url(database_url)
    if not backup.is_file():
        raise BackupError(f"Berkas {backup} tidak ada.")
    if url.get_backend_name() == "sqlite":
        verdict = quick_check(backup)
        if verdict != "ok":
            raise BackupError(f"Cadangan tidak lolos pemeriksaan SQLite: {verdict}")
        live = Path(url.database)
        staged = live.with_name(live.name + ".restore")
        shutil.copyfile(backup, staged)
        with open(staged, "rb") as handle:
            os.fsync(handle.fileno())
        for leftover in (live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
            leftover.unlink(missing_ok=True)
        os.replace(staged, live)
    elif url.get_backend_name() == "postgresql":
        done = subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq_url(url)}",
                str(backup),
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore gagal: {done.stderr.strip()[:300]}")
    else:
        raise BackupError(f"Basis data {url.get_backend_name()} tidak didukung.")
