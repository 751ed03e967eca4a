"""Mass assignment (S2): fields a form does not offer are ignored, whatever a client posts."""

from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from app.reports.models import DailyReport, ReportStatus
from app.scoring.models import IndexDefinition, PublishedScore

from .conftest import PASSWORD, login
from .factories import make_report, region

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
