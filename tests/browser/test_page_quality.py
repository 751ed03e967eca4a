"""Page quality on the demo data, in Chromium: axe-core finds no WCAG 2.1 AA violation on any main page of any
role, each page with all it loads weighs at most 100 KB on the wire, and the Nu Html Checker finds no error
(htmx's own attributes aside). Key htmx states are checked with axe too.

The pages are audited once each, on demand, and the results kept for the module. The demo month is seeded
into a SQLite file of this module's (on PostgreSQL runs too: this checks markup, not storage).
"""

import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app import audit, clock, demo
from app.auth.models import User
from app.auth.services import actor_for
from app.extensions import db
from app.lapsus import services as lapsus_services
from app.meetings.models import Meeting
from app.regions.models import Region
from app.reports import services as report_services
from app.reports.models import Aspect, Classification, DailyReport, ReportEvent, ThreatLevel
from app.reports.services import HeaderData, find_report
from app.scoring.models import IndexDefinition, IndexSource, PublishedScore
from app.surveys.models import Response, Round, Survey

from ..conftest import make_app
from ..factories import item_data
from . import pagequality as pq

pytestmark = pytest.mark.browser

ROLES = {
    "admin": "admin",
    "analis": "analis.kalsel",
    "operator": "operator.balangan",
    "fasilitator": "fasilitator.balangan",
    "pimpinan": "pimpinan.kalsel",
}
# name → (role or None for a visitor, URL pattern filled from the demo's ids, expected HTTP status)
PAGES = {
    "masuk": (None, "/masuk", 200),
    "admin-beranda": ("admin", "/", 200),
    "admin-pengguna": ("admin", "/pengguna", 200),
    "admin-pengguna-baru": ("admin", "/pengguna/baru", 200),
    "admin-pengguna-ubah": ("admin", "/pengguna/{operator_id}", 200),
    "admin-wilayah": ("admin", "/wilayah/", 200),
    "admin-wilayah-detail": ("admin", "/wilayah/63.11", 200),
    "admin-audit": ("admin", "/audit/", 200),
    "admin-pengaturan": ("admin", "/pengaturan", 200),
    "admin-kategori": ("admin", "/laporan/kategori/", 200),
    "admin-indeks": ("admin", "/peringkat/indeks", 200),
    "admin-indeks-ubah": ("admin", "/peringkat/indeks/{definition_id}", 200),
    "admin-kuesioner-templat": ("admin", "/kuesioner/templat/{survey_id}", 200),
    "admin-kuesioner-pratinjau": ("admin", "/kuesioner/templat/{survey_id}/pratinjau", 200),
    "analis-beranda": ("analis", "/", 200),
    "analis-laporan": ("analis", "/laporan/", 200),
    "analis-laporan-detail": ("analis", "/laporan/{report_id}", 200),
    "analis-kepatuhan-minggu": ("analis", "/laporan/kepatuhan/", 200),
    "analis-kepatuhan-bulan": ("analis", "/laporan/kepatuhan/?tampilan=bulan", 200),
    "analis-kepatuhan-pengaturan": ("analis", "/laporan/kepatuhan/pengaturan", 200),
    "analis-rekap": ("analis", "/laporan/rekap/", 200),
    "analis-rekap-cetak": ("analis", "/laporan/rekap/cetak", 200),
    "analis-cari": ("analis", "/laporan/cari/?q=warga", 200),
    "analis-lapsus": ("analis", "/lapsus/", 200),
    "analis-lapsus-detail": ("analis", "/lapsus/{lapsus_id}", 200),
    "analis-peringkat": ("analis", "/peringkat/", 200),
    "analis-peringkat-cetak": ("analis", "/peringkat/cetak", 200),
    "analis-metodologi": ("analis", "/peringkat/metodologi/{definition_id}", 200),
    "analis-skor-wilayah": ("analis", "/peringkat/wilayah/{balangan_id}", 200),
    "analis-skor-terbit": ("analis", "/peringkat/indeks/{published_id}/skor", 200),
    "analis-profil": ("analis", "/profil/{balangan_id}", 200),
    "analis-peta": ("analis", "/peta/", 200),
    "analis-notifikasi": ("analis", "/notifikasi/", 200),
    "analis-tindak-lanjut": ("analis", "/tindak-lanjut/", 200),
    "analis-kuesioner": ("analis", "/kuesioner/", 200),
    "analis-putaran": ("analis", "/kuesioner/putaran/{round_id}", 200),
    "analis-isian": ("analis", "/kuesioner/isian/{response_id}", 200),
    "analis-kata-sandi": ("analis", "/akun/kata-sandi", 200),
    "analis-404": ("analis", "/laporan/999999", 404),
    "operator-beranda": ("operator", "/", 200),
    "operator-laporan": ("operator", "/laporan/", 200),
    "operator-laporan-hari-ini": ("operator", "/laporan/hari-ini", 200),
    "operator-laporan-draf": ("operator", "/laporan/{draft_id}", 200),
    "operator-lapsus-baru": ("operator", "/lapsus/baru", 200),
    "operator-notifikasi": ("operator", "/notifikasi/", 200),
    "operator-403": ("operator", "/pengguna", 403),
    "fasilitator-beranda": ("fasilitator", "/", 200),
    "fasilitator-rapat": ("fasilitator", "/rapat/", 200),
    "fasilitator-rapat-kalender": ("fasilitator", "/rapat/?tampilan=kalender", 200),
    "fasilitator-rapat-baru": ("fasilitator", "/rapat/baru", 200),
    "fasilitator-rapat-detail": ("fasilitator", "/rapat/{meeting_id}", 200),
    "fasilitator-rapat-hadir": ("fasilitator", "/rapat/{meeting_id}/hadir", 200),
    "fasilitator-rapat-notulen": ("fasilitator", "/rapat/{meeting_id}/notulen", 200),
    "fasilitator-rapat-daftar-hadir": ("fasilitator", "/rapat/{meeting_id}/daftar-hadir", 200),
    "fasilitator-rapat-notulen-cetak": ("fasilitator", "/rapat/{meeting_id}/notulen/cetak", 200),
    "fasilitator-rapat-akan-datang": ("fasilitator", "/rapat/{upcoming_id}", 200),
    "fasilitator-tindak-lanjut": ("fasilitator", "/tindak-lanjut/", 200),
    "pimpinan-beranda": ("pimpinan", "/", 200),
    "pimpinan-peringkat": ("pimpinan", "/peringkat/", 200),
    "tidak-ada-404": (None, "/tidak-ada-halaman-ini", 404),
}


