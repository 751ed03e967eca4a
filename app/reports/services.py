"""LAPSITDA workflow: start, edit, file nihil, submit, verify, return, reopen.

Services flush but never commit; the view commits once. Refusals raise ReportError (with the
form field they belong to); a save based on an old version raises StaleEdit with the current row.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth.models import Role, User
from ..notifications import services as notifications
from ..regions.models import Region, RegionKind
from ..regions.services import office_for, province_of
from .compliance import deadline_utc, is_late
from .models import (
    RETURN_REASONS,
    Aspect,
    Classification,
    DailyReport,
    IssueCategory,
    ReportEvent,
    ReportItem,
    ReportStatus,
    SourceKind,
    ThreatLevel,
)

NIHIL_SUMMARY = "Situasi kondusif, nihil kejadian."
# How far back a late report may be filed.
MAX_BACKFILL_DAYS = 366


class ReportError(Exception):
    """A refused report operation; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleEdit(Exception):
    """The row changed since the form was loaded; `current` is the row as it is now."""

    def __init__(self, current):
        super().__init__("stale edit")
        self.current = current


@dataclass
class HeaderData:
    """The report's own fields."""

    situation_level: int | None
    summary: str | None
    classification: Classification


@dataclass
class ItemData:
    """The fields of one incident, as the item form carries them."""

    aspect: Aspect
    category_id: int | None
    title: str
    what: str
    occurred_date: date
    occurred_time: time | None
    kecamatan_id: int | None
    desa: str | None
    latitude: float | None
    longitude: float | None
    actors: str | None
    how: str | None
    why: str | None
    source_kind: SourceKind | None
    source_detail: str | None
    source_reliability: str | None
    info_credibility: int | None
    analysis: str | None
    prediction: str | None
    steps_taken: str | None
    recommendation: str | None
    threat_level: ThreatLevel


ITEM_FIELDS = tuple(f.name for f in fields(ItemData))


def situation_levels() -> list[str]:
    """The configured situasi umum scale, level 1 first (default Kondusif, Waspada, Siaga, Awas)."""
    return list(current_app.config["SITUATION_LEVELS"])


def report_due(session: Session, report: DailyReport) -> datetime:
    """When `report` is due, by its province's deadline and the regency's time zone."""
    return deadline_for_day(session, report.region, report.report_date)


def deadline_for_day(session: Session, region: Region, day: date) -> datetime:
    """When a region's report for `day` is due."""
    office = office_for(session, province_of(region))
    return deadline_utc(day, office.report_deadline, office.report_grace_minutes, region.timezone)


def unreported_days(session: Session, region: Region, today: date, days: int) -> list[date]:
    """Days before today, within `days`, for which the region has not submitted a report (newest first)."""
    first = today - timedelta(days=days)
    stmt = select(DailyReport.report_date).where(
        DailyReport.region_id == region.id,
        DailyReport.report_date.between(first, today - timedelta(days=1)),
        DailyReport.first_submitted_at.is_not(None),
    )
    done = set(session.scalars(stmt))
    return [today - timedelta(days=n) for n in range(1, days + 1) if today - timedelta(days=n) not in done]


def can_file(user: User, region: Region) -> bool:
    """Only the region's own operators write its daily reports."""
    return user.role == Role.OPERATOR and user.region_id == region.id


def find_report(session: Session, region_id: int, report_date: date) -> DailyReport | None:
    """The report of a region for a date, if any."""
    stmt = select(DailyReport).where(DailyReport.region_id == region_id, DailyReport.report_date == report_date)
    return session.scalars(stmt).first()


def check_report_date(report_date: date, today: date) -> None:
    """A report is for today or an earlier day (filed late), within a year."""
    if report_date > today:
        raise ReportError("Tanggal laporan tidak boleh melewati hari ini.", field="report_date")
    if report_date < today - timedelta(days=MAX_BACKFILL_DAYS):
        raise ReportError("Laporan susulan paling lama satu tahun ke belakang.", field="report_date")


def start_report(session: Session, user: User, region: Region, report_date: date, today: date) -> DailyReport:
    """The region's report for the date, created as a draft when it does not exist yet."""
    if not can_file(user, region) or region.kind not in (RegionKind.KABUPATEN, RegionKind.KOTA):
        raise ReportError("Hanya operator kabupaten/kota ini yang dapat membuat laporannya.")
    check_report_date(report_date, today)
    report = find_report(session, region.id, report_date)
    if report is None:
        report = DailyReport(region=region, report_date=report_date, author_id=user.id)
        session.add(report)
        session.flush()
    return report


