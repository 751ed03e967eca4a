"""`flask demo generate`: the national synthetic data set, generated small (three provinces, three weeks)."""

import hashlib
import random
import shutil
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, text

from app import clock
from app.audit import AuditLog
from app.auth.models import Role, User
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.maps.services import load_built_in_boundaries
from app.meetings.models import Attendance, Meeting
from app.regions.models import Region, RegionKind
from app.regions.services import load_built_in
from app.reports import services as report_services
from app.reports.compliance import is_late
from app.reports.models import DailyReport, ReportEvent, ReportItem, ReportStatus
from app.reports.search import ItemFilter, search_page
from app.reports.seed import load_issue_categories
from app.scoring import services as scoring_services
from app.scoring.models import IndexDefinition, IndexSource, PublishedScore
from app.scoring.rollup import refresh_form_score
from app.scoring.scoring import QuestionSpec, normalise
from app.scoring.seed import load_definitions
from app.surveys.models import Answer, Question, Response, Round
from app.surveys.services import load_examples
from app.synthetic import pipeline
from app.synthetic.generate import REPORTED_TABLES, generate
from app.synthetic.incidents import IncidentMaker
from app.synthetic.nation import province_facts
from app.synthetic.vocabulary import TextMaker, ZipfTable, load_words
from app.synthetic.world import Place, Plan

from .conftest import TEST_DATABASE_URL, _truncate_postgres, login, make_app

PROVINCES = ("62", "63", "94")  # WIB, WITA and WIT; Papua Tengah's regencies are generated
DAYS = 21
NOW = datetime(2026, 3, 10, 2, 30)  # 09.30 WIB, 10.30 WITA, 11.30 WIT: today's reports still coming in
SENSITIVE = {"users": ("password_hash", "session_token")}


def make(app, seed: int = 11):
    """Generate the small set into the app's database with `now` pinned; returns the Result."""
    plan = Plan(seed=seed, scale=DAYS / 365.25, years=1, now=NOW, provinces=PROVINCES)
    assert plan.days == DAYS
    with app.app_context():
        return generate(db.session, plan)


@pytest.fixture
def pinned(monkeypatch):
    """The app's clock at NOW (the regions import and the audit row read it)."""
    monkeypatch.setattr(clock, "utcnow", lambda: NOW.replace(tzinfo=UTC))


@pytest.fixture
def generated(app, pinned):
    """The app with the small set generated."""
    make(app)
    return app


def regencies_of_chosen(session) -> list[Region]:
    """The kab/kota of the three provinces."""
    stmt = select(Region).where(
        Region.kind.in_([RegionKind.KABUPATEN, RegionKind.KOTA]), func.substr(Region.code, 1, 2).in_(PROVINCES)
    )
    return list(session.scalars(stmt))


def test_all_indonesia_is_there_with_real_province_facts(generated):
    with generated.app_context():
        regions = db.session.scalars(select(Region).where(Region.kind != RegionKind.KECAMATAN)).all()
        provinces = {r.code: r for r in regions if r.kind == RegionKind.PROVINSI}
        regencies = [r for r in regions if r.is_regency]
        assert len(provinces) == 38 and len(regencies) == 514
        facts = province_facts()
        for fact in facts:
            mine = [r for r in regencies if r.code[:2] == fact.code]
            assert len([r for r in mine if r.kind == RegionKind.KOTA]) == fact.kota
            assert len(mine) == fact.kabupaten + fact.kota
            assert all(r.timezone == fact.timezone for r in mine)
            assert provinces[fact.code].population == sum(r.population for r in mine)
        assert all(r.kind == RegionKind.KOTA for r in regencies if int(r.code[3:]) >= 71)
        assert len({r.name for r in regencies}) == 514
        # The built-in regencies keep their real names.
        assert db.session.scalars(select(Region.name).where(Region.code == "63.11")).one() == "Kab. Balangan"


