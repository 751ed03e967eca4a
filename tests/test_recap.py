"""Rekap harian: the pure grouping and digest, the service's scoping, and the three pages."""

from datetime import date, time, timedelta

import pytest

from app import clock
from app.reports.models import Aspect, Classification, ThreatLevel
from app.reports.recap import RecapItem, RecapReport, build_recap, digest_text

from .conftest import login
from .factories import make_report

LEVELS = ["Kondusif", "Waspada", "Siaga", "Awas"]
DAY = date(2024, 9, 3)
REGENCIES = [("63.01", "Kab. Tanah Laut"), ("63.05", "Kab. Tapin"), ("63.11", "Kab. Balangan")]


def _report(code, name, level=1, nihil=False, count=1):
    return RecapReport(code, name, 1, "submitted", nihil, False, level, Classification.BIASA, count)


def _item(code, name, aspect, threat, title, item_id, classification=Classification.BIASA, what="Kejadian."):
    return RecapItem(
        code, name, 1, item_id, aspect, threat, title, what, DAY, time(9, 0), "Desa Lajar", "Pantau.", classification
    )


def _recap(items=None, reports=None):
    reports = reports or [_report("63.11", "Kab. Balangan", 2), _report("63.01", "Kab. Tanah Laut", nihil=True)]
    items = (
        items
        if items is not None
        else [
            _item("63.11", "Kab. Balangan", Aspect.POLITIK, ThreatLevel.RENDAH, "Hoaks jadwal", 1),
            _item("63.11", "Kab. Balangan", Aspect.HANKAM, ThreatLevel.TINGGI, "Karhutla", 2),
            _item("63.01", "Kab. Tanah Laut", Aspect.POLITIK, ThreatLevel.TINGGI, "Bentrok pendukung", 3),
        ]
    )
    return build_recap("Kalimantan Selatan", DAY, REGENCIES, reports, items)


def test_groups_follow_aspek_order_and_put_tinggi_first():
    recap = _recap()
    assert [aspect for aspect, _ in recap.groups] == [Aspect.POLITIK, Aspect.HANKAM]
    assert [i.title for i in recap.groups[0][1]] == ["Bentrok pendukung", "Hoaks jadwal"]
    assert recap.not_reported == ["Kab. Tapin"] and recap.nihil_count == 1
    assert recap.threat_counts()[ThreatLevel.TINGGI] == 2


def test_digest_text_exactly():
    text = digest_text(_recap(), LEVELS, "Selasa, 3 September 2024", "3 Sep 2024 14.05 WITA")
    assert text == "\n".join(
        [
            "*REKAP LAPSITDA HARIAN*",
            "*Provinsi Kalimantan Selatan*",
            "Selasa, 3 September 2024",
            "",
            "Melapor 2 dari 3 kab/kota (1 nihil).",
            "Belum melapor: Kab. Tapin.",
            "Situasi umum: Kondusif 1, Waspada 1.",
            "",
            "*POLITIK* (2)",
            "1. [Kab. Tanah Laut] Bentrok pendukung — rawan tinggi",
            "   Kejadian.",
            "   Lokasi: Desa Lajar",
            "   Rekomendasi: Pantau.",
            "2. [Kab. Balangan] Hoaks jadwal — rawan rendah",
            "   Kejadian.",
            "   Lokasi: Desa Lajar",
            "   Rekomendasi: Pantau.",
            "",
            "*PERTAHANAN KEAMANAN* (1)",
            "1. [Kab. Balangan] Karhutla — rawan tinggi",
            "   Kejadian.",
            "   Lokasi: Desa Lajar",
            "   Rekomendasi: Pantau.",
            "",
            "_Sumber: Waspada, dibuat 3 Sep 2024 14.05 WITA_",
        ]
    )


