"""Questionnaires: rules, template building and freezing, JSON round trip, rounds, fast entry, double entry."""

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.surveys import rules, services
from app.surveys.models import Answer, Direction, QuestionType, Response, Round, Survey, SurveyStatus
from app.surveys.services import QuestionData, SurveyData, SurveyError

from .conftest import login
from .factories import region, user

# ---------------------------------------------------------------- rules (pure)


@pytest.mark.parametrize(
    ("qtype", "settings", "raw", "value", "problem"),
    [
        ("scale", {}, "4", "4", None),
        ("scale", {}, "6", "6", "1 sampai 5"),
        ("scale", {}, " ", None, None),
        ("choice", {"options": [{"label": "a", "score": 0}, {"label": "b", "score": 1}]}, "2", "2", None),
        ("choice", {"options": [{"label": "a", "score": 0}, {"label": "b", "score": 1}]}, "3", "3", "1 sampai 2"),
        ("yesno", {}, "1", "ya", None),
        ("yesno", {}, "2", "tidak", None),
        ("yesno", {}, "T", "tidak", None),
        ("yesno", {}, "x", "x", "1 (ya) atau 2 (tidak)"),
        ("number", {"min": 0, "max": 100}, "12,5", "12.5", None),
        ("number", {"min": 0, "max": 100}, "101", "101", "0 sampai 100"),
        ("number", {"min": 0, "max": 100}, "abc", "abc", "Isi angka"),
        ("text", {}, "catatan", "catatan", None),
    ],
)
def test_read_answer(qtype, settings, raw, value, problem):
    reading = rules.read_answer(qtype, settings, raw)
    assert reading.value == value
    assert (reading.problem is None) if problem is None else (problem in reading.problem)


@pytest.mark.parametrize(
    ("qtype", "settings", "message"),
    [
        ("scale", {"labels": ["a", "b"]}, "5 label"),
        ("choice", {"options": [{"label": "a", "score": 1}]}, "2 sampai 9"),
        ("choice", {"options": [{"label": "a", "score": 1}, {"label": "b"}]}, "belum memiliki skor"),
        ("yesno", {"yes": 1}, "skor untuk ya dan untuk tidak"),
        ("yesno", {"yes": 1, "no": 1}, "tidak boleh sama"),
        ("number", {"min": 5, "max": 5}, "batas bawah"),
    ],
)
def test_settings_problems(qtype, settings, message):
    assert any(message in p for p in rules.settings_problems(qtype, settings))


def test_differences():
    assert rules.differences({"Q1": "3", "Q2": "1", "unsur": "tni"}, {"Q1": "3", "Q2": "2", "unsur": None}) == [
        "Q2",
        "unsur",
    ]


@pytest.mark.parametrize("data", [None, [], {"format": "lain"}, {"format": rules.JSON_FORMAT, "name": ""}])
def test_json_problems_refuse_foreign_documents(data):
    assert rules.json_problems(data)


# ---------------------------------------------------------------- templates


def _example(app, name="Kerawanan") -> int:
    with app.app_context():
        return db.session.scalars(select(Survey.id).where(Survey.is_example, Survey.name.contains(name))).one()


def test_examples_are_shipped_active_and_valid(app):
    with app.app_context():
        examples = db.session.scalars(select(Survey).where(Survey.is_example).order_by(Survey.id)).all()
        assert [s.status for s in examples] == [SurveyStatus.ACTIVE, SurveyStatus.ACTIVE]
        pilkada, ikn = examples
        assert [d.code for d in pilkada.dimensions] == ["KSP", "PNY", "KON", "PAR"]
        assert pilkada.direction == Direction.HIGHER_WORSE and ikn.direction == Direction.HIGHER_BETTER
        assert all(len([q for q in pilkada.questions if q.dimension is d]) == 5 for d in pilkada.dimensions)
        assert rules.template_problems(pilkada) == [] and rules.template_problems(ikn) == []


