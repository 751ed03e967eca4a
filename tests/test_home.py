"""Each role's home page: what needs doing today, in a handful of queries; the regency profile."""

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from app import clock
from app.extensions import db
from app.meetings import services as meeting_services
from app.meetings.models import MeetingKind
from app.meetings.services import FollowUpData, MeetingData
from app.reports import services as report_services
from app.reports.models import Aspect, DailyReport, ThreatLevel
from app.surveys import services as survey_services
from app.surveys.models import Survey

from .conftest import login
from .factories import make_report, region, user


def _count_selects(app, client, url):
    statements = []
    with app.app_context():
        engine = db.engine

    def listener(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return response.get_data(as_text=True), len(statements)


@pytest.fixture
def busy_regency(app, users, pin_clock):
    """Balangan at 10.00 WITA: a returned report, follow-ups (one overdue), a meeting ahead, an open round."""
    pin_clock(10)
    with app.app_context():
        today = clock.local_today("Asia/Makassar")
    returned = make_report(app, day=today - timedelta(days=3), submit=True)
    with app.app_context():
        report = db.session.get(DailyReport, returned)
        report_services.return_report(db.session, report, user("analis"), clock.utcnow(), ["lokasi"], "Desa?")
        facilitator = user("fasilitator")
        data = MeetingData(
            "Rakor Pilkada", MeetingKind.RAKOR_KEWASPADAAN, clock.utcnow() + timedelta(days=2), None, "Aula"
        )
        meeting = meeting_services.create_meeting(db.session, facilitator, region("63.11"), data)
        for days, text in ((-2, "Patroli gabungan"), (3, "Sosialisasi netralitas ASN"), (20, "Evaluasi akhir")):
            meeting_services.add_follow_up(
                db.session,
                meeting,
                facilitator,
                FollowUpData(text, "Polres", region("63.11").id, today + timedelta(days=days)),
            )
        survey = db.session.scalars(select(Survey).where(Survey.is_example).order_by(Survey.id)).first()
        round_ = survey_services.open_round(
            db.session, facilitator, survey, region("63.11"), "Survei Pilkada", 20, False, None
        )
        form = survey_services.next_form(db.session, round_, facilitator)
        form.completed = True
        db.session.commit()
    return {"today": today, "returned": returned}


def test_operator_home_shows_deadline_returned_follow_ups_meetings_rounds(app, busy_regency):
    client = app.test_client()
    login(client, "operator")
    html, queries = _count_selects(app, client, "/")
    assert "Batas pukul 12.00 WITA" in html and "2 jam 0 menit lagi" in html
    assert "Laporan dikembalikan provinsi (1)" in html and "Desa?" in html
    assert "Patroli gabungan" in html and "Lewat batas" in html
    assert "Sosialisasi netralitas ASN" in html and "Evaluasi akhir" not in html  # beyond this week
    assert "Rakor Pilkada" in html
    assert "Survei Pilkada" in html and "1 dari 20 formulir" in html
    assert queries <= 12, queries


def test_operator_sees_when_the_deadline_has_passed(app, users, pin_clock):
    pin_clock(13, 30)
    client = app.test_client()
    login(client, "operator")
    assert "lewat 1 jam 30 menit" in client.get("/").get_data(as_text=True)


def test_province_home_shows_compliance_review_queue_and_hot_spots(app, busy_regency):
    make_report(app, "operator.tala", submit=True, threat_level=ThreatLevel.TINGGI, aspect=Aspect.EKONOMI)
    client = app.test_client()
    login(client, "analis")
    html, queries = _count_selects(app, client, "/")
    assert "Laporan hari ini: 1 dari 13 sudah lapor, 1 tepat waktu" in html
    missing = html.split('class="compact-list missing-list"')[1].split("</ul>")[0]
    assert "Kab. Balangan" in missing and "Operator Balangan" in missing and "0811000111" in missing
    assert "Kab. Tanah Laut" not in missing
    assert "Menunggu diperiksa (1)" in html
    assert '<span class="stat">1</span> Ekonomi' in html
    assert "Kab. Balangan: <strong>1</strong>" in html  # one overdue follow-up
    assert 'id="peta"' in html
    assert queries <= 24, queries  # measured 23 with the map and the ranking snapshot


def test_pimpinan_home_shows_the_situation_trends_and_top_issues(app, users, pin_clock):
    pin_clock(10)
    make_report(app, "operator.tala", submit=True, level=3, items=2, aspect=Aspect.POLITIK)
    client = app.test_client()
    login(client, "pimpinan")
    html, queries = _count_selects(app, client, "/")
    situation = html.split('id="situasi-hari-ini"')[1].split("</table>")[0]
    assert "Kab. Tanah Laut" in situation and "Siaga" in situation and "belum lapor" in situation
    assert html.count('<svg class="sparkline"') == 5
    assert 'aria-label="Politik: 2 kejadian dalam 30 hari"' in html
    assert queries <= 20, queries


def test_profile_gathers_a_regency_in_one_place(app, busy_regency):
    client = app.test_client()
    login(client, "analis")
    with app.app_context():
        balangan, kalteng, kecamatan = region("63.11").id, region("62.71").id, region("63.11.01").id
    returned_month = busy_regency["today"] - timedelta(days=3)
    # The calendar shows one month: ask for the returned day's (early in a month it is the previous one).
    html, queries = _count_selects(app, client, f"/profil/{balangan}?bulan={returned_month:%Y-%m}")
    assert "<h1>Kab. Balangan</h1>" in html
    assert "Dikembalikan" in html  # the calendar shows the returned day
    assert "Rakor Pilkada" in html and "Patroli gabungan" in html and "Survei Pilkada" in html
    assert "Kartu skor lengkap" in html
    assert queries <= 30, queries  # measured 29: a ranking per index edition for the scores panel
    assert client.get(f"/profil/{kalteng}").status_code == 404
    assert client.get(f"/profil/{kecamatan}").status_code == 404
    operator = app.test_client()
    login(operator, "operator.tala")
    assert operator.get(f"/profil/{balangan}").status_code == 404  # another regency's operator
    assert client.get(f"/profil/{balangan}?bulan=2024-13").status_code == 200  # a bad month: this month
