"""Load, crash and page-measurement scripts; `live` is shared with the tests that start gunicorn."""
