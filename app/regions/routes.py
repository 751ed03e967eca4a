"""Views of the region tree (administrators see all, province analysts their province)."""

from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import func, select

from ..access import can_see_region, permission_required, scope
from ..auth.models import User
from ..extensions import db
from .models import Region, RegionKind

bp = Blueprint("regions", __name__, url_prefix="/wilayah")


@bp.get("/")
@permission_required("regions.view")
def index():
    """Provinces with their number of kabupaten/kota, scoped to what the user may see."""
    stmt = select(Region).where(Region.kind == RegionKind.PROVINSI).order_by(Region.code)
    stmt = scope(stmt, current_user, Region.id)
    provinces = list(db.session.scalars(stmt))
    counts = dict(
        db.session.execute(
            select(Region.parent_id, func.count())
            .where(Region.kind.in_([RegionKind.KABUPATEN, RegionKind.KOTA]))
            .group_by(Region.parent_id)
        ).all()
    )
    return render_template("regions/index.html", provinces=provinces, counts=counts)


@bp.get("/<code>")
@permission_required("regions.view")
def detail(code: str):
    """One region with its sub-regions and the accounts placed there."""
    region = db.session.scalars(select(Region).where(Region.code == code)).first()
    if region is None or not can_see_region(current_user, region):
        abort(404)
    users = list(db.session.scalars(select(User).where(User.region_id == region.id).order_by(User.username)))
    return render_template("regions/detail.html", region=region, children=region.children, users=users)
