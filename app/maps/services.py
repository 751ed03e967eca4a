"""Boundaries in and out of the database, the projected province maps (cached), and each layer's data."""

import json
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..access import scope_classified
from ..auth.models import User
from ..regions.models import Region, RegionBoundary, RegionKind
from ..regions.services import regencies_of
from ..reports.board import Board, Window, build_board
from ..reports.models import DailyReport, ReportItem, ThreatLevel
from ..scoring import charts
from ..scoring import services as scoring_services
from . import geo

BUILT_IN_GEOJSON = Path(__file__).resolve().parents[1] / "regions" / "data" / "regency-boundaries-62-63.geojson"
BUILT_IN_SOURCE = "cahyadsn/wilayah_boundaries (MIT), disederhanakan"
SUBMITTED = scoring_services.SUBMITTED
LAYERS = (
    ("situasi", "Situasi umum hari ini"),
    ("laporan", "Laporan hari ini"),
    ("peringkat", "Kategori peringkat"),
    ("kejadian7", "Rawan tinggi 7 hari"),
    ("kejadian30", "Rawan tinggi 30 hari"),
)
MAX_FEATURES = 1000


# ---------------------------------------------------------------- loading boundaries


def _valid_polygons(geometry) -> list | None:
    """The geometry as a MultiPolygon coordinate list, or None when it is not a usable (Multi)Polygon."""
    if not isinstance(geometry, dict):
        return None
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else None
    if not isinstance(polygons, list) or not polygons:
        return None
    clean = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return None
        rings = []
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                return None
            points = []
            for point in ring:
                if not (isinstance(point, list | tuple) and len(point) >= 2):
                    return None
                lng, lat = point[0], point[1]
                if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lng, lat)):
                    return None
                if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                    return None
                points.append([round(float(lng), 5), round(float(lat), 5)])
            rings.append(points)
        clean.append(rings)
    return clean


def import_boundaries(
    session: Session, text: str, source: str, replace: bool = True
) -> tuple[int, int, list[tuple[int, str]]]:
    """Store the boundaries of a GeoJSON FeatureCollection keyed by `properties.kode`.

    Returns (stored, unchanged, errors as (feature number, message)); good features are kept.
    With `replace=False` existing boundaries are left alone (the built-in load at `init-db`).
    """
    try:
        data = json.loads(text)
    except ValueError as err:
        return 0, 0, [(0, f"Bukan JSON yang sah: {err}")]
    features = data.get("features") if isinstance(data, dict) else None
    if data.get("type") != "FeatureCollection" or not isinstance(features, list):
        return 0, 0, [(0, "Berkas harus GeoJSON FeatureCollection.")]
    if len(features) > MAX_FEATURES:
        return 0, 0, [(0, f"Lebih dari {MAX_FEATURES} wilayah dalam satu berkas.")]
    codes = [str((f.get("properties") or {}).get("kode", "")) for f in features if isinstance(f, dict)]
    regions = {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(codes)))}
    ids = [r.id for r in regions.values()]
    stmt = select(RegionBoundary).where(RegionBoundary.region_id.in_(ids))
    existing = {b.region_id: b for b in session.scalars(stmt)}
    stored = unchanged = 0
    errors = []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        code = str((properties or {}).get("kode", "")).strip()
        region = regions.get(code)
        if region is None:
            errors.append((number, f"Kode wilayah '{code[:20]}' tidak dikenal."))
            continue
        polygons = _valid_polygons(feature.get("geometry"))
        if polygons is None:
            errors.append((number, f"{code}: geometri harus Polygon/MultiPolygon dengan koordinat [bujur, lintang]."))
            continue
        label_lng, label_lat = properties.get("label_lng"), properties.get("label_lat")
        if not all(isinstance(v, int | float) for v in (label_lng, label_lat)):
            label_lng = label_lat = None
        boundary = existing.get(region.id)
        if boundary is not None and not replace:
            unchanged += 1
            continue
        if boundary is None:
            boundary = RegionBoundary(region_id=region.id)
            session.add(boundary)
            existing[region.id] = boundary
        boundary.polygons = polygons
        boundary.label_lng, boundary.label_lat = label_lng, label_lat
        boundary.source = source[:200]
        stored += 1
    session.flush()
    return stored, unchanged, errors


def load_built_in_boundaries(session: Session) -> int:
    """The shipped boundaries of Kalteng and Kalsel, for regions that have none yet."""
    stored, _, _ = import_boundaries(
        session, BUILT_IN_GEOJSON.read_text(encoding="utf-8"), BUILT_IN_SOURCE, replace=False
    )
    return stored


# ---------------------------------------------------------------- the projected map, cached per process


