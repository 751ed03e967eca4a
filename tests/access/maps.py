"""Access rows of the map page (province roles; the regency roles see the ranking without the map)."""

from . import only

ROWS = {
    ("maps.index", "GET"): only({"admin": 200, "analis": 200, "pimpinan": 200}),
}
