"""Account operations: log-in with lockout, log-out, password changes and user administration.

Services flush but never commit; the caller commits once. They raise AuthError/AccountError
with an Indonesian message (and the form field it belongs to) for the view to show.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from .. import audit, clock
from ..audit import Actor
from ..regions.models import Region, RegionKind
from .models import Role, User, new_session_token
from .passwords import hash_password, password_problem, verify_password

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


class AccountError(Exception):
    """A refused account operation; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class AuthError(AccountError):
    """A refused log-in."""


@dataclass
class UserData:
    """The editable profile of an account (what the admin form carries)."""

    full_name: str
    role: Role
    region_id: int | None
    nip: str | None = None
    jabatan: str | None = None
    phone: str | None = None
    email: str | None = None


def actor_for(user: User, ip: str | None = None, via: str = "web") -> Actor:
    """The audit actor for a user."""
    return Actor(user_id=user.id, username=user.username, ip=ip, via=via)


def find_by_username(session: Session, username: str) -> User | None:
    """The account with this user name (case-insensitive), if any."""
    return session.scalars(select(User).where(User.username == username.strip().lower())).first()


def authenticate(session: Session, username: str, password: str, ip: str | None) -> User:
    """Check a log-in; count failures in the user row so the lock holds across workers."""
    user = find_by_username(session, username)
    now = clock.utcnow()
    anonymous = Actor(user_id=None, username=username.strip().lower()[:40] or "?", ip=ip)
    if user is None:
        verify_password(None, password)
        audit.record(session, "login_failed", entity="users", actor=anonymous, changes={"alasan": "tidak dikenal"})
        raise AuthError("Nama pengguna atau kata sandi salah.")
    actor = actor_for(user, ip)
    audit.set_actor(session, actor)
    if user.locked_until and user.locked_until > now:
        _audit_user_event(session, "login_locked", user, actor)
        raise AuthError(_locked_message(user))
    if not verify_password(user.password_hash, password):
        _count_failure(session, user, now)
        if user.locked_until and user.locked_until > now:
            _audit_user_event(session, "lockout", user, actor)
            raise AuthError(_locked_message(user))
        _audit_user_event(session, "login_failed", user, actor)
        raise AuthError("Nama pengguna atau kata sandi salah.")
    if not user.active:
        _audit_user_event(session, "login_inactive", user, actor)
        raise AuthError("Akun ini sudah dinonaktifkan. Hubungi administrator.")
    _set_login_state(
        session, user, failed_logins=0, locked_until=None, last_login_at=now, session_token=new_session_token()
    )
    _audit_user_event(session, "login", user, actor)
    session.flush()
    return user


def _set_login_state(session: Session, user: User, **values) -> None:
    """Update log-in bookkeeping without bumping the row version.

    An administrator editing a profile must not get a conflict because its owner
    logged in meanwhile; these columns are audited as explicit events instead.
    """
    session.execute(
        update(User).where(User.id == user.id).values(**values).execution_options(synchronize_session=False)
    )
    session.refresh(user)


def _audit_user_event(session: Session, action: str, user: User, actor: Actor) -> None:
    """An explicit security event about an account."""
    audit.record(session, action, entity="users", entity_id=user.id, region_id=user.region_id, actor=actor)


def _count_failure(session: Session, user: User, now) -> None:
    """Add one failure atomically; the tenth in a row locks the account for a while."""
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    reached = User.failed_logins + 1 >= limit
    _set_login_state(
        session,
        user,
        failed_logins=case((reached, 0), else_=User.failed_logins + 1),
        locked_until=case((reached, until), else_=User.locked_until),
    )


def _locked_message(user: User) -> str:
    """The Indonesian lockout notice with the local time it ends."""
    zone = user.region.zone if user.region else None
    until = user.locked_until.astimezone(zone) if zone else user.locked_until
    label = user.region.zone_label if user.region else "UTC"
    return (
        "Akun dikunci sementara karena terlalu banyak percobaan masuk yang gagal. "
        f"Coba lagi setelah pukul {until:%H.%M} {label}."
    )


def logout(session: Session, user: User, ip: str | None) -> None:
    """End every session of the user by rotating the token."""
    _set_login_state(session, user, session_token=new_session_token())
    _audit_user_event(session, "logout", user, actor_for(user, ip))
    session.flush()


def change_own_password(session: Session, user: User, current: str, new: str) -> None:
    """Change one's own password after checking the current one; other sessions end."""
    if not verify_password(user.password_hash, current):
        raise AccountError("Kata sandi saat ini salah.", field="current_password")
    if current == new:
        raise AccountError("Kata sandi baru harus berbeda dari yang lama.", field="new_password")
    _set_password(user, new)
    user.must_change_password = False
    session.flush()


