"""Questionnaire pages: templates (builder, preview, activate, copy, JSON/XLSX), rounds, fast entry, exports."""

import csv
import io
import json

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from .. import clock, htmx
from ..access import can, get_scoped_or_404, permission_required, scope
from ..extensions import db
from ..forms import id_value, options
from ..meetings.importer import UNSUR
from ..meetings.models import Meeting
from ..reports.forms import NoteForm
from . import rules, services
from .forms import DimensionForm, ImportTemplateForm, QuestionForm, RoundForm, SecondEntryForm, SurveyForm
from .models import AGE_BANDS, Direction, Question, QuestionType, Round, Survey, SurveyStatus
from .models import Response as Form
from .services import QuestionData, StaleEdit, SurveyData, SurveyError

bp = Blueprint("surveys", __name__, url_prefix="/kuesioner")
MAX_TEMPLATE_BYTES = 512 * 1024


def _error(form, err: SurveyError) -> None:
    """Put a service error on its field, or on the form as a whole."""
    field = getattr(form, err.field, None) if err.field else None
    if field is not None:
        field.errors = [*field.errors, err.message]
    else:
        form.form_errors.append(err.message)


# ---------------------------------------------------------------- list


@bp.get("/")
@permission_required("surveys.view")
def index():
    """Templates (designers see drafts too) and the rounds in the user's scope."""
    stmt = select(Survey).order_by(Survey.name, Survey.edition, Survey.template_version.desc())
    if not can(current_user, "surveys.design"):
        stmt = stmt.where(Survey.status == SurveyStatus.ACTIVE)
    rounds = db.session.scalars(
        scope(select(Round), current_user, Round.region_id).order_by(Round.created_at.desc()).limit(100)
    ).all()
    return render_template(
        "surveys/index.html",
        surveys=db.session.scalars(stmt).all(),
        rounds=rounds,
        import_form=ImportTemplateForm(formdata=None),
    )


# ---------------------------------------------------------------- templates


def _survey(survey_id: int) -> Survey:
    """A template, or 404 (templates are shared nationally, so there is no region scope)."""
    return db.get_or_404(Survey, survey_id)


def _survey_data(form: SurveyForm) -> SurveyData:
    """The service's view of the template form."""
    return SurveyData(
        form.name.data, form.edition.data, form.description.data, form.index_name.data, Direction(form.direction.data)
    )


@bp.route("/templat/baru", methods=["GET", "POST"])
@permission_required("surveys.design")
def survey_create():
    """A new draft template."""
    form = SurveyForm() if request.method == "POST" else SurveyForm(formdata=None)
    if form.validate_on_submit():
        survey = services.create_survey(db.session, current_user, _survey_data(form))
        db.session.commit()
        return redirect(url_for("surveys.builder", survey_id=survey.id))
    return render_template("surveys/survey_form.html", form=form), 422 if form.errors else 200


def _builder_context(survey: Survey, **forms) -> dict:
    """Everything the builder shows."""
    question_form = forms.get("question_form") or QuestionForm(formdata=None)
    question_form.dimension_id.choices = _dimension_choices(survey)
    return {
        "survey": survey,
        "form": forms.get("form")
        or SurveyForm(formdata=None, obj=survey, direction=survey.direction.value, version=str(survey.version)),
        "dimension_form": forms.get("dimension_form") or DimensionForm(formdata=None),
        "question_form": question_form,
        "problems": rules.template_problems(survey) if survey.editable else [],
        "design": can(current_user, "surveys.design"),
        "hint": rules.key_hint,
    }


def _dimension_choices(survey: Survey):
    """Dimension options of a template."""
    return options(
        [("", "— tanpa dimensi (teks bebas) —")] + [(str(d.id), f"{d.code} · {d.name}") for d in survey.dimensions]
    )


