"""Meetings: plan, agenda, attendance (registry, import, marking), minutes, follow-ups, final, scans, prints."""

import io
import os
import re
import stat
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from app import clock
from app.audit import AuditLog
from app.extensions import db
from app.meetings import services
from app.meetings.importer import read_attendance
from app.meetings.models import Attendance, FollowUp, FollowUpStatus, Meeting, MeetingKind, MeetingStatus, Participant
from app.meetings.services import MeetingData, MeetingError, PersonData, StaleEdit
from app.uploads import UploadError, open_stored, sniff, store

from .conftest import login
from .factories import region, user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _plan(app, username="fasilitator", code="63.11", **overrides) -> int:
    with app.app_context():
        data = MeetingData(
            title="Rakor kewaspadaan dini",
            kind=MeetingKind.RAKOR_KEWASPADAAN,
            starts_at=datetime.now(UTC) + timedelta(days=1),
            ends_at=None,
            place="Aula Kesbangpol",
        )
        for key, value in overrides.items():
            setattr(data, key, value)
        meeting = services.create_meeting(db.session, user(username), region(code), data)
        db.session.commit()
        return meeting.id


def _meeting(app, meeting_id) -> Meeting:
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        _ = meeting.agenda, meeting.attendance, meeting.follow_ups, meeting.region
        for row in meeting.attendance:
            _ = row.participant
        db.session.expunge_all()
        return meeting


# ---------------------------------------------------------------- import (pure)


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_import_csv_keeps_good_rows_and_reports_bad_ones():
    text = (
        "No;Nama;Jabatan;Instansi;Unsur;L/P;No. HP;Tanda tangan\n"
        "1;Budi Santoso;Kasat Intel;Polres Balangan;Polri;L;0812-3456-7890;\n"
        "2;;Camat;Kec. Juai;Camat;L;;\n"
        "3;Siti Aminah;Ketua;FKUB;Tokoh agama;Perempuan;+62 812 1111 2222;\n"
        "\n"
        "5;Ahmad;Anggota;Ormas X;Serikat;X;12;\n"
        "6;Budi Santoso;;Polres Balangan;Polri;L;;\n"
        "7;Rina;Wartawan;Harian Kalsel;Pers;P;;\n"
    )
    result = read_attendance("daftar.csv", text.encode("utf-8-sig"))
    assert [p.name for p in result.people] == ["Budi Santoso", "Siti Aminah", "Rina"]
    assert result.people[0].unsur == "polri" and result.people[0].phone == "081234567890"
    assert result.people[1].sex == "P" and result.people[1].unsur == "tokoh_agama"
    assert result.people[2].unsur == "media"
    errors = dict(result.errors)
    assert set(errors) == {3, 6, 7}
    assert "Nama kosong" in errors[3]
    assert "Unsur 'Serikat'" in errors[6] and "L/P 'X'" in errors[6] and "Nomor HP" in errors[6]
    assert "sudah ada di baris 2" in errors[7]


def test_import_xlsx_with_numbers_in_cells():
    data = _xlsx(
        [
            ["Nama", "Instansi", "Unsur", "HP"],
            ["Dewi", "KPU", "KPU", 81234567890],
            [None, None, None, None],
            ["Hasan", "Kodim", "TNI", 8.123456789e10],
        ]
    )
    result = read_attendance("tanpa-ekstensi", data)
    assert [(p.name, p.unsur, p.phone) for p in result.people] == [
        ("Dewi", "penyelenggara", "81234567890"),
        ("Hasan", "tni", "81234567890"),
    ]
    assert result.errors == []


@pytest.mark.parametrize("data", [PDF, PNG, b"MZ\x90\x00binary", b"", bytes(range(256)) * 4])
def test_import_refuses_what_is_not_a_table(data):
    result = read_attendance("daftar.csv", data)
    assert result.people == [] and result.errors and result.errors[0][0] == 0


def test_import_needs_a_name_column_and_a_size_limit():
    assert read_attendance("x.csv", b"Jabatan,Instansi\nA,B\n").errors == [(1, "Baris judul harus memuat kolom Nama.")]
    many = "Nama\n" + "".join(f"Orang {n}\n" for n in range(1001))
    assert "lebih dari 1000" in read_attendance("x.csv", many.encode()).errors[0][1]


