"""`make bench`, the pages (quality P1–P3, P5, P6, P8): wrk against gunicorn on a national data set.

Usage: .venv/bin/python bench/httpbench.py [--data DIR] [--duration 10s] [--warmup 3s] [--repeats 3]
(`make bench`; BENCH_DATA=/work/bench-data/national-1.0, BENCH_DURATION=20s … see docs/performance.md).

DIR is an instance folder holding waspada.sqlite (made by `make demo-national`). The harness migrates it
(`flask init-db`, so the current schema is measured), starts gunicorn with 3 workers in production mode on
loopback, logs in as a browser does, fetches every page once and writes the very body it got to
static/_bench/, where the same server serves it through Flask's static route: the floor. Then, for each
page, at 1 and 16 clients, wrk measures the page and its static copy back to back (gzip accepted, the
session cookie sent), `--repeats` times; the table shows the medians and the median of the per-repeat
ratios p95/floor p95, and judges the targets of docs/performance.md. A mixed run (60 % lists, 20 % details,
10 % ranking, 10 % writes) checks the throughput, and each worker's resident memory is read at the end.
The htmx save really changes an incident every time (and changes it back the next time, with the version
the app expects); the incidents are restored as they were afterwards. Every answer that is not a 200 is
counted, never taken for a fast success. Exits 1 when a target is missed or a request failed.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live import BIN, ROOT, Client, environment, free_port, worker_pids  # noqa: E402

DEMO_PASSWORD = "waspada-demo-2024"
DEFAULT_DATA = ROOT / "instance" / "national"
STATIC_DIR = ROOT / "static" / "_bench"
RESULTS_DIR = ROOT / "bench" / "results"
LUA = Path(__file__).resolve().parent / "wrk" / "plan.lua"
MARKER = " [uji kinerja]"
# Jawa Timur's second analyst: the data sets' best-known accounts (analis.35, admin) are also used by people
# timing pages by hand, and every log-in ends the account's older session.
ANALYST = "analis2.35"
WRITERS = 16
MEMORY_LIMIT_MB = 120
MIXED_RATE = 100
# The mixed run's shares (quality.md P6).
# What a request gets when its session has ended: the run is repeated after a new log-in.
LOST = {"401", "302"}
SHARES = {"list": 60, "detail": 20, "ranking": 10, "write": 10}
SEARCH_WORDS = ("sembako", "sengketa", "tambang", "banjir", "upah", "longsor", "kebun", "warga lahan")


# ---------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    """One line of quality.md: an absolute p95 at one client, and/or a ratio to the floor."""

    code: str
    p95_ms: float | None = None
    ratio: float | None = None

    def text(self) -> str:
        """'P1 ≤50 ms, ≤6×'."""
        parts = [f"≤{self.p95_ms:g} ms" if self.p95_ms else "", f"≤{self.ratio:g}×" if self.ratio else ""]
        return f"{self.code} " + ", ".join(p for p in parts if p)


P1 = Target("P1", p95_ms=50, ratio=6)
P2 = Target("P2", p95_ms=30)
P3 = Target("P3", p95_ms=100)
P5 = Target("P5", p95_ms=100)


@dataclass
class Page:
    """A page (or htmx partial) to measure, as `user` sees it."""

    name: str
    label: str
    user: str
    path: str
    targets: tuple[Target, ...] = ()
    htmx: bool = False
    write: bool = False
    body: bytes = b""
    size: int = 0
    gzip_size: int = 0


# ---------------------------------------------------------------- picking real ids (runs in the app's env)

PICK = """
import json, random, sys
from sqlalchemy import func, select, text
from app import create_app
from app.auth.models import Role, User
from app.extensions import db
from app.regions.models import Region
from app.reports.models import DailyReport, ReportItem, ReportStatus

