"""Access rows of questionnaires (the shipped example templates; an open Balangan round with one form)."""

from sqlalchemy import select

from app.extensions import db
from app.surveys import services
from app.surveys.models import Survey

from ..factories import region, user
from . import everyone, only

DESIGN = {"admin": 200, "analis": 200}
ENTER = {"admin": 302, "analis": 302, "fasilitator": 302}

ROWS = {
    ("surveys.index", "GET"): everyone(200),
    ("surveys.survey_create", "GET"): only(DESIGN),
    ("surveys.survey_create", "POST"): only({"admin": 422, "analis": 422}),
    ("surveys.builder", "GET"): everyone(200),
    ("surveys.builder", "POST"): only({"admin": 422, "analis": 422}),
    ("surveys.dimension_save", "POST"): only({"admin": 422, "analis": 422}),
    ("surveys.question_save", "POST"): only({"admin": 422, "analis": 422}),
    ("surveys.question_edit", "GET"): only(DESIGN),
    ("surveys.survey_action", "POST"): only({"admin": 302, "analis": 302}),  # "salin": an editable copy
    ("surveys.preview", "GET"): everyone(200),
    ("surveys.survey_export", "GET"): everyone(200),
    ("surveys.survey_import", "POST"): only({"admin": 422, "analis": 422}),
    ("surveys.round_create", "GET"): only({"admin": 200, "analis": 200, "fasilitator": 200}),
    ("surveys.round_create", "POST"): only({"admin": 422, "analis": 422, "fasilitator": 422}),
    ("surveys.round_detail", "GET"): everyone(200),
    ("surveys.round_status", "POST"): only(ENTER),
    ("surveys.round_enter", "POST"): only(ENTER),
    ("surveys.round_second", "POST"): only({"admin": 422, "analis": 422, "fasilitator": 422}),
    ("surveys.round_export", "GET"): everyone(200),
    ("surveys.entry", "GET"): only({"admin": 200, "analis": 200, "fasilitator": 200}),
    ("surveys.entry_profile", "POST"): only({"admin": 200, "analis": 200, "fasilitator": 200}),
    ("surveys.entry_answer", "POST"): only({"admin": 200, "analis": 200, "fasilitator": 200}),
    ("surveys.entry_finish", "POST"): only({"admin": 422, "analis": 422, "fasilitator": 422}),
    ("surveys.entry_delete", "POST"): only(ENTER),
}


def setup(app, _users):
    """The example Pilkada template (active, id 1 of the examples) with an open Balangan round and one form."""
    with app.app_context():
        survey = db.session.scalars(select(Survey).where(Survey.is_example).order_by(Survey.id)).first()
        facilitator = user("fasilitator")
        round_ = services.open_round(db.session, facilitator, survey, region("63.11"), "Putaran uji", 10, True, None)
        form = services.next_form(db.session, round_, facilitator)
        db.session.commit()
        return {
            "survey_id": survey.id,
            "round_id": round_.id,
            "response_id": form.id,
            "question_id": survey.questions[0].id,
            "dimension_id": survey.dimensions[0].id,
            "action": "salin",
            "kind": "csv",
            "fmt": "json",
        }
