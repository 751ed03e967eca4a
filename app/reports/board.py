"""The compliance board: loads a province's reports of a window in one query and judges every cell."""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..regions.models import Office, Region
from ..regions.services import office_for, regencies_of
from .compliance import Cell, Rates, ReportFacts, cell_for, days_between, deadline_utc, rates_for
from .models import DailyReport

WEEK_DAYS = 7


@dataclass(frozen=True)
class Window:
    """The days the board shows: a week ending on `last`, or a calendar month."""

    view: str
    first: date
    last: date

    @property
    def days(self) -> list[date]:
        """Every day of the window."""
        return days_between(self.first, self.last)

    def previous(self) -> "Window":
        """The window before this one."""
        if self.view == "bulan":
            return month_window(self.first - timedelta(days=1))
        return week_window(self.first - timedelta(days=1))

    def following(self) -> "Window":
        """The window after this one."""
        if self.view == "bulan":
            return month_window(self.last + timedelta(days=1))
        return week_window(self.last + timedelta(days=WEEK_DAYS))


def week_window(last: date) -> Window:
    """Seven days ending on `last`."""
    return Window("minggu", last - timedelta(days=WEEK_DAYS - 1), last)


def month_window(day: date) -> Window:
    """The calendar month containing `day`."""
    last_day = calendar.monthrange(day.year, day.month)[1]
    return Window("bulan", day.replace(day=1), day.replace(day=last_day))


@dataclass
class BoardRow:
    """One regency: its cells in day order and its rates."""

    region: Region
    cells: list[tuple[date, Cell]]
    rates: Rates


@dataclass
class Board:
    """Everything the board page shows."""

    province: Region
    office: Office
    window: Window
    today: date
    rows: list[BoardRow] = field(default_factory=list)

    @property
    def totals(self) -> Rates:
        """The province's rates: the sum over its regencies."""
        return Rates(
            expected=sum(r.rates.expected for r in self.rows),
            reported=sum(r.rates.reported for r in self.rows),
            on_time=sum(r.rates.on_time for r in self.rows),
        )


def report_facts(session: Session, region_ids: list[int], first: date, last: date) -> dict:
    """{(region_id, day): ReportFacts} for the reports of the regions in the window, in one query."""
    stmt = select(
        DailyReport.id,
        DailyReport.region_id,
        DailyReport.report_date,
        DailyReport.status,
        DailyReport.nihil,
        DailyReport.first_submitted_at,
        DailyReport.late,
    ).where(DailyReport.region_id.in_(region_ids), DailyReport.report_date.between(first, last))
    return {
        (row.region_id, row.report_date): ReportFacts(
            report_id=row.id,
            status=row.status.value,
            nihil=row.nihil,
            first_submitted_at=row.first_submitted_at,
            late=row.late,
        )
        for row in session.execute(stmt)
    }


def build_board(session: Session, province: Region, window: Window, now: datetime) -> Board:
    """Judge every regency-day of the window against the province's deadline."""
    office = office_for(session, province)
    regencies = regencies_of(session, province)
    facts = report_facts(session, [r.id for r in regencies], window.first, window.last)
    deadline: time = office.report_deadline
    grace = office.report_grace_minutes
    board = Board(province=province, office=office, window=window, today=now.astimezone(province.zone).date())
    for regency in regencies:
        today = now.astimezone(regency.zone).date()
        cells = []
        for day in window.days:
            due = deadline_utc(day, deadline, grace, regency.timezone)
            cells.append((day, cell_for(facts.get((regency.id, day)), day, today, due, now)))
        today_is_due = now > deadline_utc(today, deadline, grace, regency.timezone)
        board.rows.append(BoardRow(region=regency, cells=cells, rates=rates_for(cells, today, today_is_due)))
    return board
