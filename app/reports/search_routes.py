"""Search and filters over report items, and the streamed CSV/XLSX export of the same selection."""

from flask import Blueprint, Response, current_app, render_template, request, stream_with_context, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import htmx
from ..access import permission_required, scope
from ..db import kept
from ..extensions import db
from ..regions.models import Region, RegionKind
from ..ui import page_arg
from . import export
from .models import IssueCategory
from .search import excerpt, search_page, search_terms
from .search_forms import SearchForm

bp = Blueprint("search", __name__, url_prefix="/laporan/cari")
LISTED_KINDS = (RegionKind.PROVINSI, RegionKind.KABUPATEN, RegionKind.KOTA)


def _scope_regions() -> tuple[tuple, ...]:
    """(id, name, kind, parent_id) of the provinces and regencies in the user's scope, in code order.

    Kept while nothing is written: an administrator's 552 rows cost a millisecond to read each time.
    """

    def read():
        columns = select(Region.id, Region.name, Region.kind, Region.parent_id).where(Region.kind.in_(LISTED_KINDS))
        return tuple(map(tuple, db.session.execute(scope(columns, current_user, Region.id).order_by(Region.code))))

    return kept(db.session, "scope_regions", (current_user.role, current_user.region_id), read)


def _categories() -> tuple[tuple, ...]:
    """(id, name, active) of every issue category, in list order; kept while nothing is written."""

    def read():
        columns = select(IssueCategory.id, IssueCategory.name, IssueCategory.active)
        return tuple(map(tuple, db.session.execute(columns.order_by(IssueCategory.position, IssueCategory.name))))

    return kept(db.session, "categories", "all", read)


def _form() -> SearchForm:
    """The filter form bound to the query string, offering the regions in the user's scope and the categories."""
    return SearchForm(request.args).set_choices(_scope_regions(), _categories())


def _filter(form: SearchForm):
    """What a validated form asks for, with its region loaded."""
    region_id = form.chosen_region_id()
    return form.item_filter(db.session.get(Region, region_id) if region_id is not None else None)


def _page(form: SearchForm, page=None, status: int = 200):
    """The search page, or only its results for htmx."""
    template = "reports/_search_results.html" if htmx.wants_fragment() else "reports/search.html"
    excerpts, links = {}, {}
    if page is not None:
        terms = search_terms(form.q.data or "")
        excerpts = {item.id: excerpt(item, terms) for item in page.items}
        links = _item_links(page.items)
    return render_template(template, form=form, page=page, excerpts=excerpts, links=links), status


def _item_links(items) -> dict[int, str]:
    """Each row's link to its item in the report page. url_for is asked once, not per row: 50 times cost a
    quarter of the rows' rendering. (A test checks every link against url_for.)"""
    reports = url_for("reports.detail", report_id=0).removesuffix("0")
    return {item.id: f"{reports}{item.report_id}#item-{item.id}" for item in items}


@bp.get("/")
@permission_required("reports.view")
def index():
    """Matching items, 50 a page, newest first; htmx swaps only the results; invalid filters → 422."""
    form = _form()
    if not form.validate():
        return _page(form, status=422)
    per_page = current_app.config["PER_PAGE"]
    return _page(form, search_page(db.session, current_user, _filter(form), page_arg(), per_page))


def _export(extension: str, chunks, mimetype: str):
    """Stream the matching items; 422 with the reason when the filters are invalid or the selection too large."""
    form = _form()
    if not form.validate():
        return _page(form, status=422)
    wanted = _filter(form)
    if export.too_many(db.session, current_user, wanted):
        form.form_errors.append(
            f"Hasil terlalu banyak untuk diekspor (lebih dari {export.EXPORT_LIMIT:_} baris). "
            "Persempit rentang tanggal atau wilayah.".replace("_", ".")
        )
        return _page(form, status=422)
    rows = export.fetch_rows(export.export_statement(db.session, current_user, wanted))
    response = Response(stream_with_context(chunks(rows)), mimetype=mimetype)
    name = export.filename(current_user, wanted, extension)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/ekspor.csv")
@permission_required("reports.view")
def export_csv():
    """The matching items as CSV (UTF-8 with BOM, comma-separated)."""
    return _export("csv", export.csv_chunks, export.CSV_MIMETYPE)


@bp.get("/ekspor.xlsx")
@permission_required("reports.view")
def export_xlsx():
    """The matching items as an Excel workbook."""
    return _export("xlsx", export.xlsx_chunks, export.XLSX_MIMETYPE)
