"""Access rows of the issue-category list (administrators only)."""

from . import only

ROWS = {
    ("categories.index", "GET"): only({"admin": 200}),
    ("categories.create", "POST"): only({"admin": 422}),
    ("categories.update", "POST"): only({"admin": 422}),
}


def setup(_app, _users):
    """The first seeded category."""
    return {"category_id": 1}
