"""The scoring module: hand-computed examples and properties (hypothesis)."""

import ast
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.scoring import charts, scoring
from app.scoring.scoring import (
    Band,
    DimensionSpec,
    QuestionSpec,
    band_for,
    competition_ranks,
    composite,
    form_index,
    incident_indicator,
    movement,
    normalise,
    phrase,
    region_score,
    weighted_items,
)

SCALE = QuestionSpec(1, "A", "scale", {})
IKP_BANDS = [Band("rawan rendah", 13.47), Band("rawan sedang", 49.33), Band("rawan tinggi", None)]


# ---------------------------------------------------------------- answers to 0–100


@pytest.mark.parametrize(
    ("question", "value", "expected"),
    [
        (SCALE, "1", 0.0),
        (SCALE, "3", 50.0),
        (SCALE, "5", 100.0),
        (QuestionSpec(1, "A", "scale", {}, reversed=True), "4", 25.0),
        (QuestionSpec(1, "A", "choice", {"options": [{"score": 0}, {"score": 2}, {"score": 5}]}), "2", 40.0),
        (QuestionSpec(1, "A", "choice", {"options": [{"score": 3}, {"score": 3}]}), "1", 0.0),
        (QuestionSpec(1, "A", "yesno", {"yes": 1, "no": 0}), "ya", 100.0),
        (QuestionSpec(1, "A", "yesno", {"yes": 1, "no": 0}, reversed=True), "ya", 0.0),
        (QuestionSpec(1, "A", "yesno", {"yes": 0, "no": 2}), "tidak", 100.0),
        (QuestionSpec(1, "A", "number", {"min": 0, "max": 20}), "5", 25.0),
    ],
)
def test_answers_become_zero_to_hundred(question, value, expected):
    assert normalise(question, value) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("question", "value"),
    [
        (QuestionSpec(1, "A", "text", {}), "Situasi aman"),  # text is never a number
        (SCALE, None),  # unanswered: left out, not zero
        (SCALE, ""),
        (SCALE, "9"),  # out of range (an invalid answer) is left out, not clipped
        (SCALE, "0"),
        (QuestionSpec(1, "A", "choice", {"options": [{"score": 0}, {"score": 1}]}), "0"),
        (QuestionSpec(1, "A", "choice", {"options": [{"score": 0}, {"score": 1}]}), "3"),
        (QuestionSpec(1, "A", "number", {"min": 0, "max": 20}), "21"),
        (QuestionSpec(1, "A", "number", {"min": 0, "max": None}), "5"),
        (QuestionSpec(1, "A", "yesno", {"yes": 1, "no": 1}), "ya"),
        (QuestionSpec(1, "A", "yesno", {"yes": 1, "no": 0}), "mungkin"),
    ],
)
def test_what_cannot_be_scored_is_left_out(question, value):
    assert normalise(question, value) is None


def test_a_form_index_is_the_weighted_mean_of_its_dimensions_and_reports_empty_ones():
    questions = [
        QuestionSpec(1, "A", "scale", {}),
        QuestionSpec(2, "A", "scale", {}),
        QuestionSpec(3, "B", "scale", {}),
        QuestionSpec(4, "B", "text", {}),
        QuestionSpec(5, "C", "scale", {}),
        QuestionSpec(6, None, "scale", {}),  # outside every dimension: not counted
    ]
    dimensions = [DimensionSpec("A", 2), DimensionSpec("B", 1), DimensionSpec("C", 1)]
    result = form_index(questions, dimensions, {1: "5", 2: "3", 3: "2", 4: "catatan", 6: "5"})
    # A = (100 + 50) / 2 = 75; B = 25; C has no answer: weights 2:1 over A and B → (75·2 + 25) / 3
    assert result.dimensions == {"A": 75.0, "B": 25.0}
    assert result.value == pytest.approx(175 / 3)
    assert result.missing == ("C",)


def test_number_answers_are_worked_out_once_and_kept_up_to_a_limit(monkeypatch):
    monkeypatch.setattr(scoring, "MAX_KEPT_ANSWERS", 3)
    question = QuestionSpec(1, "A", "number", {"min": 0, "max": 50}, reversed=True)
    dimensions = [DimensionSpec("A", 1)]
    for typed in ("10", "10", "20", "x", "", "50", "40"):
        expected = normalise(QuestionSpec(1, "A", "number", {"min": 0, "max": 50}, reversed=True), typed)
        result = form_index([question], dimensions, {1: typed})
        assert result.value == expected
    # Scoring answers are kept (no blank, nothing unreadable), and no more than the limit.
    assert question.answers == {"10": 80.0, "20": 60.0, "50": 0.0}
    assert normalise(question, "40") == 20.0


