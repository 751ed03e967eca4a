"""Append-only audit log: every flushed change of a model becomes a row in the same transaction."""

import decimal
import enum
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Index, String, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session

from . import clock
from .extensions import db
from .sqltypes import UTCDateTime

ACTOR_KEY = "audit_actor"
OLD_VALUES_KEY = "audit_old_values"
# Bookkeeping columns that change on every write and would only add noise.
ALWAYS_EXCLUDED = frozenset({"version", "updated_at"})
REDACTED = "***"

# Indonesian names of the actions, for the log viewer.
ACTION_LABELS = {
    "create": "Dibuat",
    "update": "Diubah",
    "delete": "Dihapus",
    "login": "Masuk",
    "logout": "Keluar",
    "login_failed": "Gagal masuk",
    "login_locked": "Masuk ditolak (terkunci)",
    "login_inactive": "Masuk ditolak (nonaktif)",
    "lockout": "Akun dikunci",
    "db_copy": "Basis data disalin",
    "rate_limited": "Ditolak (terlalu banyak percobaan dari satu alamat)",
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user on the web, or someone at the command line."""

    user_id: int | None
    username: str
    ip: str | None = None
    via: str = "web"


SYSTEM = Actor(user_id=None, username="sistem", via="sistem")


class AuditLog(db.Model):
    """One change or security event. Rows are never updated or deleted (database triggers refuse it)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),
        Index("ix_audit_log_user_id_at", "user_id", "at"),
        Index("ix_audit_log_region_id_at", "region_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=lambda: clock.utcnow(), index=True)
    # Plain ids, no foreign keys: history must never block deleting what it describes.
    user_id: Mapped[int | None]
    username: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    region_id: Mapped[int | None]
    changes: Mapped[dict | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(45))
    via: Mapped[str] = mapped_column(String(8), default="web")

    def __repr__(self) -> str:
        return f"<AuditLog {self.id} {self.action} {self.entity}#{self.entity_id}>"


def entity_labels() -> dict[str, str]:
    """Table name → Indonesian label, from each model's `__audit_label__`."""
    return {
        mapper.class_.__tablename__: mapper.class_.__audit_label__
        for mapper in db.Model.registry.mappers
        if hasattr(mapper.class_, "__audit_label__")
    }


def set_actor(session: Session, actor: Actor) -> None:
    """Attribute every change flushed by this session from now on to `actor`."""
    session.info[ACTOR_KEY] = actor


def current_actor(session: Session) -> Actor:
    """The actor set for this session, or the system."""
    return session.info.get(ACTOR_KEY, SYSTEM)


def record(
    session: Session,
    action: str,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    region_id: int | None = None,
    changes: dict | None = None,
    actor: Actor | None = None,
) -> AuditLog:
    """Add an explicit event row (log-in, refused log-in, log-out …) to the session."""
    actor = actor or current_actor(session)
    row = AuditLog(
        at=clock.utcnow(),
        user_id=actor.user_id,
        username=actor.username,
        action=action,
        entity=entity,
        entity_id=entity_id,
        region_id=region_id,
        changes=changes,
        ip=actor.ip,
        via=actor.via,
    )
    session.add(row)
    return row


def parent_row(obj: Any, model: type, key: int | None) -> Any:
    """The `model` row with primary key `key`, for the audit region of a row whose relationship is gone.

    A row removed from a delete-orphan collection has lost its parent by the time its deletion is
    audited, but still holds the parent's id (the parent is in the identity map: no query).
    """
    session = object_session(obj)
    return session.get(model, key) if session is not None and key is not None else None


def _jsonable(value: Any) -> Any:
    """A value as JSON can hold it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} byte>"
    return value


def _tracked_columns(obj: Any):
    """Column attributes of `obj` worth recording, with whether each is redacted."""
    cls = type(obj)
    excluded = ALWAYS_EXCLUDED | getattr(cls, "__audit_exclude__", frozenset())
    redacted = getattr(cls, "__audit_redact__", frozenset())
    for attr in inspect(cls).column_attrs:
        if attr.key not in excluded:
            yield attr.key, attr.key in redacted


def _snapshot(obj: Any) -> dict:
    """All tracked values of an object, for creations and deletions."""
    state = inspect(obj)
    values = {}
    for key, redact in _tracked_columns(obj):
        if key in state.unloaded:
            continue
        value = getattr(obj, key)
        values[key] = REDACTED if (redact and value is not None) else _jsonable(value)
    return values


def _unknown_old_values(obj: Any) -> list[str]:
    """Changed attributes whose old value was never loaded (set after a commit expired the object)."""
    state = inspect(obj)
    unknown = []
    for key, _redact in _tracked_columns(obj):
        history = state.attrs[key].history
        if history.added and not history.deleted and not history.unchanged:
            unknown.append(key)
    return unknown


def _fetch_old_values(session: Session, obj: Any, keys: list[str]) -> dict:
    """Read the stored values of `keys` before the flush overwrites them."""
    mapper = inspect(obj).mapper
    columns = [mapper.column_attrs[key].columns[0] for key in keys]
    pk = mapper.primary_key[0]
    row = session.connection().execute(select(*columns).where(pk == _primary_key(obj))).one_or_none()
    return dict(zip(keys, row, strict=True)) if row else {}


def _diff(obj: Any, old_values: dict) -> dict:
    """Changed tracked values as {column: [old, new]}."""
    state = inspect(obj)
    changes = {}
    for key, redact in _tracked_columns(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else old_values.get(key)
        new = history.added[0] if history.added else None
        if old == new:
            continue
        changes[key] = [REDACTED, REDACTED] if redact else [_jsonable(old), _jsonable(new)]
    return changes


def _primary_key(obj: Any) -> int | None:
    """The id of a flushed object (new objects have no identity key yet, but their id is set)."""
    state = inspect(obj)
    if state.identity:
        return state.identity[0]
    return state.mapper.primary_key_from_instance(obj)[0]


def _row(obj: Any, action: str, changes: dict, actor: Actor) -> dict:
    """An audit_log insert row for a change of `obj`."""
    return {
        "at": clock.utcnow(),
        "user_id": actor.user_id,
        "username": actor.username,
        "action": action,
        "entity": type(obj).__tablename__,
        "entity_id": _primary_key(obj),
        "region_id": getattr(obj, "audit_region_id", getattr(obj, "region_id", None)),
        "changes": changes,
        "ip": actor.ip,
        "via": actor.via,
    }


@event.listens_for(Session, "before_flush")
def _prepare_audit(session: Session, _context, _instances) -> None:
    """Refuse edits of the log (append-only), and read old values the diff would otherwise miss."""
    old_values = session.info.setdefault(OLD_VALUES_KEY, {})
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditLog):
            raise ValueError("Catatan audit tidak boleh diubah atau dihapus.")
    for obj in session.dirty:
        unknown = _unknown_old_values(obj) if session.is_modified(obj, include_collections=False) else []
        if unknown:
            old_values[id(obj)] = _fetch_old_values(session, obj, unknown)


@event.listens_for(Session, "after_flush")
def _audit_flushed_changes(session: Session, _context) -> None:
    """Write one audit row per created or changed object, inside the flushing transaction."""
    actor = current_actor(session)
    rows = []
    for obj in session.new:
        if not isinstance(obj, AuditLog):
            rows.append(_row(obj, "create", _snapshot(obj), actor))
    old_values = session.info.pop(OLD_VALUES_KEY, {})
    for obj in session.dirty:
        if isinstance(obj, AuditLog) or not session.is_modified(obj, include_collections=False):
            continue
        changes = _diff(obj, old_values.get(id(obj), {}))
        if changes:
            rows.append(_row(obj, "update", changes, actor))
    if rows:
        session.connection().execute(AuditLog.__table__.insert(), rows)


@event.listens_for(db.Model, "after_delete", propagate=True)
def _audit_deleted(_mapper, connection, target) -> None:
    """Deletions are caught per row: objects removed from a delete-orphan collection never pass through
    `session.deleted`, so a session-level hook would miss them."""
    if isinstance(target, AuditLog):
        return
    session = object_session(target)
    actor = current_actor(session) if session is not None else SYSTEM
    connection.execute(AuditLog.__table__.insert(), [_row(target, "delete", _snapshot(target), actor)])
