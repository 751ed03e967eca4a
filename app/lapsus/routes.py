"""LAPSUS pages: file an urgent report, list, read, acknowledge."""

from flask import Blueprint

bp = Blueprint("lapsus", __name__, url_prefix="/lapsus")
