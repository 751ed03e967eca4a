"""Questionnaire rounds of the example templates in every regency (answers scattered around the regency's
unrest, as `demo.synthetic_answers` does), and published IKP/IKN results, so every province has a ranking.
"""

import bisect
import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..demo import UNSUR_MIX
from ..scoring.models import IndexDefinition, IndexSource, PublishedScore
from ..scoring.rollup import survey_specs
from ..scoring.scoring import DimensionSpec, QuestionSpec, form_index, normalise
from ..surveys.models import AGE_BANDS, Answer, Direction, Response, Round, Survey
from .world import Place, World

ROUND_COLUMNS = [
    "id",
    "survey_id",
    "region_id",
    "meeting_id",
    "title",
    "status",
    "expected_forms",
    "double_entry",
    "created_by_id",
    "created_at",
    "closed_at",
    "version",
]
RESPONSE_COLUMNS = [
    "id",
    "round_id",
    "number",
    "unsur",
    "sex",
    "age_band",
    "completed",
    "first_entry_id",
    "entered_by_id",
    "created_at",
    "updated_at",
    "score",
    "dimension_scores",
]
ANSWER_COLUMNS = ["id", "response_id", "question_id", "value", "valid"]
PUBLISHED_COLUMNS = ["id", "definition_id", "region_id", "score", "category", "source", "created_at"]
REMARKS = ("Perlu sosialisasi lebih awal.", "Koordinasi sudah baik.", "Perlu pengawasan di desa terpencil.")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


@dataclass
class Template:
    """An example questionnaire as the generator answers it: per question, its possible answers by score."""

    id: int
    name: str
    better: bool
    questions: list[tuple[int, str, list[float], list[str]]]  # id, type, sorted scores, values in that order
    specs: tuple[list[QuestionSpec], list[DimensionSpec]]  # for the form index kept on each response


def load_templates(session: Session) -> list[Template]:
    """The shipped example templates (active), with every possible answer of each question scored."""
    templates = []
    for survey in session.scalars(select(Survey).where(Survey.is_example).order_by(Survey.id)):
        questions = []
        for q in survey.questions:
            qtype, settings = q.qtype.value, q.settings or {}
            if qtype == "scale":
                candidates = ["1", "2", "3", "4", "5"]
            elif qtype == "choice":
                candidates = [str(n) for n in range(1, len(settings.get("options", [])) + 1)]
            elif qtype == "yesno":
                candidates = ["ya", "tidak"]
            elif qtype == "number":
                low, high = settings.get("min") or 0, settings.get("max") or 10
                candidates = sorted({str(round(low + (high - low) * step / 10)) for step in range(11)})
            else:
                candidates = []
            spec = QuestionSpec(q.id, None, qtype, settings, q.reversed)
            scored = sorted((normalise(spec, c) or 0.0, c) for c in candidates)
            questions.append((q.id, qtype, [s for s, _ in scored], [c for _, c in scored]))
        better = survey.direction == Direction.HIGHER_BETTER
        templates.append(Template(survey.id, survey.name, better, questions, survey_specs(survey)))
    return templates


