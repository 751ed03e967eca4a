"""Questionnaires: build and freeze templates, open rounds, enter paper forms fast, compare double entries.

Services flush but never commit. Refusals raise SurveyError (with the form field); a save from an
old version raises StaleEdit.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..access import can_see_region
from ..auth.models import Role, User
from ..meetings.importer import UNSUR
from ..meetings.models import Meeting
from ..regions.models import Region, RegionKind
from ..reports.services import StaleEdit
from ..scoring.rollup import refresh_form_score
from . import rules
from .models import (
    AGE_BANDS,
    Answer,
    Dimension,
    Direction,
    Question,
    QuestionType,
    Response,
    Round,
    RoundStatus,
    Survey,
    SurveyStatus,
)

DESIGNERS = (Role.ADMIN, Role.PROVINSI)
ENTERERS = (Role.ADMIN, Role.PROVINSI, Role.FASILITATOR)

__all__ = ["StaleEdit", "SurveyError"]


class SurveyError(Exception):
    """A refused questionnaire operation; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class SurveyData:
    """The template's own fields."""

    name: str
    edition: str
    description: str | None
    index_name: str
    direction: Direction


@dataclass
class QuestionData:
    """One question as the builder form gives it."""

    code: str
    text: str
    help: str | None
    qtype: QuestionType
    dimension_id: int | None
    settings: dict
    reversed: bool
    required: bool


def _check_version(obj, version: int | None) -> None:
    """Refuse a save made from an older version of the row."""
    if version is not None and version != obj.version:
        raise StaleEdit(obj)


# ---------------------------------------------------------------- templates


def _require_draft(user: User, survey: Survey) -> None:
    """Only designers change templates, and only drafts."""
    if user.role not in DESIGNERS:
        raise SurveyError("Hanya administrator atau analis provinsi yang menyusun templat.")
    if not survey.editable:
        raise SurveyError("Templat aktif dibekukan; buat versi baru untuk mengubahnya.")


def create_survey(session: Session, user: User, data: SurveyData) -> Survey:
    """A new draft template."""
    if user.role not in DESIGNERS:
        raise SurveyError("Hanya administrator atau analis provinsi yang menyusun templat.")
    survey = Survey(created_by_id=user.id)
    _apply_survey(survey, data)
    session.add(survey)
    session.flush()
    return survey


def _apply_survey(survey: Survey, data: SurveyData) -> None:
    """Copy the template's fields."""
    survey.name = data.name.strip()
    survey.edition = data.edition.strip()
    survey.description = (data.description or "").strip() or None
    survey.index_name = data.index_name.strip()
    survey.direction = data.direction


def update_survey(session: Session, survey: Survey, user: User, data: SurveyData, version: int | None) -> None:
    """Change a draft template's own fields."""
    _require_draft(user, survey)
    _check_version(survey, version)
    _apply_survey(survey, data)
    session.flush()


def save_dimension(
    session: Session,
    survey: Survey,
    user: User,
    code: str,
    name: str,
    weight: float,
    dimension: Dimension | None = None,
) -> Dimension:
    """Add a dimension or change one."""
    _require_draft(user, survey)
    code = code.strip()
    if not rules.CODE.match(code):
        raise SurveyError("Kode diawali huruf; huruf, angka, titik, garis bawah; maks. 20.", field="code")
    if any(d.code == code and d is not dimension for d in survey.dimensions):
        raise SurveyError("Kode dimensi sudah dipakai di templat ini.", field="code")
    if weight is None or weight <= 0:
        raise SurveyError("Bobot harus lebih dari 0.", field="weight")
    if dimension is None:
        dimension = Dimension(survey=survey, position=len(survey.dimensions) + 1)
        session.add(dimension)
    dimension.code, dimension.name, dimension.weight = code, name.strip(), weight
    session.flush()
    return dimension


def delete_dimension(session: Session, survey: Survey, user: User, dimension: Dimension) -> None:
    """Remove a dimension; its questions stay, without a dimension."""
    _require_draft(user, survey)
    for question in survey.questions:
        if question.dimension_id == dimension.id:
            question.dimension_id = None
            question.dimension = None
    survey.dimensions.remove(dimension)
    session.flush()


