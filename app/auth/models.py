"""User accounts and their roles."""

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from ..regions.models import Region
from ..sqltypes import UTCDateTime


class Role(enum.StrEnum):
    """What a user may do; the region decides where."""

    ADMIN = "admin"
    PROVINSI = "provinsi"
    OPERATOR = "operator"
    FASILITATOR = "fasilitator"
    PIMPINAN = "pimpinan"

    @property
    def label(self) -> str:
        """Indonesian name of the role."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.PROVINSI: "Analis provinsi",
    Role.OPERATOR: "Operator kab/kota",
    Role.FASILITATOR: "Fasilitator",
    Role.PIMPINAN: "Pimpinan",
}


def new_session_token() -> str:
    """A fresh random token; changing it logs out every session that holds the old one."""
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    """A person who logs in. Flask-Login identifies the session by `session_token`, not by id."""

    __tablename__ = "users"
    __audit_label__ = "Pengguna"
    # Log-in bookkeeping is audited as explicit events (login, lockout …), not as column diffs.
    __audit_exclude__ = frozenset({"failed_logins", "locked_until", "last_login_at", "session_token"})
    __audit_redact__ = frozenset({"password_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    nip: Mapped[str | None] = mapped_column(String(18))
    jabatan: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(120))
    # Opt-out of e-mail copies of notifications (the in-app notifications stay).
    email_notifications: Mapped[bool] = mapped_column(default=True, server_default=true())
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=12, values_callable=lambda e: [m.value for m in e])
    )
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=lambda: clock.utcnow())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=lambda: clock.utcnow(), onupdate=lambda: clock.utcnow()
    )
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    region: Mapped[Region | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"

    def get_id(self) -> str:
        """Flask-Login stores this in the session; rotating it invalidates old cookies."""
        return self.session_token

    @property
    def is_active(self) -> bool:
        """Deactivated users cannot log in and their sessions end."""
        return self.active

    @property
    def audit_region_id(self) -> int | None:
        """Audit rows about an account belong to its region."""
        return self.region_id

    @property
    def timezone(self) -> str | None:
        """The user's working time zone: that of their region, None for national accounts."""
        return self.region.timezone if self.region else None
