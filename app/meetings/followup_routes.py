"""Follow-ups across all meetings: filter by region, status and overdue; change status in place."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import clock, htmx
from ..access import get_scoped_or_404, permission_required, scope
from ..extensions import db
from ..forms import options
from ..regions.models import Region, RegionKind
from ..ui import page_arg
from . import services
from .forms import FollowUpFilterForm, FollowUpStatusForm
from .models import FollowUp, FollowUpStatus
from .services import MeetingError, StaleEdit

bp = Blueprint("followups", __name__, url_prefix="/tindak-lanjut")


def _today():
    """Today in the user's zone (the national default for administrators)."""
    zone = current_user.region.zone if current_user.region else None
    now = clock.utcnow()
    return (now.astimezone(zone) if zone else now).date()


@bp.get("/")
@permission_required("meetings.view")
def index():
    """Follow-ups in scope, overdue highlighted; htmx swaps only the table."""
    return _list_page()


def _list_page(status: int | None = None):
    """The filtered list; `status` overrides the answer's status (a refused update shown again)."""
    filters = FollowUpFilterForm(request.args)
    regions = db.session.scalars(
        scope(select(Region).where(Region.kind != RegionKind.KECAMATAN), current_user, Region.id).order_by(Region.code)
    ).all()
    filters.wilayah.choices = options([("", "Semua wilayah")] + [(str(r.id), r.name) for r in regions])
    valid = filters.validate()
    today = _today()
    stmt = scope(select(FollowUp), current_user, FollowUp.region_id)
    if valid:
        if filters.wilayah.data:
            stmt = stmt.where(FollowUp.region_id == filters.wilayah.data)
        if filters.status.data:
            stmt = stmt.where(FollowUp.status == FollowUpStatus(filters.status.data))
        if filters.terlambat.data == "ya":
            stmt = stmt.where(FollowUp.status != FollowUpStatus.SELESAI, FollowUp.due_date < today)
    page = db.paginate(
        stmt.order_by(FollowUp.due_date, FollowUp.id),
        page=page_arg(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    template = "meetings/_followup_table.html" if htmx.wants_fragment() else "meetings/followups.html"
    return render_template(template, page=page, filters=filters, today=today), status or (200 if valid else 422)


@bp.post("/<int:follow_up_id>")
@permission_required("meetings.view")
def update(follow_up_id: int):
    """Change status and evidence in place (the responsible region's staff may too)."""
    follow_up = get_scoped_or_404(db.session, FollowUp, follow_up_id, current_user)
    if not services.may_update_follow_up(current_user, follow_up):
        abort(403)
    form = FollowUpStatusForm()
    status = 200
    if not form.validate_on_submit():
        status = 422
    else:
        try:
            services.set_follow_up_status(
                db.session,
                follow_up,
                current_user,
                FollowUpStatus(form.status.data),
                form.evidence.data,
                form.version_value(),
                clock.utcnow(),
            )
        except StaleEdit:
            db.session.rollback()
            form.form_errors.append("Tindak lanjut ini baru saja diubah; ini keadaan terbaru.")
            status = 409
        except MeetingError as err:
            db.session.rollback()
            form.evidence.errors = [*form.evidence.errors, err.message]
            status = 422
        else:
            db.session.commit()
    if htmx.wants_fragment():
        return render_template(
            "meetings/_followup_row.html", fu=follow_up, form=form if status != 200 else None, today=_today()
        ), status
    if status == 200:
        flash("Tindak lanjut tersimpan.", "success")
        return redirect(url_for("followups.index"))
    flash(" ".join(form.form_errors + form.evidence.errors + form.status.errors) or "Isian tidak sah.", "error")
    return _list_page(status)
