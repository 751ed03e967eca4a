"""Who may do what, and where: the one scoping helper every query of regional data goes through."""

from dataclasses import dataclass
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session

from .auth.models import Role, User
from .regions.models import Region
from .regions.services import subtree_between, subtree_bounds

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
    return _visible_region_ids(scope_of(user), scope_values(user))


def scope(stmt: Select, user: User, region_column) -> Select:
    """Limit a query to rows whose `region_column` the user may see."""
    return _restrict(stmt, scope_of(user), region_column, None, scope_values(user))


def scope_classified(stmt: Select, user: User, region_column, classification_column) -> Select:
    """Scope, and hide Rahasia rows from everyone but their own region and the province analysts."""
    return _restrict(stmt, scope_of(user), region_column, classification_column, scope_values(user))


@dataclass(frozen=True)
class Scope:
    """The shape of a user's scope, apart from its values: which regions ("all", "none" or "subtree": their
    region and below), and whether Rahasia rows of other regions are hidden. Users of one shape share a
    prepared statement (`prepared_scope_classified`); `scope_values` gives what is bound at each run."""

    regions: str
    hides_classified: bool


# The bind parameters of a prepared scope: without a value they are required, so a run that forgot one fails.
SCOPE_PARAMETERS = {name: bindparam(name) for name in ("scope_code", "scope_after", "scope_before", "scope_own")}


def scope_of(user: User) -> Scope:
    """The shape of the user's scope."""
    if user.role == Role.ADMIN:
        regions = "all"
    else:
        regions = "subtree" if user.region is not None else "none"
    return Scope(regions, user.role not in (Role.ADMIN, Role.PROVINSI))


def scope_values(user: User) -> dict:
    """The values of the user's scope, by the names of SCOPE_PARAMETERS (only those its shape uses)."""
    shape, values = scope_of(user), {}
    if shape.regions == "subtree":
        values["scope_code"], values["scope_after"], values["scope_before"] = subtree_bounds(user.region.code)
    if shape.hides_classified:
        values["scope_own"] = user.region_id
    return values


def prepared_scope_classified(stmt: Select, shape: Scope, region_column, classification_column) -> Select:
    """`scope_classified` for every user of one shape: the values are bind parameters (SCOPE_PARAMETERS)."""
    return _restrict(stmt, shape, region_column, classification_column, SCOPE_PARAMETERS)


def _visible_region_ids(shape: Scope, values: dict) -> Select | None:
    """The region ids of a scope (None for all), its values given as values or as bind parameters."""
    if shape.regions == "all":
        return None
    if shape.regions == "none":
        return select(Region.id).where(Region.id.is_(None))  # no region, nothing to see
    return select(Region.id).where(subtree_between(values["scope_code"], values["scope_after"], values["scope_before"]))


def _restrict(stmt: Select, shape: Scope, region_column, classification_column, values: dict) -> Select:
    """The one place a scope becomes a condition: the regions, then (given its column) the Rahasia rule."""
    ids = _visible_region_ids(shape, values)
    if ids is not None:
        stmt = stmt.where(region_column.in_(ids))
    if classification_column is None or not shape.hides_classified:
        return stmt
    return stmt.where(or_(classification_column != "rahasia", region_column == values["scope_own"]))


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