def test_the_shape_is_in_the_expected_proportions_and_the_counts_are_reported(app, pinned):
    result = make(app)
    assert result.size > 1_000_000 and result.seconds > 0
    with app.app_context():
        session = db.session
        regencies = regencies_of_chosen(session)

        def count(model) -> int:
            """Rows of a table."""
            return session.scalar(select(func.count()).select_from(model))

        roles = Counter(session.scalars(select(User.role)))
        assert roles[Role.ADMIN] == 1 and roles[Role.PROVINSI] == 2 * 3 and roles[Role.PIMPINAN] == 3
        assert roles[Role.FASILITATOR] == len(regencies) <= roles[Role.OPERATOR] <= 2 * len(regencies)
        reports = count(DailyReport)
        assert 0.85 * len(regencies) * DAYS <= reports <= len(regencies) * DAYS
        filed = session.scalar(select(func.count()).where(DailyReport.nihil.is_(False)))
        assert 2.8 <= count(ReportItem) / filed <= 4.2
        assert 0.03 <= session.scalar(select(func.count()).where(DailyReport.nihil)) / reports <= 0.25
        meetings = count(Meeting)
        assert 0.5 * (len(regencies) + 3) <= meetings <= 4 * (len(regencies) + 3)
        assert 16 <= count(Attendance) / meetings <= 30
        assert 14 <= count(Answer) / count(Response) <= 21
        assert result.counts == row_counts_now(session)


def row_counts_now(session) -> dict[str, int]:
    """Rows per reported table."""
    return {name: session.execute(text(f"SELECT count(*) FROM {name}")).scalar_one() for name in REPORTED_TABLES}


def test_about_five_percent_of_days_are_missing_and_dates_follow_local_calendars(generated):
    with generated.app_context():
        session = db.session
        regencies = {r.id: r for r in regencies_of_chosen(session)}
        now = NOW.replace(tzinfo=UTC)
        rows = session.execute(
            select(
                DailyReport.region_id,
                DailyReport.report_date,
                DailyReport.created_at,
                DailyReport.first_submitted_at,
                DailyReport.submitted_at,
                DailyReport.updated_at,
            )
        ).all()
        old = 0
        for region_id, day, created, first, submitted, updated in rows:
            region = regencies[region_id]
            today = now.astimezone(region.zone).date()
            assert today - timedelta(days=DAYS - 1) <= day <= today
            midnight = datetime.combine(day, time(0), region.zone)
            assert midnight <= created <= updated <= now
            if first is not None:
                assert created <= first <= submitted <= now and first >= midnight
            old += day < today - timedelta(days=3)
        expected = len(regencies) * (DAYS - 4)
        assert 0.02 <= 1 - old / expected <= 0.09


def test_statuses_history_lateness_and_snapshots_match_the_workflow(generated):
    with generated.app_context():
        session = db.session
        reports = session.scalars(select(DailyReport)).unique().all()
        statuses = Counter(r.status for r in reports)
        assert statuses[ReportStatus.VERIFIED] > statuses[ReportStatus.SUBMITTED] > 0
        assert statuses[ReportStatus.DRAFT] > 0 and statuses[ReportStatus.RETURNED] >= 0
        resubmitted = 0
        for report in reports:
            events = report.events
            actions = [e.action for e in events]
            if report.status == ReportStatus.DRAFT:
                assert report.first_submitted_at is None and not events and not report.late
                continue
            assert actions[0] == ("nihil" if report.nihil else "submitted")
            assert events[0].at == report.first_submitted_at
            assert report.late == is_late(report.first_submitted_at, report_services.report_due(session, report))
            assert report.revision == actions.count("resubmitted")
            if report.nihil:
                assert not report.items and report.situation_level == 1
                assert report.summary == report_services.NIHIL_SUMMARY
            else:
                assert report.items and report.situation_level in (1, 2, 3, 4)
            if report.status == ReportStatus.VERIFIED:
                assert actions[-1] == "verified" and report.reviewed_by_id and report.reviewed_at == events[-1].at
            if report.status == ReportStatus.RETURNED:
                assert actions[-1] == "returned" and report.return_reasons
            last = [e for e in events if e.snapshot is not None][-1]
            assert last.snapshot == report_services.snapshot(report)  # what the service would have stored
            resubmitted += report.revision
        assert resubmitted > 0


def _search_rows(session) -> list:
    """What the full-text index holds for every item (SQLite: the FTS5 row; PostgreSQL: the tsvector)."""
    if session.get_bind().dialect.name == "sqlite":
        return session.execute(text("SELECT rowid, title, body, scope FROM report_item_search ORDER BY rowid")).all()
    return session.execute(text("SELECT id, search_vector::text FROM report_items ORDER BY id")).all()