def _set_password(user: User, password: str) -> None:
    """Validate and store a new password, rotating the session token."""
    problem = password_problem(password, user.username, user.full_name)
    if problem:
        raise AccountError(problem, field="new_password")
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()


def validate_username(session: Session, username: str) -> str:
    """Normalise a new user name and check it is well-formed and free."""
    name = username.strip().lower()
    if not 3 <= len(name) <= 40 or not set(name) <= USERNAME_CHARS:
        raise AccountError(
            "Nama pengguna 3–40 karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung.",
            field="username",
        )
    if find_by_username(session, name):
        raise AccountError("Nama pengguna ini sudah dipakai.", field="username")
    return name


def check_role_region(session: Session, role: Role, region_id: int | None) -> Region | None:
    """The region a role needs: a province for analysts, a kabupaten/kota for operators and facilitators."""
    region = session.get(Region, region_id) if region_id else None
    if region_id and region is None:
        raise AccountError("Wilayah tidak dikenal.", field="region_id")
    if role == Role.ADMIN:
        return region
    if region is None:
        raise AccountError("Peran ini wajib memiliki wilayah.", field="region_id")
    if role == Role.PROVINSI and region.kind != RegionKind.PROVINSI:
        raise AccountError("Analis provinsi harus ditempatkan di sebuah provinsi.", field="region_id")
    if role in (Role.OPERATOR, Role.FASILITATOR) and not region.is_regency:
        raise AccountError("Operator dan fasilitator ditempatkan di kabupaten/kota.", field="region_id")
    if role == Role.PIMPINAN and region.kind == RegionKind.KECAMATAN:
        raise AccountError("Pimpinan ditempatkan di provinsi atau kabupaten/kota.", field="region_id")
    return region


def create_user(session: Session, username: str, data: UserData, password: str, must_change: bool = True) -> User:
    """Create an account; with `must_change` the user sets a new password at first log-in."""
    name = validate_username(session, username)
    region = check_role_region(session, data.role, data.region_id)
    user = User(username=name, password_hash="", region=region, must_change_password=must_change)
    _apply(user, data)
    try:
        _set_password(user, password)
    except AccountError as err:
        raise AccountError(err.message, field="password") from err
    session.add(user)
    session.flush()
    return user


def update_user(session: Session, user: User, data: UserData, acting: User) -> None:
    """Change an account's profile, role or region."""
    region = check_role_region(session, data.role, data.region_id)
    if user.id == acting.id and data.role != Role.ADMIN:
        raise AccountError("Anda tidak dapat mencabut peran administrator Anda sendiri.", field="role")
    if user.role == Role.ADMIN and data.role != Role.ADMIN:
        _keep_one_admin(session, user)
    if data.role != user.role or region is not user.region:
        user.session_token = new_session_token()  # new rights: start a fresh session
    user.region = region
    _apply(user, data)
    session.flush()


def _apply(user: User, data: UserData) -> None:
    """Copy the profile fields onto the user (never role/region-free fields like status)."""
    user.full_name = data.full_name.strip()
    user.role = data.role
    user.nip = (data.nip or "").strip() or None
    user.jabatan = (data.jabatan or "").strip() or None
    user.phone = (data.phone or "").strip() or None
    user.email = (data.email or "").strip().lower() or None


def set_active(session: Session, user: User, active: bool, acting: User) -> None:
    """Activate or deactivate an account; deactivation ends its sessions at once."""
    if not active and user.id == acting.id:
        raise AccountError("Anda tidak dapat menonaktifkan akun Anda sendiri.")
    if not active and user.role == Role.ADMIN:
        _keep_one_admin(session, user)
    user.active = active
    if not active:
        user.session_token = new_session_token()
    else:
        user.failed_logins = 0
        user.locked_until = None
    session.flush()


def reset_password(session: Session, user: User, new_password: str | None = None) -> str:
    """Set a temporary password (generated when not given); the user must change it at next log-in."""
    password = new_password or generate_temporary_password()
    _set_password(user, password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    return password


def generate_temporary_password() -> str:
    """Four short random words-like chunks, easy to read out over the phone."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def _keep_one_admin(session: Session, leaving: User) -> None:
    """Refuse a change that would leave no active administrator."""
    others = session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active, User.id != leaving.id)
    )
    if not others:
        raise AccountError("Harus tetap ada setidaknya satu administrator aktif.", field="role")