def test_a_form_without_any_scored_answer_has_no_index():
    result = form_index([SCALE], [DimensionSpec("A", 1)], {})
    assert result.value is None
    assert result.missing == ("A",)


def test_region_score_mean_sd_and_confidence_interval():
    score = region_score([40, 50, 60], min_n=3)
    assert (score.mean, score.n, score.enough) == (50, 3, True)
    assert score.sd == pytest.approx(10)
    half = 4.303 * 10 / math.sqrt(3)  # t(0.975, 2 df)
    assert score.ci_low == pytest.approx(50 - half)
    assert score.ci_high == pytest.approx(50 + half)


def test_below_the_minimum_the_region_has_a_score_but_not_enough():
    score = region_score([40, 50], min_n=10)
    assert score.mean == 45
    assert score.enough is False
    assert region_score([], min_n=1).mean is None
    single = region_score([70], min_n=1)
    assert (single.mean, single.sd, single.ci_low, single.enough) == (70, None, None, True)


# ---------------------------------------------------------------- a province of 13 regencies

# Mean of each regency (five forms each: mean − 10, − 5, 0, + 5, + 10), and a 13th with three forms only.
PROVINCE = {
    "R01": 60.0,
    "R02": 55.5,
    "R03": 55.5,  # tied with R02
    "R04": 49.33,  # exactly the "tinggi" cut-off
    "R05": 49.32,
    "R06": 40.0,
    "R07": 30.0,
    "R08": 30.0,  # tied with R07
    "R09": 25.0,
    "R10": 20.0,
    "R11": 13.47,  # exactly the "sedang" cut-off
    "R12": 13.46,
}


def _province_scores():
    scores = {key: region_score([m - 10, m - 5, m, m + 5, m + 10], min_n=5) for key, m in PROVINCE.items()}
    scores["R13"] = region_score([85, 90, 95], min_n=5)  # the most vulnerable forms, but too few
    return scores


def test_thirteen_regencies_with_ties_and_one_under_the_minimum():
    scores = _province_scores()
    ranked = {key: s.mean for key, s in scores.items() if s.enough}
    ranks = competition_ranks(ranked, higher_is_worse=True)
    assert ranks == {
        "R01": 1,
        "R02": 2,
        "R03": 2,
        "R04": 4,
        "R05": 5,
        "R06": 6,
        "R07": 7,
        "R08": 7,
        "R09": 9,
        "R10": 10,
        "R11": 11,
        "R12": 12,
    }
    assert "R13" not in ranks
    bands = {key: band_for(mean, IKP_BANDS).label for key, mean in ranked.items()}
    assert bands["R01"] == bands["R04"] == "rawan tinggi"
    assert bands["R05"] == bands["R11"] == "rawan sedang"
    assert bands["R12"] == "rawan rendah"
    total = len(ranks)
    assert phrase(ranks["R09"], total, band_for(ranked["R09"], IKP_BANDS)) == "Peringkat 9 dari 12, rawan sedang"
    assert phrase(ranks["R02"], total, band_for(ranked["R02"], IKP_BANDS)) == "Peringkat 2 dari 12, rawan tinggi"
    assert phrase(None, total, None) == "Belum diperingkat: data belum cukup"
    # five forms spread ±10 around the mean: sd √62.5, t(4 df) = 2.776
    r09 = scores["R09"]
    assert r09.sd == pytest.approx(math.sqrt(62.5))
    assert r09.ci_high - r09.mean == pytest.approx(2.776 * math.sqrt(62.5) / math.sqrt(5))


def test_higher_is_better_ranks_the_lowest_score_last():
    ranked = {key: s.mean for key, s in _province_scores().items() if s.enough}
    ranks = competition_ranks(ranked, higher_is_worse=False)
    assert [ranks[k] for k in ("R12", "R11", "R10", "R09", "R07", "R08", "R06", "R02", "R03", "R01")] == [
        1,
        2,
        3,
        4,
        5,
        5,
        7,
        10,
        10,
        12,
    ]


