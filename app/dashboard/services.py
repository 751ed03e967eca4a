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
from ..meetings.services import overdue_count
from ..regions.models import Region, RegionKind
from ..reports.models import DailyReport
from ..reports.services import find_report


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
    elif user.region is not None:
        home.regions = _regions_below(session, user.region)
        home.contacts = _contacts(session, [r.id for r in home.regions] + [user.region.id])
    if user.role in (Role.ADMIN, Role.PROVINSI):
        home.pending_lapsus = pending_for(session, user.region)
    if user.region is not None:
        home.overdue_follow_ups = overdue_count(session, user.region, now.date())
    if user.role == Role.OPERATOR and user.region is not None:
        home.today = now.date()
        home.today_report = find_report(session, user.region.id, home.today)
    return home


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
