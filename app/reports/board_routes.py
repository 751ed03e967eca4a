"""Compliance board: regencies × days, with on-time and reporting rates (DHIS2's reporting rates)."""

from flask import Blueprint

bp = Blueprint("board", __name__, url_prefix="/laporan/kepatuhan")