def test_scores_equal_to_two_decimals_are_tied_and_banded_alike():
    ranks = competition_ranks({"a": 49.329999999, "b": 49.33, "c": 49.3249}, higher_is_worse=True)
    assert ranks == {"a": 1, "b": 1, "c": 3}
    assert band_for(49.329999999, IKP_BANDS).label == "rawan tinggi"
    assert band_for(None, IKP_BANDS) is None
    assert band_for(50, []) is None


@pytest.mark.parametrize(
    ("current", "previous", "shown"),
    [(3, 5, "▲2"), (5, 4, "▼1"), (2, 2, "tetap"), (1, None, "baru"), (None, 3, "")],
)
def test_movement_against_the_previous_edition(current, previous, shown):
    assert movement(current, previous) == shown


# ---------------------------------------------------------------- incidents and the composite


def test_incident_indicator_weighted_raw_and_per_capita():
    weighted = {
        "a": weighted_items({"rendah": 2, "tinggi": 1}),  # 2·1 + 1·9 = 11
        "b": weighted_items({"sedang": 3}),  # 9
        "c": weighted_items({}),
    }
    assert weighted == {"a": 11, "b": 9, "c": 0}
    raw, per_capita = incident_indicator(weighted, {"a": 110_000, "b": None, "c": 50_000})
    assert per_capita is False  # one population unknown: raw weighted counts
    assert raw == pytest.approx({"a": 100, "b": 900 / 11, "c": 0})
    scaled, per_capita = incident_indicator(weighted, {"a": 110_000, "b": 45_000, "c": 50_000})
    assert per_capita is True  # 10 and 20 per 100,000 → 50 and 100
    assert scaled == pytest.approx({"a": 50, "b": 100, "c": 0})
    assert weighted_items({"tinggi": 2}, {"tinggi": 5}) == 10
    assert incident_indicator({"a": 0}, {}) == ({"a": 0.0}, False)


def test_composite_blends_and_flips_incidents_for_higher_is_better():
    assert composite(60, 100, (0.7, 0.3), higher_is_worse=True) == pytest.approx(72)
    assert composite(60, 100, (0.7, 0.3), higher_is_worse=False) == pytest.approx(42)
    assert composite(None, 40, (0.7, 0.3), higher_is_worse=True) == pytest.approx(40)
    assert composite(None, None, (0.7, 0.3), higher_is_worse=True) is None


# ---------------------------------------------------------------- charts


def test_bar_chart_geometry_and_severity():
    chart = charts.bar_chart([("A", 50.0, 2), ("B", None, None), ("C", 100.0, 0)], average=75.0, width=640)
    assert chart.plot_left == charts.LABEL_WIDTH
    first, missing, full = chart.bars
    assert first.width == pytest.approx(chart.plot_width / 2)
    assert missing.width == 0 and missing.value is None
    assert full.width == pytest.approx(chart.plot_width)
    assert missing.y - first.y == charts.BAR_HEIGHT + charts.ROW_GAP
    assert chart.average_x == pytest.approx(chart.plot_left + 0.75 * chart.plot_width, abs=0.1)
    assert chart.height > full.y + charts.BAR_HEIGHT
    assert [charts.severity(b, IKP_BANDS, True) for b in IKP_BANDS] == [0, 1, 2]
    assert [charts.severity(b, IKP_BANDS, False) for b in IKP_BANDS] == [2, 1, 0]
    assert charts.severity(None, IKP_BANDS, True) is None


def test_line_chart_puts_hundred_at_the_top():
    line = charts.line_chart([("2019", 0.0), ("2024", 100.0)], width=100, height=50, pad=5)
    assert line.points == [(5, 45, "2019", 0.0), (95, 5, "2024", 100.0)]
    assert line.path == "5.0,45.0 95.0,5.0"


# ---------------------------------------------------------------- purity


@pytest.mark.parametrize("module", ["scoring.py", "charts.py"])
def test_scoring_imports_no_framework_io_or_clock(module):
    source = Path(__file__).parents[1] / "app" / "scoring" / module
    tree = ast.parse(source.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
    allowed = {"math", "collections.abc", "dataclasses", ".scoring"}
    assert imported <= allowed, imported - allowed
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert not calls & {"open", "print", "input"}


# ---------------------------------------------------------------- properties

scores_strategy = st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=60)


