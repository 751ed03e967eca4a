"""The home page."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from ..access import permission_required
from ..extensions import db
from .services import build_home

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@permission_required("home.view")
def index():
    """Each role's home page."""
    home = build_home(db.session, current_user, current_app.config["DEFAULT_TIMEZONE"])
    return render_template("dashboard/index.html", home=home)
