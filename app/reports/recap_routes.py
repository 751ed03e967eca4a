"""Rekap harian provinsi: all regencies' reports of a day, by aspek and kerawanan; print and WhatsApp text."""

from flask import Blueprint, make_response, render_template, request
from flask_login import current_user

from .. import clock, htmx
from ..access import permission_required
from ..extensions import db
from ..maps.routes import map_block
from ..regions.models import government_line
from ..regions.services import office_for
from ..ui import format_long_date, local_time
from . import services
from .recap import digest_text, level_summary
from .recap_services import load_recap
from .views import chosen_province, date_arg

bp = Blueprint("recap", __name__, url_prefix="/laporan/rekap")


def _recap_context() -> tuple[dict, int]:
    """The recap of the chosen day and province, with its digest; 422 when the day lies in the future."""
    province = chosen_province()
    today = clock.local_today(province.timezone)
    asked = date_arg("tanggal")
    problem = None
    if request.args.get("tanggal") and asked is None:
        problem = "Tanggal tidak sah; ditampilkan rekap hari ini."
    elif asked and asked > today:
        problem = "Rekap untuk tanggal yang belum tiba tidak tersedia; ditampilkan rekap hari ini."
    day = asked if asked and asked <= today else today
    recap = load_recap(db.session, current_user, province, day)
    levels = services.situation_levels()
    printed = local_time(clock.utcnow(), province.timezone)
    digest = digest_text(recap, levels, format_long_date(day), printed)
    context = {
        "province": province,
        "recap": recap,
        "day": day,
        "levels": levels,
        "level_summary": level_summary(recap, levels),
        "digest": digest,
        "problem": problem,
        "office": office_for(db.session, province),
        "government_line": government_line(province),
        "printed": printed,
    }
    return context, 422 if problem else 200


@bp.get("/")
@permission_required("reports.recap")
def index():
    """The recap on screen, with the digest to copy; htmx swaps only the body when the day changes."""
    context, status = _recap_context()
    template = "reports/_recap_body.html" if htmx.wants_fragment() else "reports/recap.html"
    return render_template(template, **context), status


@bp.get("/cetak")
@permission_required("reports.recap")
def print_view():
    """The recap as an A4 letter: kop surat, number, date, the merged items and the signature block."""
    context, status = _recap_context()
    nomor = request.args.get("nomor", "").strip()[:80]
    block = map_block(context["province"], "situasi", day=context["day"])
    return render_template("reports/recap_print.html", nomor=nomor, block=block, **context), status


@bp.get("/teks")
@permission_required("reports.recap")
def text():
    """The WhatsApp digest as plain text."""
    context, status = _recap_context()
    response = make_response(context["digest"] + "\n", status)
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    return response