def _require_editable(report: DailyReport, user: User) -> None:
    """Only the region's operator edits, and only drafts and returned reports."""
    if not can_file(user, report.region):
        raise ReportError("Hanya operator kabupaten/kota ini yang dapat mengubah laporannya.")
    if not report.editable:
        raise ReportError(f"Laporan berstatus {report.status.label.lower()} tidak dapat diubah.")


def _check_version(obj, version: int | None) -> None:
    """Refuse a save made from an older version of the row."""
    if version is not None and version != obj.version:
        raise StaleEdit(obj)


def save_header(session: Session, report: DailyReport, user: User, data: HeaderData, version: int | None) -> None:
    """Save situasi umum, summary and classification of a draft or returned report."""
    _require_editable(report, user)
    _check_version(report, version)
    levels = situation_levels()
    if data.situation_level is not None and not 1 <= data.situation_level <= len(levels):
        raise ReportError("Pilih situasi umum dari daftar.", field="situation_level")
    report.situation_level = data.situation_level
    report.summary = (data.summary or "").strip() or None
    report.classification = data.classification
    session.flush()


def validate_incident(
    session: Session,
    report_region: Region,
    report_date: date,
    data: ItemData,
    late_date_message: str = "Tanggal kejadian tidak boleh sesudah tanggal laporan.",
) -> None:
    """Domain checks the form cannot make: the kecamatan, the category and the date (not after `report_date`)."""
    if data.kecamatan_id is not None:
        kecamatan = session.get(Region, data.kecamatan_id)
        if kecamatan is None or kecamatan.parent_id != report_region.id or kecamatan.kind != RegionKind.KECAMATAN:
            raise ReportError("Pilih kecamatan dari daftar wilayah ini.", field="kecamatan_id")
    if data.category_id is not None:
        category = session.get(IssueCategory, data.category_id)
        if category is None or not category.active:
            raise ReportError("Pilih kategori isu dari daftar.", field="category_id")
    if data.occurred_date > report_date:
        raise ReportError(late_date_message, field="occurred_date")
    if (data.latitude is None) != (data.longitude is None):
        raise ReportError("Isi lintang dan bujur bersama-sama, atau kosongkan keduanya.", field="latitude")


def apply_incident(item, data: ItemData) -> None:
    """Copy the form's fields onto the item, trimming text."""
    for name in ITEM_FIELDS:
        value = getattr(data, name)
        if type(value) is str:  # enum members are strings too: keep them as they are
            value = value.strip() or None
        setattr(item, name, value)


def add_item(session: Session, report: DailyReport, user: User, data: ItemData) -> ReportItem:
    """Add an incident to a draft or returned report (a nihil report stops being nihil)."""
    _require_editable(report, user)
    validate_incident(session, report.region, report.report_date, data)
    position = session.scalar(
        select(func.coalesce(func.max(ReportItem.position), 0)).where(ReportItem.report_id == report.id)
    )
    item = ReportItem(report=report, position=position + 1)
    apply_incident(item, data)
    report.nihil = False
    session.add(item)
    session.flush()
    return item


def update_item(session: Session, item: ReportItem, user: User, data: ItemData, version: int | None) -> None:
    """Change an incident of a draft or returned report."""
    _require_editable(item.report, user)
    _check_version(item, version)
    validate_incident(session, item.report.region, item.report.report_date, data)
    apply_incident(item, data)
    session.flush()


def delete_item(session: Session, item: ReportItem, user: User) -> None:
    """Remove an incident from a draft or returned report."""
    _require_editable(item.report, user)
    item.report.items.remove(item)
    session.flush()


def file_nihil(
    session: Session, user: User, region: Region, report_date: date, today: date, now: datetime
) -> DailyReport:
    """One click: "situasi kondusif, nihil kejadian", submitted at once."""
    report = start_report(session, user, region, report_date, today)
    _require_editable(report, user)
    if report.items:
        raise ReportError("Laporan ini sudah berisi kejadian; hapus kejadiannya dulu atau kirim sebagai laporan biasa.")
    report.nihil = True
    report.situation_level = 1
    report.summary = NIHIL_SUMMARY
    submit_report(session, report, user, now)
    return report


