"""Access rows of the daily report pages (a draft Balangan report of today with one item)."""

from app.extensions import db
from app.reports.models import DailyReport

from ..factories import make_report
from . import everyone, only

ROWS = {
    ("reports.index", "GET"): everyone(200),
    ("reports.today", "GET"): everyone(302),
    ("reports.start", "POST"): only({"operator": 422}),
    ("reports.nihil", "POST"): only({"operator": 302}),
    ("reports.detail", "GET"): everyone(200),
    ("reports.save_header", "POST"): only({"operator": 302}),
    ("reports.item_create", "POST"): only({"operator": 422}),
    ("reports.item", "GET"): everyone(302),
    ("reports.item_edit", "GET"): only({"operator": 200}),
    ("reports.item_edit", "POST"): only({"operator": 422}),
    ("reports.item_delete", "POST"): only({"operator": 302}),
    ("reports.submit", "POST"): only({"operator": 422}),
    ("reports.verify", "POST"): only({"admin": 422, "analis": 422}),
    ("reports.return_", "POST"): only({"admin": 422, "analis": 422}),
    ("reports.reopen", "POST"): only({"admin": 422}),
}


def setup(app, _users):
    """A draft report of Kab. Balangan for today, with one item and no situasi umum yet."""
    report_id = make_report(app, level=None)
    with app.app_context():
        item_id = db.session.get(DailyReport, report_id).items[0].id
    return {"report_id": report_id, "item_id": item_id}
