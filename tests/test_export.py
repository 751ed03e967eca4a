"""Exports: the search's rows, Indonesian headers, hidden informants, no formulas, streaming; 100,000 rows if asked."""

import csv
import io
import os
import re
import time
import tracemalloc
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from app import clock
from app.extensions import db
from app.reports import export
from app.reports.export import HEADERS
from app.reports.models import Aspect, Classification, DailyReport, ReportItem

from .conftest import login
from .factories import make_report, region

CSV_URL = "/laporan/cari/ekspor.csv"
XLSX_URL = "/laporan/cari/ekspor.xlsx"


def _client(app, username):
    client = app.test_client()
    login(client, username)
    return client


def _csv(client, query=""):
    with client.get(CSV_URL + query) as response:
        assert response.status_code == 200, response.get_data(as_text=True)[:400]
        assert response.is_streamed and response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def _xlsx(client, query="", read_only=True):
    with client.get(XLSX_URL + query) as response:
        assert response.status_code == 200, response.get_data(as_text=True)[:400]
        assert response.is_streamed and response.mimetype == export.XLSX_MIMETYPE
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        data = response.get_data()
    book = load_workbook(io.BytesIO(data), read_only=read_only)
    sheet = book.active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    if read_only:
        book.close()
        return rows
    return rows, sheet


def _search_total(client, query=""):
    html = client.get("/laporan/cari/" + query).get_data(as_text=True)
    return int(re.search(r"<strong>([\d.]+)</strong> kejadian", html).group(1).replace(".", ""))


def test_rows_match_the_search_for_the_same_filters(app, users):
    make_report(app, items=3, submit=True)
    make_report(app, "operator.tala", items=2, aspect=Aspect.EKONOMI, submit=True)
    make_report(app, day=clock.local_today("Asia/Makassar") - timedelta(days=3), items=1)
    with app.app_context():
        tala = region("63.01").id
    client = _client(app, "analis")
    for query in ("", "?q=kejadian+uji+1", "?aspek=ekonomi", f"?wilayah={tala}", "?status=draft", "?q=tidakada"):
        total = _search_total(client, query)
        assert len(_csv(client, query)) - 1 == total, query
        assert len(_xlsx(client, query)) - 1 == total, query
    assert _search_total(client) == 6


def test_headers_are_indonesian_and_values_readable(app, users):
    make_report(app, submit=True, latitude=-2.3178, longitude=115.46)
    client = _client(app, "analis")
    rows = _csv(client)
    assert rows[0] == HEADERS
    assert HEADERS[:5] == ["Tanggal laporan", "Kode wilayah", "Kabupaten/kota", "Status laporan", "Klasifikasi"]
    assert {"Aspek", "Kategori isu", "Tingkat kerawanan", "Judul", "Apa yang terjadi", "Rekomendasi"} <= set(HEADERS)
    first = dict(zip(rows[0], rows[1], strict=True))
    today = clock.local_today("Asia/Makassar").isoformat()
    assert first["Tanggal laporan"] == today and first["Tanggal kejadian"] == today
    assert first["Kode wilayah"] == "63.11" and first["Kabupaten/kota"] == "Kab. Balangan"
    assert first["Status laporan"] == "Terkirim" and first["Klasifikasi"] == "Biasa"
    assert first["Aspek"] == "Politik" and first["Tingkat kerawanan"] == "Sedang" and first["Jam kejadian"] == "09:30"
    assert first["Nilai informasi"] == "B2" and first["Lintang"] == "-2.3178" and first["Bujur"] == "115.46"
    assert first["Keterangan sumber"] == "Laporan Babinsa"
    sheet_rows, sheet = _xlsx(client, read_only=False)
    assert sheet_rows[0] == HEADERS
    cells = dict(zip(HEADERS, sheet_rows[1], strict=True))
    assert cells["Tanggal laporan"] == datetime.fromisoformat(today) and cells["Lintang"] == -2.3178
    assert cells["Nilai informasi"] == "B2" and cells["Aspek"] == "Politik"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:Z2" and sheet["A1"].font.b
    assert sheet["A2"].number_format == "yyyy-mm-dd"


