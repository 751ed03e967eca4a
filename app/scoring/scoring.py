"""Scores, bands and ranks of an index. Pure functions: no Flask, SQLAlchemy, I/O or clock.

How the numbers are made (the methodology page says the same in Indonesian):
1. Each answer becomes 0–100 in the index's direction: 100 is the end the question measures (agreement,
   the highest option score, "ya" when it scores higher, the largest number); a reversed question is
   flipped (100 − x). Free text and unanswered questions are left out, never counted as zero.
2. A dimension's score is the mean of its answers; a form's index is the weighted mean of the dimension
   scores it has, the weights normalised over those dimensions (a dimension without answers is left out
   and reported).
3. A region's score is the mean of its forms' indices, with n, standard deviation and a 95% confidence
   interval (Student's t); below the minimum n the region is "data belum cukup" and not ranked.
4. Ranks are competition ranks ("1224"): tied scores share the best rank and the next rank skips.
   Scores are compared after rounding to two decimals, the precision shown, so regions that look tied
   are tied; bands are judged on the same two decimals. Rank 1 is the most vulnerable for "higher = worse"
   indices and the best for "higher = better".
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Two-sided 95% Student t quantiles for 1–30 degrees of freedom; 1.96 beyond.
T_95 = (
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
)
RANK_PRECISION = 2
DEFAULT_THREAT_WEIGHTS = {"rendah": 1.0, "sedang": 3.0, "tinggi": 9.0}
# The distinct scoring answers a question keeps worked out (see QuestionSpec.answers): ~100 KB a question at
# most, held only while the specs are (one recompute builds its own, app/scoring/rollup.py).
MAX_KEPT_ANSWERS = 1_000


@dataclass(frozen=True)
class QuestionSpec:
    """What scoring needs to know of a question.

    `answers` is filled at construction with the normalised score of every answer a scale, choice or
    yes/no question can take, so scoring a million answers is a million lookups. Other values that score
    (numbers) are added as `form_index` meets them, up to MAX_KEPT_ANSWERS a question: a number question's
    answers repeat (counts, ages, years), and working one out again cost a third of a national recompute.
    Text and unreadable values go through `normalise` in full each time.
    """

    id: int
    dimension: str | None
    qtype: str
    settings: Mapping
    reversed: bool = False
    answers: dict[str, float] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        candidates: tuple[str, ...] = ()
        if self.qtype == "scale":
            candidates = ("1", "2", "3", "4", "5")
        elif self.qtype == "choice":
            options = self.settings.get("options") if isinstance(self.settings, Mapping) else None
            candidates = tuple(str(n) for n in range(1, len(options) + 1)) if isinstance(options, list) else ()
        elif self.qtype == "yesno":
            candidates = ("ya", "tidak")
        scored = {value: _normalise(self, value) for value in candidates}
        object.__setattr__(self, "answers", {value: score for value, score in scored.items() if score is not None})


@dataclass(frozen=True)
class DimensionSpec:
    """A dimension and its weight."""

    code: str
    weight: float


@dataclass(frozen=True)
class FormIndex:
    """One form's index, its dimension scores, and the dimensions left out for lack of answers."""

    value: float | None
    dimensions: dict[str, float]
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegionScore:
    """A region's score over its forms."""

    mean: float | None
    n: int
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    enough: bool
    dimensions: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Band:
    """A category of the index: scores below `below` (None for the last band)."""

    label: str
    below: float | None


def _clip(value: float) -> float:
    """Keep a score inside 0–100 (guards against rounding past the ends)."""
    return min(100.0, max(0.0, value))


def normalise(question: QuestionSpec, value: str | None) -> float | None:
    """An answer as 0–100 in the index's direction; None for text, blanks and values we cannot read."""
    score = question.answers.get(value)
    return score if score is not None else _normalise(question, value)


def _normalise(question: QuestionSpec, value: str | None) -> float | None:
    """`normalise` worked out from the question's settings."""
    if value is None or value == "" or question.qtype == "text":
        return None
    settings = question.settings
    try:
        if question.qtype == "scale":
            if value not in ("1", "2", "3", "4", "5"):
                return None
            score = (float(value) - 1) / 4 * 100
        elif question.qtype == "choice":
            scores = [float(o["score"]) for o in settings["options"]]
            position = int(value)
            if not 1 <= position <= len(scores):
                return None
            low, high = min(scores), max(scores)
            score = 0.0 if high == low else (scores[position - 1] - low) / (high - low) * 100
        elif question.qtype == "yesno":
            yes, no = float(settings["yes"]), float(settings["no"])
            chosen = yes if value == "ya" else no if value == "tidak" else None
            if chosen is None or yes == no:
                return None
            score = (chosen - min(yes, no)) / abs(yes - no) * 100
        elif question.qtype == "number":
            low, high, number = float(settings["min"]), float(settings["max"]), float(value)
            if not low <= number <= high or not math.isfinite(number):
                return None
            score = (number - low) / (high - low) * 100
        else:
            return None
    except (ValueError, IndexError, KeyError, TypeError, ZeroDivisionError):
        return None
    score = _clip(score)
    return 100.0 - score if question.reversed else score


