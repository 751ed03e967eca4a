"""`make scan` (quality S9): semgrep with the repo's rules, bandit -ll, and sqlmap over every parameter.

Usage: .venv/bin/python -m scan.run [--jobs N] [--technique BETQ] [--limit S] [--only TEXT] [--keep]
The tools live in their own virtualenv (.venv/scan, from requirements-scan.txt). sqlmap attacks a
throwaway instance with the demo data, served by gunicorn on loopback with the positive control and the
parameter recorder (scan/wsgi.py). Prints a summary per tool and exits 1 on a finding not listed in
scan/accepted.toml, on a blind scanner (the control not found), or on a gap in the target table.
"""

import argparse
import dataclasses
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from app import clock, create_app
from bench import live

from . import sqlscan, static
from .findings import Finding, load_accepted, split, table
from .fixtures import PASSWORD
from .targets import TARGETS, USERS

ROOT = Path(__file__).resolve().parents[1]

TOOLS = ROOT / ".venv" / "scan" / "bin"
ACCEPTED = ROOT / "scan" / "accepted.toml"
# Statuses that mean the base request never reached the view's work.
REFUSED = {400, 401, 403, 404, 405}
# Sent once in every parameter before sqlmap runs: a number past any id, a sign, letters, nothing. sqlmap's
# payloads are SQL; these find the crashes on odd input that quality S8 forbids (any 5xx is a finding).
EDGE_VALUES = ("99999999999999999999", "-1", "abc", "")


