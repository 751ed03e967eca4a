"""The compliance board: service judgement, the page (week and month, htmx grid), the cell panel, settings."""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.regions.models import Office
from app.reports import services
from app.reports.board import build_board, month_window, week_window
from app.reports.compliance import CellState
from app.reports.models import Classification, DailyReport

from .conftest import login
from .factories import make_report, region, user

WITA = ZoneInfo("Asia/Makassar")


@pytest.fixture
def at_one_pm(pin_clock):
    """13:00 WITA today (after the default noon deadline)."""
    return pin_clock(13, 0)


def _submit(app, report_id, local: datetime):
    """Submit a report as its operator at a local moment."""
    with app.app_context():
        report = db.session.get(DailyReport, report_id)
        services.submit_report(db.session, report, user("operator"), local.astimezone(UTC))
        db.session.commit()


def _board(app, now, window=None):
    with app.app_context():
        province = region("63")
        today = now.astimezone(WITA).date()
        board = build_board(db.session, province, window or week_window(today), now)
        return {row.region.code: row for row in board.rows}, board


def test_board_judges_each_regency_day(app, users, at_one_pm):
    today = at_one_pm.astimezone(WITA).date()
    on_time = make_report(app, day=today - timedelta(days=1))
    _submit(app, on_time, datetime.combine(today - timedelta(days=1), time(9, 0), WITA))
    late = make_report(app, day=today - timedelta(days=2))
    _submit(app, late, datetime.combine(today - timedelta(days=2), time(23, 30), WITA))
    make_report(app, day=today - timedelta(days=3))  # a draft never sent
    make_report(app, "operator.tala", day=today, items=0, level=None)
    with app.app_context():
        tala = user("operator.tala")
        services.file_nihil(db.session, tala, tala.region, today - timedelta(days=1), today, at_one_pm)
        db.session.commit()
    rows, board = _board(app, at_one_pm)
    balangan = dict(rows["63.11"].cells)
    assert balangan[today - timedelta(days=1)].state == CellState.ON_TIME
    assert balangan[today - timedelta(days=2)].state == CellState.LATE
    assert balangan[today - timedelta(days=3)].state == CellState.DRAFT
    assert balangan[today - timedelta(days=4)].state == CellState.MISSING
    assert balangan[today].state == CellState.MISSING  # 13:00 WITA, past noon, nothing sent
    tala = dict(rows["63.01"].cells)
    assert tala[today - timedelta(days=1)].state == CellState.NIHIL and tala[today - timedelta(days=1)].late
    assert tala[today].state == CellState.DRAFT
    rates = rows["63.11"].rates
    assert (rates.expected, rates.reported, rates.on_time) == (7, 2, 1)
    assert board.totals.expected == 13 * 7


def test_before_the_deadline_today_is_pending_and_not_expected(app, users, pin_clock):
    morning = pin_clock(10, 0)
    today = morning.astimezone(WITA).date()
    rows, _ = _board(app, morning)
    assert dict(rows["63.11"].cells)[today].state == CellState.PENDING
    assert rows["63.11"].rates.expected == 6


def test_the_province_deadline_applies(app, users, at_one_pm):
    today = at_one_pm.astimezone(WITA).date()
    with app.app_context():
        db.session.add(
            Office(region=region("63"), name="Kesbangpol", report_deadline=time(23, 59), report_grace_minutes=0)
        )
        db.session.commit()
    report_id = make_report(app, day=today - timedelta(days=1))
    _submit(app, report_id, datetime.combine(today - timedelta(days=1), time(23, 30), WITA))
    rows, _ = _board(app, at_one_pm)
    assert dict(rows["63.11"].cells)[today - timedelta(days=1)].state == CellState.ON_TIME
    assert dict(rows["63.11"].cells)[today].state == CellState.PENDING  # 13:00 is before 23:59


def test_month_window_covers_the_calendar_month():
    window = month_window(date(2024, 2, 14))
    assert (window.first, window.last, len(window.days)) == (date(2024, 2, 1), date(2024, 2, 29), 29)
    assert window.previous().first == date(2024, 1, 1) and window.following().first == date(2024, 3, 1)
    week = week_window(date(2024, 9, 3))
    assert week.first == date(2024, 8, 28) and week.following().last == date(2024, 9, 10)


