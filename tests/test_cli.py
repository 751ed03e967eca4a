"""Command-line tools."""

import pytest
from sqlalchemy import func, select

from app.audit import AuditLog
from app.auth.models import Role, User
from app.extensions import db
from app.reports.models import DailyReport, ReportStatus

from .conftest import login


def test_init_db_is_idempotent(runner):
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    assert "Basis data siap." in first.output and "0 baru" in first.output


def test_seed_demo_creates_accounts_and_reports_and_prints_logins(app, runner):
    result = runner.invoke(args=["seed-demo", "--days", "3"])
    assert result.exit_code == 0, result.output
    for username in ("admin", "analis.kalsel", "operator.balangan", "fasilitator.balangan", "pimpinan.kalsel"):
        assert username in result.output
    assert "waspada-demo-2024" in result.output
    with app.app_context():
        roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
        assert roles == {Role.ADMIN: 1, Role.PROVINSI: 2, Role.OPERATOR: 27, Role.FASILITATOR: 1, Role.PIMPINAN: 1}
        reports = db.session.scalar(select(func.count()).select_from(DailyReport))
        assert 27 <= reports <= 27 * 4 and f"{reports} laporan harian" in result.output
        statuses = set(db.session.scalars(select(DailyReport.status)))
        assert {ReportStatus.SUBMITTED, ReportStatus.VERIFIED} <= statuses
        assert db.session.scalar(select(func.count()).where(AuditLog.via == "cli")) >= 5
    assert login(app.test_client(), "operator.balangan", "waspada-demo-2024").status_code == 302


def test_seed_demo_if_empty_does_nothing_when_users_exist(app, runner, users):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    with app.app_context():
        assert db.session.scalars(select(User).where(User.username == "operator.balangan")).first() is None


def test_seed_demo_is_refused_in_production(app, runner):
    app.config["MODE"] = "production"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "produksi" in result.output


def test_users_create_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "kepala.kalteng",
            "--name",
            "Kepala Kalteng",
            "--role",
            "pimpinan",
            "--region",
            "62",
            "--password-stdin",
        ],
        input="danau-tahai-yang-tenang\n",
    )
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "kepala.kalteng", "danau-tahai-yang-tenang").status_code == 302


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "operator", "--region", "63"], "kabupaten/kota"),
        (["--role", "operator", "--region", "77"], "tidak dikenal"),
        (["--role", "admin"], "terlalu umum"),
    ],
)
def test_users_create_refuses_bad_input(runner, args, message):
    result = runner.invoke(
        args=["users", "create", "baru", "--name", "Baru", *args, "--password-stdin"], input="password\n"
    )
    assert result.exit_code != 0 and message in result.output