def test_informants_are_hidden_for_terbatas_and_rahasia(app, users):
    make_report(app, source_detail="Pak Rahman, ketua RT", submit=True)
    make_report(app, "operator.tala", source_detail="Bu Sari", classification=Classification.TERBATAS, submit=True)
    make_report(
        app,
        day=clock.local_today("Asia/Makassar") - timedelta(days=1),
        source_detail="Informan X",
        classification=Classification.RAHASIA,
        submit=True,
    )
    client = _client(app, "analis")
    column = HEADERS.index("Keterangan sumber")
    expected = {"Biasa": "Pak Rahman, ketua RT", "Terbatas": "[disamarkan]", "Rahasia": "[disamarkan]"}
    for rows in (_csv(client), _xlsx(client)):
        details = {row[HEADERS.index("Klasifikasi")]: row[column] for row in rows[1:]}
        assert details == expected
    assert "Bu Sari" not in str(_xlsx(client)) and "Informan X" not in str(_csv(client))


def test_rahasia_rows_only_for_those_who_may_see_them(app, users):
    make_report(app, classification=Classification.RAHASIA, title="Rahasia Balangan", submit=True)
    make_report(app, "operator.tala", title="Biasa Tanah Laut", submit=True)
    expected = {
        "analis": 2,
        "admin": 2,
        "pimpinan": 1,
        "operator": 1,
        "fasilitator": 1,
        "operator.tala": 1,
        "analis.kalteng": 0,
    }
    for username, count in expected.items():
        client = _client(app, username)
        for rows in (_csv(client), _xlsx(client)):
            assert len(rows) - 1 == count, username
            titles = {row[HEADERS.index("Judul")] for row in rows[1:]}
            assert ("Rahasia Balangan" in titles) == (username in ("analis", "admin", "operator", "fasilitator"))


def test_text_is_never_run_as_a_formula(app, users):
    make_report(app, title='=HYPERLINK("http://x","klik")', what="+62 811 000", actors="-", why="@rapat", submit=True)
    make_report(app, "operator.tala", title="Kontrol\x0b\x01 karakter", what="Baris satu\nbaris dua", submit=True)
    client = _client(app, "analis")
    rows = {row[HEADERS.index("Kode wilayah")]: dict(zip(HEADERS, row, strict=True)) for row in _csv(client)[1:]}
    balangan = rows["63.11"]
    assert balangan["Judul"] == '\'=HYPERLINK("http://x","klik")' and balangan["Apa yang terjadi"] == "'+62 811 000"
    assert balangan["Siapa (pelaku/pihak)"] == "'-" and balangan["Mengapa"] == "'@rapat"
    assert balangan["Lintang"] == ""  # numbers are not text: never prefixed
    sheet_rows, sheet = _xlsx(client, read_only=False)
    by_code = {row[1]: row for row in sheet_rows[1:]}
    title = HEADERS.index("Judul")
    assert by_code["63.11"][title] == '=HYPERLINK("http://x","klik")'  # a string cell in XLSX, not a formula
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert by_code["63.01"][title] == "Kontrol karakter"  # XML cannot hold control characters
    assert by_code["63.01"][HEADERS.index("Apa yang terjadi")] == "Baris satu\nbaris dua"