@bp.route("/templat/<int:survey_id>", methods=["GET", "POST"])
@permission_required("surveys.view")
def builder(survey_id: int):
    """The template: its fields, dimensions and questions (editable while draft)."""
    survey = _survey(survey_id)
    if request.method == "GET":
        return render_template("surveys/builder.html", **_builder_context(survey))
    if not can(current_user, "surveys.design"):
        abort(403)
    form = SurveyForm()
    status = 422
    if form.validate_on_submit():
        try:
            version = int(form.version.data) if form.version.data else None
            services.update_survey(db.session, survey, current_user, _survey_data(form), version)
        except StaleEdit:
            db.session.rollback()
            form = SurveyForm(formdata=None, obj=survey, direction=survey.direction.value, version=str(survey.version))
            form.form_errors.append("Templat baru saja diubah orang lain. Ini data terbaru.")
            status = 409
        except SurveyError as err:
            db.session.rollback()
            _error(form, err)
        else:
            db.session.commit()
            flash("Templat tersimpan.", "success")
            return redirect(url_for("surveys.builder", survey_id=survey.id))
    return render_template("surveys/builder.html", **_builder_context(survey, form=form)), status


def _part(survey: Survey, part: str, status: int = 200, **forms):
    """The dimensions or questions block (htmx), or the builder page."""
    context = _builder_context(survey, **forms)
    if htmx.wants_fragment():
        return render_template(f"surveys/_{part}.html", **context), status
    if status == 200:
        return redirect(url_for("surveys.builder", survey_id=survey.id, _anchor=part))
    return render_template("surveys/builder.html", **context), status


def _member(items, item_id: int):
    """An item of a template's list, or 404."""
    found = next((item for item in items if item.id == item_id), None)
    if found is None:
        abort(404)
    return found


@bp.post("/templat/<int:survey_id>/dimensi")
@bp.post("/templat/<int:survey_id>/dimensi/<int:dimension_id>")
@permission_required("surveys.design")
def dimension_save(survey_id: int, dimension_id: int | None = None):
    """Add or change a dimension; ?arah=naik|turun moves it, ?hapus=1 removes it."""
    survey = _survey(survey_id)
    dimension = _member(survey.dimensions, dimension_id) if dimension_id else None
    form = DimensionForm()
    try:
        if dimension is not None and request.args.get("arah") in ("naik", "turun"):
            services.move(db.session, survey, current_user, dimension, -1 if request.args["arah"] == "naik" else 1)
        elif dimension is not None and request.args.get("hapus") == "1":
            services.delete_dimension(db.session, survey, current_user, dimension)
        elif form.validate_on_submit():
            services.save_dimension(
                db.session, survey, current_user, form.code.data, form.name.data, form.weight.data, dimension
            )
        else:
            return _part(survey, "dimensions", 422, dimension_form=form)
    except SurveyError as err:
        db.session.rollback()
        _error(form, err)
        return _part(survey, "dimensions", 422, dimension_form=form)
    db.session.commit()
    return _part(survey, "dimensions")


def _question_data(form: QuestionForm) -> QuestionData:
    """The service's view of the question form."""
    return QuestionData(
        form.code.data,
        form.text.data,
        form.help.data,
        QuestionType(form.qtype.data),
        form.dimension_id.data,
        form.settings(),
        form.reversed.data,
        form.required.data,
    )


@bp.post("/templat/<int:survey_id>/pertanyaan")
@bp.post("/templat/<int:survey_id>/pertanyaan/<int:question_id>")
@permission_required("surveys.design")
def question_save(survey_id: int, question_id: int | None = None):
    """Add or change a question; ?arah=naik|turun moves it, ?hapus=1 removes it."""
    survey = _survey(survey_id)
    question = _member(survey.questions, question_id) if question_id else None
    form = QuestionForm()
    form.dimension_id.choices = _dimension_choices(survey)
    try:
        if question is not None and request.args.get("arah") in ("naik", "turun"):
            services.move(db.session, survey, current_user, question, -1 if request.args["arah"] == "naik" else 1)
        elif question is not None and request.args.get("hapus") == "1":
            services.delete_question(db.session, survey, current_user, question)
        elif form.validate_on_submit():
            services.save_question(db.session, survey, current_user, _question_data(form), question)
        else:
            return _question_refused(survey, question, form)
    except SurveyError as err:
        db.session.rollback()
        if err.field == "settings":
            form.form_errors.append(err.message)
        else:
            _error(form, err)
        return _question_refused(survey, question, form)
    db.session.commit()
    if question is not None and not htmx.wants_fragment():
        return redirect(url_for("surveys.builder", survey_id=survey.id, _anchor=f"q-{question.id}"))
    return _part(survey, "questions")


def _question_refused(survey: Survey, question: Question | None, form: QuestionForm):
    """Show the question form again with its problems (422)."""
    if question is not None:
        return render_template("surveys/question_edit.html", survey=survey, question=question, form=form), 422
    return _part(survey, "questions", 422, question_form=form)