writers = int(sys.argv[1])
app = create_app()
with app.app_context():
    s = db.session
    jatim = s.scalars(select(Region).where(Region.code == "35")).one()
    in_jatim = Region.code.like("35.%")
    detail = s.scalars(
        select(DailyReport.id).join(Region, Region.id == DailyReport.region_id)
        .where(in_jatim, DailyReport.revision >= 1, DailyReport.nihil.is_(False))
        .order_by(DailyReport.id.desc()).limit(1)
    ).one()
    editable = s.execute(
        select(ReportItem.id, ReportItem.report_id, DailyReport.region_id)
        .join(DailyReport, DailyReport.id == ReportItem.report_id)
        .where(DailyReport.status.in_([ReportStatus.DRAFT, ReportStatus.RETURNED]))
        .order_by(ReportItem.id.desc())
    ).all()
    by_region = {}
    for item_id, report_id, region_id in editable:
        by_region.setdefault(region_id, []).append((item_id, report_id))
    operators = {}
    for user in s.scalars(
        select(User).where(User.role == Role.OPERATOR, User.active.is_(True), User.region_id.in_(list(by_region)))
        .order_by(User.id)
    ):
        operators.setdefault(user.region_id, user.username)
    items = []
    for region_id in sorted(by_region, key=lambda r: (-len(by_region[r]), r)):
        if region_id not in operators:
            continue
        for item_id, report_id in by_region[region_id]:
            if len(items) < writers:
                items.append({"item": item_id, "report": report_id, "user": operators[region_id]})
    rng = random.Random(2024)
    top = s.scalar(select(func.max(DailyReport.id)))
    candidates = sorted({rng.randint(1, top) for _ in range(400)})
    details = s.scalars(
        select(DailyReport.id)
        .where(DailyReport.id.in_(candidates), DailyReport.nihil.is_(False))
        .order_by(DailyReport.id)
    ).all()
    rng.shuffle(details)
    regencies = s.execute(select(Region.id, Region.code).where(Region.code.like("%.%")).order_by(Region.code)).all()
    regencies = [r for r in regencies if r.code.count(".") == 1]
    provinces = s.scalars(select(Region.code).where(Region.parent_id.is_(None)).order_by(Region.code)).all()
    print(json.dumps({
        "detail": detail,
        "jatim_regencies": s.scalar(select(func.count()).select_from(Region).where(Region.parent_id == jatim.id)),
        "items": items,
        "details": details[:40],
        "regencies": [r.id for r in rng.sample(regencies, min(40, len(regencies)))],
        "provinces": list(provinces),
        "schema": s.execute(text("SELECT version_num FROM alembic_version")).scalar(),
        "reports": s.scalar(select(func.count()).select_from(DailyReport)),
        "report_items": s.scalar(select(func.count()).select_from(ReportItem)),
    }))
"""


# ---------------------------------------------------------------- forms, as a browser posts them


class FormFields(HTMLParser):
    """The successful controls of the first form in a page: the fields a browser would post."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._chosen: str | None = None
        self._first: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._inside = self._done = False

    def handle_starttag(self, tag, attrs):
        """Collect inputs, selected options and text areas of the first form."""
        a = dict(attrs)
        if self._done:
            return
        if tag == "form":
            self._inside = True
        elif not self._inside:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "reset") or (kind in ("checkbox", "radio") and "checked" not in a):
                return
            self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select, self._chosen, self._first = a.get("name"), None, None
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            self._first = value if self._first is None else self._first
            if "selected" in a:
                self._chosen = value
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []

    def handle_data(self, data):
        """Text area content."""
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        """A select posts its selected option (or its first); a text area drops one leading newline."""
        if tag == "select" and self._select:
            self.fields.append((self._select, self._chosen if self._chosen is not None else self._first or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text.removeprefix("\r\n").removeprefix("\n")))
            self._textarea = None
        elif tag == "form" and self._inside:
            self._done = True


def form_fields(html: str) -> list[tuple[str, str]]:
    """What the first form of `html` posts."""
    parser = FormFields()
    parser.feed(html)
    return parser.fields


# ---------------------------------------------------------------- the server and the browsers


def start_server(env: dict, workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn (production settings, no control socket) on a free loopback port, once it answers."""
    port = free_port()
    command = [BIN / "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket", "-w", str(workers)]
    command += ["-b", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "wsgi:app"]
    with open(log, "w") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(base + "/masuk", timeout=5):
                if len(worker_pids(process.pid)) >= workers:
                    return process, base
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    stop_server(process)
    raise RuntimeError(f"gunicorn did not start; see {log}")


def stop_server(process: subprocess.Popen) -> None:
    """Stop the gunicorn this harness started (its own process group only)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


class Browser(Client):
    """live.Client, plus the raw bytes of an answer and the cookie header for wrk."""

    def fetch(self, path: str, htmx: bool = False, data: list | None = None) -> tuple[int, bytes]:
        """GET (or POST `data`, htmx style) and return the exact body bytes."""
        headers = {"HX-Request": "true"} if htmx else {}
        body = None
        if data is not None:
            headers.update({"X-CSRFToken": self.token, "Content-Type": "application/x-www-form-urlencoded"})
            body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=120) as response:
                if urllib.parse.urlsplit(response.geturl()).path == "/masuk" != path:
                    return 401, b""  # redirected to the log-in page: the session has ended
                return response.status, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def alive(self) -> bool:
        """Whether the session still holds (another log-in to the same account ends it)."""
        return self.fetch("/notifikasi/jumlah", htmx=True)[0] == 200

    def cookie(self) -> str:
        """The Cookie header this browser sends."""
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


# ---------------------------------------------------------------- wrk


