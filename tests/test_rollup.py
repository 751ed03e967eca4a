"""Form indices kept on the response row: always what scoring.form_index gives for the valid answers."""

import importlib.util
from pathlib import Path

from sqlalchemy import select, update

from app.extensions import db
from app.scoring import scoring
from app.scoring.rollup import refresh_form_score, survey_specs
from app.surveys.models import Answer, Response

from .conftest import login
from .test_surveys import _answers, _open_round, _start

MIGRATION = Path(__file__).resolve().parents[1] / "migrations" / "versions" / "0008_rollups.py"


def _stored_and_expected(app, form_id):
    """(stored score, dimensions) and what form_index says of the form's valid answers right now."""
    with app.app_context():
        response = db.session.get(Response, form_id)
        answers = db.session.execute(
            select(Answer.question_id, Answer.value).where(Answer.response_id == form_id, Answer.valid)
        ).all()
        expected = scoring.form_index(*survey_specs(response.round.survey), dict(answers))
        stored = (response.score, response.dimension_scores)
        return stored, (expected.value, expected.dimensions)


def test_every_answer_save_keeps_the_form_index(app, users):
    round_id = _open_round(app)
    client = app.test_client()
    login(client, "fasilitator")
    form_id = _start(client, round_id)
    data = _answers(app, round_id, value="5")
    keys = [k for k in data if k.startswith("q")]
    htmx = {"HX-Request": "true"}
    for key, value in ((keys[0], "4"), (keys[1], "2"), (keys[0], "9"), (keys[1], "")):
        client.post(f"/kuesioner/isian/{form_id}/jawab/{key[1:]}", data={key: value}, headers=htmx)
        stored, expected = _stored_and_expected(app, form_id)
        assert stored == expected, (key, value)
    stored, _ = _stored_and_expected(app, form_id)
    assert stored[0] is None or stored[1]  # the invalid "9" and the cleared answer count for nothing
    assert client.post(f"/kuesioner/isian/{form_id}/selesai", data=data).status_code == 302
    stored, expected = _stored_and_expected(app, form_id)
    assert stored == expected and stored[0] is not None and len(stored[1]) == 4  # all four dimensions answered


def test_migration_fills_the_index_of_existing_forms(app, users):
    round_id = _open_round(app)
    client = app.test_client()
    login(client, "fasilitator")
    forms = []
    for value in ("1", "3", "5"):
        form_id = _start(client, round_id)
        finished = client.post(f"/kuesioner/isian/{form_id}/selesai", data=_answers(app, round_id, value))
        assert finished.status_code == 302
        forms.append(form_id)
    empty = _start(client, round_id)  # no answers at all
    with app.app_context():
        kept = {
            r.id: (r.score, r.dimension_scores)
            for r in db.session.scalars(select(Response).where(Response.round_id == round_id))
        }
        assert kept[forms[0]][0] != kept[forms[2]][0]
        db.session.execute(update(Response).values(score=None, dimension_scores=None))
        spec = importlib.util.spec_from_file_location("migration_0008", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration._fill_form_scores(db.session.connection())
        db.session.commit()
        filled = {
            r.id: (r.score, r.dimension_scores)
            for r in db.session.scalars(select(Response).where(Response.round_id == round_id))
        }
        assert filled == kept
        assert filled[empty] == (None, None)
        response = db.session.get(Response, empty)
        refresh_form_score(response)  # what the services store once answers were typed and cleared again
        assert (response.score, response.dimension_scores) == (None, {})
