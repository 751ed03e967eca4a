"""What the home page shows for each role; a few small queries, nothing scanned over history."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import clock
from ..audit import AuditLog
from ..auth.models import Role, User
from ..lapsus.models import SpecialReport
from ..lapsus.services import pending_for
from ..regions.models import Region, RegionKind
from ..regions.services import office_for, province_of
from ..reports.models import DailyReport
from ..reports.services import find_report
from . import panels


@dataclass
class Home:
    """The data of one user's home page."""

    greeting: str
    local_now: object
    region: Region | None
    regions: list[Region] = field(default_factory=list)
    contacts: dict[int, list[User]] = field(default_factory=dict)
    user_counts: dict[str, int] = field(default_factory=dict)
    region_counts: dict[str, int] = field(default_factory=dict)
    recent_audit: list[AuditLog] = field(default_factory=list)
    pending_lapsus: list[SpecialReport] = field(default_factory=list)
    today_report: DailyReport | None = None
    today: date | None = None
    overdue_follow_ups: int = 0
    # regency staff
    deadline: panels.Deadline | None = None
    returned: list[DailyReport] = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    rounds: list[panels.RoundProgress] = field(default_factory=list)
    # province analysts
    compliance: panels.Compliance | None = None
    review: list[DailyReport] = field(default_factory=list)
    review_total: int = 0
    high_items: dict = field(default_factory=dict)
    overdue_regencies: list = field(default_factory=list)
    ranking: object = None
    # pimpinan
    situations: list[panels.Situation] = field(default_factory=list)
    trends: list[panels.Trend] = field(default_factory=list)
    top_issues: list[tuple[str, int]] = field(default_factory=list)


def greeting_for(hour: int) -> str:
    """Selamat pagi/siang/sore/malam by the local hour."""
    if 4 <= hour < 11:
        return "Selamat pagi"
    if 11 <= hour < 15:
        return "Selamat siang"
    if 15 <= hour < 19:
        return "Selamat sore"
    return "Selamat malam"


def build_home(session: Session, user: User, default_zone: str) -> Home:
    """Assemble the home page of `user`."""
    now = clock.local_now(user.timezone or default_zone)
    home = Home(greeting=greeting_for(now.hour), local_now=now, region=user.region)
    if user.role == Role.ADMIN:
        home.user_counts = {
            role: count
            for role, count in session.execute(
                select(User.role, func.count()).where(User.active).group_by(User.role)
            ).all()
        }
        home.region_counts = {
            kind.value: count
            for kind, count in session.execute(select(Region.kind, func.count()).group_by(Region.kind)).all()
        }
        home.recent_audit = list(session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(8)))
    elif user.region is not None and user.role != Role.PIMPINAN:
        home.regions = _regions_below(session, user.region)
        home.contacts = _contacts(session, [r.id for r in home.regions] + [user.region.id])
    if user.role in (Role.ADMIN, Role.PROVINSI):
        home.pending_lapsus = pending_for(session, user.region)
    region = user.region
    if region is None:
        return home
    utc_now = clock.utcnow()
    today = now.date()
    if not region.is_province:
        _regency_panels(session, user, home, region, today, utc_now)
    elif user.role == Role.PROVINSI:
        home.compliance = panels.compliance_today(session, region, utc_now)
        home.review, home.review_total = panels.awaiting_review(session, region)
        home.high_items = panels.high_items_by_aspect(session, user, region, today)
        home.overdue_regencies = panels.overdue_by_regency(session, region, today)
        home.overdue_follow_ups = sum(count for _, count in home.overdue_regencies)
        home.ranking = panels.ranking_snapshot(session, region, today)
    elif user.role == Role.PIMPINAN:
        home.situations = panels.situation_today(session, user, region, today)
        home.trends = panels.trends(session, user, region, today)
        home.top_issues = panels.top_issues(session, user, region, today)
        home.ranking = panels.ranking_snapshot(session, region, today)
    return home


def _regency_panels(session: Session, user: User, home: Home, region: Region, today: date, utc_now) -> None:
    """Operators and facilitators: today's report and its deadline, things returned or due, meetings, rounds."""
    home.follow_ups = panels.open_follow_ups(session, region, today)
    home.overdue_follow_ups = sum(1 for f in home.follow_ups if f.due_date < today)
    home.meetings = panels.upcoming_meetings(session, region, utc_now)
    home.rounds = panels.open_rounds(session, region)
    if user.role == Role.OPERATOR:
        home.today = today
        home.today_report = find_report(session, region.id, today)
        home.deadline = panels.deadline_for(office_for(session, province_of(region)), region, today, utc_now)
        home.returned = panels.returned_reports(session, region)


def _regions_below(session: Session, region: Region) -> list[Region]:
    """The kabupaten/kota of a province, or the kecamatan of a kabupaten/kota."""
    kinds = [RegionKind.KABUPATEN, RegionKind.KOTA] if region.is_province else [RegionKind.KECAMATAN]
    stmt = select(Region).where(Region.parent_id == region.id, Region.kind.in_(kinds)).order_by(Region.code)
    return list(session.scalars(stmt))


def _contacts(session: Session, region_ids: list[int]) -> dict[int, list[User]]:
    """Active operators and facilitators per region: who to call about a region's reports."""
    contacts: dict[int, list[User]] = {}
    stmt = (
        select(User)
        .where(User.region_id.in_(region_ids), User.active, User.role.in_([Role.OPERATOR, Role.FASILITATOR]))
        .order_by(User.full_name)
    )
    for person in session.scalars(stmt):
        contacts.setdefault(person.region_id, []).append(person)
    return contacts
