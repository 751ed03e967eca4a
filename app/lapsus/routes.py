"""LAPSUS pages: file an urgent report, list, read, correct, acknowledge."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import clock, htmx
from ..access import can, get_scoped_or_404, may_see_classified, permission_required, scope_classified
from ..extensions import db
from ..reports.models import Classification
from ..reports.services import ReportError, StaleEdit
from ..reports.views import changed_fields, field_error, incident_data, incident_form
from ..ui import page_arg
from . import services
from .forms import AcknowledgeForm, LapsusForm
from .models import SpecialReport

bp = Blueprint("lapsus", __name__, url_prefix="/lapsus")
STATES = {"menunggu": "Menunggu tanggapan", "ditanggapi": "Sudah ditanggapi", "semua": "Semua"}


def load_lapsus(lapsus_id: int) -> SpecialReport:
    """A LAPSUS the current user may see, or 404."""
    lapsus = get_scoped_or_404(db.session, SpecialReport, lapsus_id, current_user)
    if not may_see_classified(current_user, lapsus.region_id, lapsus.classification):
        abort(404)
    return lapsus


def _version(form) -> int | None:
    """The version a form was loaded with."""
    return int(form.version.data) if form.version.data else None


@bp.get("/")
@permission_required("lapsus.view")
def index():
    """LAPSUS in scope, newest first, filtered by acknowledgement; htmx swaps only the list."""
    state = request.args.get("status", "menunggu")
    state = state if state in STATES else "menunggu"
    stmt = scope_classified(select(SpecialReport), current_user, SpecialReport.region_id, SpecialReport.classification)
    if state == "menunggu":
        stmt = stmt.where(SpecialReport.acknowledged_at.is_(None))
    elif state == "ditanggapi":
        stmt = stmt.where(SpecialReport.acknowledged_at.is_not(None))
    page = db.paginate(
        stmt.order_by(SpecialReport.filed_at.desc()),
        page=page_arg(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    template = "lapsus/_list.html" if htmx.wants_fragment() else "lapsus/index.html"
    return render_template(template, page=page, state=state, states=STATES)


@bp.route("/baru", methods=["GET", "POST"])
@permission_required("lapsus.file")
def create():
    """File an urgent report for the operator's regency."""
    region = current_user.region
    if request.method == "GET":
        form = incident_form(LapsusForm, region, bound=False, default_date=clock.local_today(region.timezone))
        return render_template("lapsus/form.html", form=form, lapsus=None)
    form = incident_form(LapsusForm, region)
    if form.validate_on_submit():
        try:
            lapsus = services.file_lapsus(
                db.session, current_user, incident_data(form), Classification(form.classification.data), clock.utcnow()
            )
        except ReportError as err:
            db.session.rollback()
            field_error(form, err)
        else:
            db.session.commit()
            flash("Laporan khusus terkirim ke provinsi.", "success")
            return redirect(url_for("lapsus.detail", lapsus_id=lapsus.id))
    return render_template("lapsus/form.html", form=form, lapsus=None), 422


@bp.get("/<int:lapsus_id>")
@permission_required("lapsus.view")
def detail(lapsus_id: int):
    """The incident, who filed it, and the province's acknowledgement."""
    lapsus = load_lapsus(lapsus_id)
    return render_template("lapsus/detail.html", lapsus=lapsus, **_ack_context(lapsus))


def _ack_context(lapsus: SpecialReport, form: AcknowledgeForm | None = None) -> dict:
    """What the acknowledgement block needs."""
    return {
        "ack_form": form or AcknowledgeForm(formdata=None, version=str(lapsus.version)),
        "may_acknowledge": can(current_user, "lapsus.acknowledge") and services.may_acknowledge(current_user, lapsus),
        "may_edit": services.may_edit(current_user, lapsus),
    }


@bp.route("/<int:lapsus_id>/ubah", methods=["GET", "POST"])
@permission_required("lapsus.file")
def edit(lapsus_id: int):
    """Correct a LAPSUS until the province acknowledges it."""
    lapsus = load_lapsus(lapsus_id)
    if not services.may_edit(current_user, lapsus):
        abort(403)
    if request.method == "GET":
        form = incident_form(
            LapsusForm, lapsus.region, obj=lapsus, bound=False, classification=lapsus.classification.value
        )
        return render_template("lapsus/form.html", form=form, lapsus=lapsus)
    form = incident_form(LapsusForm, lapsus.region)
    status = 422
    if form.validate_on_submit():
        try:
            services.update_lapsus(
                db.session,
                lapsus,
                current_user,
                incident_data(form),
                Classification(form.classification.data),
                _version(form),
            )
        except StaleEdit:
            db.session.rollback()
            changed = changed_fields(form, lapsus)
            form = incident_form(
                LapsusForm, lapsus.region, obj=lapsus, bound=False, classification=lapsus.classification.value
            )
            form.form_errors.append(
                "Laporan ini baru saja diubah di tempat lain"
                + (f" (berubah: {', '.join(changed)})" if changed else "")
                + ". Isian di bawah adalah versi terbaru."
            )
            status = 409
        except ReportError as err:
            db.session.rollback()
            field_error(form, err)
        else:
            db.session.commit()
            flash("Laporan khusus tersimpan.", "success")
            return redirect(url_for("lapsus.detail", lapsus_id=lapsus.id))
    return render_template("lapsus/form.html", form=form, lapsus=lapsus), status


@bp.post("/<int:lapsus_id>/tanggapi")
@permission_required("lapsus.acknowledge")
def acknowledge(lapsus_id: int):
    """The province acknowledges; htmx re-renders the acknowledgement block in place."""
    lapsus = load_lapsus(lapsus_id)
    form = AcknowledgeForm()
    status = 200
    if not form.validate_on_submit():
        status = 422
    else:
        try:
            services.acknowledge(db.session, lapsus, current_user, form.note.data, _version(form), clock.utcnow())
        except StaleEdit:
            db.session.rollback()
            form.form_errors.append("Laporan khusus ini sudah ditanggapi atau diubah; lihat keadaan terbaru.")
            status = 409
        except ReportError as err:
            db.session.rollback()
            abort(403, err.message)
        else:
            db.session.commit()
    if htmx.wants_fragment():
        return render_template("lapsus/_ack.html", lapsus=lapsus, **_ack_context(lapsus, form)), status
    if status == 200:
        flash("Tanggapan tersimpan.", "success")
        return redirect(url_for("lapsus.detail", lapsus_id=lapsus.id))
    return render_template("lapsus/detail.html", lapsus=lapsus, **_ack_context(lapsus, form)), status
