"""Concurrency (quality R2): 16 clients × 100 writes through 3 gunicorn workers on SQLite.

Usage: .venv/bin/python bench/stress.py [CLIENTS] [WRITES]   (also `make stress`)
Four operators per regency share their regency's draft report of today: every client alternates a
version-checked header save (the autosave) and adding an incident. A save with an old version must get
409 and change nothing; every accepted write must be in the database afterwards; no request may fail with
"database is locked" or a 5xx. Prints the counts and latencies and exits 1 when a check fails.
"""

import multiprocessing
import sqlite3
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live import REGENCIES, Client, item_form, page_version, prepare, start_gunicorn, stop  # noqa: E402

MAX_LATENCY_S = 2.0


def run_client(args) -> list[tuple]:
    """One operator's writes: (kind, status, seconds, marker)."""
    base, number, report_id, writes, day = args
    regency = REGENCIES[number % len(REGENCIES)].replace(".", "")
    client = Client(base, f"stres{regency}x{number // len(REGENCIES)}")
    current = page_version(client.get(f"/laporan/{report_id}")[1]) or "1"
    results = []
    for i in range(writes):
        marker = f"k{number}w{i}"
        started = time.perf_counter()
        if i % 2 == 0:
            data = {
                "situation_level": "2",
                "summary": f"Ringkasan {marker}",
                "classification": "biasa",
                "version": current,
            }
            status, body = client.post(f"/laporan/{report_id}/ringkasan", data)
            current = page_version(body) or current
            if status == 409:  # someone saved in between: reload, as the page tells the user to
                current = page_version(client.get(f"/laporan/{report_id}")[1]) or current
            kind = "header"
        else:
            status, body = client.post(f"/laporan/{report_id}/kejadian", item_form(f"Kejadian {marker}", day))
            kind = "item"
        results.append((kind, status, time.perf_counter() - started, marker, "database is locked" in body))
    return results


def main() -> int:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    writes = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    instance, env, report_ids = prepare(operators_per_regency=(clients + len(REGENCIES) - 1) // len(REGENCIES))
    log = instance / "gunicorn.log"
    server, base = start_gunicorn(env, workers=3, log=log)
    with sqlite3.connect(instance / "waspada.sqlite") as probe:  # the regency's own date of the report
        row = probe.execute("SELECT report_date FROM daily_reports WHERE id = ?", (report_ids[0],)).fetchone()
    day = date.fromisoformat(row[0])
    try:
        jobs = [(base, n, report_ids[n % len(REGENCIES)], writes, day) for n in range(clients)]
        started = time.perf_counter()
        with multiprocessing.Pool(clients) as pool:
            results = [row for rows in pool.map(run_client, jobs) for row in rows]
        elapsed = time.perf_counter() - started
    finally:
        stop(server)
    locked_log = log.read_text(errors="replace").count("database is locked")
    db = sqlite3.connect(instance / "waspada.sqlite")
    items = {row[0] for row in db.execute("SELECT title FROM report_items")}
    changes = db.execute("SELECT changes FROM audit_log WHERE entity = 'daily_reports'")
    audited = "\n".join(row[0] or "" for row in changes)
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    db.close()

    statuses = [status for _, status, _, _, _ in results]
    latencies = [seconds for _, _, seconds, _, _ in results]
    accepted_items = [m for kind, status, _, m, _ in results if kind == "item" and status == 200]
    accepted_saves = [m for kind, status, _, m, _ in results if kind == "header" and status == 200]
    lost_items = [m for m in accepted_items if f"Kejadian {m}" not in items]
    lost_saves = [m for m in accepted_saves if f"Ringkasan {m}" not in audited]
    conflicts = statuses.count(409)
    errors = [s for s in statuses if s >= 500 or s not in (200, 409)]
    locked = sum(1 for *_, flag in results if flag) + locked_log
    print(f"clients: {clients} × {writes} writes through 3 gunicorn workers (SQLite), {elapsed:.1f} s")
    print(
        f"writes: {len(results)}; accepted: {len(accepted_items) + len(accepted_saves)} "
        f"({len(accepted_items)} incidents, {len(accepted_saves)} autosaves); 409 stale: {conflicts}"
    )
    print(f"other statuses: {sorted(set(errors)) or 'none'}; 'database is locked': {locked}")
    print(f"lost accepted writes: {len(lost_items) + len(lost_saves)}; integrity_check: {integrity}")
    p95 = statistics.quantiles(latencies, n=20)[18]
    print(
        f"latency: median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms; throughput {len(results) / elapsed:.0f} writes/s"
    )
    failed = errors or locked or lost_items or lost_saves or integrity != "ok" or max(latencies) > MAX_LATENCY_S
    print("RESULT:", "FAIL" if failed else "ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
