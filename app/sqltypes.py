"""Column types shared by the models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A moment stored in UTC and always returned timezone-aware.

    SQLite has no time zones and would hand back naive values; comparing those with
    aware ones fails, so the conversion lives here instead of in every caller.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        """Refuse naive values; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime menerima waktu dengan zona waktu saja")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def render_migration_type(type_: str, obj, _autogen_context):
    """Let Alembic write UTCDateTime as a plain timestamp column, so migrations need no app import."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Search-index objects that live only in the database (triggers keep them filled); migrations own them.
DATABASE_ONLY_NAMES = frozenset({"search_vector", "ix_report_items_search_vector"})
DATABASE_ONLY_PREFIXES = ("report_item_search",)


def include_in_migrations(obj, name, type_, _reflected, _compare_to) -> bool:
    """Keep the full-text index tables and columns out of autogenerate comparisons."""
    if name and (name in DATABASE_ONLY_NAMES or name.startswith(DATABASE_ONLY_PREFIXES)):
        return False
    return True
