"""Who may do what, and where: the one scoping helper every query of regional data goes through."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from .auth.models import Role, User
from .regions.models import Region
from .regions.services import subtree_condition

EVERYONE = frozenset(Role)
ADMIN_ONLY = frozenset({Role.ADMIN})

# Deny by default: a permission missing here is refused to everyone.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "home.view": EVERYONE,
    "account.change_password": EVERYONE,
    "users.manage": ADMIN_ONLY,
    "audit.view": ADMIN_ONLY,
    "regions.view": frozenset({Role.ADMIN, Role.PROVINSI}),
    "settings.view": frozenset({Role.ADMIN, Role.PROVINSI}),
    "reports.view": EVERYONE,
    "reports.file": frozenset({Role.OPERATOR}),
    "reports.review": frozenset({Role.ADMIN, Role.PROVINSI}),
    "reports.reopen": ADMIN_ONLY,
    "reports.board": frozenset({Role.ADMIN, Role.PROVINSI, Role.PIMPINAN}),
    "reports.recap": frozenset({Role.ADMIN, Role.PROVINSI, Role.PIMPINAN}),
    "reports.settings": frozenset({Role.ADMIN, Role.PROVINSI}),
    "categories.manage": ADMIN_ONLY,
    "lapsus.view": EVERYONE,
    "lapsus.file": frozenset({Role.OPERATOR}),
    "lapsus.acknowledge": frozenset({Role.ADMIN, Role.PROVINSI}),
    "meetings.view": EVERYONE,
    "meetings.manage": frozenset({Role.ADMIN, Role.PROVINSI, Role.FASILITATOR}),
    "meetings.reopen": ADMIN_ONLY,
    "surveys.view": EVERYONE,
    "surveys.design": frozenset({Role.ADMIN, Role.PROVINSI}),
    "surveys.enter": frozenset({Role.ADMIN, Role.PROVINSI, Role.FASILITATOR}),
    "scores.view": EVERYONE,
    "scores.define": ADMIN_ONLY,
    "scores.publish": frozenset({Role.ADMIN, Role.PROVINSI}),
    "notifications.view": EVERYONE,
    "maps.view": frozenset({Role.ADMIN, Role.PROVINSI, Role.PIMPINAN}),
}


def can(user: User, permission: str) -> bool:
    """Whether the user's role grants `permission`."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in PERMISSIONS.get(permission, ())


def permission_required(permission: str):
    """View decorator: log-in first, then 403 unless the role grants `permission`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def visible_region_ids(user: User) -> Select | None:
    """Ids of the regions a user may see (their region and below), or None for "all" (admin)."""
    if user.role == Role.ADMIN:
        return None
    if user.region is None:
        return select(Region.id).where(Region.id.is_(None))  # no region, nothing to see
    return select(Region.id).where(subtree_condition(user.region.code))


def scope(stmt: Select, user: User, region_column) -> Select:
    """Limit a query to rows whose `region_column` the user may see."""
    ids = visible_region_ids(user)
    return stmt if ids is None else stmt.where(region_column.in_(ids))


def scope_classified(stmt: Select, user: User, region_column, classification_column) -> Select:
    """Scope, and hide Rahasia rows from everyone but their own region and the province analysts."""
    stmt = scope(stmt, user, region_column)
    if user.role in (Role.ADMIN, Role.PROVINSI):
        return stmt
    return stmt.where(or_(classification_column != "rahasia", region_column == user.region_id))


def may_see_classified(user: User, region_id: int, classification: str) -> bool:
    """The row-level form of `scope_classified` for one loaded row (the region scope is checked apart)."""
    return classification != "rahasia" or user.role in (Role.ADMIN, Role.PROVINSI) or user.region_id == region_id


def can_see_region(user: User, region: Region) -> bool:
    """Whether `region` lies inside the user's scope."""
    if user.role == Role.ADMIN:
        return True
    if user.region is None:
        return False
    own = user.region.code
    return region.code == own or region.code.startswith(own + ".")


def get_scoped_or_404(session: Session, model, ident: int, user: User, region_attr: str = "region_id"):
    """Load one row by id through the user's scope; another region's row is "not there" (404)."""
    stmt = scope(select(model).where(model.id == ident), user, getattr(model, region_attr))
    obj = session.scalars(stmt).first()
    if obj is None:
        abort(404)
    return obj
