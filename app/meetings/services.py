"""Meetings: plan, agenda, attendance from the registry, minutes, follow-ups, finalise.

Services flush but never commit; the view commits once. Refusals raise MeetingError with an
Indonesian message (and the form field); a save from an old version raises StaleEdit.
"""

from collections import Counter
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..access import can_see_region
from ..auth.models import Role, User
from ..notifications import services as notifications
from ..regions.models import Region, RegionKind
from ..regions.services import subtree_condition
from ..reports.services import StaleEdit
from .importer import UNSUR, PersonRow
from .models import (
    AgendaItem,
    Attendance,
    FollowUp,
    FollowUpStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Participant,
    Sex,
)

MANAGERS = (Role.ADMIN, Role.PROVINSI, Role.FASILITATOR)
MAX_IMPORT_BYTES = 2 * 1024 * 1024

__all__ = ["MeetingError", "StaleEdit"]


class MeetingError(Exception):
    """A refused meeting operation; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class MeetingData:
    """The planned facts of a meeting."""

    title: str
    kind: MeetingKind
    starts_at: datetime
    ends_at: datetime | None
    place: str
    organizer: str | None = None
    chair_name: str | None = None
    chair_title: str | None = None
    chair_nip: str | None = None
    secretary_name: str | None = None
    secretary_title: str | None = None
    secretary_nip: str | None = None


@dataclass
class MinutesData:
    """The minutes besides the per-agenda discussion."""

    opening: str | None
    conclusions: str | None
    recommendations: str | None
    closing: str | None
    next_meeting: str | None


@dataclass
class PersonData:
    """A new person for the registry."""

    name: str
    jabatan: str | None
    instansi: str | None
    unsur: str
    sex: Sex | None
    phone: str | None


@dataclass
class FollowUpData:
    """A follow-up action."""

    description: str
    responsible: str
    region_id: int
    due_date: date
    conclusion: str | None = None
    evidence: str | None = None


def _clean(value):
    """Trim text; empty text becomes None (enum members, though strings, pass unchanged)."""
    if type(value) is str:
        return value.strip() or None
    return value


# ---------------------------------------------------------------- who may do what


def can_manage(user: User, region: Region) -> bool:
    """Facilitators, province analysts and administrators manage meetings of regions in their scope."""
    return user.role in MANAGERS and can_see_region(user, region)


def meeting_regions(session: Session, user: User) -> list[Region]:
    """Regions a user may hold a meeting for: their own region and (for a province) its kabupaten/kota."""
    if user.role == Role.ADMIN:
        stmt = select(Region).where(Region.kind != RegionKind.KECAMATAN)
    elif user.region is None or user.role not in MANAGERS:
        return []
    elif user.region.is_province:
        stmt = select(Region).where(
            or_(Region.id == user.region_id, Region.parent_id == user.region_id), Region.kind != RegionKind.KECAMATAN
        )
    else:
        stmt = select(Region).where(Region.id == user.region_id)
    return list(session.scalars(stmt.order_by(Region.code)))


def follow_up_regions(session: Session, meeting: Meeting) -> list[Region]:
    """Regions a follow-up of this meeting can be assigned to: the meeting's region and the regions below it."""
    stmt = select(Region).where(or_(Region.id == meeting.region_id, Region.parent_id == meeting.region_id))
    return list(session.scalars(stmt.order_by(Region.code)))


def _require(user: User, meeting: Meeting, editable: bool = True) -> None:
    """The user manages this meeting's region and (for changes) the meeting is not final."""
    if not can_manage(user, meeting.region):
        raise MeetingError("Anda tidak dapat mengubah rapat ini.")
    if editable and not meeting.editable:
        raise MeetingError("Rapat sudah final; notulen dan daftar hadir tidak dapat diubah.")


def _check_version(obj, version: int | None) -> None:
    """Refuse a save made from an older version of the row."""
    if version is not None and version != obj.version:
        raise StaleEdit(obj)


# ---------------------------------------------------------------- the meeting


