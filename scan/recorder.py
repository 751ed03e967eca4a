"""Which query and form parameters each request read: the scan's proof that its target table is complete.

Installed only by scan/wsgi.py. Every request appends one JSON line (endpoint, method, status, user, the
names it read and how long the view took) to the file named by the scan; the scan then fails on a parameter
the app reads that its table does not list, and on a listed parameter the app never read.
"""

import json
import os
import time

from flask import Flask, g, request
from flask.wrappers import Request
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property


class RecordingDict(ImmutableMultiDict):
    """Query or form data that notes every name looked up in it."""

    def __init__(self, source: str, data=None):
        super().__init__(data or ())
        self.source = source

    def _note(self, key) -> None:
        """Remember that the current request read `key`."""
        try:
            g.scan_reads.add((self.source, str(key)))
        except (AttributeError, RuntimeError):
            pass  # outside a request (or before it started): nothing to attribute the read to

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key) -> bool:
        self._note(key)
        return super().__contains__(key)

    def get(self, key, default=None, type=None):  # noqa: A002  (the MultiDict signature)
        """Note the name, then look it up."""
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        """Note the name, then look it up."""
        self._note(key)
        return super().getlist(key, type)


class RecordingRequest(Request):
    """Flask's request with recording query and form data."""

    @cached_property
    def args(self):
        """The query string, recorded."""
        return RecordingDict("query", super().args)

    def _load_form_data(self) -> None:
        """Parse the body as usual, then wrap the form (werkzeug stores it in the instance dict)."""
        super()._load_form_data()
        self.__dict__["form"] = RecordingDict("form", self.__dict__["form"])


def install(app: Flask, log_path: str) -> None:
    """Record every request's reads into `log_path` (one JSON line each)."""
    app.request_class = RecordingRequest

    def _start():
        g.scan_reads = set()
        g.scan_started = time.perf_counter()

    # First of all before-request functions, so reads by the CSRF check and log-in redirects count too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)

    @app.after_request
    def _write(response):
        reads = sorted(getattr(g, "scan_reads", ()))
        line = {
            "endpoint": request.endpoint,
            "method": request.method,
            "status": response.status_code,
            "user": current_user.username if current_user.is_authenticated else None,
            "reads": reads,
            # How long the view took (not the wait for a worker): a slow answer to odd input is a finding to read.
            "ms": round((time.perf_counter() - g.scan_started) * 1000, 1) if "scan_started" in g else None,
        }
        # One short O_APPEND write per request: lines from several workers do not interleave.
        fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (json.dumps(line) + "\n").encode())
        finally:
            os.close(fd)
        return response