@dataclass
class Audit:
    """What one page load gave: axe's violations, bytes on the wire, and the served HTML."""

    url: str
    violations: list[dict]
    transferred: int
    heaviest: str
    html: str


def _seed_extras(app) -> dict[str, int]:
    """Beside the demo month: a LAPSUS awaiting acknowledgement and a Balangan draft with items; returns ids."""
    with app.app_context():
        session = db.session
        operator = session.scalars(select(User).where(User.username == ROLES["operator"])).one()
        audit.set_actor(session, actor_for(operator, via="test"))
        today = clock.local_today(operator.region.timezone)
        lapsus = lapsus_services.file_lapsus(
            session,
            operator,
            item_data(title="Bentrok warga dan petugas keamanan perusahaan", threat_level=ThreatLevel.TINGGI),
            Classification.TERBATAS,
            clock.utcnow(),
        )
        day = next(
            d
            for d in (today - timedelta(days=n) for n in range(1, 365))
            if not find_report(session, operator.region_id, d)
        )
        draft = report_services.start_report(session, operator, operator.region, day, today)
        report_services.save_header(
            session, draft, operator, HeaderData(2, "Perlu kewaspadaan.", draft.classification), None
        )
        for title, aspect in (
            ("Unjuk rasa sopir angkutan batu bara", Aspect.EKONOMI),
            ("Hoaks jadwal pemilihan", Aspect.POLITIK),
        ):
            report_services.add_item(session, draft, operator, item_data(title=title, aspect=aspect, occurred_date=day))
        published = select(IndexDefinition).where(IndexDefinition.source == IndexSource.PUBLISHED)
        ikp = session.scalars(published.order_by(IndexDefinition.id)).first()
        regencies = session.scalars(select(Region).where(Region.code.like("63.%")).order_by(Region.code)).all()
        for n, regency in enumerate(regencies[:4]):
            session.add(PublishedScore(definition=ikp, region=regency, score=40 + 7 * n, source="Bawaslu RI"))
        session.commit()
        return {"lapsus_id": lapsus.id, "draft_id": draft.id}


