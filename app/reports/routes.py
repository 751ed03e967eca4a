"""Views of the daily report: today's report, the report page with inline items, and the review steps."""

from datetime import date

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from .. import clock, htmx
from ..access import can, get_scoped_or_404, may_see_classified, permission_required, scope, scope_classified
from ..extensions import db
from ..regions.models import Region
from ..regions.services import regencies_of
from ..ui import page_arg
from . import services
from .forms import IncidentForm, NoteForm, ReportDateForm, ReportHeaderForm, ReturnForm, version_value
from .history import diff_snapshots
from .models import (
    EVENT_LABELS,
    RETURN_REASONS,
    Classification,
    DailyReport,
    ReportItem,
    ReportStatus,
)
from .services import HeaderData, ReportError, StaleEdit
from .views import (
    changed_fields,
    chosen_province,
    date_arg,
    field_error,
    incident_data,
    incident_form,
    province_choices,
)

bp = Blueprint("reports", __name__, url_prefix="/laporan")


# ---------------------------------------------------------------- loading helpers


def load_report(report_id: int) -> DailyReport:
    """A report the current user may see, or 404 (another region's, or Rahasia not for them)."""
    report = get_scoped_or_404(db.session, DailyReport, report_id, current_user)
    if not may_see_classified(current_user, report.region_id, report.classification):
        abort(404)
    return report


def load_item(report: DailyReport, item_id: int) -> ReportItem:
    """An item of this report, or 404."""
    item = db.session.get(ReportItem, item_id)
    if item is None or item.report_id != report.id:
        abort(404)
    return item


def _item_form(report: DailyReport, item: ReportItem | None = None, bound: bool = True) -> IncidentForm:
    """An incident form with this report's kecamatan and the categories; filled from `item` when not bound."""
    return incident_form(IncidentForm, report.region, obj=item, bound=bound, default_date=report.report_date)


def _header_form(report: DailyReport, bound: bool = True) -> ReportHeaderForm:
    """The header form, bound to the post or filled from the report."""
    if bound:
        form = ReportHeaderForm()
    else:
        form = ReportHeaderForm(
            formdata=None, obj=report, classification=report.classification.value, version=str(report.version)
        )
    return form.set_levels(services.situation_levels())


def _header_data(form: ReportHeaderForm) -> HeaderData:
    """The service's view of a valid header form."""
    return HeaderData(form.situation_level.data, form.summary.data, Classification(form.classification.data))


def _today_for(region: Region) -> date:
    """Today's date in the region's zone."""
    return clock.local_today(region.timezone)


# ---------------------------------------------------------------- lists


@bp.get("/")
@permission_required("reports.view")
def index():
    """Regency users: their region's reports. Province users: every regency's report for one day."""
    region = current_user.region
    if region is not None and region.is_regency:
        # Their own region, whose Rahasia reports they see too: scope_classified's condition would hold for every
        # row and still make SQLite read each of five years of rows to count them (4 ms instead of 0.1).
        stmt = scope(select(DailyReport), current_user, DailyReport.region_id)
        stmt = stmt.where(DailyReport.region_id == region.id).order_by(DailyReport.report_date.desc())
        page = db.paginate(stmt, page=page_arg(), per_page=current_app.config["PER_PAGE"], error_out=False)
        return render_template("reports/index_regency.html", page=page, region=region, today=_today_for(region))
    province = chosen_province()
    day = date_arg("tanggal") or _today_for(province)
    regencies = regencies_of(db.session, province)
    stmt = scope_classified(
        select(DailyReport).where(DailyReport.report_date == day, DailyReport.region_id.in_([r.id for r in regencies])),
        current_user,
        DailyReport.region_id,
        DailyReport.classification,
    )
    reports = {r.region_id: r for r in db.session.scalars(stmt)}
    counts = dict(
        db.session.execute(
            select(ReportItem.report_id, func.count())
            .where(ReportItem.report_id.in_([r.id for r in reports.values()]))
            .group_by(ReportItem.report_id)
        ).all()
    )
    return render_template(
        "reports/index_province.html",
        province=province,
        day=day,
        regencies=regencies,
        reports=reports,
        counts=counts,
        provinces=province_choices(),
        levels=services.situation_levels(),
    )


