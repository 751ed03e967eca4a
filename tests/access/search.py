"""Access rows of search and export: every logged-in role, within its own scope."""

from . import everyone

ROWS = {
    ("search.index", "GET"): everyone(200),
    ("search.export_csv", "GET"): everyone(200),
    ("search.export_xlsx", "GET"): everyone(200),
}
