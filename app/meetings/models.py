"""Coordination meetings: the meeting, its agenda, attendance from a participant registry, and follow-ups."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..audit import parent_row
from ..auth.models import User
from ..enums import LabelledEnum, enum_column
from ..extensions import db
from ..regions.models import Region
from ..sqltypes import UTCDateTime


class MeetingKind(LabelledEnum):
    """What kind of meeting."""

    RAKOR_KEWASPADAAN = ("rakor_kewaspadaan", "Rakor kewaspadaan dini")
    RAKOR_KONFLIK = ("rakor_konflik", "Rakor penanganan konflik")
    SOSIALISASI = ("sosialisasi", "Sosialisasi")
    LAINNYA = ("lainnya", "Lainnya")


class MeetingStatus(LabelledEnum):
    """Planned, held (attendance or minutes recorded), final (read-only)."""

    PLANNED = ("planned", "Direncanakan")
    HELD = ("held", "Terlaksana")
    FINAL = ("final", "Final")


class Sex(LabelledEnum):
    """L/P as on the daftar hadir."""

    L = ("L", "Laki-laki")
    P = ("P", "Perempuan")


class FollowUpStatus(LabelledEnum):
    """Where a follow-up action stands."""

    BELUM = ("belum", "Belum")
    PROSES = ("proses", "Proses")
    SELESAI = ("selesai", "Selesai")


def _now() -> datetime:
    """The current time (through app.clock, so tests can travel)."""
    return clock.utcnow()


class Meeting(db.Model):
    """One coordination meeting of a region's office."""

    __tablename__ = "meetings"
    __audit_label__ = "Rapat"
    __table_args__ = (Index("ix_meetings_region_id_starts_at", "region_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind, 24))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200))
    organizer: Mapped[str | None] = mapped_column(String(200))
    chair_name: Mapped[str | None] = mapped_column(String(120))
    chair_title: Mapped[str | None] = mapped_column(String(120))
    chair_nip: Mapped[str | None] = mapped_column(String(18))
    secretary_name: Mapped[str | None] = mapped_column(String(120))
    secretary_title: Mapped[str | None] = mapped_column(String(120))
    secretary_nip: Mapped[str | None] = mapped_column(String(18))
    opening: Mapped[str | None] = mapped_column(Text)
    conclusions: Mapped[str | None] = mapped_column(Text)
    recommendations: Mapped[str | None] = mapped_column(Text)
    closing: Mapped[str | None] = mapped_column(Text)
    next_meeting: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MeetingStatus] = mapped_column(enum_column(MeetingStatus), default=MeetingStatus.PLANNED)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now, onupdate=_now)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finalized_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    scan_path: Mapped[str | None] = mapped_column(String(200))
    scan_name: Mapped[str | None] = mapped_column(String(120))
    scan_mime: Mapped[str | None] = mapped_column(String(40))
    scan_size: Mapped[int | None]
    scan_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    region: Mapped[Region] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    agenda: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position, AgendaItem.id", cascade="all, delete-orphan"
    )
    attendance: Mapped[list["Attendance"]] = relationship(
        back_populates="meeting", order_by="Attendance.position, Attendance.id", cascade="all, delete-orphan"
    )
    follow_ups: Mapped[list["FollowUp"]] = relationship(
        back_populates="meeting", order_by="FollowUp.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.title!r}>"

    @property
    def editable(self) -> bool:
        """Finalised meetings are read-only."""
        return self.status != MeetingStatus.FINAL


class AgendaItem(db.Model):
    """An agenda item with its presenter, and the discussion recorded in the minutes."""

    __tablename__ = "agenda_items"
    __audit_label__ = "Acara rapat"
    __table_args__ = (Index("ix_agenda_items_meeting_id_position", "meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    presenter: Mapped[str | None] = mapped_column(String(160))
    discussion: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")

    def __repr__(self) -> str:
        return f"<AgendaItem {self.id} {self.title!r}>"

    @property
    def audit_region_id(self) -> int | None:
        """Audit rows belong to the meeting's region."""
        meeting = self.meeting or parent_row(self, Meeting, self.meeting_id)
        return meeting.region_id if meeting else None


class Participant(db.Model):
    """Someone met at a region's meetings; the registry that attendance lists pick from."""

    __tablename__ = "participants"
    __audit_label__ = "Peserta"
    __table_args__ = (Index("ix_participants_region_id_name", "region_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    name: Mapped[str] = mapped_column(String(120))
    jabatan: Mapped[str | None] = mapped_column(String(120))
    instansi: Mapped[str | None] = mapped_column(String(160))
    unsur: Mapped[str] = mapped_column(String(20), default="lainnya")
    sex: Mapped[Sex | None] = mapped_column(enum_column(Sex, 1))
    phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now)

    def __repr__(self) -> str:
        return f"<Participant {self.id} {self.name!r}>"


class Attendance(db.Model):
    """A person on a meeting's list: invited, and whether they came (None = not marked yet)."""

    __tablename__ = "attendance"
    __audit_label__ = "Kehadiran"
    __table_args__ = (UniqueConstraint("meeting_id", "participant_id", name="uq_attendance_meeting_id_participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    present: Mapped[bool | None]

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    participant: Mapped[Participant] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Attendance {self.meeting_id}:{self.participant_id} {self.present}>"

    @property
    def audit_region_id(self) -> int | None:
        """Audit rows belong to the meeting's region."""
        meeting = self.meeting or parent_row(self, Meeting, self.meeting_id)
        return meeting.region_id if meeting else None


class FollowUp(db.Model):
    """A tracked action from a meeting's conclusions (tindak lanjut)."""

    __tablename__ = "follow_ups"
    __audit_label__ = "Tindak lanjut"
    __table_args__ = (Index("ix_follow_ups_region_id_status_due_date", "region_id", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    conclusion: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date]
    status: Mapped[FollowUpStatus] = mapped_column(enum_column(FollowUpStatus), default=FollowUpStatus.BELUM)
    evidence: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now, onupdate=_now)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    meeting: Mapped[Meeting] = relationship(back_populates="follow_ups")
    region: Mapped[Region] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<FollowUp {self.id} {self.status}>"

    def overdue_on(self, today: date) -> bool:
        """Past its due date and not done."""
        return self.status != FollowUpStatus.SELESAI and self.due_date < today