# ---------------------------------------------------------------- today / start / nihil


@bp.get("/hari-ini")
@permission_required("reports.view")
def today():
    """The operator's report for today; a start page when there is none yet."""
    region = current_user.region
    if not can(current_user, "reports.file") or region is None:
        return redirect(url_for("reports.index"))
    today_local = _today_for(region)
    report = services.find_report(db.session, region.id, today_local)
    if report is not None:
        return redirect(url_for("reports.detail", report_id=report.id))
    due = services.deadline_for_day(db.session, region, today_local)
    missing = services.unreported_days(db.session, region, today_local, days=14)
    return render_template(
        "reports/start.html",
        region=region,
        today=today_local,
        due=due,
        missing=missing,
        date_form=ReportDateForm(formdata=None, report_date=today_local),
    )


@bp.post("/mulai")
@permission_required("reports.file")
def start():
    """Open (or create) the report of the chosen date."""
    form = ReportDateForm()
    region = current_user.region
    if form.validate_on_submit():
        try:
            report = services.start_report(db.session, current_user, region, form.report_date.data, _today_for(region))
        except ReportError as err:
            db.session.rollback()
            field_error(form, err)
        else:
            db.session.commit()
            return redirect(url_for("reports.detail", report_id=report.id))
    today_local = _today_for(region)
    return render_template(
        "reports/start.html",
        region=region,
        today=today_local,
        date_form=form,
        due=services.deadline_for_day(db.session, region, today_local),
        missing=services.unreported_days(db.session, region, today_local, days=14),
    ), 422


@bp.post("/nihil")
@permission_required("reports.file")
def nihil():
    """One click: today's (or the chosen day's) report as "situasi kondusif, nihil kejadian"."""
    form = ReportDateForm()
    region = current_user.region
    if not form.validate_on_submit():
        flash("Tanggal laporan tidak sah.", "error")
        return redirect(url_for("reports.today"))
    try:
        report = services.file_nihil(
            db.session, current_user, region, form.report_date.data, _today_for(region), clock.utcnow()
        )
    except ReportError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("reports.today"))
    db.session.commit()
    flash("Laporan nihil terkirim." + (" Laporan ini tercatat terlambat." if report.late else ""), "success")
    return redirect(url_for("reports.detail", report_id=report.id))


# ---------------------------------------------------------------- the report page


def _detail_context(report: DailyReport, **overrides) -> dict:
    """Everything the report page shows."""
    may_file = services.can_file(current_user, report.region)
    editable = may_file and report.editable
    levels = services.situation_levels()
    events = list(report.events)
    previous = None
    changes = {}
    for event in events:
        if event.snapshot is not None:
            changes[event.id] = diff_snapshots(previous, event.snapshot, levels)
            previous = event.snapshot
    context = {
        "report": report,
        "items": list(report.items),
        "editable": editable,
        "levels": levels,
        "due": services.report_due(db.session, report),
        "events": events,
        "changes": changes,
        "header_form": _header_form(report, bound=False) if editable else None,
        "new_item_form": _item_form(report, bound=False) if editable else None,
        "review": can(current_user, "reports.review") and report.status == ReportStatus.SUBMITTED,
        "return_form": ReturnForm(formdata=None),
        "note_form": NoteForm(formdata=None),
        "reopen": can(current_user, "reports.reopen") and report.status == ReportStatus.VERIFIED,
        "return_reasons": RETURN_REASONS,
        "event_labels": EVENT_LABELS,
    }
    context.update(overrides)
    return context


@bp.get("/<int:report_id>")
@permission_required("reports.view")
def detail(report_id: int):
    """The report: header, items, actions for the operator, review for the province, history."""
    report = load_report(report_id)
    return render_template("reports/detail.html", **_detail_context(report))


