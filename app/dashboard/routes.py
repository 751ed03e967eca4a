"""The home page."""

from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user

from ..access import can, permission_required
from ..extensions import db
from ..maps.routes import map_block
from ..ui import SETTINGS_PAGES
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
    return render_template("dashboard/index.html", home=home, block=situation_map)


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
