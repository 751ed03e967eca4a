"""Search and filters over reports and items, and their CSV/XLSX export."""

from flask import Blueprint, Response, current_app, render_template, request, stream_with_context
from flask_login import current_user
from sqlalchemy import func, select

from .. import htmx
from ..access import permission_required, scope
from ..auth.models import Role
from ..extensions import db
from ..regions.models import Region, RegionKind
from ..ui import page_arg
from .export import csv_chunks, xlsx_chunks
from .models import Aspect, IssueCategory, ReportStatus, ThreatLevel
from .search import ItemFilter, export_statement, items_statement
from .search_forms import SearchForm

bp = Blueprint("search", __name__, url_prefix="/laporan/cari")
EXPORT_LIMIT = 200_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form() -> SearchForm:
    """The filter form bound to the query string, with the user's regencies and the categories."""
    regions = db.session.scalars(
        scope(
            select(Region).where(Region.kind.in_([RegionKind.KABUPATEN, RegionKind.KOTA])), current_user, Region.id
        ).order_by(Region.code)
    ).all()
    categories = db.session.scalars(select(IssueCategory).order_by(IssueCategory.position)).all()
    return SearchForm(request.args).set_choices(regions, categories)


def _filter(form: SearchForm) -> ItemFilter:
    """The service's filter from a valid form."""
    return ItemFilter(
        text=form.q.data or "",
        date_from=form.dari.data,
        date_to=form.sampai.data,
        region_id=form.wilayah.data,
        aspect=Aspect(form.aspek.data) if form.aspek.data else None,
        category_id=form.kategori.data,
        threat=ThreatLevel(form.kerawanan.data) if form.kerawanan.data else None,
        status=ReportStatus(form.status.data) if form.status.data else None,
    )


@bp.get("/")
@permission_required("reports.view")
def index():
    """Matching items, 50 a page, newest first; htmx swaps only the results."""
    form = _form()
    valid = form.validate()
    wanted = _filter(form) if valid else ItemFilter()
    page = db.paginate(
        items_statement(db.session, current_user, wanted),
        page=page_arg(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    template = "reports/_search_results.html" if htmx.wants_fragment() else "reports/search.html"
    query = request.query_string.decode("utf-8", "replace")
    return render_template(template, form=form, page=page, valid=valid, query=query), 200 if valid else 422


def _export(kind: str):
    """Stream the matching items; refuse politely when the filter is invalid or the export too large."""
    form = _form()
    if not form.validate():
        return render_template("reports/search.html", form=form, page=None, valid=False, query=""), 422
    wanted = _filter(form)
    stmt = export_statement(db.session, current_user, wanted)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    if total > EXPORT_LIMIT:
        form.form_errors.append(
            f"Hasil terlalu banyak untuk diekspor ({total:,} baris; batas {EXPORT_LIMIT:,}). "
            "Persempit rentang tanggal atau wilayah.".replace(",", ".")
        )
        return render_template("reports/search.html", form=form, page=None, valid=False, query=""), 422
    name = _filename(wanted, kind)
    chunks = csv_chunks(_stream(stmt)) if kind == "csv" else xlsx_chunks(_stream(stmt))
    mimetype = "text/csv; charset=utf-8" if kind == "csv" else XLSX_TYPE
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _stream(stmt):
    """Rows of `stmt` from a connection of the export's own, read 1,000 at a time.

    The streamed response outlives the request's session (on PostgreSQL a server-side cursor
    would vanish with it), so the generator holds its own connection until the last row.
    """
    with db.engine.connect() as connection:
        yield from connection.execution_options(stream_results=True, yield_per=1000).execute(stmt)


def _filename(wanted: ItemFilter, kind: str) -> str:
    """lapsitda-63-2024-09-01_2024-09-30.csv"""
    region = current_user.region.code if current_user.region and current_user.role != Role.ADMIN else "semua"
    span = f"{wanted.date_from or 'awal'}_{wanted.date_to or 'akhir'}"
    return f"lapsitda-{region}-{span}.{kind}"


@bp.get("/ekspor.csv")
@permission_required("reports.view")
def export_csv():
    """The matching items as CSV."""
    return _export("csv")


@bp.get("/ekspor.xlsx")
@permission_required("reports.view")
def export_xlsx():
    """The matching items as an Excel workbook."""
    return _export("xlsx")
