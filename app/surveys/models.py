"""Questionnaire templates (dimensions, questions), rounds in a region, responses and their answers."""

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..audit import parent_row
from ..enums import LabelledEnum, enum_column
from ..extensions import db
from ..regions.models import Region
from ..sqltypes import UTCDateTime


def _now() -> datetime:
    """The current time (through app.clock, so tests can travel)."""
    return clock.utcnow()


class Direction(LabelledEnum):
    """How to read a higher score."""

    HIGHER_WORSE = ("higher_worse", "Makin tinggi makin rawan")
    HIGHER_BETTER = ("higher_better", "Makin tinggi makin baik")


class SurveyStatus(LabelledEnum):
    """Draft templates can be edited; active ones are frozen and used in rounds; closed ones are retired."""

    DRAFT = ("draft", "Draf")
    ACTIVE = ("active", "Aktif")
    CLOSED = ("closed", "Ditutup")


class QuestionType(LabelledEnum):
    """The kinds of question on a paper form."""

    SCALE = ("scale", "Skala 1–5")
    CHOICE = ("choice", "Pilihan tunggal")
    YESNO = ("yesno", "Ya/tidak")
    NUMBER = ("number", "Angka")
    TEXT = ("text", "Teks bebas")


class RoundStatus(LabelledEnum):
    """A round takes forms while open."""

    OPEN = ("open", "Dibuka")
    CLOSED = ("closed", "Ditutup")


AGE_BANDS = {"17-25": "17–25", "26-35": "26–35", "36-45": "36–45", "46-55": "46–55", "56+": "56 ke atas"}


class Survey(db.Model):
    """A questionnaire template; once active it is frozen (a change needs a new version)."""

    __tablename__ = "surveys"
    __audit_label__ = "Templat kuesioner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    edition: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    index_name: Mapped[str] = mapped_column(String(120))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, 16))
    status: Mapped[SurveyStatus] = mapped_column(enum_column(SurveyStatus), default=SurveyStatus.DRAFT)
    template_version: Mapped[int] = mapped_column(default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id"))
    is_example: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    dimensions: Mapped[list["Dimension"]] = relationship(
        back_populates="survey", order_by="Dimension.position, Dimension.id", cascade="all, delete-orphan"
    )
    questions: Mapped[list["Question"]] = relationship(
        back_populates="survey", order_by="Question.position, Question.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Survey {self.id} {self.name!r} v{self.template_version}>"

    @property
    def editable(self) -> bool:
        """Only drafts change."""
        return self.status == SurveyStatus.DRAFT


class Dimension(db.Model):
    """A dimension of the index, with its weight."""

    __tablename__ = "survey_dimensions"
    __audit_label__ = "Dimensi kuesioner"
    __table_args__ = (UniqueConstraint("survey_id", "code", name="uq_survey_dimensions_survey_id_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    position: Mapped[int] = mapped_column(default=0)

    survey: Mapped[Survey] = relationship(back_populates="dimensions")

    def __repr__(self) -> str:
        return f"<Dimension {self.code}>"


class Question(db.Model):
    """One question: its type decides the options (scale labels, choices with scores, yes/no scores, min/max)."""

    __tablename__ = "survey_questions"
    __audit_label__ = "Pertanyaan kuesioner"
    __table_args__ = (
        UniqueConstraint("survey_id", "code", name="uq_survey_questions_survey_id_code"),
        Index("ix_survey_questions_survey_id_position", "survey_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    dimension_id: Mapped[int | None] = mapped_column(ForeignKey("survey_dimensions.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    help: Mapped[str | None] = mapped_column(Text)
    qtype: Mapped[QuestionType] = mapped_column(enum_column(QuestionType))
    # scale: {"labels": [5 labels]}; choice: {"options": [{"label", "score"}]}; yesno: {"yes": s, "no": s};
    # number: {"min": a, "max": b}; text: {}
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    reversed: Mapped[bool] = mapped_column(default=False)
    required: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    dimension: Mapped[Dimension | None] = relationship()

    def __repr__(self) -> str:
        return f"<Question {self.code}>"


class Round(db.Model):
    """A questionnaire round in one region (optionally during a meeting), taking paper forms while open."""

    __tablename__ = "survey_rounds"
    __audit_label__ = "Putaran kuesioner"
    __table_args__ = (Index("ix_survey_rounds_region_id", "region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[RoundStatus] = mapped_column(enum_column(RoundStatus), default=RoundStatus.OPEN)
    expected_forms: Mapped[int] = mapped_column(default=0)
    double_entry: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    survey: Mapped[Survey] = relationship(lazy="joined")
    region: Mapped[Region] = relationship(lazy="joined")
    responses: Mapped[list["Response"]] = relationship(
        back_populates="round", order_by="Response.number, Response.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Round {self.id} {self.title!r}>"


class Response(db.Model):
    """One paper form as entered: the respondent's profile and the answers; a second entry checks a first."""

    __tablename__ = "survey_responses"
    __audit_label__ = "Isian kuesioner"
    # Derived from the answers, which are audited themselves.
    __audit_exclude__ = frozenset({"score", "dimension_scores"})
    __table_args__ = (Index("ix_survey_responses_round_id_number", "round_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"))
    number: Mapped[int]
    unsur: Mapped[str | None] = mapped_column(String(20))
    sex: Mapped[str | None] = mapped_column(String(1))
    age_band: Mapped[str | None] = mapped_column(String(8))
    completed: Mapped[bool] = mapped_column(default=False)
    first_entry_id: Mapped[int | None] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now, onupdate=_now)
    # The form's index and dimension scores as scoring.form_index computes them from the valid answers, kept
    # up to date in the same transaction as every answer (app/scoring/rollup.py): rankings read one row per
    # form, not its answers. The dimensions a form left out are the template's others.
    score: Mapped[float | None] = mapped_column(Float)
    dimension_scores: Mapped[dict | None] = mapped_column(JSON)

    round: Mapped[Round] = relationship(back_populates="responses")
    answers: Mapped[list["Answer"]] = relationship(back_populates="response", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Response {self.round_id}#{self.number}>"

    @property
    def audit_region_id(self) -> int | None:
        """Audit rows belong to the round's region."""
        round_ = self.round or parent_row(self, Round, self.round_id)
        return round_.region_id if round_ else None


class Answer(db.Model):
    """The value typed for one question, kept even when invalid so nothing typed is lost."""

    __tablename__ = "survey_answers"
    __audit_label__ = "Jawaban kuesioner"
    __table_args__ = (UniqueConstraint("response_id", "question_id", name="uq_survey_answers_response_id_question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(String(2000))
    valid: Mapped[bool] = mapped_column(default=True)

    response: Mapped[Response] = relationship(back_populates="answers")

    def __repr__(self) -> str:
        return f"<Answer {self.response_id}:{self.question_id}={self.value!r}>"

    @property
    def audit_region_id(self) -> int | None:
        """Audit rows belong to the round's region."""
        response = self.response or parent_row(self, Response, self.response_id)
        return response.audit_region_id if response else None
