"""Mass assignment (S2): fields a form does not offer are ignored, whatever a client posts."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from app.reports.models import DailyReport, ReportStatus
from app.scoring.models import IndexDefinition, PublishedScore

from .conftest import PASSWORD, build_app, create_accounts, dispose_app, login
from .factories import make_report, region
from .write_routes import CASES, Write, post, prepared_args

EXTRA = {"region_id": "1", "status": "verified", "role": "admin", "score": "100", "late": "0", "id": "1"}


def test_report_header_ignores_region_status_and_lateness(app, users):
    report_id = make_report(app)
    with app.app_context():
        report = db.session.get(DailyReport, report_id)
        before = (report.region_id, report.status, report.late, report.reviewed_by_id)
        version = report.version
    client = app.test_client()
    login(client, "operator")
    data = {"situation_level": "2", "summary": "Aman.", "classification": "biasa", "version": version, **EXTRA}
    data["reviewed_by_id"] = "2"
    assert client.post(f"/laporan/{report_id}/ringkasan", data=data).status_code == 302
    with app.app_context():
        report = db.session.get(DailyReport, report_id)
        assert report.summary == "Aman."
        assert (report.region_id, report.status, report.late, report.reviewed_by_id) == before
        assert report.status == ReportStatus.DRAFT


def test_password_change_cannot_raise_a_role(app, users):
    client = app.test_client()
    login(client, "operator")
    data = {"current_password": PASSWORD, "new_password": "Tabalong-Sungai-99", "confirm": "Tabalong-Sungai-99"}
    client.post("/akun/kata-sandi", data={**data, **EXTRA, "region_id": str(users["admin"])})
    with app.app_context():
        operator = db.session.scalars(select(User).where(User.username == "operator")).one()
        assert operator.role == Role.OPERATOR and operator.region.code == "63.11"


def test_published_score_stays_with_its_index_and_region(app, users):
    with app.app_context():
        ikp = db.session.scalars(
            select(IndexDefinition).where(IndexDefinition.name == "Indeks Kerawanan Pemilu (IKP)")
        ).one()
        other = db.session.scalars(select(IndexDefinition).where(IndexDefinition.id != ikp.id)).first()
        ikp_id, other_id, balangan = ikp.id, other.id, region("63.11").id
    client = app.test_client()
    login(client, "analis")
    data = {"region_id": balangan, "score": "40", "definition_id": other_id, "id": "77", "created_at": "2000-01-01"}
    assert client.post(f"/peringkat/indeks/{ikp_id}/skor", data=data).status_code == 302
    with app.app_context():
        (stored,) = db.session.scalars(select(PublishedScore)).all()
        assert (stored.definition_id, stored.region_id, stored.score) == (ikp_id, balangan, 40.0)
        assert stored.created_at.year > 2000


# ---------------------------------------------------------------- every write route (table-driven)

# Columns whose values differ between two identical runs (random tokens, salted hashes, file names).
VOLATILE = {"session_token", "password_hash", "scan_path"}
# The audit log describes the other tables' changes, with its own times; the audit tests read it.
NOT_COMPARED = {"audit_log"}
LONG_AGO = "2001-02-03T04:05:06"


def extra_fields(args: dict, users: dict) -> dict:
    """Fields no form should take: ownership, scope, workflow state, bookkeeping, version bypasses."""
    someone_else = str(users["admin"])
    return {
        "id": "424242",
        "region_id": args["region:62.71"],
        "status": "verified",
        "score": "99",
        "role": "admin",
        "active": "0",
        "username": "diambil.alih",
        "password_hash": "x",
        "session_token": "x",
        "must_change_password": "0",
        "failed_logins": "0",
        "locked_until": LONG_AGO,
        "email_notifications": "0",
        **{name: someone_else for name in AUTHOR_FIELDS},
        **{name: LONG_AGO for name in TIME_FIELDS},
        "version": "999",
        "expected_version": "1",
        "force": "1",
        "overwrite": "1",
        "late": "1",
        "nihil": "1",
        "classification": "rahasia",
        "situation_level": "4",
        "summary": "DISUNTIK",
        "report_date": "2001-02-03",
        "report_id": "424242",
        "meeting_id": "424242",
        "survey_id": "424242",
        "round_id": "424242",
        "response_id": "424242",
        "definition_id": "424242",
        "first_entry_id": "424242",
        "number": "77",
        "position": "99",
        "template_version": "99",
        "is_example": "1",
        "completed": "1",
        "valid": "0",
        "present": "1",
        "scan_path": "../../etc/passwd",
    }


AUTHOR_FIELDS = (
    "user_id",
    "author_id",
    "created_by_id",
    "entered_by_id",
    "filed_by_id",
    "reviewed_by_id",
    "verified_by_id",
    "acknowledged_by_id",
    "finalized_by_id",
)
TIME_FIELDS = (
    "created_at",
    "updated_at",
    "submitted_at",
    "verified_at",
    "filed_at",
    "acknowledged_at",
    "finalized_at",
    "done_at",
    "read_at",
    "last_login_at",
)


def _snapshot(app) -> dict:
    """Every row of every table (but the audit log), keyed by table and primary key."""
    rows = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in NOT_COMPARED:
                continue
            columns = [c for c in table.columns if c.name not in VOLATILE]
            key = [table.columns[c.name] for c in table.primary_key.columns]
            for row in db.session.execute(select(*columns).order_by(*key)).mappings():
                rows[(table.name, tuple(row[c.name] for c in key))] = dict(row)
        db.session.remove()
    return rows


def _same(a, b) -> bool:
    """Equal, with the clock's drift between the two runs forgiven (a stored 2001 is still caught)."""
    if isinstance(a, datetime) and isinstance(b, datetime):
        return abs(a - b) < timedelta(minutes=10)
    return a == b