def test_the_search_index_holds_what_the_triggers_write(generated):
    with generated.app_context():
        session = db.session
        sqlite = session.get_bind().dialect.name == "sqlite"
        if sqlite:
            triggers = session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).all()
            assert {"report_items_search_insert", "report_items_search_update"} <= set(triggers)
        else:
            assert session.scalar(
                text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_report_items_search_vector'")
            )
        before = _search_rows(session)
        assert len(before) == session.scalar(select(func.count()).select_from(ReportItem))
        # Touch every item: the update trigger rewrites its index entry from the row itself.
        session.execute(text("UPDATE report_items SET title = title"))
        assert _search_rows(session) == before
        session.rollback()
        item = session.scalars(select(ReportItem).order_by(ReportItem.id.desc())).first()
        word = max(item.what.split()[-8:], key=len).strip(".")
        admin = session.scalars(select(User).where(User.role == Role.ADMIN)).one()
        found = search_page(session, admin, ItemFilter(text=word), page=1, per_page=5000)
        assert item.id in {i.id for i in found.items}


def test_answers_belong_to_their_templates_and_every_province_has_a_ranking(generated):
    with generated.app_context():
        session = db.session
        rows = session.execute(
            select(Question, Answer.value, Round.survey_id, Response.round_id, Response.number)
            .join(Answer, Answer.question_id == Question.id)
            .join(Response, Answer.response_id == Response.id)
            .join(Round, Response.round_id == Round.id)
        ).all()
        numbers = defaultdict(set)
        for question, value, survey_id, round_id, number in rows:
            assert question.survey_id == survey_id
            if question.qtype.value != "text":
                spec = QuestionSpec(question.id, None, question.qtype.value, question.settings, question.reversed)
                assert normalise(spec, value) is not None, (question.code, value)
            numbers[round_id].add(number)
        forms = session.execute(select(Response.round_id, func.count()).group_by(Response.round_id)).all()
        assert all(len(numbers[round_id]) == count for round_id, count in forms)
        for response in session.scalars(select(Response).order_by(Response.id).limit(200)):
            stored = (response.score, response.dimension_scores)
            refresh_form_score(response)  # the rollup kept on each form is what the services would store
            assert stored == (response.score, response.dimension_scores)
            assert response.score is not None
        session.rollback()
        definitions = session.scalars(select(IndexDefinition)).all()
        for code in PROVINCES:
            province = session.scalars(select(Region).where(Region.code == code)).one()
            for definition in definitions:
                ranking = scoring_services.build_ranking(session, definition, province, NOW.date())
                assert ranking.total >= len(ranking.rows) // 2, (code, definition.name)
        published = session.scalar(
            select(func.count())
            .select_from(PublishedScore)
            .join(IndexDefinition)
            .where(IndexDefinition.source == IndexSource.PUBLISHED)
        )
        assert published == 2 * (len(PROVINCES) + len(regencies_of_chosen(session)))
        assert session.scalar(select(func.count()).where(AuditLog.action == "generate")) == 1


