"""The panels of the home pages: each one a small query (or a grouped one), never a scan of all history."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..access import scope_classified
from ..auth.models import User
from ..meetings.models import FollowUp, FollowUpStatus, Meeting
from ..regions.models import Office, Region
from ..regions.services import subtree_condition
from ..reports.board import Window, build_board
from ..reports.compliance import SUBMITTED_STATES, CellState, deadline_utc
from ..reports.models import Aspect, DailyReport, IssueCategory, ReportItem, ReportStatus, ThreatLevel
from ..scoring import services as scoring_services
from ..surveys.models import Response, Round, RoundStatus

SUBMITTED = (ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.VERIFIED)
TREND_DAYS = 30
RECENT_DAYS = 7


# ---------------------------------------------------------------- regency staff


@dataclass(frozen=True)
class Deadline:
    """Today's report deadline in the regency's own time and what is left of it."""

    due_local: datetime
    minutes_left: int

    @property
    def text(self) -> str:
        """'2 jam 15 menit lagi' or 'lewat 40 menit'."""
        minutes = abs(self.minutes_left)
        hours, rest = divmod(minutes, 60)
        span = (f"{hours} jam " if hours else "") + f"{rest} menit"
        return f"{span} lagi" if self.minutes_left >= 0 else f"lewat {span}"


def deadline_for(office: Office, regency: Region, today: date, now: datetime) -> Deadline:
    """When today's report is due (the province's deadline and grace, in the regency's zone)."""
    due = deadline_utc(today, office.report_deadline, office.report_grace_minutes, regency.timezone)
    return Deadline(due.astimezone(regency.zone), int((due - now).total_seconds() // 60))


def returned_reports(session: Session, region: Region) -> list[DailyReport]:
    """Reports sent back by the province, oldest first: the operator's to-do list."""
    stmt = (
        select(DailyReport)
        .where(DailyReport.region_id == region.id, DailyReport.status == ReportStatus.RETURNED)
        .order_by(DailyReport.report_date)
        .limit(20)
    )
    return list(session.scalars(stmt))


def open_follow_ups(session: Session, region: Region, today: date, days: int = 7) -> list[FollowUp]:
    """Open follow-ups of the region overdue or due within `days`, most urgent first."""
    stmt = (
        select(FollowUp)
        .where(
            FollowUp.region_id == region.id,
            FollowUp.status != FollowUpStatus.SELESAI,
            FollowUp.due_date <= today + timedelta(days=days),
        )
        .order_by(FollowUp.due_date)
        .limit(20)
    )
    return list(session.scalars(stmt))


def upcoming_meetings(session: Session, region: Region, now: datetime, limit: int = 5) -> list[Meeting]:
    """The region's next meetings."""
    stmt = select(Meeting).where(Meeting.region_id == region.id, Meeting.starts_at >= now)
    return list(session.scalars(stmt.order_by(Meeting.starts_at).limit(limit)))


@dataclass(frozen=True)
class RoundProgress:
    """An open questionnaire round and how many forms are done."""

    round: Round
    done: int

    @property
    def percent(self) -> int | None:
        """Done against expected, 0–100."""
        return min(100, round(100 * self.done / self.round.expected_forms)) if self.round.expected_forms else None


def open_rounds(session: Session, region: Region) -> list[RoundProgress]:
    """Open rounds of the region with their completed first entries (one grouped query)."""
    done = (
        select(Response.round_id, func.count().label("done"))
        .where(Response.completed, Response.first_entry_id.is_(None))
        .group_by(Response.round_id)
        .subquery()
    )
    stmt = (
        select(Round, func.coalesce(done.c.done, 0))
        .outerjoin(done, done.c.round_id == Round.id)
        .where(Round.region_id == region.id, Round.status == RoundStatus.OPEN)
        .order_by(Round.created_at.desc())
        .limit(10)
    )
    return [RoundProgress(round_, count) for round_, count in session.execute(stmt)]


# ---------------------------------------------------------------- province analysts


@dataclass
class Compliance:
    """Today's reporting of a province: '9 dari 13 sudah lapor, 7 tepat waktu', and who is missing."""

    total: int
    reported: int
    on_time: int
    missing: list[Region] = field(default_factory=list)
    pending: bool = False  # the deadline has not passed for at least one missing regency
    office: Office | None = None


def compliance_today(session: Session, province: Region, now: datetime) -> Compliance:
    """Judge today's cell of each regency as the compliance board does."""
    today = now.astimezone(province.zone).date()
    board = build_board(session, province, Window("hari", today, today), now)
    result = Compliance(total=len(board.rows), reported=0, on_time=0, office=board.office)
    for row in board.rows:
        cell = row.cells[-1][1]
        if cell.state in SUBMITTED_STATES:
            result.reported += 1
            result.on_time += not cell.late
        else:
            result.missing.append(row.region)
            result.pending = result.pending or cell.state in (CellState.PENDING, CellState.DRAFT)
    return result


def awaiting_review(session: Session, province: Region, limit: int = 10) -> tuple[list[DailyReport], int]:
    """Submitted reports not yet reviewed, oldest first, and how many there are."""
    base = (
        select(DailyReport)
        .join(Region, DailyReport.region_id == Region.id)
        .where(subtree_condition(province.code), DailyReport.status == ReportStatus.SUBMITTED)
    )
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    rows = session.scalars(base.order_by(DailyReport.submitted_at).limit(limit))
    return list(rows), total or 0


def high_items_by_aspect(session: Session, user: User, province: Region, today: date) -> dict[Aspect, int]:
    """Rawan-tinggi items of the last 7 days per aspek (what the user may see)."""
    stmt = scope_classified(
        select(ReportItem.aspect, func.count())
        .join(DailyReport, ReportItem.report_id == DailyReport.id)
        .join(Region, DailyReport.region_id == Region.id)
        .where(
            subtree_condition(province.code),
            DailyReport.report_date >= today - timedelta(days=RECENT_DAYS - 1),
            DailyReport.status.in_(SUBMITTED),
            ReportItem.threat_level == ThreatLevel.TINGGI,
        )
        .group_by(ReportItem.aspect),
        user,
        DailyReport.region_id,
        DailyReport.classification,
    )
    return dict(session.execute(stmt).all())


def overdue_by_regency(session: Session, province: Region, today: date) -> list[tuple[Region, int]]:
    """Open follow-ups past due, per regency (largest first)."""
    stmt = (
        select(Region, func.count())
        .join(FollowUp, FollowUp.region_id == Region.id)
        .where(
            subtree_condition(province.code),
            FollowUp.status != FollowUpStatus.SELESAI,
            FollowUp.due_date < today,
        )
        .group_by(Region.id)
        .order_by(func.count().desc(), Region.code)
    )
    return [(region, count) for region, count in session.execute(stmt)]


def ranking_snapshot(session: Session, province: Region, today: date) -> scoring_services.Ranking | None:
    """The ranking of the first index edition (as on the ranking page), when it ranks any regency here."""
    definitions = scoring_services.ordered_definitions(session)
    if not definitions:
        return None
    ranking = scoring_services.build_ranking(session, definitions[0], province, today, with_previous=False)
    return ranking if ranking.total else None


# ---------------------------------------------------------------- pimpinan


@dataclass(frozen=True)
class Situation:
    """A regency's report of today: level, items, status (None when not reported)."""

    region: Region
    report: DailyReport | None
    items: int


def situation_today(session: Session, user: User, province: Region, today: date) -> list[Situation]:
    """Each regency's situasi umum today, with its number of items (two queries)."""
    from ..regions.services import regencies_of

    regencies = regencies_of(session, province)
    # Counted per report of today: a grouped count of every item ever filed took a second nationally.
    items = select(func.count()).where(ReportItem.report_id == DailyReport.id).correlate(DailyReport).scalar_subquery()
    stmt = scope_classified(
        select(DailyReport, items).where(
            DailyReport.region_id.in_([r.id for r in regencies]),
            DailyReport.report_date == today,
            DailyReport.status.in_(SUBMITTED),
        ),
        user,
        DailyReport.region_id,
        DailyReport.classification,
    )
    found = {report.region_id: (report, count) for report, count in session.execute(stmt)}
    return [Situation(r, *found.get(r.id, (None, 0))) for r in regencies]


@dataclass(frozen=True)
class Trend:
    """Items per day of one aspek over the window, oldest first."""

    aspect: Aspect
    counts: list[int]

    @property
    def total(self) -> int:
        """Items in the window."""
        return sum(self.counts)


def trends(session: Session, user: User, province: Region, today: date, days: int = TREND_DAYS) -> list[Trend]:
    """Items per aspek per day over the last `days` days (one grouped query)."""
    first = today - timedelta(days=days - 1)
    stmt = scope_classified(
        select(DailyReport.report_date, ReportItem.aspect, func.count())
        .join(ReportItem, ReportItem.report_id == DailyReport.id)
        .join(Region, DailyReport.region_id == Region.id)
        .where(subtree_condition(province.code), DailyReport.report_date >= first, DailyReport.status.in_(SUBMITTED))
        .group_by(DailyReport.report_date, ReportItem.aspect),
        user,
        DailyReport.region_id,
        DailyReport.classification,
    )
    grid: dict[Aspect, list[int]] = defaultdict(lambda: [0] * days)
    for day, aspect, count in session.execute(stmt):
        grid[aspect][(day - first).days] = count
    return [Trend(aspect, grid[aspect]) for aspect in Aspect]


def top_issues(session: Session, user: User, province: Region, today: date, limit: int = 5) -> list[tuple[str, int]]:
    """The most reported issue categories of the last 30 days."""
    stmt = scope_classified(
        select(IssueCategory.name, func.count())
        .select_from(ReportItem)
        .join(IssueCategory, ReportItem.category_id == IssueCategory.id)
        .join(DailyReport, ReportItem.report_id == DailyReport.id)
        .join(Region, DailyReport.region_id == Region.id)
        .where(
            subtree_condition(province.code),
            DailyReport.report_date >= today - timedelta(days=TREND_DAYS - 1),
            DailyReport.status.in_(SUBMITTED),
        )
        .group_by(IssueCategory.name)
        .order_by(func.count().desc(), IssueCategory.name)
        .limit(limit),
        user,
        DailyReport.region_id,
        DailyReport.classification,
    )
    return [(name, count) for name, count in session.execute(stmt)]


def sparkline(values: list[int], width: int = 160, height: int = 32, pad: int = 2) -> str:
    """The points of a small line of counts (pure; the highest count touches the top)."""
    top = max(values, default=0) or 1
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    return " ".join(
        f"{pad + i * step:.1f},{height - pad - value / top * (height - 2 * pad):.1f}" for i, value in enumerate(values)
    )
