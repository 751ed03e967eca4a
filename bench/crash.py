"""Crash safety (quality R4): kill -9 a gunicorn worker during writes, 50 times, then check the database.

Usage: .venv/bin/python bench/crash.py [ROUNDS] [--db postgresql] [--preload]
(also `make crash`, `make crash DB=postgresql PRELOAD=1`; PostgreSQL runs in a throwaway database).
Four operators keep adding incidents to their regency's report while a random worker is killed with
SIGKILL every few tenths of a second (gunicorn starts a new one). Afterwards the database must check sound
(SQLite's integrity_check, or amcheck over every PostgreSQL B-tree index), every incident whose request was
answered 200 must be there, and every stored incident must have its audit row (nothing half-done).
After each kill the next one waits until a write has gone through again, so writes are in flight at every
kill, and there must be at least one acknowledged write per kill. With --preload every replacement worker
is forked from a master that holds a database connection, so each of the 50 new workers must drop it
(gunicorn.conf.py's post_fork). Exits 1 when a check fails.
"""

import argparse
import http.client
import multiprocessing
import os
import random
import signal
import sys
import time
import urllib.error
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import database  # noqa: E402
from live import REGENCIES, Client, item_form, prepare, start_gunicorn, stop, worker_pids  # noqa: E402

FAILURES = (OSError, http.client.HTTPException, urllib.error.URLError)


def writer(base: str, number: int, report_id: int, day: date, stop_flag, acknowledged) -> None:
    """Add incidents until told to stop; record the titles the server confirmed."""
    client = None
    n = 0
    while not stop_flag.is_set():
        n += 1
        title = f"Kejadian w{number}n{n}"
        try:
            if client is None:
                client = Client(base, f"stres{REGENCIES[number].replace('.', '')}x0")
            status, _ = client.post(f"/laporan/{report_id}/kejadian", item_form(title, day), timeout=10)
        except FAILURES:
            # The worker died mid-request. The session lives in the cookie and the database, not in the
            # worker, so the next request (a user pressing again) goes out with the same log-in.
            continue
        if status == 200:
            acknowledged.append(title)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rounds", nargs="?", type=int, default=50)
    parser.add_argument("--db", choices=database.KINDS, default="sqlite", help="SQLite file or a throwaway PostgreSQL")
    parser.add_argument("--preload", action="store_true", help="gunicorn --preload, master connected before fork")
    args = parser.parse_args()
    with database.throwaway(args.db) as database_url:
        return run(args.rounds, args.db, args.preload, database_url)


def run(rounds: int, kind: str, preload: bool, database_url: str | None) -> int:
    """Write, kill workers, then check the database."""
    instance, env, report_ids = prepare(1, database_url)
    url = database.app_url(instance, database_url)
    day = date.fromisoformat(
        str(database.rows(url, "SELECT report_date FROM daily_reports WHERE id = :id", id=report_ids[0])[0][0])
    )
    config = "bench/gunicorn_preload.py" if preload else "gunicorn.conf.py"
    log = instance / "gunicorn.log"
    server, base = start_gunicorn(env, workers=3, log=log, config=config)
    manager = multiprocessing.Manager()
    acknowledged = manager.list()
    stop_flag = manager.Event()
    writers = [
        multiprocessing.Process(target=writer, args=(base, n, report_ids[n], day, stop_flag, acknowledged))
        for n in range(len(REGENCIES))
    ]
    for process in writers:
        process.start()
    kills = 0
    rng = random.Random(4)
    try:
        time.sleep(1.0)
        while kills < rounds:
            workers = worker_pids(server.pid)
            if len(workers) < 3:  # wait for gunicorn to replace the last one
                time.sleep(0.05)
                continue
            try:
                os.kill(rng.choice(workers), signal.SIGKILL)
                kills += 1
            except ProcessLookupError:
                pass
            # Until the replacement has booted and a write went through again, a kill would hit a worker
            # that serves nothing yet (on a busy machine the whole run would then see no writes at all).
            before, deadline = len(acknowledged), time.monotonic() + 20
            while len(acknowledged) == before and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(rng.uniform(0.1, 0.4))
        time.sleep(1.0)
    finally:
        stop_flag.set()
        for process in writers:
            process.join(timeout=30)
        stop(server)
    integrity = database.integrity(url)
    stored = {row[0] for row in database.rows(url, "SELECT title FROM report_items")}
    unaudited = database.rows(
        url,
        "SELECT count(*) FROM report_items WHERE CAST(id AS TEXT) NOT IN "
        "(SELECT CAST(entity_id AS TEXT) FROM audit_log WHERE entity = 'report_items')",
    )[0][0]
    # A killed worker leaves no trace but its death; errors of the living ones (a shared connection) do.
    tracebacks = log.read_text(errors="replace").count("Traceback")
    missing = [title for title in acknowledged if title not in stored]
    label = "SQLite" if kind == "sqlite" else "PostgreSQL"
    print(f"worker kills (SIGKILL) during writes: {kills} ({label}{', --preload' if preload else ''})")
    print(
        f"acknowledged incidents: {len(acknowledged)}; stored: {len(stored)}; "
        f"acknowledged but missing: {len(missing)}; stored without audit row: {unaudited}"
    )
    print(f"integrity: {integrity}; tracebacks in the server log: {tracebacks}")
    # At least one acknowledged write per kill, or the kills did not happen during writes.
    failed = not integrity.startswith("ok") or missing or unaudited or len(acknowledged) < kills or tracebacks
    print("RESULT:", "FAIL" if failed else "ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