def test_import_reads_old_excel_csv_in_cp1252():
    result = read_attendance("x.csv", "Nama,Instansi\nJosé,Dinas\n".encode("cp1252"))
    assert result.people[0].name == "José"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_import_never_raises(data):
    read_attendance("x", data)


# ---------------------------------------------------------------- uploads (pure)


class CountingStream(io.BytesIO):
    """A stream that remembers how much was read from it."""

    def read(self, size=-1):
        chunk = super().read(size)
        self.total = getattr(self, "total", 0) + len(chunk)
        return chunk


@pytest.mark.parametrize(("data", "kind"), [(PDF, "pdf"), (PNG, "png"), (JPG, "jpg"), (b"MZ", None), (b"<html>", None)])
def test_sniff_by_content(data, kind):
    assert sniff(data) == kind


def test_store_checks_content_size_and_keeps_its_own_name(tmp_path):
    stored = store(tmp_path, "rapat/1", "../../Daftar Hadir\x00.pdf", io.BytesIO(PDF))
    assert stored.path.startswith("rapat/1/") and stored.path.endswith(".pdf") and "Daftar" not in stored.path
    assert stored.original_name == "Daftar Hadir.pdf" and stored.mime == "application/pdf"
    path = open_stored(tmp_path, stored.path)
    assert path.read_bytes() == PDF and stat.S_IMODE(os.stat(path).st_mode) == 0o640
    for data, message in (
        (b"MZ\x90\x00" + b"x" * 100, "tidak didukung"),
        (b"<html>evil</html>", "tidak didukung"),
        (b"", "kosong"),
    ):
        with pytest.raises(UploadError, match=message):
            store(tmp_path, "rapat/1", "scan.pdf", io.BytesIO(data))
    exactly = PDF + b"0" * (1000 - len(PDF))
    assert store(tmp_path, "rapat/1", "a.pdf", io.BytesIO(exactly), max_bytes=1000).size == 1000
    ten_mb = CountingStream(PDF + b"0" * (10 * 1024 * 1024 - len(PDF)))
    assert store(tmp_path, "rapat/1", "b.pdf", ten_mb).size == 10 * 1024 * 1024
    with pytest.raises(UploadError, match="lebih dari 10 MB"):
        store(tmp_path, "rapat/1", "c.pdf", io.BytesIO(PDF + b"0" * (10 * 1024 * 1024)))
    big = CountingStream(PDF + b"0" * 5000)
    with pytest.raises(UploadError, match="lebih dari"):
        store(tmp_path, "rapat/1", "a.pdf", big, max_bytes=1000)
    assert big.total == 1001


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "rapat/../../x", "rapat/1/tidak-ada.pdf"])
def test_open_stored_never_leaves_the_root(tmp_path, path):
    with pytest.raises(UploadError):
        open_stored(tmp_path, path)


def test_store_refuses_odd_folders(tmp_path):
    with pytest.raises(ValueError):
        store(tmp_path, "../luar", "a.pdf", io.BytesIO(PDF))


# ---------------------------------------------------------------- services


def test_who_plans_meetings_where(app, users):
    _plan(app, "fasilitator", "63.11")
    _plan(app, "analis", "63")
    _plan(app, "analis", "63.05")
    for username, code in (
        ("fasilitator", "63.01"),
        ("operator", "63.11"),
        ("pimpinan", "63"),
        ("analis.kalteng", "63"),
    ):
        with app.app_context(), pytest.raises(MeetingError):
            services.create_meeting(
                db.session,
                user(username),
                region(code),
                MeetingData("x", MeetingKind.LAINNYA, datetime.now(UTC), None, "x"),
            )


