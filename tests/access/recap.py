"""Access rows of the daily recap (province analysts, pimpinan and administrators)."""

from . import only

READERS = {"admin": 200, "analis": 200, "pimpinan": 200}

ROWS = {
    ("recap.index", "GET"): only(READERS),
    ("recap.print_view", "GET"): only(READERS),
    ("recap.text", "GET"): only(READERS),
}