@bp.get("/templat/<int:survey_id>/pertanyaan/<int:question_id>/ubah")
@permission_required("surveys.design")
def question_edit(survey_id: int, question_id: int):
    """The form to change one question."""
    survey = _survey(survey_id)
    question = _member(survey.questions, question_id)
    form = QuestionForm(formdata=None, obj=question, qtype=question.qtype.value, dimension_id=question.dimension_id)
    form.fill_settings(question.qtype.value, question.settings)
    form.dimension_id.choices = _dimension_choices(survey)
    return render_template("surveys/question_edit.html", survey=survey, question=question, form=form)


@bp.post("/templat/<int:survey_id>/<action>")
@permission_required("surveys.design")
def survey_action(survey_id: int, action: str):
    """aktifkan (freeze), tutup (retire), salin (editable copy), versi-baru (next version)."""
    survey = _survey(survey_id)
    if not NoteForm().validate_on_submit():
        abort(400)
    try:
        if action == "aktifkan":
            services.activate(db.session, survey, current_user, clock.utcnow())
            message, target = "Templat diaktifkan dan dibekukan.", survey
        elif action == "tutup":
            services.retire(db.session, survey, current_user)
            message, target = "Templat ditutup.", survey
        elif action in ("salin", "versi-baru"):
            target = services.copy_template(db.session, survey, current_user, as_new_version=action == "versi-baru")
            message = "Draf baru dibuat dari templat ini."
        else:
            abort(404)
    except SurveyError as err:
        db.session.rollback()
        flash(err.message, "error")
        return render_template("surveys/builder.html", **_builder_context(survey)), 422
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("surveys.builder", survey_id=target.id))


@bp.get("/templat/<int:survey_id>/pratinjau")
@permission_required("surveys.view")
def preview(survey_id: int):
    """The form as respondents see it on paper."""
    survey = _survey(survey_id)
    return render_template("surveys/preview.html", survey=survey, unsur=UNSUR, age_bands=AGE_BANDS)


