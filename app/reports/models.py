"""LAPSITDA: daily situation reports, their items, their review history, and issue categories."""

from datetime import date, datetime, time

from sqlalchemy import JSON, Float, ForeignKey, Index, SmallInteger, String, Text, Time, UniqueConstraint, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from .. import clock
from ..audit import parent_row
from ..auth.models import User
from ..enums import LabelledEnum, enum_column
from ..extensions import db
from ..regions.models import Region
from ..sqltypes import UTCDateTime


class ReportStatus(LabelledEnum):
    """Where a daily report is in its review."""

    DRAFT = ("draft", "Draf")
    SUBMITTED = ("submitted", "Terkirim")
    RETURNED = ("returned", "Dikembalikan")
    VERIFIED = ("verified", "Terverifikasi")


class Classification(LabelledEnum):
    """Who may see a report (Rahasia: its region and the province analysts only)."""

    BIASA = ("biasa", "Biasa")
    TERBATAS = ("terbatas", "Terbatas")
    RAHASIA = ("rahasia", "Rahasia")


class Aspect(LabelledEnum):
    """The field of national life an item concerns (IPOLEKSOSBUDHANKAM)."""

    IDEOLOGI = ("ideologi", "Ideologi")
    POLITIK = ("politik", "Politik")
    EKONOMI = ("ekonomi", "Ekonomi")
    SOSBUD = ("sosial_budaya", "Sosial Budaya")
    HANKAM = ("hankam", "Pertahanan Keamanan")


class ThreatLevel(LabelledEnum):
    """Tingkat kerawanan of an item."""

    RENDAH = ("rendah", "Rendah")
    SEDANG = ("sedang", "Sedang")
    TINGGI = ("tinggi", "Tinggi")

    @property
    def rank(self) -> int:
        """Sort key: tinggi first."""
        return {"tinggi": 0, "sedang": 1, "rendah": 2}[self.value]


class SourceKind(LabelledEnum):
    """Where the information came from."""

    MASYARAKAT = ("masyarakat", "Masyarakat")
    TOKOH = ("tokoh", "Tokoh agama/adat/masyarakat")
    APARAT = ("aparat", "Aparat/instansi pemerintah")
    FKDM = ("fkdm", "FKDM")
    MEDIA = ("media", "Media massa")
    MEDSOS = ("medsos", "Media sosial")
    PENGAMATAN = ("pengamatan", "Pengamatan langsung")
    LAINNYA = ("lainnya", "Lainnya")


# The Admiralty scale: reliability of the source (A–F) × credibility of the information (1–6).
SOURCE_RELIABILITY = {
    "A": "A – Sepenuhnya dapat dipercaya",
    "B": "B – Biasanya dapat dipercaya",
    "C": "C – Cukup dapat dipercaya",
    "D": "D – Biasanya tidak dapat dipercaya",
    "E": "E – Tidak dapat dipercaya",
    "F": "F – Tidak dapat dinilai",
}
INFO_CREDIBILITY = {
    1: "1 – Dikonfirmasi sumber lain",
    2: "2 – Kemungkinan besar benar",
    3: "3 – Mungkin benar",
    4: "4 – Diragukan",
    5: "5 – Kemungkinan kecil benar",
    6: "6 – Tidak dapat dinilai",
}
# Indonesian names of the incident fields (forms, history, exports).
ITEM_FIELD_LABELS = {
    "aspect": "Aspek",
    "category_id": "Kategori isu",
    "title": "Judul",
    "what": "Apa yang terjadi",
    "occurred_date": "Tanggal kejadian",
    "occurred_time": "Jam kejadian",
    "kecamatan_id": "Kecamatan",
    "desa": "Desa/kelurahan",
    "latitude": "Lintang",
    "longitude": "Bujur",
    "actors": "Siapa (pelaku/pihak)",
    "how": "Bagaimana",
    "why": "Mengapa",
    "source_kind": "Jenis sumber",
    "source_detail": "Keterangan sumber",
    "source_reliability": "Keandalan sumber",
    "info_credibility": "Kebenaran informasi",
    "analysis": "Analisa",
    "prediction": "Prediksi",
    "steps_taken": "Langkah yang telah diambil",
    "recommendation": "Rekomendasi",
    "threat_level": "Tingkat kerawanan",
}
# Reasons a province analyst can tick when returning a report.
RETURN_REASONS = {
    "fakta": "Fakta kurang lengkap (5W+1H)",
    "sumber": "Sumber atau nilai informasi belum jelas",
    "analisa": "Analisa atau prediksi belum ada",
    "rekomendasi": "Rekomendasi belum ada",
    "kerawanan": "Tingkat kerawanan tidak sesuai",
    "situasi": "Situasi umum tidak sesuai isi laporan",
    "lainnya": "Lainnya (lihat catatan)",
}

# Review steps as the history shows them.
EVENT_LABELS = {
    "submitted": "Dikirim",
    "nihil": "Dikirim sebagai laporan nihil",
    "resubmitted": "Dikirim ulang",
    "returned": "Dikembalikan",
    "verified": "Diverifikasi",
    "reopened": "Dibuka kembali",
}


class IssueCategory(db.Model):
    """An editable list of issue categories (sengketa lahan, pilkada, karhutla …)."""

    __tablename__ = "issue_categories"
    __audit_label__ = "Kategori isu"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<IssueCategory {self.code}>"


