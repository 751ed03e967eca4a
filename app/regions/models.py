"""Regions: provinsi → kabupaten/kota → kecamatan, keyed by the Kemendagri code."""

import enum
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, CheckConstraint, Enum, Float, ForeignKey, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from ..sqltypes import UTCDateTime

ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


class RegionKind(enum.StrEnum):
    """Administrative level of a region."""

    PROVINSI = "provinsi"
    KABUPATEN = "kabupaten"
    KOTA = "kota"
    KECAMATAN = "kecamatan"

    @property
    def label(self) -> str:
        """Indonesian label."""
        return {"provinsi": "Provinsi", "kabupaten": "Kabupaten", "kota": "Kota", "kecamatan": "Kecamatan"}[self.value]


class Region(db.Model):
    """One administrative region; its subtree is every region whose code starts with its code and a dot."""

    __tablename__ = "regions"
    __audit_label__ = "Wilayah"
    __table_args__ = (CheckConstraint("length(code) >= 2", name="code_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[RegionKind] = mapped_column(
        Enum(RegionKind, native_enum=False, length=12, values_callable=lambda e: [m.value for m in e])
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    timezone: Mapped[str] = mapped_column(String(40))
    population: Mapped[int | None]

    parent: Mapped["Region | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Region"]] = relationship(back_populates="parent", order_by="Region.code")

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"

    @property
    def zone(self) -> ZoneInfo:
        """The region's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def zone_label(self) -> str:
        """WIB, WITA or WIT."""
        return ZONE_ABBREVIATIONS.get(self.timezone, self.timezone)

    @property
    def is_province(self) -> bool:
        """A provinsi (top level)."""
        return self.kind == RegionKind.PROVINSI

    @property
    def is_regency(self) -> bool:
        """A kabupaten or kota: the level that files daily reports."""
        return self.kind in (RegionKind.KABUPATEN, RegionKind.KOTA)

    @property
    def province_code(self) -> str:
        """The two-digit province code this region belongs to."""
        return self.code[:2]

    @property
    def audit_region_id(self) -> int:
        """Audit rows about a region belong to that region."""
        return self.id


class Office(db.Model):
    """The Kesbangpol office of a region: letterhead, head of office, and (for provinces) the report deadline.

    A region without a row uses the defaults below, so printing works before anyone fills this in.
    """

    __tablename__ = "offices"
    __audit_label__ = "Kantor"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), unique=True)
    name: Mapped[str] = mapped_column(String(160), default="Badan Kesatuan Bangsa dan Politik")
    address: Mapped[str | None] = mapped_column(String(200))
    # Where letters are signed ("Banjarbaru, 3 September 2024").
    city: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(120))
    head_name: Mapped[str | None] = mapped_column(String(120))
    head_nip: Mapped[str | None] = mapped_column(String(18))
    head_title: Mapped[str | None] = mapped_column(String(120))
    # Daily reports of a province's regencies are due at this local time on the report date (+ grace).
    report_deadline: Mapped[time] = mapped_column(Time, default=time(12, 0))
    report_grace_minutes: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    region: Mapped[Region] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Office {self.region_id} {self.name}>"

    @property
    def audit_region_id(self) -> int:
        """Audit rows about an office belong to its region."""
        return self.region_id


def government_line(region: Region) -> str:
    """'PEMERINTAH PROVINSI KALIMANTAN SELATAN' / 'PEMERINTAH KABUPATEN BALANGAN' for the letterhead."""
    if region.kind == RegionKind.PROVINSI:
        return f"PEMERINTAH PROVINSI {region.name.upper()}"
    if region.kind == RegionKind.KOTA:
        return f"PEMERINTAH {region.name.upper()}"
    return f"PEMERINTAH KABUPATEN {region.name.removeprefix('Kab. ').upper()}"


class RegionBoundary(db.Model):
    """The outline of a region for maps: a GeoJSON MultiPolygon in [lng, lat] and a label point."""

    __tablename__ = "region_boundaries"
    __audit_label__ = "Batas wilayah"
    # The outline itself is large and says nothing to a reader of the audit log; its replacement is logged.
    __audit_redact__ = frozenset({"polygons"})

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)
    polygons: Mapped[list] = mapped_column(JSON)
    label_lng: Mapped[float | None] = mapped_column(Float)
    label_lat: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=lambda: clock.utcnow())

    region: Mapped[Region] = relationship()

    def __repr__(self) -> str:
        return f"<RegionBoundary {self.region_id}>"
