"""Per-address limit on log-in and password-change attempts (S5), on top of the per-account lockout.

The lockout protects one account; this stops one address from trying many accounts. Counts live in
RATELIMIT_STORAGE_URI: `memory://` counts in each worker process, `redis://…` shares one count
between every worker and every app host.
"""

import logging
import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from limits import RateLimitItemPerSecond

from . import audit
from .audit import Actor
from .errors import render_error
from .extensions import db
from .security import client_ip

log = logging.getLogger("waspada.security")

EXTENSION_KEY = "waspada.limiter"
# The POSTs that check a password.
LIMITED_ENDPOINTS = ("auth.login", "auth.change_password")


def _client_key() -> str:
    """The client's address (the real one behind nginx when PROXY_FIX is on)."""
    return client_ip() or "-"


def _login_limit() -> str:
    """The configured limit, read per request so tests and instances may change it."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def init_app(app: Flask) -> None:
    """A limiter of this app's own (its storage is per app), wrapped around the password-checking views."""
    limiter = Limiter(key_func=_client_key, on_breach=_refused)
    limiter.init_app(app)
    app.extensions[EXTENSION_KEY] = limiter
    if not limiter.enabled:
        return
    limit = limiter.limit(_login_limit, methods=["POST"])
    for endpoint in LIMITED_ENDPOINTS:
        app.view_functions[endpoint] = limit(app.view_functions[endpoint])
    app.register_error_handler(RateLimitExceeded, _too_many)


def _refused(limit: RequestLimit) -> None:
    """Log every refusal; audit the first one per address and window (a flood must not flood the log)."""
    ip = client_ip()
    log.warning("Rate limit: %s %s from %s refused (%s)", request.method, request.path, ip, limit.limit)
    once = RateLimitItemPerSecond(1, limit.limit.get_expiry())
    if not limit.limiter.hit(once, "audit", *limit.request_args):
        return
    if current_user.is_authenticated:
        actor = Actor(user_id=current_user.id, username=current_user.username, ip=ip)
        entity_id, region_id = current_user.id, current_user.region_id
    else:
        name = (request.form.get("username") or "").strip().lower()[:40] or "?"
        actor, entity_id, region_id = Actor(user_id=None, username=name, ip=ip), None, None
    audit.record(
        db.session,
        "rate_limited",
        entity="users",
        entity_id=entity_id,
        region_id=region_id,
        actor=actor,
        changes={"batas": str(limit.limit), "halaman": request.endpoint},
    )
    db.session.commit()


def _too_many(_err: RateLimitExceeded):
    """429 in Indonesian, saying how long to wait."""
    current = current_app.extensions[EXTENSION_KEY].current_limit
    wait = max(1, math.ceil((current.reset_at - time.time()) / 60)) if current else 5
    return render_error(
        429,
        f"Terlalu banyak percobaan dari alamat ini. Tunggu sekitar {wait} menit, lalu coba lagi. "
        "Bila Anda lupa kata sandi, hubungi administrator.",
    )
