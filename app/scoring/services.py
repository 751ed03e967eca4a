"""Loads what scoring needs (answers, incidents, published results) in a few queries and calls scoring.py."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..meetings.importer import read_table
from ..regions.models import Region
from ..regions.services import regencies_of
from ..reports.models import DailyReport, ReportItem, ReportStatus
from ..surveys.models import Direction, Response, Round, Survey
from . import scoring
from .models import IndexDefinition, IndexSource, PublishedScore
from .scoring import Band, RegionScore

SUBMITTED = (ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.VERIFIED)
PUBLISHED_COLUMNS = {
    "code": ("kode", "kode wilayah", "code"),
    "score": ("skor", "nilai", "score"),
    "category": ("kategori", "category"),
    "source": ("sumber", "source"),
}


@dataclass
class RankRow:
    """One regency on the ranking page."""

    region: Region
    score: RegionScore
    value: float | None  # what the rank is based on
    band: Band | None = None
    rank: int | None = None
    movement: str = ""
    incidents: float | None = None
    composite: float | None = None
    category: str | None = None  # a published category, when given
    source: str | None = None


@dataclass
class Ranking:
    """A province's ranking on one index edition."""

    definition: IndexDefinition
    province: Region
    rows: list[RankRow]
    bands: list[Band]
    dimensions: list[tuple[str, str]] = field(default_factory=list)
    use_composite: bool = False
    per_capita: bool = False
    missing_dimensions: set[str] = field(default_factory=set)
    previous: IndexDefinition | None = None
    pooled: RegionScore | None = None  # the province's own score (all its forms, or its published result)

    @property
    def ranked(self) -> list[RankRow]:
        """Rows with a rank, best first."""
        return sorted((r for r in self.rows if r.rank is not None), key=lambda r: (r.rank, r.region.code))

    @property
    def total(self) -> int:
        """How many regencies were ranked."""
        return len(self.ranked)

    @property
    def average(self) -> float | None:
        """The mean of the ranked regencies' values (the line on the chart)."""
        values = [r.value for r in self.ranked]
        return sum(values) / len(values) if values else None

    @property
    def published(self) -> bool:
        """Whether the numbers are published results rather than our questionnaires."""
        return self.definition.source == IndexSource.PUBLISHED

    @property
    def with_incidents(self) -> bool:
        """Whether the incident indicator and the composite are part of this index."""
        return not self.published and self.definition.incident_weight > 0

    @property
    def province_bands(self) -> list[Band]:
        """The bands for the province's own score."""
        return bands_of(self.definition, province_level=True)

    @property
    def province_band(self) -> Band | None:
        """The band of the province's own score (only when it rests on enough forms)."""
        if self.pooled is None or not self.pooled.enough:
            return None
        return scoring.band_for(self.pooled.mean, self.province_bands)

    def sorted_rows(self, key: str) -> list[RankRow]:
        """The rows in the order asked: rank (unranked last), name, code, or number of respondents."""
        unranked = 10**6
        orders = {
            "nama": lambda r: r.region.name,
            "kode": lambda r: r.region.code,
            "n": lambda r: (-r.score.n, r.rank or unranked, r.region.code),
            "skor": lambda r: (r.value is None, -(r.value or 0), r.region.code),
        }
        return sorted(self.rows, key=orders.get(key, lambda r: (r.rank or unranked, r.region.code)))

    @property
    def higher_is_worse(self) -> bool:
        """Whether a high score means vulnerable."""
        return self.definition.direction == Direction.HIGHER_WORSE


def ordered_definitions(session: Session) -> list[IndexDefinition]:
    """Every index edition: questionnaire indices first, then by name and newest edition."""

    def edition_key(definition: IndexDefinition) -> int:
        return int(definition.edition) if definition.edition.isdigit() else 0  # non-year editions last

    return sorted(
        session.scalars(select(IndexDefinition)),
        key=lambda d: (d.source != IndexSource.QUESTIONNAIRE, d.name, -edition_key(d)),
    )


def bands_of(definition: IndexDefinition, province_level: bool = False) -> list[Band]:
    """The bands of an index for kabupaten/kota (or provinces)."""
    raw = definition.bands_province if province_level else definition.bands_regency
    return [Band(b["label"], b.get("below")) for b in raw or []]