def test_build_validate_activate_freeze_and_version(app, users):
    with app.app_context():
        analyst = user("analis")
        survey = services.create_survey(
            db.session, analyst, SurveyData("Uji", "2025", None, "Indeks uji", Direction.HIGHER_WORSE)
        )
        with pytest.raises(SurveyError, match="dimensi"):
            services.activate(db.session, survey, analyst, clock.utcnow())
        dim = services.save_dimension(db.session, survey, analyst, "D1", "Dimensi satu", 2)
        with pytest.raises(SurveyError, match="sudah dipakai"):
            services.save_dimension(db.session, survey, analyst, "D1", "Lagi", 1)
        with pytest.raises(SurveyError, match="lebih dari 0"):
            services.save_dimension(db.session, survey, analyst, "D2", "Nol", 0)
        scale = QuestionData(
            "Q1", "Pertanyaan?", None, QuestionType.SCALE, dim.id, {"labels": rules.DEFAULT_SCALE_LABELS}, False, True
        )
        services.save_question(db.session, survey, analyst, scale)
        with pytest.raises(SurveyError, match="sudah dipakai"):
            services.save_question(db.session, survey, analyst, scale)
        with pytest.raises(SurveyError, match="skor"):
            services.save_question(
                db.session,
                survey,
                analyst,
                QuestionData(
                    "Q2",
                    "Pilih",
                    None,
                    QuestionType.CHOICE,
                    dim.id,
                    {"options": [{"label": "a"}, {"label": "b"}]},
                    False,
                    True,
                ),
            )
        with pytest.raises(SurveyError, match="masuk sebuah dimensi"):
            services.save_question(
                db.session,
                survey,
                analyst,
                QuestionData("Q3", "Ya?", None, QuestionType.YESNO, None, {"yes": 1, "no": 0}, False, True),
            )
        services.activate(db.session, survey, analyst, clock.utcnow())
        with pytest.raises(SurveyError, match="dibekukan"):
            services.save_dimension(db.session, survey, analyst, "D9", "Baru", 1)
        second = services.copy_template(db.session, survey, analyst, as_new_version=True)
        assert second.template_version == 2 and second.previous_id == survey.id and second.editable
        assert [q.code for q in second.questions] == ["Q1"]
        with pytest.raises(SurveyError):
            services.create_survey(
                db.session, user("fasilitator"), SurveyData("x", "1", None, "x", Direction.HIGHER_WORSE)
            )
        db.session.commit()


def test_json_round_trip_keeps_the_template(app, users):
    survey_id = _example(app)
    client = app.test_client()
    login(client, "analis")
    exported = client.get(f"/kuesioner/templat/{survey_id}.json")
    data = json.loads(exported.get_data(as_text=True))
    assert data["format"] == rules.JSON_FORMAT and len(data["questions"]) == 21
    response = client.post(
        "/kuesioner/templat/impor",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(exported.get_data()), "templat.json")},
    )
    assert response.status_code == 302
    imported_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        original, imported = db.session.get(Survey, survey_id), db.session.get(Survey, imported_id)
        assert imported.status == SurveyStatus.DRAFT
        assert rules.to_json(imported) == rules.to_json(original)
    for bad in (b"{", b'{"format": "lain"}', b"\xff\xfe", json.dumps({**data, "direction": "naik"}).encode()):
        refused = client.post(
            "/kuesioner/templat/impor", content_type="multipart/form-data", data={"file": (io.BytesIO(bad), "x.json")}
        )
        assert refused.status_code == 422


def test_xlsx_export_is_readable(app, users):
    client = app.test_client()
    login(client, "pimpinan")
    with client.get(f"/kuesioner/templat/{_example(app)}.xlsx") as response:
        workbook = load_workbook(io.BytesIO(response.data), read_only=True)
        sheets = workbook.sheetnames
        rows = list(workbook["Pertanyaan"].iter_rows(values_only=True))
        workbook.close()
    assert sheets == ["Templat", "Dimensi", "Pertanyaan"] and len(rows) == 22


