"""Peta situasi: the province map with a chosen layer; other pages embed the same block."""

from datetime import date

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from .. import clock, htmx
from ..access import permission_required
from ..extensions import db
from ..forms import id_value
from ..regions.models import Region
from ..reports import services as report_services
from ..reports.board import Board
from ..reports.views import chosen_province
from ..scoring import services as scoring_services
from ..scoring.models import IndexDefinition
from . import services
from .services import LAYERS

bp = Blueprint("maps", __name__, url_prefix="/peta")

LAYER_KEYS = {key for key, _ in LAYERS}


def _definition(definition_id: int | None) -> IndexDefinition | None:
    """The asked index edition, else the first questionnaire index (as on the ranking page)."""
    if definition_id is not None:
        found = db.session.get(IndexDefinition, definition_id)
        if found is not None:
            return found
    definitions = scoring_services.ordered_definitions(db.session)
    return definitions[0] if definitions else None


def map_block(
    province: Region,
    layer_key: str,
    definition_id: int | None = None,
    ranking: scoring_services.Ranking | None = None,
    day: date | None = None,
    board: Board | None = None,
) -> dict | None:
    """What `maps/_map.html` needs for `province` on one layer, or None when the province has no map.

    `ranking` and `board` save building them again on the ranking and board pages; `day` shows the
    situasi umum of another day (the recap of a past day).
    """
    cached = services.province_map(db.session, province)
    if cached is None:
        return None
    now = clock.utcnow()
    today = now.astimezone(province.zone).date()
    if layer_key == "situasi":
        layer = services.situation_layer(db.session, province, report_services.situation_levels(), day or today)
    elif layer_key == "laporan":
        layer = services.report_layer(db.session, province, now, board)
    elif layer_key == "peringkat":
        if ranking is None:
            definition = _definition(definition_id)
            if definition is None:
                return None
            ranking = scoring_services.build_ranking(db.session, definition, province, today, with_previous=False)
        layer = services.band_layer(ranking)
    else:
        layer = services.incident_layer(db.session, current_user, province, 7 if layer_key == "kejadian7" else 30, now)
    return {
        "map": cached.projected,
        "layer": layer,
        "province": province,
        "layers": LAYERS,
        "definition": ranking.definition if ranking else None,
        "links": _profile_links(cached.region_ids),
    }


def _profile_links(region_ids: dict[str, int]) -> dict[str, str]:
    """Each regency's profile page behind its shape (the map is shown only to users who see them all)."""
    return {code: url_for("dashboard.profile", region_id=region_id) for code, region_id in region_ids.items()}


def _layer_arg() -> tuple[str, bool]:
    """The asked layer and whether it was a valid one."""
    asked = request.args.get("lapisan", "situasi")
    return (asked, True) if asked in LAYER_KEYS else ("situasi", False)


@bp.get("/")
@permission_required("maps.view")
def index():
    """The map page; htmx asks for the map block only when the layer changes."""
    province = chosen_province()
    layer_key, valid = _layer_arg()
    block = map_block(province, layer_key, id_value(request.args.get("indeks", "")))
    if htmx.wants_fragment():
        if block is None:
            abort(404)
        return render_template("maps/_map.html", block=block), 200 if valid else 422
    return render_template("maps/index.html", block=block, province=province, problem=not valid), (
        200 if valid else 422
    )