@given(
    qtype=st.sampled_from(["scale", "choice", "yesno", "number"]),
    value=st.text(max_size=6) | st.integers(-5, 30).map(str) | st.sampled_from(["ya", "tidak"]),
    reversed_=st.booleans(),
    option_scores=st.lists(st.integers(-10, 10), min_size=2, max_size=6),
)
def test_any_answer_scores_within_zero_and_hundred_or_not_at_all(qtype, value, reversed_, option_scores):
    settings = {
        "options": [{"score": s} for s in option_scores],
        "yes": 1,
        "no": 0,
        "min": 0,
        "max": 20,
    }
    score = normalise(QuestionSpec(1, "A", qtype, settings, reversed_), value)
    assert score is None or 0 <= score <= 100


@given(
    answers=st.dictionaries(st.integers(1, 12), st.sampled_from(["1", "2", "3", "4", "5", "", "x"]), max_size=12),
    weights=st.lists(st.floats(0, 10, allow_nan=False), min_size=3, max_size=3),
)
def test_a_form_index_stays_within_zero_and_hundred(answers, weights):
    questions = [QuestionSpec(i, "ABC"[i % 3], "scale", {}, reversed=i % 2 == 0) for i in range(1, 13)]
    dimensions = [DimensionSpec(code, w) for code, w in zip("ABC", weights, strict=True)]
    value = form_index(questions, dimensions, answers).value
    assert value is None or 0 <= value <= 100


@given(values=scores_strategy, seed=st.randoms(use_true_random=False))
def test_permuting_respondents_changes_nothing(values, seed):
    shuffled = list(values)
    seed.shuffle(shuffled)
    a, b = region_score(values, 10), region_score(shuffled, 10)
    assert a.n == b.n and a.enough == b.enough
    for first, second in ((a.mean, b.mean), (a.sd, b.sd), (a.ci_low, b.ci_low), (a.ci_high, b.ci_high)):
        assert (first is None and second is None) or first == pytest.approx(second, abs=1e-9)
    assert 0 <= a.mean <= 100
    assert a.ci_low is None or 0 <= a.ci_low <= a.mean <= a.ci_high <= 100


@given(values=scores_strategy)
def test_adding_a_respondent_at_the_mean_keeps_the_mean(values):
    before = region_score(values, 1)
    after = region_score([*values, before.mean], 1)
    assert after.mean == pytest.approx(before.mean, abs=1e-9)
    assert after.n == before.n + 1


@given(
    scores=st.dictionaries(st.integers(0, 40), st.floats(0, 100, allow_nan=False) | st.none(), max_size=40),
    higher_is_worse=st.booleans(),
)
def test_ranks_are_a_valid_competition_ranking(scores, higher_is_worse):
    ranks = competition_ranks(scores, higher_is_worse)
    scored = {k: round(v, 2) for k, v in scores.items() if v is not None}
    assert set(ranks) == set(scored)
    for key, value in scored.items():
        better = sum(1 for other in scored.values() if (other > value if higher_is_worse else other < value))
        assert ranks[key] == better + 1  # one more than those strictly ahead: ties share, the next skips
    assert all(1 <= r <= len(scored) for r in ranks.values())


@pytest.mark.parametrize(
    "spec",
    [
        QuestionSpec(1, "A", "scale", {}),
        QuestionSpec(1, "A", "scale", {}, reversed=True),
        QuestionSpec(1, "A", "choice", {"options": [{"score": 0}, {"score": 2}, {"score": 5}]}),
        QuestionSpec(1, "A", "choice", {"options": [{"score": 3}, {"score": 3}]}),
        QuestionSpec(1, "A", "choice", {}),
        QuestionSpec(1, "A", "yesno", {"yes": 0, "no": 2}, reversed=True),
        QuestionSpec(1, "A", "number", {"min": 0, "max": 20}),
        QuestionSpec(1, "A", "text", {}),
    ],
)
def test_the_precomputed_answers_score_as_the_settings_say(spec):
    """The table built at construction gives what the full computation gives, odd values included."""
    for value in ("1", "2", "3", "4", "5", "01", " 2", "ya", "tidak", "7.5", "", None, "x"):
        assert scoring.normalise(spec, value) == scoring._normalise(spec, value), value
    assert set(spec.answers) <= {"1", "2", "3", "4", "5", "ya", "tidak"}
