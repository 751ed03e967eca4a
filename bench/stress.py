"""Concurrency (quality R2, R6): 16 clients × 100 writes through 3 gunicorn workers on SQLite or PostgreSQL.

Usage: .venv/bin/python bench/stress.py [CLIENTS] [WRITES] [--db postgresql] [--preload]
(also `make stress`, `make stress DB=postgresql PRELOAD=1`; PostgreSQL runs in a throwaway database, see
bench/database.py). With --preload the master holds a database connection when it forks; on PostgreSQL
pg_stat_activity must then show that no worker used it and that every worker has connections of its own.
Four operators per regency share their regency's draft report of today: every client alternates a
version-checked header save (the autosave) and adding an incident. A save with an old version must get
409 and change nothing; every accepted write must be in the database afterwards; no request may fail with
"database is locked" or a 5xx. Prints the counts and latencies and exits 1 when a check fails.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import database  # noqa: E402
from live import REGENCIES, Client, item_form, page_version, prepare, start_gunicorn, stop, worker_pids  # noqa: E402

MAX_LATENCY_S = 2.0


def run_client(args) -> list[tuple]:
    """One operator's writes: (kind, status, seconds, marker)."""
    base, number, report_id, writes, day = args
    regency = REGENCIES[number % len(REGENCIES)].replace(".", "")
    try:
        client = Client(base, f"stres{regency}x{number // len(REGENCIES)}")
    except (RuntimeError, AttributeError) as err:  # a refused log-in, or a page without the form
        return [("login", 500, 0.0, str(err), False)]
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


def arguments() -> argparse.Namespace:
    """CLIENTS and WRITES as before, the database, and the --preload check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clients", nargs="?", type=int, default=16)
    parser.add_argument("writes", nargs="?", type=int, default=100)
    parser.add_argument("--db", choices=database.KINDS, default="sqlite", help="SQLite file or a throwaway PostgreSQL")
    parser.add_argument("--preload", action="store_true", help="gunicorn --preload, master connected before fork")
    parser.add_argument(
        "--no-dispose", action="store_true", help="positive control: skip the post_fork disposal (must FAIL)"
    )
    return parser.parse_args()


def main() -> int:
    args = arguments()
    if args.no_dispose:
        args.preload = True
        os.environ["BENCH_SKIP_DISPOSE"] = "1"
    with database.throwaway(args.db) as database_url:
        return run(args, database_url)


def run(args: argparse.Namespace, database_url: str | None) -> int:
    """Start gunicorn on the database, let the clients write, check what was accepted is there."""
    clients, writes = args.clients, args.writes
    instance, env, report_ids = prepare((clients + len(REGENCIES) - 1) // len(REGENCIES), database_url)
    url = database.app_url(instance, database_url)
    log = instance / "gunicorn.log"
    config = "bench/gunicorn_preload.py" if args.preload else "gunicorn.conf.py"
    server, base = start_gunicorn(env, workers=3, log=log, config=config)
    # the regency's own date of the report
    day = date.fromisoformat(
        str(database.rows(url, "SELECT report_date FROM daily_reports WHERE id = :id", id=report_ids[0])[0][0])
    )
    connections = None
    try:
        jobs = [(base, n, report_ids[n % len(REGENCIES)], writes, day) for n in range(clients)]
        run_start = database.server_now(url) if args.db == "postgresql" else None
        started = time.perf_counter()
        with multiprocessing.Pool(clients) as pool:
            results = [row for rows in pool.map(run_client, jobs) for row in rows]
        elapsed = time.perf_counter() - started
        if args.preload and args.db == "postgresql":
            connections = check_connections(url, worker_pids(server.pid), run_start)
    finally:
        stop(server)
    server_log = log.read_text(errors="replace")
    locked_log = server_log.count("database is locked")
    tracebacks = server_log.count("Traceback")
    items = {row[0] for row in database.rows(url, "SELECT title FROM report_items")}
    changes = database.rows(url, "SELECT CAST(changes AS TEXT) FROM audit_log WHERE entity = 'daily_reports'")
    audited = "\n".join(row[0] or "" for row in changes)
    integrity = database.integrity(url)

    statuses = [status for _, status, _, _, _ in results]
    latencies = [seconds for _, _, seconds, _, _ in results]
    accepted_items = [m for kind, status, _, m, _ in results if kind == "item" and status == 200]
    accepted_saves = [m for kind, status, _, m, _ in results if kind == "header" and status == 200]
    lost_items = [m for m in accepted_items if f"Kejadian {m}" not in items]
    lost_saves = [m for m in accepted_saves if f"Ringkasan {m}" not in audited]
    conflicts = statuses.count(409)
    errors = [s for s in statuses if s >= 500 or s not in (200, 409)]
    locked = sum(1 for *_, flag in results if flag) + locked_log
    label = "SQLite" if args.db == "sqlite" else "PostgreSQL"
    print(
        f"clients: {clients} × {writes} writes through 3 gunicorn workers ({label}"
        f"{', --preload' if args.preload else ''}{', NO post_fork disposal' if args.no_dispose else ''}), "
        f"{elapsed:.1f} s"
    )
    print(
        f"writes: {len(results)}; accepted: {len(accepted_items) + len(accepted_saves)} "
        f"({len(accepted_items)} incidents, {len(accepted_saves)} autosaves); 409 stale: {conflicts}"
    )
    print(f"other statuses: {sorted(set(errors)) or 'none'}; 'database is locked': {locked}")
    print(f"tracebacks in the server log: {tracebacks}")
    print(f"lost accepted writes: {len(lost_items) + len(lost_saves)}; integrity: {integrity}")
    p95 = statistics.quantiles(latencies, n=20)[18]
    print(
        f"latency: median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms; throughput {len(results) / elapsed:.0f} writes/s"
    )
    if connections is not None:
        print(f"connections after fork: {connections[1]}")
    failed = (
        errors
        or locked
        or tracebacks
        or lost_items
        or lost_saves
        or not integrity.startswith("ok")
        or max(latencies) > MAX_LATENCY_S
        or (connections is not None and not connections[0])
    )
    print("RESULT:", "FAIL" if failed else "ok")
    return 1 if failed else 0


def check_connections(url: str, workers: list[int], run_start) -> tuple[bool, str]:
    """With --preload: no statement ran on the master's pre-fork connection during the run, and every worker
    has connections of its own (named by its pid)."""
    seen = database.backends(url)
    master = [(query, at) for _, name, query, at in seen if name.startswith("waspada-master-")]
    owners = {int(name.rsplit("-", 1)[1]) for _, name, _, _ in seen if name.startswith("waspada-worker-")}
    untouched = len(master) == 1 and master[0][1] < run_start
    own = bool(workers) and owners == set(workers)
    if untouched:
        state = f"idle since before the run (last statement: {master[0][0]!r})"
    else:
        state = f"USED during the run or gone: {master}"
    summary = (
        f"{len(seen)} backends; the master's pre-fork connection {state}; "
        f"workers with connections of their own: {len(owners & set(workers))} of {len(workers)}"
    )
    return untouched and own, summary


if __name__ == "__main__":
    sys.exit(main())