def _demo_ids(app) -> dict[str, int]:
    """The ids the page URLs need, picked from the demo data."""
    with app.app_context():
        session = db.session
        one = session.scalar
        balangan = one(select(Region.id).where(Region.code == "63.11"))
        kalsel_reports = (
            select(DailyReport.id)
            .join(Region)
            .where(Region.code.like("63.%"), DailyReport.nihil.is_(False), DailyReport.first_submitted_at.is_not(None))
        )
        events = func.count(ReportEvent.id)
        busiest = one(
            select(ReportEvent.report_id)
            .where(ReportEvent.report_id.in_(kalsel_reports))
            .group_by(ReportEvent.report_id)
            .order_by(events.desc(), ReportEvent.report_id)
            .limit(1)
        )
        survey = one(select(Survey.id).where(Survey.index_name == "Indeks Kerawanan Pilkada").order_by(Survey.id))
        round_id = one(select(Round.id).where(Round.region_id == balangan))
        return {
            "balangan_id": balangan,
            "operator_id": one(select(User.id).where(User.username == ROLES["operator"])),
            "report_id": busiest,
            "definition_id": one(select(IndexDefinition.id).order_by(IndexDefinition.id)),
            "published_id": one(
                select(IndexDefinition.id)
                .where(IndexDefinition.source == IndexSource.PUBLISHED)
                .order_by(IndexDefinition.id)
            ),
            "survey_id": survey,
            "round_id": round_id,
            "response_id": one(select(Response.id).where(Response.round_id == round_id).order_by(Response.id)),
            "meeting_id": one(select(func.min(Meeting.id))),
            "upcoming_id": one(select(func.max(Meeting.id))),
        }


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The app with the demo month (plus a LAPSUS and a draft) on a free loopback port; yields (URL, ids)."""
    pq.require_tools()
    folder = tmp_path_factory.mktemp("page-quality")
    app = make_app(f"sqlite:///{folder / 'waspada.sqlite'}", folder / "instance")
    runner = app.test_cli_runner()
    for args in (["init-db"], ["seed-demo", "--days", "30"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    ids = {**_demo_ids(app), **_seed_extras(app)}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", ids
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def tabs(browser, demo_site):
    """One logged-in tab per role (and one for a visitor), each counting its traffic; opened when first asked."""
    base, _ids = demo_site
    opened = {}

    def tab(role: str | None):
        if role not in opened:
            context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 800})
            page = context.new_page()
            traffic = pq.watch_traffic(page)
            if role:
                page.goto(f"{base}/masuk")
                page.get_by_label("Nama pengguna").fill(ROLES[role])
                page.get_by_label("Kata sandi").fill(demo.DEMO_PASSWORD)
                page.get_by_role("button", name="Masuk").click()
                expect(page.get_by_role("button", name="Keluar")).to_be_visible()
            opened[role] = (page, traffic)
        return opened[role]

    yield tab
    for page, _traffic in opened.values():
        page.context.close()


@pytest.fixture(scope="module")
def audited(demo_site, tabs):
    """`audited(name)` loads a page of PAGES once (cold cache), runs axe on it and keeps the result."""
    base, ids = demo_site
    done: dict[str, Audit] = {}

    def run(name: str) -> Audit:
        if name not in done:
            role, pattern, status = PAGES[name]
            page, traffic = tabs(role)
            url = base + pattern.format(**ids)
            response = page.goto(url, wait_until="networkidle")
            assert response.status == status, f"{url}: HTTP {response.status}, expected {status}"
            assert role is None or "/masuk" not in page.url, f"{url} sent {role} to the log-in page"
            violations = pq.run_axe(page)
            done[name] = Audit(url, violations, traffic.total, traffic.heaviest(), response.text())
        return done[name]

    return run


@pytest.mark.parametrize("name", PAGES)
def test_no_wcag_aa_violations(audited, name):
    """axe-core (WCAG 2.0/2.1 A and AA rules) finds nothing on the page."""
    result = audited(name)
    assert not result.violations, f"{result.url}\n{pq.describe_violations(result.violations)}"


@pytest.mark.parametrize("name", PAGES)
def test_page_weight(audited, name):
    """The page and everything it loads come to at most 100 KB on the wire, with an empty cache."""
    result = audited(name)
    assert 0 < result.transferred <= pq.MAX_PAGE_BYTES, f"{result.url}: {result.transferred} B ({result.heaviest})"


def test_markup_is_valid(audited, tmp_path):
    """The Nu Html Checker finds no error in any page's HTML (as served), the stylesheet or the icon."""
    files = []
    for name in PAGES:
        path = tmp_path / f"{name}.html"
        path.write_text(audited(name).html, encoding="utf-8")
        files.append(path)
    files += [pq.ROOT / "static" / "css" / "app.css", pq.ROOT / "static" / "img" / "favicon.svg"]
    errors = [m for m in pq.vnu_messages(files) if not pq.is_htmx_attribute(m)]
    assert not errors, pq.describe_vnu(errors)


