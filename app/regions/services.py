"""Region look-ups and the CSV import used by `flask init-db` and `flask regions import`."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .models import Office, Region, RegionKind

BUILT_IN_CSV = Path(__file__).parent / "data" / "regions-62-63.csv"
CODE_PATTERN = re.compile(r"^\d{2}(\.\d{2}(\.\d{2})?)?$")
HEADER_ALIASES = {
    "kode": "code",
    "code": "code",
    "nama": "name",
    "name": "name",
    "jenis": "kind",
    "kind": "kind",
    "zona_waktu": "timezone",
    "timezone": "timezone",
    "penduduk": "population",
    "population": "population",
}
FIRST_KOTA_NUMBER = 71
DEFAULT_DEADLINE = time(12, 0)  # Kemendagri: kab/kota numbers from 71 up are kota


@dataclass
class ImportResult:
    """What an import did: counts of created and updated rows and the refused rows with reasons."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def subtree_condition(code: str):
    """SQL condition for a region and everything below it (code range, so the unique index serves it)."""
    return subtree_between(*subtree_bounds(code))


def subtree_bounds(code: str) -> tuple[str, str, str]:
    """A region's code and the two codes its descendants lie strictly between ("63.", "63/": '/' follows '.')."""
    return code, code + ".", code + "/"


def subtree_between(code, after, before):
    """The condition of `subtree_condition` from its bounds: values, or bind parameters of a prepared statement."""
    return or_(Region.code == code, (Region.code > after) & (Region.code < before))


def provinces(session: Session) -> list[Region]:
    """All provinces by code."""
    return list(session.scalars(select(Region).where(Region.kind == RegionKind.PROVINSI).order_by(Region.code)))


def regencies_of(session: Session, province: Region) -> list[Region]:
    """The kabupaten/kota of a province by code."""
    return list(
        session.scalars(
            select(Region)
            .where(Region.parent_id == province.id, Region.kind.in_([RegionKind.KABUPATEN, RegionKind.KOTA]))
            .order_by(Region.code)
        )
    )


def assignable_regions(session: Session) -> list[Region]:
    """Provinces and kabupaten/kota, in code order: the regions a user account can be tied to."""
    return list(session.scalars(select(Region).where(Region.kind != RegionKind.KECAMATAN).order_by(Region.code)))


def province_of(region: Region) -> Region:
    """The province a region belongs to (itself for a province)."""
    while region.parent is not None:
        region = region.parent
    return region


def office_for(session: Session, region: Region) -> Office:
    """The office profile of a region; an unsaved default when none was entered yet."""
    office = session.scalars(select(Office).where(Office.region_id == region.id)).first()
    return office or Office(
        region=region,
        name="Badan Kesatuan Bangsa dan Politik",
        report_deadline=DEFAULT_DEADLINE,
        report_grace_minutes=0,
    )


def kecamatan_of(session: Session, region: Region) -> list[Region]:
    """The kecamatan of a kabupaten/kota, by code."""
    stmt = select(Region).where(Region.parent_id == region.id, Region.kind == RegionKind.KECAMATAN)
    return list(session.scalars(stmt.order_by(Region.code)))


def infer_kind(code: str) -> RegionKind:
    """Administrative level from the shape of a Kemendagri code."""
    parts = code.split(".")
    if len(parts) == 1:
        return RegionKind.PROVINSI
    if len(parts) == 2:
        return RegionKind.KOTA if int(parts[1]) >= FIRST_KOTA_NUMBER else RegionKind.KABUPATEN
    return RegionKind.KECAMATAN


def import_regions_csv(session: Session, text: str) -> ImportResult:
    """Create or update regions from CSV text; bad rows are reported and skipped, good rows kept."""
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or "code" not in {HEADER_ALIASES.get(h.strip().lower()) for h in reader.fieldnames}:
        result.errors.append((1, "Baris judul harus memuat kolom 'kode' dan 'nama'."))
        return result
    rows = []
    for line_no, raw in enumerate(reader, start=2):
        row = {
            HEADER_ALIASES[key.strip().lower()]: (value or "").strip()
            for key, value in raw.items()
            if key and key.strip().lower() in HEADER_ALIASES
        }
        rows.append((line_no, row))
    # Parents before children, whatever order the file has.
    rows.sort(key=lambda item: item[1].get("code", "").count("."))
    known = {r.code: r for r in session.scalars(select(Region))}
    for line_no, row in rows:
        error = _apply_row(session, known, row, result)
        if error:
            result.errors.append((line_no, error))
    result.errors.sort()
    session.flush()
    return result


def load_built_in(session: Session) -> ImportResult:
    """Load (or refresh) the built-in regions of Kalimantan Tengah and Kalimantan Selatan."""
    return import_regions_csv(session, BUILT_IN_CSV.read_text(encoding="utf-8"))


def _apply_row(session: Session, known: dict[str, Region], row: dict[str, str], result: ImportResult) -> str | None:
    """Validate one row and create or update its region; return an Indonesian error or None."""
    code, name = row.get("code", ""), row.get("name", "")
    if not CODE_PATTERN.match(code):
        return f"Kode {code!r} tidak sah (contoh: 63, 63.11, 63.11.01)."
    if not name or len(name) > 120:
        return f"Nama wilayah {code} kosong atau lebih dari 120 karakter."
    kind = infer_kind(code)
    if row.get("kind") and row["kind"].lower() != kind.value:
        return f"Jenis {row['kind']!r} tidak cocok dengan kode {code} (seharusnya {kind.value})."
    parent = known.get(code.rsplit(".", 1)[0]) if "." in code else None
    if "." in code and parent is None:
        return f"Induk wilayah {code.rsplit('.', 1)[0]} belum ada."
    timezone = row.get("timezone") or (parent.timezone if parent else "")
    if not timezone:
        return f"Zona waktu provinsi {code} wajib diisi (mis. Asia/Jakarta)."
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return f"Zona waktu {timezone!r} tidak dikenal."
    population = None
    if row.get("population"):
        if not row["population"].isdigit():
            return f"Jumlah penduduk {row['population']!r} harus bilangan bulat."
        population = int(row["population"])
    values = {"name": name, "kind": kind, "timezone": timezone, "parent": parent}
    if population is not None:
        values["population"] = population
    region = known.get(code)
    if region is None:
        region = Region(code=code, **values)
        session.add(region)
        known[code] = region
        result.created += 1
    elif any(getattr(region, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(region, key, value)
        result.updated += 1
    else:
        result.unchanged += 1
    return None
