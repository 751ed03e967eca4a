"""Meeting pages: list and calendar, plan, agenda, attendance, minutes, follow-ups, finalise, prints."""

import calendar
from datetime import UTC, date, datetime, time, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from .. import clock, htmx
from ..access import get_scoped_or_404, permission_required, scope
from ..extensions import db
from ..forms import options
from ..regions.models import government_line
from ..regions.services import office_for
from ..reports.forms import NoteForm
from ..surveys.models import Round
from ..ui import page_arg
from ..uploads import UploadError, open_stored, store
from . import services
from .export import attendance_csv, attendance_xlsx
from .forms import (
    AgendaForm,
    AttendeeForm,
    FollowUpForm,
    ImportForm,
    MeetingForm,
    MinutesForm,
    ScanForm,
)
from .importer import UNSUR, read_attendance
from .models import AgendaItem, Attendance, Meeting, MeetingKind, Sex
from .services import FollowUpData, MeetingData, MeetingError, MinutesData, PersonData, StaleEdit

bp = Blueprint("meetings", __name__, url_prefix="/rapat")
BLANK_ROWS = 30


# ---------------------------------------------------------------- helpers


def load_meeting(meeting_id: int) -> Meeting:
    """A meeting of the user's scope, or 404."""
    return get_scoped_or_404(db.session, Meeting, meeting_id, current_user)


def _managed(meeting_id: int) -> Meeting:
    """A meeting the user may change (403 otherwise)."""
    meeting = load_meeting(meeting_id)
    if not services.can_manage(current_user, meeting.region):
        abort(403)
    return meeting


def _local(meeting: Meeting, moment: datetime | None) -> datetime | None:
    """A UTC moment in the meeting region's zone."""
    return moment.astimezone(meeting.region.zone) if moment else None


def _error(form, err: MeetingError) -> None:
    """Put a service error on its field, or on the form as a whole."""
    field = getattr(form, err.field, None) if err.field else None
    if field is not None:
        field.errors = [*field.errors, err.message]
    else:
        form.form_errors.append(err.message)


def _context(meeting: Meeting, **extra) -> dict:
    """What every meeting page shows in its header."""
    return {
        "meeting": meeting,
        "manage": services.can_manage(current_user, meeting.region),
        "starts_local": _local(meeting, meeting.starts_at),
        "ends_local": _local(meeting, meeting.ends_at),
        **extra,
    }


# ---------------------------------------------------------------- list, calendar