def _assert_axe_clean(page, state: str) -> None:
    """axe on the page once htmx has settled (after a swap)."""
    pq.settle(page)
    violations = pq.run_axe(page)
    assert not violations, f"{state} ({page.url})\n{pq.describe_violations(violations)}"


def test_htmx_item_edit_form_and_422_errors(demo_site, tabs):
    """The incident edit form swapped into a draft report, then its 422 error fragment, have no violations."""
    base, ids = demo_site
    page, _traffic = tabs("operator")
    page.goto(f"{base}/laporan/{ids['draft_id']}")
    item = page.locator("article.item").first
    item.get_by_role("link", name="Ubah").click()
    title = page.locator("form.item-form").get_by_label("Judul", exact=False).first
    expect(title).to_be_visible()
    _assert_axe_clean(page, "item edit form")
    title.fill("")
    page.locator("form.item-form").get_by_role("button", name="Simpan").click()
    expect(page.locator("form.item-form [aria-invalid='true']").first).to_be_visible()
    _assert_axe_clean(page, "item form with 422 errors")


def test_htmx_board_cell_map_layer_and_ranking_sort(demo_site, tabs):
    """The board's report panel, a swapped map layer and the re-sorted ranking have no violations."""
    base, _ids = demo_site
    page, _traffic = tabs("analis")
    page.goto(f"{base}/laporan/kepatuhan/")
    page.locator("table.board td a").first.click()
    expect(page.locator("#board-detail h2")).not_to_have_text("Rincian")
    _assert_axe_clean(page, "board cell panel")
    page.goto(f"{base}/")
    page.locator("#peta").get_by_label("Lapisan").select_option("kejadian30")
    expect(page.locator("#peta h2")).to_contain_text("30 hari")
    _assert_axe_clean(page, "map layer kejadian30")
    page.goto(f"{base}/peringkat/")
    page.locator("#ranking-body thead a").last.click()
    expect(page.locator("#ranking-body thead a[aria-current='true']")).to_have_count(1)
    _assert_axe_clean(page, "ranking re-sorted")


