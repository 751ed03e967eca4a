"""The home page."""

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user

from .. import clock
from ..access import can, can_see_region, permission_required
from ..extensions import db
from ..maps.routes import map_block
from ..regions.models import Region, RegionKind
from ..reports.services import situation_levels
from ..scoring.scoring import phrase
from ..ui import SETTINGS_PAGES
from . import panels
from .profile import build_profile
from .services import build_home

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@permission_required("home.view")
def index():
    """Each role's home page."""
    home = build_home(db.session, current_user, current_app.config["DEFAULT_TIMEZONE"])
    situation_map = None
    if home.region is not None and home.region.is_province and can(current_user, "maps.view"):
        situation_map = map_block(home.region, "situasi")
    return render_template(
        "dashboard/index.html",
        home=home,
        block=situation_map,
        sparkline=panels.sparkline,
        situation_levels=situation_levels(),
    )


@bp.get("/pengaturan")
@permission_required("settings.view")
def settings():
    """The settings pages the user may use."""
    pages = [
        (title, text, url_for(endpoint))
        for title, text, endpoint, permission in SETTINGS_PAGES
        if can(current_user, permission)
    ]
    return render_template("dashboard/settings.html", pages=pages)


@bp.get("/profil/<int:region_id>")
@permission_required("home.view")
def profile(region_id: int):
    """A kabupaten/kota in one place, for anyone whose scope includes it."""
    region = db.get_or_404(Region, region_id)
    if region.kind not in (RegionKind.KABUPATEN, RegionKind.KOTA) or not can_see_region(current_user, region):
        abort(404)
    now = clock.utcnow()
    today = now.astimezone(region.zone).date()
    asked = request.args.get("bulan", "")
    try:
        month = date.fromisoformat(asked + "-01") if len(asked) == 7 else today.replace(day=1)
    except ValueError:
        month = today.replace(day=1)
    if not date(2000, 1, 1) <= month <= today:
        month = today.replace(day=1)
    data = build_profile(db.session, current_user, region, month, now)
    following = (month + timedelta(days=32)).replace(day=1)
    return render_template(
        "dashboard/profile.html",
        profile=data,
        today=today,
        levels=situation_levels(),
        phrase=phrase,
        previous_month=(month - timedelta(days=1)).strftime("%Y-%m"),
        next_month=following.strftime("%Y-%m") if following <= today else None,
    )