def _apply_meeting(meeting: Meeting, data: MeetingData) -> None:
    """Copy the planned facts onto the meeting."""
    if data.ends_at is not None and data.ends_at <= data.starts_at:
        raise MeetingError("Waktu selesai harus sesudah waktu mulai.", field="ends_time")
    for name in (f.name for f in fields(MeetingData)):
        setattr(meeting, name, _clean(getattr(data, name)))


def create_meeting(session: Session, user: User, region: Region, data: MeetingData) -> Meeting:
    """Plan a meeting for a region the user manages."""
    if region not in meeting_regions(session, user):
        raise MeetingError("Pilih wilayah dari daftar.", field="region_id")
    meeting = Meeting(region=region, created_by_id=user.id)
    _apply_meeting(meeting, data)
    session.add(meeting)
    session.flush()
    return meeting


def update_meeting(session: Session, meeting: Meeting, user: User, data: MeetingData, version: int | None) -> None:
    """Change the planned facts of a meeting that is not final."""
    _require(user, meeting)
    _check_version(meeting, version)
    _apply_meeting(meeting, data)
    session.flush()


def add_agenda(session: Session, meeting: Meeting, user: User, title: str, presenter: str | None) -> AgendaItem:
    """Add an agenda item at the end."""
    _require(user, meeting)
    last = max((a.position for a in meeting.agenda), default=0)
    item = AgendaItem(meeting=meeting, position=last + 1, title=title.strip(), presenter=_clean(presenter))
    session.add(item)
    session.flush()
    return item


def update_agenda(session: Session, item: AgendaItem, user: User, title: str, presenter: str | None) -> None:
    """Rename an agenda item or change its presenter."""
    _require(user, item.meeting)
    item.title = title.strip()
    item.presenter = _clean(presenter)
    session.flush()


def delete_agenda(session: Session, item: AgendaItem, user: User) -> None:
    """Remove an agenda item (and its discussion)."""
    _require(user, item.meeting)
    item.meeting.agenda.remove(item)
    session.flush()


def move_agenda(session: Session, item: AgendaItem, user: User, step: int) -> None:
    """Swap an agenda item with its neighbour above (-1) or below (+1)."""
    _require(user, item.meeting)
    ordered = list(item.meeting.agenda)
    index = ordered.index(item)
    other = index + step
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, agenda_item in enumerate(ordered, start=1):
        agenda_item.position = position
    session.flush()


# ---------------------------------------------------------------- attendance


