"""Access rows of LAPSUS (a LAPSUS filed by the Balangan operator, not yet acknowledged)."""

from app import clock
from app.extensions import db
from app.lapsus import services
from app.reports.models import Classification

from ..factories import item_data, user
from . import everyone, only

ROWS = {
    ("lapsus.index", "GET"): everyone(200),
    ("lapsus.create", "GET"): only({"operator": 200}),
    ("lapsus.create", "POST"): only({"operator": 422}),
    ("lapsus.detail", "GET"): everyone(200),
    ("lapsus.edit", "GET"): only({"operator": 200}),
    ("lapsus.edit", "POST"): only({"operator": 422}),
    ("lapsus.acknowledge", "POST"): only({"admin": 302, "analis": 302}),
}


def setup(app, _users):
    """One LAPSUS of Kab. Balangan."""
    with app.app_context():
        lapsus = services.file_lapsus(db.session, user("operator"), item_data(), Classification.BIASA, clock.utcnow())
        db.session.commit()
        return {"lapsus_id": lapsus.id}