def form_index(
    questions: Iterable[QuestionSpec], dimensions: Iterable[DimensionSpec], answers: Mapping[int, str]
) -> FormIndex:
    """Dimension means and the weighted index of one form."""
    sums: dict[str, list[float]] = {}
    for question in questions:
        if question.dimension is None:
            continue
        value = answers.get(question.id)
        score = question.answers.get(value)  # the common case of `normalise`, inlined: a million times a run
        if score is None:
            score = _normalise(question, value)
            if score is None:
                continue
            if len(question.answers) < MAX_KEPT_ANSWERS:
                question.answers[value] = score
        sums.setdefault(question.dimension, []).append(score)
    dims = list(dimensions)
    scores = {code: sum(values) / len(values) for code, values in sums.items()}
    used = [d for d in dims if d.code in scores and d.weight > 0]
    missing = tuple(d.code for d in dims if d.code not in scores)
    total = sum(d.weight for d in used)
    value = sum(scores[d.code] * d.weight for d in used) / total if total else None
    return FormIndex(value=value if value is None else _clip(value), dimensions=scores, missing=missing)


def region_score(
    indices: Iterable[float], min_n: int, dimension_scores: Iterable[Mapping[str, float]] = ()
) -> RegionScore:
    """Mean, n, standard deviation and 95% CI of a region's form indices; `enough` when n ≥ min_n."""
    values = [v for v in indices if v is not None]
    dims: dict[str, list[float]] = {}
    for scores in dimension_scores:
        for code, score in scores.items():
            dims.setdefault(code, []).append(score)
    dimension_means = {code: sum(v) / len(v) for code, v in dims.items()}
    n = len(values)
    if n == 0:
        return RegionScore(None, 0, None, None, None, False, dimension_means)
    mean = sum(values) / n
    if n == 1:
        return RegionScore(mean, 1, None, None, None, n >= min_n, dimension_means)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    t = T_95[n - 2] if n - 1 <= len(T_95) else 1.96
    half = t * sd / math.sqrt(n)
    return RegionScore(mean, n, sd, _clip(mean - half), _clip(mean + half), n >= min_n, dimension_means)


def band_for(score: float | None, bands: Iterable[Band]) -> Band | None:
    """The band a score falls in, judged on the two decimals shown (lower bounds inclusive: 13.47 and
    13.4700001 are already "sedang")."""
    if score is None:
        return None
    score = round(score, RANK_PRECISION)
    last = None
    for band in bands:
        last = band
        if band.below is None or score < band.below:
            return band
    return last


def competition_ranks(scores: Mapping[object, float | None], higher_is_worse: bool) -> dict[object, int]:
    """Ranks 1, 2, 2, 4 …: rank 1 is the highest score when higher is worse, the lowest otherwise."""
    rounded = {key: round(value, RANK_PRECISION) for key, value in scores.items() if value is not None}
    ordered = sorted(rounded.values(), reverse=higher_is_worse)
    first_position = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return {key: first_position[value] for key, value in rounded.items()}


def movement(current: int | None, previous: int | None) -> str:
    """'▲2' (moved up two places), '▼1', 'tetap', or 'baru' (not ranked before)."""
    if current is None:
        return ""
    if previous is None:
        return "baru"
    if current == previous:
        return "tetap"
    return f"▲{previous - current}" if current < previous else f"▼{current - previous}"


def phrase(rank: int | None, total: int, band: Band | None) -> str:
    """'Peringkat 9 dari 13, rawan sedang' (or why there is no rank)."""
    if rank is None:
        return "Belum diperingkat: data belum cukup"
    return f"Peringkat {rank} dari {total}" + (f", {band.label}" if band else "")


def incident_indicator(
    weighted: Mapping[object, float], population: Mapping[object, int | None]
) -> tuple[dict[object, float], bool]:
    """0–100 across the regions (the highest is 100); per 100,000 people when every region's population is
    known, raw weighted counts otherwise. Returns the values and whether they are per capita."""
    per_capita = bool(weighted) and all(population.get(key) for key in weighted)
    rates = {key: (value / population[key] * 100_000 if per_capita else value) for key, value in weighted.items()}
    top = max(rates.values(), default=0)
    return ({key: (rate / top * 100 if top else 0.0) for key, rate in rates.items()}, per_capita)


def weighted_items(counts: Mapping[str, int], weights: Mapping[str, float] = DEFAULT_THREAT_WEIGHTS) -> float:
    """Items of a region weighted by kerawanan: rendah 1, sedang 3, tinggi 9 (configurable)."""
    return sum(weights.get(level, 0) * count for level, count in counts.items())


def composite(
    questionnaire: float | None, incidents: float | None, weights: tuple[float, float], higher_is_worse: bool
) -> float | None:
    """Blend the questionnaire index with the incident indicator (incidents always count as vulnerability,
    so they are flipped for a "higher = better" index). Missing parts drop out and the weights re-normalise."""
    parts = []
    if questionnaire is not None:
        parts.append((questionnaire, weights[0]))
    if incidents is not None:
        parts.append((incidents if higher_is_worse else 100 - incidents, weights[1]))
    total = sum(w for _, w in parts)
    return _clip(sum(v * w for v, w in parts) / total) if total else None
