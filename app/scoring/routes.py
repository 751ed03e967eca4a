"""Peringkat: rankings of a province's regencies, the methodology, regency score cards, index definitions."""

from datetime import timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from .. import clock, htmx
from ..access import can, permission_required, scope_classified
from ..auth.models import Role
from ..extensions import db
from ..forms import options
from ..maps.routes import map_block
from ..regions.models import Region, RegionKind
from ..regions.services import province_of, regencies_of
from ..reports.models import DailyReport, ReportItem, ThreatLevel
from ..reports.views import chosen_province, province_choices
from ..surveys.models import Direction, Survey
from . import charts, services
from .export import ranking_csv, ranking_xlsx
from .forms import (
    DefinitionForm,
    PublishedImportForm,
    PublishedScoreForm,
    RankingFilter,
    format_bands,
    parse_bands,
)
from .models import IndexDefinition, IndexSource, PublishedScore
from .scoring import phrase

bp = Blueprint("scoring", __name__, url_prefix="/peringkat")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_DAYS = 30
RECENT_ITEMS = 10


def _definitions() -> list[IndexDefinition]:
    """Every index edition in the order of the index choice."""
    return services.ordered_definitions(db.session)


def _edition_key(edition: str) -> int:
    """'2024' → 2024; editions that are not years sort last."""
    return int(edition) if edition.isdigit() else 0


def _filter() -> tuple[RankingFilter, list[IndexDefinition], str | None]:
    """The filter with its choices; invalid values fall back to the defaults with a message."""
    form = RankingFilter(request.args)
    definitions = _definitions()
    form.indeks.choices = options([(d.id, f"{d.name} {d.edition}") for d in definitions])
    form.provinsi.choices = options([(p.code, p.name) for p in province_choices()])
    problem = None
    form.validate()
    wrong = [name for name in form.errors if name in request.args]  # absent fields take their defaults
    for name in form.errors:
        form[name].data = form[name].default
    if wrong:
        problem = "Pilihan tidak sah diabaikan: " + " ".join(f"{form[name].label.text}." for name in wrong)
    return form, definitions, problem


def _ranking_context(default_order: str = "peringkat") -> tuple[dict, int]:
    """The ranking the filter asks for, its chart and the sentences around it."""
    form, definitions, problem = _filter()
    if not definitions:
        return {"form": form, "ranking": None, "problem": problem}, 200
    definition = next((d for d in definitions if d.id == form.indeks.data), definitions[0])
    form.indeks.data = definition.id
    province = chosen_province()
    form.provinsi.data = province.code
    composite = form.dasar.data == "gabungan" and definition.source == IndexSource.QUESTIONNAIRE
    ranking = services.build_ranking(
        db.session, definition, province, clock.local_today(province.timezone), use_composite=composite
    )
    order = form.urut.data if request.args.get("urut") else default_order
    by_rank = ranking.sorted_rows("peringkat")
    chart = charts.bar_chart(
        [(row.region.name, row.value, _severity(ranking, row)) for row in by_rank], ranking.average
    )
    own = next((row for row in ranking.rows if row.region.id == current_user.region_id), None)
    context = {
        "form": form,
        "ranking": ranking,
        "rows": ranking.sorted_rows(order),
        "order": order,
        "chart": chart,
        "own": own,
        "phrase": lambda row: phrase(row.rank, ranking.total, row.band),
        "severity": lambda row: _severity(ranking, row),
        "query": _query(form),
        "problem": problem,
        "block": map_block(province, "peringkat", ranking=ranking) if can(current_user, "maps.view") else None,
    }
    return context, 422 if problem else 200


def _severity(ranking: services.Ranking, row: services.RankRow) -> int | None:
    """0 calm … 2 severe, for the badge and bar colour."""
    return charts.severity(row.band, ranking.bands, ranking.higher_is_worse)


def _query(form: RankingFilter) -> dict:
    """The filter as URL arguments (for sort links, exports, print)."""
    query = {"indeks": form.indeks.data, "dasar": form.dasar.data}
    if current_user.role == Role.ADMIN:
        query["provinsi"] = form.provinsi.data
    return query


