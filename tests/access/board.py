"""Access rows of the compliance board and the province settings."""

from . import only

VIEWERS = {"admin": 200, "analis": 200, "pimpinan": 200}

ROWS = {
    ("board.index", "GET"): only(VIEWERS),
    ("board.cell", "GET"): only({"admin": 302, "analis": 302, "pimpinan": 302}),
    ("board.settings", "GET"): only({"admin": 200, "analis": 200}),
    ("board.settings", "POST"): only({"admin": 422, "analis": 422}),
}
