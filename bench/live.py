"""Shared by the stress and crash scripts and the live tests: a throwaway instance, gunicorn on loopback, a client.

The client speaks to the app as a browser does (log-in form, CSRF token, htmx headers), with the standard
library only, so the scripts need nothing beyond the project's own requirements.
"""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PASSWORD = "Banjarbaru-Paringin-77"
REGENCIES = ("63.01", "63.02", "63.03", "63.04")
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'id="header-version" value="(\d+)"')
ANY_VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')


def page_version(html: str) -> str | None:
    """The report version a page or an autosave answer carries."""
    found = VERSION.search(html) or ANY_VERSION.search(html)
    return found.group(1) if found else None


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(
    instance: Path, database_url: str | None = None, mode: str = "development", settings: dict | None = None
) -> dict:
    """The app's environment for this instance (plain http on loopback); `settings` become WASPADA_* variables.

    The per-address log-in limit is off unless `settings` turns it on: load scripts log in many
    times from one address.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("WASPADA_")}
    env.update(
        WASPADA_INSTANCE_PATH=str(instance),
        WASPADA_MODE=mode,
        WASPADA_SESSION_COOKIE_SECURE="false",
        WASPADA_RATELIMIT_ENABLED="false",
        FLASK_APP="app:create_app",
    )
    if database_url:
        env["WASPADA_DATABASE_URL"] = database_url
    env.update({f"WASPADA_{name}": str(value) for name, value in (settings or {}).items()})
    return env


SETUP = """
import sys
from sqlalchemy import select
from app import clock, create_app
from app.auth.models import Role, User
from app.auth.services import UserData, create_user
from app.extensions import db
from app.regions.models import Region
from app.reports import services

app = create_app()
with app.app_context():
    ids = []
    for code in sys.argv[2].split(","):
        region = db.session.scalars(select(Region).where(Region.code == code)).one()
        for n in range(int(sys.argv[3])):
            data = UserData(full_name="Operator Uji Beban", role=Role.OPERATOR, region_id=region.id)
            create_user(db.session, f"stres{code.replace('.', '')}x{n}", data, sys.argv[1], must_change=False)
        db.session.flush()
        operator = db.session.scalars(select(User).where(User.region_id == region.id)).first()
        today = clock.local_today(region.timezone)
        ids.append(str(services.start_report(db.session, operator, region, today, today).id))
        db.session.flush()
    db.session.commit()
    print(",".join(ids))
"""


def prepare(operators_per_regency: int, database_url: str | None = None) -> tuple[Path, dict, list[int]]:
    """A fresh instance (on its own SQLite file, or `database_url`): migrated, the built-in regions,
    operators, and today's draft report per regency."""
    instance = Path(tempfile.mkdtemp(prefix="waspada-live-"))
    env = environment(instance, database_url)
    subprocess.run([BIN / "flask", "init-db"], env=env, check=True, capture_output=True, cwd=ROOT)
    done = subprocess.run(
        [BIN / "python", "-c", SETUP, PASSWORD, ",".join(REGENCIES), str(operators_per_regency)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    report_ids = [int(x) for x in done.stdout.strip().splitlines()[-1].split(",")]
    return instance, env, report_ids


# The access log's fields: the worker's process id first, so a test can tell which worker served a request.
ACCESS_FORMAT = '%(p)s "%(r)s" %(s)s'


def start_gunicorn(
    env: dict,
    workers: int = 3,
    log: Path | None = None,
    access_log: Path | None = None,
    wait_s: float = 30,
    config: str = "gunicorn.conf.py",
    app: str = "wsgi:app",
) -> tuple[subprocess.Popen, str]:
    """gunicorn serving `app` on a free loopback port; returns the process and the base URL once it answers."""
    port = free_port()
    command = [BIN / "gunicorn", "-c", config, "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    command += ["--access-logfile", str(access_log or "/dev/null"), "--access-logformat", ACCESS_FORMAT, app]
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115  (the child keeps its own copy)
    try:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True)
    finally:
        if log:
            out.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(base + "/masuk", timeout=2):
                return process, base
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    stop(process)
    raise RuntimeError("gunicorn did not start" + (f"; see {log}" if log else ""))


def access_pids(access_log: Path, request_line: str) -> list[int]:
    """The worker pid of each access-log line whose request line starts with `request_line` (e.g. "POST /masuk")."""
    pids = []
    for line in access_log.read_text().splitlines():
        pid, _, rest = line.partition(" ")
        if rest.startswith(f'"{request_line}'):
            pids.append(int(pid.strip("<>")))  # gunicorn writes "<1234>"
    return pids


def stop(process: subprocess.Popen) -> None:
    """Stop gunicorn and its workers."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=15)


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers of a master (children in /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                found.append(int(entry.name))
    return found


class Client:
    """A browser: cookies, the CSRF token, htmx headers; logged in as `username` when one is given."""

    def __init__(self, base: str, username: str | None = None, password: str = PASSWORD):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token = ""
        page = self.get("/masuk")[1]
        self.token = TOKEN.search(page).group(1)
        if username is None:
            return
        status, _ = self.post("/masuk", {"username": username, "password": password}, htmx=False)
        if status not in (200, 302):
            raise RuntimeError(f"log-in of {username} failed: {status}")
        self.get("/")  # as the browser follows the redirect: a token of the new session

    def _open(self, request: urllib.request.Request, timeout: float) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode("utf-8", "replace")

    def get(self, path: str, timeout: float = 30) -> tuple[int, str]:
        """GET a page."""
        status, body = self._open(urllib.request.Request(self.base + path), timeout)
        found = TOKEN.search(body)
        if found:
            self.token = found.group(1)
        return status, body

    def post(self, path: str, data: dict, htmx: bool = True, timeout: float = 30) -> tuple[int, str]:
        """POST a form (as htmx does, or as a plain form)."""
        headers = {"X-CSRFToken": self.token, "Content-Type": "application/x-www-form-urlencoded"}
        if htmx:
            headers["HX-Request"] = "true"
        body = urllib.parse.urlencode({**data, "csrf_token": self.token}).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, headers=headers), timeout)


def item_form(title: str, day: date) -> dict:
    """A complete incident."""
    return {
        "aspect": "politik",
        "threat_level": "sedang",
        "title": title,
        "what": "Uji beban: kejadian dicatat bersamaan oleh beberapa operator.",
        "occurred_date": day.isoformat(),
    }