def lua(value) -> str:
    """A Python value as a Lua literal (strings byte-escaped, so any text survives)."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | bytes):
        raw = value.encode() if isinstance(value, str) else value
        safe = (chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}" for b in raw)
        return '"' + "".join(safe) + '"'
    if isinstance(value, list | tuple):
        return "{" + ", ".join(lua(v) for v in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


@dataclass
class Run:
    """What one wrk run measured."""

    p50_ms: float
    p95_ms: float
    rps: float
    ok: int
    bad: int
    timeouts: int
    socket_errors: int
    statuses: dict
    ok_by_kind: dict = field(default_factory=dict)
    saves: dict = field(default_factory=dict)

    @property
    def failed(self) -> int:
        """Requests that did not end in the expected answer."""
        return self.bad + self.timeouts + self.socket_errors


class Wrk:
    """Runs wrk with the plan script; knows the server's base URL and the run settings."""

    def __init__(self, base: str, timeout: str, workdir: Path, server_pid: int):
        self.base = base
        self.server_pid = server_pid
        self.host = urllib.parse.urlsplit(base).netloc
        self.timeout = timeout
        self.workdir = workdir
        self.runs = 0

    def headers(self, cookie: str, htmx: bool = False, token: str | None = None) -> dict:
        """A browser's headers: gzip accepted, the session cookie, htmx's when it asks."""
        headers = {"Host": self.host, "Accept-Encoding": "gzip", "Cookie": cookie}
        if htmx:
            headers["HX-Request"] = "true"
        if token:
            headers.update({"X-CSRFToken": token, "Content-Type": "application/x-www-form-urlencoded"})
        return headers

    def run(self, requests: list[dict], connections: int, duration: str, writes: list[dict] | None = None) -> Run:
        """One wrk run over `requests` (kind, weight, method, path, headers); writes need a thread each."""
        self.runs += 1
        plan = {"seed": 7 * self.runs, "expect": 200, "requests": requests, "writes": writes or []}
        plan_file = self.workdir / f"plan-{self.runs}.lua"
        plan_file.write_text("return " + lua(plan) + "\n")
        threads = connections if writes else min(2, connections)
        command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", duration, "--timeout", self.timeout]
        command += ["-s", str(LUA), self.base]
        env = {**os.environ, "WASPADA_WRK_PLAN": str(plan_file)}
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds(duration) + 120)
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WASPADA_WRK ")), None)
        if done.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")
        data = json.loads(line.removeprefix("WASPADA_WRK "))
        plan_file.unlink()
        wait_idle(self.server_pid)
        seconds_run = data["duration_us"] / 1e6
        return Run(
            p50_ms=data["p50_us"] / 1000,
            p95_ms=data["p95_us"] / 1000,
            rps=data["ok"] / seconds_run if seconds_run else 0.0,
            ok=data["ok"],
            bad=data["bad"],
            timeouts=data["timeouts"],
            socket_errors=data["connect_errors"] + data["read_errors"] + data["write_errors"],
            statuses=data["statuses"],
            ok_by_kind=data["ok_by_kind"],
            saves={int(k): v for k, v in data["saves"].items()},
        )


