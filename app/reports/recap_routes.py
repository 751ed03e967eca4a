"""Rekap harian provinsi: all regencies' reports of a day, by aspek and kerawanan; print and WhatsApp text."""

from flask import Blueprint

bp = Blueprint("recap", __name__, url_prefix="/laporan/rekap")
