"""Projection of boundaries to an SVG and the layers' legends. Pure: no Flask, SQLAlchemy, I/O or clock.

The projection is equirectangular with the longitude scaled by cos(mean latitude) of the province: at
Indonesia's latitudes (±11°) it differs from a conformal projection by under 2 %, needs no library, and
keeps a province's shape. y grows downwards (north at the top).
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Ring = Sequence[Sequence[float]]  # [[lng, lat], …]
MultiPolygon = Sequence[Sequence[Ring]]


@dataclass(frozen=True)
class Outline:
    """A regency's boundary as stored: code, name, MultiPolygon in [lng, lat], and a label point."""

    code: str
    name: str
    polygons: MultiPolygon
    label: tuple[float, float] | None = None  # (lng, lat)


@dataclass(frozen=True)
class Shape:
    """A regency drawn: its SVG path and where its label goes."""

    code: str
    name: str
    path: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class ProvinceMap:
    """Every regency of a province projected into one viewBox."""

    width: int
    height: int
    shapes: list[Shape]


def _bounds(outlines: Iterable[Outline]) -> tuple[float, float, float, float]:
    """(min lng, min lat, max lng, max lat) of every point."""
    lngs, lats = [], []
    for outline in outlines:
        for polygon in outline.polygons:
            for ring in polygon:
                for lng, lat in ring:
                    lngs.append(lng)
                    lats.append(lat)
    return min(lngs), min(lats), max(lngs), max(lats)


MIN_STEP = 0.8  # px: a point closer than this to the last one drawn adds bytes, not shape


def ring_path(points: Iterable[tuple[float, float]]) -> str:
    """'Mx,y Lx,y … Z' with one decimal; points within MIN_STEP of the previous one are dropped."""
    kept: list[tuple[float, float]] = []
    for x, y in points:
        if kept and math.dist(kept[-1], (x, y)) < MIN_STEP:
            continue
        kept.append((x, y))
    if len(kept) > 1 and math.dist(kept[0], kept[-1]) < MIN_STEP:
        kept.pop()  # Z closes the ring
    if len(kept) < 3:
        return ""
    return "M" + " L".join(f"{round(x, 1):g},{round(y, 1):g}" for x, y in kept) + " Z"


def project(outlines: Sequence[Outline], width: int = 600, pad: int = 8) -> ProvinceMap:
    """Fit the outlines into a viewBox `width` wide (height follows the shape), keeping proportions."""
    if not outlines:
        return ProvinceMap(width, 0, [])
    min_lng, min_lat, max_lng, max_lat = _bounds(outlines)
    squeeze = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lng - min_lng) * squeeze, 1e-9)
    span_y = max(max_lat - min_lat, 1e-9)
    scale = (width - 2 * pad) / span_x
    height = round(span_y * scale + 2 * pad)

    def xy(lng: float, lat: float) -> tuple[float, float]:
        return pad + (lng - min_lng) * squeeze * scale, pad + (max_lat - lat) * scale

    shapes = []
    for outline in outlines:
        rings = [ring_path(xy(lng, lat) for lng, lat in ring) for polygon in outline.polygons for ring in polygon]
        path = " ".join(r for r in rings if r)
        if outline.label is not None:
            label_x, label_y = xy(*outline.label)
        else:  # the middle of the first ring's extent
            ring = outline.polygons[0][0]
            label_x, label_y = xy(
                (min(p[0] for p in ring) + max(p[0] for p in ring)) / 2,
                (min(p[1] for p in ring) + max(p[1] for p in ring)) / 2,
            )
        shapes.append(Shape(outline.code, outline.name, path, round(label_x, 1), round(label_y, 1)))
    return ProvinceMap(width, height, shapes)


# ---------------------------------------------------------------- layers


@dataclass(frozen=True)
class LegendEntry:
    """One colour class of a layer: CSS class and its Indonesian label."""

    css: str
    label: str


@dataclass(frozen=True)
class Layer:
    """A way of colouring the map: its name, legend, and each regency's class and short text."""

    key: str
    title: str
    legend: list[LegendEntry]
    values: dict[str, tuple[str, str]]  # code → (css class, text for the table and the tooltip)

    def value_for(self, code: str) -> tuple[str, str]:
        """The class and text of a regency ("no data" when the layer says nothing about it)."""
        return self.values.get(code, ("map-none", "tidak ada data"))


def situation_layer(levels: Sequence[str], by_code: dict[str, int | None]) -> Layer:
    """Today's situasi umum (level 1 calm … 4 severe); regencies without a report are "belum lapor"."""
    legend = [LegendEntry(f"map-sit-{n}", label) for n, label in enumerate(levels, start=1)]
    legend.append(LegendEntry("map-none", "belum lapor / tanpa situasi"))
    values = {}
    for code, level in by_code.items():
        if level and 1 <= level <= len(levels):
            values[code] = (f"map-sit-{level}", levels[level - 1])
        else:
            values[code] = ("map-none", "belum lapor / tanpa situasi")
    return Layer("situasi", "Situasi umum hari ini", legend, values)


REPORT_STATES = (
    ("tepat", "Tepat waktu"),
    ("terlambat", "Terlambat"),
    ("nihil", "Nihil"),
    ("dikembalikan", "Dikembalikan"),
    ("draf", "Draf"),
    ("menunggu", "Belum batas waktu"),
    ("tidak", "Tidak lapor"),
)


def report_layer(by_code: dict[str, str]) -> Layer:
    """Today's report state per regency (the compliance board's states)."""
    labels = dict(REPORT_STATES)
    legend = [LegendEntry(f"map-state-{key}", label) for key, label in REPORT_STATES]
    values = {code: (f"map-state-{state}", labels.get(state, state)) for code, state in by_code.items()}
    return Layer("laporan", "Laporan hari ini", legend, values)


def band_layer(title: str, band_labels: Sequence[str], by_code: dict[str, tuple[int | None, str]]) -> Layer:
    """A ranking's band per regency: severity 0 calm … 2 severe (already judged for the index's direction)."""
    severities = {0: "map-sev-0", 1: "map-sev-1", 2: "map-sev-2"}
    legend = [LegendEntry(severities.get(s, "map-none"), label) for s, label in band_labels]
    legend.append(LegendEntry("map-none", "data belum cukup"))
    values = {
        code: (severities.get(severity, "map-none"), text) if severity is not None else ("map-none", text)
        for code, (severity, text) in by_code.items()
    }
    return Layer("peringkat", title, legend, values)


INCIDENT_STEPS = ((0, "0"), (1, "1–2"), (3, "3–5"), (6, "6 atau lebih"))


def incident_layer(days: int, counts: dict[str, int]) -> Layer:
    """Rawan-tinggi items of the last `days` days per regency, in four steps."""
    legend = [LegendEntry(f"map-inc-{i}", f"{label} kejadian") for i, (_, label) in enumerate(INCIDENT_STEPS)]
    values = {}
    for code, count in counts.items():
        step = max(i for i, (low, _) in enumerate(INCIDENT_STEPS) if count >= low)
        values[code] = (f"map-inc-{step}", f"{count} kejadian rawan tinggi")
    return Layer(f"kejadian{days}", f"Kejadian rawan tinggi, {days} hari terakhir", legend, values)
