"""Audit log list with filters; htmx refreshes only the table."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from .. import htmx
from ..access import permission_required
from ..audit import ACTION_LABELS, AuditLog, entity_labels
from ..extensions import db
from ..ui import page_arg, user_zone
from .forms import AuditFilterForm

bp = Blueprint("auditlog", __name__, url_prefix="/audit")


@bp.get("/")
@permission_required("audit.view")
def index():
    """Newest first, 50 a page; dates are read in the viewer's zone."""
    filters = AuditFilterForm(request.args)
    valid = filters.validate()
    stmt = select(AuditLog).order_by(AuditLog.id.desc())
    if valid:
        stmt = _apply_filters(stmt, filters)
    page = db.paginate(stmt, page=page_arg(), per_page=current_app.config["PER_PAGE"], error_out=False)
    template = "auditlog/_table.html" if htmx.wants_fragment() else "auditlog/index.html"
    status = 200 if valid else 422
    return render_template(
        template, page=page, filters=filters, entity_labels=entity_labels(), action_labels=ACTION_LABELS
    ), status


def _apply_filters(stmt, filters: AuditFilterForm):
    """Narrow the query by the valid filters."""
    zone = ZoneInfo(user_zone())
    if filters.user.data:
        stmt = stmt.where(AuditLog.username == filters.user.data.strip().lower())
    if filters.entity.data:
        stmt = stmt.where(AuditLog.entity == filters.entity.data)
    if filters.action.data:
        stmt = stmt.where(AuditLog.action == filters.action.data)
    if filters.date_from.data:
        stmt = stmt.where(AuditLog.at >= datetime.combine(filters.date_from.data, time.min, zone))
    if filters.date_to.data:
        stmt = stmt.where(AuditLog.at < datetime.combine(filters.date_to.data + timedelta(days=1), time.min, zone))
    return stmt
