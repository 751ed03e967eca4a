"""Lighthouse 12 (mobile) on the home, a report and the ranking page of a demo instance, logged in.

Usage: .venv/bin/python bench/lighthouse.py [INSTANCE_DIR]   (default: a fresh demo in a temp folder)
Needs `npm ci --prefix bench/lighthouse` (the Makefile's `lighthouse` target does it) and Debian's Chromium.
Prints each page's performance and accessibility scores with the main metrics and any failed accessibility
audit; exits 1 when performance < 0.9 or accessibility < 1.0 on any page.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pages import build  # noqa: E402  (bench/pages.py: migrate and seed the demo month)

from app import demo  # noqa: E402
from app.extensions import db  # noqa: E402
from app.regions.models import Region  # noqa: E402
from app.reports.models import DailyReport, ReportItem  # noqa: E402

LIGHTHOUSE = Path(__file__).resolve().parent / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync"
)
MIN_PERFORMANCE = 0.9
MIN_ACCESSIBILITY = 1.0
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift")


def session_cookie(app, username: str) -> str:
    """Log in through the form with a test client and return its session cookie as a Cookie header value."""
    client = app.test_client()
    response = client.post("/masuk", data={"username": username, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302, f"log-in of {username} failed: {response.status_code}"
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return f"{cookie.key}={cookie.value}"


def lighthouse(url: str, cookie: str, out: Path) -> dict:
    """Run Lighthouse (mobile preset) on one URL with the session cookie; its JSON report."""
    command = [
        "node",
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--only-categories=performance,accessibility",
        "--output=json",
        f"--output-path={out}",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
    ]
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROME}, timeout=300)
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("finalDisplayedUrl") != url:  # sent to the log-in page: the cookie did not work
        raise SystemExit(f"{url} berakhir di {report.get('finalDisplayedUrl')}")
    return report


def summary(report: dict) -> tuple[float, float, str]:
    """(performance, accessibility, a line of metrics and failed accessibility audits)."""
    categories = report["categories"]
    audits = report["audits"]
    performance = categories["performance"]["score"] or 0.0
    accessibility = categories["accessibility"]["score"] or 0.0
    metrics = ", ".join(f"{audits[m]['title']} {audits[m]['displayValue']}" for m in METRICS)
    failed = [
        f"{ref['id']}: {audits[ref['id']]['title']}"
        for ref in categories["accessibility"]["auditRefs"]
        if ref["weight"] and audits[ref["id"]]["score"] is not None and audits[ref["id"]]["score"] < 1
    ]
    return performance, accessibility, metrics + ("" if not failed else "\n    gagal: " + "; ".join(failed))


def main() -> int:
    """Seed a demo instance, serve it on a free loopback port, audit three pages as the Kalsel analyst."""
    if not LIGHTHOUSE.exists():
        print("Lighthouse belum terpasang: npm ci --prefix bench/lighthouse (atau: make lighthouse)")
        return 2
    instance = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="waspada-lighthouse-"))
    app = build(instance)
    with app.app_context():
        report_id = db.session.scalars(
            select(DailyReport.id)
            .join(Region)
            .join(ReportItem, ReportItem.report_id == DailyReport.id)
            .where(Region.code.like("63.%"), DailyReport.first_submitted_at.is_not(None))
            .group_by(DailyReport.id)
            .order_by(func.count(ReportItem.id).desc(), DailyReport.id.desc())
        ).first()  # the Kalsel report with the most incidents
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    cookie = session_cookie(app, "analis.kalsel")
    failing = 0
    try:
        for label, path in (("beranda", "/"), ("laporan", f"/laporan/{report_id}"), ("peringkat", "/peringkat/")):
            performance, accessibility, details = summary(
                lighthouse(base + path, cookie, instance / f"lh-{label}.json")
            )
            ok = performance >= MIN_PERFORMANCE and accessibility >= MIN_ACCESSIBILITY
            failing += not ok
            verdict = "ok" if ok else "GAGAL"
            print(f"{label:<10} {path:<16} kinerja {performance:.2f}  aksesibilitas {accessibility:.2f}  {verdict}")
            print(f"    {details}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
    print(f"laporan JSON: {instance}/lh-*.json")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
