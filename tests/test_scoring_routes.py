"""Rankings from stored forms, published results and incidents; the pages, exports and admin forms."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.reports.models import ThreatLevel
from app.scoring import services
from app.scoring.models import IndexDefinition, IndexSource, PublishedScore
from app.scoring.rollup import refresh_form_score
from app.surveys.models import (
    Answer,
    Dimension,
    Direction,
    Question,
    QuestionType,
    Response,
    Round,
    Survey,
    SurveyStatus,
)

from .conftest import login
from .factories import make_report, region

BANDS = [{"label": "rawan rendah", "below": 30}, {"label": "rawan sedang", "below": 60}, {"label": "rawan tinggi"}]
# (region, [(q1, q2)…]) — q1 scores dimension A, q2 dimension B reversed; every form below is hand-scored.
FORMS = {
    "63.01": [("5", "1"), ("3", "3")],  # (100 + 100) / 2 = 100; (50 + 50) / 2 = 50 → mean 75
    "63.02": [("1", "5"), ("1", "4")],  # 0; (0 + 25) / 2 = 12.5 → mean 6.25
    "63.11": [("5", "5")],  # (100 + 0) / 2 = 50, one form: below the minimum of 2
}


def _survey(session) -> Survey:
    survey = Survey(
        name="Kuesioner uji",
        edition="2025",
        index_name="Indeks Uji",
        direction=Direction.HIGHER_WORSE,
        status=SurveyStatus.ACTIVE,
    )
    a, b = Dimension(code="A", name="Dimensi A", weight=1), Dimension(code="B", name="Dimensi B", weight=1)
    survey.dimensions = [a, b]
    survey.questions = [
        Question(code="Q1", text="Satu", qtype=QuestionType.SCALE, settings={}, dimension=a, position=1),
        Question(code="Q2", text="Dua", qtype=QuestionType.SCALE, settings={}, dimension=b, position=2, reversed=True),
        Question(code="Q3", text="Catatan", qtype=QuestionType.TEXT, settings={}, dimension=b, position=3),
    ]
    session.add(survey)
    session.flush()
    return survey


def _form(round_, number, values, completed=True, first_entry=None, valid=True):
    q1, q2, q3 = round_.survey.questions
    response = Response(round=round_, number=number, completed=completed, first_entry_id=first_entry)
    response.answers = [
        Answer(question_id=q1.id, value=values[0], valid=valid),
        Answer(question_id=q2.id, value=values[1]),
        Answer(question_id=q3.id, value="teks tidak dihitung"),
    ]
    return response


@pytest.fixture
def scored(app):
    """The test index with its forms, and a published 2024 edition of the same index for movement."""
    with app.app_context():
        survey = _survey(db.session)
        for code, forms in FORMS.items():
            round_ = Round(survey=survey, region=region(code), title=f"Uji {code}")
            db.session.add(round_)
            for number, values in enumerate(forms, start=1):
                db.session.add(_form(round_, number, values))
        round_ = db.session.scalars(select(Round).where(Round.title == "Uji 63.02")).one()
        db.session.add(_form(round_, 9, ("5", "1"), completed=False))  # unfinished: left out
        db.session.flush()
        first = db.session.scalars(select(Response).where(Response.round_id == round_.id)).first()
        db.session.add(_form(round_, 1, ("5", "1"), first_entry=first.id))  # a check entry: left out
        db.session.add(_form(round_, 10, ("9", "1"), valid=False))  # invalid Q1 kept but unscored: B only → 100
        definition = IndexDefinition(
            name="Indeks Uji",
            edition="2025",
            source=IndexSource.QUESTIONNAIRE,
            direction=Direction.HIGHER_WORSE,
            min_respondents=2,
            bands_regency=BANDS,
            bands_province=BANDS,
            incident_weight=0.5,
            questionnaire_weight=0.5,
        )
        before = IndexDefinition(
            name="Indeks Uji",
            edition="2024",
            source=IndexSource.PUBLISHED,
            direction=Direction.HIGHER_WORSE,
            bands_regency=BANDS,
        )
        db.session.add_all([definition, before])
        db.session.flush()
        for code, score in (("63.01", 10.0), ("63.02", 90.0)):
            db.session.add(PublishedScore(definition_id=before.id, region_id=region(code).id, score=score))
        for response in db.session.scalars(select(Response)):
            refresh_form_score(response)  # as the entry services do when answers are saved
        db.session.commit()
        return {"definition": definition.id, "before": before.id}


def _rows(app, definition_id, **kwargs):
    with app.app_context():
        definition = db.session.get(IndexDefinition, definition_id)
        ranking = services.build_ranking(db.session, definition, region("63"), date(2026, 1, 1), **kwargs)
        return {r.region.code: r for r in ranking.rows}, ranking


def test_ranking_from_stored_forms(app, scored):
    rows, ranking = _rows(app, scored["definition"])
    tala, tanbu_kota, balangan = rows["63.01"], rows["63.02"], rows["63.11"]
    assert tala.score.mean == pytest.approx(75) and tala.score.n == 2
    # 0, 12.5 and the form whose only valid answers are in B (reversed 1 → 100): mean 37.5
    assert tanbu_kota.score.mean == pytest.approx((0 + 12.5 + 100) / 3) and tanbu_kota.score.n == 3
    assert (tala.rank, tala.band.label) == (1, "rawan tinggi")
    assert (tanbu_kota.rank, tanbu_kota.band.label) == (2, "rawan sedang")
    assert balangan.rank is None and balangan.score.n == 1 and balangan.score.mean == pytest.approx(50)
    assert ranking.total == 2
    assert ranking.dimensions == [("A", "Dimensi A"), ("B", "Dimensi B")]
    assert ranking.missing_dimensions == {"A"}  # the invalid Q1 left one form without dimension A
    assert tala.score.dimensions == {"A": 75, "B": 75}
    # the province's own score pools every form of its regencies
    assert ranking.pooled.n == 6
    assert ranking.pooled.mean == pytest.approx((100 + 50 + 0 + 12.5 + 100 + 50) / 6)
    # against the published 2024 edition (63.02 first, 63.01 second)
    assert (tala.movement, tanbu_kota.movement, balangan.movement) == ("▲1", "▼1", "")
    assert ranking.previous.edition == "2024"


def test_incidents_feed_the_composite(app, users, scored, pin_clock):
    pin_clock(10)
    make_report(app, "operator.tala", items=2, threat_level=ThreatLevel.TINGGI, submit=True)  # 18 weighted
    make_report(app, "operator", items=1, threat_level=ThreatLevel.RENDAH)  # a draft does not count
    with app.app_context():
        today = clock.local_today("Asia/Makassar")
        definition = db.session.get(IndexDefinition, scored["definition"])
        ranking = services.build_ranking(db.session, definition, region("63"), today, use_composite=True)
    rows = {r.region.code: r for r in ranking.rows}
    assert rows["63.01"].incidents == 100 and rows["63.02"].incidents == 0 and rows["63.11"].incidents == 0
    assert ranking.per_capita is False  # the built-in regions carry no population
    assert rows["63.01"].composite == pytest.approx(0.5 * 75 + 0.5 * 100)
    assert rows["63.02"].composite == pytest.approx(0.5 * 37.5)
    assert rows["63.11"].composite is None  # too few forms: no composite either
    assert rows["63.01"].value == rows["63.01"].composite


def test_published_results_rank_the_same_way(app, scored):
    rows, ranking = _rows(app, scored["before"])
    assert ranking.published
    assert (rows["63.02"].rank, rows["63.01"].rank) == (1, 2)
    assert rows["63.11"].rank is None
    assert rows["63.02"].band.label == "rawan tinggi"


def test_ranking_page_shows_the_sentence_chart_and_table(app, users, scored):
    client = app.test_client()
    login(client, "operator.tala")
    page = client.get(f"/peringkat/?indeks={scored['definition']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Kab. Tanah Laut: Peringkat 1 dari 2, rawan tinggi" in html
    assert '<svg class="bar-chart"' in html and 'class="bar sev-2"' in html
    assert "data belum cukup" in html
    assert "▲1" in html
    assert len(page.data) < 100_000


def test_sorting_returns_the_table_only_for_htmx(app, users, scored):
    client = app.test_client()
    login(client, "analis")
    fragment = client.get(
        f"/peringkat/?indeks={scored['definition']}&urut=nama", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="ranking-body">')
    assert "<html" not in fragment
    table = fragment.split('<table class="data ranking">')[1]  # the chart keeps the rank order
    assert table.index("Kab. Balangan") < table.index("Kab. Tanah Laut")
    by_rank = client.get(f"/peringkat/?indeks={scored['definition']}", headers={"HX-Request": "true"})
    table = by_rank.get_data(as_text=True).split('<table class="data ranking">')[1]
    assert table.index("Kab. Tanah Laut") < table.index("Kab. Balangan")


def test_a_bad_filter_is_a_422_with_the_defaults(app, users, scored):
    client = app.test_client()
    login(client, "analis")
    page = client.get("/peringkat/?indeks=99999&urut=<script>")
    assert page.status_code == 422
    assert "Pilihan tidak sah diabaikan" in page.get_data(as_text=True)


def test_exports_follow_the_table(app, users, scored):
    client = app.test_client()
    login(client, "analis")
    csv_text = client.get(f"/peringkat/ekspor.csv?indeks={scored['definition']}").get_data(as_text=True)
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Peringkat,Kode wilayah,Kabupaten/kota,Skor,Kategori")
    assert lines[1].startswith("1,63.01,Kab. Tanah Laut,75.0,rawan tinggi,▲1,2,")
    xlsx = client.get(f"/peringkat/ekspor.xlsx?indeks={scored['definition']}")
    sheet = load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    assert [c.value for c in sheet[2]][:5] == [1, "63.01", "Kab. Tanah Laut", 75.0, "rawan tinggi"]
    assert client.get(f"/peringkat/ekspor.pdf?indeks={scored['definition']}").status_code == 404


def test_print_methodology_and_card(app, users, scored):
    client = app.test_client()
    login(client, "pimpinan")
    printed = client.get(f"/peringkat/cetak?indeks={scored['definition']}").get_data(as_text=True)
    assert "Peringkat Indeks Uji 2025" in printed and "Kab. Tanah Laut" in printed
    method = client.get(f"/peringkat/metodologi/{scored['definition']}").get_data(as_text=True)
    assert "Minimal responden" in method and "2 formulir selesai" in method
    assert "50% skor kuesioner + 50% indikator kejadian" in method
    assert "30,00 ≤ skor &lt; 60,00" in method
    with app.app_context():
        tala = region("63.01").id
        kalteng_regency = region("62.71").id
    card = client.get(f"/peringkat/wilayah/{tala}").get_data(as_text=True)
    assert "Edisi 2025: Peringkat 1 dari 2, rawan tinggi" in card
    assert "Edisi 2024" not in card.split("Riwayat")[0] or "Peringkat" in card
    assert client.get(f"/peringkat/wilayah/{kalteng_regency}").status_code == 404  # another province
    assert client.get(f"/peringkat/wilayah/{region_id_of(app, '63')}").status_code == 404  # not a regency


def region_id_of(app, code):
    with app.app_context():
        return region(code).id


def test_card_lists_only_items_the_user_may_see(app, users, pin_clock):
    pin_clock(10)
    from app.reports.models import Classification

    make_report(
        app,
        "operator.tala",
        threat_level=ThreatLevel.TINGGI,
        title="Bentrok rahasia",
        submit=True,
        classification=Classification.RAHASIA,
    )
    make_report(app, "operator", threat_level=ThreatLevel.TINGGI, title="Blokade jalan", submit=True)
    tala = region_id_of(app, "63.01")
    client = app.test_client()
    login(client, "operator")  # Balangan's operator looks at Tanah Laut
    html = client.get(f"/peringkat/wilayah/{tala}").get_data(as_text=True)
    assert "Bentrok rahasia" not in html
    client = app.test_client()
    login(client, "analis")
    assert "Bentrok rahasia" in client.get(f"/peringkat/wilayah/{tala}").get_data(as_text=True)


# ---------------------------------------------------------------- definitions and published results

DEFINITION_FORM = {
    "name": "Indeks Kewaspadaan Nasional (IKN)",
    "edition": "2025",
    "source": "published",
    "direction": "higher_better",
    "reference": "Kemendagri",
    "min_respondents": "10",
    "bands_regency": "kewaspadaan rendah < 60\nkewaspadaan sedang < 80,5\nkewaspadaan tinggi",
    "bands_province": "",
    "questionnaire_weight": "0,7",
    "incident_weight": "0,3",
    "incident_days": "30",
    "weight_rendah": "1",
    "weight_sedang": "3",
    "weight_tinggi": "9",
}


def test_admin_adds_a_definition_and_bad_bands_keep_the_input(app, users):
    client = app.test_client()
    login(client, "admin")
    bad = client.post(
        "/peringkat/indeks/baru", data={**DEFINITION_FORM, "bands_regency": "rendah < 80\nsedang < 60\ntinggi"}
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Batas kategori harus naik" in html and "sedang &lt; 60" in html
    ok = client.post("/peringkat/indeks/baru", data=DEFINITION_FORM)
    assert ok.status_code == 302
    with app.app_context():
        stored = db.session.scalars(select(IndexDefinition).where(IndexDefinition.edition == "2025")).one()
        assert stored.bands_regency[1] == {"label": "kewaspadaan sedang", "below": 80.5}
        assert stored.direction == Direction.HIGHER_BETTER
    again = client.post("/peringkat/indeks/baru", data=DEFINITION_FORM)
    assert again.status_code == 422 and "sudah ada" in again.get_data(as_text=True)


def test_editing_a_definition_is_version_checked(app, users):
    client = app.test_client()
    login(client, "admin")
    with app.app_context():
        definition = db.session.scalars(select(IndexDefinition).order_by(IndexDefinition.id)).first()
        ident, version, name, edition = definition.id, definition.version, definition.name, definition.edition
    data = {**DEFINITION_FORM, "name": name, "edition": edition, "source": "questionnaire", "min_respondents": "15"}
    assert client.post(f"/peringkat/indeks/{ident}", data={**data, "version": str(version)}).status_code == 302
    stale = client.post(f"/peringkat/indeks/{ident}", data={**data, "version": str(version), "min_respondents": "20"})
    assert stale.status_code == 409
    with app.app_context():
        assert db.session.get(IndexDefinition, ident).min_respondents == 15


def _ikp(app):
    with app.app_context():
        return db.session.scalars(
            select(IndexDefinition.id).where(IndexDefinition.name == "Indeks Kerawanan Pemilu (IKP)")
        ).one()


def test_province_records_and_uploads_published_results(app, users):
    client = app.test_client()
    login(client, "analis")
    ikp = _ikp(app)
    with app.app_context():
        balangan, kalteng = region("63.11").id, region("62.71").id
    zero = client.post(f"/peringkat/indeks/{ikp}/skor", data={"region_id": balangan, "score": "0", "source": "Bawaslu"})
    assert zero.status_code == 302, zero.get_data(as_text=True)  # 0 is a score, not a blank
    refused = client.post(f"/peringkat/indeks/{ikp}/skor", data={"region_id": kalteng, "score": "50"})
    assert refused.status_code == 422  # another province's regency is not offered
    assert "Pilih wilayah dari daftar" in refused.get_data(as_text=True)
    upload = "kode;skor;kategori;sumber\n63.11;55,5;Tinggi;Bawaslu\n63.01;abc;;\n62.71;10;;\n63.02;12;Rendah;\n"
    page = client.post(
        f"/peringkat/indeks/{ikp}/skor/unggah",
        data={"file": (io.BytesIO(upload.encode()), "ikp.csv")},
        content_type="multipart/form-data",
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Baris 3" in html and "Baris 4" in html and "di luar wilayah Anda" in html
    with app.app_context():
        stored = {
            s.region.code: (s.score, s.category)
            for s in db.session.scalars(select(PublishedScore).where(PublishedScore.definition_id == ikp))
        }
    assert stored == {"63.11": (55.5, "Tinggi"), "63.02": (12.0, "Rendah")}
    ranking = client.get(f"/peringkat/?indeks={ikp}").get_data(as_text=True)
    assert "Peringkat" in ranking and "55,50" in ranking


def test_an_unreadable_upload_is_refused_with_a_message(app, users):
    client = app.test_client()
    login(client, "analis")
    ikp = _ikp(app)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(PublishedScore))
    page = client.post(
        f"/peringkat/indeks/{ikp}/skor/unggah",
        data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n...."), "skor.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 422
    assert "Berkas tidak dikenali" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PublishedScore)) == before


def test_questionnaire_indices_have_no_published_page(app, users):
    client = app.test_client()
    login(client, "admin")
    with app.app_context():
        questionnaire = db.session.scalars(
            select(IndexDefinition.id).where(IndexDefinition.source == IndexSource.QUESTIONNAIRE)
        ).first()
    assert client.get(f"/peringkat/indeks/{questionnaire}/skor").status_code == 404
