"""Form indices kept on the response row: always what scoring.form_index gives for the valid answers."""

import importlib.util
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from app.extensions import db
from app.scoring import scoring
from app.scoring.rollup import refresh_form_score, survey_specs
from app.surveys.models import Answer, Response

from .conftest import TEST_DATABASE_URL, login
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


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="row locks between two connections: PostgreSQL")
def test_an_answer_save_takes_the_form_row_before_any_answer_row(app, users):
    """Finishing a form holds its row, then writes every answer; an answer saved meanwhile (the field left
    as Enter was pressed) must wait for the form row before it touches its answer, or the two deadlock."""
    round_id = _open_round(app)
    client = app.test_client()
    login(client, "fasilitator")
    form_id = _start(client, round_id)
    key = next(k for k in _answers(app, round_id) if k.startswith("q"))
    url, htmx = f"/kuesioner/isian/{form_id}/jawab/{key[1:]}", {"HX-Request": "true"}
    assert client.post(url, data={key: "3"}, headers=htmx).status_code == 200
    answer_row = {"id": form_id, "question": int(key[1:])}
    with app.app_context(), db.engine.connect() as finishing:
        finishing.execute(text("SET lock_timeout = '3s'"))
        finishing.execute(text("SELECT id FROM survey_responses WHERE id = :id FOR UPDATE"), answer_row)
        answered = {}
        save = lambda: answered.update(response=client.post(url, data={key: "4"}, headers=htmx))  # noqa: E731
        saving = threading.Thread(target=save)
        saving.start()
        saving.join(1.0)
        assert saving.is_alive()  # waiting for the form row
        # The save has not locked its answer: the finishing transaction writes it without waiting.
        write = "UPDATE survey_answers SET value = '5' WHERE response_id = :id AND question_id = :question"
        finishing.execute(text(write), answer_row)
        finishing.commit()
    saving.join(15)
    assert answered["response"].status_code == 200
    with app.app_context():
        stored = db.session.scalar(
            select(Answer.value).where(Answer.response_id == form_id, Answer.question_id == answer_row["question"])
        )
    assert stored == "4"  # the later save wins, as it came second
    assert _stored_and_expected(app, form_id)[0] == _stored_and_expected(app, form_id)[1]


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