def test_filenames_name_the_region_and_the_dates(app, users):
    make_report(app, submit=True)
    with app.app_context():
        balangan = region("63.11").id
    cases = [
        ("analis", "?dari=2024-09-01&sampai=2024-09-30", "lapsitda-63-2024-09-01_2024-09-30"),
        ("analis", f"?wilayah={balangan}&dari=2024-09-01", "lapsitda-63.11-2024-09-01_akhir"),
        ("operator", "", "lapsitda-63.11-awal_akhir"),
        ("admin", "", "lapsitda-semua-awal_akhir"),
    ]
    for username, query, name in cases:
        client = _client(app, username)
        for url, extension in ((CSV_URL, "csv"), (XLSX_URL, "xlsx")):
            with client.get(url + query) as response:
                assert response.headers["Content-Disposition"] == f'attachment; filename="{name}.{extension}"'
                response.get_data()


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?dari=kemarin", "Tanggal tidak sah."),
        ("?aspek=olahraga", "Pilihan tidak sah."),
        ("?q=" + "x" * 10_000, "Isian maksimal 200 karakter."),
    ],
)
def test_invalid_filters_refuse_the_export(auth, url, query, message):
    response = auth("analis").get(url + query)
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_a_too_large_export_is_refused_with_a_reason(app, users, monkeypatch, url):
    make_report(app, items=3, submit=True)
    monkeypatch.setattr(export, "EXPORT_LIMIT", 2)
    client = _client(app, "analis")
    response = client.get(url)
    assert response.status_code == 422
    assert "Hasil terlalu banyak untuk diekspor (lebih dari 2 baris)" in response.get_data(as_text=True)
    assert client.get(url + "?q=kejadian+uji+1").status_code == 200


def test_an_empty_selection_exports_the_header_only(app, users):
    client = _client(app, "analis")
    assert _csv(client) == [HEADERS]
    assert _xlsx(client) == [HEADERS]


# ---------------------------------------------------------------- volume


def _bulk_items(app, username: str, count: int) -> None:
    """A report with `count` items, inserted straight through Core in batches (the search triggers still fire)."""
    report_id = make_report(app, username, items=0)
    with app.app_context():
        report = db.session.get(DailyReport, report_id)
        day, created = report.report_date, report.created_at
        for start in range(0, count, 5000):
            batch = [
                {
                    "report_id": report_id,
                    "position": n,
                    "aspect": "politik",
                    "title": f"Kejadian massal {n}",
                    "what": "Uraian kejadian di lapangan, dengan saksi dan waktu yang jelas. " * 3,
                    "occurred_date": day,
                    "threat_level": "sedang",
                    "desa": "Desa Lajar",
                    "actors": "Massa pendukung",
                    "analysis": "Berpotensi gesekan antarpendukung bila tidak dikawal aparat.",
                    "recommendation": "Pengamanan dan dialog.",
                    "source_detail": "Sumber lapangan",
                    "source_reliability": "B",
                    "info_credibility": 2,
                    "version": 1,
                    "created_at": created,
                    "updated_at": created,
                }
                for n in range(start, min(start + 5000, count))
            ]
            db.session.execute(insert(ReportItem), batch)
        db.session.commit()


def _drain(client, url) -> tuple[int, int]:
    """Read a streamed export chunk by chunk without keeping it: (bytes, chunks)."""
    size = chunks = 0
    with client.get(url, buffered=False) as response:
        assert response.status_code == 200 and response.is_streamed
        for chunk in response.response:
            size += len(chunk)
            chunks += 1
    return size, chunks


def test_a_few_thousand_rows_stream_in_both_formats(app, users):
    _bulk_items(app, "operator", 5000)
    client = _client(app, "operator")
    assert len(_csv(client)) == 5001
    rows = _xlsx(client)
    assert len(rows) == 5001 and rows[-1][HEADERS.index("Judul")].startswith("Kejadian massal")
    for url in (CSV_URL, XLSX_URL):
        size, chunks = _drain(client, url)
        assert chunks > 5 and size / chunks < 200_000  # many modest chunks, not one body


@pytest.mark.skipif(os.environ.get("WASPADA_BIG_EXPORT") != "1", reason="set WASPADA_BIG_EXPORT=1 for 100,000 rows")
def test_one_hundred_thousand_rows(app, users, capsys):
    _bulk_items(app, "operator", 100_000)
    client = _client(app, "operator")
    for url in (CSV_URL, XLSX_URL):
        started = time.perf_counter()
        size, _ = _drain(client, url)
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        _drain(client, url)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        with capsys.disabled():
            print(
                f"\n{url}: 100,000 rows, {size / 1e6:.1f} MB in {elapsed:.1f} s; peak Python heap {peak / 1e6:.1f} MB"
            )
    assert len(_csv(client)) == 100_001
    assert len(_xlsx(client)) == 100_001
