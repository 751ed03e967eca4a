"""The daily reminder run by cron (`flask notify deadlines`): who has not reported, what is overdue."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..meetings.models import FollowUp, FollowUpStatus
from ..regions.models import Region, RegionKind
from ..reports.board import Window, build_board
from ..reports.compliance import SUBMITTED_STATES, CellState
from ..ui import format_short_date
from .models import NotificationKind
from .services import analysts_of, link, notify, staff_of

NOT_YET = frozenset({CellState.MISSING, CellState.PENDING, CellState.DRAFT})


@dataclass
class ReminderResult:
    """What one run sent."""

    reminders: int = 0
    summaries: int = 0
    overdue: int = 0
    missing_regencies: int = 0


def send_deadline_reminders(session: Session, now: datetime) -> ReminderResult:
    """Remind the operators of every regency without today's report, send each province its summary,
    and tell regencies about overdue follow-ups. Safe to run twice a day: nothing is sent twice."""
    result = ReminderResult()
    provinces = session.scalars(select(Region).where(Region.kind == RegionKind.PROVINSI).order_by(Region.code))
    for province in provinces:
        today = now.astimezone(province.zone).date()
        board = build_board(session, province, Window("hari", today, today), now)
        if not board.rows:
            continue
        deadline = f"{board.office.report_deadline:%H.%M} {province.zone_label}"
        missing = []
        on_time = reported = 0
        for row in board.rows:
            cell = row.cells[-1][1]
            if cell.state in SUBMITTED_STATES:
                reported += 1
                on_time += not cell.late
            elif cell.state in NOT_YET:
                missing.append(row.region)
                result.reminders += notify(
                    session,
                    staff_of(session, row.region.id),
                    NotificationKind.DEADLINE_NEAR,
                    f"Laporan harian {format_short_date(today)} belum dikirim (batas {deadline})",
                    link("reports.today"),
                    region_id=row.region.id,
                    dedupe=f"deadline:{today.isoformat()}",
                )
        result.missing_regencies += len(missing)
        contacts = [_contact_line(session, region) for region in missing]
        result.summaries += notify(
            session,
            analysts_of(session, province),
            NotificationKind.DAILY_SUMMARY,
            f"{province.name} {format_short_date(today)}: {reported} dari {len(board.rows)} sudah lapor, "
            f"{on_time} tepat waktu",
            link("board.index"),
            body=("Belum lapor:\n" + "\n".join(contacts)) if contacts else "Semua kabupaten/kota sudah melapor.",
            region_id=province.id,
            dedupe=f"summary:{today.isoformat()}",
        )
        result.overdue += _overdue_follow_ups(session, province, today)
    return result


def _contact_line(session: Session, region: Region) -> str:
    """'Kab. Tapin — Budi Setiawan 0812-…' for the province's summary."""
    people = [f"{u.full_name} {u.phone or ''}".strip() for u in staff_of(session, region.id)]
    return f"- {region.name}" + (f" — {', '.join(people)}" if people else "")


def _overdue_follow_ups(session: Session, province: Region, today) -> int:
    """Tell each regency once about each of its follow-ups that passed its due date."""
    stmt = (
        select(FollowUp)
        .join(Region, FollowUp.region_id == Region.id)
        .where(
            FollowUp.status != FollowUpStatus.SELESAI,
            FollowUp.due_date < today,
            Region.code.startswith(province.code + "."),
        )
    )
    sent = 0
    for follow_up in session.scalars(stmt):
        sent += notify(
            session,
            staff_of(session, follow_up.region_id),
            NotificationKind.FOLLOWUP_OVERDUE,
            f"Tindak lanjut lewat batas {format_short_date(follow_up.due_date)}",
            link("followups.index", terlambat="ya"),
            body=follow_up.description,
            region_id=follow_up.region_id,
            dedupe=f"overdue:{follow_up.id}",
        )
    return sent