@bp.get("/")
@permission_required("scores.view")
def index():
    """The ranking table and chart; htmx swaps only the body when the filter or the order changes."""
    context, status = _ranking_context()
    template = "scoring/_ranking_body.html" if htmx.wants_fragment() else "scoring/index.html"
    return render_template(template, **context), status


@bp.get("/cetak")
@permission_required("scores.view")
def print_view():
    """The ranking on A4: sentence, chart, table and a short methodology."""
    context, status = _ranking_context()
    return render_template("scoring/print.html", printed=clock.utcnow(), **context), status


@bp.get("/ekspor.<ext>")
@permission_required("scores.view")
def export(ext: str):
    """The table as CSV or XLSX, in the order on screen."""
    if ext not in ("csv", "xlsx"):
        abort(404)
    context, _ = _ranking_context()
    ranking = context["ranking"]
    if ranking is None:
        abort(404)
    name = f"peringkat-{ranking.province.code}-{ranking.definition.id}-{ranking.definition.edition}.{ext}"
    if ext == "csv":
        response = Response(ranking_csv(ranking, context["rows"]), mimetype="text/csv; charset=utf-8")
    else:
        response = Response(ranking_xlsx(ranking, context["rows"]), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/metodologi/<int:definition_id>")
@permission_required("scores.view")
def methodology(definition_id: int):
    """How the numbers of this index edition are made, written from its configuration."""
    definition = db.get_or_404(IndexDefinition, definition_id)
    surveys = list(
        db.session.scalars(
            select(Survey)
            .where(Survey.index_name == definition.name, Survey.edition == definition.edition)
            .order_by(Survey.template_version, Survey.id)
        )
    )
    return render_template(
        "scoring/methodology.html",
        definition=definition,
        surveys=surveys,
        bands_regency=services.bands_of(definition),
        bands_province=services.bands_of(definition, province_level=True),
        higher_is_worse=definition.direction == Direction.HIGHER_WORSE,
    )


def _card_region(region_id: int) -> Region:
    """A kabupaten/kota of the user's province (admins: any); 404 otherwise."""
    region = db.get_or_404(Region, region_id)
    if region.kind not in (RegionKind.KABUPATEN, RegionKind.KOTA):
        abort(404)
    if current_user.role != Role.ADMIN and (
        current_user.region is None or province_of(current_user.region).id != province_of(region).id
    ):
        abort(404)
    return region


@bp.get("/wilayah/<int:region_id>")
@permission_required("scores.view")
def card(region_id: int):
    """A regency's score card: each index over its editions, the latest dimension scores and ranks,
    and its recent high-kerawanan items (as far as the user may see them)."""
    region = _card_region(region_id)
    province = province_of(region)
    today = clock.local_today(province.timezone)
    histories = []
    by_name: dict[str, list[IndexDefinition]] = {}
    for definition in _definitions():
        by_name.setdefault(definition.name, []).append(definition)
    for name, editions in by_name.items():
        entries = []
        for definition in sorted(editions, key=lambda d: _edition_key(d.edition)):
            ranking = services.build_ranking(db.session, definition, province, today, with_previous=False)
            row = next(r for r in ranking.rows if r.region.id == region.id)
            if row.score.mean is not None:
                entries.append((definition, ranking, row))
        if entries:
            series = [(d.edition, r.value) for d, _, r in entries if r.value is not None]
            histories.append((name, entries, charts.line_chart(series) if series else None))
    recent = scope_classified(
        select(ReportItem, DailyReport)
        .join(DailyReport, ReportItem.report_id == DailyReport.id)
        .where(
            DailyReport.region_id == region.id,
            ReportItem.threat_level == ThreatLevel.TINGGI,
            DailyReport.report_date >= today - timedelta(days=RECENT_DAYS - 1),
            DailyReport.status.in_(services.SUBMITTED),
        ),
        current_user,
        DailyReport.region_id,
        DailyReport.classification,
    ).order_by(DailyReport.report_date.desc(), ReportItem.id.desc())
    items = db.session.execute(recent.limit(RECENT_ITEMS)).all()
    return render_template(
        "scoring/card.html",
        region=region,
        province=province,
        histories=histories,
        items=items,
        recent_days=RECENT_DAYS,
        phrase=phrase,
    )


# ---------------------------------------------------------------- index definitions (administrators)


@bp.get("/indeks")
@permission_required("scores.view")
def definitions():
    """Every index edition with its source, direction and bands."""
    return render_template("scoring/definitions.html", definitions=_definitions(), bands_of=services.bands_of)


def _definition_form(definition: IndexDefinition | None) -> DefinitionForm:
    """The form, filled from the stored definition on GET."""
    if request.method == "POST" or definition is None:
        return DefinitionForm()
    weights = definition.threat_weights or {}
    return DefinitionForm(
        formdata=None,
        obj=definition,
        source=definition.source.value,
        direction=definition.direction.value,
        bands_regency=format_bands(definition.bands_regency),
        bands_province=format_bands(definition.bands_province),
        weight_rendah=weights.get("rendah", 1),
        weight_sedang=weights.get("sedang", 3),
        weight_tinggi=weights.get("tinggi", 9),
    )


def _apply(definition: IndexDefinition, form: DefinitionForm) -> None:
    """Copy the validated form into the definition."""
    definition.name = form.name.data.strip()
    definition.edition = form.edition.data.strip()
    definition.source = IndexSource(form.source.data)
    definition.direction = Direction(form.direction.data)
    definition.reference = (form.reference.data or "").strip() or None
    definition.min_respondents = form.min_respondents.data
    definition.bands_regency = parse_bands(form.bands_regency.data)
    definition.bands_province = parse_bands(form.bands_province.data)
    definition.questionnaire_weight = form.questionnaire_weight.data
    definition.incident_weight = form.incident_weight.data
    definition.incident_days = form.incident_days.data
    definition.threat_weights = {
        "rendah": form.weight_rendah.data,
        "sedang": form.weight_sedang.data,
        "tinggi": form.weight_tinggi.data,
    }


def _duplicate(form: DefinitionForm, definition: IndexDefinition | None) -> bool:
    """Another definition already has this name and edition (the form says so)."""
    stmt = select(IndexDefinition.id).where(
        IndexDefinition.name == form.name.data.strip(), IndexDefinition.edition == form.edition.data.strip()
    )
    if definition is not None:
        stmt = stmt.where(IndexDefinition.id != definition.id)
    if db.session.scalar(stmt) is not None:
        form.edition.errors.append("Indeks dengan nama dan edisi ini sudah ada.")
        return True
    return False


@bp.route("/indeks/baru", methods=["GET", "POST"])
@permission_required("scores.define")
def definition_new():
    """Add an index edition (e.g. next year's edition of an index, with its own cut-offs)."""
    form = _definition_form(None)
    if request.method == "POST":
        if form.validate_on_submit() and not _duplicate(form, None):
            definition = IndexDefinition()
            _apply(definition, form)
            db.session.add(definition)
            db.session.commit()
            flash("Definisi indeks ditambahkan.", "success")
            return redirect(url_for("scoring.definitions"))
        return render_template("scoring/definition_form.html", form=form, definition=None), 422
    return render_template("scoring/definition_form.html", form=form, definition=None)


@bp.route("/indeks/<int:definition_id>", methods=["GET", "POST"])
@permission_required("scores.define")
def definition_edit(definition_id: int):
    """Change how an index edition is read; a stale form (someone saved in between) gets 409."""
    definition = db.get_or_404(IndexDefinition, definition_id)
    form = _definition_form(definition)
    if request.method == "GET":
        form.version.data = definition.version
        return render_template("scoring/definition_form.html", form=form, definition=definition)
    if not form.validate_on_submit() or _duplicate(form, definition):
        return render_template("scoring/definition_form.html", form=form, definition=definition), 422
    if str(definition.version) != (form.version.data or ""):
        form.version.data = definition.version
        flash("Definisi ini baru saja diubah orang lain. Periksa isinya lalu simpan lagi.", "warning")
        return render_template("scoring/definition_form.html", form=form, definition=definition), 409
    _apply(definition, form)
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        abort(409)
    flash("Definisi indeks tersimpan.", "success")
    return redirect(url_for("scoring.definitions"))


# ---------------------------------------------------------------- published results (admin, provinsi)


def _published_definition(definition_id: int) -> IndexDefinition:
    """A definition whose numbers are published results."""
    definition = db.get_or_404(IndexDefinition, definition_id)
    if definition.source != IndexSource.PUBLISHED:
        abort(404)
    return definition


def _allowed_regions() -> list[Region]:
    """Regions whose published results the user may record: their province and its regencies (admin: all)."""
    provinces = province_choices()
    regions = []
    for province in provinces:
        regions.append(province)
        regions.extend(regencies_of(db.session, province))
    return regions


def _published_page(definition: IndexDefinition, form=None, upload=None, errors=(), status: int = 200):
    """The list of recorded results with the entry form and the upload form."""
    allowed = _allowed_regions()
    ids = [r.id for r in allowed]
    entries = db.session.scalars(
        select(PublishedScore)
        .join(Region, PublishedScore.region_id == Region.id)
        .where(PublishedScore.definition_id == definition.id, PublishedScore.region_id.in_(ids))
        .order_by(Region.code)
    ).all()
    if form is None:
        form = PublishedScoreForm(formdata=None)
    form.region_id.choices = options([(r.id, f"{r.code} {r.name}") for r in allowed])
    return render_template(
        "scoring/published.html",
        definition=definition,
        entries=entries,
        form=form,
        upload=upload or PublishedImportForm(formdata=None),
        errors=errors,
    ), status


@bp.get("/indeks/<int:definition_id>/skor")
@permission_required("scores.publish")
def published(definition_id: int):
    """Recorded published results of an index edition."""
    return _published_page(_published_definition(definition_id))


@bp.post("/indeks/<int:definition_id>/skor")
@permission_required("scores.publish")
def published_save(definition_id: int):
    """Record (or correct) one region's published result."""
    definition = _published_definition(definition_id)
    form = PublishedScoreForm()
    form.region_id.choices = options([(r.id, r.name) for r in _allowed_regions()])
    if not form.validate_on_submit():
        return _published_page(definition, form=form, status=422)
    entry = db.session.scalar(
        select(PublishedScore).where(
            PublishedScore.definition_id == definition.id, PublishedScore.region_id == form.region_id.data
        )
    )
    if entry is None:
        entry = PublishedScore(definition_id=definition.id, region_id=form.region_id.data)
        db.session.add(entry)
    entry.score = form.score.data
    entry.category = (form.category.data or "").strip() or None
    entry.source = (form.source.data or "").strip() or None
    db.session.commit()
    flash("Skor tersimpan.", "success")
    return redirect(url_for("scoring.published", definition_id=definition.id))


@bp.post("/indeks/<int:definition_id>/skor/unggah")
@permission_required("scores.publish")
def published_upload(definition_id: int):
    """Record many results from CSV/XLSX; good rows are kept, bad ones listed with their line."""
    definition = _published_definition(definition_id)
    upload = PublishedImportForm()
    if not upload.validate_on_submit():
        return _published_page(definition, upload=upload, status=422)
    data = upload.file.data.read(1_000_001)
    if len(data) > 1_000_000:
        upload.file.errors.append("Berkas lebih dari 1 MB.")
        return _published_page(definition, upload=upload, status=422)
    saved, errors = services.import_published(db.session, definition, _allowed_regions(), data)
    db.session.commit()
    if saved:
        flash(f"{saved} skor tersimpan.", "success")
    if errors:
        return _published_page(definition, errors=errors, status=422 if not saved else 200)
    return redirect(url_for("scoring.published", definition_id=definition.id))


@bp.post("/indeks/<int:definition_id>/skor/<int:score_id>/hapus")
@permission_required("scores.publish")
def published_delete(definition_id: int, score_id: int):
    """Remove a recorded result (of a region the user may record)."""
    definition = _published_definition(definition_id)
    entry = db.get_or_404(PublishedScore, score_id)
    if entry.definition_id != definition.id or entry.region_id not in {r.id for r in _allowed_regions()}:
        abort(404)
    db.session.delete(entry)
    db.session.commit()
    flash("Skor dihapus.", "success")
    return redirect(url_for("scoring.published", definition_id=definition.id))