def test_registry_reuse_search_and_counts(app, users):
    first = _plan(app)
    second = _plan(app)
    with app.app_context():
        facilitator = user("fasilitator")
        meeting = db.session.get(Meeting, first)
        from app.meetings.models import Sex

        services.add_new_attendee(
            db.session, meeting, facilitator, PersonData("Budi", "Kasat", "Polres", "polri", Sex.L, None)
        )
        services.add_new_attendee(
            db.session, meeting, facilitator, PersonData("Siti", "Ketua", "FKUB", "fkub", Sex.P, None)
        )
        with pytest.raises(MeetingError, match="sudah ada"):
            services.add_new_attendee(
                db.session, meeting, facilitator, PersonData("budi", None, "POLRES", "polri", None, None)
            )
        other = db.session.get(Meeting, second)
        found = services.search_participants(db.session, other, "bu")
        assert [p.name for p in found] == ["Budi"]
        services.add_known_attendee(db.session, other, facilitator, found[0].id)
        assert services.search_participants(db.session, other, "bu") == []
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 2
        services.set_present(db.session, meeting.attendance[0], facilitator, True)
        counts = services.count_attendance(list(meeting.attendance))
        assert (counts.invited, counts.present, counts.by_sex) == (2, 1, {"L": 1})
        assert ("Polri", 1, 1) in counts.by_unsur and ("FKUB", 1, 0) in counts.by_unsur
        db.session.commit()


def test_minutes_follow_ups_and_final(app, users):
    meeting_id = _plan(app)
    with app.app_context():
        facilitator = user("fasilitator")
        meeting = db.session.get(Meeting, meeting_id)
        services.add_agenda(db.session, meeting, facilitator, "Pembukaan", "Kaban")
        with pytest.raises(MeetingError, match="kesimpulan"):
            services.finalize(db.session, meeting, facilitator, clock.utcnow())
        services.save_minutes(
            db.session,
            meeting,
            facilitator,
            services.MinutesData(None, "1. Patroli gabungan\n2) Sosialisasi ASN\n- Rapat ulang", None, None, None),
            {meeting.agenda[0].id: "Kaban membuka rapat."},
            meeting.version,
        )
        assert meeting.status == MeetingStatus.HELD and meeting.agenda[0].discussion == "Kaban membuka rapat."
        assert services.conclusion_lines(meeting) == ["Patroli gabungan", "Sosialisasi ASN", "Rapat ulang"]
        with pytest.raises(StaleEdit):
            services.save_minutes(
                db.session, meeting, facilitator, services.MinutesData(None, "x", None, None, None), {}, 1
            )
        with pytest.raises(MeetingError, match="kehadiran"):
            services.finalize(db.session, meeting, facilitator, clock.utcnow())
        from app.meetings.models import Sex

        row = services.add_new_attendee(
            db.session, meeting, facilitator, PersonData("Budi", None, None, "polri", Sex.L, None)
        )
        services.set_present(db.session, row, facilitator, True)
        services.finalize(db.session, meeting, facilitator, clock.utcnow())
        with pytest.raises(MeetingError, match="final"):
            services.add_agenda(db.session, meeting, facilitator, "Telat", None)
        follow_up = services.add_follow_up(
            db.session,
            meeting,
            facilitator,
            services.FollowUpData("Patroli gabungan", "Polres", meeting.region_id, date.today() - timedelta(days=1)),
        )
        assert follow_up.overdue_on(date.today())
        with pytest.raises(MeetingError, match="bukti"):
            services.set_follow_up_status(
                db.session, follow_up, facilitator, FollowUpStatus.SELESAI, None, follow_up.version, clock.utcnow()
            )
        services.set_follow_up_status(
            db.session,
            follow_up,
            user("operator"),
            FollowUpStatus.SELESAI,
            "Laporan patroli 3 Des",
            follow_up.version,
            clock.utcnow(),
        )
        assert follow_up.done_at is not None and not follow_up.overdue_on(date.today())
        with pytest.raises(MeetingError):
            services.reopen(db.session, meeting, facilitator)
        services.reopen(db.session, meeting, user("admin"))
        assert meeting.editable
        db.session.commit()


# ---------------------------------------------------------------- pages


def _form(**values):
    data = {
        "title": "Rakor Pilkada Serentak",
        "kind": "rakor_kewaspadaan",
        "day": "2026-12-03",
        "start_time": "09:00",
        "end_time": "12:00",
        "place": "Aula Kesbangpol Balangan",
        "chair_name": "Drs. H. Rahmat",
        "chair_title": "Kepala Badan",
        "chair_nip": "1968 0101 1990 0310 01",
    }
    data.update(values)
    return data