def save_question(
    session: Session, survey: Survey, user: User, data: QuestionData, question: Question | None = None
) -> Question:
    """Add a question or change one, checking its code, dimension and type settings."""
    _require_draft(user, survey)
    code = data.code.strip()
    if not rules.CODE.match(code):
        raise SurveyError("Kode diawali huruf; huruf, angka, titik, garis bawah; maks. 20.", field="code")
    if any(q.code == code and q is not question for q in survey.questions):
        raise SurveyError("Kode pertanyaan sudah dipakai di templat ini.", field="code")
    dimension = next((d for d in survey.dimensions if d.id == data.dimension_id), None)
    if data.dimension_id is not None and dimension is None:
        raise SurveyError("Pilih dimensi dari daftar.", field="dimension_id")
    if data.qtype != QuestionType.TEXT and dimension is None:
        raise SurveyError("Pertanyaan berskor harus masuk sebuah dimensi.", field="dimension_id")
    problems = rules.settings_problems(data.qtype.value, data.settings)
    if problems:
        raise SurveyError(" ".join(problems), field="settings")
    if question is None:
        question = Question(survey=survey, position=max((q.position for q in survey.questions), default=0) + 1)
        session.add(question)
    question.code, question.text, question.help = code, data.text.strip(), (data.help or "").strip() or None
    question.qtype, question.dimension, question.settings = data.qtype, dimension, data.settings
    question.reversed, question.required = data.reversed, data.required
    session.flush()
    return question


def delete_question(session: Session, survey: Survey, user: User, question: Question) -> None:
    """Remove a question from a draft."""
    _require_draft(user, survey)
    survey.questions.remove(question)
    session.flush()


def move(session: Session, survey: Survey, user: User, item, step: int) -> None:
    """Move a dimension or question up (-1) or down (+1) in its list."""
    _require_draft(user, survey)
    items = list(survey.dimensions if isinstance(item, Dimension) else survey.questions)
    index = items.index(item)
    other = index + step
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        for position, each in enumerate(items, start=1):
            each.position = position
    session.flush()


def activate(session: Session, survey: Survey, user: User, now: datetime) -> None:
    """Freeze a complete template so rounds can use it."""
    _require_draft(user, survey)
    problems = rules.template_problems(survey)
    if problems:
        raise SurveyError(" ".join(problems))
    survey.status = SurveyStatus.ACTIVE
    survey.activated_at = now
    session.flush()


def retire(session: Session, survey: Survey, user: User) -> None:
    """Close an active template: no new rounds (existing rounds keep their forms)."""
    if user.role not in DESIGNERS:
        raise SurveyError("Hanya administrator atau analis provinsi yang mengelola templat.")
    if survey.status != SurveyStatus.ACTIVE:
        raise SurveyError("Hanya templat aktif yang dapat ditutup.")
    survey.status = SurveyStatus.CLOSED
    session.flush()


def copy_template(session: Session, survey: Survey, user: User, as_new_version: bool) -> Survey:
    """A draft copy: the next version of the same template, or an editable copy of an example."""
    if user.role not in DESIGNERS:
        raise SurveyError("Hanya administrator atau analis provinsi yang menyusun templat.")
    data = rules.to_json(survey)
    copy = build_from_json(session, user, data)
    if as_new_version:
        copy.previous_id = survey.id
        latest = session.scalar(
            select(func.max(Survey.template_version)).where(
                Survey.name == survey.name, Survey.edition == survey.edition
            )
        )
        copy.template_version = (latest or survey.template_version) + 1
    else:
        copy.name = f"{survey.name} (salinan)"[:200]
    session.flush()
    return copy


def build_from_json(session: Session, user: User, data: dict, is_example: bool = False) -> Survey:
    """A draft template from the JSON format (structure checked here; content on activation)."""
    problems = rules.json_problems(data)
    if problems:
        raise SurveyError(" ".join(problems[:10]), field="file")
    survey = Survey(
        name=data["name"].strip(),
        edition=data["edition"].strip(),
        description=data.get("description"),
        index_name=data["index_name"].strip(),
        direction=Direction(data["direction"]),
        created_by_id=user.id if user else None,
        is_example=is_example,
    )
    by_code = {}
    for position, d in enumerate(data["dimensions"], start=1):
        by_code[d["code"]] = Dimension(
            survey=survey, code=d["code"], name=d["name"][:200], weight=float(d["weight"]), position=position
        )
    for position, q in enumerate(data["questions"], start=1):
        Question(
            survey=survey,
            code=q["code"],
            text=q["text"],
            help=q.get("help"),
            qtype=QuestionType(q["type"]),
            dimension=by_code.get(q.get("dimension")),
            settings=q.get("settings") or {},
            reversed=bool(q.get("reversed")),
            required=q.get("required", True) is not False,
            position=position,
        )
    session.add(survey)  # added last: the whole tree cascades in at once
    session.flush()
    return survey


# ---------------------------------------------------------------- rounds


