"""Each form's index kept on its response row, so rankings read one row per form instead of every answer.

The survey services call `refresh_form_score` whenever a form's answers change, in the same transaction;
the stored values are exactly what `scoring.form_index` gives for the form's valid answers (a template is
frozen once active, so they stay right). Migration 0008 filled them for the forms that existed before.
"""

from ..surveys.models import Response, Survey
from . import scoring
from .scoring import DimensionSpec, QuestionSpec


def survey_specs(survey: Survey) -> tuple[list[QuestionSpec], list[DimensionSpec]]:
    """What scoring needs of a template: its questions (with their dimension codes) and weighted dimensions."""
    codes = {d.id: d.code for d in survey.dimensions}
    questions = [
        QuestionSpec(q.id, codes.get(q.dimension_id), q.qtype.value, q.settings, q.reversed) for q in survey.questions
    ]
    return questions, [DimensionSpec(d.code, d.weight) for d in survey.dimensions]


def apply_form_index(response: Response, result: scoring.FormIndex) -> None:
    """Store a computed form index on its response."""
    response.score = result.value
    response.dimension_scores = dict(result.dimensions)


def refresh_form_score(response: Response) -> None:
    """Recompute a form's index from its valid answers (the caller flushes)."""
    questions, dimensions = survey_specs(response.round.survey)
    answers = {a.question_id: a.value for a in response.answers if a.valid}
    apply_form_index(response, scoring.form_index(questions, dimensions, answers))
