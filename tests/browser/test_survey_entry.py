"""Three paper forms typed with the keyboard only, as a facilitator does after a rakor; keystrokes counted."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.surveys import services
from app.surveys.models import Response, Survey

from ..conftest import PASSWORD
from ..factories import region, user

pytestmark = pytest.mark.browser
# Per question type, the keys that ARE the answer (they do not count as overhead).
ANSWERS = {"scale": "4", "choice": "2", "yesno": "1", "number": "15", "text": ""}


@pytest.fixture
def round_id(app, users):
    """An open round of the example Pilkada questionnaire in Kab. Balangan, expecting 25 forms."""
    with app.app_context():
        survey = db.session.scalars(select(Survey).where(Survey.is_example, Survey.name.contains("Pilkada"))).one()
        round_ = services.open_round(
            db.session, user("fasilitator"), survey, region("63.11"), "Rakor Desember", 25, False, None
        )
        db.session.commit()
        return round_.id


def test_three_forms_by_keyboard(app, browser, live_server, round_id):
    with app.app_context():
        survey = db.session.get(Survey, db.session.get(services.Round, round_id).survey_id)
        types = [q.qtype.value for q in survey.questions]
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/masuk")
    page.get_by_label("Nama pengguna").fill("fasilitator")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.goto(f"{live_server}/kuesioner/putaran/{round_id}")
    page.get_by_role("button", name="Entri formulir berikutnya").click()

    overhead = []
    for number in (1, 2, 3):
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Formulir {number} dari 25")
        expect(page.locator("#unsur")).to_be_focused()
        extra = 0
        for key in ("p", "Tab", "l", "Tab", "3", "Tab"):  # unsur Polri, L, umur 36–45
            page.keyboard.press(key)
            extra += 1
        for index, qtype in enumerate(types):
            page.keyboard.type(ANSWERS[qtype])
            if index < len(types) - 1:
                page.keyboard.press("Tab")
                extra += 1
        page.keyboard.press("Enter")
        extra += 1
        overhead.append(extra)
        if number < 3:
            expect(page.get_by_text(f"Formulir {number} tersimpan.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Formulir 4 dari 25")
    print(f"\nkeystrokes beyond the answers per 21-question form: {overhead}")
    assert all(n <= 40 for n in overhead)

    with app.app_context():
        forms = db.session.scalars(select(Response).where(Response.round_id == round_id).order_by(Response.number))
        done = [f for f in forms if f.completed]
        assert [f.number for f in done] == [1, 2, 3]
        assert all(f.unsur == "polri" and f.sex == "L" and f.age_band == "36-45" for f in done)
        assert all(len(f.answers) == 20 for f in done)

    # A wrong key is marked at once and blocks finishing; nothing typed is lost. The fourth form is a new
    # page: type only once it has loaded (htmx bound) and autofocus has put the cursor on "unsur".
    page.wait_for_load_state()
    expect(page.locator("#unsur")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("9")
    page.keyboard.press("Tab")
    first_question = page.locator(".entry-q").first
    expect(first_question.locator(".mark")).to_contain_text("1 sampai 5")
    page.keyboard.press("Enter")
    expect(page.locator(".flash-error")).to_contain_text("belum lengkap")
    expect(first_question.locator("input")).to_have_value("9")
    expect(page.locator(".entry-q.has-error")).to_have_count(21 - 1)  # 19 required blanks + the wrong 9
    assert re.search(r"/kuesioner/isian/\d+/selesai$", page.url)
    context.close()
