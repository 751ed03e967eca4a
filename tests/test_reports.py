"""Daily reports: the workflow services and the report pages (full page, htmx fragments, error paths)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.audit import AuditLog
from app.extensions import db
from app.reports import services
from app.reports.models import Classification, DailyReport, ReportEvent, ReportItem, ReportStatus
from app.reports.services import ReportError, StaleEdit

from .conftest import login
from .factories import get_report, item_data, make_report, region, user

WITA_TODAY = lambda: clock.local_today("Asia/Makassar")  # noqa: E731


# ---------------------------------------------------------------- services


def test_start_report_is_unique_per_region_and_date(app, users):
    with app.app_context():
        operator = user("operator")
        today = WITA_TODAY()
        first = services.start_report(db.session, operator, operator.region, today, today)
        again = services.start_report(db.session, operator, operator.region, today, today)
        assert first.id == again.id and first.status == ReportStatus.DRAFT


@pytest.mark.parametrize(("days", "message"), [(-1, "melewati hari ini"), (400, "satu tahun")])
def test_report_date_must_be_today_or_within_a_year_back(app, users, days, message):
    with app.app_context():
        operator = user("operator")
        today = WITA_TODAY()
        with pytest.raises(ReportError, match=message):
            services.start_report(db.session, operator, operator.region, today - timedelta(days=days), today)


@pytest.mark.parametrize("username", ["fasilitator", "operator.tala", "analis", "pimpinan", "admin"])
def test_only_the_regions_operator_files(app, users, username):
    with app.app_context():
        someone = user(username)
        today = WITA_TODAY()
        with pytest.raises(ReportError):
            services.start_report(db.session, someone, region("63.11"), today, today)


def test_full_workflow_submit_return_resubmit_verify(app, users):
    report_id = make_report(app, items=2)
    with app.app_context():
        operator, analyst = user("operator"), user("analis")
        report = db.session.get(DailyReport, report_id)
        services.submit_report(db.session, report, operator, clock.utcnow())
        assert report.status == ReportStatus.SUBMITTED and report.first_submitted_at is not None
        with pytest.raises(ReportError, match="tidak dapat diubah"):
            services.add_item(db.session, report, operator, item_data())
        services.return_report(db.session, report, analyst, clock.utcnow(), ["fakta"], "Lengkapi kronologi.")
        assert report.status == ReportStatus.RETURNED and report.return_reasons == ["fakta"]
        report.items[0].title = "Judul diperbaiki"
        services.submit_report(db.session, report, operator, clock.utcnow())
        assert report.revision == 1
        services.verify_report(db.session, report, analyst, clock.utcnow())
        assert report.status == ReportStatus.VERIFIED and report.reviewed_by_id == analyst.id
        with pytest.raises(ReportError):
            services.return_report(db.session, report, analyst, clock.utcnow(), ["fakta"], None)
        db.session.commit()
        actions = [e.action for e in report.events]
        assert actions == ["submitted", "returned", "resubmitted", "verified"]
        snapshots = [e.snapshot for e in report.events if e.snapshot]
        assert len(snapshots) == 2 and snapshots[1]["items"][0]["title"] == "Judul diperbaiki"


def test_submit_needs_a_situation_and_content(app, users):
    report_id = make_report(app, items=0, level=None)
    with app.app_context():
        report = db.session.get(DailyReport, report_id)
        with pytest.raises(ReportError, match="situasi umum"):
            services.submit_report(db.session, report, user("operator"), clock.utcnow())
        report.situation_level = 1
        with pytest.raises(ReportError, match="minimal satu kejadian"):
            services.submit_report(db.session, report, user("operator"), clock.utcnow())


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("analis", True), ("admin", True), ("analis.kalteng", False), ("pimpinan", False), ("operator", False)],
)
def test_only_the_provinces_analysts_review(app, users, username, allowed):
    report_id = make_report(app, submit=True)
    with app.app_context():
        report = db.session.get(DailyReport, report_id)
        if allowed:
            services.verify_report(db.session, report, user(username), clock.utcnow())
        else:
            with pytest.raises(ReportError):
                services.verify_report(db.session, report, user(username), clock.utcnow())


def test_return_needs_a_reason(app, users):
    report_id = make_report(app, submit=True)
    with app.app_context():
        report = db.session.get(DailyReport, report_id)
        with pytest.raises(ReportError, match="alasan"):
            services.return_report(db.session, report, user("analis"), clock.utcnow(), [], "  ")
        with pytest.raises(ReportError, match="lainnya"):
            services.return_report(db.session, report, user("analis"), clock.utcnow(), ["lainnya"], None)


def test_admin_reopens_a_verified_report_with_a_reason(app, users):
    report_id = make_report(app, submit=True)
    with app.app_context():
        report = db.session.get(DailyReport, report_id)
        services.verify_report(db.session, report, user("analis"), clock.utcnow())
        with pytest.raises(ReportError):
            services.reopen_report(db.session, report, user("analis"), clock.utcnow(), "perlu koreksi")
        with pytest.raises(ReportError, match="alasan"):
            services.reopen_report(db.session, report, user("admin"), clock.utcnow(), "")
        services.reopen_report(db.session, report, user("admin"), clock.utcnow(), "Salah tanggal kejadian.")
        assert report.status == ReportStatus.RETURNED and report.editable


def test_nihil_is_one_step_and_counts_as_submitted(app, users):
    with app.app_context():
        operator = user("operator")
        today = WITA_TODAY()
        report = services.file_nihil(db.session, operator, operator.region, today, today, clock.utcnow())
        assert report.nihil and report.status == ReportStatus.SUBMITTED and report.situation_level == 1
        assert report.summary == services.NIHIL_SUMMARY
        assert report.events[0].action == "nihil"


def test_nihil_is_refused_when_items_exist(app, users):
    make_report(app, items=1)
    with app.app_context():
        operator = user("operator")
        today = WITA_TODAY()
        with pytest.raises(ReportError, match="sudah berisi kejadian"):
            services.file_nihil(db.session, operator, operator.region, today, today, clock.utcnow())


@pytest.mark.parametrize(
    ("local_time", "days_after", "late"),
    [("11:59", 0, False), ("12:00", 0, False), ("12:01", 0, True), ("23:30", 0, True), ("08:00", 1, True)],
)
def test_late_is_judged_in_the_regions_zone_against_the_deadline(app, users, local_time, days_after, late):
    day = WITA_TODAY() - timedelta(days=3)
    report_id = make_report(app, day=day)
    hour, minute = map(int, local_time.split(":"))
    from zoneinfo import ZoneInfo

    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("Asia/Makassar")) + timedelta(
        days=days_after
    )
    with app.app_context():
        report = db.session.get(DailyReport, report_id)
        services.submit_report(db.session, report, user("operator"), moment.astimezone(UTC))
        assert report.late is late


def test_item_domain_checks(app, users):
    report_id = make_report(app, items=0)
    with app.app_context():
        report = db.session.get(DailyReport, report_id)
        operator = user("operator")
        other_kecamatan = region("63")  # a province is not a kecamatan of Balangan
        with pytest.raises(ReportError, match="kecamatan"):
            services.add_item(db.session, report, operator, item_data(kecamatan_id=other_kecamatan.id))
        with pytest.raises(ReportError, match="sesudah tanggal laporan"):
            services.add_item(db.session, report, operator, item_data(occurred_date=report.report_date + timedelta(1)))
        with pytest.raises(ReportError, match="bersama-sama"):
            services.add_item(db.session, report, operator, item_data(latitude=-2.3))
        juai = region("63.11.01")
        item = services.add_item(db.session, report, operator, item_data(kecamatan_id=juai.id))
        assert item.kecamatan.name == "Juai" and item.position == 1


def test_stale_item_save_raises_and_keeps_the_newer_values(app, users):
    report_id = make_report(app, items=1)
    with app.app_context():
        item = db.session.get(DailyReport, report_id).items[0]
        services.update_item(db.session, item, user("operator"), item_data(title="Versi A"), item.version)
        db.session.commit()
        with pytest.raises(StaleEdit):
            services.update_item(db.session, item, user("operator"), item_data(title="Versi B"), 1)
        db.session.rollback()
        assert db.session.get(ReportItem, item.id).title == "Versi A"


# ---------------------------------------------------------------- pages


def test_operator_today_page_offers_start_and_nihil_then_redirects_to_the_report(app, auth):
    client = auth("operator")
    page = client.get("/laporan/hari-ini").get_data(as_text=True)
    assert "Mulai laporan hari ini" in page and "Laporkan nihil hari ini" in page and "WITA" in page
    response = client.post("/laporan/mulai", data={"report_date": WITA_TODAY().isoformat()})
    assert response.status_code == 302
    assert client.get("/laporan/hari-ini").headers["Location"] == response.headers["Location"]


def test_start_page_lists_missing_days_for_late_filing(app, auth):
    client = auth("operator")
    page = client.get("/laporan/hari-ini").get_data(as_text=True)
    yesterday = (WITA_TODAY() - timedelta(days=1)).isoformat()
    assert f'value="{yesterday}"' in page


@pytest.mark.parametrize("value", ["", "kemarin", "2024-02-30", "9999-01-01"])
def test_bad_report_dates_answer_422(auth, value):
    response = auth("operator").post("/laporan/mulai", data={"report_date": value})
    assert response.status_code == 422


def test_report_page_for_each_role(app, users):
    report_id = make_report(app, items=1)
    for username in ("operator", "fasilitator", "analis", "pimpinan", "admin"):
        client = app.test_client()
        login(client, username)
        html = client.get(f"/laporan/{report_id}").get_data(as_text=True)
        assert "Kejadian uji 1" in html
        assert ("Tambah kejadian" in html) == (username == "operator"), username


@pytest.mark.parametrize("username", ["operator.tala", "analis.kalteng"])
def test_another_regions_report_is_not_found(app, users, username):
    report_id = make_report(app)
    client = app.test_client()
    login(client, username)
    assert client.get(f"/laporan/{report_id}").status_code == 404


def test_rahasia_report_hidden_from_pimpinan_and_other_regencies(app, users):
    report_id = make_report(app, classification=Classification.RAHASIA)
    expected = {"operator": 200, "fasilitator": 200, "analis": 200, "admin": 200, "pimpinan": 404}
    for username, status in expected.items():
        client = app.test_client()
        login(client, username)
        assert client.get(f"/laporan/{report_id}").status_code == status, username


def _item_form(**values):
    data = {
        "aspect": "politik",
        "threat_level": "sedang",
        "title": "Spanduk provokatif",
        "what": "Spanduk bernada provokatif dipasang di simpang tiga.",
        "occurred_date": WITA_TODAY().isoformat(),
        "occurred_time": "07:15",
        "latitude": "-2,3178",
        "longitude": "115,6228",
        "source_reliability": "B",
        "info_credibility": "2",
    }
    data.update(values)
    return data


def test_add_item_with_htmx_returns_fresh_form_and_appends_the_item(app, auth):
    report_id = make_report(app, items=0)
    client = auth("operator")
    response = client.post(f"/laporan/{report_id}/kejadian", data=_item_form(), headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<form id="item-baru"')
    assert 'hx-swap-oob="beforeend:#item-list"' in html and "Spanduk provokatif" in html
    assert 'id="no-items" hx-swap-oob="delete"' in html
    item = get_report(app, report_id).items[0]
    assert item.latitude == pytest.approx(-2.3178) and item.grading == "B2"


def test_add_item_without_javascript_redirects_to_the_item(app, auth):
    report_id = make_report(app, items=0)
    response = auth("operator").post(f"/laporan/{report_id}/kejadian", data=_item_form())
    assert response.status_code == 302 and "#item-" in response.headers["Location"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"title": ""}, "Wajib diisi."),
        ({"aspect": "olahraga"}, "Pilihan tidak sah."),
        ({"threat_level": ""}, "Wajib diisi."),
        ({"occurred_date": "2024-02-31"}, "Tanggal tidak sah."),
        ({"occurred_time": "25:99"}, "Jam tidak sah."),
        ({"latitude": "abc"}, "Harus angka."),
        ({"latitude": "40"}, "Lintang wilayah Indonesia"),
        ({"info_credibility": "9"}, "Pilihan tidak sah."),
        ({"title": "x" * 201}, "maksimal 200"),
        ({"what": "y" * 10_000}, "maksimal 4000"),
        ({"kecamatan_id": "999999"}, "Pilihan tidak sah."),
    ],
)
def test_invalid_item_is_422_with_field_message_and_keeps_input(app, auth, values, message):
    report_id = make_report(app, items=0)
    client = auth("operator")
    response = client.post(f"/laporan/{report_id}/kejadian", data=_item_form(**values), headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert "Spanduk bernada provokatif" in html or "what" in values
    assert get_report(app, report_id).items == []


def test_edit_item_inline_and_the_stale_case(app, auth):
    report_id = make_report(app, items=1)
    item = get_report(app, report_id).items[0]
    client = auth("operator")
    form = client.get(f"/laporan/{report_id}/kejadian/{item.id}/ubah", headers={"HX-Request": "true"})
    assert form.status_code == 200 and form.get_data(as_text=True).lstrip().startswith(f'<form id="item-{item.id}"')
    saved = client.post(
        f"/laporan/{report_id}/kejadian/{item.id}/ubah",
        data=_item_form(title="Judul baru", version=str(item.version)),
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200 and saved.get_data(as_text=True).lstrip().startswith(
        f'<article class="item" id="item-{item.id}"'
    )
    stale = client.post(
        f"/laporan/{report_id}/kejadian/{item.id}/ubah",
        data=_item_form(title="Judul basi", version=str(item.version)),
        headers={"HX-Request": "true"},
    )
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "baru saja diubah" in body and "Judul" in body
    assert 'value="Judul baru"' in body  # the form now shows the newer values
    assert get_report(app, report_id).items[0].title == "Judul baru"


def test_edit_item_page_without_javascript(app, auth):
    report_id = make_report(app, items=1)
    item = get_report(app, report_id).items[0]
    client = auth("operator")
    page = client.get(f"/laporan/{report_id}/kejadian/{item.id}/ubah")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    response = client.post(f"/laporan/{report_id}/kejadian/{item.id}/ubah", data=_item_form(version=str(item.version)))
    assert response.status_code == 302


def test_cancel_edit_returns_the_display_fragment(app, auth):
    report_id = make_report(app, items=1)
    item = get_report(app, report_id).items[0]
    response = auth("operator").get(f"/laporan/{report_id}/kejadian/{item.id}", headers={"HX-Request": "true"})
    assert response.status_code == 200 and f'id="item-{item.id}"' in response.get_data(as_text=True)


def test_delete_item_with_htmx_returns_empty(app, auth):
    report_id = make_report(app, items=2)
    item = get_report(app, report_id).items[0]
    response = auth("operator").post(f"/laporan/{report_id}/kejadian/{item.id}/hapus", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.get_data() == b""
    assert len(get_report(app, report_id).items) == 1
    with app.app_context():
        deleted = db.session.scalars(
            select(AuditLog).where(AuditLog.entity == "report_items", AuditLog.action == "delete")
        ).one()
        assert deleted.entity_id == item.id and deleted.username == "operator" and deleted.changes["title"]


def test_item_of_another_report_is_404(app, users, auth):
    first = make_report(app, items=1)
    other = make_report(app, day=WITA_TODAY() - timedelta(days=1), items=1)
    other_item = get_report(app, other).items[0]
    response = auth("operator").get(f"/laporan/{first}/kejadian/{other_item.id}/ubah")
    assert response.status_code == 404


def test_header_autosave_returns_status_and_new_version(app, auth):
    report_id = make_report(app, items=1)
    version = get_report(app, report_id).version
    client = auth("operator")
    data = {
        "situation_level": "2",
        "summary": "Waspada menjelang kampanye",
        "classification": "terbatas",
        "version": str(version),
    }
    response = client.post(f"/laporan/{report_id}/ringkasan", data=data, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Tersimpan otomatis" in html
    assert f'id="header-version" value="{version + 1}" hx-swap-oob="true"' in html
    stale = client.post(f"/laporan/{report_id}/ringkasan", data=data, headers={"HX-Request": "true"})
    assert stale.status_code == 409 and "diubah di tempat lain" in stale.get_data(as_text=True)
    bad = client.post(
        f"/laporan/{report_id}/ringkasan",
        data={**data, "situation_level": "9", "version": str(version + 1)},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and "Belum tersimpan" in bad.get_data(as_text=True)
    report = get_report(app, report_id)
    assert report.situation_level == 2 and report.classification == Classification.TERBATAS


def test_submit_from_the_header_form_saves_then_submits(app, auth):
    report_id = make_report(app, items=1, level=None)
    version = get_report(app, report_id).version
    client = auth("operator")
    response = client.post(
        f"/laporan/{report_id}/kirim",
        data={"situation_level": "1", "summary": "Aman", "classification": "biasa", "version": str(version)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204 and response.headers["HX-Redirect"] == f"/laporan/{report_id}"
    report = get_report(app, report_id)
    assert report.status == ReportStatus.SUBMITTED and report.summary == "Aman"


def test_submitted_report_is_read_only_for_the_operator(app, auth):
    report_id = make_report(app, items=1, submit=True)
    item = get_report(app, report_id).items[0]
    client = auth("operator")
    html = client.get(f"/laporan/{report_id}").get_data(as_text=True)
    assert "Tambah kejadian" not in html and "Ubah" not in html
    assert client.get(f"/laporan/{report_id}/kejadian/{item.id}/ubah").status_code == 403
    response = client.post(f"/laporan/{report_id}/kejadian", data=_item_form())
    assert response.status_code == 422 and "tidak dapat diubah" in response.get_data(as_text=True)


def test_review_flow_through_the_pages(app, users):
    report_id = make_report(app, items=1, submit=True)
    analyst = app.test_client()
    login(analyst, "analis")
    page = analyst.get(f"/laporan/{report_id}").get_data(as_text=True)
    assert "Pemeriksaan provinsi" in page and "Fakta kurang lengkap" in page
    refused = analyst.post(f"/laporan/{report_id}/kembalikan", data={"note": ""})
    assert refused.status_code == 422
    returned = analyst.post(
        f"/laporan/{report_id}/kembalikan", data={"reasons": ["fakta", "sumber"], "note": "Sumber?"}
    )
    assert returned.status_code == 302
    operator = app.test_client()
    login(operator, "operator")
    page = operator.get(f"/laporan/{report_id}").get_data(as_text=True)
    assert (
        "Laporan dikembalikan untuk diperbaiki" in page and "Sumber atau nilai informasi" in page and "Sumber?" in page
    )
    assert operator.post(f"/laporan/{report_id}/kirim").status_code == 302
    assert analyst.post(f"/laporan/{report_id}/verifikasi", data={"note": "Baik."}).status_code == 302
    page = analyst.get(f"/laporan/{report_id}").get_data(as_text=True)
    assert "Terverifikasi" in page and "Revisi 1" in page and "Dikirim ulang" in page


def test_history_lists_what_changed_between_versions(app, users):
    report_id = make_report(app, items=1, submit=True)
    analyst, operator = app.test_client(), app.test_client()
    login(analyst, "analis")
    login(operator, "operator")
    analyst.post(f"/laporan/{report_id}/kembalikan", data={"reasons": ["fakta"]})
    item = get_report(app, report_id).items[0]
    operator.post(f"/laporan/{report_id}/kejadian/{item.id}/ubah", data=_item_form(version=str(item.version)))
    operator.post(f"/laporan/{report_id}/kirim")
    page = analyst.get(f"/laporan/{report_id}").get_data(as_text=True)
    assert "Perubahan dari versi sebelumnya" in page
    assert re.search(r"Kejadian .Spanduk provokatif. diubah: Judul", page)


def test_province_list_shows_every_regency_of_the_day(app, users):
    make_report(app, items=2, submit=True)
    client = app.test_client()
    login(client, "analis")
    html = client.get("/laporan/").get_data(as_text=True)
    assert html.count("Belum ada laporan") == 12 and "Kab. Balangan" in html
    assert "1 dari 13 kabupaten/kota" in html


@pytest.mark.parametrize("query", ["?tanggal=abc", "?tanggal=2024-02-30", "?provinsi=99", "?page=x"])
def test_odd_list_queries_never_fail(app, users, query):
    for username in ("analis", "operator", "admin"):
        client = app.test_client()
        login(client, username)
        assert client.get("/laporan/" + query).status_code == 200


def test_every_step_is_audited(app, users):
    report_id = make_report(app, items=1, submit=True)
    with app.app_context():
        rows = db.session.scalars(
            select(AuditLog).where(AuditLog.entity.in_(["daily_reports", "report_items", "report_events"]))
        ).all()
        kinds = {(r.entity, r.action) for r in rows}
        assert ("daily_reports", "create") in kinds and ("report_items", "create") in kinds
        assert ("daily_reports", "update") in kinds and ("report_events", "create") in kinds
        assert all(r.username == "operator" for r in rows)
        region_id = db.session.get(DailyReport, report_id).region_id
        assert {r.region_id for r in rows} == {region_id}
        assert db.session.scalar(select(func.count()).select_from(ReportEvent)) == 1


def test_operator_home_shows_todays_report_status(app, auth):
    client = auth("operator")
    assert "Buat laporan hari ini" in client.get("/").get_data(as_text=True)
    report_id = make_report(app, submit=True)
    html = client.get("/").get_data(as_text=True)
    assert f"/laporan/{report_id}" in html and "Terkirim" in html