def test_board_page_week_and_month(app, users, at_one_pm):
    today = at_one_pm.astimezone(WITA).date()
    report_id = make_report(app, day=today - timedelta(days=1))
    _submit(app, report_id, datetime.combine(today - timedelta(days=1), time(9, 0), WITA))
    client = app.test_client()
    login(client, "analis")
    html = client.get("/laporan/kepatuhan/").get_data(as_text=True)
    assert "Kepatuhan laporan harian Kalimantan Selatan" in html and "batas waktu" in html.lower()
    assert html.count('<th scope="row">Kab.') + html.count('<th scope="row">Kota') == 13
    assert '<span class="visually-hidden">Tepat waktu</span>' in html
    assert f'href="/laporan/kepatuhan/laporan/{report_id}"' in html and 'hx-boost="true"' in html
    month = client.get("/laporan/kepatuhan/?tampilan=bulan&bulan=2024-02").get_data(as_text=True)
    assert month.count('class="day') == 29
    assert len(client.get("/laporan/kepatuhan/?tampilan=bulan").get_data()) < 100_000
    fragment = client.get("/laporan/kepatuhan/?tampilan=bulan", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="board-grid"')


def test_board_page_needs_few_queries_for_a_month(app, users, at_one_pm):
    for n in range(1, 8):
        make_report(app, day=at_one_pm.astimezone(WITA).date() - timedelta(days=n), submit=True)
    client = app.test_client()
    login(client, "analis")
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get("/laporan/kepatuhan/?tampilan=bulan").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # the board's own 6, the map's boundary version check (its geometry is projected once per process)
    # and the header's unread-notification count
    assert len(queries) <= 8, queries


def test_cell_panel_fragment_and_scope(app, users):
    report_id = make_report(app, submit=True)
    client = app.test_client()
    login(client, "analis")
    fragment = client.get(f"/laporan/kepatuhan/laporan/{report_id}", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and body.lstrip().startswith(f'<div id="board-cell-{report_id}"')
    assert "Buka laporan" in body and "Kab. Balangan" in body
    assert client.get(f"/laporan/kepatuhan/laporan/{report_id}").status_code == 302
    other = app.test_client()
    login(other, "analis.kalteng")
    assert other.get(f"/laporan/kepatuhan/laporan/{report_id}", headers={"HX-Request": "true"}).status_code == 404


def test_rahasia_cell_panel_is_hidden_from_pimpinan(app, users):
    report_id = make_report(app, submit=True, classification=Classification.RAHASIA)
    client = app.test_client()
    login(client, "pimpinan")
    assert client.get(f"/laporan/kepatuhan/laporan/{report_id}", headers={"HX-Request": "true"}).status_code == 404


def test_admin_chooses_the_province(app, users):
    client = app.test_client()
    login(client, "admin")
    assert "Kalimantan Tengah" in client.get("/laporan/kepatuhan/?provinsi=62").get_data(as_text=True)
    assert client.get("/laporan/kepatuhan/?provinsi=99").status_code == 200  # falls back to the first province
    analyst = app.test_client()
    login(analyst, "analis.kalteng")
    assert "Kalimantan Tengah" in analyst.get("/laporan/kepatuhan/?provinsi=63").get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "?tanggal=abc",
        "?tanggal=2024-02-30",
        "?tampilan=x",
        "?tampilan=bulan&bulan=2024-13",
        "?tampilan=bulan&bulan=x",
        "?tanggal=9999-12-31",
        "?tanggal=0001-01-01",
        "?tampilan=bulan&bulan=0001-01",
    ],
)
def test_odd_queries_never_fail(auth, query):
    assert auth("analis").get("/laporan/kepatuhan/" + query).status_code == 200


def _settings_form(**values):
    data = {
        "report_deadline": "14:00",
        "report_grace_minutes": "15",
        "name": "Badan Kesbangpol Kalsel",
        "head_title": "Kepala Badan",
        "head_name": "Drs. Bambang",
        "head_nip": "196801011990031001",
        "version": "",
    }
    data.update(values)
    return data


def test_settings_save_then_stale_then_invalid(app, auth):
    client = auth("analis")
    assert client.get("/laporan/kepatuhan/pengaturan").status_code == 200
    response = client.post("/laporan/kepatuhan/pengaturan", data=_settings_form())
    assert response.status_code == 302
    with app.app_context():
        office = db.session.scalars(select(Office)).one()
        assert office.report_deadline == time(14, 0) and office.report_grace_minutes == 15
        version = office.version
    stale = client.post("/laporan/kepatuhan/pengaturan", data=_settings_form(report_deadline="08:00", version="0"))
    assert stale.status_code == 409 and "baru saja diubah" in stale.get_data(as_text=True)
    bad = client.post(
        "/laporan/kepatuhan/pengaturan",
        data=_settings_form(report_deadline="25:00", head_nip="12", version=str(version)),
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Jam tidak sah." in html and "18 angka" in html and "Drs. Bambang" in html
    with app.app_context():
        assert db.session.scalars(select(Office)).one().report_deadline == time(14, 0)
    page = client.get("/laporan/kepatuhan/").get_data(as_text=True)
    assert re.search(r"pukul 14\.00 waktu setempat \+ 15 menit", page)