def cpu_ticks(pids: list[int]) -> int:
    """User and system clock ticks used so far by these processes."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


def wait_idle(master: int, limit_s: float = 180) -> float:
    """Wait until the workers are idle: when wrk stops, the requests it left in flight or in the listen
    queue are still served, and would otherwise slow the next run down (or move a version on)."""
    started = time.monotonic()
    pids = worker_pids(master)
    before = cpu_ticks(pids)
    while time.monotonic() - started < limit_s:
        time.sleep(0.3)
        now = cpu_ticks(pids)
        if now - before <= 1:
            break
        before = now
    return time.monotonic() - started


def seconds(duration: str) -> float:
    """'10s', '2m', '500ms' → seconds."""
    found = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", duration)
    if not found:
        raise argparse.ArgumentTypeError(f"not a duration: {duration}")
    number, unit = float(found.group(1)), found.group(2) or "s"
    return number * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


# ---------------------------------------------------------------- the htmx save: items that may be written


@dataclass
class Writer:
    """An incident one wrk thread saves again and again (as its region's operator)."""

    item: int
    report: int
    user: str
    original: list
    version: int

    @property
    def path(self) -> str:
        """The item's edit route."""
        return f"/laporan/{self.report}/kejadian/{self.item}/ubah"


def read_form(browser: Browser, writer: Writer) -> list[tuple[str, str]]:
    """The item's edit form as the browser gets it (htmx), as field pairs."""
    status, body = browser.fetch(writer.path, htmx=True)
    if status != 200:
        raise RuntimeError(f"edit form of item {writer.item}: HTTP {status}")
    return form_fields(body.decode())


def current_version(browser: Browser, writer: Writer) -> int:
    """The version the edit form carries now."""
    return int(dict(read_form(browser, writer))["version"])


def write_bodies(writer: Writer, token: str) -> dict:
    """Two bodies without the version: the item as it was, and with the marker on "what"."""
    fields = [(k, v) for k, v in writer.original if k not in ("version", "csrf_token")]
    changed = [(k, v + MARKER if k == "what" else v) for k, v in fields]
    return {
        "original": urllib.parse.urlencode([*fields, ("csrf_token", token)]),
        "changed": urllib.parse.urlencode([*changed, ("csrf_token", token)]),
    }


def restore(browser: Browser, writer: Writer) -> bool:
    """Put the item back as it was found (only its version and the audit log keep the runs)."""
    now = dict(read_form(browser, writer))
    was = dict(writer.original)
    if all(now.get(k) == v for k, v in was.items() if k not in ("version", "csrf_token")):
        return True
    data = [(k, v) for k, v in writer.original if k not in ("version", "csrf_token")]
    data += [("version", now["version"]), ("csrf_token", browser.token)]
    status, _ = browser.fetch(writer.path, htmx=True, data=data)
    return status == 200


# ---------------------------------------------------------------- judging and the table


def judge(page: Page, clients: int, run: Run, floor: Run, ratio: float) -> list[tuple[str, bool]]:
    """The targets that apply to this row and whether each is met (absolute ones at 1 client)."""
    verdicts = []
    for target in page.targets:
        if target.p95_ms and clients == 1:
            verdicts.append((f"{target.code} p95 ≤{target.p95_ms:g} ms", run.p95_ms <= target.p95_ms))
        if target.ratio:
            verdicts.append((f"{target.code} ≤{target.ratio:g}× floor", ratio <= target.ratio))
    return verdicts


def median_run(runs: list[Run]) -> dict:
    """Medians of the repeats, and the sums of their failures."""
    return {
        "p50_ms": statistics.median(r.p50_ms for r in runs),
        "p95_ms": statistics.median(r.p95_ms for r in runs),
        "rps": statistics.median(r.rps for r in runs),
        "failed": sum(r.failed for r in runs),
        "statuses": merge_counts(r.statuses for r in runs),
    }


def merge_counts(maps) -> dict:
    """Add up {status: n} maps."""
    total: dict = {}
    for m in maps:
        for key, n in m.items():
            total[key] = total.get(key, 0) + n
    return total


def markdown_table(rows: list[dict]) -> str:
    """The result rows as a Markdown table."""
    head = (
        "| page | clients | p50 ms | p95 ms | req/s | floor p50 | floor p95 | p95/floor p95 | errors "
        "| target | result |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n"
    )
    lines = []
    for r in rows:
        errors = f"{r['page']['failed']}/{r['floor']['failed']}"
        lines.append(
            f"| {r['label']} | {r['clients']} | {r['page']['p50_ms']:.1f} | {r['page']['p95_ms']:.1f} | "
            f"{r['page']['rps']:.1f} | {r['floor']['p50_ms']:.1f} | {r['floor']['p95_ms']:.1f} | "
            f"{r['ratio']:.1f}× | {errors} | {r['target'] or '—'} | {r['result']} |"
        )
    return head + "\n".join(lines) + "\n"


def text_table(rows: list[dict]) -> str:
    """The result rows for the terminal."""
    head = (
        f"{'page':<38} {'cl':>3} {'p50':>8} {'p95':>8} {'req/s':>7} {'fl p50':>7} {'fl p95':>7} "
        f"{'ratio':>7} {'err':>5}  {'target':<22} result"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['label'][:38]:<38} {r['clients']:>3} {r['page']['p50_ms']:>8.1f} {r['page']['p95_ms']:>8.1f} "
            f"{r['page']['rps']:>7.1f} {r['floor']['p50_ms']:>7.1f} {r['floor']['p95_ms']:>7.1f} "
            f"{r['ratio']:>6.1f}× {r['page']['failed'] + r['floor']['failed']:>5}  {(r['target'] or '—'):<22} "
            f"{r['result']}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- memory


def memory(pid: int) -> dict:
    """VmRSS, VmHWM and the RSS split of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
            values[key] = int(rest.split()[0]) / 1024
    return values


# ---------------------------------------------------------------- main


def main() -> int:
    """Migrate, serve, measure, judge, clean up."""
    args = parse_args()
    instance = args.data.resolve()
    database = instance / "waspada.sqlite"
    if not database.exists():
        print(f"Tidak ada {database}: buat dulu dengan `make demo-national` (atau set BENCH_DATA).")
        return 2
    if shutil.which("wrk") is None:
        print("wrk tidak ada: `make bench` memasangnya (apt-get install wrk).")
        return 2
    env = environment(instance, mode="production")
    started_at = datetime.now(UTC)
    print(f"data: {database} ({database.stat().st_size / 1e9:.2f} GB)")
    t0 = time.perf_counter()
    done = subprocess.run([BIN / "flask", "init-db"], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stdout, done.stderr)
        return 2
    init_s = time.perf_counter() - t0
    print(f"flask init-db: {init_s:.1f} s ({done.stdout.strip().splitlines()[-1]})")
    picked = json.loads(
        subprocess.run(
            [BIN / "python", "-c", PICK, str(WRITERS)], env=env, cwd=ROOT, capture_output=True, text=True, check=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    print(f"{picked['reports']:,} daily reports, {picked['report_items']:,} items, schema {picked['schema']}")
    if len(picked["items"]) < WRITERS:
        print(f"Only {len(picked['items'])} editable items found; the htmx save needs {WRITERS}.")
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="waspada-httpbench-"))
    server, base = start_server(env, args.workers, workdir / "gunicorn.log")
    STATIC_DIR.mkdir(parents=True, exist_ok=True)
    browsers: dict[str, Browser] = {}
    writers: list[Writer] = []
    exit_code = 0
    try:

        def browser(user: str) -> Browser:
            """One log-in per account for the whole run (a new log-in would end the older session)."""
            if user not in browsers:
                browsers[user] = Browser(base, user, DEMO_PASSWORD)
            return browsers[user]

        def ensure_session(user: str) -> None:
            """Log in again when someone else's log-in to this account has ended ours (a shared data set)."""
            if not browser(user).alive():
                print(f"  session of {user} ended (another log-in to that account?): logging in again", flush=True)
                browsers[user] = Browser(base, user, DEMO_PASSWORD)

        for entry in picked["items"]:
            who = browser(entry["user"])
            writer = Writer(entry["item"], entry["report"], entry["user"], [], 0)
            writer.original = read_form(who, writer)
            writer.version = int(dict(writer.original)["version"])
            writers.append(writer)
        first = writers[0]
        detail, regency = picked["detail"], first.user
        pages = [
            Page(
                "search-province",
                "cari 'sembako', Jatim (analis2.35)",
                ANALYST,
                "/laporan/cari/?q=sembako",
                (P1, P5),
            ),
            Page("search-national", "cari 'sembako', nasional (admin)", "admin", "/laporan/cari/?q=sembako", (P1, P5)),
            Page(
                "search-national-2w", "cari 'warga lahan', nasional", "admin", "/laporan/cari/?q=warga+lahan", (P1, P5)
            ),
            Page("search-national-all", "cari tanpa kata, nasional", "admin", "/laporan/cari/", (P1,)),
            Page("list-regency", f"daftar laporan kab ({regency})", regency, "/laporan/", (P1,)),
            Page("list-province-day", "laporan hari ini, Jatim", ANALYST, "/laporan/", (P1,)),
            Page("detail", "detail laporan (direvisi), Jatim", ANALYST, f"/laporan/{detail}", (P2,)),
            Page("item-form", "htmx: form ubah kejadian", first.user, first.path, (P2,), htmx=True),
            Page("item-save", "htmx: simpan kejadian (POST)", first.user, first.path, (P2,), htmx=True, write=True),
            Page(
                "board-cell",
                "htmx: sel papan kepatuhan",
                ANALYST,
                f"/laporan/kepatuhan/laporan/{detail}",
                (P2,),
                htmx=True,
            ),
            Page("notif-count", "htmx: jumlah notifikasi", ANALYST, "/notifikasi/jumlah", (P2,), htmx=True),
            Page("board-week", "papan kepatuhan, minggu, Jatim", ANALYST, "/laporan/kepatuhan/"),
            Page("board-month", "papan kepatuhan, bulan, Jatim", ANALYST, "/laporan/kepatuhan/?tampilan=bulan"),
            Page("ranking", "peringkat, Jatim (kuesioner)", ANALYST, "/peringkat/", (P3,)),
            Page("ranking-composite", "peringkat, Jatim (gabungan)", ANALYST, "/peringkat/?dasar=gabungan", (P3,)),
            Page("home-province", f"beranda analis Jatim ({picked['jatim_regencies']} kab/kota)", ANALYST, "/"),
        ]
        if args.pages:
            pages = [p for p in pages if p.name in args.pages]
        wrk = Wrk(base, args.timeout, workdir, server.pid)

        # Fetch each page once; its exact body becomes the static copy (the floor).
        for page in pages:
            ensure_session(page.user)
            who = browser(page.user)
            if page.write:
                token = who.token
                data = [(k, v) for k, v in first.original if k != "csrf_token"] + [("csrf_token", token)]
                status, body = who.fetch(page.path, htmx=True, data=data)  # same content: no change, no new version
            else:
                status, body = who.fetch(page.path, htmx=page.htmx)
            if status != 200:
                raise RuntimeError(f"{page.name} {page.path}: HTTP {status}")
            page.body, page.size, page.gzip_size = body, len(body), len(gzip.compress(body, 6))
            (STATIC_DIR / f"{page.name}.html").write_bytes(body)
        if first.version != current_version(browser(first.user), first):
            raise RuntimeError("saving the same content changed the item's version: the write bench would 409")

        def requests_for(page: Page, floor: bool) -> list[dict]:
            who = browser(page.user)
            if floor:
                return [
                    {
                        "kind": "floor",
                        "weight": 1,
                        "method": "GET",
                        "path": f"/static/_bench/{page.name}.html",
                        "headers": wrk.headers(who.cookie()),
                    }
                ]
            if page.write:
                return [{"kind": "write", "weight": 1, "method": "POST", "path": page.path, "headers": {}}]
            return [
                {
                    "kind": "page",
                    "weight": 1,
                    "method": "GET",
                    "path": page.path,
                    "headers": wrk.headers(who.cookie(), htmx=page.htmx),
                }
            ]

        def write_plan(count: int) -> list[dict]:
            plan = []
            for writer in writers[:count]:
                who = browser(writer.user)
                restore(who, writer)  # the bodies alternate from the item as it was
                writer.version = current_version(who, writer)
                plan.append(
                    {
                        "path": writer.path,
                        "version": writer.version,
                        "headers": wrk.headers(who.cookie(), htmx=True, token=who.token),
                        **write_bodies(writer, who.token),
                    }
                )
            return plan

        def measure(page: Page, clients: int, duration: str) -> tuple[Run, Run]:
            for attempt in range(3):
                ensure_session(page.user)
                writes = write_plan(clients) if page.write else None
                run = wrk.run(requests_for(page, False), clients, duration, writes)
                floor = wrk.run(requests_for(page, True), clients, duration)
                if not LOST & set(run.statuses) or browser(page.user).alive():
                    return run, floor
                print(f"  {page.name}: the session ended during the run; measuring again ({attempt + 1})", flush=True)
            return run, floor

        print(
            f"server {base}, {args.workers} workers; warm-up {args.warmup} per page, then {args.repeats}× "
            f"{args.duration} per page and client count {args.clients}"
        )
        for page in pages:
            measure(page, 3, args.warmup)
        results: dict[tuple[str, int], list[tuple[Run, Run]]] = {}
        rss_after: dict[str, float] = {}  # the largest worker's VmRSS after the page's runs (it only grows)
        for repeat in range(args.repeats):
            for page in pages:
                for clients in args.clients:
                    run, floor = measure(page, clients, args.duration)
                    results.setdefault((page.name, clients), []).append((run, floor))
                    rss = max((memory(pid)["VmRSS"] for pid in worker_pids(server.pid)), default=0.0)
                    rss_after[page.name] = max(rss_after.get(page.name, 0.0), rss)
                    print(
                        f"  [{repeat + 1}/{args.repeats}] {page.name:<22} c={clients:<2} p95 {run.p95_ms:8.1f} ms "
                        f"floor {floor.p95_ms:6.1f} ms  ({run.ok} ok, {run.failed} failed)",
                        flush=True,
                    )

        rows = []
        for page in pages:
            for clients in args.clients:
                pairs = results[(page.name, clients)]
                ratio = statistics.median(r.p95_ms / f.p95_ms if f.p95_ms else float("inf") for r, f in pairs)
                run_m, floor_m = median_run([r for r, _ in pairs]), median_run([f for _, f in pairs])
                verdicts = judge(page, clients, median_ok(pairs, 0), median_ok(pairs, 1), ratio)
                errors = run_m["failed"] + floor_m["failed"]
                missed = [text for text, ok in verdicts if not ok]
                result = "FAIL" if missed or errors else ("pass" if verdicts else "info")
                if errors:
                    missed.append(f"{errors} failed requests {run_m['statuses'] or ''}".strip())
                rows.append(
                    {
                        "name": page.name,
                        "label": page.label,
                        "clients": clients,
                        "path": page.path,
                        "user": page.user,
                        "bytes": page.size,
                        "gzip_bytes": page.gzip_size,
                        "page": run_m,
                        "floor": floor_m,
                        "ratio": ratio,
                        "target": "; ".join(t.text() for t in page.targets),
                        "result": result,
                        "missed": missed,
                        "largest_worker_rss_mb": rss_after.get(page.name),
                        "repeats": [{"page": asdict(r), "floor": asdict(f)} for r, f in pairs],
                    }
                )

        mixed = None
        if args.mixed:
            mixed = run_mixed(args, picked, wrk, browser, ensure_session, write_plan)
        workers_memory = {pid: memory(pid) for pid in worker_pids(server.pid)}
        print(
            "largest worker VmRSS after each page's runs (MB): "
            + ", ".join(f"{k} {v:.0f}" for k, v in rss_after.items())
        )
    finally:
        restored = []
        for writer in writers:
            try:
                restored.append(restore(browsers[writer.user], writer))
            except Exception as err:  # noqa: BLE001  (report, then go on cleaning up)
                print(f"item {writer.item} not restored: {err}")
                restored.append(False)
        stop_server(server)
        shutil.rmtree(STATIC_DIR, ignore_errors=True)

    print()
    print(
        f"Waspada bench, {started_at:%Y-%m-%d %H:%M} UTC, {database} ({picked['reports']:,} reports), "
        f"{args.workers} workers, wrk {args.repeats}× {args.duration}, medians"
    )
    print(text_table(rows))
    for row in rows:
        if row["missed"]:
            print(f"  {row['label']} (c={row['clients']}): missed {', '.join(row['missed'])}")
    failed = any(r["result"] == "FAIL" for r in rows)
    summary = {}
    if mixed:
        ok = mixed["rps"] >= MIXED_RATE and mixed["failed"] == 0
        failed |= not ok
        summary["P6"] = {**mixed, "target": f"≥{MIXED_RATE} req/s, 0 errors", "result": "pass" if ok else "FAIL"}
        print(
            f"P6 mixed traffic, 16 connections: {mixed['rps']:.1f} req/s (median of {args.repeats}), "
            f"p50 {mixed['p50_ms']:.1f} ms, p95 {mixed['p95_ms']:.1f} ms, {mixed['failed']} failed "
            f"{mixed['statuses'] or ''}; by kind {mixed['by_kind']} → {summary['P6']['result']}"
        )
    largest = max((m["VmRSS"] for m in workers_memory.values()), default=0.0)
    memory_ok = largest <= MEMORY_LIMIT_MB
    failed |= not memory_ok
    summary["P8"] = {
        "workers": workers_memory,
        "largest_vmrss_mb": largest,
        "target": f"≤{MEMORY_LIMIT_MB} MB",
        "result": "pass" if memory_ok else "FAIL",
    }
    for pid, m in workers_memory.items():
        print(
            f"P8 worker {pid}: VmRSS {m['VmRSS']:.1f} MB (anon {m.get('RssAnon', 0):.1f}, file "
            f"{m.get('RssFile', 0):.1f}), peak {m['VmHWM']:.1f} MB"
        )
    print(f"P8 largest worker {largest:.1f} MB (target ≤{MEMORY_LIMIT_MB} MB) → {summary['P8']['result']}")
    if not all(restored):
        print("Warning: some benchmark items could not be restored (see above).")
        failed = True

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = started_at.strftime("%Y%m%d-%H%M%S")
    meta = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "data": str(database),
        "database_bytes": database.stat().st_size,
        "reports": picked["reports"],
        "items": picked["report_items"],
        "init_db_s": round(init_s, 1),
        "schema": picked["schema"],
        "workers": args.workers,
        "duration": args.duration,
        "warmup": args.warmup,
        "repeats": args.repeats,
        "clients": args.clients,
        "git": git_state(),
    }
    (RESULTS_DIR / f"http-{stamp}.json").write_text(
        json.dumps({"meta": meta, "rows": rows, **summary}, indent=1, default=str) + "\n"
    )
    md = [
        f"# Waspada bench {meta['started_at']}",
        "",
        f"`{database}` ({picked['reports']:,} daily reports, {picked['report_items']:,} items), "
        f"{args.workers} gunicorn workers, wrk {args.repeats}× {args.duration} per row (medians), "
        f"git {meta['git']}.",
        "",
        markdown_table(rows),
    ]
    if mixed:
        md.append(
            f"P6 mixed: {mixed['rps']:.1f} req/s, {mixed['failed']} failed, p95 {mixed['p95_ms']:.1f} ms "
            f"→ {summary['P6']['result']}\n"
        )
    md.append(f"P8 largest worker VmRSS {largest:.1f} MB → {summary['P8']['result']}\n")
    (RESULTS_DIR / f"http-{stamp}.md").write_text("\n".join(md))
    print(f"results: {RESULTS_DIR / f'http-{stamp}.json'} and .md")
    shutil.rmtree(workdir, ignore_errors=True)
    exit_code = 1 if failed else 0
    return exit_code


