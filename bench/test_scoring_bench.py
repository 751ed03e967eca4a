"""P4 with pytest-benchmark: the pure scoring of app/scoring/scoring.py at national scale.

Run: .venv/bin/python -m pytest bench/test_scoring_bench.py -p no:cacheprovider (part of `make bench`;
not collected by `make test`, whose testpaths are tests/). Each test fails when the median misses its target:
(a) 514 regions × one form of 100 questions ≤ 50 ms; (b) 1,000,000 answers (50,000 forms × 20 questions over
514 regions) ≤ 1 s. A run is the whole pipeline on answers already in memory: every form's index
(form_index), every region's score (region_score), the competition ranks and each region's band.
"""

import random

import pytest

from app.scoring import scoring

REGIONS = 514
DIMENSIONS = (("stabilitas", 0.3), ("sosial", 0.2), ("ekonomi", 0.2), ("politik", 0.2), ("keamanan", 0.1))
BANDS = (scoring.Band("rawan rendah", 33.33), scoring.Band("rawan sedang", 66.67), scoring.Band("rawan tinggi", None))
CHOICE = {"options": [{"label": "a", "score": 0}, {"label": "b", "score": 2}, {"label": "c", "score": 5}]}


def questionnaire(count: int) -> tuple[list[scoring.QuestionSpec], list[scoring.DimensionSpec]]:
    """`count` questions spread over five weighted dimensions: scale, choice, yes/no, number; every
    seventh reversed."""
    kinds = (("scale", {}), ("choice", CHOICE), ("yesno", {"yes": 1, "no": 0}), ("number", {"min": 0, "max": 50}))
    questions = []
    for n in range(count):
        qtype, settings = kinds[n % len(kinds)]
        dimension = DIMENSIONS[n % len(DIMENSIONS)][0]
        questions.append(scoring.QuestionSpec(n + 1, dimension, qtype, settings, reversed=n % 7 == 3))
    return questions, [scoring.DimensionSpec(code, weight) for code, weight in DIMENSIONS]


def answer(rng: random.Random, question: scoring.QuestionSpec) -> str:
    """A plausible typed answer (a few blank, as on real paper forms)."""
    if rng.random() < 0.03:
        return ""
    if question.qtype == "scale":
        return str(rng.randint(1, 5))
    if question.qtype == "choice":
        return str(rng.randint(1, 3))
    if question.qtype == "yesno":
        return rng.choice(("ya", "tidak"))
    return str(rng.randint(0, 50))


def forms(count: int, questions: list[scoring.QuestionSpec], seed: int) -> list[tuple[int, dict[int, str]]]:
    """`count` filled forms as (region, {question id: answer}), spread evenly over the regions."""
    rng = random.Random(seed)
    return [(n % REGIONS, {q.id: answer(rng, q) for q in questions}) for n in range(count)]


def rank_regions(questions, dimensions, filled) -> dict:
    """The pipeline: form indices → region scores → competition ranks → bands."""
    indices: dict[int, list[float | None]] = {}
    dimension_scores: dict[int, list[dict]] = {}
    for region, answers in filled:
        result = scoring.form_index(questions, dimensions, answers)
        indices.setdefault(region, []).append(result.value)
        dimension_scores.setdefault(region, []).append(result.dimensions)
    scores = {region: scoring.region_score(values, 1, dimension_scores[region]) for region, values in indices.items()}
    ranks = scoring.competition_ranks({region: s.mean for region, s in scores.items()}, higher_is_worse=True)
    bands = {region: scoring.band_for(s.mean, BANDS) for region, s in scores.items()}
    return {"scores": scores, "ranks": ranks, "bands": bands}


def check(benchmark, result: dict, target_s: float) -> None:
    """Every region ranked and banded, and the median under the target."""
    assert len(result["ranks"]) == REGIONS and all(result["bands"].values())
    median = benchmark.stats.stats.median
    benchmark.extra_info.update(target_s=target_s, median_s=median, passed=median <= target_s)
    assert median <= target_s, f"median {median * 1000:.1f} ms > target {target_s * 1000:.0f} ms"


@pytest.mark.parametrize("questions_per_form", [100])
def test_514_regions_100_questions(benchmark, questions_per_form):
    """P4a: 514 regions × 100 questions (one form each) ≤ 50 ms."""
    questions, dimensions = questionnaire(questions_per_form)
    filled = forms(REGIONS, questions, seed=514)
    result = benchmark.pedantic(rank_regions, args=(questions, dimensions, filled), rounds=15, warmup_rounds=2)
    check(benchmark, result, 0.050)


def test_one_million_answers(benchmark):
    """P4b: 50,000 forms × 20 questions (1,000,000 answers) over 514 regions ≤ 1 s."""
    questions, dimensions = questionnaire(20)
    filled = forms(50_000, questions, seed=1_000_000)
    assert sum(len(a) for _, a in filled) == 1_000_000
    result = benchmark.pedantic(rank_regions, args=(questions, dimensions, filled), rounds=5, warmup_rounds=1)
    check(benchmark, result, 1.0)
