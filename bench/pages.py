"""Queries and server time of the main LAPSITDA and ranking pages on a demo database (a month for 27 regencies).

Usage: .venv/bin/python bench/pages.py [INSTANCE_DIR]   (default: a fresh demo in a temp folder)
Prints, per page: SELECT statements per request and the median of 20 timed requests (in-process, no network).
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app, demo  # noqa: E402
from app.extensions import db  # noqa: E402
from app.regions.models import Region  # noqa: E402
from app.reports.models import DailyReport  # noqa: E402

RUNS = 20


def build(instance: Path):
    """The app on the instance's database, seeded with the demo month when empty."""
    app = create_app({"MODE": "development", "WTF_CSRF_ENABLED": False}, instance_path=str(instance))
    result = app.test_cli_runner().invoke(args=["init-db"])  # migrations, regions, categories, indices
    assert result.exit_code == 0, result.output
    with app.app_context():
        empty = db.session.scalar(select(DailyReport.id).limit(1)) is None
    if empty:
        result = app.test_cli_runner().invoke(args=["seed-demo", "--days", "30"])
        assert result.exit_code == 0, result.output
    return app


def measure(app, client, url: str) -> tuple[int, float, int]:
    """(SELECTs in one request, median ms over RUNS, response bytes)."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    response = client.get(url)
    event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return len(statements), statistics.median(times), len(response.data)


def main() -> None:
    """Seed if needed, log in as the Kalimantan Selatan analyst, measure the pages."""
    instance = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="waspada-bench-"))
    app = build(instance)
    with app.app_context():
        report = db.session.scalars(
            select(DailyReport)
            .where(DailyReport.nihil.is_(False), DailyReport.first_submitted_at.is_not(None))
            .order_by(DailyReport.id.desc())
        ).first()
        reports = db.session.query(DailyReport).count()
        balangan = db.session.scalars(select(Region.id).where(Region.code == "63.11")).one()
    client = app.test_client()
    client.post("/masuk", data={"username": "analis.kalsel", "password": demo.DEMO_PASSWORD})
    print(f"database: {instance / 'waspada.sqlite'} ({reports} daily reports)")
    print(f"{'page':<44} {'SELECTs':>7} {'median ms':>10} {'bytes':>8}")
    for label, url in (
        ("report page (with items and history)", f"/laporan/{report.id}"),
        ("compliance board, week", "/laporan/kepatuhan/"),
        ("compliance board, month", "/laporan/kepatuhan/?tampilan=bulan"),
        ("province reports of today", "/laporan/"),
        ("daily recap", "/laporan/rekap/"),
        ("search 'sembako'", "/laporan/cari/?q=sembako"),
        ("home", "/"),
        ("ranking (Pilkada index, 13 regencies)", "/peringkat/"),
        ("regency score card", f"/peringkat/wilayah/{balangan}"),
        ("methodology", "/peringkat/metodologi/1"),
    ):
        queries, median, size = measure(app, client, url)
        print(f"{label:<44} {queries:>7} {median:>10.1f} {size:>8}")


if __name__ == "__main__":
    main()
