"""Access rows of the rankings (the built-in published IKP definition with one recorded Balangan result)."""

from sqlalchemy import select

from app.extensions import db
from app.scoring.models import IndexDefinition, IndexSource, PublishedScore

from ..factories import region
from . import everyone, only

ADMIN = {"admin": 200}
PUBLISH = {"admin": 200, "analis": 200}

ROWS = {
    ("scoring.index", "GET"): everyone(200),
    ("scoring.print_view", "GET"): everyone(200),
    ("scoring.export", "GET"): everyone(200),
    ("scoring.methodology", "GET"): everyone(200),
    ("scoring.card", "GET"): everyone(200),  # Balangan: every test account is in Kalimantan Selatan
    ("scoring.definitions", "GET"): everyone(200),
    ("scoring.definition_new", "GET"): only(ADMIN),
    ("scoring.definition_new", "POST"): only({"admin": 422}),
    ("scoring.definition_edit", "GET"): only(ADMIN),
    ("scoring.definition_edit", "POST"): only({"admin": 422}),
    ("scoring.published", "GET"): only(PUBLISH),
    ("scoring.published_save", "POST"): only({"admin": 422, "analis": 422}),
    ("scoring.published_upload", "POST"): only({"admin": 422, "analis": 422}),
    ("scoring.published_delete", "POST"): only({"admin": 302, "analis": 302}),
}


def setup(app, _users):
    """The published IKP 2024 definition and a recorded score of Kab. Balangan."""
    with app.app_context():
        definition = db.session.scalars(
            select(IndexDefinition).where(IndexDefinition.source == IndexSource.PUBLISHED).order_by(IndexDefinition.id)
        ).first()
        balangan = region("63.11")
        score = PublishedScore(definition_id=definition.id, region_id=balangan.id, score=40.5, source="Uji")
        db.session.add(score)
        db.session.commit()
        return {"definition_id": definition.id, "region_id": balangan.id, "score_id": score.id, "ext": "csv"}
