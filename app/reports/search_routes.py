"""Search and filters over reports and items, and their CSV/XLSX export."""

from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/laporan/cari")
