"""A coordination meeting in Chromium: plan, attendance (two people from the registry), minutes, follow-ups,
finalise, print."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.meetings import services
from app.meetings.models import MeetingKind, Sex
from app.meetings.services import MeetingData, PersonData

from ..conftest import PASSWORD
from ..factories import region, user

pytestmark = pytest.mark.browser


@pytest.fixture
def registry(app, users):
    """Two people met at an earlier Balangan meeting."""
    with app.app_context():
        facilitator = user("fasilitator")
        earlier = services.create_meeting(
            db.session,
            facilitator,
            region("63.11"),
            MeetingData(
                "Rakor bulan lalu", MeetingKind.RAKOR_KEWASPADAAN, datetime.now(UTC) - timedelta(days=30), None, "Aula"
            ),
        )
        for person in (
            PersonData("Kompol Hendra Saputra", "Kasat Intelkam", "Polres Balangan", "polri", Sex.L, None),
            PersonData("Hj. Normah", "Ketua", "FKUB Balangan", "fkub", Sex.P, None),
        ):
            services.add_new_attendee(db.session, earlier, facilitator, person)
        db.session.commit()


def _add_new(page, name, instansi, unsur, sex):
    form = page.locator("#attendee-form")
    form.get_by_label("Nama").fill(name)
    form.get_by_label("Instansi/lembaga").fill(instansi)
    form.get_by_label("Unsur").select_option(label=unsur)
    form.get_by_label("L/P").select_option(sex)
    form.get_by_role("button", name="Tambahkan ke daftar").click()
    expect(page.locator("#attendance-rows")).to_contain_text(name)
    # The answer also swaps in a fresh form; typing before that lands would type into the old one.
    expect(page.locator("#attendee-form").get_by_label("Nama")).to_have_value("")


def _pick(page, typed, name):
    # Typed key by key, as a person does: a form htmx has just swapped in listens from its settle on,
    # so a single programmatic fill right after a swap can go unheard.
    page.locator("#attendee-form").get_by_label("Nama").press_sequentially(typed, delay=60)
    page.locator("#suggestions").get_by_role("button", name=re.compile(name)).click()
    expect(page.locator("#attendance-rows")).to_contain_text(name)
    expect(page.locator("#attendee-form").get_by_label("Nama")).to_have_value("")


def test_meeting_from_plan_to_print(browser, live_server, registry):
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{live_server}/masuk")
    page.get_by_label("Nama pengguna").fill("fasilitator")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Rapat").click()
    page.get_by_role("link", name="Rencanakan rapat").click()
    page.get_by_label("Judul rapat").fill("Rakor Kewaspadaan Dini Pilkada")
    page.get_by_label("Tanggal").fill((datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%d"))
    page.get_by_label("Jam mulai").fill("09:00")
    page.get_by_label("Tempat").fill("Aula Kesbangpol Balangan")
    page.get_by_label("Pimpinan rapat", exact=True).fill("Drs. H. Rahmat")
    page.get_by_label("Notulis", exact=True).fill("Siti Rahmah")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rakor Kewaspadaan Dini Pilkada")

    # Agenda, added in place.
    page.locator("#acara").get_by_label("Acara").fill("Situasi kamtibmas menjelang pilkada")
    page.locator("#acara").get_by_label("Penyaji").fill("Kapolres")
    page.locator("#acara").get_by_role("button", name="Tambah acara").click()
    expect(page.locator("#acara ol")).to_contain_text("Situasi kamtibmas")

    # Attendance: three new people and two from the registry, then marking.
    page.get_by_role("navigation", name="Bagian rapat").get_by_role("link", name="Daftar hadir").click()
    _add_new(page, "Letkol Inf. Arif", "Kodim 1001", "TNI", "L")
    _add_new(page, "Dewi Lestari", "KPU Balangan", "Bawaslu/KPU", "P")
    _add_new(page, "Rudi Hartono", "Radar Banjarmasin", "Media/pers", "L")
    _pick(page, "hend", "Kompol Hendra Saputra")
    _pick(page, "norm", "Hj. Normah")
    rows = page.locator("#attendance-rows tr")
    expect(rows).to_have_count(5)
    for index in range(4):
        rows.nth(index).get_by_role("button", name=re.compile("^Hadir")).click()
        expect(rows.nth(index)).to_have_class(re.compile("present"))
    rows.nth(4).get_by_role("button", name=re.compile("^Tidak hadir")).click()
    counts = page.locator("#attendance-counts")
    expect(counts).to_contain_text("4 hadir dari 5 peserta")
    expect(counts).to_contain_text("L 3, P 1")

    # Minutes autosave, then two follow-ups from the conclusions.
    page.get_by_role("navigation", name="Bagian rapat").get_by_role("link", name="Notulen dan tindak lanjut").click()
    page.get_by_label(re.compile("Jalannya rapat")).fill("Kapolres: situasi kondusif, ada potensi politik uang.")
    page.get_by_label("Keputusan/kesimpulan").fill(
        "1. Patroli gabungan menjelang hari tenang\n2. Sosialisasi netralitas ASN"
    )
    expect(page.locator("#minutes-status")).to_contain_text("Tersimpan otomatis")
    expect(page.locator("#conclusion-lines")).to_contain_text("Sosialisasi netralitas ASN")  # saved, listed
    for number, responsible in ((1, "Polres Balangan"), (2, "BKPSDM Balangan")):
        page.locator("#conclusion-lines").get_by_role("link").nth(number - 1).click()
        expect(page.locator(".follow-up-form").get_by_label("Uraian tindak lanjut")).not_to_have_value("")
        form = page.locator(".follow-up-form")
        form.get_by_label("Penanggung jawab").fill(responsible)
        form.get_by_label("Batas waktu").fill((datetime.now(UTC) + timedelta(days=14)).strftime("%Y-%m-%d"))
        form.get_by_role("button", name="Tambah tindak lanjut").click()
        expect(page.locator("#tindak-lanjut table")).to_contain_text(responsible)
    expect(page.locator("#tindak-lanjut tbody tr")).to_have_count(2)

    # Finalise: read-only afterwards.
    page.get_by_role("navigation", name="Bagian rapat").get_by_role("link", name="Rencana dan acara").click()
    page.get_by_role("button", name="Finalkan rapat").click()
    expect(page.locator(".badges")).to_contain_text("Final")
    page.get_by_role("navigation", name="Bagian rapat").get_by_role("link", name="Daftar hadir").click()
    expect(page.get_by_role("heading", name="Tambah peserta")).to_have_count(0)

    # Print: the notulen with the signature block.
    page.get_by_role("navigation", name="Bagian rapat").get_by_role("link", name="Rencana dan acara").click()
    page.get_by_role("link", name="Notulen rapat").click()
    expect(page.get_by_role("heading", name="NOTULEN RAPAT")).to_be_visible()
    expect(page.locator(".signatures-two")).to_contain_text("Drs. H. Rahmat")
    expect(page.locator("main")).to_contain_text("4 orang hadir dari 5 undangan")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert errors == []
    context.close()
