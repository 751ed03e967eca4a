"""sqlmap over the live app: one job per route and method, every listed parameter, then the control."""

import re
import subprocess
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from . import control
from .findings import Finding, normalise
from .targets import EXEMPT, NEVER_ATTACKED, TARGETS, Target

# The options of every run. --level 3 / --risk 2 as quality.md S9 asks; --dbms because the scan instance is
# SQLite (payloads for other engines could not work there and would triple the time); a request without an answer is
# retried three times (on two cores shared with other work, the first requests of a run once waited 40 s
# and their jobs ended unscanned, reported as incomplete).
SQLMAP_OPTIONS = (
    "--batch",
    "--level=3",
    "--risk=2",
    "--timeout=20",
    "--retries=3",
    "--disable-coloring",
    # After a vulnerable parameter, --batch would stop: go on, so every finding of a run is listed.
    "--answers=keep testing the others=Y",
    # A form's answer is judged as sent (the 302 of an accepted form, or the form again with its errors):
    # following each redirect would double the requests and fetch lists that grow with every accepted post.
    "--ignore-redirects",
)
# Boolean-based blind, error-based, time-based and inline queries: B E T Q. Left out by default, to keep
# `make scan` near half an hour on two cores: stacked queries (S, 14 % of the requests), which Python's
# sqlite3 can never run (it refuses a second statement), and UNION (U, 22 %), whose injection points in a
# WHERE or ORDER BY are boolean-blind ones too. `--technique BEUSTQ` runs all six.
TECHNIQUES = "BETQ"
# The sqlmap processes running now, so an interrupted scan can end them.
RUNNING: set = set()
# URL arguments that are words, not ids, and the values the scan gives them.
WORD_ARGS = {"kind": "csv", "fmt": "json", "ext": "csv", "action": "salin"}
# Put in a word argument's place, then turned into sqlmap's injection marker "*".
MARK = "PINDAIMARK"
VULNERABLE = re.compile(r"(GET|POST|URI|\(custom\) POST) parameter '([^']+)' is vulnerable")
CLEAN = "do not appear to be injectable"


@dataclass
class Job:
    """One sqlmap run: a request and the parameters sqlmap may change."""

    name: str
    endpoint: str
    method: str
    user: str
    path: str
    query: dict
    form: dict
    params: list
    last: bool = False
    uri_marker: bool = False
    refresh: str = ""
    one_shot: bool = False


@dataclass
class Outcome:
    """What one run said."""

    job: Job
    vulnerable: list
    complete: bool
    seconds: float
    base_status: int | None
    log: Path