def _differences(plain: dict, loaded: dict) -> list:
    """(table, key, column, value without extras, value with extras) for every difference."""
    found = [(*key, "<row>", "present" if key in plain else "absent", None) for key in plain.keys() ^ loaded.keys()]
    for key in plain.keys() & loaded.keys():
        for column, value in plain[key].items():
            if not _same(value, loaded[key][column]):
                found.append((*key, column, value, loaded[key][column]))
    return found


def _run(app, users, case, extra_for=None):
    """Post the case's valid request (plus extra fields); the status and the database afterwards."""
    args = prepared_args(app, users, case)
    client = app.test_client()
    if case.user:
        assert login(client, case.user).status_code == 302
    extra = {}
    if extra_for is not None:
        offered = set(case.form(args)) | set(case.files(args) if case.files else ()) | case.offers
        extra = {k: v for k, v in {**extra_for(args, users), **case.extra}.items() if k not in offered}
    response = post(app, client, case, args, extra)
    return response.status_code, _snapshot(app), extra


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_extra_fields_change_nothing_the_form_does_not_offer(app, users, database_template, tmp_path, case):
    """The same valid request on two fresh databases, once with every tempting extra field: same result."""
    status, plain, _ = _run(app, users, case)
    assert status == case.status
    (tmp_path / "extra").mkdir()
    other = build_app(database_template, tmp_path / "extra")
    try:
        loaded_status, loaded, extra = _run(other, create_accounts(other), case, extra_fields)
    finally:
        dispose_app(other)
    assert extra, "no extra field was posted"
    assert loaded_status == status
    assert _differences(plain, loaded) == []


def test_the_comparison_notices_a_mass_assignment(app, users, database_template, tmp_path):
    """Positive control: a route that copies every posted field onto the report is caught."""

    def careless(report_id: int):
        from flask import request

        report = db.session.get(DailyReport, report_id)
        for name, value in request.form.items():
            if name in ("summary", "situation_level", "region_id"):
                setattr(report, name, int(value) if name != "summary" else value)
        db.session.commit()
        return "", 204

    case = Write("careless", "operator", lambda a: {"summary": "Aman."}, status=204)
    runs = []
    for folder, extra_for in (("plain", None), ("extra", extra_fields)):
        (tmp_path / folder).mkdir()
        application = build_app(database_template, tmp_path / folder)
        application.add_url_rule("/__ceroboh/<int:report_id>", "careless", careless, methods=["POST"])
        try:
            runs.append(_run(application, create_accounts(application), case, extra_for))
        finally:
            dispose_app(application)
    (status, plain, _), (_, loaded, _) = runs
    assert status == 204
    changed = {(table, column) for table, _key, column, *_ in _differences(plain, loaded)}
    assert {("daily_reports", "region_id"), ("daily_reports", "situation_level")} <= changed