def round_regions(session: Session, user: User) -> list[Region]:
    """Regions a user may open a round for: their region and (province users) its kabupaten/kota."""
    if user.role == Role.ADMIN:
        stmt = select(Region).where(Region.kind != RegionKind.KECAMATAN)
    elif user.role not in ENTERERS or user.region is None:
        return []
    elif user.region.is_province:
        stmt = select(Region).where(
            or_(Region.id == user.region_id, Region.parent_id == user.region_id), Region.kind != RegionKind.KECAMATAN
        )
    else:
        stmt = select(Region).where(Region.id == user.region_id)
    return list(session.scalars(stmt.order_by(Region.code)))


def may_enter(user: User, round_: Round) -> bool:
    """Facilitators, province analysts and administrators enter forms of rounds in their scope."""
    return user.role in ENTERERS and can_see_region(user, round_.region)


def open_round(
    session: Session,
    user: User,
    survey: Survey,
    region: Region,
    title: str,
    expected: int,
    double_entry: bool,
    meeting: Meeting | None,
) -> Round:
    """Open a round of an active template in a region (optionally during a meeting of that region)."""
    if survey.status != SurveyStatus.ACTIVE:
        raise SurveyError("Hanya templat aktif yang dapat dipakai.", field="survey_id")
    if region not in round_regions(session, user):
        raise SurveyError("Pilih wilayah dari daftar.", field="region_id")
    if meeting is not None and meeting.region_id != region.id:
        raise SurveyError("Rapat harus dari wilayah yang sama.", field="meeting_id")
    round_ = Round(
        survey=survey,
        region=region,
        meeting_id=meeting.id if meeting else None,
        title=title.strip(),
        expected_forms=expected,
        double_entry=double_entry,
        created_by_id=user.id,
    )
    session.add(round_)
    session.flush()
    return round_


def set_round_open(session: Session, round_: Round, user: User, open_: bool, now: datetime) -> None:
    """Close a round (no more forms) or reopen it."""
    if not may_enter(user, round_):
        raise SurveyError("Anda tidak dapat mengelola putaran ini.")
    round_.status = RoundStatus.OPEN if open_ else RoundStatus.CLOSED
    round_.closed_at = None if open_ else now
    session.flush()


def _require_entry(user: User, round_: Round) -> None:
    """Entry is for those who may, into open rounds of active templates."""
    if not may_enter(user, round_):
        raise SurveyError("Anda tidak dapat mengisi putaran ini.")
    if round_.status != RoundStatus.OPEN:
        raise SurveyError("Putaran sudah ditutup; isian tidak diterima.")
    if round_.survey.status != SurveyStatus.ACTIVE:
        raise SurveyError("Templat kuesioner tidak aktif; isian tidak diterima.")


def first_entries(round_: Round) -> list[Response]:
    """The forms as first entered (second entries are checks, not forms)."""
    return [r for r in round_.responses if r.first_entry_id is None]


def next_form(session: Session, round_: Round, user: User) -> Response:
    """The form to type next: an unfinished one of this user, or a new one with the next number."""
    _require_entry(user, round_)
    for response in first_entries(round_):
        if not response.completed and response.entered_by_id == user.id:
            return response
    number = max((r.number for r in first_entries(round_)), default=0) + 1
    response = Response(round=round_, number=number, entered_by_id=user.id)
    session.add(response)
    session.flush()
    return response


def start_second_entry(session: Session, round_: Round, user: User, number: int) -> Response:
    """A second person types form `number` again, to check the first entry."""
    _require_entry(user, round_)
    if not round_.double_entry:
        raise SurveyError("Entri ganda tidak diaktifkan untuk putaran ini.")
    first = next((r for r in first_entries(round_) if r.number == number and r.completed), None)
    if first is None:
        raise SurveyError(f"Formulir {number} belum selesai dientri pertama kali.", field="number")
    if first.entered_by_id == user.id:
        raise SurveyError("Entri ganda harus oleh orang lain dari pengentri pertama.", field="number")
    existing = next((r for r in round_.responses if r.first_entry_id == first.id), None)
    if existing is not None:
        return existing
    second = Response(round=round_, number=number, first_entry_id=first.id, entered_by_id=user.id)
    session.add(second)
    session.flush()
    return second


def save_profile(
    session: Session, response: Response, user: User, unsur: str | None, sex: str | None, age_band: str | None
) -> list[str]:
    """Store the respondent's profile; returns the problems (empty when all is well)."""
    _require_entry(user, response.round)
    problems = []
    if unsur and unsur not in UNSUR:
        problems.append("Unsur tidak dikenal.")
    if sex and sex not in ("L", "P"):
        problems.append("L/P tidak sah.")
    if age_band and age_band not in AGE_BANDS:
        problems.append("Kelompok umur tidak dikenal.")
    response.unsur = unsur if unsur in UNSUR else None
    response.sex = sex if sex in ("L", "P") else None
    response.age_band = age_band if age_band in AGE_BANDS else None
    session.flush()
    return problems


