"""A notification for one user: what happened, where to look, and whether it has been read."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..enums import LabelledEnum, enum_column
from ..extensions import db
from ..sqltypes import UTCDateTime


class NotificationKind(LabelledEnum):
    """The events users are told about."""

    REPORT_SUBMITTED = ("report_submitted", "Laporan masuk")
    REPORT_RETURNED = ("report_returned", "Laporan dikembalikan")
    LAPSUS_FILED = ("lapsus_filed", "LAPSUS baru")
    FOLLOWUP_ASSIGNED = ("followup_assigned", "Tindak lanjut baru")
    FOLLOWUP_OVERDUE = ("followup_overdue", "Tindak lanjut lewat batas")
    DEADLINE_NEAR = ("deadline_near", "Batas waktu laporan")
    DAILY_SUMMARY = ("daily_summary", "Ringkasan kepatuhan")


class Notification(db.Model):
    """One message to one user; `dedupe_key` keeps a cron reminder from being sent twice."""

    __tablename__ = "notifications"
    __audit_label__ = "Notifikasi"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_id_dedupe_key"),
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind, 24))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(300))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=lambda: clock.utcnow())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} → {self.user_id}>"
