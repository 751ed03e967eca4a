"""Shared by the stress and crash scripts: a throwaway instance, gunicorn on loopback, and a browser-like client.

The client speaks to the app as a browser does (log-in form, CSRF token, htmx headers), with the standard
library only, so the scripts need nothing beyond the project's own requirements.
"""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
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


def environment(instance: Path) -> dict:
    """The app's environment for this instance (plain http on loopback)."""
    env = dict(os.environ)
    env.update(
        WASPADA_INSTANCE_PATH=str(instance),
        WASPADA_MODE="development",
        WASPADA_SESSION_COOKIE_SECURE="false",
        FLASK_APP="app:create_app",
    )
    env.pop("WASPADA_DATABASE_URL", None)
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


def prepare(operators_per_regency: int) -> tuple[Path, dict, list[int]]:
    """A fresh instance: migrated, the built-in regions, operators, and today's draft report per regency."""
    instance = Path(tempfile.mkdtemp(prefix="waspada-live-"))
    env = environment(instance)
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


def start_gunicorn(env: dict, workers: int = 3, log: Path | None = None) -> tuple[subprocess.Popen, str]:
    """gunicorn on a free loopback port; returns the process and the base URL once it answers."""
    port = free_port()
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen(
        [
            BIN / "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "wsgi:app",
        ],
        env=env,
        cwd=ROOT,
        stdout=out,
        stderr=out,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/masuk", timeout=2)
            return process, base
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    stop(process)
    sys.exit("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    """Stop gunicorn and its workers."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


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
    """A logged-in browser: cookies, the CSRF token, htmx headers."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token = ""
        page = self.get("/masuk")[1]
        self.token = TOKEN.search(page).group(1)
        status, _ = self.post("/masuk", {"username": username, "password": PASSWORD}, htmx=False)
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