def previous_definition(session: Session, definition: IndexDefinition) -> IndexDefinition | None:
    """The edition of the same index just before this one."""
    stmt = (
        select(IndexDefinition)
        .where(IndexDefinition.name == definition.name, IndexDefinition.edition < definition.edition)
        .order_by(IndexDefinition.edition.desc())
    )
    return session.scalars(stmt).first()


@dataclass
class QuestionnaireScores:
    """Region scores of an index edition, the pooled score of all those regions, and what was left out."""

    regions: dict[int, RegionScore]
    pooled: RegionScore
    dimensions: list[tuple[str, str]]
    missing: set[str]


def questionnaire_scores(session: Session, definition: IndexDefinition, region_ids: list[int]) -> QuestionnaireScores:
    """Region scores from the completed forms of every template version feeding this index edition.

    Each form's index is read from its response row (kept by app/scoring/rollup.py as answers are saved),
    so a province costs one row per form. A form that scores nothing (no valid answer in any dimension)
    counts for nothing. Forms of rounds held at the province level count only in the pooled (province) score.
    """
    surveys = session.scalars(
        select(Survey)
        .where(Survey.index_name == definition.name, Survey.edition == definition.edition)
        .options(selectinload(Survey.dimensions))
    ).all()
    dimension_names: dict[str, str] = {}
    codes: dict[int, set[str]] = {}
    for survey in surveys:
        codes[survey.id] = {d.code for d in survey.dimensions}
        for d in survey.dimensions:
            dimension_names.setdefault(d.code, d.name)
    rows = session.execute(
        select(Round.region_id, Round.survey_id, Response.score, Response.dimension_scores)
        .join(Round, Response.round_id == Round.id)
        .where(
            Round.survey_id.in_([s.id for s in surveys]),
            Round.region_id.in_(region_ids),
            Response.completed,
            Response.first_entry_id.is_(None),
        )
    )
    per_region: dict[int, list[tuple[float | None, dict]]] = defaultdict(list)
    missing: set[str] = set()
    for region_id, survey_id, value, dimensions in rows:
        if value is None and not dimensions:
            continue
        missing.update(codes[survey_id].difference(dimensions))
        per_region[region_id].append((value, dimensions))
    scores = {
        region_id: scoring.region_score(
            [value for value, _ in per_region.get(region_id, [])],
            definition.min_respondents,
            [dims for _, dims in per_region.get(region_id, [])],
        )
        for region_id in region_ids
    }
    every = [form for forms in per_region.values() for form in forms]
    pooled = scoring.region_score(
        [value for value, _ in every], definition.min_respondents, [dims for _, dims in every]
    )
    return QuestionnaireScores(scores, pooled, list(dimension_names.items()), missing)


def incident_counts(session: Session, region_ids: list[int], first: date, last: date) -> dict[int, dict[str, int]]:
    """Items per regency and kerawanan in submitted reports of the window (one grouped query)."""
    stmt = (
        select(DailyReport.region_id, ReportItem.threat_level, func.count())
        .join(ReportItem, ReportItem.report_id == DailyReport.id)
        .where(
            DailyReport.region_id.in_(region_ids),
            DailyReport.report_date.between(first, last),
            DailyReport.status.in_(SUBMITTED),
        )
        .group_by(DailyReport.region_id, ReportItem.threat_level)
    )
    counts: dict[int, dict[str, int]] = {region_id: {} for region_id in region_ids}
    for region_id, level, count in session.execute(stmt):
        counts[region_id][level.value] = count
    return counts