class IncidentFields:
    """The content of one incident, shared by daily report items and special reports (LAPSUS)."""

    aspect: Mapped[Aspect] = mapped_column(enum_column(Aspect))
    title: Mapped[str] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(Text)  # apa
    occurred_date: Mapped[date]  # bilamana, in the region's local date
    occurred_time: Mapped[time | None] = mapped_column(Time)
    desa: Mapped[str | None] = mapped_column(String(120))  # di mana
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    actors: Mapped[str | None] = mapped_column(Text)  # siapa
    how: Mapped[str | None] = mapped_column(Text)  # bagaimana
    why: Mapped[str | None] = mapped_column(Text)  # mengapa
    source_kind: Mapped[SourceKind | None] = mapped_column(enum_column(SourceKind))
    source_detail: Mapped[str | None] = mapped_column(Text)
    source_reliability: Mapped[str | None] = mapped_column(String(1))
    info_credibility: Mapped[int | None] = mapped_column(SmallInteger)
    analysis: Mapped[str | None] = mapped_column(Text)
    prediction: Mapped[str | None] = mapped_column(Text)
    steps_taken: Mapped[str | None] = mapped_column(Text)
    recommendation: Mapped[str | None] = mapped_column(Text)
    threat_level: Mapped[ThreatLevel] = mapped_column(enum_column(ThreatLevel))

    @declared_attr
    def category_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("issue_categories.id"))

    @declared_attr
    def kecamatan_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("regions.id"))

    @declared_attr
    def category(cls) -> Mapped[IssueCategory | None]:
        return relationship(IssueCategory, lazy="joined")

    @declared_attr
    def kecamatan(cls) -> Mapped[Region | None]:
        return relationship(Region, foreign_keys=[cls.kecamatan_id], lazy="joined")

    @property
    def grading(self) -> str:
        """Admiralty grading such as 'B2', or '' when not graded."""
        return f"{self.source_reliability or ''}{self.info_credibility or ''}"


class DailyReport(db.Model):
    """One regency's LAPSITDA for one local date: draft → submitted → verified, or returned and resubmitted."""

    __tablename__ = "daily_reports"
    __audit_label__ = "Laporan harian"
    __table_args__ = (
        UniqueConstraint("region_id", "report_date", name="uq_daily_reports_region_id_report_date"),
        Index("ix_daily_reports_report_date_region_id", "report_date", "region_id"),
        # The province's review queue (submitted, oldest first) without reading every verified report; partial,
        # so the planner never takes it for the many queries on status IN (submitted, returned, verified).
        Index(
            "ix_daily_reports_review_queue",
            "region_id",
            "submitted_at",
            sqlite_where=text("status = 'submitted'"),
            postgresql_where=text("status = 'submitted'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    report_date: Mapped[date]
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus), default=ReportStatus.DRAFT)
    nihil: Mapped[bool] = mapped_column(default=False)
    situation_level: Mapped[int | None] = mapped_column(SmallInteger)
    summary: Mapped[str | None] = mapped_column(Text)
    classification: Mapped[Classification] = mapped_column(enum_column(Classification), default=Classification.BIASA)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=lambda: clock.utcnow())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=lambda: clock.utcnow(), onupdate=lambda: clock.utcnow()
    )
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late: Mapped[bool] = mapped_column(default=False)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_reasons: Mapped[list | None] = mapped_column(JSON)
    return_note: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    region: Mapped[Region] = relationship(lazy="joined")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    items: Mapped[list["ReportItem"]] = relationship(
        back_populates="report", order_by="ReportItem.position, ReportItem.id", cascade="all, delete-orphan"
    )
    events: Mapped[list["ReportEvent"]] = relationship(
        back_populates="report", order_by="ReportEvent.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<DailyReport {self.region_id} {self.report_date} {self.status}>"

    @property
    def editable(self) -> bool:
        """Operators may change a draft or a returned report; submitted and verified ones are read-only."""
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


class ReportItem(IncidentFields, db.Model):
    """One event or development reported in a daily report."""

    __tablename__ = "report_items"
    __audit_label__ = "Kejadian laporan"
    __table_args__ = (Index("ix_report_items_report_id_position", "report_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("daily_reports.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=lambda: clock.utcnow())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=lambda: clock.utcnow(), onupdate=lambda: clock.utcnow()
    )
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    report: Mapped[DailyReport] = relationship(back_populates="items")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<ReportItem {self.id} {self.title!r}>"

    @property
    def audit_region_id(self) -> int | None:
        """Audit rows about an item belong to its report's region (also once removed from the report)."""
        report = self.report or parent_row(self, DailyReport, self.report_id)
        return report.region_id if report else None


class ReportEvent(db.Model):
    """A step in a report's review: submitted, returned (with reasons), verified, reopened; with a snapshot."""

    __tablename__ = "report_events"
    __table_args__ = (Index("ix_report_events_report_id", "report_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("daily_reports.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=lambda: clock.utcnow())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(default=0)
    reasons: Mapped[list | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    # The report as submitted (header and items), so every version stays readable.
    snapshot: Mapped[dict | None] = mapped_column(JSON)

    report: Mapped[DailyReport] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"<ReportEvent {self.report_id} {self.action}>"

    @property
    def audit_region_id(self) -> int | None:
        """Audit rows about a review step belong to the report's region."""
        report = self.report or parent_row(self, DailyReport, self.report_id)
        return report.region_id if report else None