@bp.get("/")
@permission_required("meetings.view")
def index():
    """Meetings in scope, newest first; or a month calendar (?tampilan=kalender&bulan=2024-09)."""
    stmt = scope(select(Meeting), current_user, Meeting.region_id)
    zone = current_user.region.zone if current_user.region else None
    today = clock.utcnow().astimezone(zone).date() if zone else clock.utcnow().date()
    if request.args.get("tampilan") == "kalender":
        raw = request.args.get("bulan", "")
        first = today.replace(day=1)
        try:
            if len(raw) == 7:
                first = date.fromisoformat(raw + "-01")
        except ValueError:
            first = today.replace(day=1)
        if not 2000 <= first.year <= 2100:
            first = today.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        start = datetime.combine(first - timedelta(days=1), time.min, UTC)
        end = datetime.combine(last + timedelta(days=2), time.min, UTC)
        meetings = db.session.scalars(stmt.where(Meeting.starts_at.between(start, end)).order_by(Meeting.starts_at))
        by_day: dict[date, list] = {}
        for meeting in meetings:
            day = _local(meeting, meeting.starts_at).date()
            if first <= day <= last:
                by_day.setdefault(day, []).append(meeting)
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
        return render_template(
            "meetings/calendar.html",
            weeks=weeks,
            by_day=by_day,
            first=first,
            today=today,
            previous=(first - timedelta(days=1)).replace(day=1),
            following=last + timedelta(days=1),
        )
    page = db.paginate(
        stmt.order_by(Meeting.starts_at.desc()),
        page=page_arg(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template("meetings/index.html", page=page, today=today)


# ---------------------------------------------------------------- plan and edit


def _meeting_form(meeting: Meeting | None, bound: bool) -> MeetingForm:
    """The plan form with the regions the user may hold meetings for."""
    if bound:
        form = MeetingForm()
    elif meeting is not None:
        starts = _local(meeting, meeting.starts_at)
        ends = _local(meeting, meeting.ends_at)
        form = MeetingForm(
            formdata=None,
            obj=meeting,
            kind=meeting.kind.value,
            region_id=meeting.region_id,
            day=starts.date(),
            start_time=starts.time(),
            end_time=ends.time() if ends else None,
            version=str(meeting.version),
        )
    else:
        form = MeetingForm(
            formdata=None, region_id=current_user.region_id, organizer="Badan Kesatuan Bangsa dan Politik"
        )
    regions = services.meeting_regions(db.session, current_user) if meeting is None else [meeting.region]
    form.region_id.choices = options((str(r.id), r.name) for r in regions)
    return form


def _meeting_data(form: MeetingForm, zone) -> MeetingData:
    """The plan with local times turned into UTC moments."""
    starts = datetime.combine(form.day.data, form.start_time.data, zone)
    ends = datetime.combine(form.day.data, form.end_time.data, zone) if form.end_time.data else None
    return MeetingData(
        title=form.title.data,
        kind=MeetingKind(form.kind.data),
        starts_at=starts,
        ends_at=ends,
        place=form.place.data,
        organizer=form.organizer.data,
        chair_name=form.chair_name.data,
        chair_title=form.chair_title.data,
        chair_nip=form.chair_nip.data,
        secretary_name=form.secretary_name.data,
        secretary_title=form.secretary_title.data,
        secretary_nip=form.secretary_nip.data,
    )


@bp.route("/baru", methods=["GET", "POST"])
@permission_required("meetings.manage")
def create():
    """Plan a meeting."""
    if request.method == "GET":
        return render_template("meetings/form.html", form=_meeting_form(None, bound=False), meeting=None)
    form = _meeting_form(None, bound=True)
    if form.validate_on_submit():
        region = next(r for r in services.meeting_regions(db.session, current_user) if r.id == form.region_id.data)
        try:
            meeting = services.create_meeting(db.session, current_user, region, _meeting_data(form, region.zone))
        except MeetingError as err:
            db.session.rollback()
            _error(form, err)
        else:
            db.session.commit()
            flash("Rapat direncanakan. Tambahkan acara dan peserta.", "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, meeting=None), 422


@bp.get("/<int:meeting_id>")
@permission_required("meetings.view")
def detail(meeting_id: int):
    """The meeting: plan, agenda, attendance counts, follow-ups, and the next steps."""
    meeting = load_meeting(meeting_id)
    counts = services.count_attendance(list(meeting.attendance))
    rounds = db.session.scalars(select(Round).where(Round.meeting_id == meeting.id).order_by(Round.id)).all()
    return render_template(
        "meetings/detail.html",
        rounds=rounds,
        **_context(meeting, counts=counts, agenda_form=AgendaForm(formdata=None), note_form=NoteForm(formdata=None)),
    )


@bp.route("/<int:meeting_id>/ubah", methods=["GET", "POST"])
@permission_required("meetings.manage")
def edit(meeting_id: int):
    """Change the plan of a meeting that is not final."""
    meeting = _managed(meeting_id)
    if request.method == "GET":
        return render_template("meetings/form.html", form=_meeting_form(meeting, bound=False), meeting=meeting)
    form = _meeting_form(meeting, bound=True)
    status = 422
    if form.validate_on_submit():
        try:
            services.update_meeting(
                db.session, meeting, current_user, _meeting_data(form, meeting.region.zone), form.version_value()
            )
        except StaleEdit:
            db.session.rollback()
            form = _meeting_form(meeting, bound=False)
            form.form_errors.append("Rapat ini baru saja diubah orang lain. Ini data terbaru; ubah lagi bila perlu.")
            status = 409
        except MeetingError as err:
            db.session.rollback()
            _error(form, err)
        else:
            db.session.commit()
            flash("Rencana rapat tersimpan.", "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, meeting=meeting), status


# ---------------------------------------------------------------- agenda


def _agenda_response(meeting: Meeting, form: AgendaForm | None = None, status: int = 200):
    """The agenda block (htmx) or the meeting page."""
    if htmx.wants_fragment():
        return render_template(
            "meetings/_agenda.html", **_context(meeting, agenda_form=form or AgendaForm(formdata=None))
        ), status
    if status == 200:
        return redirect(url_for("meetings.detail", meeting_id=meeting.id, _anchor="acara"))
    counts = services.count_attendance(list(meeting.attendance))
    return render_template(
        "meetings/detail.html", **_context(meeting, counts=counts, agenda_form=form, note_form=NoteForm(formdata=None))
    ), status


def _agenda_item(meeting: Meeting, item_id: int) -> AgendaItem:
    """An agenda item of this meeting, or 404."""
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


@bp.post("/<int:meeting_id>/acara")
@permission_required("meetings.manage")
def agenda_add(meeting_id: int):
    """Add an agenda item."""
    meeting = _managed(meeting_id)
    form = AgendaForm()
    if not form.validate_on_submit():
        return _agenda_response(meeting, form, 422)
    try:
        services.add_agenda(db.session, meeting, current_user, form.title.data, form.presenter.data)
    except MeetingError as err:
        db.session.rollback()
        _error(form, err)
        return _agenda_response(meeting, form, 422)
    db.session.commit()
    return _agenda_response(meeting)


@bp.post("/<int:meeting_id>/acara/<int:agenda_id>")
@permission_required("meetings.manage")
def agenda_update(meeting_id: int, agenda_id: int):
    """Rename an agenda item, move it up or down (?arah=naik|turun), or remove it (?hapus=1)."""
    meeting = _managed(meeting_id)
    item = _agenda_item(meeting, agenda_id)
    form = AgendaForm()
    try:
        if request.args.get("arah") in ("naik", "turun"):
            if not NoteForm().validate_on_submit():
                abort(400)
            services.move_agenda(db.session, item, current_user, -1 if request.args["arah"] == "naik" else 1)
        elif request.args.get("hapus") == "1":
            if not NoteForm().validate_on_submit():
                abort(400)
            services.delete_agenda(db.session, item, current_user)
        elif form.validate_on_submit():
            services.update_agenda(db.session, item, current_user, form.title.data, form.presenter.data)
        else:
            return _agenda_response(meeting, form, 422)
    except MeetingError as err:
        db.session.rollback()
        _error(form, err)
        return _agenda_response(meeting, form, 422)
    db.session.commit()
    return _agenda_response(meeting)


# ---------------------------------------------------------------- attendance


def _attendance_context(meeting: Meeting, **forms) -> dict:
    """The attendance page's data; `forms` may replace the attendee, import or scan form (to show errors)."""
    rows = list(meeting.attendance)
    return _context(
        meeting,
        rows=rows,
        counts=services.count_attendance(rows),
        unsur=UNSUR,
        attendee_form=forms.get("attendee_form") or AttendeeForm(formdata=None),
        import_form=forms.get("import_form") or ImportForm(formdata=None),
        scan_form=forms.get("scan_form") or ScanForm(formdata=None),
        import_result=forms.get("import_result"),
    )


@bp.get("/<int:meeting_id>/hadir")
@permission_required("meetings.view")
def attendance(meeting_id: int):
    """The attendance list with quick-add, marking, import, prints and the signed scan."""
    meeting = load_meeting(meeting_id)
    return render_template("meetings/attendance.html", **_attendance_context(meeting))


@bp.get("/<int:meeting_id>/peserta")
@permission_required("meetings.manage")
def suggestions(meeting_id: int):
    """People of the region's registry matching the typed name (htmx autocomplete)."""
    meeting = _managed(meeting_id)
    people = services.search_participants(db.session, meeting, request.args.get("name", "")[:120])
    return render_template("meetings/_suggestions.html", meeting=meeting, people=people, unsur=UNSUR)


@bp.post("/<int:meeting_id>/hadir")
@permission_required("meetings.manage")
def attendee_add(meeting_id: int):
    """Add someone from the registry or a new person; htmx gets the row appended and a fresh form."""
    meeting = _managed(meeting_id)
    form = AttendeeForm()
    if form.validate_on_submit():
        try:
            if form.participant_id.data:
                row = services.add_known_attendee(db.session, meeting, current_user, int(form.participant_id.data))
            else:
                person = PersonData(
                    name=form.name.data,
                    jabatan=form.jabatan.data,
                    instansi=form.instansi.data,
                    unsur=form.unsur.data,
                    sex=Sex(form.sex.data) if form.sex.data else None,
                    phone=form.phone.data,
                )
                row = services.add_new_attendee(db.session, meeting, current_user, person)
        except MeetingError as err:
            db.session.rollback()
            _error(form, err)
        else:
            db.session.commit()
            if htmx.wants_fragment():
                return render_template(
                    "meetings/_attendee_added.html",
                    row=row,
                    number=len(meeting.attendance),
                    **_attendance_context(meeting),
                )
            return redirect(url_for("meetings.attendance", meeting_id=meeting.id, _anchor=f"hadir-{row.id}"))
    if htmx.wants_fragment():
        return render_template("meetings/_attendee_form.html", form=form, **_context(meeting)), 422
    return render_template("meetings/attendance.html", **_attendance_context(meeting, attendee_form=form)), 422


def _attendance_row(meeting: Meeting, row_id: int) -> Attendance:
    """An attendance row of this meeting, or 404."""
    row = db.session.get(Attendance, row_id)
    if row is None or row.meeting_id != meeting.id:
        abort(404)
    return row


@bp.post("/<int:meeting_id>/hadir/<int:row_id>")
@permission_required("meetings.manage")
def attendee_mark(meeting_id: int, row_id: int):
    """One click: present (hadir=1), absent (hadir=0), unmarked (hadir=), or off the list (hapus=1)."""
    meeting = _managed(meeting_id)
    row = _attendance_row(meeting, row_id)
    if not NoteForm().validate_on_submit():
        abort(400)
    removed = request.form.get("hapus") == "1"
    try:
        if removed:
            services.remove_attendee(db.session, row, current_user)
        else:
            value = request.form.get("hadir", "")
            if value not in ("1", "0", ""):
                abort(422)
            services.set_present(db.session, row, current_user, {"1": True, "0": False, "": None}[value])
    except MeetingError as err:
        db.session.rollback()
        abort(
            make_response(
                render_template("errors/_error.html", code=403, title="Tidak diizinkan", message=err.message), 403
            )
        )
    db.session.commit()
    if htmx.wants_fragment():
        context = _attendance_context(meeting)
        return render_template(
            "meetings/_attendance_row_update.html",
            row=None if removed else row,
            number=context["rows"].index(row) + 1 if not removed else 0,
            **context,
        )
    return redirect(url_for("meetings.attendance", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/hadir/impor")
@permission_required("meetings.manage")
def attendee_import(meeting_id: int):
    """Import a CSV/XLSX list: good rows are added, bad rows are reported by line."""
    meeting = _managed(meeting_id)
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("meetings/attendance.html", **_attendance_context(meeting, import_form=form)), 422
    upload = form.file.data
    with upload.stream:
        result = read_attendance(upload.filename or "", upload.read(services.MAX_IMPORT_BYTES + 1))
    try:
        added, skipped = services.import_attendees(db.session, meeting, current_user, result.people)
    except MeetingError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("meetings.attendance", meeting_id=meeting.id))
    db.session.commit()
    context = _attendance_context(meeting, import_form=form, import_result=(added, skipped, result.errors))
    status = 422 if result.errors and not added else 200
    return render_template("meetings/attendance.html", **context), status


@bp.get("/<int:meeting_id>/hadir.<kind>")
@permission_required("meetings.view")
def attendance_export(meeting_id: int, kind: str):
    """The attendance list as CSV or XLSX."""
    meeting = load_meeting(meeting_id)
    rows = list(meeting.attendance)
    name = f"daftar-hadir-rapat-{meeting.id}.{kind}"
    if kind == "csv":
        response = Response(stream_with_context(attendance_csv(rows)), mimetype="text/csv; charset=utf-8")
    elif kind == "xlsx":
        response = Response(
            attendance_xlsx(rows), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        abort(404)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/<int:meeting_id>/daftar-hadir")
@permission_required("meetings.view")
def attendance_print(meeting_id: int):
    """The daftar hadir on A4: blank (?kosong=1) before the meeting, filled after."""
    meeting = load_meeting(meeting_id)
    blank = request.args.get("kosong") == "1"
    rows = [] if blank else list(meeting.attendance)
    office = office_for(db.session, meeting.region)
    return render_template(
        "meetings/attendance_print.html",
        **_context(
            meeting,
            rows=rows,
            blank=blank,
            blank_rows=BLANK_ROWS if blank else max(0, 5 - len(rows)),
            office=office,
            government_line=government_line(meeting.region),
            unsur=UNSUR,
        ),
    )


# ---------------------------------------------------------------- the signed scan


@bp.post("/<int:meeting_id>/berkas")
@permission_required("meetings.manage")
def scan_upload(meeting_id: int):
    """Store the scanned signed daftar hadir (type checked by content, ≤ 10 MB)."""
    meeting = _managed(meeting_id)
    form = ScanForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            with upload.stream:
                stored = store(
                    _upload_root(),
                    f"rapat/{meeting.id}",
                    upload.filename or "",
                    upload.stream,
                    current_app.config["UPLOAD_MAX_BYTES"],
                )
            services.attach_scan(
                db.session,
                meeting,
                current_user,
                stored.path,
                stored.original_name,
                stored.mime,
                stored.size,
                clock.utcnow(),
            )
        except (UploadError, MeetingError) as err:
            db.session.rollback()
            form.file.errors = [*form.file.errors, err.message]
        else:
            db.session.commit()
            flash("Daftar hadir bertanda tangan tersimpan.", "success")
            return redirect(url_for("meetings.attendance", meeting_id=meeting.id))
    return render_template("meetings/attendance.html", **_attendance_context(meeting, scan_form=form)), 422


def _upload_root() -> str:
    """Uploads live under instance/uploads, outside static files and templates."""
    return f"{current_app.instance_path}/uploads"


@bp.get("/<int:meeting_id>/berkas")
@permission_required("meetings.view")
def scan_download(meeting_id: int):
    """The scan, always as a download (never shown inline)."""
    meeting = load_meeting(meeting_id)
    if not meeting.scan_path:
        abort(404)
    try:
        path = open_stored(_upload_root(), meeting.scan_path)
    except UploadError:
        abort(404)
    extension = meeting.scan_path.rsplit(".", 1)[-1]
    response = send_file(
        path,
        mimetype=meeting.scan_mime,
        as_attachment=True,
        download_name=f"daftar-hadir-rapat-{meeting.id}.{extension}",
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# ---------------------------------------------------------------- minutes


def _minutes_form(meeting: Meeting, bound: bool) -> MinutesForm:
    """The minutes form, bound or filled from the meeting."""
    if bound:
        return MinutesForm()
    return MinutesForm(formdata=None, obj=meeting, version=str(meeting.version))


def _discussions(meeting: Meeting) -> tuple[dict[int, str], list[str]]:
    """The per-agenda discussion fields of the post, and problems with them."""
    values, problems = {}, []
    for item in meeting.agenda:
        text = request.form.get(f"discussion-{item.id}")
        if text is None:
            continue
        if len(text) > 20000:
            problems.append(f"Pembahasan “{item.title}” terlalu panjang (maks. 20000 karakter).")
        values[item.id] = text
    return values, problems


@bp.get("/<int:meeting_id>/notulen")
@permission_required("meetings.view")
def minutes(meeting_id: int):
    """The minutes: discussion per agenda item, conclusions, recommendations, closing; autosaved."""
    meeting = load_meeting(meeting_id)
    lines = services.conclusion_lines(meeting)
    picked = request.args.get("kesimpulan", "")
    line = lines[int(picked) - 1] if picked.isdigit() and 1 <= int(picked) <= len(lines) else None
    return render_template(
        "meetings/minutes.html",
        **_context(
            meeting,
            form=_minutes_form(meeting, bound=False),
            follow_up_form=_follow_up_form(meeting, bound=False, description=line, conclusion=line),
            lines=services.conclusion_lines(meeting),
            counts=services.count_attendance(list(meeting.attendance)),
        ),
    )


@bp.post("/<int:meeting_id>/notulen")
@permission_required("meetings.manage")
def minutes_save(meeting_id: int):
    """Save the minutes; htmx autosaves here and gets a status line and the new version."""
    meeting = _managed(meeting_id)
    form = _minutes_form(meeting, bound=True)
    discussions, problems = _discussions(meeting)
    status = 200
    if not form.validate_on_submit() or problems:
        form.form_errors.extend(problems)
        status = 422
    else:
        data = MinutesData(
            form.opening.data,
            form.conclusions.data,
            form.recommendations.data,
            form.closing.data,
            form.next_meeting.data,
        )
        try:
            services.save_minutes(db.session, meeting, current_user, data, discussions, form.version_value())
        except StaleEdit:
            db.session.rollback()
            status = 409
        except MeetingError as err:
            db.session.rollback()
            _error(form, err)
            status = 422
        else:
            db.session.commit()
    if htmx.wants_fragment():
        return render_template(
            "meetings/_minutes_status.html",
            meeting=meeting,
            form=form,
            status=status,
            saved_at=clock.utcnow(),
            lines=services.conclusion_lines(meeting),
        ), status
    if status == 200:
        flash("Notulen tersimpan.", "success")
        return redirect(url_for("meetings.minutes", meeting_id=meeting.id))
    db.session.refresh(meeting)
    if status == 409:
        form = _minutes_form(meeting, bound=False)
        form.form_errors.append("Notulen baru saja diubah di tempat lain. Ini versi terbaru.")
    return render_template(
        "meetings/minutes.html",
        **_context(
            meeting,
            form=form,
            follow_up_form=_follow_up_form(meeting, bound=False),
            lines=services.conclusion_lines(meeting),
            counts=services.count_attendance(list(meeting.attendance)),
        ),
    ), status


@bp.get("/<int:meeting_id>/notulen/cetak")
@permission_required("meetings.view")
def minutes_print(meeting_id: int):
    """The notulen on A4 with the official fields, attendance summary and the signature block."""
    meeting = load_meeting(meeting_id)
    return render_template(
        "meetings/minutes_print.html",
        **_context(
            meeting,
            office=office_for(db.session, meeting.region),
            government_line=government_line(meeting.region),
            counts=services.count_attendance(list(meeting.attendance)),
            lines=services.conclusion_lines(meeting),
        ),
    )


# ---------------------------------------------------------------- follow-ups, final


def _follow_up_form(meeting: Meeting, bound: bool, **values) -> FollowUpForm:
    """The follow-up form with the meeting's regions."""
    form = FollowUpForm() if bound else FollowUpForm(formdata=None, region_id=meeting.region_id, **values)
    form.region_id.choices = options((str(r.id), r.name) for r in services.follow_up_regions(db.session, meeting))
    return form


@bp.post("/<int:meeting_id>/tindak-lanjut")
@permission_required("meetings.manage")
def follow_up_add(meeting_id: int):
    """Turn a conclusion into a follow-up."""
    meeting = _managed(meeting_id)
    form = _follow_up_form(meeting, bound=True)
    if form.validate_on_submit() and str(form.region_id.data) in {c.value for c in form.region_id.choices}:
        data = FollowUpData(
            description=form.description.data,
            responsible=form.responsible.data,
            region_id=form.region_id.data,
            due_date=form.due_date.data,
            conclusion=form.conclusion.data,
        )
        try:
            services.add_follow_up(db.session, meeting, current_user, data)
        except MeetingError as err:
            db.session.rollback()
            _error(form, err)
        else:
            db.session.commit()
            flash("Tindak lanjut ditambahkan.", "success")
            return redirect(url_for("meetings.minutes", meeting_id=meeting.id, _anchor="tindak-lanjut"))
    elif not form.region_id.errors and form.region_id.data is not None:
        form.region_id.errors = ["Pilih wilayah dari daftar."]
    return render_template(
        "meetings/minutes.html",
        **_context(
            meeting,
            form=_minutes_form(meeting, bound=False),
            follow_up_form=form,
            lines=services.conclusion_lines(meeting),
            counts=services.count_attendance(list(meeting.attendance)),
        ),
    ), 422


def _refuse(meeting: Meeting, err: MeetingError):
    """The meeting page again, with the reason a step was refused."""
    db.session.rollback()
    db.session.refresh(meeting)
    flash(err.message, "error")
    counts = services.count_attendance(list(meeting.attendance))
    return render_template(
        "meetings/detail.html",
        **_context(meeting, counts=counts, agenda_form=AgendaForm(formdata=None), note_form=NoteForm(formdata=None)),
    ), 422


@bp.post("/<int:meeting_id>/final")
@permission_required("meetings.manage")
def finalize(meeting_id: int):
    """Lock minutes and attendance."""
    meeting = _managed(meeting_id)
    if not NoteForm().validate_on_submit():
        abort(400)
    try:
        services.finalize(db.session, meeting, current_user, clock.utcnow())
    except MeetingError as err:
        return _refuse(meeting, err)
    db.session.commit()
    flash("Rapat difinalkan: notulen dan daftar hadir dikunci.", "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/buka")
@permission_required("meetings.reopen")
def reopen(meeting_id: int):
    """An administrator reopens a final meeting."""
    meeting = load_meeting(meeting_id)
    if not NoteForm().validate_on_submit():
        abort(400)
    try:
        services.reopen(db.session, meeting, current_user)
    except MeetingError as err:
        return _refuse(meeting, err)
    db.session.commit()
    flash("Rapat dibuka kembali.", "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))
