"""LAPSUS: file at once, correct until acknowledged, acknowledged by the province.

Services flush but never commit. Refusals raise ReportError (with the form field); a save
from an old version raises StaleEdit, as for daily reports.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..auth.models import Role, User
from ..notifications import services as notifications
from ..regions.models import Region
from ..regions.services import province_of, subtree_condition
from ..reports.models import Classification
from ..reports.services import ItemData, ReportError, StaleEdit, apply_incident, validate_incident
from .models import SpecialReport

FUTURE_DATE = "Tanggal kejadian tidak boleh sesudah hari ini."


def can_file(user: User) -> bool:
    """Operators file LAPSUS for their own kabupaten/kota."""
    return user.role == Role.OPERATOR and user.region is not None and user.region.is_regency


def file_lapsus(
    session: Session, user: User, data: ItemData, classification: Classification, now: datetime
) -> SpecialReport:
    """File an urgent report for the operator's regency, at once."""
    if not can_file(user):
        raise ReportError("Hanya operator kabupaten/kota yang dapat mengirim laporan khusus.")
    region = user.region
    validate_incident(session, region, clock.local_today(region.timezone), data, FUTURE_DATE)
    lapsus = SpecialReport(region=region, classification=classification, filed_by_id=user.id, filed_at=now)
    apply_incident(lapsus, data)
    session.add(lapsus)
    session.flush()
    notifications.lapsus_filed(session, lapsus)
    return lapsus


def may_edit(user: User, lapsus: SpecialReport) -> bool:
    """The regency's operator corrects a LAPSUS until the province has acknowledged it."""
    return can_file(user) and user.region_id == lapsus.region_id and lapsus.acknowledged_at is None


def update_lapsus(
    session: Session,
    lapsus: SpecialReport,
    user: User,
    data: ItemData,
    classification: Classification,
    version: int | None,
) -> None:
    """Correct a LAPSUS not yet acknowledged."""
    if not may_edit(user, lapsus):
        raise ReportError("Laporan khusus yang sudah ditanggapi tidak dapat diubah.")
    if version is not None and version != lapsus.version:
        raise StaleEdit(lapsus)
    validate_incident(session, lapsus.region, clock.local_today(lapsus.region.timezone), data, FUTURE_DATE)
    apply_incident(lapsus, data)
    lapsus.classification = classification
    session.flush()


def may_acknowledge(user: User, lapsus: SpecialReport) -> bool:
    """The analysts of the LAPSUS's province, and administrators."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.PROVINSI and user.region_id == province_of(lapsus.region).id


def acknowledge(
    session: Session, lapsus: SpecialReport, user: User, note: str | None, version: int | None, now: datetime
) -> None:
    """Record that the province has read and handled the LAPSUS; once only."""
    if not may_acknowledge(user, lapsus):
        raise ReportError("Hanya analis provinsi yang dapat menanggapi laporan khusus ini.")
    if lapsus.acknowledged_at is not None:
        raise StaleEdit(lapsus)
    if version is not None and version != lapsus.version:
        raise StaleEdit(lapsus)
    lapsus.acknowledged_at = now
    lapsus.acknowledged_by_id = user.id
    lapsus.acknowledgement_note = (note or "").strip() or None
    session.flush()


def pending_for(session: Session, province: Region | None, limit: int = 20) -> list[SpecialReport]:
    """Unacknowledged LAPSUS of a province (all provinces for None), oldest first."""
    stmt = (
        select(SpecialReport)
        .join(Region, SpecialReport.region_id == Region.id)
        .where(SpecialReport.acknowledged_at.is_(None))
    )
    if province is not None:
        stmt = stmt.where(subtree_condition(province.code))
    return list(session.scalars(stmt.order_by(SpecialReport.filed_at).limit(limit)))
