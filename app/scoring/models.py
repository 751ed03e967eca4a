"""Index definitions (direction, bands per level, minimum n, composite weights) and published results."""

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..enums import LabelledEnum, enum_column
from ..extensions import db
from ..regions.models import Region
from ..sqltypes import UTCDateTime
from ..surveys.models import Direction


class IndexSource(LabelledEnum):
    """Where an index's numbers come from."""

    QUESTIONNAIRE = ("questionnaire", "Kuesioner Waspada")
    PUBLISHED = ("published", "Hasil terbitan lembaga lain")


class IndexDefinition(db.Model):
    """How one edition of an index is read: direction, bands (kab/kota and provinsi), minimum n, source."""

    __tablename__ = "index_definitions"
    __audit_label__ = "Definisi indeks"
    __table_args__ = (UniqueConstraint("name", "edition", name="uq_index_definitions_name_edition"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    edition: Mapped[str] = mapped_column(String(20))
    source: Mapped[IndexSource] = mapped_column(enum_column(IndexSource))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, 16))
    reference: Mapped[str | None] = mapped_column(Text)  # who publishes it, and where the cut-offs come from
    min_respondents: Mapped[int] = mapped_column(default=10)
    # [{"label": "rawan rendah", "below": 13.47}, …, {"label": "rawan tinggi", "below": null}]
    bands_regency: Mapped[list] = mapped_column(JSON, default=list)
    bands_province: Mapped[list] = mapped_column(JSON, default=list)
    questionnaire_weight: Mapped[float] = mapped_column(Float, default=0.7)
    incident_weight: Mapped[float] = mapped_column(Float, default=0.3)
    incident_days: Mapped[int] = mapped_column(default=30)
    threat_weights: Mapped[dict] = mapped_column(JSON, default=lambda: {"rendah": 1, "sedang": 3, "tinggi": 9})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=lambda: clock.utcnow())
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<IndexDefinition {self.name} {self.edition}>"


class PublishedScore(db.Model):
    """A published result of an index for one region (IKN, IKP, IPKP …), entered or uploaded."""

    __tablename__ = "published_scores"
    __audit_label__ = "Skor terbitan"
    __table_args__ = (
        UniqueConstraint("definition_id", "region_id", name="uq_published_scores_definition_id_region_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("index_definitions.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    category: Mapped[str | None] = mapped_column(String(60))
    source: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=lambda: clock.utcnow())

    definition: Mapped[IndexDefinition] = relationship()
    region: Mapped[Region] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<PublishedScore {self.definition_id}:{self.region_id}={self.score}>"
