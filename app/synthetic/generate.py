"""`flask demo generate`: a deterministic national data set, written in bulk.

Order: the national regions through the real (audited) import, then accounts, offices, five years of
daily reports with items, events, notifications and LAPSUS, meetings, questionnaire rounds and published
results straight into the tables. Synthetic rows carry no per-row audit; one audit row records the run.
"""

import time
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit
from ..auth.models import User
from ..auth.passwords import hash_password
from ..demo import DEMO_PASSWORD
from ..extensions import db
from ..meetings.models import Meeting, Participant
from ..notifications.services import link
from ..regions.models import Office, Region, RegionKind
from ..reports.models import DailyReport, IssueCategory
from ..surveys.models import Round
from .accounts import make_accounts, make_offices
from .bulk import BulkWriter, SearchIndex, database_size, finish_postgres, row_counts
from .meetings import MeetingMaker
from .nation import load_nation, province_facts
from .pipeline import run_in_producer
from .reports import ReportMaker
from .surveys import SurveyMaker, load_templates, make_published, published_definitions
from .vocabulary import ZipfTable, load_words
from .world import Plan, World, draw_habits, load_places

# What a generated data set must not be written over: anything people (or the demo) made.
OCCUPIED = (User, Office, DailyReport, Meeting, Participant, Round)
REPORTED_TABLES = (
    "regions",
    "users",
    "offices",
    "daily_reports",
    "report_items",
    "report_events",
    "special_reports",
    "notifications",
    "participants",
    "meetings",
    "agenda_items",
    "attendance",
    "follow_ups",
    "survey_rounds",
    "survey_responses",
    "survey_answers",
    "published_scores",
    "audit_log",
)
PLACEHOLDER = 987654321


class GenerateError(Exception):
    """The generator refuses to run (the message says why)."""


@dataclass
class Result:
    """What a run made and what it cost."""

    counts: dict[str, int]
    seconds: float
    size: int
    phases: list[tuple[str, float]] = field(default_factory=list)


class Stopwatch:
    """Time per part of the run."""

    def __init__(self):
        self.started = self.last = time.perf_counter()
        self.phases: list[tuple[str, float]] = []

    def lap(self, name: str) -> None:
        """Close the part that just ended."""
        now = time.perf_counter()
        self.phases.append((name, now - self.last))
        self.last = now

    @property
    def total(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.started


def occupied_tables(session: Session) -> list[str]:
    """The tables that already hold rows a generated set would mix with."""
    return [model.__tablename__ for model in OCCUPIED if session.scalar(select(func.count()).select_from(model)) > 0]


def rounds_for(plan: Plan) -> int:
    """Questionnaire rounds per regency: one per template and year at scale 1 (two at least, see run)."""
    return round(2 * plan.years * plan.scale)


def generate(session: Session, plan: Plan) -> Result:
    """Build the data set into the (empty, migrated) database of `session`; returns counts, time and size."""
    if occupied_tables(session):
        raise GenerateError(f"Basis data sudah berisi data ({', '.join(occupied_tables(session))}).")
    watch = Stopwatch()
    # Provinces whose regencies are built in keep the demo's operator names (operator.tapin).
    builtin = {r.code[:2] for r in session.scalars(select(Region).where(Region.kind != RegionKind.PROVINSI))}
    load_nation(session)
    session.commit()
    provinces = [p for p in load_places(session, plan.now) if not plan.provinces or p.code in plan.provinces]
    unknown = set(plan.provinces) - {p.code for p in provinces}
    if unknown:
        raise GenerateError(f"Provinsi tidak dikenal: {', '.join(sorted(unknown))}.")
    templates = load_templates(session)
    published = published_definitions(session)
    categories = {c.code: c.id for c in session.scalars(select(IssueCategory))}
    capitals = {f.code: f.capital for f in province_facts()}
    password_hash = hash_password(DEMO_PASSWORD)  # once: every account shares it
    report_path = link("reports.detail", report_id=PLACEHOLDER).replace(str(PLACEHOLDER), "{}")
    lapsus_path = link("lapsus.detail", lapsus_id=PLACEHOLDER).replace(str(PLACEHOLDER), "{}")
    watch.lap("wilayah")
    table = ZipfTable(load_words())
    engine = db.engine
    session.close()
    engine.dispose()  # the load switches SQLite's journal mode, which needs the only connection
    writer = BulkWriter(engine)
    search = SearchIndex(writer)
    try:
        search.suspend()
        world = World(plan, writer, table, provinces, categories=categories, search=search.direct)
        draw_habits(plan, provinces)
        make_accounts(world, password_hash, builtin)
        make_offices(world, capitals)
        writer.commit()
        watch.lap("akun dan kantor")
        reports = ReportMaker(world, report_path, lapsus_path)
        meetings = MeetingMaker(world)
        surveys = SurveyMaker(world, templates, meetings.held)

        def work(shipper) -> None:
            """Everything with many rows, in order (run by the producer process)."""
            for maker in (reports, meetings, surveys):
                maker.writer = shipper
            reports.run(plan.days)
            shipper.phase("laporan harian")
            meetings.run(plan.days)
            shipper.phase("rapat")
            surveys.run(rounds_for(plan))
            shipper.phase("kuesioner")

        run_in_producer(writer, work, watch.lap)
        make_published(world, published)
        search.restore()
        writer.close()
    except BaseException:
        writer.abort()
        search.restore_after_failure(engine)
        raise
    finish_postgres(engine, [name for name in writer.counts if name in db.metadata.tables])
    watch.lap("indeks dan statistik")
    counts = row_counts(REPORTED_TABLES)
    audit.record(
        session,
        "generate",
        entity="demo",
        changes={
            "seed": plan.seed,
            "scale": plan.scale,
            "years": plan.years,
            "days": plan.days,
            "rows": counts,
            "note": "Data sintetis dimuat langsung ke tabel; baris-barisnya tanpa catatan audit masing-masing.",
        },
    )
    session.commit()
    counts["audit_log"] += 1
    return Result(counts, watch.total, database_size(engine), watch.phases)
