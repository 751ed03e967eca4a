"""Default settings; instance/config.py and WASPADA_* environment variables override them."""

import contextlib
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

# "production" unless told otherwise: a forgotten setting must fail safe.
MODE = "production"

SECRET_KEY: str | None = None
SECRET_KEY_FILE = "secret_key"

# None means instance/waspada.sqlite; WASPADA_DATABASE_URL switches to PostgreSQL.
DATABASE_URL: str | None = None
SQLITE_BUSY_TIMEOUT_MS = 10_000
# FULL: a submitted report must survive a power cut (quality.md R1).
SQLITE_SYNCHRONOUS = "FULL"

SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

SESSION_COOKIE_NAME = "waspada_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# None: Secure in production. Set False only for a plain-http office intranet.
SESSION_COOKIE_SECURE: bool | None = None
PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

# A form left open all morning must still save: the token lives as long as the session.
WTF_CSRF_TIME_LIMIT = None
WTF_CSRF_SSL_STRICT = True

LOGIN_MAX_FAILURES = 10
LOGIN_LOCK_MINUTES = 15
# Per address, on top of the per-account lockout: log-in and password-change POSTs (each counted apart).
LOGIN_RATE_LIMIT = "30 per 5 minutes"
# Flask-Limiter reads the RATELIMIT_* settings itself. memory:// counts in each worker process (three
# workers let an address try up to three times the limit); redis://127.0.0.1:6379/0 shares one count
# between every worker and every app host.
RATELIMIT_ENABLED = True
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_STRATEGY = "moving-window"
RATELIMIT_KEY_PREFIX = "waspada"
RATELIMIT_HEADERS_ENABLED = True
# Redis unreachable: count in each worker's memory rather than refuse every log-in (the lockout still holds).
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
# werkzeug's scrypt with its default cost; tests may lower it for speed.
PASSWORD_HASH_METHOD = "scrypt"

MAX_CONTENT_LENGTH = 12 * 1024 * 1024
# Scans of signed attendance lists.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
PER_PAGE = 50
# The situasi umum scale of a daily report, level 1 first.
SITUATION_LEVELS = ("Kondusif", "Waspada", "Siaga", "Awas")
# Used when a user has no region (admins): the national default zone.
DEFAULT_TIMEZONE = "Asia/Jakarta"

# Where users reach Waspada: the links in e-mails and in notifications made by cron commands.
BASE_URL = "http://127.0.0.1:5000"
# E-mail copies of notifications: off until MAIL_HOST is set (WASPADA_MAIL_HOST=smtp.kantor.go.id …).
MAIL_HOST: str | None = None
MAIL_PORT = 25
MAIL_USERNAME: str | None = None
MAIL_PASSWORD: str | None = None
MAIL_STARTTLS = False
MAIL_SSL = False
MAIL_TIMEOUT = 10
MAIL_SENDER = "Waspada <waspada@localhost>"

WEAK_KEYS = frozenset({"dev", "secret", "changeme", "change-me", "development", "waspada", "test"})
MIN_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app must not start."""


def finalize(config: dict, instance_path: str) -> None:
    """Derive settings that depend on others and enforce the production rules."""
    if config["MODE"] not in {"production", "development", "testing"}:
        raise ConfigError(f"WASPADA_MODE tidak dikenal: {config['MODE']!r}")
    production = config["MODE"] == "production"
    config["TESTING"] = config["MODE"] == "testing"
    config.setdefault("TEMPLATES_AUTO_RELOAD", config["MODE"] == "development")
    url = config.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'waspada.sqlite'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    config["SQLALCHEMY_DATABASE_URI"] = url
    if config.get("SESSION_COOKIE_SECURE") is None:
        config["SESSION_COOKIE_SECURE"] = production
    configured = config.get("SECRET_KEY")
    config["SECRET_KEY"] = (
        str(configured) if configured else _read_or_create_key(Path(instance_path) / config["SECRET_KEY_FILE"])
    )
    if _is_weak(config["SECRET_KEY"]):
        if production:
            raise ConfigError(
                "SECRET_KEY tidak ada atau lemah (minimal 32 karakter acak). "
                "Hapus pengaturan itu agar kunci acak dibuat di instance/, atau isi kunci yang kuat."
            )
        if not config["SECRET_KEY"]:
            # Development on a read-only folder: sessions last until the next restart.
            config["SECRET_KEY"] = secrets.token_hex(32)


def _is_weak(key: str | None) -> bool:
    """A key is weak when missing, short, a known placeholder, or of very few distinct characters."""
    if not key:
        return True
    return len(key) < MIN_KEY_LENGTH or key.lower() in WEAK_KEYS or len(set(key)) < 10


def _read_or_create_key(path: Path) -> str | None:
    """Read the instance key, creating it once; safe when several workers start together.

    The key is written and synced to a draft of its own, then hard-linked into place: the link fails when
    another worker's key got there first, and a key file is never seen empty or half written (an empty one,
    created before its key was written, made a worker starting beside it refuse to boot).
    """
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        pass
    except OSError:
        return None  # unreadable: reported as a missing key
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, draft = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)  # mode 0600
    except OSError:
        return None  # read-only instance folder: reported as a missing key
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_hex(32))
            fh.flush()
            os.fsync(fh.fileno())  # not an empty key file after a power cut
        os.link(draft, path)
    except FileExistsError:
        pass  # another worker's key is in place, whole
    except OSError:
        return None  # no hard links in the instance folder: reported as a missing key
    finally:
        with contextlib.suppress(OSError):
            os.unlink(draft)
    return path.read_text(encoding="utf-8").strip() or None