def check_table(app: Flask) -> list[str]:
    """Problems of the target table against `app.url_map`: routes without a row, rows without a route."""
    routes = {
        (rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    routes.discard((control.ENDPOINT, "GET"))
    problems = [f"route without a scan target: {key}" for key in sorted(routes - set(TARGETS) - set(EXEMPT))]
    problems += [f"scan target for a route that does not exist: {key}" for key in sorted(set(TARGETS) - routes)]
    problems += [f"listed as target and as exempt: {key}" for key in sorted(set(TARGETS) & set(EXEMPT))]
    return problems


def _fill(mapping: dict, values: dict) -> dict:
    """Keys and values with their {placeholders} filled."""
    return {key.format(**values): str(value).format(**values) for key, value in mapping.items()}


def _url_args(rule, target: Target, values: dict) -> dict:
    """Each URL argument of the rule: a fixture id (or the target's chosen one) or a word."""
    args = {}
    for name in rule.arguments:
        source = target.args.get(name, name)
        if source in values:
            args[name] = values[source]
        elif name in WORD_ARGS:
            args[name] = WORD_ARGS[name]
        else:
            raise KeyError(f"no sample value for URL argument {name!r} of {rule.endpoint}")
    return args


def jobs(app: Flask, values: dict) -> list[Job]:
    """The sqlmap jobs of every target: its parameters, and each word-like URL argument on its own."""
    made = []
    for (endpoint, method), target in sorted(TARGETS.items()):
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods)
        args = _url_args(rule, target, values)
        with app.test_request_context():
            path = app.url_for(endpoint, **args)
        query, form = _fill(target.query, values), _fill(target.form, values)
        name = f"{endpoint} {method}"
        params = list(dict.fromkeys([*query, *form]))
        if params:
            job = Job(name, endpoint, method, target.user, path, query, form, params, target.last)
            job.refresh, job.one_shot = target.refresh, target.one_shot
            made.append(job)
        for arg, converter in rule._converters.items():
            if not isinstance(converter, IntegerConverter):
                # A word in the path (a region code, a file type): marked for sqlmap with "*".
                with app.test_request_context():
                    marked = app.url_for(endpoint, **{**args, arg: f"{args[arg]}{MARK}"}).replace(MARK, "*")
                made.append(
                    Job(f"{name} <{arg}>", endpoint, method, target.user, marked, query, form, [arg], target.last, True)
                )
    return made


def control_job() -> Job:
    """The deliberately injectable page, as admin."""
    return Job(
        "positive control",
        control.ENDPOINT,
        "GET",
        "admin",
        control.PATH,
        {control.PARAMETER: "1"},
        {},
        [control.PARAMETER],
    )


def command(tool: Path, base: str, job: Job, cookie: str, token: str, out: Path, techniques: str) -> list[str]:
    """The sqlmap command line of a job."""
    url = base + job.path
    if job.query:
        url += "?" + urllib.parse.urlencode(job.query)
    argv = [str(tool), "-u", url, "--cookie", cookie, "--dbms=SQLite", f"--output-dir={out}", *SQLMAP_OPTIONS]
    argv.append(f"--technique={techniques}")
    if job.method == "POST":
        argv += ["--data", urllib.parse.urlencode({**job.form, "csrf_token": token})]
    if not job.uri_marker:
        # -p: only these; never the cookie (a changed cookie logs the scan out) nor the CSRF token.
        argv += ["-p", ",".join(p for p in job.params if p != job.refresh)]
    if job.refresh:
        argv += ["--csrf-token", job.refresh, "--csrf-url", page_url(base, job)]
    return argv


def page_url(base: str, job: Job) -> str:
    """The form's own page (the GET of the same address), where a fresh version is read."""
    return base + job.path.replace("*", "") + ("?" + urllib.parse.urlencode(job.query) if job.query else "")


def slug(job: Job) -> str:
    """The job's name as a file name: its output folder and log."""
    return re.sub(r"[^a-z0-9]+", "-", job.name.lower()).strip("-")


def run(
    tool: Path, base: str, job: Job, cookie: str, token: str, work: Path, limit_s: int, techniques: str = TECHNIQUES
) -> Outcome:
    """Run sqlmap on one job and read its verdict from the output (sqlmap exits 0 either way)."""
    out = work / slug(job)
    log = work / f"{slug(job)}.log"
    started = time.monotonic()
    with open(log, "w") as fh:
        process = subprocess.Popen(
            command(tool, base, job, cookie, token, out, techniques),
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={"TERM": "dumb", "PATH": "/usr/bin:/bin"},
        )
        RUNNING.add(process)
        try:
            process.wait(timeout=limit_s)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            stop(process)
    vulnerable, finished = verdict(log.read_text(errors="replace"))
    return Outcome(job, vulnerable, finished and not timed_out, time.monotonic() - started, None, log)


def stop(process: subprocess.Popen) -> None:
    """End a sqlmap process (if it still runs) and forget it."""
    if process.poll() is None:
        process.kill()
        process.wait()
    RUNNING.discard(process)


def verdict(output: str) -> tuple[list[str], bool]:
    """The parameters sqlmap found injectable, and whether it reached a verdict at all."""
    vulnerable = sorted({m.group(2) for m in VULNERABLE.finditer(output)})
    return vulnerable, bool(vulnerable) or CLEAN in output


def retried(outcomes: list[Outcome], again) -> list[Outcome]:
    """Each outcome, or for a run that reached no verdict, that of running it once more (`again(job)`).

    A run can end without a verdict for reasons outside the app: once in five scans on two busy cores, sqlmap
    waited 20 s on a connection gunicorn had closed and then gave up on reading the form's token. A second
    run that reaches a verdict has scanned every parameter; one that does not stays incomplete (a finding).
    """
    return [o if o.complete or o.job.one_shot else again(o.job) for o in outcomes]


def findings(outcomes: list[Outcome]) -> list[Finding]:
    """An injectable parameter is a finding; so is a run that did not finish (nothing was proven)."""
    found = []
    for outcome in outcomes:
        if outcome.job.one_shot:
            continue
        where = outcome.job.name
        found += [Finding("sqlmap", "injectable", f"{where} {p}") for p in outcome.vulnerable]
        if not outcome.complete:
            found.append(Finding("sqlmap", "incomplete", where, f"see {outcome.log}"))
    return found


def coverage(records: list[dict], targets: dict = TARGETS) -> list[Finding]:
    """Compare what the views read (the recorder's log) with the table: unlisted and unreached names."""
    read: dict = {}
    for record in records:
        key = (record["endpoint"], record["method"])
        read.setdefault(key, set()).update((source, normalise(name)) for source, name in record["reads"])
    problems = []
    for key, target in sorted(targets.items()):
        listed = {("query", normalise(n)) for n in target.query} | {("form", normalise(n)) for n in target.form}
        listed |= {("form", normalise(n)) for n in target.files}
        quiet = {tuple(n.split(":", 1)) for n in target.optional}
        seen = read.get(key, set())
        where = f"{key[0]} {key[1]}"
        for source, name in sorted(seen - listed - quiet - NEVER_ATTACKED):
            problems.append(Finding("table", "unlisted", f"{where} {source}:{name}", "read by the view, not attacked"))
        for source, name in sorted(listed - seen - quiet):
            problems.append(Finding("table", "unreached", f"{where} {source}:{name}", "listed, never read"))
    return problems


def server_errors(records: list[dict]) -> list[Finding]:
    """A 5xx during the scan is a crash on odd input (quality S8): one finding per route."""
    counts: dict = {}
    for record in records:
        if record["status"] >= 500 and record["endpoint"] != control.ENDPOINT:
            key = f"{record['endpoint']} {record['method']}"
            counts[key] = counts.get(key, 0) + 1
    return [Finding("server", "5xx", key, f"{n} responses") for key, n in sorted(counts.items())]
