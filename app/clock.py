"""The one source of "now"; tests replace `utcnow` to travel in time."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """The current time in UTC (timezone-aware)."""
    return datetime.now(UTC)


def local_now(timezone: str) -> datetime:
    """The current time in a region's zone."""
    return utcnow().astimezone(ZoneInfo(timezone))


def local_today(timezone: str) -> date:
    """Today's date in a region's zone: the date a daily report is for."""
    return local_now(timezone).date()