def build_ranking(
    session: Session,
    definition: IndexDefinition,
    province: Region,
    today: date,
    use_composite: bool = False,
    with_previous: bool = True,
) -> Ranking:
    """The ranking of a province's regencies on an index edition (movement against the previous edition)."""
    regencies = regencies_of(session, province)
    ids = [r.id for r in regencies]
    bands = bands_of(definition)
    ranking = Ranking(definition, province, [], bands, use_composite=use_composite)
    higher_is_worse = definition.direction == Direction.HIGHER_WORSE
    if definition.source == IndexSource.PUBLISHED:
        published = {
            p.region_id: p
            for p in session.scalars(
                select(PublishedScore).where(
                    PublishedScore.definition_id == definition.id, PublishedScore.region_id.in_(ids)
                )
            )
        }
        own = session.scalar(
            select(PublishedScore).where(
                PublishedScore.definition_id == definition.id, PublishedScore.region_id == province.id
            )
        )
        if own is not None:
            ranking.pooled = RegionScore(own.score, 0, None, None, None, True)
        for regency in regencies:
            entry = published.get(regency.id)
            score = RegionScore(entry.score if entry else None, 0, None, None, None, entry is not None)
            ranking.rows.append(
                RankRow(
                    regency,
                    score,
                    score.mean,
                    category=entry.category if entry else None,
                    source=entry.source if entry else None,
                )
            )
    else:
        result = questionnaire_scores(session, definition, [*ids, province.id])
        scores = result.regions
        ranking.pooled = result.pooled
        ranking.dimensions, ranking.missing_dimensions = result.dimensions, result.missing
        incidents = {}
        if definition.incident_weight > 0:
            counts = incident_counts(session, ids, today - timedelta(days=definition.incident_days - 1), today)
            weighted = {rid: scoring.weighted_items(c, definition.threat_weights) for rid, c in counts.items()}
            incidents, ranking.per_capita = scoring.incident_indicator(
                weighted, {r.id: r.population for r in regencies}
            )
        for regency in regencies:
            score = scores[regency.id]
            row = RankRow(regency, score, score.mean if score.enough else None, incidents=incidents.get(regency.id))
            if definition.incident_weight > 0 and score.enough:
                row.composite = scoring.composite(
                    score.mean,
                    row.incidents,
                    (definition.questionnaire_weight, definition.incident_weight),
                    higher_is_worse,
                )
            if use_composite and score.enough:
                row.value = row.composite
            ranking.rows.append(row)
    ranks = scoring.competition_ranks({r.region.id: r.value for r in ranking.rows}, higher_is_worse)
    for row in ranking.rows:
        row.rank = ranks.get(row.region.id)
        row.band = scoring.band_for(row.value if row.rank else None, bands)
    if with_previous:
        ranking.previous = previous_definition(session, definition)
        if ranking.previous is not None:
            before = build_ranking(session, ranking.previous, province, today, use_composite, with_previous=False)
            previous_ranks = {r.region.id: r.rank for r in before.rows}
            for row in ranking.rows:
                row.movement = scoring.movement(row.rank, previous_ranks.get(row.region.id))
        else:
            for row in ranking.rows:
                row.movement = scoring.movement(row.rank, None)
    return ranking


def import_published(
    session: Session, definition: IndexDefinition, allowed: list[Region], data: bytes
) -> tuple[int, list[tuple[int, str]]]:
    """Create or update published results from CSV/XLSX rows (kode, skor, kategori, sumber).

    Good rows are kept; bad ones come back as (line, message). Only regions in `allowed` are accepted.
    """
    table = read_table(data)
    if table is None:
        return 0, [(0, "Berkas tidak dikenali: unggah CSV atau XLSX.")]
    rows = [(line, cells) for line, cells in table if any(c.strip() for c in cells)]
    if not rows:
        return 0, [(0, "Berkas kosong.")]
    header = [" ".join(c.lower().split()) for c in rows[0][1]]
    columns = {key: header.index(name) for key, names in PUBLISHED_COLUMNS.items() for name in names if name in header}
    if "code" not in columns or "score" not in columns:
        return 0, [(rows[0][0], "Baris judul harus memuat kolom kode dan skor.")]
    by_code = {r.code: r for r in allowed}
    existing = {
        p.region_id: p
        for p in session.scalars(select(PublishedScore).where(PublishedScore.definition_id == definition.id))
    }
    saved, errors = 0, []
    for line, cells in rows[1:]:
        value = {key: (cells[i].strip() if i < len(cells) else "") for key, i in columns.items()}
        region = by_code.get(value["code"])
        try:
            score = float(value["score"].replace(",", "."))
        except ValueError:
            score = None
        if region is None:
            errors.append((line, f"Kode wilayah '{value['code']}' tidak dikenal atau di luar wilayah Anda."))
            continue
        if score is None or not 0 <= score <= 100:
            errors.append((line, f"Skor '{value['score']}' bukan angka 0–100."))
            continue
        entry = existing.get(region.id) or PublishedScore(definition_id=definition.id, region_id=region.id)
        if entry.id is None:
            session.add(entry)
            existing[region.id] = entry
        entry.score = score
        entry.category = (value.get("category") or "")[:60] or None
        entry.source = (value.get("source") or "")[:300] or None
        saved += 1
    session.flush()
    return saved, errors