def submit_report(session: Session, report: DailyReport, user: User, now: datetime) -> None:
    """Send the report to the province; the first submission decides on-time or late."""
    _require_editable(report, user)
    if report.situation_level is None:
        raise ReportError("Pilih situasi umum sebelum mengirim.", field="situation_level")
    if not report.nihil and not report.items:
        raise ReportError("Tambahkan minimal satu kejadian, atau laporkan nihil.")
    resubmission = report.status == ReportStatus.RETURNED
    if report.first_submitted_at is None:
        report.first_submitted_at = now
        report.late = is_late(now, report_due(session, report))
    if resubmission:
        report.revision += 1
    report.submitted_at = now
    report.status = ReportStatus.SUBMITTED
    action = "resubmitted" if resubmission else ("nihil" if report.nihil else "submitted")
    _event(session, report, user, now, action, snapshot=snapshot(report))
    notifications.report_submitted(session, report, resubmission)


def _require_reviewer(report: DailyReport, user: User) -> None:
    """Province analysts of the report's province (and administrators) review."""
    if user.role == Role.ADMIN:
        return
    if user.role != Role.PROVINSI or user.region_id != province_of(report.region).id:
        raise ReportError("Hanya analis provinsi yang dapat memeriksa laporan ini.")


def verify_report(session: Session, report: DailyReport, user: User, now: datetime, note: str | None = None) -> None:
    """Accept a submitted report; it is locked from then on."""
    _require_reviewer(report, user)
    if report.status != ReportStatus.SUBMITTED:
        raise ReportError("Hanya laporan terkirim yang dapat diverifikasi.")
    report.status = ReportStatus.VERIFIED
    report.reviewed_by_id = user.id
    report.reviewed_at = now
    _event(session, report, user, now, "verified", note=note)


def return_report(
    session: Session, report: DailyReport, user: User, now: datetime, reasons: list[str], note: str | None
) -> None:
    """Send a submitted report back to the operator with the reasons."""
    _require_reviewer(report, user)
    if report.status != ReportStatus.SUBMITTED:
        raise ReportError("Hanya laporan terkirim yang dapat dikembalikan.")
    note = (note or "").strip() or None
    if not reasons and not note:
        raise ReportError("Centang alasan atau tulis catatan untuk operator.", field="note")
    if "lainnya" in reasons and not note:
        raise ReportError("Jelaskan alasan 'lainnya' di catatan.", field="note")
    report.status = ReportStatus.RETURNED
    report.return_reasons = list(reasons)
    report.return_note = note
    report.reviewed_by_id = user.id
    report.reviewed_at = now
    _event(session, report, user, now, "returned", reasons=list(reasons), note=note)
    notifications.report_returned(session, report, [RETURN_REASONS.get(r, r) for r in reasons], note)


def reopen_report(session: Session, report: DailyReport, user: User, now: datetime, note: str | None) -> None:
    """An administrator unlocks a verified report so the operator can correct it."""
    if user.role != Role.ADMIN:
        raise ReportError("Hanya administrator yang dapat membuka kembali laporan terverifikasi.")
    if report.status != ReportStatus.VERIFIED:
        raise ReportError("Hanya laporan terverifikasi yang dapat dibuka kembali.")
    note = (note or "").strip()
    if not note:
        raise ReportError("Tulis alasan membuka kembali laporan ini.", field="note")
    report.status = ReportStatus.RETURNED
    report.return_reasons = []
    report.return_note = note
    _event(session, report, user, now, "reopened", note=note)


def _event(
    session: Session,
    report: DailyReport,
    user: User,
    now: datetime,
    action: str,
    *,
    reasons: list[str] | None = None,
    note: str | None = None,
    snapshot: dict | None = None,
) -> None:
    """Record a review step on the report's history."""
    session.add(
        ReportEvent(
            report=report,
            at=now,
            actor_id=user.id,
            actor_name=user.full_name,
            action=action,
            revision=report.revision,
            reasons=reasons,
            note=note,
            snapshot=snapshot,
        )
    )
    session.flush()


def _plain(value):
    """A value as it is kept in a snapshot."""
    if isinstance(value, date | time):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def snapshot(report: DailyReport) -> dict:
    """The report's content as submitted: header and items, in JSON-able form."""
    return {
        "situation_level": report.situation_level,
        "summary": report.summary,
        "classification": _plain(report.classification),
        "nihil": report.nihil,
        "items": [
            {"id": item.id, **{name: _plain(getattr(item, name)) for name in ITEM_FIELDS}} for item in report.items
        ],
    }