def test_plan_through_the_page_in_local_time(app, auth, users):
    client = auth("fasilitator")
    with app.app_context():
        balangan = region("63.11").id
    response = client.post("/rapat/baru", data=_form(region_id=str(balangan)))
    assert response.status_code == 302
    meeting = _meeting(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert meeting.starts_at == datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 09.00 WITA
    assert meeting.chair_nip == "196801011990031001"
    html = client.get(f"/rapat/{meeting.id}").get_data(as_text=True)
    assert "pukul 09.00–12.00 WITA" in html


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"title": ""}, "Wajib diisi."),
        ({"day": "2026-02-30"}, "Tanggal tidak sah."),
        ({"end_time": "08:00"}, "sesudah waktu mulai"),
        ({"region_id": "1"}, "Pilih wilayah"),
        ({"chair_nip": "123"}, "18 angka"),
        ({"kind": "pesta"}, "Pilihan tidak sah."),
    ],
)
def test_bad_plans_are_422_and_keep_input(app, auth, values, message):
    client = auth("fasilitator")
    with app.app_context():
        balangan = str(region("63.11").id)
    response = client.post("/rapat/baru", data=_form(**{"region_id": balangan, **values}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html and "Aula Kesbangpol Balangan" in html


def test_attendance_flow_with_htmx(app, users):
    meeting_id = _plan(app)
    client = app.test_client()
    login(client, "fasilitator")
    added = client.post(
        f"/rapat/{meeting_id}/hadir",
        headers={"HX-Request": "true"},
        data={"name": "Budi", "instansi": "Polres", "unsur": "polri", "sex": "L"},
    )
    body = added.get_data(as_text=True)
    assert added.status_code == 200 and body.lstrip().startswith('<form id="attendee-form"')
    assert 'hx-swap-oob="beforeend:#attendance-rows"' in body and 'id="attendance-counts"' in body
    row_id = re.search(r'id="hadir-(\d+)"', body).group(1)
    marked = client.post(f"/rapat/{meeting_id}/hadir/{row_id}", data={"hadir": "1"}, headers={"HX-Request": "true"})
    html = marked.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="hadir-{row_id}" class="present"') and "<strong>1</strong> hadir" in html
    refused = client.post(f"/rapat/{meeting_id}/hadir", headers={"HX-Request": "true"}, data={"name": ""})
    assert refused.status_code == 422 and "Wajib diisi." in refused.get_data(as_text=True)
    second = _plan(app)
    suggestions = client.get(f"/rapat/{second}/peserta?name=bud", headers={"HX-Request": "true"})
    assert "Budi" in suggestions.get_data(as_text=True)
    removed = client.post(f"/rapat/{meeting_id}/hadir/{row_id}", data={"hapus": "1"}, headers={"HX-Request": "true"})
    assert removed.status_code == 200 and "<tr" not in removed.get_data(as_text=True)


def test_import_page_reports_rows(app, users):
    meeting_id = _plan(app)
    client = app.test_client()
    login(client, "fasilitator")
    csv_bytes = b"Nama,Instansi,Unsur\nBudi,Polres,Polri\n,Kodim,TNI\nSiti,FKUB,FKUB\n"
    response = client.post(
        f"/rapat/{meeting_id}/hadir/impor",
        data={"file": (io.BytesIO(csv_bytes), "peserta.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "2 peserta ditambahkan" in html and "Baris 3: Nama kosong." in html
    again = client.post(
        f"/rapat/{meeting_id}/hadir/impor",
        data={"file": (io.BytesIO(csv_bytes), "peserta.csv")},
        content_type="multipart/form-data",
    )
    assert "2 sudah ada di daftar" in again.get_data(as_text=True)
    bad = client.post(
        f"/rapat/{meeting_id}/hadir/impor",
        data={"file": (io.BytesIO(PDF), "peserta.csv")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "Berkas tidak dikenali" in bad.get_data(as_text=True)


def test_scan_upload_download_and_rejections(app, users):
    meeting_id = _plan(app)
    client = app.test_client()
    login(client, "fasilitator")

    def upload(data, name):
        return client.post(
            f"/rapat/{meeting_id}/berkas", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
        )

    assert upload(b"MZ\x90\x00" * 10, "scan.pdf").status_code == 422
    assert "tidak didukung" in upload(b"<script>alert(1)</script>", "scan.png").get_data(as_text=True)
    assert upload(b"", "kosong.pdf").status_code == 422
    assert upload(PDF, "daftar hadir.pdf").status_code == 302
    with client.get(f"/rapat/{meeting_id}/berkas") as response:
        assert response.status_code == 200 and response.data == PDF
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "sandbox" in response.headers["Content-Security-Policy"]
    other = app.test_client()
    login(other, "operator.tala")
    assert other.get(f"/rapat/{meeting_id}/berkas").status_code == 404


def test_too_big_upload_is_refused(app, users):
    meeting_id = _plan(app)
    client = app.test_client()
    login(client, "fasilitator")
    app.config["UPLOAD_MAX_BYTES"] = 100 * 1024  # the 10 MB boundary itself is tested on store() above
    big = PDF + b"0" * (100 * 1024)
    response = client.post(
        f"/rapat/{meeting_id}/berkas", data={"file": (io.BytesIO(big), "a.pdf")}, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and "lebih dari 100 KB" in response.get_data(as_text=True)


def test_minutes_autosave_follow_up_from_a_conclusion_and_prints(app, users):
    meeting_id = _plan(app)
    client = app.test_client()
    login(client, "fasilitator")
    saved = client.post(
        f"/rapat/{meeting_id}/notulen",
        headers={"HX-Request": "true"},
        data={"version": "1", "conclusions": "1. Patroli gabungan\n2. Sosialisasi netralitas ASN"},
    )
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "Tersimpan otomatis" in html and 'id="minutes-version" value="2"' in html
    stale = client.post(
        f"/rapat/{meeting_id}/notulen", headers={"HX-Request": "true"}, data={"version": "1", "conclusions": "basi"}
    )
    assert stale.status_code == 409
    page = client.get(f"/rapat/{meeting_id}/notulen?kesimpulan=2").get_data(as_text=True)
    assert re.search(r"<textarea[^>]*id=\"description\"[^>]*>\s*Sosialisasi netralitas ASN</textarea>", page)
    assert 'name="conclusion" value="Sosialisasi netralitas ASN"' in page
    with app.app_context():
        balangan = str(region("63.11").id)
    added = client.post(
        f"/rapat/{meeting_id}/tindak-lanjut",
        data={
            "description": "Sosialisasi netralitas ASN",
            "responsible": "BKPSDM",
            "region_id": balangan,
            "due_date": "2026-12-10",
            "conclusion": "Sosialisasi netralitas ASN",
        },
    )
    assert added.status_code == 302
    bad = client.post(f"/rapat/{meeting_id}/tindak-lanjut", data={"description": "", "region_id": "1"})
    assert bad.status_code == 422
    blank = client.get(f"/rapat/{meeting_id}/daftar-hadir?kosong=1").get_data(as_text=True)
    assert "DAFTAR HADIR" in blank and "Tanda tangan" in blank and blank.count('class="blank-row"') == 30
    notulen = client.get(f"/rapat/{meeting_id}/notulen/cetak").get_data(as_text=True)
    assert "NOTULEN RAPAT" in notulen and "Pimpinan rapat," in notulen and "Notulis," in notulen
    assert "Patroli gabungan" in notulen and "BKPSDM" in notulen
    with client.get(f"/rapat/{meeting_id}/hadir.csv") as csv_response:
        assert csv_response.get_data(as_text=True).lstrip("\ufeff").startswith("No,Nama,Jabatan")


def test_follow_up_list_overdue_inline_status_and_home_count(app, users):
    meeting_id = _plan(app)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        services.add_follow_up(
            db.session,
            meeting,
            user("fasilitator"),
            services.FollowUpData("Patroli", "Polres", meeting.region_id, date.today() - timedelta(days=3)),
        )
        db.session.commit()
        follow_up = db.session.scalars(select(FollowUp)).one()
        follow_up_id, version = follow_up.id, follow_up.version
    operator = app.test_client()
    login(operator, "operator")
    assert "Tindak lanjut lewat batas waktu: 1" in operator.get("/").get_data(as_text=True)
    listing = operator.get("/tindak-lanjut/?terlambat=ya").get_data(as_text=True)
    assert 'class="overdue"' in listing and "Patroli" in listing
    refused = operator.post(
        f"/tindak-lanjut/{follow_up_id}",
        data={"status": "selesai", "version": str(version)},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 422 and "bukti" in refused.get_data(as_text=True)
    done = operator.post(
        f"/tindak-lanjut/{follow_up_id}",
        headers={"HX-Request": "true"},
        data={"status": "selesai", "evidence": "Patroli 3 Des", "version": str(version)},
    )
    assert done.status_code == 200 and done.get_data(as_text=True).lstrip().startswith(f'<tr id="tl-{follow_up_id}"')
    assert "Tindak lanjut lewat batas waktu" not in operator.get("/").get_data(as_text=True)
    stale = operator.post(
        f"/tindak-lanjut/{follow_up_id}",
        headers={"HX-Request": "true"},
        data={"status": "proses", "version": str(version)},
    )
    assert stale.status_code == 409
    other = app.test_client()
    login(other, "operator.tala")
    assert other.post(f"/tindak-lanjut/{follow_up_id}", data={"status": "proses"}).status_code == 404


@pytest.mark.parametrize("username", ["operator.tala", "analis.kalteng"])
def test_another_regions_meeting_is_not_found(app, users, username):
    meeting_id = _plan(app)
    client = app.test_client()
    login(client, username)
    for url in (f"/rapat/{meeting_id}", f"/rapat/{meeting_id}/hadir", f"/rapat/{meeting_id}/notulen"):
        assert client.get(url).status_code == 404


def test_final_meeting_is_read_only_and_admin_reopens(app, users):
    meeting_id = _plan(app)
    client = app.test_client()
    login(client, "fasilitator")
    refused = client.post(f"/rapat/{meeting_id}/final")
    assert refused.status_code == 422 and "kesimpulan" in refused.get_data(as_text=True)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        from app.meetings.models import Sex

        row = services.add_new_attendee(
            db.session, meeting, user("fasilitator"), PersonData("Budi", None, None, "polri", Sex.L, None)
        )
        services.set_present(db.session, row, user("fasilitator"), True)
        services.save_minutes(
            db.session, meeting, user("fasilitator"), services.MinutesData(None, "Aman", None, None, None), {}, None
        )
        db.session.commit()
    assert client.post(f"/rapat/{meeting_id}/final").status_code == 302
    page = client.get(f"/rapat/{meeting_id}/hadir").get_data(as_text=True)
    assert "Tambah peserta" not in page and "Impor daftar peserta" not in page
    assert client.get(f"/rapat/{meeting_id}/ubah").status_code == 200  # the form shows …
    assert client.post(f"/rapat/{meeting_id}/ubah", data=_form(version="1")).status_code == 422  # … but refuses
    admin = app.test_client()
    login(admin, "admin")
    assert admin.post(f"/rapat/{meeting_id}/buka").status_code == 302
    with app.app_context():
        rows = db.session.scalars(
            select(AuditLog).where(AuditLog.entity == "meetings", AuditLog.action == "update")
        ).all()
        assert any(r.changes.get("status") == ["final", "held"] and r.username == "admin" for r in rows)


def test_calendar_and_list(app, users):
    meeting_id = _plan(app)
    client = app.test_client()
    login(client, "pimpinan")
    assert "Rakor kewaspadaan dini" in client.get("/rapat/").get_data(as_text=True)
    starts = _meeting(app, meeting_id).starts_at.astimezone(region_zone())
    html = client.get(f"/rapat/?tampilan=kalender&bulan={starts:%Y-%m}").get_data(as_text=True)
    assert f"/rapat/{meeting_id}" in html
    for query in ("?tampilan=kalender&bulan=abc", "?tampilan=kalender&bulan=9999-99", "?page=x"):
        assert client.get("/rapat/" + query).status_code == 200


def region_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Makassar")


def test_attendance_is_audited_and_attendance_rows_exist(app, users):
    meeting_id = _plan(app)
    client = app.test_client()
    login(client, "fasilitator")
    client.post(f"/rapat/{meeting_id}/hadir", data={"name": "Budi", "unsur": "polri"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1
        entities = set(db.session.scalars(select(AuditLog.entity).where(AuditLog.username == "fasilitator")))
        assert {"participants", "attendance"} <= entities