@bp.post("/<int:report_id>/ringkasan")
@permission_required("reports.file")
def save_header(report_id: int):
    """Save situasi umum and summary; htmx autosaves here while the operator types."""
    report = load_report(report_id)
    form = _header_form(report)
    status = 200
    if not form.validate_on_submit():
        status = 422
    else:
        data = _header_data(form)
        try:
            services.save_header(db.session, report, current_user, data, version_value(form))
        except StaleEdit:
            db.session.rollback()
            status = 409
        except ReportError as err:
            db.session.rollback()
            field_error(form, err)
            status = 422
        else:
            db.session.commit()
    if htmx.wants_fragment():
        return render_template(
            "reports/_header_status.html", report=report, form=form, status=status, saved_at=clock.utcnow()
        ), status
    if status == 200:
        flash("Ringkasan tersimpan.", "success")
        return redirect(url_for("reports.detail", report_id=report.id))
    db.session.refresh(report)
    return render_template("reports/detail.html", **_detail_context(report, header_form=form)), status


@bp.post("/<int:report_id>/kejadian")
@permission_required("reports.file")
def item_create(report_id: int):
    """Add an incident; htmx gets the new item appended and a fresh form."""
    report = load_report(report_id)
    form = _item_form(report)
    if form.validate_on_submit():
        try:
            item = services.add_item(db.session, report, current_user, incident_data(form))
        except ReportError as err:
            db.session.rollback()
            field_error(form, err)
        else:
            db.session.commit()
            if htmx.wants_fragment():
                return render_template(
                    "reports/_item_added.html",
                    report=report,
                    added=item,
                    form=_item_form(report, bound=False),
                    editable=True,
                )
            return redirect(url_for("reports.detail", report_id=report.id, _anchor=f"item-{item.id}"))
    if htmx.wants_fragment():
        return render_template("reports/_item_form.html", report=report, form=form, item=None), 422
    for message in form.form_errors:
        flash(message, "error")  # shown even when the report is no longer editable (no form on the page)
    return render_template("reports/detail.html", **_detail_context(report, new_item_form=form)), 422


@bp.get("/<int:report_id>/kejadian/<int:item_id>")
@permission_required("reports.view")
def item(report_id: int, item_id: int):
    """One incident as displayed (htmx: cancel an edit)."""
    report = load_report(report_id)
    found = load_item(report, item_id)
    if not htmx.wants_fragment():
        return redirect(url_for("reports.detail", report_id=report.id, _anchor=f"item-{item_id}"))
    editable = services.can_file(current_user, report.region) and report.editable
    return render_template("reports/_item.html", report=report, item=found, editable=editable)


@bp.route("/<int:report_id>/kejadian/<int:item_id>/ubah", methods=["GET", "POST"])
@permission_required("reports.file")
def item_edit(report_id: int, item_id: int):
    """Edit an incident in place (htmx) or on its own page (without JavaScript)."""
    report = load_report(report_id)
    found = load_item(report, item_id)
    if not (services.can_file(current_user, report.region) and report.editable):
        abort(403)
    fragment = htmx.wants_fragment()
    if request.method == "GET":
        form = _item_form(report, found, bound=False)
        return _render_item_form(report, found, form, fragment, 200)
    form = _item_form(report)
    if not form.validate_on_submit():
        return _render_item_form(report, found, form, fragment, 422)
    try:
        services.update_item(db.session, found, current_user, incident_data(form), version_value(form))
    except StaleEdit:
        db.session.rollback()
        fresh = _item_form(report, found, bound=False)
        changed = changed_fields(form, found)
        fresh.form_errors.append(
            "Kejadian ini baru saja diubah di tempat lain"
            + (f" (berubah: {', '.join(changed)})" if changed else "")
            + ". Isian di bawah adalah versi terbaru; ubah lagi lalu simpan."
        )
        return _render_item_form(report, found, fresh, fragment, 409)
    except ReportError as err:
        db.session.rollback()
        field_error(form, err)
        return _render_item_form(report, found, form, fragment, 422)
    db.session.commit()
    if fragment:
        return render_template("reports/_item.html", report=report, item=found, editable=True)
    flash("Kejadian tersimpan.", "success")
    return redirect(url_for("reports.detail", report_id=report.id, _anchor=f"item-{found.id}"))


