"""Search: safe terms, the index on SQLite and PostgreSQL, scoping, filters and bad input."""

import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from app import clock
from app.extensions import db
from app.reports.models import Aspect, Classification, ThreatLevel
from app.reports.search import fts5_query, search_terms, ts_query

from .conftest import TEST_DATABASE_URL, login
from .factories import make_report

TODAY = lambda: clock.local_today("Asia/Makassar")  # noqa: E731


@pytest.mark.parametrize(
    ("raw", "terms"),
    [
        ("Kampanye PILKADA", ["kampanye", "pilkada"]),
        ('"banjir" OR NEAR(a b) -x*', ["banjir", "or", "near", "a", "b", "x"]),
        ("sengketa_lahan sengketa", ["sengketa", "lahan"]),
        ("", []),
        ("*** ::: ()", []),
        ("a b c d e f g h i j", ["a", "b", "c", "d", "e", "f", "g", "h"]),
        ("x" * 100, ["x" * 40]),
    ],
)
def test_search_terms_keep_only_words(raw, terms):
    assert search_terms(raw) == terms


def test_query_builders():
    assert fts5_query(["kamp", "desa"], "p63") == '"kamp"* AND "desa"* AND scope : "p63"'
    assert ts_query(["kamp", "desa"], "k6311") == "kamp:* & desa:* & k6311"


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_valid_fts5_query(raw):
    terms = search_terms(raw)
    assert all(re.fullmatch(r"[^\W_]+", t) for t in terms)
    if not terms:
        return
    engine = _fts_engine()
    with engine.connect() as conn:
        conn.execute(text("SELECT rowid FROM t WHERE t MATCH :q"), {"q": fts5_query(terms, "p63")}).all()


_ENGINE = {}


def _fts_engine():
    if "sqlite" not in _ENGINE:
        engine = create_engine("sqlite://")
        with engine.begin() as conn:
            conn.execute(text("CREATE VIRTUAL TABLE t USING fts5(title, body, scope, tokenize='unicode61')"))
            conn.execute(text("INSERT INTO t VALUES ('Banjir besar', 'desa lajar', 'p63 k6311')"))
        _ENGINE["sqlite"] = engine
    return _ENGINE["sqlite"]


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")
@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_valid_tsquery(raw):
    terms = search_terms(raw)
    if not terms:
        return
    engine = _ENGINE.setdefault("pg", create_engine(TEST_DATABASE_URL))
    with engine.connect() as conn:
        conn.execute(text("SELECT to_tsquery('simple', :q)"), {"q": ts_query(terms, "p63")}).all()


def _results(client, query):
    html = client.get("/laporan/cari/" + query).get_data(as_text=True)
    return re.findall(r'#item-\d+">([^<]+)</a>', html)


def test_finds_by_title_fact_and_prefix_ignoring_case_and_accents(app, users):
    make_report(app, title="Kampanye akbar di lapangan", what="Ribuan massa hadir.", submit=True)
    make_report(
        app,
        day=TODAY() - timedelta(days=1),
        title="Banjir",
        what="Air setinggi lutut di Désa Lajar.",
        analysis="Perlu posko pengungsian.",
        submit=True,
    )
    client = app.test_client()
    login(client, "analis")
    assert _results(client, "?q=akbar") == ["Kampanye akbar di lapangan"]
    assert _results(client, "?q=AKB") == ["Kampanye akbar di lapangan"]
    assert _results(client, "?q=lutut+d%C3%A9sa") == ["Banjir"]  # accents folded: Désa = desa
    assert _results(client, "?q=pengungsian") == ["Banjir"]
    assert _results(client, "?q=akbar+banjir") == []


