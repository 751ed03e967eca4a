"""In Chromium: the operator opens the ranking, reads their sentence and the chart, re-sorts, opens the card."""

import pytest
from playwright.sync_api import expect

from app import clock, demo
from app.extensions import db
from app.scoring import services
from app.scoring.models import IndexDefinition
from app.scoring.scoring import phrase

from ..conftest import PASSWORD
from ..factories import region

pytestmark = pytest.mark.browser


def _seed_and_expect(app) -> str:
    """The demo forms of the 13 Kalsel regencies; returns Balangan's sentence as the services compute it."""
    with app.app_context():
        assert demo.seed_surveys(db.session, analyst_name="analis") > 0
        db.session.commit()
        definition = db.session.scalars(
            db.select(IndexDefinition).where(IndexDefinition.name == "Indeks Kerawanan Pilkada")
        ).one()
        ranking = services.build_ranking(db.session, definition, region("63"), clock.local_today("Asia/Makassar"))
        balangan = next(r for r in ranking.rows if r.region.code == "63.11")
        assert ranking.total == 12  # Tanah Bumbu returned too few forms
        return f"Kab. Balangan: {phrase(balangan.rank, ranking.total, balangan.band)}"


def test_operator_reads_the_ranking_and_opens_the_score_card(app, page, live_server):
    sentence = _seed_and_expect(app)
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{live_server}/masuk")
    page.get_by_label("Nama pengguna").fill("operator")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("link", name="Peringkat").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Peringkat kabupaten/kota")
    expect(page.locator(".headline")).to_contain_text(sentence)
    assert "Peringkat" in sentence and "dari 12, rawan" in sentence
    chart = page.get_by_role("img", name="Skor Indeks Kerawanan Pilkada 2024 per kabupaten/kota, Kalimantan Selatan")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.bar")).to_have_count(12)
    expect(chart.locator("line.average")).to_have_count(1)
    expect(chart).to_contain_text("data belum cukup")
    rows = page.locator("table.ranking tbody tr")
    expect(rows).to_have_count(13)
    expect(rows.first.locator("td").first).to_have_text("1")

    # Sorting by name swaps only the ranking body (the heading keeps its mark) and updates the address.
    page.get_by_role("heading", level=1).evaluate("h => h.dataset.kept = 'yes'")
    page.locator("table.ranking thead").get_by_role("link", name="Kabupaten/kota").click()
    expect(rows.first.locator("th")).to_have_text("Kab. Balangan")
    expect(page).to_have_url(f"{live_server}/peringkat/?urut=nama&indeks=1&dasar=kuesioner")
    expect(page.get_by_role("heading", level=1)).to_have_attribute("data-kept", "yes")

    page.locator("table.ranking").get_by_role("link", name="Kab. Balangan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kartu skor Kab. Balangan")
    expect(page.locator(".score-card .headline")).to_contain_text(sentence.removeprefix("Kab. Balangan: "))
    assert errors == []
