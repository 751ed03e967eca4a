"""Compliance board: regencies × days, with on-time and reporting rates (DHIS2's reporting rates)."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import clock, htmx
from ..access import get_scoped_or_404, may_see_classified, permission_required
from ..extensions import db
from ..maps.routes import map_block
from ..regions.models import Office
from ..regions.services import office_for
from . import services
from .board import Window, build_board, month_window, week_window
from .board_forms import OfficeForm
from .models import DailyReport
from .views import EARLIEST_DATE, LATEST_DATE, chosen_province, date_arg

bp = Blueprint("board", __name__, url_prefix="/laporan/kepatuhan")
OFFICE_FIELDS = (
    "report_deadline",
    "report_grace_minutes",
    "name",
    "address",
    "city",
    "phone",
    "email",
    "head_title",
    "head_name",
    "head_nip",
)


def _window(today: date) -> Window:
    """The window asked for (?tampilan=minggu&tanggal=… or ?tampilan=bulan&bulan=2024-09); odd values → defaults."""
    if request.args.get("tampilan") == "bulan":
        raw = request.args.get("bulan", "")
        try:
            first = date.fromisoformat(raw + "-01") if len(raw) == 7 else today
        except ValueError:
            first = today
        return month_window(first if EARLIEST_DATE <= first <= LATEST_DATE else today)
    return week_window(date_arg("tanggal") or today)


@bp.get("/")
@permission_required("reports.board")
def index():
    """The board of a province for a week or a month; htmx swaps only the grid."""
    province = chosen_province()
    now = clock.utcnow()
    board = build_board(db.session, province, _window(now.astimezone(province.zone).date()), now)
    if htmx.wants_fragment():
        return render_template("reports/_board_grid.html", board=board, levels=services.situation_levels())
    return render_template(
        "reports/board.html",
        board=board,
        levels=services.situation_levels(),
        block=map_block(province, "laporan", board=board),
    )


@bp.get("/laporan/<int:report_id>")
@permission_required("reports.board")
def cell(report_id: int):
    """The summary of one cell's report, for the side panel (a redirect to the report without htmx)."""
    report = get_scoped_or_404(db.session, DailyReport, report_id, current_user)
    if not may_see_classified(current_user, report.region_id, report.classification):
        abort(404)
    if not htmx.is_htmx():  # boosted links from the grid count: they ask for the panel
        return redirect(url_for("reports.detail", report_id=report.id))
    return render_template(
        "reports/_board_cell.html", report=report, item_count=len(report.items), levels=services.situation_levels()
    )


def _office_form(office: Office, bound: bool) -> OfficeForm:
    """The settings form, bound to the post or filled from the office."""
    if bound:
        return OfficeForm()
    form = OfficeForm(formdata=None, obj=office)
    form.version.data = str(office.version) if office.id else ""
    return form


@bp.route("/pengaturan", methods=["GET", "POST"])
@permission_required("reports.settings")
def settings():
    """The province's deadline for daily reports and its letterhead."""
    province = chosen_province()
    office = office_for(db.session, province)
    form = _office_form(office, bound=request.method == "POST")
    status = 200
    if form.validate_on_submit():
        stored = str(office.version) if office.id else ""
        if (form.version.data or "") != stored:
            db.session.rollback()
            office = office_for(db.session, province)
            form = _office_form(office, bound=False)
            form.form_errors.append(
                "Pengaturan ini baru saja diubah orang lain. Ini versi terbaru; ubah lagi bila perlu."
            )
            status = 409
        else:
            if office.id is None:
                db.session.add(office)
            for name in OFFICE_FIELDS:
                value = getattr(form, name).data
                setattr(office, name, (value.strip() or None) if isinstance(value, str) else value)
            office.report_grace_minutes = form.report_grace_minutes.data or 0
            db.session.commit()
            flash("Pengaturan tersimpan.", "success")
            return redirect(url_for("board.index", provinsi=province.code))
    elif request.method == "POST":
        status = 422
    return render_template("reports/settings.html", form=form, province=province), status