def save_answer(session: Session, response: Response, user: User, question: Question, raw: str | None) -> str | None:
    """Store what was typed for one question (even when invalid); returns the problem, or None."""
    _require_entry(user, response.round)
    if question.survey_id != response.round.survey_id:
        raise SurveyError("Pertanyaan bukan dari kuesioner ini.")
    reading = rules.read_answer(question.qtype.value, question.settings, raw)
    answer = next((a for a in response.answers if a.question_id == question.id), None)
    if reading.value is None:
        if answer is not None:
            response.answers.remove(answer)
    else:
        if answer is None:
            answer = _new_answer(session, response, question.id, reading.value[: rules.MAX_TEXT])
        answer.value = reading.value[: rules.MAX_TEXT]
        answer.valid = reading.problem is None
    response.completed = False if reading.problem else response.completed
    session.flush()
    refresh_form_score(response)
    session.flush()
    return reading.problem


def _new_answer(session: Session, response: Response, question_id: int, value: str) -> Answer:
    """Insert an answer, or take the one another request stored a moment ago.

    Leaving a field and pressing Enter can send the same answer twice at once; on PostgreSQL both requests
    may see no answer yet, and the second insert meets the unique constraint. It is tried in a savepoint,
    and on conflict the stored answer is updated instead.
    """
    answer = Answer(response_id=response.id, question_id=question_id, value=value)
    try:
        with session.begin_nested():
            session.add(answer)
    except IntegrityError:
        answer = session.scalars(
            select(Answer).where(Answer.response_id == response.id, Answer.question_id == question_id)
        ).one()
    session.expire(response, ["answers"])  # the collection reloads with the new row
    return answer


def form_problems(response: Response) -> dict[int, str]:
    """{question id: problem} that block finishing: invalid answers and missing required ones."""
    answers = {a.question_id: a for a in response.answers}
    problems = {}
    for question in response.round.survey.questions:
        answer = answers.get(question.id)
        if answer is not None and not answer.valid:
            problems[question.id] = rules.read_answer(question.qtype.value, question.settings, answer.value).problem
        elif answer is None and question.required:
            problems[question.id] = "Wajib diisi."
    return problems


def finish(session: Session, response: Response, user: User) -> dict[int, str]:
    """Mark the form complete when nothing blocks it; returns the blocking problems otherwise."""
    _require_entry(user, response.round)
    problems = form_problems(response)
    response.completed = not problems
    refresh_form_score(response)
    session.flush()
    return problems


def delete_response(session: Session, response: Response, user: User) -> None:
    """Remove a form (and its second entry)."""
    if not may_enter(user, response.round):
        raise SurveyError("Anda tidak dapat menghapus isian ini.")
    round_ = response.round
    for second in [r for r in round_.responses if r.first_entry_id == response.id]:
        round_.responses.remove(second)
    round_.responses.remove(response)
    session.flush()


def entry_values(response: Response) -> dict[str, str | None]:
    """The profile and answers of an entry keyed by field or question code (for comparing entries)."""
    codes = {q.id: q.code for q in response.round.survey.questions}
    values = {"unsur": response.unsur, "L/P": response.sex, "umur": response.age_band}
    values.update({codes[a.question_id]: a.value for a in response.answers if a.question_id in codes})
    return values


def double_entry_report(round_: Round) -> list[tuple[int, list[str]]]:
    """(form number, differing fields) for every form entered twice (empty list = the entries agree)."""
    report = []
    for second in [r for r in round_.responses if r.first_entry_id is not None and r.completed]:
        first = next((r for r in round_.responses if r.id == second.first_entry_id), None)
        if first is not None:
            report.append((first.number, rules.differences(entry_values(first), entry_values(second))))
    return sorted(report)


EXAMPLES = ("kuesioner-kerawanan-pilkada.json", "kuesioner-kewaspadaan-dini.json")


def load_examples(session: Session, now: datetime) -> int:
    """Load the shipped example templates once (active and frozen); returns how many were added."""
    added = 0
    for filename in EXAMPLES:
        data = json.loads((Path(__file__).parent / "data" / filename).read_text(encoding="utf-8"))
        exists = session.scalar(
            select(Survey.id).where(Survey.name == data["name"], Survey.edition == data["edition"], Survey.is_example)
        )
        if exists:
            continue
        survey = build_from_json(session, None, data, is_example=True)
        problems = rules.template_problems(survey)
        if problems:
            raise SurveyError(f"Contoh {filename} tidak sah: {' '.join(problems)}")
        survey.status = SurveyStatus.ACTIVE
        survey.activated_at = now
        added += 1
    session.flush()
    return added
