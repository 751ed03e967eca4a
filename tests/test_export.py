"""Exports: same rows as the search, Indonesian headers, informants hidden, streamed; a large run on request."""

import csv
import io
import os
import resource
import time

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from app.extensions import db
from app.reports.export import HEADERS
from app.reports.models import Classification, DailyReport, ReportItem

from .conftest import login
from .factories import make_report


def _csv(client, query=""):
    with client.get("/laporan/cari/ekspor.csv" + query) as response:
        assert response.status_code == 200 and response.is_streamed
        assert "attachment" in response.headers["Content-Disposition"]
        body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def _xlsx(client, query=""):
    with client.get("/laporan/cari/ekspor.xlsx" + query) as response:
        assert response.status_code == 200
        data = response.get_data()
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_rows_match_the_search_and_headers_are_indonesian(app, users):
    make_report(app, items=3, submit=True)
    make_report(app, "operator.tala", items=2, submit=True)
    client = app.test_client()
    login(client, "analis")
    rows = _csv(client)
    assert rows[0] == HEADERS and "Kabupaten/kota" in rows[0] and "Rekomendasi" in rows[0]
    assert len(rows) == 1 + 5
    assert len(_xlsx(client)) == 1 + 5
    assert len(_csv(client, "?q=kejadian+uji+1")) == 1 + 2
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Aspek"] == "Politik" and first["Kerawanan"] == "Sedang" and first["Jam kejadian"] == "09:30"
    assert first["Kebenaran informasi"].startswith("2 –")


def test_informants_are_hidden_for_terbatas_and_rahasia(app, users):
    make_report(app, source_detail="Pak Rahman, ketua RT", submit=True)
    make_report(app, "operator.tala", source_detail="Bu Sari", classification=Classification.TERBATAS, submit=True)
    client = app.test_client()
    login(client, "analis")
    rows = _csv(client)
    details = {r[2]: r[HEADERS.index("Keterangan sumber")] for r in rows[1:]}
    assert details == {"Kab. Balangan": "Pak Rahman, ketua RT", "Kab. Tanah Laut": "[disamarkan]"}


def test_rahasia_rows_only_for_those_who_may_see_them(app, users):
    make_report(app, classification=Classification.RAHASIA, source_detail="Sumber X", submit=True)
    for username, count in (("analis", 1), ("pimpinan", 0), ("operator", 1), ("operator.tala", 0)):
        client = app.test_client()
        login(client, username)
        rows = _csv(client)
        assert len(rows) - 1 == count, username
        assert all("Sumber X" not in cell for row in rows for cell in row)


def test_invalid_filters_refuse_the_export(auth):
    response = auth("analis").get("/laporan/cari/ekspor.csv?dari=kemarin")
    assert response.status_code == 422 and "Tanggal tidak sah." in response.get_data(as_text=True)


def _bulk_items(app, report_id: int, count: int) -> None:
    """Insert many items straight through Core (the search triggers still fire)."""
    with app.app_context():
        report = db.session.get(DailyReport, report_id)
        base = {
            "report_id": report_id,
            "aspect": "politik",
            "title": "Kejadian massal",
            "what": "Uraian kejadian " * 5,
            "occurred_date": report.report_date,
            "threat_level": "sedang",
            "position": 0,
            "version": 1,
            "created_at": report.created_at,
            "updated_at": report.created_at,
            "source_detail": "Sumber lapangan",
        }
        batch = [dict(base, title=f"Kejadian massal {n}") for n in range(count)]
        for start in range(0, count, 5000):
            db.session.execute(insert(ReportItem), batch[start : start + 5000])
        db.session.commit()


def test_a_few_thousand_rows_stream_in_both_formats(app, users):
    report_id = make_report(app, items=0, submit=False)
    _bulk_items(app, report_id, 5000)
    client = app.test_client()
    login(client, "operator")
    assert len(_csv(client)) == 5001
    assert len(_xlsx(client)) == 5001


@pytest.mark.skipif(os.environ.get("WASPADA_BIG_EXPORT") != "1", reason="set WASPADA_BIG_EXPORT=1 for 100,000 rows")
def test_one_hundred_thousand_rows(app, users, capsys):
    report_id = make_report(app, items=0, submit=False)
    _bulk_items(app, report_id, 100_000)
    client = app.test_client()
    login(client, "operator")
    for kind, reader in (("csv", _csv), ("xlsx", _xlsx)):
        started = time.perf_counter()
        rows = reader(client)
        elapsed = time.perf_counter() - started
        assert len(rows) == 100_001
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        with capsys.disabled():
            print(f"\n{kind}: 100,000 rows in {elapsed:.1f} s, peak RSS of the test process {peak} MB")
