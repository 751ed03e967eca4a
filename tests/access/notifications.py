"""Access rows of notifications: every logged-in user has their own."""

from . import everyone

ROWS = {
    ("notifications.index", "GET"): everyone(200),
    ("notifications.count", "GET"): everyone(200),
    ("notifications.read", "POST"): everyone(302),
    ("notifications.read_all", "POST"): everyone(302),
    ("notifications.email_preference", "POST"): everyone(302),
}


def setup(_app, _users):
    """A notification id (one that nobody owns: marking it read changes nothing)."""
    return {"notification_id": 999_999}
