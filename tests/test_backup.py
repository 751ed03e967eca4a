"""Backups taken while writes go on are consistent; restore puts them back; bad files are refused."""

import os
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app import clock
from app.audit import AuditLog
from app.backup import BackupError, make_backup, quick_check
from app.extensions import db
from app.reports.models import DailyReport, ReportItem, ReportStatus

from .conftest import TEST_DATABASE_URL, login
from .factories import make_report

SQLITE_ONLY = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="the SQLite backup path")
POSTGRES_ONLY = pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@SQLITE_ONLY
def test_a_backup_taken_during_writes_is_consistent(app, users, runner, tmp_path):
    with app.app_context():
        today = clock.local_today("Asia/Makassar")
    make_report(app, day=today - timedelta(days=60), items=2, submit=True)
    stop = threading.Event()
    written = []

    def keep_writing():
        for n in range(1, 40):
            if stop.is_set():
                break
            written.append(make_report(app, day=today - timedelta(days=n), items=2, submit=True))

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        outputs = []
        for run in range(3):
            result = runner.invoke(args=["backup", "--dir", str(tmp_path / f"run{run}")])
            assert result.exit_code == 0, result.output
            outputs.append(result.output)
    finally:
        stop.set()
        writer.join()
    assert all("Cadangan:" in output and "MB" in output for output in outputs)
    for run in range(3):
        (backup,) = (tmp_path / f"run{run}").glob("waspada-*.sqlite")
        assert oct(backup.stat().st_mode & 0o777) == "0o600"
        assert not list((tmp_path / f"run{run}").glob("*.tmp"))
        connection = sqlite3.connect(backup)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
            reports = connection.execute("SELECT id FROM daily_reports").fetchall()
            # every report in the copy is whole: its two items and its audit row came with it
            for (report_id,) in reports:
                items = connection.execute("SELECT count(*) FROM report_items WHERE report_id = ?", (report_id,))
                assert items.fetchone()[0] == 2
                audited = connection.execute(
                    "SELECT count(*) FROM audit_log WHERE entity = 'daily_reports' AND entity_id = ?", (str(report_id),)
                )
                assert audited.fetchone()[0] >= 1
        finally:
            connection.close()
    assert len(written) >= 1


def test_the_restore_of_a_backup_taken_during_writes_is_consistent(app, users, runner, tmp_path):
    """On either database: sound after restore, every report acknowledged before the backup began is there,
    nothing that was never written is, and every report in it is whole (items, submission, audit rows)."""
    with app.app_context():
        today = clock.local_today("Asia/Makassar")
    stop = threading.Event()
    written = []  # ids of reports whose transaction had committed

    def keep_writing():
        for n in range(1, 80):
            if stop.is_set():
                break
            written.append(make_report(app, day=today - timedelta(days=n), items=2, submit=True))

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        deadline = time.monotonic() + 60
        while len(written) < 3 and time.monotonic() < deadline and writer.is_alive():
            time.sleep(0.02)
        acknowledged = list(written)
        result = runner.invoke(args=["backup", "--dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        during = len(written) > len(acknowledged) or writer.is_alive()
    finally:
        stop.set()
        writer.join()
    assert len(acknowledged) >= 3 and during
    (backup,) = tmp_path.glob("waspada-*")
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        present = set(db.session.scalars(select(DailyReport.id)))
        assert set(acknowledged) <= present <= set(written)
        audited = {
            (entity, int(entity_id))
            for entity, entity_id in db.session.execute(
                select(AuditLog.entity, AuditLog.entity_id).where(AuditLog.action == "create")
            )
        }
        for report in db.session.scalars(select(DailyReport)):
            assert report.status == ReportStatus.SUBMITTED and len(report.items) == 2
            assert ("daily_reports", report.id) in audited
            assert all(("report_items", item.id) in audited for item in report.items)
    # the restored database takes new writes (PostgreSQL: its sequences came back with it)
    assert make_report(app, "operator.tala", submit=True) not in present
    client = app.test_client()
    login(client, "analis")
    for report_id in (min(acknowledged), max(present)):
        assert client.get(f"/laporan/{report_id}").status_code == 200


@SQLITE_ONLY
def test_restore_puts_the_backup_back(app, users, runner, tmp_path):
    kept = make_report(app, submit=True)
    assert runner.invoke(args=["backup", "--dir", str(tmp_path)]).exit_code == 0
    (backup,) = tmp_path.glob("waspada-*.sqlite")
    later = make_report(app, "operator.tala", submit=True)
    assert runner.invoke(args=["restore", str(backup)]).exit_code != 0  # --yes is required
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.get(DailyReport, kept) is not None
        assert db.session.get(DailyReport, later) is None
    client = app.test_client()
    login(client, "analis")
    assert client.get(f"/laporan/{kept}").status_code == 200


@SQLITE_ONLY
def test_a_damaged_backup_is_refused_and_nothing_changes(app, users, runner, tmp_path):
    report_id = make_report(app)
    damaged = tmp_path / "waspada-rusak.sqlite"
    damaged.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    result = runner.invoke(args=["restore", str(damaged), "--yes"])
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.get(DailyReport, report_id) is not None


def test_rotation_keeps_the_newest(tmp_path):
    source = tmp_path / "live.sqlite"
    connection = sqlite3.connect(source)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    start = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    results = [make_backup(f"sqlite:///{source}", tmp_path / "b", start + timedelta(days=d), keep=2) for d in range(4)]
    names = sorted(p.name for p in (tmp_path / "b").iterdir())
    assert names == ["waspada-20261103-020000.sqlite", "waspada-20261104-020000.sqlite"]
    assert [p.name for p in results[-1].removed] == ["waspada-20261102-020000.sqlite"]
    assert quick_check(results[-1].path) == "ok"
    with pytest.raises(BackupError):
        make_backup("mysql://x/y", tmp_path, start)


@POSTGRES_ONLY
def test_postgres_backup_and_restore(app, users, runner, tmp_path):
    kept = make_report(app, submit=True)
    result = runner.invoke(args=["backup", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (backup,) = tmp_path.glob("waspada-*.dump")
    later = make_report(app, "operator.tala", submit=True)
    audit_rows = _count(app, AuditLog)
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.get(DailyReport, kept) is not None
        assert db.session.get(DailyReport, later) is None
        assert db.session.scalar(select(func.count()).select_from(ReportItem)) == 1
    assert _count(app, AuditLog) < audit_rows
    assert Path(backup).stat().st_size > 0
