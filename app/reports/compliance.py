"""When a daily report is due, and the state of each regency-day on the compliance board.

Pure functions: no database, no clock. Callers pass "now" and the report facts.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..enums import LabelledEnum


class CellState(LabelledEnum):
    """What the board shows for one regency on one day."""

    ON_TIME = ("tepat", "Tepat waktu")
    LATE = ("terlambat", "Terlambat")
    NIHIL = ("nihil", "Nihil")
    DRAFT = ("draf", "Draf")
    RETURNED = ("dikembalikan", "Dikembalikan")
    MISSING = ("tidak", "Tidak lapor")
    PENDING = ("menunggu", "Belum batas waktu")
    NOT_DUE = ("mendatang", "Belum waktunya")


@dataclass(frozen=True)
class ReportFacts:
    """What the board needs to know about one report."""

    report_id: int
    status: str
    nihil: bool
    first_submitted_at: datetime | None
    late: bool


@dataclass(frozen=True)
class Cell:
    """One regency-day: its state, whether it came late, and the report to open."""

    state: CellState
    late: bool = False
    report_id: int | None = None


@dataclass(frozen=True)
class Rates:
    """A regency's completeness over a window (DHIS2's expected / actual / on time)."""

    expected: int
    reported: int
    on_time: int

    @property
    def reported_pct(self) -> float | None:
        """Share of expected days with a report, 0–100; None when nothing was expected yet."""
        return 100 * self.reported / self.expected if self.expected else None

    @property
    def on_time_pct(self) -> float | None:
        """Share of expected days reported by the deadline, 0–100."""
        return 100 * self.on_time / self.expected if self.expected else None


def deadline_utc(report_date: date, deadline: time, grace_minutes: int, timezone: str) -> datetime:
    """The moment a report for `report_date` is due: local deadline on that date plus grace, in UTC."""
    local = datetime.combine(report_date, deadline, ZoneInfo(timezone)) + timedelta(minutes=grace_minutes)
    return local.astimezone(ZoneInfo("UTC"))


def is_late(submitted_at: datetime, due: datetime) -> bool:
    """Submitted after the deadline."""
    return submitted_at > due


def cell_for(facts: ReportFacts | None, report_date: date, today: date, due: datetime, now: datetime) -> Cell:
    """The state of one regency-day; the first submission decides on-time or late."""
    if report_date > today:
        return Cell(CellState.NOT_DUE)
    if facts is None:
        return Cell(CellState.PENDING if now <= due else CellState.MISSING)
    if facts.first_submitted_at is None:
        return Cell(CellState.DRAFT, report_id=facts.report_id)
    if facts.status == "returned":
        return Cell(CellState.RETURNED, late=facts.late, report_id=facts.report_id)
    if facts.nihil:
        return Cell(CellState.NIHIL, late=facts.late, report_id=facts.report_id)
    return Cell(CellState.LATE if facts.late else CellState.ON_TIME, late=facts.late, report_id=facts.report_id)


SUBMITTED_STATES = frozenset({CellState.ON_TIME, CellState.LATE, CellState.NIHIL, CellState.RETURNED})


def rates_for(cells: Iterable[tuple[date, Cell]], today: date, today_is_due: bool) -> Rates:
    """Expected, reported and on-time counts over a regency's cells.

    A past day is expected; today is expected once its deadline has passed, or when it was reported.
    """
    expected = reported = on_time = 0
    for day, cell in cells:
        submitted = cell.state in SUBMITTED_STATES
        if day > today or (day == today and not today_is_due and not submitted):
            continue
        expected += 1
        if submitted:
            reported += 1
            on_time += not cell.late
    return Rates(expected=expected, reported=reported, on_time=on_time)


def days_between(first: date, last: date) -> list[date]:
    """Every date from `first` to `last`, inclusive."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
