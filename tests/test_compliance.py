"""Compliance judgement: pure functions, no app."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.reports.compliance import (
    Cell,
    CellState,
    ReportFacts,
    cell_for,
    days_between,
    deadline_utc,
    is_late,
    rates_for,
)

WITA, WIB = ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jakarta")
DAY = date(2024, 9, 3)


@pytest.mark.parametrize(
    ("deadline", "grace", "zone", "expected_utc"),
    [
        (time(12, 0), 0, "Asia/Makassar", datetime(2024, 9, 3, 4, 0, tzinfo=UTC)),
        (time(12, 0), 0, "Asia/Jakarta", datetime(2024, 9, 3, 5, 0, tzinfo=UTC)),
        (time(12, 0), 0, "Asia/Jayapura", datetime(2024, 9, 3, 3, 0, tzinfo=UTC)),
        (time(12, 0), 30, "Asia/Makassar", datetime(2024, 9, 3, 4, 30, tzinfo=UTC)),
        (time(23, 59), 0, "Asia/Makassar", datetime(2024, 9, 3, 15, 59, tzinfo=UTC)),
        (time(23, 30), 60, "Asia/Jakarta", datetime(2024, 9, 3, 17, 30, tzinfo=UTC)),
    ],
)
def test_deadline_is_local_time_on_the_report_date(deadline, grace, zone, expected_utc):
    assert deadline_utc(DAY, deadline, grace, zone) == expected_utc


def _at(hour, minute, days=0, zone=WITA):
    return (datetime.combine(DAY, time(hour, minute), zone) + timedelta(days=days)).astimezone(UTC)


@pytest.mark.parametrize(
    ("deadline", "submitted", "late"),
    [
        (time(12, 0), _at(23, 30), True),  # the evening of the report date, after a noon deadline
        (time(12, 0), _at(8, 0, days=1), True),  # filed the next morning
        (time(23, 59), _at(23, 30), False),  # same evening, before a late-night deadline
        (time(23, 59), _at(8, 0, days=1), True),
        (time(12, 0), _at(11, 59), False),
        (time(12, 0), _at(12, 0), False),  # exactly at the deadline counts as on time
    ],
)
def test_submissions_around_midnight_wita(deadline, submitted, late):
    assert is_late(submitted, deadline_utc(DAY, deadline, 0, "Asia/Makassar")) is late


def test_the_same_utc_moment_is_late_in_wita_but_not_in_wib():
    moment = datetime(2024, 9, 3, 4, 30, tzinfo=UTC)  # 12.30 WITA, 11.30 WIB
    assert is_late(moment, deadline_utc(DAY, time(12, 0), 0, "Asia/Makassar"))
    assert not is_late(moment, deadline_utc(DAY, time(12, 0), 0, "Asia/Jakarta"))


DUE = _at(12, 0)


def facts(status="submitted", nihil=False, submitted=True, late=False):
    return ReportFacts(
        report_id=7, status=status, nihil=nihil, first_submitted_at=_at(9, 0) if submitted else None, late=late
    )


@pytest.mark.parametrize(
    ("report", "day", "now", "state", "late"),
    [
        (None, DAY + timedelta(1), _at(9, 0), CellState.NOT_DUE, False),
        (None, DAY, _at(11, 0), CellState.PENDING, False),
        (None, DAY, _at(13, 0), CellState.MISSING, False),
        (facts(submitted=False, status="draft"), DAY, _at(13, 0), CellState.DRAFT, False),
        (facts(), DAY, _at(13, 0), CellState.ON_TIME, False),
        (facts(late=True), DAY, _at(13, 0), CellState.LATE, True),
        (facts(status="verified"), DAY, _at(13, 0), CellState.ON_TIME, False),
        (facts(nihil=True), DAY, _at(13, 0), CellState.NIHIL, False),
        (facts(nihil=True, late=True), DAY, _at(13, 0), CellState.NIHIL, True),
        (facts(status="returned", late=True), DAY, _at(13, 0), CellState.RETURNED, True),
    ],
)
def test_cell_states(report, day, now, state, late):
    cell = cell_for(report, day, DAY, deadline_utc(day, time(12, 0), 0, "Asia/Makassar"), now)
    assert cell.state == state and cell.late == late
    assert (cell.report_id == 7) == (report is not None and state not in (CellState.NOT_DUE,))


def _cells(*states, late=()):
    return [(DAY - timedelta(days=len(states) - 1 - i), Cell(s, late=i in late)) for i, s in enumerate(states)]


def test_rates_count_expected_reported_and_on_time():
    cells = _cells(
        CellState.ON_TIME,
        CellState.LATE,
        CellState.NIHIL,
        CellState.MISSING,
        CellState.RETURNED,
        CellState.DRAFT,
        late=(1,),
    )
    rates = rates_for(cells, DAY, today_is_due=True)
    assert (rates.expected, rates.reported, rates.on_time) == (6, 4, 3)
    assert rates.reported_pct == pytest.approx(66.67, abs=0.01) and rates.on_time_pct == 50


def test_today_is_expected_only_after_its_deadline_or_once_reported():
    waiting = _cells(CellState.ON_TIME, CellState.PENDING)
    assert rates_for(waiting, DAY, today_is_due=False).expected == 1
    draft_today = _cells(CellState.ON_TIME, CellState.DRAFT)
    assert rates_for(draft_today, DAY, today_is_due=False).expected == 1
    assert rates_for(draft_today, DAY, today_is_due=True).expected == 2
    reported_today = _cells(CellState.ON_TIME, CellState.ON_TIME)
    assert rates_for(reported_today, DAY, today_is_due=False).expected == 2


def test_no_expectation_no_percentage():
    rates = rates_for([(DAY + timedelta(1), Cell(CellState.NOT_DUE))], DAY, today_is_due=False)
    assert rates.expected == 0 and rates.reported_pct is None and rates.on_time_pct is None


def test_days_between_is_inclusive():
    assert days_between(DAY, DAY + timedelta(2)) == [DAY, DAY + timedelta(1), DAY + timedelta(2)]
