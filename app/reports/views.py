"""View helpers shared by the report pages, the board, the recap and LAPSUS."""

from datetime import date

from flask import abort, request
from flask_login import current_user
from sqlalchemy import select

from ..access import scope
from ..extensions import db
from ..regions.models import Region, RegionKind
from ..regions.services import kecamatan_of, province_of
from . import services
from .models import Aspect, IssueCategory, SourceKind, ThreatLevel
from .services import ItemData, ReportError


def active_categories() -> list[IssueCategory]:
    """Active issue categories in their order."""
    stmt = select(IssueCategory).where(IssueCategory.active).order_by(IssueCategory.position, IssueCategory.name)
    return list(db.session.scalars(stmt))


def incident_form(form_class, region: Region, obj=None, bound: bool = True, default_date: date | None = None, **values):
    """An incident form (or subclass) offering the region's kecamatan; bound to the post or filled from `obj`."""
    if bound:
        form = form_class()
    elif obj is not None:
        form = form_class(formdata=None, obj=obj, version=str(obj.version), **values)
        form.aspect.data = obj.aspect.value
        form.threat_level.data = obj.threat_level.value
        form.source_kind.data = obj.source_kind.value if obj.source_kind else ""
    else:
        form = form_class(formdata=None, occurred_date=default_date, **values)
    return form.set_places(active_categories(), kecamatan_of(db.session, region))


def incident_data(form) -> ItemData:
    """The service's view of a valid incident form (select values become enum members)."""
    values = {name: getattr(form, name).data for name in services.ITEM_FIELDS}
    values["aspect"] = Aspect(values["aspect"])
    values["threat_level"] = ThreatLevel(values["threat_level"])
    values["source_kind"] = SourceKind(values["source_kind"]) if values["source_kind"] else None
    values["source_reliability"] = values["source_reliability"] or None
    return ItemData(**values)


def field_error(form, err: ReportError) -> None:
    """Put a service error on its field, or on the form as a whole."""
    field = getattr(form, err.field, None) if err.field else None
    if field is not None:
        field.errors = [*field.errors, err.message]
    else:
        form.form_errors.append(err.message)


def changed_fields(form, current) -> list[str]:
    """Labels of the fields whose stored value differs from what the stale form was based on."""
    changed = []
    for field in form:
        if field.type in ("HiddenField", "CSRFTokenField") or not hasattr(current, field.name):
            continue
        stored = getattr(current, field.name)
        stored = stored.value if hasattr(stored, "value") else stored
        if stored != field.data and not (stored in (None, "") and field.data in (None, "")):
            changed.append(field.label.text)
    return changed


EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2100, 12, 31)


def date_arg(name: str) -> date | None:
    """A YYYY-MM-DD query argument within 2000–2100, or None when absent, malformed or absurd."""
    raw = request.args.get(name, "")
    try:
        value = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None
    return value if value and EARLIEST_DATE <= value <= LATEST_DATE else None


def province_choices() -> list[Region]:
    """Provinces the user may pick (all for administrators)."""
    stmt = scope(select(Region).where(Region.kind == RegionKind.PROVINSI), current_user, Region.id)
    return list(db.session.scalars(stmt.order_by(Region.code)))


def chosen_province() -> Region:
    """The province a province-level page is about: the user's own, or the one chosen (?provinsi=63)."""
    if current_user.region is not None:
        return province_of(current_user.region)
    code = request.args.get("provinsi", "")
    provinces = province_choices()
    chosen = next((p for p in provinces if p.code == code), provinces[0] if provinces else None)
    if chosen is None:
        abort(404)
    return chosen
