"""Backup time per 100 MB (quality R5): `flask backup` on a database of a few hundred MB, SQLite and PostgreSQL.

Usage: .venv/bin/python bench/backup.py [--size-mb 300] [--db sqlite|postgresql|both] [--repeat 3]
(also `make bench-backup`). A throwaway instance is filled with report items of realistic length (a
generated vocabulary of a few thousand words, Zipf distributed, so the full-text index and pg_dump's
compression see text like the real thing) written straight with SQL; the search triggers index them as
usual. `flask backup` then runs --repeat times (SQLite: VACUUM INTO + quick_check + rename; PostgreSQL:
pg_dump --format=custom + pg_restore --list + rename) and the median is printed per 100 MB of database.
For PostgreSQL the same data is first moved with `flask db-copy`, which is timed too.
"""

import argparse
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import database  # noqa: E402
from live import BIN, ROOT, environment  # noqa: E402

# Open syllables of Indonesian, and a few closed ones, make words that look and tokenize like the real thing.
SYLLABLES = [c + v for c in "bcdghjklmnprstwy" for v in "aeiou"] + ["ang", "an", "ar", "ung", "in", "ik", "at", "us"]
ITEMS_PER_REPORT = 4
REPORTED = re.compile(r"\(([\d.]+) MB, ([\d.]+) detik\)")


def vocabulary(rng: random.Random, size: int = 4000) -> tuple[list[str], list[float]]:
    """Made-up words of two to four syllables and Zipf weights for them."""
    words = sorted({"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(size * 2)})[:size]
    rng.shuffle(words)
    return words, [1 / rank for rank in range(1, len(words) + 1)]


def fill_sqlite(path: Path, size_mb: int) -> int:
    """Add daily reports and items until the file is about `size_mb`; returns the number of items."""
    rng = random.Random(7)
    words, weights = vocabulary(rng)

    def text(count: int) -> str:
        return " ".join(rng.choices(words, weights, k=count))

    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")  # a throwaway load: speed over durability
    regencies = [row[0] for row in connection.execute("SELECT id FROM regions WHERE kind IN ('kabupaten', 'kota')")]
    stamp = datetime(2026, 1, 1, 2, 0, tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.000000")
    day, items = date(2020, 1, 1), 0
    while path.stat().st_size < size_mb * 1_000_000:
        with connection:
            for _ in range(20):
                for region_id in regencies:
                    report_id = connection.execute(
                        "INSERT INTO daily_reports (region_id, report_date, status, nihil, situation_level, summary, "
                        "classification, created_at, updated_at, late, revision, version) "
                        "VALUES (?, ?, 'verified', 0, 2, ?, 'biasa', ?, ?, 0, 1, 1)",
                        (region_id, day.isoformat(), text(30), stamp, stamp),
                    ).lastrowid
                    connection.executemany(
                        "INSERT INTO report_items (report_id, position, created_at, updated_at, version, aspect, "
                        "title, what, occurred_date, actors, analysis, prediction, steps_taken, recommendation, "
                        "threat_level) VALUES (?, ?, ?, ?, 1, 'politik', ?, ?, ?, ?, ?, ?, ?, ?, 'sedang')",
                        [
                            (report_id, n, stamp, stamp, text(8), text(180), day.isoformat(), text(10), text(90))
                            + (text(40), text(30), text(30))
                            for n in range(1, ITEMS_PER_REPORT + 1)
                        ],
                    )
                    items += ITEMS_PER_REPORT
                day += timedelta(days=1)
    connection.close()
    return items


def flask(env: dict, *args: str) -> tuple[str, float]:
    """Run a flask command; returns its output and wall-clock seconds."""
    started = time.perf_counter()
    done = subprocess.run([BIN / "flask", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout, seconds


def time_backups(env: dict, folder: Path, repeat: int) -> list[tuple[float, float]]:
    """(backup MB, seconds reported by `flask backup`) of each run; each backup is removed before the next."""
    runs = []
    for n in range(repeat):
        target = folder / f"run{n}"
        output, _ = flask(env, "backup", "--dir", str(target))
        found = REPORTED.search(output)
        runs.append((float(found.group(1)), float(found.group(2))))
        shutil.rmtree(target)
    return runs


def report(label: str, database_mb: float, runs: list[tuple[float, float]]) -> None:
    """Print the runs and the median seconds per 100 MB of database."""
    seconds = statistics.median(s for _, s in runs)
    backup_mb = statistics.median(mb for mb, _ in runs)
    print(
        f"{label}: database {database_mb:.0f} MB, backup {backup_mb:.0f} MB; flask backup "
        f"{', '.join(f'{s:.1f}' for _, s in runs)} s → median {seconds:.1f} s = "
        f"{seconds / database_mb * 100:.2f} s per 100 MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=300)
    parser.add_argument("--db", choices=(*database.KINDS, "both"), default="both")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="waspada-backup-"))
    try:
        env = environment(instance, mode="production")
        flask(env, "init-db")
        started = time.perf_counter()
        items = fill_sqlite(instance / "waspada.sqlite", args.size_mb)
        sqlite_mb = (instance / "waspada.sqlite").stat().st_size / 1_000_000
        print(f"filled: {items} report items, {sqlite_mb:.0f} MB of SQLite in {time.perf_counter() - started:.0f} s")
        if args.db in ("sqlite", "both"):
            report("SQLite (VACUUM INTO + quick_check)", sqlite_mb, time_backups(env, instance, args.repeat))
        if args.db in ("postgresql", "both"):
            with database.throwaway("postgresql") as url:
                output, seconds = flask(env, "db-copy", url)
                rows = re.search(r"Selesai: (\d+) baris", output).group(1)
                print(f"flask db-copy SQLite → PostgreSQL: {rows} rows in {seconds:.1f} s")
                size = database.rows(url, "SELECT pg_database_size(current_database())")[0][0] / 1_000_000
                pg_env = environment(instance, url, mode="production")
                report(
                    "PostgreSQL (pg_dump -Fc + pg_restore --list)", size, time_backups(pg_env, instance, args.repeat)
                )
    finally:
        shutil.rmtree(instance, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