def prepare(work: Path) -> tuple[Path, dict, dict]:
    """A migrated instance with the demo data and the scan's fixtures; returns it, its env and the ids."""
    instance = work / "instance"
    instance.mkdir()
    # A cheap scrypt, as the tests use: thousands of log-in and password attempts hash each one.
    env = live.environment(instance, settings={"PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
    env["WASPADA_SCAN_LOG"] = str(work / "reads.jsonl")
    flask = live.BIN / "flask"
    for step in ([flask, "init-db"], [flask, "seed-demo", "--days", "7"], [live.BIN / "python", "-m", "scan.fixtures"]):
        done = subprocess.run(step, env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(map(str, step[-2:]))} failed:\n{done.stderr[-3000:]}")
    values = json.loads(done.stdout.strip().splitlines()[-1])
    today = clock.local_today("Asia/Makassar")  # Kalimantan Selatan, where the scan's accounts work
    values |= {
        "today": today.isoformat(),
        "month_ago": (today - timedelta(days=30)).isoformat(),
        "next_week": (today + timedelta(days=7)).isoformat(),
        "this_month": today.strftime("%Y-%m"),
    }
    return instance, env, values


def sessions(base: str, users: set) -> dict:
    """One logged-in client per user (one live session per account: every job of a user shares it)."""
    clients = {}
    for user in sorted(users):
        clients[user] = live.Client(base) if user == "anon" else live.Client(base, USERS[user], password=PASSWORD)
    return clients


def cookie_of(client) -> str:
    """The client's cookies as a Cookie header."""
    return "; ".join(f"{c.name}={c.value}" for c in client.jar)


def still_logged_in(base: str, client) -> bool:
    """An htmx request to the home page: 200 while the session lives, 401 once it is gone."""
    request = urllib.request.Request(base + "/", headers={"HX-Request": "true"})
    try:
        with client.opener.open(request, timeout=30) as response:
            return response.status == 200
    except urllib.error.HTTPError:
        return False


def base_request(client, job: sqlscan.Job) -> int:
    """Send the job's unchanged request once, as a browser would; its status."""
    path = job.path.replace("*", "")
    if job.query:
        path += "?" + urllib.parse.urlencode(job.query)
    if job.method == "GET":
        return client.get(path)[0]
    return client.post(path, job.form, htmx=False)[0]


def probe(client, job: sqlscan.Job) -> int:
    """Each parameter of the job with each edge value in turn (the recorder counts the 5xx); how many sent."""
    sent = 0
    for name in job.params:
        for value in EDGE_VALUES:
            place = "query" if name in job.query else "form"
            changed = dataclasses.replace(job, **{place: {**getattr(job, place), name: value}})
            base_request(client, changed)
            sent += 1
    return sent


def refreshed(client, job: sqlscan.Job) -> sqlscan.Job:
    """The job with the current value of its strictly checked field, read from the form page."""
    if not job.refresh:
        return job
    page = client.get(sqlscan.page_url("", job))[1]
    found = re.search(rf'name="{job.refresh}"[^>]*value="([^"]*)"', page)
    return dataclasses.replace(job, form={**job.form, job.refresh: found.group(1) if found else ""})


def attack(base: str, clients: dict, work: Path, options, job: sqlscan.Job, again: bool = False) -> sqlscan.Outcome:
    """The base request, then sqlmap with the user's current cookie and token (a one-shot job: the base only).

    `again`: the second run of a job whose first reached no verdict (its log is kept beside, as …-1.log).
    """
    client = clients[job.user]
    job = refreshed(client, job)
    status = base_request(client, job)
    if job.one_shot:
        print(f"  {job.name:55} {len(job.params):3} param  base {status}  sent once, not attacked", flush=True)
        return sqlscan.Outcome(job, [], True, 0.0, status, work / "none.log")
    job = refreshed(client, job)
    cookie, token = cookie_of(client), client.token
    if again:  # the first run's log and sqlmap session are kept apart, so the second starts afresh
        for first in (work / f"{sqlscan.slug(job)}.log", work / sqlscan.slug(job)):
            if first.exists():
                first.rename(first.with_name(first.name.replace(sqlscan.slug(job), f"{sqlscan.slug(job)}-1", 1)))
    outcome = sqlscan.run(TOOLS / "sqlmap", base, job, cookie, token, work, options.limit, options.technique)
    outcome.base_status = status
    verdict = ("clean" if outcome.complete else "INCOMPLETE") + (" (second run)" if again else "")
    if outcome.vulnerable:
        verdict = "INJECTABLE " + ",".join(outcome.vulnerable)
    print(f"  {job.name:55} {len(job.params):3} param  base {status}  {outcome.seconds:5.0f} s  {verdict}", flush=True)
    return outcome


def run_sqlmap(work: Path, options) -> tuple[dict, list[Finding]]:
    """The dynamic part: instance, gunicorn, every job, the control; returns figures and findings."""
    instance, env, values = prepare(work)
    app = create_app({"MODE": "development", "DATABASE_URL": None}, instance_path=str(instance))
    problems = sqlscan.check_table(app)
    if problems:
        return {}, [Finding("table", "route", p) for p in problems]
    jobs = sqlscan.jobs(app, values)
    if options.only:
        jobs = [j for j in jobs if any(part in j.name for part in options.only.split(","))]
    process, base = live.start_gunicorn(env, workers=3, log=work / "gunicorn.log", app="scan.wsgi:app")
    pool = ThreadPoolExecutor(options.jobs)
    try:
        clients = sessions(base, {j.user for j in jobs} | {"admin"})
        outcomes, probes = [], 0
        for phase in (False, True):  # targets that change shared state go last
            batch = [j for j in jobs if j.last == phase]
            done = list(pool.map(lambda j: attack(base, clients, work, options, j), batch))
            outcomes += sqlscan.retried(done, lambda j: attack(base, clients, work, options, j, again=True))
            if not phase:
                # Edge values after sqlmap (an accepted one creates a row, and the base request of a create form
                # must come first) and before the targets that change what others use.
                plain = [j for j in batch if not (j.one_shot or j.uri_marker)]
                probes = sum(pool.map(lambda j: probe(clients[j.user], j), plain))
                print(f"  edge values: {probes} requests in {len(plain)} runs", flush=True)
        control = attack(base, clients, work, options, sqlscan.control_job())
        lost = sorted(user for user, client in clients.items() if user != "anon" and not still_logged_in(base, client))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        for running in list(sqlscan.RUNNING):
            sqlscan.stop(running)
        live.stop(process)
    records = [json.loads(line) for line in (work / "reads.jsonl").read_text().splitlines()]
    scanned = {(j.endpoint, j.method) for j in jobs}
    findings = sqlscan.findings(outcomes) + sqlscan.server_errors(records)
    findings += sqlscan.coverage(records, {k: t for k, t in TARGETS.items() if k in scanned})
    findings += [Finding("sqlmap", "session-lost", user, "the scan's session ended during the run") for user in lost]
    refused = [o for o in outcomes if o.base_status in REFUSED]
    findings += [Finding("sqlmap", "refused", o.job.name, f"base request answered {o.base_status}") for o in refused]
    figures = {
        "jobs": sum(1 for j in jobs if not j.one_shot),
        "routes": len({(j.endpoint, j.method) for j in jobs if not j.one_shot}),
        "parameters": sum(len([p for p in j.params if p != j.refresh]) for j in jobs if not j.one_shot),
        "requests": sum(1 for r in records if r["endpoint"] != "scan_control"),
        "probes": probes,
        "control": control.vulnerable == ["id"],
        "files": sorted(f"{e} {m} {f}" for (e, m), t in TARGETS.items() for f in t.files),
        "one_shot": sorted(j.name for j in jobs if j.one_shot),
        "partial": bool(options.only),
        "slowest": sorted((r for r in records if r.get("ms") is not None), key=lambda r: -r["ms"])[:5],
    }
    return figures, findings


def main() -> int:
    """Run every tool, print the summary, and say whether the scan passed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=3, help="sqlmap runs at once (default 3)")
    parser.add_argument(
        "--only", help="only sqlmap jobs whose name contains one of these (comma-separated; a partial run never passes)"
    )
    parser.add_argument("--limit", type=int, default=900, help="seconds one sqlmap run may take (default 900)")
    parser.add_argument("--technique", default=sqlscan.TECHNIQUES, help="sqlmap techniques (default %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, instance) after a pass")
    options = parser.parse_args()
    missing = [tool for tool in ("sqlmap", "bandit", "semgrep") if not (TOOLS / tool).exists()]
    if missing:
        print(f"missing in {TOOLS}: {', '.join(missing)} (make scan installs them)")
        return 1
    accepted = load_accepted(ACCEPTED)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="waspada-scan-"))
    rows = [("tool", "scanned", "findings", "accepted", "new")]
    all_findings: list[Finding] = []

    rules_ok, rules_output = static.semgrep_rule_tests(TOOLS)
    print(f"semgrep rule tests: {'pass' if rules_ok else 'FAIL'}\n{rules_output if not rules_ok else ''}")
    sem, rules, files = static.semgrep(TOOLS)
    band, lines = static.bandit(TOOLS)
    print(f"static tools done in {time.monotonic() - started:.0f} s; sqlmap on the live app:", flush=True)
    figures, dynamic = run_sqlmap(work, options)

    server_scope = f"{figures.get('requests', 0)} requests ({figures.get('probes', 0)} edge values)"
    for tool, found, scanned in (
        ("semgrep", sem, f"{rules} rules, {files} files"),
        ("bandit", band, f"{lines} lines"),
        ("sqlmap", [f for f in dynamic if f.tool == "sqlmap"], _sqlmap_scope(figures)),
        ("server", [f for f in dynamic if f.tool == "server"], server_scope),
        ("table", [f for f in dynamic if f.tool == "table"], f"{len(TARGETS)} rows"),
    ):
        old, new, _ = split(found, accepted)
        rows.append((tool, scanned, len(found), len(old), len(new)))
        all_findings += found
    old, new, unused = split(all_findings, accepted)
    print("\n" + table(rows))
    for line in slowest(figures.get("slowest", [])):
        print(line)
    blind = not figures.get("control", False)
    print(f"\npositive control ({sqlscan.control.PATH}): {'BLIND, not found' if blind else 'found injectable'}")
    if figures.get("files"):
        print(f"not attacked (file uploads, sqlmap sends no files): {', '.join(figures['files'])}")
    if figures.get("one_shot"):
        print(f"sent once, not attacked (each deletes its object): {', '.join(figures['one_shot'])}")
    for entry in accepted:
        if entry not in unused:
            print(f"accepted: {entry.tool} {entry.rule} {entry.where} — {entry.reason}")
    for entry in unused:
        print(f"note: accepted entry matches nothing now: {entry.tool} {entry.rule} {entry.where}")
    for finding in new:
        print(f"NEW {finding.tool} {finding.rule} {finding.where} {finding.detail}")
    failed = bool(new) or blind or not rules_ok or figures.get("partial", False)
    elapsed = time.monotonic() - started
    verdict = "PARTIAL RUN (--only): not a pass" if figures.get("partial") else "FAIL" if failed else "pass"
    print(f"\nmake scan: {verdict} in {elapsed / 60:.1f} min" + (f"; logs in {work}" if failed else ""))
    if not failed and not options.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def slowest(records: list[dict]) -> list[str]:
    """The slowest answers of the run, to see whether odd input made a view slow (the time inside the view)."""
    if not records:
        return []
    lines = [f"\nslowest answers during the scan (time in the view): {records[0]['ms']:.0f} ms at most"]
    lines += [f"  {r['ms']:8.1f} ms  {r['endpoint']} {r['method']} {r['status']}" for r in records]
    return lines


def _sqlmap_scope(figures: dict) -> str:
    """Routes, runs and parameters attacked."""
    if not figures:
        return "not run"
    return f"{figures['routes']} routes, {figures['jobs']} runs, {figures['parameters']} params"


def _interrupted(_signum, _frame):
    """SIGTERM ends the scan like Ctrl+C: gunicorn and the sqlmap runs are stopped on the way out."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _interrupted)
    sys.exit(main())