def test_rahasia_never_reaches_the_digest_and_long_text_is_trimmed():
    items = [
        _item("63.11", "Kab. Balangan", Aspect.IDEOLOGI, ThreatLevel.SEDANG, "Sel tertutup", 1, Classification.RAHASIA),
        _item("63.01", "Kab. Tanah Laut", Aspect.EKONOMI, ThreatLevel.SEDANG, "Blokade jalan", 2, what="kata " * 100),
    ]
    text = digest_text(_recap(items), LEVELS, "x", "y")
    assert "Sel tertutup" not in text and "IDEOLOGI" not in text
    assert "1 kejadian berklasifikasi Rahasia tidak dimuat" in text
    long_line = next(line for line in text.splitlines() if line.startswith("   kata"))
    assert len(long_line) <= 203 and long_line.endswith("…")


def test_a_day_without_items_says_so():
    text = digest_text(_recap(items=[]), LEVELS, "x", "y")
    assert "Tidak ada kejadian yang dilaporkan." in text


def _yesterday():
    return clock.local_today("Asia/Makassar") - timedelta(days=1)


def test_recap_page_merges_the_submitted_reports(app, users):
    day = _yesterday()
    make_report(app, day=day, items=2, submit=True, source_detail="Informan: Pak Rahman")
    make_report(app, "operator.tala", day=day, items=1)  # a draft: not in the recap
    client = app.test_client()
    login(client, "analis")
    html = client.get(f"/laporan/rekap/?tanggal={day.isoformat()}").get_data(as_text=True)
    assert "melapor 1 dari 13" in html and "Kab. Tanah Laut" in html  # listed as not reported
    assert html.count("Kejadian uji") >= 2 and "Politik" in html
    assert "Pak Rahman" not in html  # informants are not part of the recap
    fragment = client.get(f"/laporan/rekap/?tanggal={day.isoformat()}", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="recap-body"')


def test_print_page_is_a_letter(app, users):
    day = _yesterday()
    make_report(app, day=day, submit=True)
    client = app.test_client()
    login(client, "analis")
    html = client.get(f"/laporan/rekap/cetak?tanggal={day.isoformat()}&nomor=300.1/77/Kesbangpol").get_data(
        as_text=True
    )
    assert "PEMERINTAH PROVINSI KALIMANTAN SELATAN" in html and "BADAN KESATUAN BANGSA DAN POLITIK" in html
    assert "LAPORAN SITUASI DAERAH HARIAN" in html and "Nomor: 300.1/77/Kesbangpol" in html
    assert "Kepala Badan" in html and "NIP" in html and 'class="site-header"' not in html


def test_text_endpoint(app, users):
    day = _yesterday()
    make_report(app, day=day, submit=True)
    client = app.test_client()
    login(client, "analis")
    response = client.get(f"/laporan/rekap/teks?tanggal={day.isoformat()}")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.get_data(as_text=True).startswith("*REKAP LAPSITDA HARIAN*")


def test_rahasia_is_hidden_from_pimpinan_but_not_from_the_analyst(app, users):
    day = _yesterday()
    make_report(app, day=day, submit=True, classification=Classification.RAHASIA, title="Sel rahasia")
    for username, visible in (("analis", True), ("pimpinan", False)):
        client = app.test_client()
        login(client, username)
        assert (
            "Sel rahasia" in client.get(f"/laporan/rekap/?tanggal={day.isoformat()}").get_data(as_text=True)
        ) is visible
    client = app.test_client()
    login(client, "analis")
    assert "Sel rahasia" not in client.get(f"/laporan/rekap/teks?tanggal={day.isoformat()}").get_data(as_text=True)


def test_each_analyst_sees_only_their_province(app, users):
    client = app.test_client()
    login(client, "analis.kalteng")
    html = client.get("/laporan/rekap/?provinsi=63").get_data(as_text=True)
    assert "Kalimantan Tengah" in html and "Kab. Balangan" not in html


@pytest.mark.parametrize(
    ("query", "status"), [("?tanggal=abc", 422), ("?tanggal=2999-01-01", 422), ("?tanggal=2024-02-30", 422), ("", 200)]
)
def test_bad_dates_show_today_with_a_message(auth, query, status):
    response = auth("analis").get("/laporan/rekap/" + query)
    assert response.status_code == status
    if status == 422:
        assert "ditampilkan rekap hari ini" in response.get_data(as_text=True)
