"""LAPSUS: filing, correcting until acknowledged, acknowledgement by the province, scope and home panel."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.audit import AuditLog
from app.extensions import db
from app.lapsus import services
from app.lapsus.models import SpecialReport
from app.reports.models import Classification
from app.reports.services import ReportError, StaleEdit

from .conftest import login
from .factories import item_data, region, user

TODAY = lambda: clock.local_today("Asia/Makassar")  # noqa: E731


def _file(app, username="operator", classification=Classification.BIASA, **overrides) -> int:
    with app.app_context():
        lapsus = services.file_lapsus(
            db.session, user(username), item_data(**overrides), classification, clock.utcnow()
        )
        db.session.commit()
        return lapsus.id


def _get(app, lapsus_id) -> SpecialReport:
    with app.app_context():
        found = db.session.get(SpecialReport, lapsus_id)
        _ = found.region
        db.session.expunge(found)
        return found


def _form(**values):
    data = {
        "aspect": "hankam",
        "threat_level": "tinggi",
        "title": "Bentrok antarwarga",
        "what": "Dua kelompok warga bentrok di pasar.",
        "occurred_date": TODAY().isoformat(),
        "classification": "biasa",
    }
    data.update(values)
    return data


def test_services_file_edit_acknowledge(app, users):
    lapsus_id = _file(app)
    with app.app_context():
        lapsus = db.session.get(SpecialReport, lapsus_id)
        operator, analyst = user("operator"), user("analis")
        assert lapsus.region.code == "63.11" and lapsus.filed_by_id == operator.id
        services.update_lapsus(
            db.session, lapsus, operator, item_data(title="Diperbarui"), Classification.TERBATAS, lapsus.version
        )
        with pytest.raises(StaleEdit):
            services.update_lapsus(db.session, lapsus, operator, item_data(), Classification.BIASA, 1)
        with pytest.raises(ReportError):
            services.acknowledge(db.session, lapsus, user("analis.kalteng"), None, None, clock.utcnow())
        with pytest.raises(ReportError):
            services.acknowledge(db.session, lapsus, user("pimpinan"), None, None, clock.utcnow())
        services.acknowledge(db.session, lapsus, analyst, "Sudah dikoordinasikan.", None, clock.utcnow())
        with pytest.raises(StaleEdit):
            services.acknowledge(db.session, lapsus, analyst, "lagi", None, clock.utcnow())
        with pytest.raises(ReportError, match="sudah ditanggapi"):
            services.update_lapsus(db.session, lapsus, operator, item_data(), Classification.BIASA, None)
        db.session.commit()


@pytest.mark.parametrize("username", ["fasilitator", "analis", "pimpinan", "admin"])
def test_only_operators_file(app, users, username):
    with app.app_context(), pytest.raises(ReportError):
        services.file_lapsus(db.session, user(username), item_data(), Classification.BIASA, clock.utcnow())


def test_file_through_the_page(app, auth):
    client = auth("operator")
    page = client.get("/lapsus/baru").get_data(as_text=True)
    assert "Kirim laporan khusus" in page and f'value="{TODAY().isoformat()}"' in page
    response = client.post("/lapsus/baru", data=_form())
    assert response.status_code == 302
    lapsus = _get(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert lapsus.title == "Bentrok antarwarga" and lapsus.acknowledged_at is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"title": ""}, "Wajib diisi."),
        ({"occurred_date": (TODAY() + timedelta(days=2)).isoformat()}, "sesudah hari ini"),
        ({"aspect": "cuaca"}, "Pilihan tidak sah."),
        ({"classification": "top-secret"}, "Pilihan tidak sah."),
        ({"what": "x" * 10_000}, "maksimal 4000"),
    ],
)
def test_bad_input_is_422_and_keeps_what_was_typed(app, auth, values, message):
    client = auth("operator")
    response = client.post("/lapsus/baru", data=_form(**values))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert "Dua kelompok warga bentrok di pasar." in html or "what" in values
    with app.app_context():
        assert db.session.scalars(select(SpecialReport)).first() is None


def test_mass_assignment_changes_nothing(app, auth):
    client = auth("operator")
    tala = None
    with app.app_context():
        tala = region("63.01").id
    response = client.post(
        "/lapsus/baru",
        data=_form(region_id=str(tala), filed_by_id="1", acknowledged_at="2024-01-01T00:00:00", version="99"),
    )
    lapsus = _get(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert lapsus.region.code == "63.11" and lapsus.acknowledged_at is None and lapsus.version == 1


def test_acknowledge_with_htmx_rerenders_the_block_and_twice_is_409(app, users):
    lapsus_id = _file(app)
    client = app.test_client()
    login(client, "analis")
    response = client.post(
        f"/lapsus/{lapsus_id}/tanggapi",
        data={"note": "Ditindaklanjuti Polres.", "version": "1"},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<section class="card" id="lapsus-ack"')
    assert "Ditanggapi" in body and "Ditindaklanjuti Polres." in body and "<html" not in body
    again = client.post(f"/lapsus/{lapsus_id}/tanggapi", data={"version": "2"}, headers={"HX-Request": "true"})
    assert again.status_code == 409 and "sudah ditanggapi" in again.get_data(as_text=True)
    lapsus = _get(app, lapsus_id)
    assert lapsus.acknowledgement_note == "Ditindaklanjuti Polres."


def test_edit_until_acknowledged_and_stale_edit(app, users):
    lapsus_id = _file(app)
    client = app.test_client()
    login(client, "operator")
    assert client.get(f"/lapsus/{lapsus_id}/ubah").status_code == 200
    assert client.post(f"/lapsus/{lapsus_id}/ubah", data=_form(version="1")).status_code == 302
    stale = client.post(f"/lapsus/{lapsus_id}/ubah", data=_form(title="Basi", version="1"))
    assert stale.status_code == 409 and "baru saja diubah" in stale.get_data(as_text=True)
    analyst = app.test_client()
    login(analyst, "analis")
    analyst.post(f"/lapsus/{lapsus_id}/tanggapi", data={})
    assert client.get(f"/lapsus/{lapsus_id}/ubah").status_code == 403
    assert _get(app, lapsus_id).title == "Bentrok antarwarga"


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("operator", 200),
        ("fasilitator", 200),
        ("analis", 200),
        ("pimpinan", 200),
        ("admin", 200),
        ("operator.tala", 404),
        ("analis.kalteng", 404),
    ],
)
def test_scope(app, users, username, status):
    lapsus_id = _file(app)
    client = app.test_client()
    login(client, username)
    assert client.get(f"/lapsus/{lapsus_id}").status_code == status


def test_rahasia_only_for_its_region_and_the_province_analysts(app, users):
    lapsus_id = _file(app, classification=Classification.RAHASIA, title="Sel rahasia")
    for username, status in (("operator", 200), ("analis", 200), ("pimpinan", 404)):
        client = app.test_client()
        login(client, username)
        assert client.get(f"/lapsus/{lapsus_id}").status_code == status
        listed = "Sel rahasia" in client.get("/lapsus/?status=semua").get_data(as_text=True)
        assert listed is (status == 200)


def test_list_filters_and_htmx(app, users):
    first = _file(app, title="Pertama")
    _file(app, title="Kedua")
    analyst = app.test_client()
    login(analyst, "analis")
    analyst.post(f"/lapsus/{first}/tanggapi", data={})
    waiting = analyst.get("/lapsus/").get_data(as_text=True)
    assert "Kedua" in waiting and "Pertama" not in waiting
    done = analyst.get("/lapsus/?status=ditanggapi", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert done.lstrip().startswith('<div id="lapsus-list"') and "Pertama" in done and "Kedua" not in done
    assert analyst.get("/lapsus/?status=xyz&page=abc").status_code == 200


def test_province_home_flags_pending_lapsus_until_acknowledged(app, users):
    lapsus_id = _file(app, title="Blokade jalan tambang")
    analyst = app.test_client()
    login(analyst, "analis")
    home = analyst.get("/").get_data(as_text=True)
    assert "LAPSUS menunggu tanggapan" in home and "Blokade jalan tambang" in home
    other = app.test_client()
    login(other, "analis.kalteng")
    assert "Blokade jalan tambang" not in other.get("/").get_data(as_text=True)
    analyst.post(f"/lapsus/{lapsus_id}/tanggapi", data={})
    assert "Blokade jalan tambang" not in analyst.get("/").get_data(as_text=True)


def test_every_write_is_audited(app, users):
    lapsus_id = _file(app)
    client = app.test_client()
    login(client, "analis")
    client.post(f"/lapsus/{lapsus_id}/tanggapi", data={"note": "ok"})
    with app.app_context():
        rows = db.session.scalars(select(AuditLog).where(AuditLog.entity == "special_reports")).all()
        assert [r.action for r in rows] == ["create", "update"]
        assert rows[1].username == "analis" and "acknowledged_at" in rows[1].changes
