"""Notifikasi: the list, marking read, the header count (refreshed by htmx), the e-mail preference."""

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import clock, htmx
from ..access import permission_required
from ..extensions import db
from ..security import is_safe_next
from ..ui import page_arg
from . import services

bp = Blueprint("notifications", __name__, url_prefix="/notifikasi")
PER_PAGE = 30


@bp.get("/")
@permission_required("notifications.view")
def index():
    """The user's notifications, newest first, unread ones marked."""
    page = page_arg()
    items = services.recent(db.session, current_user, PER_PAGE + 1, (page - 1) * PER_PAGE)
    return render_template(
        "notifications/index.html",
        items=items[:PER_PAGE],
        page=page,
        has_next=len(items) > PER_PAGE,
        unread=services.unread_count(db.session, current_user),
    )


@bp.post("/<int:notification_id>/baca")
@permission_required("notifications.view")
def read(notification_id: int):
    """Mark one notification read; with `buka` set, go on to what it is about."""
    services.mark_read(db.session, current_user, notification_id, clock.utcnow())
    db.session.commit()
    target = request.form.get("buka", "")
    if is_safe_next(target):
        return redirect(target)
    if htmx.wants_fragment():
        return _count_response()
    return redirect(url_for("notifications.index"))


@bp.post("/baca-semua")
@permission_required("notifications.view")
def read_all():
    """Mark every notification read."""
    count = services.mark_read(db.session, current_user, None, clock.utcnow())
    db.session.commit()
    flash(f"{count} notifikasi ditandai sudah dibaca." if count else "Tidak ada notifikasi baru.", "success")
    return redirect(url_for("notifications.index"))


def _count_response():
    return render_template("notifications/_count.html", unread=services.unread_count(db.session, current_user))


@bp.get("/jumlah")
@permission_required("notifications.view")
def count():
    """The header link with the unread count (htmx polls it)."""
    return _count_response()


@bp.post("/email")
@permission_required("notifications.view")
def email_preference():
    """Turn e-mail copies on or off."""
    wanted = request.form.get("email") == "ya"
    current_user.email_notifications = wanted
    db.session.commit()
    flash("E-mail pemberitahuan " + ("diaktifkan." if wanted else "dimatikan."), "success")
    return redirect(url_for("notifications.index"))


def init_app(app: Flask) -> None:
    """The header's unread count, computed only when a page draws the header."""

    @app.context_processor
    def _unread():
        def unread_notifications() -> int:
            if not getattr(current_user, "is_authenticated", False):
                return 0
            return services.unread_count(db.session, current_user)

        return {"unread_notifications": unread_notifications}
