"""The positive control: a deliberately injectable page that exists only in the scan's own app.

If sqlmap does not report it, the scanner is blind (wrong options, a lost session, a broken install) and
`make scan` fails. `install` refuses a production app, and nothing in app/ imports this module.
"""

from flask import Flask, request
from flask_login import login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

PATH = "/__pindai/kontrol"
ENDPOINT = "scan_control"
PARAMETER = "id"


def install(app: Flask) -> None:
    """Add the injectable page; only to a development or testing app."""
    if app.config["MODE"] == "production":
        raise RuntimeError("the scan's injectable control page is never installed in production mode")

    @login_required  # behind the log-in like every real page: a scan that lost its session misses it
    def control():
        raw = request.args.get(PARAMETER, "1")
        try:
            # Deliberately vulnerable: the raw parameter is pasted into the SQL.
            row = db.session.execute(text("SELECT name FROM regions WHERE id = " + raw)).first()  # noqa: S608
        except SQLAlchemyError:
            db.session.rollback()
            row = None
        return f"<p>{'Wilayah ada' if row else 'Tidak ditemukan'}</p>"

    app.add_url_rule(PATH, ENDPOINT, control)