def _digest(session) -> dict[str, str]:
    """A hash of every generated table's rows, in id order (random password salts and tokens left out)."""
    digests = {}
    for name in REPORTED_TABLES:
        if name == "audit_log":
            continue
        columns = [c for c in db.metadata.tables[name].columns.keys() if c not in SENSITIVE.get(name, ())]
        rows = session.execute(text(f"SELECT {', '.join(columns)} FROM {name} ORDER BY id")).all()
        digests[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def _fresh(app, database_template, tmp_path):
    """Another app on an empty database with the built-in reference data (as the `app` fixture makes)."""
    if TEST_DATABASE_URL:
        other = app
        with other.app_context():
            db.session.remove()
            _truncate_postgres()
    else:
        tmp_path.mkdir(exist_ok=True)
        shutil.copy(database_template, tmp_path / "again.sqlite")
        other = make_app(f"sqlite:///{tmp_path / 'again.sqlite'}", tmp_path / "again")
    with other.app_context():
        load_built_in(db.session)
        load_issue_categories(db.session)
        load_examples(db.session, clock.utcnow())
        load_definitions(db.session)
        load_built_in_boundaries(db.session)
        db.session.commit()
    return other


def test_the_same_seed_gives_the_same_rows_made_forked_or_inline(app, pinned, database_template, tmp_path, monkeypatch):
    make(app, seed=5)
    with app.app_context():
        first = _digest(db.session)
    again = _fresh(app, database_template, tmp_path)
    monkeypatch.setattr(pipeline.threading, "active_count", lambda: 2)  # another thread: no fork, all inline
    make(again, seed=5)
    with again.app_context():
        assert _digest(db.session) == first
    other = _fresh(again, database_template, tmp_path / "third")
    make(other, seed=6)
    with other.app_context():
        assert _digest(db.session)["report_items"] != first["report_items"]


def test_incidents_carry_the_forms_fields_in_its_order():
    rng = random.Random(3)
    maker = IncidentMaker(TextMaker(ZipfTable(["warga", "desa", "lahan", "sengketa"]), rng), rng, {"bencana": 7})
    place = Place(1, "94.01", "Kab. Contoh", "Asia/Jayapura", timedelta(hours=9), date(2026, 3, 10), None)
    place.villages = ["Lemo"]
    item = maker.incident(place, date(2026, 3, 10), time(10, 0))
    assert tuple(item) == report_services.ITEM_FIELDS  # snapshots keep the fields in the form's order
    assert item["occurred_date"] <= "2026-03-10" and item["desa"] == "Desa Lemo"


def test_the_vocabulary_is_thousands_of_words_drawn_by_zipf():
    words = load_words()
    assert len(words) > 20_000 and len(set(words)) == len(words) and words[:3] == ["yang", "dan", "di"]
    drawn = Counter(TextMaker(ZipfTable(words), random.Random(1)).words(400_000))
    # 1/rank: the first word twice as common as the second, ten times the tenth; the tail is reached.
    assert 1.8 < drawn[words[0]] / drawn[words[1]] < 2.2 and 8 < drawn[words[0]] / drawn[words[9]] < 12
    assert len(drawn) > 15_000


def test_generated_logins_work_and_pages_show_the_history(generated):
    client = generated.test_client()
    assert login(client, "analis.kalsel", DEMO_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    with generated.app_context():
        resubmitted = db.session.scalars(
            select(DailyReport.id)
            .join(Region)
            .where(DailyReport.revision == 1, Region.code.like("63.%"))
            .order_by(DailyReport.id)
        ).first()
    page = client.get(f"/laporan/{resubmitted}")
    assert page.status_code == 200 and "diubah: Apa yang terjadi" in page.get_data(as_text=True)


def test_the_command_refuses_production_and_data_it_would_mix_with(app, runner, users):
    app.config["MODE"] = "production"
    refused = runner.invoke(args=["demo", "generate", "--scale", "0.01"])
    assert refused.exit_code != 0 and "produksi" in refused.output
    app.config["MODE"] = "testing"
    occupied = runner.invoke(args=["demo", "generate", "--scale", "0.01"])
    assert occupied.exit_code != 0 and "sudah berisi data (users)" in occupied.output


def test_the_command_reports_rows_time_and_size(app, runner):
    result = runner.invoke(args=["demo", "generate", "--scale", "0.005", "--years", "1", "--provinces", "63"])
    assert result.exit_code == 0, result.output
    assert "daily_reports" in result.output and "ukuran basis data" in result.output
    assert "analis.kalsel" in result.output and DEMO_PASSWORD in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DailyReport)) > 0
        events = db.session.scalar(select(func.count()).select_from(ReportEvent))
        assert events >= db.session.scalar(select(func.count()).where(DailyReport.first_submitted_at.is_not(None)))


def test_force_starts_a_fresh_sqlite_file_and_is_refused_on_postgresql(app, runner, users):
    result = runner.invoke(
        args=["demo", "generate", "--force", "--scale", "0.005", "--years", "1", "--provinces", "63"]
    )
    if TEST_DATABASE_URL:
        assert result.exit_code != 0 and "hanya untuk berkas SQLite" in result.output
        return
    assert result.exit_code == 0, result.output
    with app.app_context():
        names = set(db.session.scalars(select(User.username)))
        assert "operator.balangan" in names and "operator" not in names  # the fixture's accounts went with the file