class SurveyMaker:
    """Rounds at regular intervals in every regency, alternating the templates, ~11 forms each."""

    def __init__(self, world: World, templates: list[Template], held: dict[int, list[tuple[int, datetime]]]):
        self.world, self.writer, self.now = world, world.writer, world.plan.now
        self.rng = world.plan.rng("surveys")
        self.templates, self.held = templates, held
        for model, columns in ((Round, ROUND_COLUMNS), (Response, RESPONSE_COLUMNS), (Answer, ANSWER_COLUMNS)):
            self.writer.table(model.__table__, columns)
        self.ids = {model: self.writer.next_id(model.__table__) for model in (Round, Response, Answer)}

    def _id(self, model) -> int:
        """The next id of a table."""
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    def run(self, rounds: int) -> None:
        """`rounds` rounds per regency over the window (never fewer than one per template)."""
        if not self.templates:
            return
        days = self.world.plan.days
        rounds = max(rounds, len(self.templates))
        for regency in self.world.regencies:
            for number in range(rounds):
                back = days * (rounds - number - 0.5) / rounds + self.rng.uniform(-10, 10)
                template = self.templates[number % len(self.templates)]
                self.round(regency, template, regency.today - timedelta(days=max(0, int(back))))
        self.writer.commit()

    def round(self, regency: Place, template: Template, day) -> None:
        """One round: linked to a meeting near its date when there is one; closed unless it is recent."""
        rng, moment = self.rng, self.writer.moment
        opened = regency.utc(day, time(0)) + timedelta(hours=rng.uniform(8, 15))
        if opened > self.now:
            opened = self.now - timedelta(hours=1)
        near = [m for m, starts in self.held.get(regency.id, []) if abs(starts - opened) < timedelta(days=15)]
        closed = opened + timedelta(days=rng.uniform(10, 30))
        closed = closed if closed <= self.now else None
        forms = min(20, max(4, round(rng.gauss(11, 3))))
        round_id = self._id(Round)
        local = opened + regency.offset
        entered_by = regency.facilitator or regency.operators[0]
        self.writer.add(
            "survey_rounds",
            (
                round_id,
                template.id,
                regency.id,
                near[0] if near else None,
                f"{template.name.removesuffix(' (contoh)')} {regency.name} {MONTHS[local.month - 1]} {local.year}",
                "closed" if closed else "open",
                max(10, -(-forms // 5) * 5),
                False,
                entered_by.id,
                moment(opened),
                moment(closed),
                2 if closed else 1,
            ),
        )
        level = min(1.0, max(0.0, rng.gauss(regency.unrest, 0.05)))
        if template.better:
            level = 0.55 + 0.4 * (1 - level)
        end = closed or self.now
        for number in range(1, forms + 1):
            at = opened + (end - opened) * rng.random()
            completed = closed is not None or number < forms or rng.random() < 0.5
            response_id = self._id(Response)
            profile = (rng.choice(UNSUR_MIX), rng.choice("LP"), rng.choice(tuple(AGE_BANDS)))
            entered = (moment(at), moment(at + timedelta(minutes=rng.uniform(2, 8))))
            answers = self.answers(response_id, template, level)
            result = form_index(*template.specs, {row[2]: row[3] for row in answers})
            self.writer.add(
                "survey_responses",
                (
                    response_id,
                    round_id,
                    number,
                    *profile,
                    completed,
                    None,
                    entered_by.id,
                    *entered,
                    result.value,
                    json.dumps(result.dimensions),
                ),
            )
            for row in answers:
                self.writer.add("survey_answers", row)

    def answers(self, response_id: int, template: Template, level: float) -> list[tuple]:
        """The answer closest to a noisy target for each question; text mostly blank, a few left out."""
        rng, rows = self.rng, []
        for question_id, qtype, scores, values in template.questions:
            if qtype == "text":
                if rng.random() < 0.2:
                    rows.append((self._id(Answer), response_id, question_id, rng.choice(REMARKS), True))
                continue
            if rng.random() < 0.03 or not values:
                continue
            target = min(1.0, max(0.0, rng.gauss(level, 0.18))) * 100
            at = bisect.bisect_left(scores, target)
            if at == len(scores) or (at > 0 and target - scores[at - 1] <= scores[at] - target):
                at -= 1
            rows.append((self._id(Answer), response_id, question_id, values[at], True))
        return rows


def _band(value: float, bands: list[dict]) -> str | None:
    """The label of the band a score falls in."""
    for band in bands or []:
        if band.get("below") is None or value < band["below"]:
            return band["label"]
    return None


@dataclass(frozen=True)
class Published:
    """A published index as the generator needs it."""

    id: int
    name: str
    edition: str
    worse: bool
    bands_regency: list
    bands_province: list


def published_definitions(session: Session) -> list[Published]:
    """The published indices (IKP, IKN …) defined in the database."""
    stmt = select(IndexDefinition).where(IndexDefinition.source == IndexSource.PUBLISHED).order_by(IndexDefinition.id)
    return [
        Published(d.id, d.name, d.edition, d.direction == Direction.HIGHER_WORSE, d.bands_regency, d.bands_province)
        for d in session.scalars(stmt)
    ]


def make_published(world: World, definitions: list[Published]) -> None:
    """A published result of every published index for every province and regency (synthetic)."""
    writer, rng = world.writer, world.plan.rng("published")
    writer.table(PublishedScore.__table__, PUBLISHED_COLUMNS)
    next_id = writer.next_id(PublishedScore.__table__)
    created = writer.moment(world.plan.now - timedelta(days=rng.randint(30, 200)))
    for definition in definitions:
        for province in world.provinces:
            for place in (province, *province.regencies):
                middle = 80 * place.unrest if definition.worse else 85 - 30 * place.unrest
                score = round(min(100.0, max(0.0, rng.gauss(middle, 6))), 2)
                bands = definition.bands_province if place is province else definition.bands_regency
                writer.add(
                    "published_scores",
                    (
                        next_id,
                        definition.id,
                        place.id,
                        score,
                        _band(score, bands),
                        f"{definition.name} {definition.edition} (data sintetis)",
                        created,
                    ),
                )
                next_id += 1
