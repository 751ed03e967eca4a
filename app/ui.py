"""Jinja filters and helpers: Indonesian dates and numbers, local times, badges, query arguments."""

from datetime import date, datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from flask import Flask, current_app, request, url_for
from flask_login import current_user
from markupsafe import Markup

from . import clock
from .access import can
from .audit import ACTION_LABELS, entity_labels
from .auth.models import ROLE_LABELS, Role
from .regions.models import ZONE_ABBREVIATIONS

# Parsed once: given as the string "id", Babel parses the locale and checks its data file on every date (a list
# page formats ~100), three times the cost of the formatting itself.
LOCALE = Locale.parse("id")
# The main navigation: label, endpoint, permission. Items a role may not use are not shown.
NAV = (
    ("Beranda", "dashboard.index", "home.view"),
    ("Laporan hari ini", "reports.today", "reports.file"),
    ("Laporan harian", "reports.index", "reports.view"),
    ("Kepatuhan", "board.index", "reports.board"),
    ("Rekap", "recap.index", "reports.recap"),
    ("LAPSUS", "lapsus.index", "lapsus.view"),
    ("Rapat", "meetings.index", "meetings.view"),
    ("Kuesioner", "surveys.index", "surveys.view"),
    ("Peringkat", "scoring.index", "scores.view"),
    ("Cari", "search.index", "reports.view"),
    ("Pengaturan", "dashboard.settings", "settings.view"),
)
# Pages reached through "Pengaturan", with the permission each needs.
SETTINGS_PAGES = (
    ("Pengguna", "Akun, peran dan wilayah; atur ulang kata sandi.", "auth.users", "users.manage"),
    ("Wilayah", "Provinsi, kabupaten/kota dan kecamatan dengan kode Kemendagri.", "regions.index", "regions.view"),
    (
        "Batas waktu dan kop surat",
        "Batas waktu laporan harian dan kop surat provinsi.",
        "board.settings",
        "reports.settings",
    ),
    (
        "Definisi indeks",
        "Arah, kategori, minimal responden, bobot; hasil indeks terbitan (IKN, IKP).",
        "scoring.definitions",
        "scores.publish",
    ),
    ("Kategori isu", "Kategori kejadian yang dipilih operator.", "categories.index", "categories.manage"),
    ("Log audit", "Setiap perubahan data dan peristiwa masuk/keluar.", "auditlog.index", "audit.view"),
)
MAX_PAGE = 100_000


def page_arg(name: str = "page") -> int:
    """The page number from the query string; anything odd (abc, -1, 10**20) means page 1."""
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_PAGE else 1


@lru_cache(maxsize=8192)
def _formatted_date(day: date, pattern: str) -> str:
    """A day in Indonesian after a CLDR pattern. Cached: a list page formats ~100 dates, mostly the same few,
    and Babel's formatting (40 µs a date) was a tenth of a search page's rendering."""
    return format_date(day, pattern, locale=LOCALE)


def _date_in(value: date | datetime | None, pattern: str) -> str:
    """`value` (a date, or a datetime whose date part is shown) formatted, '' for None."""
    if not value:
        return ""
    return _formatted_date(value.date() if isinstance(value, datetime) else value, pattern)


def format_long_date(value: date | datetime | None) -> str:
    """'Selasa, 3 September 2024'."""
    return _date_in(value, "EEEE, d MMMM y")


def format_letter_date(value: date | datetime | None) -> str:
    """'3 September 2024' (as dated on official letters)."""
    return _date_in(value, "d MMMM y")


def format_short_date(value: date | datetime | None) -> str:
    """'3 Sep 2024'."""
    return _date_in(value, "d MMM y")


def user_zone() -> str:
    """The zone the current user works in: their region's, else the national default."""
    zone = getattr(current_user, "timezone", None) if current_user else None
    return zone or current_app.config["DEFAULT_TIMEZONE"]


def local_time(value: datetime | None, timezone: str | None = None, with_date: bool = True) -> str:
    """A UTC moment in a region's zone: '3 Sep 2024 14.05 WITA'."""
    if value is None:
        return ""
    zone = timezone or user_zone()
    local = value.astimezone(ZoneInfo(zone))
    label = ZONE_ABBREVIATIONS.get(zone, zone)
    clock_part = f"{local:%H.%M} {label}"
    return f"{format_short_date(local)} {clock_part}" if with_date else clock_part


def format_number(value, digits: int = 0) -> str:
    """'1.234' or '77,44' (Indonesian separators)."""
    if value is None:
        return "–"
    if value == 0:  # 0 and -0.0 are one cache key, but Babel writes "-0" for the second
        return _babel_number(value, digits)
    return _formatted_number(value, digits)


def _babel_number(value, digits: int) -> str:
    """Babel's formatting with `digits` decimals."""
    return format_decimal(value, format="#,##0" + ("." + "0" * digits if digits else ""), locale=LOCALE)


# Cached: a ranking writes ~400 numbers (20 µs each in Babel), the same ones until scores change. Equal
# values of other types (1, 1.0, Decimal("1.00")) share a key and are written alike.
_formatted_number = lru_cache(maxsize=4096)(_babel_number)


def role_label(role: Role | str) -> str:
    """Indonesian name of a role."""
    return ROLE_LABELS.get(Role(role), str(role))


def nav_items(user) -> list[tuple[str, str, bool]]:
    """The menu for `user`: (label, url, is current). The exact page wins; else the first item of its section."""
    allowed = [(label, endpoint) for label, endpoint, permission in NAV if can(user, permission)]
    current = request.endpoint or ""
    exact = any(endpoint == current for _, endpoint in allowed)
    section = current.split(".")[0]
    marked = False
    items = []
    for label, endpoint in allowed:
        is_current = endpoint == current if exact else (not marked and endpoint.split(".")[0] == section)
        marked = marked or is_current
        items.append((label, url_for(endpoint), is_current))
    return items


# Badges asked for on every row of a list, written in Python, kept per value and used as filters (a filter is
# called directly; a macro or global goes through the context): per row they cost 2 % of a search page as
# macros. Every colour is paired with its text (never colour alone).
@cache
def threat_badge(level) -> Markup:
    """The ThreatLevel's badge, "Rawan sedang" and the like, coloured by its level."""
    return Markup('<span class="badge threat-{}">Rawan {}</span>').format(level.value, level.label.lower())


@cache
def classification_badge(classification) -> Markup:
    """The Classification's label ("Terbatas", "Rahasia"); nothing for an ordinary (biasa) one."""
    if classification.value == "biasa":
        return Markup("")
    return Markup('<span class="badge class-{}">{}</span>').format(classification.value, classification.label)


def init_app(app: Flask) -> None:
    """Register the filters and template globals."""
    app.add_template_filter(format_long_date, "tanggal")
    app.add_template_filter(format_short_date, "tanggal_pendek")
    app.add_template_filter(format_letter_date, "tanggal_surat")
    app.add_template_filter(local_time, "waktu")
    app.add_template_filter(format_number, "angka")
    app.add_template_filter(role_label, "peran")
    app.add_template_filter(threat_badge, "rawan")
    app.add_template_filter(classification_badge, "klasifikasi")
    app.add_template_global(can, "can")
    app.add_template_filter(lambda action: ACTION_LABELS.get(action, action), "aksi")
    app.add_template_filter(lambda entity: entity_labels().get(entity, entity or ""), "entitas")
    app.add_template_global(nav_items, "nav_items")
    app.add_template_global(lambda: clock.utcnow(), "now_utc")
