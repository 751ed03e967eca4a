"""The access-control table, one module per feature.

Each module defines ROWS: {(endpoint, method): {visitor: outcome}} and may define
setup(app, users) -> dict of URL arguments (report_id, item_id, …) it needs.
Outcomes: an HTTP status, or "login" (redirect to the log-in page).
"""

import importlib
import pkgutil

from flask import url_for

VISITORS = ("anon", "admin", "analis", "operator", "fasilitator", "pimpinan")
STAFF = ("analis", "operator", "fasilitator", "pimpinan")


def everyone(status, anon="login"):
    """The same outcome for every logged-in role."""
    return {"anon": anon, "admin": status, **{role: status for role in STAFF}}


def only(allowed: dict, anon="login"):
    """Given outcomes for some roles, 403 for the others."""
    return {"anon": anon, "admin": 403, **{role: 403 for role in STAFF}, **allowed}


def feature_modules():
    """Every module of this package."""
    return [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]


def table() -> dict:
    """All rows of all features; a route listed twice is an error."""
    rows = {}
    for module in feature_modules():
        for key, outcome in module.ROWS.items():
            assert key not in rows, f"{key} appears in two access tables"
            rows[key] = outcome
    return rows


def url_args(app, users) -> dict:
    """The sample data every feature's rows need (a report, an item …), created now."""
    args = {}
    for module in feature_modules():
        if hasattr(module, "setup"):
            args.update(module.setup(app, users))
    return args


def build_url(app, endpoint: str, args_by_name: dict) -> str:
    """The URL of `endpoint` with its arguments taken from the sample data."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{name: args_by_name[name] for name in rule.arguments})