def median_ok(pairs: list[tuple[Run, Run]], index: int) -> Run:
    """A Run holding the medians of p50/p95 over the repeats (for judging)."""
    runs = [pair[index] for pair in pairs]
    m = median_run(runs)
    return Run(m["p50_ms"], m["p95_ms"], m["rps"], 0, 0, 0, 0, {})


def run_mixed(args, picked: dict, wrk: Wrk, browser, ensure_session, write_plan) -> dict:
    """P6: lists, details, ranking and writes by weight over many regencies, reports and provinces."""
    operators = sorted({e["user"] for e in picked["items"]})
    lists = [("admin", f"/laporan/cari/?wilayah={rid}") for rid in picked["regencies"][:20]]
    lists += [
        ("admin", f"/laporan/cari/?{urllib.parse.urlencode({'q': w, 'wilayah': rid})}")
        for w, rid in zip(SEARCH_WORDS * 3, picked["regencies"][20:40], strict=False)
    ]
    lists += [(ANALYST, f"/laporan/cari/?{urllib.parse.urlencode({'q': w})}") for w in SEARCH_WORDS]
    lists += [("admin", f"/laporan/?provinsi={code}") for code in picked["provinces"][::3]]
    lists += [(user, "/laporan/") for user in operators]
    details = [("admin", f"/laporan/{rid}") for rid in picked["details"]]
    rankings = [("admin", f"/peringkat/?provinsi={code}") for code in picked["provinces"]]
    groups = (("list", lists), ("detail", details), ("ranking", rankings))

    def requests() -> list[dict]:
        for user in ("admin", ANALYST, *operators):
            ensure_session(user)
        plan = [
            {
                "kind": kind,
                "weight": SHARES[kind] / len(entries),
                "method": "GET",
                "path": path,
                "headers": wrk.headers(browser(user).cookie()),
            }
            for kind, entries in groups
            for user, path in entries
        ]
        return plan + [{"kind": "write", "weight": SHARES["write"], "method": "POST", "path": "", "headers": {}}]

    requests()
    timings = []
    for kind, entries in groups:
        for user, path in entries:
            t0 = time.perf_counter()
            status, _ = browser(user).fetch(path)
            timings.append(((time.perf_counter() - t0) * 1000, kind, path, status))
    timings.sort(reverse=True)
    single = {k: statistics.median(t for t, kind, _, _ in timings if kind == k) for k, _ in groups}
    print("mixed URLs, one request each, median ms: " + ", ".join(f"{k} {v:.0f}" for k, v in single.items()))
    print("  slowest: " + "; ".join(f"{path} {t:.0f} ms" for t, _, path, _ in timings[:6]))
    print(
        f"mixed: {len(lists)} list URLs, {len(details)} reports, {len(rankings)} rankings, "
        f"{WRITERS} items written; warm-up {args.warmup}, then {args.repeats}× {args.duration}"
    )
    wrk.run(requests(), WRITERS, args.warmup, write_plan(WRITERS))
    runs = []
    for repeat in range(args.repeats):
        for attempt in range(3):
            run = wrk.run(requests(), WRITERS, args.duration, write_plan(WRITERS))
            if not LOST & set(run.statuses):
                break
            print(f"  mixed: a session ended during the run; measuring again ({attempt + 1})", flush=True)
        runs.append(run)
        print(
            f"  [{repeat + 1}/{args.repeats}] mixed {run.rps:.1f} req/s, p95 {run.p95_ms:.1f} ms, "
            f"{run.failed} failed {run.ok_by_kind}",
            flush=True,
        )
    m = median_run(runs)
    slowest = [(round(t), path) for t, _, path, _ in timings[:10]]
    return {
        **m,
        "by_kind": merge_counts(r.ok_by_kind for r in runs),
        "single_request_ms": {"median_by_kind": single, "slowest": slowest},
        "repeats": [asdict(r) for r in runs],
    }


def git_state() -> str:
    """HEAD and whether the tree has changes (the bench measures the tree as it is)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        )
        return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")
    except OSError:
        return "?"


def parse_args() -> argparse.Namespace:
    """Command-line settings (the Makefile passes BENCH_* variables)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("BENCH_DATA") or DEFAULT_DATA),
        help="instance folder with waspada.sqlite (default: BENCH_DATA or instance/national)",
    )
    parser.add_argument("--duration", default="10s", help="wrk duration per measured run (quality.md: 20s)")
    parser.add_argument("--warmup", default="3s", help="wrk warm-up per page and its copy, 3 connections")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--clients", default="1,16", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--timeout", default="60s", help="wrk's per-request timeout (a timeout counts as failed)")
    parser.add_argument("--pages", type=lambda s: set(s.split(",")), help="only these pages (names, comma-separated)")
    parser.add_argument("--no-mixed", dest="mixed", action="store_false", help="skip the P6 mixed run")
    args = parser.parse_args()
    for value in (args.duration, args.warmup, args.timeout):
        seconds(value)
    return args


if __name__ == "__main__":
    sys.exit(main())
