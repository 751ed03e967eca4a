"""Crash safety (quality R4): kill -9 a gunicorn worker during writes, 50 times, then check the database.

Usage: .venv/bin/python bench/crash.py [ROUNDS]   (also `make crash`)
Four operators keep adding incidents to their regency's report while a random worker is killed with
SIGKILL every few tenths of a second (gunicorn starts a new one). Afterwards SQLite's integrity_check must
be "ok", every incident whose request was answered 200 must be there, and every stored incident must have
its audit row (nothing half-done). Exits 1 when a check fails.
"""

import http.client
import multiprocessing
import os
import random
import signal
import sqlite3
import sys
import time
import urllib.error
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

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
            client = None  # the worker died mid-request: log in again, as a user would reload
            continue
        if status == 200:
            acknowledged.append(title)


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    instance, env, report_ids = prepare(operators_per_regency=1)
    with sqlite3.connect(instance / "waspada.sqlite") as probe:
        day = date.fromisoformat(
            probe.execute("SELECT report_date FROM daily_reports WHERE id = ?", (report_ids[0],)).fetchone()[0]
        )
    server, base = start_gunicorn(env, workers=3, log=instance / "gunicorn.log")
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
            time.sleep(rng.uniform(0.1, 0.4))
        time.sleep(1.0)
    finally:
        stop_flag.set()
        for process in writers:
            process.join(timeout=30)
        stop(server)
    db = sqlite3.connect(instance / "waspada.sqlite")
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    stored = {row[0] for row in db.execute("SELECT title FROM report_items")}
    unaudited = db.execute(
        "SELECT count(*) FROM report_items WHERE CAST(id AS TEXT) NOT IN "
        "(SELECT CAST(entity_id AS TEXT) FROM audit_log WHERE entity = 'report_items')"
    ).fetchone()[0]
    db.close()
    missing = [title for title in acknowledged if title not in stored]
    print(f"worker kills (SIGKILL) during writes: {kills}")
    print(
        f"acknowledged incidents: {len(acknowledged)}; stored: {len(stored)}; "
        f"acknowledged but missing: {len(missing)}; stored without audit row: {unaudited}"
    )
    print(f"integrity_check: {integrity}")
    failed = integrity != "ok" or missing or unaudited or not acknowledged
    print("RESULT:", "FAIL" if failed else "ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