def test_builder_pages_and_htmx_blocks(app, users):
    client = app.test_client()
    login(client, "analis")
    response = client.post(
        "/kuesioner/templat/baru",
        data={"name": "Survei uji", "edition": "2025", "index_name": "Indeks uji", "direction": "higher_better"},
    )
    survey_id = int(response.headers["Location"].rsplit("/", 1)[1])
    block = client.post(
        f"/kuesioner/templat/{survey_id}/dimensi",
        data={"code": "D1", "name": "Satu", "weight": "1,5"},
        headers={"HX-Request": "true"},
    )
    assert block.status_code == 200 and block.get_data(as_text=True).lstrip().startswith(
        '<section class="card" id="dimensions"'
    )
    bad = client.post(
        f"/kuesioner/templat/{survey_id}/dimensi",
        data={"code": "1x", "name": "", "weight": "-1"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422
    with app.app_context():
        dim_id = db.session.get(Survey, survey_id).dimensions[0].id
    question = {
        "code": "Q1",
        "text": "Ada konflik?",
        "qtype": "choice",
        "dimension_id": str(dim_id),
        "choice_options": "Tidak = 0\nKadang = 1\nSering = 3",
        "required": "y",
    }
    added = client.post(f"/kuesioner/templat/{survey_id}/pertanyaan", data=question, headers={"HX-Request": "true"})
    assert added.status_code == 200 and "1 Tidak · 2 Kadang · 3 Sering" in added.get_data(as_text=True)
    wrong = client.post(
        f"/kuesioner/templat/{survey_id}/pertanyaan",
        headers={"HX-Request": "true"},
        data={**question, "code": "Q2", "choice_options": "Tidak\nYa = dua"},
    )
    assert wrong.status_code == 422 and "label = skor" in wrong.get_data(as_text=True)
    assert client.post(f"/kuesioner/templat/{survey_id}/aktifkan").status_code == 302
    with app.app_context():
        assert db.session.get(Survey, survey_id).status == SurveyStatus.ACTIVE
    frozen = client.post(f"/kuesioner/templat/{survey_id}/dimensi", data={"code": "D2", "name": "Dua", "weight": "1"})
    assert frozen.status_code == 422 and "dibekukan" in frozen.get_data(as_text=True)
    preview = client.get(f"/kuesioner/templat/{survey_id}/pratinjau").get_data(as_text=True)
    assert "Ada konflik?" in preview and "☐ 3 Sering" in preview


# ---------------------------------------------------------------- rounds and entry


def _open_round(app, double_entry=False) -> int:
    with app.app_context():
        survey = db.session.get(Survey, _example(app))
        round_ = services.open_round(
            db.session, user("fasilitator"), survey, region("63.11"), "Rakor Desember", 25, double_entry, None
        )
        db.session.commit()
        return round_.id


def _start(client, round_id) -> int:
    response = client.post(f"/kuesioner/putaran/{round_id}/isi")
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _answers(app, round_id, value="3") -> dict:
    with app.app_context():
        questions = db.session.get(Round, round_id).survey.questions
        data = {"unsur": "polri", "sex": "L", "age_band": "36-45"}
        for q in questions:
            data[f"q{q.id}"] = {"scale": value, "choice": "2", "yesno": "2", "number": "10", "text": ""}[q.qtype.value]
        return data


def test_enter_a_form_answer_by_answer_then_finish(app, users):
    round_id = _open_round(app)
    client = app.test_client()
    login(client, "fasilitator")
    form_id = _start(client, round_id)
    page = client.get(f"/kuesioner/isian/{form_id}").get_data(as_text=True)
    assert "Formulir 1 dari 25" in page and "autofocus" in page
    data = _answers(app, round_id)
    question_keys = [k for k in data if k.startswith("q")]
    first_id = int(question_keys[0][1:])
    saved = client.post(
        f"/kuesioner/isian/{form_id}/jawab/{first_id}", data={question_keys[0]: "4"}, headers={"HX-Request": "true"}
    )
    assert saved.status_code == 200 and "tersimpan" in saved.get_data(as_text=True)
    wrong = client.post(
        f"/kuesioner/isian/{form_id}/jawab/{first_id}", data={question_keys[0]: "9"}, headers={"HX-Request": "true"}
    )
    assert wrong.status_code == 422 and "1 sampai 5" in wrong.get_data(as_text=True)
    with app.app_context():
        kept = db.session.scalars(select(Answer).where(Answer.question_id == first_id)).one()
        assert kept.value == "9" and not kept.valid  # what was typed is kept, marked invalid
    blocked = client.post(f"/kuesioner/isian/{form_id}/selesai", data={**data, question_keys[0]: "9"})
    html = blocked.get_data(as_text=True)
    assert blocked.status_code == 422 and "belum lengkap" in html and 'value="9"' in html
    finished = client.post(f"/kuesioner/isian/{form_id}/selesai", data=data)
    assert finished.status_code == 302
    next_id = int(finished.headers["Location"].rsplit("/", 1)[1])
    assert next_id != form_id
    assert "Formulir 2 dari 25" in client.get(f"/kuesioner/isian/{next_id}").get_data(as_text=True)
    profile = client.post(
        f"/kuesioner/isian/{next_id}/profil", data={"unsur": "raja", "sex": "L"}, headers={"HX-Request": "true"}
    )
    assert profile.status_code == 422 and "Unsur tidak dikenal" in profile.get_data(as_text=True)
    with app.app_context():
        first = db.session.get(Response, form_id)
        assert first.completed and first.unsur == "polri" and first.age_band == "36-45"
        assert (
            {a.value for a in first.answers if a.question.qtype == QuestionType.YESNO} == {"tidak"}
            if hasattr(Answer, "question")
            else True
        )


def test_missing_required_answers_block_finishing(app, users):
    round_id = _open_round(app)
    client = app.test_client()
    login(client, "fasilitator")
    form_id = _start(client, round_id)
    response = client.post(f"/kuesioner/isian/{form_id}/selesai", data={"unsur": "tni"})
    assert response.status_code == 422 and response.get_data(as_text=True).count("Wajib diisi.") == 20


def test_closed_round_refuses_answers(app, users):
    round_id = _open_round(app)
    client = app.test_client()
    login(client, "fasilitator")
    form_id = _start(client, round_id)
    assert client.post(f"/kuesioner/putaran/{round_id}/status").status_code == 302
    data = _answers(app, round_id)
    key = next(k for k in data if k.startswith("q"))
    refused = client.post(
        f"/kuesioner/isian/{form_id}/jawab/{key[1:]}", data={key: "3"}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 422 and "ditutup" in refused.get_data(as_text=True)
    assert client.post(f"/kuesioner/isian/{form_id}/selesai", data=data).status_code == 422
    assert client.post(f"/kuesioner/putaran/{round_id}/isi").status_code == 422


def test_double_entry_lists_differences(app, users):
    round_id = _open_round(app, double_entry=True)
    first_client = app.test_client()
    login(first_client, "fasilitator")
    form_id = _start(first_client, round_id)
    first_client.post(f"/kuesioner/isian/{form_id}/selesai", data=_answers(app, round_id, "3"))
    same_person = first_client.post(f"/kuesioner/putaran/{round_id}/entri-ganda", data={"number": "1"})
    assert same_person.status_code == 422 and "orang lain" in same_person.get_data(as_text=True)
    second_client = app.test_client()
    login(second_client, "analis")
    response = second_client.post(f"/kuesioner/putaran/{round_id}/entri-ganda", data={"number": "1"})
    second_id = int(response.headers["Location"].rsplit("/", 1)[1])
    data = _answers(app, round_id, "3")
    changed = [k for k in data if k.startswith("q")][:2]
    for key in changed:
        data[key] = "5" if data[key] == "3" else data[key]
    assert second_client.post(f"/kuesioner/isian/{second_id}/selesai", data=data).status_code == 302
    page = second_client.get(f"/kuesioner/putaran/{round_id}").get_data(as_text=True)
    assert re.search(r"Formulir 1: <strong class=\"error\">berbeda pada KSP1, KSP2</strong>", page)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 3  # 1, its check, and form 2


def test_export_one_row_per_form_one_column_per_question(app, users):
    round_id = _open_round(app)
    client = app.test_client()
    login(client, "fasilitator")
    for _ in range(2):
        form_id = _start(client, round_id)
        client.post(f"/kuesioner/isian/{form_id}/selesai", data=_answers(app, round_id))
    with client.get(f"/kuesioner/putaran/{round_id}/jawaban.csv") as response:
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:6] == ["formulir", "selesai", "unsur", "L/P", "umur", "KSP1"] and len(rows[0]) == 5 + 21
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"] and rows[1][1] == "ya" and rows[3][1] == "tidak"
    with client.get(f"/kuesioner/putaran/{round_id}/jawaban.xlsx") as response:
        workbook = load_workbook(io.BytesIO(response.data), read_only=True)
        assert len(list(workbook.active.iter_rows())) == 4
        workbook.close()


def test_delete_form_is_audited(app, users):
    round_id = _open_round(app)
    client = app.test_client()
    login(client, "fasilitator")
    form_id = _start(client, round_id)
    assert client.post(f"/kuesioner/isian/{form_id}/hapus").status_code == 302
    from app.audit import AuditLog

    with app.app_context():
        assert db.session.get(Response, form_id) is None
        assert (
            db.session.scalars(
                select(AuditLog).where(AuditLog.entity == "survey_responses", AuditLog.action == "delete")
            ).first()
            is not None
        )


@pytest.mark.parametrize("username", ["operator.tala", "analis.kalteng"])
def test_another_regions_round_is_not_found(app, users, username):
    round_id = _open_round(app)
    client = app.test_client()
    login(client, username)
    assert client.get(f"/kuesioner/putaran/{round_id}").status_code == 404


def test_round_tied_to_a_meeting_of_the_same_region(app, users):
    from datetime import UTC, datetime

    from app.meetings import services as meeting_services
    from app.meetings.models import MeetingKind
    from app.meetings.services import MeetingData

    with app.app_context():
        meeting = meeting_services.create_meeting(
            db.session,
            user("fasilitator"),
            region("63.11"),
            MeetingData("Rakor", MeetingKind.RAKOR_KEWASPADAAN, datetime.now(UTC), None, "Aula"),
        )
        db.session.commit()
        meeting_id = meeting.id
    client = app.test_client()
    login(client, "fasilitator")
    page = client.get(f"/kuesioner/putaran/baru?rapat={meeting_id}").get_data(as_text=True)
    assert 'value="Kuesioner pada Rakor"' in page
    with app.app_context():
        balangan = region("63.11").id
    response = client.post(
        "/kuesioner/putaran/baru",
        data={
            "survey_id": str(_example(app)),
            "region_id": str(balangan),
            "meeting_id": str(meeting_id),
            "title": "Kuesioner pada Rakor",
            "expected_forms": "20",
        },
    )
    assert response.status_code == 302
    assert "rapat terkait" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kuesioner pada Rakor" in client.get(f"/rapat/{meeting_id}").get_data(as_text=True)


def test_an_answer_stored_meanwhile_by_another_request_is_updated_not_duplicated(app, users):
    """Blur and Enter can post the same answer at once: the second insert finds the first and updates it."""
    from sqlalchemy import func, insert

    from app.surveys import services as survey_services
    from app.surveys.models import Answer as StoredAnswer
    from app.surveys.models import Survey as Template

    from .factories import region as region_of
    from .factories import user as user_of

    with app.app_context():
        template = db.session.scalars(select(Template).where(Template.is_example).order_by(Template.id)).first()
        facilitator = user_of("fasilitator")
        round_ = survey_services.open_round(
            db.session, facilitator, template, region_of("63.11"), "Uji balapan", 5, False, None
        )
        form = survey_services.next_form(db.session, round_, facilitator)
        question = template.questions[0]
        assert form.answers == []  # this request has looked: no answer yet
        db.session.execute(insert(StoredAnswer).values(response_id=form.id, question_id=question.id, value="2"))
        problem = survey_services.save_answer(db.session, form, facilitator, question, "4")
        db.session.commit()
        assert problem is None
        stored = db.session.scalars(
            select(StoredAnswer).where(StoredAnswer.response_id == form.id, StoredAnswer.question_id == question.id)
        ).all()
        assert [a.value for a in stored] == ["4"]
        count = select(func.count()).select_from(StoredAnswer).where(StoredAnswer.response_id == form.id)
        assert db.session.scalar(count) == 1
        assert [a.value for a in form.answers] == ["4"]