def test_failed_login_message(demo_site, browser):
    """The log-in page with its error message (wrong password) has no violations."""
    base, _ids = demo_site
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    page.goto(f"{base}/masuk")
    page.get_by_label("Nama pengguna").fill("tidak.ada")
    page.get_by_label("Kata sandi").fill("salah-sekali-123")
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("[aria-invalid='true'], .form-errors, .errors").first).to_be_visible()
    _assert_axe_clean(page, "failed log-in")
    context.close()


# ---------------------------------------------------------------- the checkers catch planted faults

BAD_PAGE = """<!doctype html><html><head><title>x</title></head><body>
<p style="color:#bbb;background:#fff">pucat sekali</p><input id="q"><img src="/x.png">
<a href="/a"></a></body></html>"""


def test_axe_catches_planted_violations_under_our_csp(browser):
    """axe, injected as the real tests inject it, reports faults on a page served with our CSP."""
    context = browser.new_context()
    page = context.new_page()
    csp = "default-src 'self'; style-src 'self' 'unsafe-inline'"  # inline style only to plant the contrast fault
    page.route(
        "http://waspada.test/",
        lambda route: route.fulfill(
            status=200, body=BAD_PAGE, headers={"Content-Type": "text/html", "Content-Security-Policy": csp}
        ),
    )
    page.goto("http://waspada.test/")
    found = {v["id"] for v in pq.run_axe(page)}
    assert {"color-contrast", "label", "image-alt", "link-name", "html-has-lang"} <= found, found
    assert "color-contrast" in pq.describe_violations(pq.run_axe(page))
    context.close()


def test_axe_catches_a_fault_planted_in_a_real_page(demo_site, tabs):
    """On a real page (our CSP, our stylesheet) removing a label and greying a heading is noticed."""
    base, _ids = demo_site
    page, _traffic = tabs(None)
    page.goto(f"{base}/masuk")
    assert pq.run_axe(page) == []
    page.evaluate("""() => {
        document.querySelectorAll('label').forEach(l => l.remove());
        document.querySelector('h1').classList.add('muted');
        document.querySelector('h1').style.color = '#c8c8c8';
    }""")
    assert {"label", "color-contrast"} <= {v["id"] for v in pq.run_axe(page)}


def test_weight_counter_sees_an_uncompressed_page_over_the_limit(demo_site, browser):
    """Without gzip (Accept-Encoding: identity) the compliance month is over 100 KB, and the counter says so."""
    base, _ids = demo_site
    context = browser.new_context(extra_http_headers={"Accept-Encoding": "identity"})
    page = context.new_page()
    traffic = pq.watch_traffic(page)
    page.goto(f"{base}/masuk")
    page.get_by_label("Nama pengguna").fill(ROLES["analis"])
    page.get_by_label("Kata sandi").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.goto(f"{base}/laporan/kepatuhan/?tampilan=bulan", wait_until="networkidle")
    assert traffic.total > pq.MAX_PAGE_BYTES, traffic.heaviest()
    assert any(
        url.endswith("/static/vendor/htmx.min.js") and size > 50_000 for url, size in traffic.page_requests().items()
    )
    context.close()


def test_vnu_reports_planted_errors_and_forgives_only_hx_attributes(tmp_path):
    """vnu finds a duplicate id, a form inside a span and a bad attribute; only the hx-get message is filtered."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!doctype html><html lang="id"><head><title>x</title></head><body>'
        '<p id="a" hx-get="/x">x</p><p id="a" aria-label="y">y</p><span><form></form></span>'
        '<a href="/x" hx-target="#a" target2="z">z</a></body></html>',
        encoding="utf-8",
    )
    messages = pq.vnu_messages([bad])
    kept = [m["message"] for m in messages if not pq.is_htmx_attribute(m)]
    forgiven = [m["message"] for m in messages if pq.is_htmx_attribute(m)]
    assert len(forgiven) == 2 and all("hx-" in m for m in forgiven), forgiven
    assert any("Duplicate ID" in m for m in kept), kept
    assert any("“form” not allowed as child of element “span”" in m for m in kept), kept
    assert any("target2" in m for m in kept), kept
    assert any("aria-label" in m for m in kept), kept