@bp.get("/templat/<int:survey_id>.<fmt>")
@permission_required("surveys.view")
def survey_export(survey_id: int, fmt: str):
    """The template as JSON (to share and import) or XLSX (to read)."""
    survey = _survey(survey_id)
    name = f"kuesioner-{survey.id}-v{survey.template_version}.{fmt}"
    if fmt == "json":
        body = json.dumps(rules.to_json(survey), ensure_ascii=False, indent=2)
        response = Response(body, mimetype="application/json")
    elif fmt == "xlsx":
        response = Response(
            _template_xlsx(survey), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        abort(404)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _template_xlsx(survey: Survey) -> bytes:
    """A readable workbook: the template's fields, dimensions and questions."""
    from openpyxl import Workbook  # ~6 MB: loaded by the first spreadsheet, not by every worker

    workbook = Workbook(write_only=True)
    about = workbook.create_sheet("Templat")
    for label, value in (
        ("Nama", survey.name),
        ("Edisi", survey.edition),
        ("Indeks", survey.index_name),
        ("Arah", survey.direction.label),
        ("Versi", survey.template_version),
        ("Status", survey.status.label),
        ("Keterangan", survey.description or ""),
    ):
        about.append([label, value])
    dims = workbook.create_sheet("Dimensi")
    dims.append(["Kode", "Nama", "Bobot"])
    for d in survey.dimensions:
        dims.append([d.code, d.name, d.weight])
    questions = workbook.create_sheet("Pertanyaan")
    questions.append(["Kode", "Dimensi", "Pertanyaan", "Jenis", "Pilihan/pengaturan", "Dibalik", "Wajib"])
    for q in survey.questions:
        questions.append(
            [
                q.code,
                q.dimension.code if q.dimension else "",
                q.text,
                q.qtype.label,
                rules.key_hint(q.qtype.value, q.settings),
                "ya" if q.reversed else "",
                "ya" if q.required else "",
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@bp.post("/templat/impor")
@permission_required("surveys.design")
def survey_import():
    """A template from a JSON file (as a draft)."""
    form = ImportTemplateForm()
    surveys = db.session.scalars(select(Survey).order_by(Survey.name)).all()
    if form.validate_on_submit():
        with form.file.data.stream as stream:
            raw = stream.read(MAX_TEMPLATE_BYTES + 1)
        try:
            if len(raw) > MAX_TEMPLATE_BYTES:
                raise SurveyError("Berkas lebih dari 512 KB.", field="file")
            data = json.loads(raw.decode("utf-8-sig"))
            survey = services.build_from_json(db.session, current_user, data)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            form.file.errors = ["Berkas bukan JSON yang sah."]
        except SurveyError as err:
            db.session.rollback()
            form.file.errors = [err.message]
        else:
            db.session.commit()
            flash("Templat diimpor sebagai draf.", "success")
            return redirect(url_for("surveys.builder", survey_id=survey.id))
    return render_template("surveys/index.html", surveys=surveys, rounds=[], import_form=form), 422


# ---------------------------------------------------------------- rounds


def _round(round_id: int) -> Round:
    """A round of the user's scope, or 404."""
    return get_scoped_or_404(db.session, Round, round_id, current_user)


def _round_form(bound: bool, meeting: Meeting | None = None) -> RoundForm:
    """The round form with active templates, the user's regions and recent meetings."""
    form = (
        RoundForm()
        if bound
        else RoundForm(
            formdata=None,
            region_id=meeting.region_id if meeting else None,
            meeting_id=meeting.id if meeting else None,
            title=f"Kuesioner pada {meeting.title}"[:200] if meeting else None,
        )
    )
    active = db.session.scalars(select(Survey).where(Survey.status == SurveyStatus.ACTIVE).order_by(Survey.name))
    form.survey_id.choices = options((str(s.id), f"{s.name} ({s.edition}, v{s.template_version})") for s in active)
    regions = services.round_regions(db.session, current_user)
    form.region_id.choices = options((str(r.id), r.name) for r in regions)
    meetings = db.session.scalars(
        scope(select(Meeting), current_user, Meeting.region_id).order_by(Meeting.starts_at.desc()).limit(50)
    )
    form.meeting_id.choices = options([("", "— tidak terkait rapat —")] + [(str(m.id), m.title) for m in meetings])
    return form


@bp.route("/putaran/baru", methods=["GET", "POST"])
@permission_required("surveys.enter")
def round_create():
    """Open a round (from a meeting page, ?rapat=<id> preselects it)."""
    if request.method == "GET":
        meeting_id = id_value(request.args.get("rapat", ""))
        meeting = get_scoped_or_404(db.session, Meeting, meeting_id, current_user) if meeting_id is not None else None
        return render_template("surveys/round_form.html", form=_round_form(False, meeting))
    form = _round_form(True)
    if form.validate_on_submit():
        survey = db.session.get(Survey, form.survey_id.data)
        region = next(r for r in services.round_regions(db.session, current_user) if r.id == form.region_id.data)
        meeting = db.session.get(Meeting, form.meeting_id.data) if form.meeting_id.data else None
        try:
            round_ = services.open_round(
                db.session,
                current_user,
                survey,
                region,
                form.title.data,
                form.expected_forms.data or 0,
                form.double_entry.data,
                meeting,
            )
        except SurveyError as err:
            db.session.rollback()
            _error(form, err)
        else:
            db.session.commit()
            flash("Putaran dibuka. Mulai entri formulir kertas.", "success")
            return redirect(url_for("surveys.round_detail", round_id=round_.id))
    return render_template("surveys/round_form.html", form=form), 422


@bp.get("/putaran/<int:round_id>")
@permission_required("surveys.view")
def round_detail(round_id: int):
    """A round: its forms with completeness, double-entry check, exports, open/close."""
    round_ = _round(round_id)
    return render_template("surveys/round.html", **_round_context(round_))


def _round_context(round_: Round, **extra) -> dict:
    """What the round page shows."""
    forms = services.first_entries(round_)
    return {
        "round": round_,
        "forms": forms,
        "completed": sum(1 for f in forms if f.completed),
        "second": {r.first_entry_id: r for r in round_.responses if r.first_entry_id},
        "report": services.double_entry_report(round_) if round_.double_entry else [],
        "enter": services.may_enter(current_user, round_),
        "second_form": extra.pop("second_form", None) or SecondEntryForm(formdata=None),
        "unsur": UNSUR,
        **extra,
    }


@bp.post("/putaran/<int:round_id>/status")
@permission_required("surveys.enter")
def round_status(round_id: int):
    """Close the round, or open it again (?buka=1)."""
    round_ = _round(round_id)
    if not NoteForm().validate_on_submit():
        abort(400)
    try:
        services.set_round_open(db.session, round_, current_user, request.args.get("buka") == "1", clock.utcnow())
    except SurveyError:
        db.session.rollback()
        abort(403)
    db.session.commit()
    return redirect(url_for("surveys.round_detail", round_id=round_.id))


def _refuse_round(round_: Round, err: SurveyError, **extra):
    """The round page with the reason (422)."""
    db.session.rollback()
    flash(err.message, "error")
    return render_template("surveys/round.html", **_round_context(round_, **extra)), 422


@bp.post("/putaran/<int:round_id>/isi")
@permission_required("surveys.enter")
def round_enter(round_id: int):
    """Go to the next form to type (a new one, or this user's unfinished one)."""
    round_ = _round(round_id)
    if not NoteForm().validate_on_submit():
        abort(400)
    try:
        form = services.next_form(db.session, round_, current_user)
    except SurveyError as err:
        return _refuse_round(round_, err)
    db.session.commit()
    return redirect(url_for("surveys.entry", response_id=form.id))


@bp.post("/putaran/<int:round_id>/entri-ganda")
@permission_required("surveys.enter")
def round_second(round_id: int):
    """Type a finished paper form again, to check the first entry."""
    round_ = _round(round_id)
    form = SecondEntryForm()
    if not form.validate_on_submit():
        return render_template("surveys/round.html", **_round_context(round_, second_form=form)), 422
    try:
        second = services.start_second_entry(db.session, round_, current_user, form.number.data)
    except SurveyError as err:
        _error(form, err)
        return _refuse_round(round_, err, second_form=form)
    db.session.commit()
    return redirect(url_for("surveys.entry", response_id=second.id))


@bp.get("/putaran/<int:round_id>/jawaban.<kind>")
@permission_required("surveys.view")
def round_export(round_id: int, kind: str):
    """Answers: one row per form (first entries), one column per question code."""
    round_ = _round(round_id)
    questions = round_.survey.questions
    header = ["formulir", "selesai", "unsur", "L/P", "umur"] + [q.code for q in questions]
    rows = []
    for form in services.first_entries(round_):
        answers = {a.question_id: a.value for a in form.answers}
        rows.append(
            [
                form.number,
                "ya" if form.completed else "tidak",
                UNSUR.get(form.unsur or "", ""),
                form.sex or "",
                form.age_band or "",
            ]
            + [answers.get(q.id, "") for q in questions]
        )
    name = f"jawaban-putaran-{round_.id}.{kind}"
    if kind == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        response = Response(out.getvalue(), mimetype="text/csv; charset=utf-8")
    elif kind == "xlsx":
        from openpyxl import Workbook  # ~6 MB: loaded by the first spreadsheet, not by every worker

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Jawaban")
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = Response(
            buffer.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        abort(404)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---------------------------------------------------------------- entry


def _form(response_id: int, for_write: bool = False) -> Form:
    """An entered form of a round in the user's scope, or 404.

    `for_write` locks the form's row first (PostgreSQL; SQLite writers already take the database lock up
    front). Every write to a form also rewrites its index on that row, so without the lock first an answer
    saved as a field is left (answer row, then form row) and the same form finished by Enter (form row, then
    every answer) could each wait for the other: PostgreSQL ended one of them with a deadlock error.
    """
    form = db.get_or_404(Form, response_id, with_for_update=for_write)
    _round(form.round_id)
    return form


def _typed(question: Question, value: str | None) -> str:
    """A stored answer as it is typed (yes/no back to 1/2)."""
    if value is None:
        return ""
    if question.qtype == QuestionType.YESNO:
        return {"ya": "1", "tidak": "2"}.get(value, value)
    return value


def _entry_context(form: Form, problems: dict[int, str] | None = None, posted: dict | None = None) -> dict:
    """The entry screen's data: questions with their typed values and marks."""
    round_ = form.round
    answers = {a.question_id: a for a in form.answers}
    questions = []
    for question in round_.survey.questions:
        answer = answers.get(question.id)
        value = (
            posted.get(question.id)
            if posted and question.id in posted
            else _typed(question, answer.value if answer else None)
        )
        problem = (problems or {}).get(question.id)
        if problem is None and answer is not None and not answer.valid:
            problem = rules.read_answer(question.qtype.value, question.settings, answer.value).problem
        questions.append((question, value, problem))
    first_forms = services.first_entries(round_)
    return {
        "entry": form,
        "round": round_,
        "questions": questions,
        "hint": rules.key_hint,
        "unsur": UNSUR,
        "age_bands": AGE_BANDS,
        "done": sum(1 for f in first_forms if f.completed),
        "total": max(round_.expected_forms, len(first_forms)),
        "open": round_.status.value == "open" and round_.survey.status == SurveyStatus.ACTIVE,
    }


@bp.get("/isian/<int:response_id>")
@permission_required("surveys.enter")
def entry(response_id: int):
    """The keyboard-first entry screen of one paper form."""
    form = _form(response_id)
    if not services.may_enter(current_user, form.round):
        abort(403)
    return render_template("surveys/entry.html", **_entry_context(form))


@bp.post("/isian/<int:response_id>/profil")
@permission_required("surveys.enter")
def entry_profile(response_id: int):
    """Save the respondent's profile as it is chosen (htmx)."""
    form = _form(response_id, for_write=True)
    try:
        problems = services.save_profile(
            db.session,
            form,
            current_user,
            request.form.get("unsur") or None,
            request.form.get("sex") or None,
            request.form.get("age_band") or None,
        )
    except SurveyError as err:
        db.session.rollback()
        return make_response(render_template("surveys/_mark.html", problem=err.message), 422)
    db.session.commit()
    return render_template("surveys/_mark.html", problem=" ".join(problems) or None), 422 if problems else 200


@bp.post("/isian/<int:response_id>/jawab/<int:question_id>")
@permission_required("surveys.enter")
def entry_answer(response_id: int, question_id: int):
    """Save one answer as it is typed (htmx); the mark says whether it is valid."""
    form = _form(response_id, for_write=True)
    question = _member(form.round.survey.questions, question_id)
    try:
        problem = services.save_answer(db.session, form, current_user, question, request.form.get(f"q{question.id}"))
    except SurveyError as err:
        db.session.rollback()
        return make_response(render_template("surveys/_mark.html", problem=err.message), 422)
    db.session.commit()
    return render_template("surveys/_mark.html", problem=problem), 422 if problem else 200


@bp.post("/isian/<int:response_id>/selesai")
@permission_required("surveys.enter")
def entry_finish(response_id: int):
    """Save everything posted, then finish the form and open the next one (Enter on the keyboard)."""
    form = _form(response_id, for_write=True)
    round_ = form.round
    posted = {}
    try:
        services.save_profile(
            db.session,
            form,
            current_user,
            request.form.get("unsur") or None,
            request.form.get("sex") or None,
            request.form.get("age_band") or None,
        )
        for question in round_.survey.questions:
            key = f"q{question.id}"
            if key in request.form:
                posted[question.id] = request.form[key][: rules.MAX_TEXT]
                services.save_answer(db.session, form, current_user, question, request.form[key])
        problems = services.finish(db.session, form, current_user)
    except SurveyError as err:
        db.session.rollback()
        flash(err.message, "error")
        return render_template("surveys/entry.html", **_entry_context(form, posted=posted)), 422
    if problems:
        db.session.commit()  # keep every answer typed, valid or not
        flash(f"Formulir {form.number} belum lengkap: {len(problems)} isian perlu diperbaiki.", "error")
        return render_template("surveys/entry.html", **_entry_context(form, problems, posted)), 422
    if form.first_entry_id is not None:
        db.session.commit()
        flash(f"Entri ganda formulir {form.number} selesai.", "success")
        return redirect(url_for("surveys.round_detail", round_id=round_.id, _anchor="entri-ganda"))
    following = services.next_form(db.session, round_, current_user)
    db.session.commit()
    flash(f"Formulir {form.number} tersimpan.", "success")
    return redirect(url_for("surveys.entry", response_id=following.id))


@bp.post("/isian/<int:response_id>/hapus")
@permission_required("surveys.enter")
def entry_delete(response_id: int):
    """Remove a form (audited)."""
    form = _form(response_id, for_write=True)
    round_ = form.round
    if not NoteForm().validate_on_submit():
        abort(400)
    try:
        services.delete_response(db.session, form, current_user)
    except SurveyError:
        db.session.rollback()
        abort(403)
    db.session.commit()
    flash(f"Formulir {form.number} dihapus.", "success")
    return redirect(url_for("surveys.round_detail", round_id=round_.id))
