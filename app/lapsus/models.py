"""A LAPSUS: one urgent event, filed at once, flagged to the province until acknowledged."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..auth.models import User
from ..enums import enum_column
from ..extensions import db
from ..regions.models import Region
from ..reports.models import Classification, IncidentFields
from ..sqltypes import UTCDateTime


class SpecialReport(IncidentFields, db.Model):
    """Laporan khusus: the incident fields of a report item, plus filing and acknowledgement."""

    __tablename__ = "special_reports"
    __audit_label__ = "Laporan khusus"
    __table_args__ = (
        Index("ix_special_reports_region_id_filed_at", "region_id", "filed_at"),
        Index("ix_special_reports_acknowledged_at", "acknowledged_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    classification: Mapped[Classification] = mapped_column(enum_column(Classification), default=Classification.BIASA)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=lambda: clock.utcnow())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledgement_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    region: Mapped[Region] = relationship(foreign_keys=[region_id], lazy="joined")
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<SpecialReport {self.id} {self.title!r}>"
