"""Error pages in Indonesian: a full page, or a fragment for htmx."""

import logging

from flask import Flask, make_response, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from . import htmx
from .extensions import db

log = logging.getLogger("waspada.security")

MESSAGES = {
    400: ("Permintaan tidak sah", "Permintaan ini tidak dapat diproses. Muat ulang halaman lalu coba lagi."),
    403: ("Tidak diizinkan", "Peran Anda tidak memiliki akses ke halaman atau tindakan ini."),
    404: ("Tidak ditemukan", "Halaman atau data yang dicari tidak ada, atau bukan wilayah Anda."),
    405: ("Metode tidak diizinkan", "Alamat ini tidak menerima cara permintaan tersebut."),
    409: ("Data sudah berubah", "Data ini baru saja diubah oleh orang lain. Muat ulang untuk melihat versi terbaru."),
    413: ("Berkas terlalu besar", "Ukuran kiriman melebihi batas yang diizinkan."),
    422: ("Isian tidak sah", "Periksa kembali isian formulir."),
    429: ("Terlalu banyak permintaan", "Tunggu sebentar lalu coba lagi."),
    500: ("Terjadi kesalahan", "Terjadi kesalahan pada server. Kejadian ini sudah dicatat; silakan coba lagi."),
}


def render_error(code: int, message: str | None = None):
    """The error page, or its fragment retargeted into the page's error box for htmx."""
    title, default = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    context = {"code": code, "title": title, "message": message or default}
    if htmx.is_htmx():
        return htmx.retarget_error(make_response(render_template("errors/_error.html", **context), code))
    return render_template("errors/error.html", **context), code


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(err):
        log.warning("CSRF refused: %s %s (%s)", request.method, request.path, err.description)
        return render_error(400, "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman, lalu kirim lagi.")

    @app.errorhandler(StaleDataError)
    def _stale(_err):
        db.session.rollback()
        return render_error(409)

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        if err.code == 403:
            who = current_user.username if current_user.is_authenticated else "anonim"
            log.warning("Access refused: %s %s %s", who, request.method, request.path)
        if err.code and err.code < 400:
            return err
        return render_error(err.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