def _render_item_form(report, item, form, fragment: bool, status: int):
    """The edit form, as a fragment for htmx or on its own page."""
    template = "reports/_item_form.html" if fragment else "reports/item_edit.html"
    return render_template(template, report=report, item=item, form=form), status


@bp.post("/<int:report_id>/kejadian/<int:item_id>/hapus")
@permission_required("reports.file")
def item_delete(report_id: int, item_id: int):
    """Remove an incident; htmx gets an empty answer and the item disappears."""
    report = load_report(report_id)
    found = load_item(report, item_id)
    form = NoteForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.delete_item(db.session, found, current_user)
    except ReportError as err:
        db.session.rollback()
        abort(
            make_response(
                render_template("errors/_error.html", code=403, title="Tidak diizinkan", message=err.message), 403
            )
        )
    db.session.commit()
    if htmx.wants_fragment():
        return ""
    flash("Kejadian dihapus.", "success")
    return redirect(url_for("reports.detail", report_id=report.id))


# ---------------------------------------------------------------- workflow


def _finish(report: DailyReport, message: str):
    """After a workflow step: back to the report page (a full reload for htmx too)."""
    flash(message, "success")
    target = url_for("reports.detail", report_id=report.id)
    if htmx.is_htmx():
        return htmx.hx_redirect(make_response("", 204), target)
    return redirect(target)


def _refuse(report: DailyReport, err: ReportError, status: int = 422, **forms):
    """Show the report page again with the refusal."""
    db.session.rollback()
    db.session.refresh(report)
    flash(err.message, "error")
    return render_template("reports/detail.html", **_detail_context(report, **forms)), status


@bp.post("/<int:report_id>/kirim")
@permission_required("reports.file")
def submit(report_id: int):
    """Send the report to the province (saving the header fields posted with it first)."""
    report = load_report(report_id)
    if "situation_level" in request.form:
        form = _header_form(report)
        if not form.validate_on_submit():
            return render_template("reports/detail.html", **_detail_context(report, header_form=form)), 422
        data = _header_data(form)
        try:
            services.save_header(db.session, report, current_user, data, version_value(form))
        except StaleEdit:
            return _refuse(
                report, ReportError("Laporan baru saja diubah di tempat lain; periksa lalu kirim lagi."), status=409
            )
        except ReportError as err:
            return _refuse(report, err)
    elif not NoteForm().validate_on_submit():
        abort(400)
    try:
        services.submit_report(db.session, report, current_user, clock.utcnow())
    except ReportError as err:
        return _refuse(report, err)
    db.session.commit()
    late = " Laporan ini tercatat terlambat." if report.late else ""
    return _finish(report, "Laporan terkirim ke provinsi." + late)


@bp.post("/<int:report_id>/verifikasi")
@permission_required("reports.review")
def verify(report_id: int):
    """Accept the report; it is locked."""
    report = load_report(report_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _refuse(report, ReportError("Catatan terlalu panjang."), note_form=form)
    try:
        services.verify_report(db.session, report, current_user, clock.utcnow(), form.note.data)
    except ReportError as err:
        return _refuse(report, err)
    db.session.commit()
    return _finish(report, "Laporan diverifikasi.")


@bp.post("/<int:report_id>/kembalikan")
@permission_required("reports.review")
def return_(report_id: int):
    """Send the report back to the operator with reasons."""
    report = load_report(report_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _refuse(report, ReportError("Periksa alasan pengembalian."), return_form=form)
    try:
        services.return_report(
            db.session, report, current_user, clock.utcnow(), form.reasons.data or [], form.note.data
        )
    except ReportError as err:
        field_error(form, err)
        return _refuse(report, err, return_form=form)
    db.session.commit()
    return _finish(report, "Laporan dikembalikan ke operator.")


@bp.post("/<int:report_id>/buka")
@permission_required("reports.reopen")
def reopen(report_id: int):
    """An administrator unlocks a verified report for correction."""
    report = load_report(report_id)
    form = NoteForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.reopen_report(db.session, report, current_user, clock.utcnow(), form.note.data)
    except ReportError as err:
        return _refuse(report, err, note_form=form)
    db.session.commit()
    return _finish(report, "Laporan dibuka kembali; operator dapat memperbaikinya.")