def test_scope_and_rahasia(app, users):
    make_report(app, title="Kejadian Balangan", submit=True)
    make_report(
        app,
        day=TODAY() - timedelta(days=1),
        title="Kejadian rahasia Balangan",
        classification=Classification.RAHASIA,
        submit=True,
    )
    make_report(app, "operator.tala", title="Kejadian Tanah Laut", submit=True)
    expected = {
        "analis": {"Kejadian Balangan", "Kejadian rahasia Balangan", "Kejadian Tanah Laut"},
        "pimpinan": {"Kejadian Balangan", "Kejadian Tanah Laut"},
        "operator": {"Kejadian Balangan", "Kejadian rahasia Balangan"},
        "fasilitator": {"Kejadian Balangan", "Kejadian rahasia Balangan"},
        "operator.tala": {"Kejadian Tanah Laut"},
        "analis.kalteng": set(),
        "admin": {"Kejadian Balangan", "Kejadian rahasia Balangan", "Kejadian Tanah Laut"},
    }
    for username, titles in expected.items():
        client = app.test_client()
        login(client, username)
        assert set(_results(client, "?q=kejadian")) == titles, username
        assert set(_results(client, "")) == titles, username


def test_filters_narrow_the_results(app, users):
    make_report(app, title="Politik sedang", aspect=Aspect.POLITIK, threat_level=ThreatLevel.SEDANG, submit=True)
    make_report(
        app,
        day=TODAY() - timedelta(days=10),
        title="Hankam tinggi",
        aspect=Aspect.HANKAM,
        threat_level=ThreatLevel.TINGGI,
    )
    make_report(app, "operator.tala", title="Tanah Laut", aspect=Aspect.EKONOMI, submit=True)
    client = app.test_client()
    login(client, "analis")
    assert _results(client, "?aspek=hankam") == ["Hankam tinggi"]
    assert _results(client, "?kerawanan=tinggi") == ["Hankam tinggi"]
    assert _results(client, "?status=draft") == ["Hankam tinggi"]
    since = (TODAY() - timedelta(days=2)).isoformat()
    assert set(_results(client, f"?dari={since}")) == {"Politik sedang", "Tanah Laut"}
    with app.app_context():
        from .factories import region

        tala_id = region("63.01").id
    assert _results(client, f"?wilayah={tala_id}") == ["Tanah Laut"]


def test_htmx_gets_the_results_only_and_pages(app, users):
    make_report(app, items=3, submit=True)
    client = app.test_client()
    login(client, "analis")
    app.config["PER_PAGE"] = 2
    fragment = client.get("/laporan/cari/?q=kejadian", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="search-results"') and "<html" not in body
    assert "Halaman 1 dari 2" in body
    assert len(_results(client, "?q=kejadian&page=2")) == 1


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?page=abc", 200),
        ("?dari=2024-13-01", 422),
        ("?dari=2024-05-02&sampai=2024-05-01", 422),
        ("?aspek=olahraga", 422),
        ("?wilayah=abc", 422),
        ("?wilayah=999999", 422),
        ("?q=" + "x" * 10_000, 422),
        ("?q=%22%2A%20NEAR(%20OR%20-%20%5E", 200),
        ("?q=%ff%fe", 200),
        ("?kategori=-1", 422),
    ],
)
def test_odd_input_never_fails(auth, query, status):
    response = auth("analis").get("/laporan/cari/" + query)
    assert response.status_code == status
    if status == 422:
        assert "Periksa isian pencarian" in response.get_data(as_text=True)


def test_region_choices_are_limited_to_the_scope(auth):
    html = auth("operator.tala").get("/laporan/cari/").get_data(as_text=True)
    assert "Kab. Balangan" not in html


def test_search_index_follows_edits_and_deletes(app, users):
    report_id = make_report(app, title="Judul lama")
    with app.app_context():
        from app.reports.models import DailyReport

        item = db.session.get(DailyReport, report_id).items[0]
        item.title = "Judul baru sekali"
        db.session.commit()
    client = app.test_client()
    login(client, "operator")
    assert _results(client, "?q=lama") == [] and _results(client, "?q=sekali") == ["Judul baru sekali"]
    with app.app_context():
        db.session.delete(db.session.get(DailyReport, report_id))
        db.session.commit()
    assert _results(client, "?q=sekali") == []
