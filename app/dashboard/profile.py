"""A regency's profile: its reports this month, recent items, meetings, follow-ups, rounds and scores."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..access import scope_classified
from ..auth.models import User
from ..meetings.models import FollowUp, FollowUpStatus, Meeting
from ..regions.models import Region
from ..regions.services import province_of
from ..reports.board import BoardRow, build_board, month_window
from ..reports.models import DailyReport, ReportItem
from ..scoring import services as scoring_services
from ..surveys.models import Response, Round
from .panels import SUBMITTED, RoundProgress


@dataclass
class Profile:
    """Everything the profile page shows."""

    region: Region
    province: Region
    month: BoardRow | None
    month_first: date
    items: list[tuple[ReportItem, DailyReport]] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    rounds: list[RoundProgress] = field(default_factory=list)
    scores: list[tuple[scoring_services.Ranking, scoring_services.RankRow]] = field(default_factory=list)


def build_profile(session: Session, user: User, region: Region, month: date, now: datetime) -> Profile:
    """Gather the profile of `region` for `month` (a handful of queries; the board is built once)."""
    province = province_of(region)
    board = build_board(session, province, month_window(month), now)
    profile = Profile(region, province, next((r for r in board.rows if r.region.id == region.id), None), month)
    recent = scope_classified(
        select(ReportItem, DailyReport)
        .join(DailyReport, ReportItem.report_id == DailyReport.id)
        .where(DailyReport.region_id == region.id, DailyReport.status.in_(SUBMITTED)),
        user,
        DailyReport.region_id,
        DailyReport.classification,
    )
    profile.items = [
        (item, report)
        for item, report in session.execute(
            recent.order_by(DailyReport.report_date.desc(), ReportItem.id.desc()).limit(10)
        )
    ]
    meetings = select(Meeting).where(Meeting.region_id == region.id).order_by(Meeting.starts_at.desc())
    profile.meetings = list(session.scalars(meetings.limit(5)))
    profile.follow_ups = list(
        session.scalars(
            select(FollowUp)
            .where(FollowUp.region_id == region.id, FollowUp.status != FollowUpStatus.SELESAI)
            .order_by(FollowUp.due_date)
            .limit(20)
        )
    )
    done = (
        select(Response.round_id, func.count().label("done"))
        .where(Response.completed, Response.first_entry_id.is_(None))
        .group_by(Response.round_id)
        .subquery()
    )
    profile.rounds = [
        RoundProgress(round_, count)
        for round_, count in session.execute(
            select(Round, func.coalesce(done.c.done, 0))
            .outerjoin(done, done.c.round_id == Round.id)
            .where(Round.region_id == region.id)
            .order_by(Round.created_at.desc())
            .limit(10)
        )
    ]
    today = now.astimezone(province.zone).date()
    for definition in scoring_services.ordered_definitions(session):
        ranking = scoring_services.build_ranking(session, definition, province, today, with_previous=False)
        row = next((r for r in ranking.rows if r.region.id == region.id), None)
        if row is not None and row.score.mean is not None:
            profile.scores.append((ranking, row))
    return profile
