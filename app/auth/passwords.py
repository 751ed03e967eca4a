"""Password rules (length and a list of common passwords, no composition rules) and hashing."""

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

# Common in Indonesian offices and absent from the English-language list below.
LOCAL_COMMON = frozenset(
    {
        "bismillah",
        "indonesia",
        "merdeka",
        "sayang",
        "sayangku",
        "rahasia",
        "katasandi",
        "kesbangpol",
        "waspada",
        "kalimantan",
        "banjarmasin",
        "palangkaraya",
        "balangan",
        "garuda",
        "pancasila",
        "admin123",
        "operator",
        "password1",
        "12345678910",
        "qwerty123",
        "jakarta",
        "bandung",
    }
)
_PASSWORDS_LINE = re.compile(r'^\s*"passwords":\s*"([^"]*)"', re.MULTILINE)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """zxcvbn's 30,000 most common passwords plus our local list, read on first use.

    Importing zxcvbn builds all its dictionaries (~15 MB per worker); we read only the
    password list out of the installed package's data file.
    """
    spec = importlib.util.find_spec("zxcvbn")
    data = (Path(spec.origin).parent / "frequency_lists.py").read_text(encoding="utf-8")
    match = _PASSWORDS_LINE.search(data)
    if match is None:
        raise RuntimeError("Daftar kata sandi umum zxcvbn tidak terbaca; periksa versi paket zxcvbn.")
    return frozenset(match.group(1).split(",")) | LOCAL_COMMON


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """Hash of a fixed string: checking it makes an unknown username cost as much as a known one."""
    return generate_password_hash("dummy-password-for-timing", method=method)


def password_problem(password: str, username: str = "", full_name: str = "") -> str | None:
    """Why a new password is refused, in Indonesian, or None when it is acceptable."""
    cfg = current_app.config
    if len(password) < cfg["PASSWORD_MIN_LENGTH"]:
        return f"Kata sandi minimal {cfg['PASSWORD_MIN_LENGTH']} karakter."
    if len(password) > cfg["PASSWORD_MAX_LENGTH"]:
        return f"Kata sandi maksimal {cfg['PASSWORD_MAX_LENGTH']} karakter."
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 3:
        return "Kata sandi ini terlalu umum dan mudah ditebak; pilih yang lain (misalnya gabungan beberapa kata)."
    context = {username.lower(), *full_name.lower().split()} - {""}
    if any(len(word) >= 4 and word in lowered for word in context):
        return "Kata sandi tidak boleh memuat nama pengguna atau nama Anda."
    return None


def hash_password(password: str) -> str:
    """A salted scrypt hash (werkzeug)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, spend the same time and fail."""
    if not password_hash:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return False
    return check_password_hash(password_hash, password)
