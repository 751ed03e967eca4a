"""Waspada: early-warning information system for Kesbangpol offices."""

import logging
import os

from flask import Flask, flash, make_response, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import bindparam, select
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    audit,
    compression,
    config,
    errors,
    htmx,
    mail,
    models,  # noqa: F401  (registers every table with the metadata)
    ratelimit,
    security,
    ui,
)
from . import db as db_setup
from .auditlog.routes import bp as auditlog_bp
from .auth.models import User
from .auth.routes import bp as auth_bp
from .dashboard.routes import bp as dashboard_bp
from .extensions import csrf, db, init_migrations, login_manager
from .lapsus.routes import bp as lapsus_bp
from .maps.routes import bp as maps_bp
from .meetings.followup_routes import bp as followups_bp
from .meetings.routes import bp as meetings_bp
from .notifications import routes as notification_routes
from .regions.routes import bp as regions_bp
from .reports.board_routes import bp as board_bp
from .reports.category_routes import bp as categories_bp
from .reports.recap_routes import bp as recap_bp
from .reports.routes import bp as reports_bp
from .reports.search_routes import bp as search_bp
from .scoring.routes import bp as scoring_bp
from .surveys.routes import bp as surveys_bp

# Endpoints a user who must change their password may still reach.
PASSWORD_CHANGE_ALLOWED = frozenset({"auth.change_password", "auth.logout", "static"})
# Asked on every request: built once, as building it anew cost half as much again as its run.
USER_BY_TOKEN = select(User).where(User.session_token == bindparam("token"))


def create_app(overrides: dict | None = None, instance_path: str | None = None, cli_commands: bool = True) -> Flask:
    """Build the app: defaults → instance/config.py → WASPADA_* environment → `overrides`.

    `cli_commands=False` (wsgi.py) leaves out the commands and the migrations, which a web worker never runs.
    """
    project_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_path=instance_path
        or os.environ.get("WASPADA_INSTANCE_PATH")
        or os.path.join(project_root, "instance"),
        instance_relative_config=True,
        template_folder=os.path.join(project_root, "templates"),
        static_folder=os.path.join(project_root, "static"),
    )
    app.config.from_object(config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("WASPADA")
    app.config.update(overrides or {})
    config.finalize(app.config, app.instance_path)
    _configure_logging(app)
    if app.config.get("PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    db.init_app(app)
    db_setup.init_engine(app)
    if cli_commands:
        init_migrations(app, os.path.join(project_root, "migrations"))
    csrf.init_app(app)
    _init_login(app)
    compression.init_app(app)  # first registered, so it runs after every other after_request
    htmx.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    ui.init_app(app)
    if cli_commands:
        from . import cli  # the commands pull in Alembic, the demo and the generator: not for web workers

        cli.init_app(app)
    mail.init_app(app)
    notification_routes.init_app(app)
    _register_blueprints(app)
    ratelimit.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """One blueprint per feature."""
    blueprints = (
        auth_bp,
        dashboard_bp,
        reports_bp,
        board_bp,
        recap_bp,
        search_bp,
        lapsus_bp,
        meetings_bp,
        followups_bp,
        surveys_bp,
        scoring_bp,
        maps_bp,
        notification_routes.bp,
        categories_bp,
        regions_bp,
        auditlog_bp,
    )
    for bp in blueprints:
        app.register_blueprint(bp)


def _init_login(app: Flask) -> None:
    """Flask-Login keyed on the rotating session token; the request's actor for the audit log."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Silakan masuk terlebih dahulu."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load_user(token: str):
        user = db.session.scalars(USER_BY_TOKEN, {"token": token}).first()
        return user if user is not None and user.active else None

    @login_manager.unauthorized_handler
    def _unauthorized():
        login = url_for("auth.login", next=request.full_path.rstrip("?"))
        if htmx.is_htmx():
            # A login page swapped into a table cell helps nobody: send the browser there.
            return htmx.hx_redirect(make_response("", 401), login)
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(login)

    @app.before_request
    def _identify_actor():
        if current_user.is_authenticated:
            audit.set_actor(
                db.session,
                audit.Actor(user_id=current_user.id, username=current_user.username, ip=security.client_ip()),
            )
            if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ALLOWED:
                target = url_for("auth.change_password")
                return htmx.hx_redirect(make_response("", 204), target) if htmx.is_htmx() else redirect(target)
        return None


def _configure_logging(app: Flask) -> None:
    """Log to stderr at INFO (gunicorn and systemd collect it)."""
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
