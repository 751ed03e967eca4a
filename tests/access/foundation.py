"""Access rows of the foundation: log-in, account, users, regions, audit log, home."""

from . import everyone, only

ROWS = {
    ("auth.login", "GET"): everyone(302, anon=200),
    ("auth.login", "POST"): everyone(302, anon=422),
    ("auth.logout", "POST"): everyone(302),
    ("auth.change_password", "GET"): everyone(200),
    ("auth.change_password", "POST"): everyone(422),
    ("auth.users", "GET"): only({"admin": 200}),
    ("auth.user_create", "GET"): only({"admin": 200}),
    ("auth.user_create", "POST"): only({"admin": 422}),
    ("auth.user_edit", "GET"): only({"admin": 200}),
    ("auth.user_edit", "POST"): only({"admin": 422}),
    ("auth.user_set_active", "POST"): only({"admin": 302}),
    ("auth.user_reset_password", "POST"): only({"admin": 200}),
    ("dashboard.index", "GET"): everyone(200),
    ("dashboard.settings", "GET"): only({"admin": 200, "analis": 200}),
    ("dashboard.profile", "GET"): everyone(200),  # Kab. Balangan (region_id from the scoring rows)
    ("regions.index", "GET"): only({"admin": 200, "analis": 200}),
    ("regions.detail", "GET"): only({"admin": 200, "analis": 200}),
    ("auditlog.index", "GET"): only({"admin": 200}),
}


def setup(_app, users):
    """A Kalsel regency, and a spare account to act on."""
    return {"code": "63.11", "user_id": users["operator.tala"]}