@dataclass(frozen=True)
class CachedMap:
    """A projected province and its regencies' ids by code (for the links), as cached."""

    projected: geo.ProvinceMap
    region_ids: dict[str, int]


_cache: dict[int, tuple[tuple, CachedMap]] = {}
_cache_lock = threading.Lock()


def province_map(session: Session, province: Region) -> CachedMap | None:
    """The province's regencies projected into one SVG, or None when none has a boundary.

    Projected once per process and boundary version: one cheap query (count, latest update, id sum of
    the province's boundaries) decides whether the cached projection still holds.
    """
    regency_ids = select(Region.id).where(
        Region.parent_id == province.id, Region.kind.in_([RegionKind.KABUPATEN, RegionKind.KOTA])
    )
    version = tuple(
        session.execute(
            select(func.count(), func.max(RegionBoundary.updated_at), func.sum(RegionBoundary.region_id)).where(
                RegionBoundary.region_id.in_(regency_ids)
            )
        ).one()
    )
    if not version[0]:
        return None
    with _cache_lock:
        cached = _cache.get(province.id)
    if cached and cached[0] == version:
        return cached[1]
    rows = session.execute(
        select(
            Region.id,
            Region.code,
            Region.name,
            RegionBoundary.polygons,
            RegionBoundary.label_lng,
            RegionBoundary.label_lat,
        )
        .join(RegionBoundary, RegionBoundary.region_id == Region.id)
        .where(Region.id.in_(regency_ids))
        .order_by(Region.code)
    ).all()
    outlines = [
        geo.Outline(code, name, polygons, (lng, lat) if lng is not None and lat is not None else None)
        for _, code, name, polygons, lng, lat in rows
    ]
    entry = CachedMap(geo.project(outlines), {code: region_id for region_id, code, *_ in rows})
    with _cache_lock:
        _cache[province.id] = (version, entry)
    return entry


# ---------------------------------------------------------------- layers


def situation_layer(session: Session, province: Region, levels: list[str], day: date) -> geo.Layer:
    """The situasi umum of every regency on `day` (submitted reports only)."""
    regencies = regencies_of(session, province)
    found = dict(
        session.execute(
            select(Region.code, DailyReport.situation_level)
            .join(DailyReport, DailyReport.region_id == Region.id)
            .where(
                DailyReport.region_id.in_([r.id for r in regencies]),
                DailyReport.report_date == day,
                DailyReport.status.in_(SUBMITTED),
            )
        ).all()
    )
    return geo.situation_layer(levels, {r.code: found.get(r.code) for r in regencies})


def report_layer(session: Session, province: Region, now: datetime, board: Board | None = None) -> geo.Layer:
    """Today's state of every regency's report, judged as on the compliance board (reusing its grid when
    the board on the page already holds today)."""
    today = now.astimezone(province.zone).date()
    if board is None or today not in board.window.days:
        board = build_board(session, province, Window("hari", today, today), now)
    column = board.window.days.index(today)
    return geo.report_layer({row.region.code: row.cells[column][1].state.value for row in board.rows})


def band_layer(ranking: scoring_services.Ranking) -> geo.Layer:
    """The ranking band of each regency on an index edition."""
    values = {}
    for row in ranking.rows:
        level = charts.severity(row.band, ranking.bands, ranking.higher_is_worse)
        if row.rank is None:
            values[row.region.code] = (None, "data belum cukup")
        else:
            text = row.band.label if row.band else f"skor {row.value:.2f}".replace(".", ",")
            values[row.region.code] = (level, f"{text}, peringkat {row.rank} dari {ranking.total}")
    labels = [(charts.severity(b, ranking.bands, ranking.higher_is_worse), b.label) for b in ranking.bands]
    definition = ranking.definition
    return geo.band_layer(f"{definition.name} {definition.edition}", labels, values)


def incident_layer(session: Session, user: User, province: Region, days: int, now: datetime) -> geo.Layer:
    """Rawan-tinggi items per regency over the last `days` days (as far as the user may see them)."""
    regencies = regencies_of(session, province)
    today = now.astimezone(province.zone).date()
    stmt = scope_classified(
        select(DailyReport.region_id, func.count())
        .join(ReportItem, ReportItem.report_id == DailyReport.id)
        .where(
            DailyReport.region_id.in_([r.id for r in regencies]),
            DailyReport.report_date.between(today - timedelta(days=days - 1), today),
            DailyReport.status.in_(SUBMITTED),
            ReportItem.threat_level == ThreatLevel.TINGGI,
        )
        .group_by(DailyReport.region_id),
        user,
        DailyReport.region_id,
        DailyReport.classification,
    )
    counts = dict(session.execute(stmt).all())
    return geo.incident_layer(days, {r.code: counts.get(r.id, 0) for r in regencies})