def search_participants(session: Session, meeting: Meeting, text: str, limit: int = 8) -> list[Participant]:
    """People of the meeting's region whose name or instansi starts a word with `text` (newest first)."""
    needle = text.strip().lower()
    if len(needle) < 2:
        return []
    already = select(Attendance.participant_id).where(Attendance.meeting_id == meeting.id)
    like = f"%{needle}%"
    stmt = (
        select(Participant)
        .where(Participant.region_id == meeting.region_id, Participant.id.not_in(already))
        .where(or_(func.lower(Participant.name).like(like), func.lower(Participant.instansi).like(like)))
        .order_by(Participant.name)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def _next_position(meeting: Meeting) -> int:
    """After the last attendee."""
    return max((a.position for a in meeting.attendance), default=0) + 1


def _attach(session: Session, meeting: Meeting, participant: Participant) -> Attendance:
    """Put a registry person on the list, refusing doubles."""
    if any(a.participant_id == participant.id for a in meeting.attendance if participant.id):
        raise MeetingError(f"{participant.name} sudah ada di daftar hadir.", field="name")
    attendance = Attendance(meeting=meeting, participant=participant, position=_next_position(meeting))
    session.add(attendance)
    session.flush()
    return attendance


def add_known_attendee(session: Session, meeting: Meeting, user: User, participant_id: int) -> Attendance:
    """Add someone from the region's registry."""
    _require(user, meeting)
    participant = session.get(Participant, participant_id)
    if participant is None or participant.region_id != meeting.region_id:
        raise MeetingError("Peserta tidak ditemukan di daftar wilayah ini.", field="name")
    return _attach(session, meeting, participant)


def add_new_attendee(session: Session, meeting: Meeting, user: User, person: PersonData) -> Attendance:
    """Add a person met for the first time; they join the region's registry."""
    _require(user, meeting)
    if not (person.name or "").strip():
        raise MeetingError("Wajib diisi.", field="name")
    if person.unsur not in UNSUR:
        raise MeetingError("Pilih unsur dari daftar.", field="unsur")
    participant = _find_same_person(session, meeting.region_id, person.name, person.instansi)
    if participant is None:
        participant = Participant(region_id=meeting.region_id, **{k: _clean(v) for k, v in vars(person).items()})
        participant.unsur = person.unsur
        session.add(participant)
        session.flush()
    return _attach(session, meeting, participant)


def _find_same_person(session: Session, region_id: int, name: str, instansi: str | None) -> Participant | None:
    """A registry entry with the same name and instansi (case-insensitive), if any."""
    stmt = select(Participant).where(
        Participant.region_id == region_id,
        func.lower(Participant.name) == name.strip().lower(),
        func.lower(func.coalesce(Participant.instansi, "")) == (instansi or "").strip().lower(),
    )
    return session.scalars(stmt).first()


def import_attendees(session: Session, meeting: Meeting, user: User, people: list[PersonRow]) -> tuple[int, int]:
    """Add the valid rows of an imported list; returns (added, already on the list)."""
    _require(user, meeting)
    added = skipped = 0
    for row in people:
        participant = _find_same_person(session, meeting.region_id, row.name, row.instansi)
        if participant is None:
            participant = Participant(
                region_id=meeting.region_id,
                name=row.name,
                jabatan=row.jabatan,
                instansi=row.instansi,
                unsur=row.unsur,
                sex=Sex(row.sex) if row.sex else None,
                phone=row.phone,
            )
            session.add(participant)
            session.flush()
        if any(a.participant_id == participant.id for a in meeting.attendance):
            skipped += 1
            continue
        _attach(session, meeting, participant)
        added += 1
    return added, skipped


def set_present(session: Session, attendance: Attendance, user: User, present: bool | None) -> None:
    """Mark someone present, absent, or not yet marked."""
    _require(user, attendance.meeting)
    attendance.present = present
    session.flush()


def remove_attendee(session: Session, attendance: Attendance, user: User) -> None:
    """Take someone off the list (they stay in the registry)."""
    _require(user, attendance.meeting)
    attendance.meeting.attendance.remove(attendance)
    session.flush()


@dataclass(frozen=True)
class AttendanceCounts:
    """Invited and present, by unsur and by sex."""

    invited: int
    present: int
    by_unsur: list[tuple[str, int, int]]  # label, invited, present
    by_sex: dict[str, int]  # present by L/P/unknown


def count_attendance(attendance: list[Attendance]) -> AttendanceCounts:
    """The live counts shown beside the list and in the minutes."""
    invited = Counter(a.participant.unsur for a in attendance)
    present = Counter(a.participant.unsur for a in attendance if a.present)
    by_unsur = [(label, invited[code], present[code]) for code, label in UNSUR.items() if invited[code]]
    sexes = Counter((a.participant.sex.value if a.participant.sex else "?") for a in attendance if a.present)
    return AttendanceCounts(len(attendance), sum(present.values()), by_unsur, dict(sexes))


# ---------------------------------------------------------------- minutes, follow-ups, final


def save_minutes(
    session: Session,
    meeting: Meeting,
    user: User,
    data: MinutesData,
    discussions: dict[int, str | None],
    version: int | None,
) -> None:
    """Save the minutes (autosaved while typing); the meeting counts as held from then on."""
    _require(user, meeting)
    _check_version(meeting, version)
    for name in (f.name for f in fields(MinutesData)):
        setattr(meeting, name, _clean(getattr(data, name)))
    for item in meeting.agenda:
        if item.id in discussions:
            item.discussion = _clean(discussions[item.id])
    if meeting.status == MeetingStatus.PLANNED:
        meeting.status = MeetingStatus.HELD
    session.flush()


def conclusion_lines(meeting: Meeting) -> list[str]:
    """The conclusions, one per line, without list numbering: each can become a follow-up."""
    lines = []
    for raw in (meeting.conclusions or "").splitlines():
        line = raw.strip().lstrip("-•*").strip()
        while line[:1].isdigit():
            line = line[1:]
        line = line.lstrip(".)").strip()
        if line:
            lines.append(line)
    return lines


def _check_follow_up_region(session: Session, meeting: Meeting, region_id: int) -> None:
    """A follow-up belongs to the meeting's region or one below it."""
    if region_id not in {r.id for r in follow_up_regions(session, meeting)}:
        raise MeetingError("Pilih wilayah dari daftar.", field="region_id")


def add_follow_up(session: Session, meeting: Meeting, user: User, data: FollowUpData) -> FollowUp:
    """Turn a conclusion into a tracked action (allowed after the meeting is final too)."""
    _require(user, meeting, editable=False)
    _check_follow_up_region(session, meeting, data.region_id)
    follow_up = FollowUp(
        meeting=meeting,
        region_id=data.region_id,
        description=data.description.strip(),
        responsible=data.responsible.strip(),
        due_date=data.due_date,
        conclusion=_clean(data.conclusion),
        evidence=_clean(data.evidence),
    )
    session.add(follow_up)
    session.flush()
    notifications.follow_up_assigned(session, follow_up)
    return follow_up


def may_update_follow_up(user: User, follow_up: FollowUp) -> bool:
    """Managers of the meeting's region, and the responsible region's own staff."""
    return can_manage(user, follow_up.meeting.region) or (
        user.role in (Role.OPERATOR, Role.FASILITATOR) and user.region_id == follow_up.region_id
    )


def set_follow_up_status(
    session: Session,
    follow_up: FollowUp,
    user: User,
    status: FollowUpStatus,
    evidence: str | None,
    version: int | None,
    now: datetime,
) -> None:
    """Move a follow-up along belum → proses → selesai (and back), with its evidence note."""
    if not may_update_follow_up(user, follow_up):
        raise MeetingError("Anda tidak dapat mengubah tindak lanjut ini.")
    _check_version(follow_up, version)
    if status == FollowUpStatus.SELESAI and not (_clean(evidence) or follow_up.evidence):
        raise MeetingError("Tuliskan bukti atau keterangan penyelesaian.", field="evidence")
    follow_up.status = status
    if evidence is not None:
        follow_up.evidence = _clean(evidence)
    follow_up.done_at = now if status == FollowUpStatus.SELESAI else None
    session.flush()


def finalize(session: Session, meeting: Meeting, user: User, now: datetime) -> None:
    """Lock minutes and attendance."""
    _require(user, meeting)
    if not meeting.conclusions:
        raise MeetingError("Isi kesimpulan notulen sebelum memfinalkan rapat.", field="conclusions")
    if not any(a.present for a in meeting.attendance):
        raise MeetingError("Tandai kehadiran peserta sebelum memfinalkan rapat.")
    meeting.status = MeetingStatus.FINAL
    meeting.finalized_at = now
    meeting.finalized_by_id = user.id
    session.flush()


def reopen(session: Session, meeting: Meeting, user: User) -> None:
    """An administrator unlocks a final meeting (audited like every change)."""
    if user.role != Role.ADMIN:
        raise MeetingError("Hanya administrator yang dapat membuka kembali rapat final.")
    if meeting.status != MeetingStatus.FINAL:
        raise MeetingError("Rapat ini belum final.")
    meeting.status = MeetingStatus.HELD
    meeting.finalized_at = None
    meeting.finalized_by_id = None
    session.flush()


def attach_scan(
    session: Session, meeting: Meeting, user: User, path: str, name: str, mime: str, size: int, now: datetime
) -> None:
    """Record the scanned signed daftar hadir (allowed after the meeting is final too)."""
    _require(user, meeting, editable=False)
    meeting.scan_path, meeting.scan_name, meeting.scan_mime, meeting.scan_size = path, name, mime, size
    meeting.scan_uploaded_at = now
    session.flush()


def overdue_count(session: Session, region: Region, today: date) -> int:
    """Open follow-ups of a region (and below) past their due date."""
    stmt = (
        select(func.count())
        .select_from(FollowUp)
        .join(Region, FollowUp.region_id == Region.id)
        .where(subtree_condition(region.code), FollowUp.status != FollowUpStatus.SELESAI, FollowUp.due_date < today)
    )
    return session.scalar(stmt)
