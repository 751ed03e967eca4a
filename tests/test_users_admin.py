"""The administrator's user pages: list and filter, create, edit, deactivate, reset password."""

import re

import pytest
from sqlalchemy import select

from app.audit import AuditLog
from app.auth.models import Role, User
from app.extensions import db
from app.regions.models import Region

from .conftest import get_user, login


def _region_id(app, code):
    with app.app_context():
        return db.session.scalars(select(Region.id).where(Region.code == code)).one()


def _form(app, **values):
    data = {
        "full_name": "Budi Santoso",
        "role": "operator",
        "region_id": str(_region_id(app, "63.05")),
        "nip": "",
        "jabatan": "Operator",
        "phone": "0812 3456 7890",
        "email": "budi@tapin.example.go.id",
    }
    data.update(values)
    return data


def test_list_page_and_htmx_fragment(app, auth):
    client = auth("admin")
    page = client.get("/pengguna")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and 'id="user-table"' in html
    assert page.headers["Vary"] and "HX-Request" in page.headers["Vary"]
    fragment = client.get("/pengguna?q=balangan", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="user-table">')
    assert "Operator Balangan" in body and "Operator Tanah Laut" not in body


@pytest.mark.parametrize("query", ["?page=abc", "?page=-1", "?page=99999999999999999999", "?role=raja", "?status=x"])
def test_odd_query_strings_never_fail(auth, query):
    response = auth("admin").get("/pengguna" + query)
    assert response.status_code == 200


def test_create_user_shows_temporary_password_once_and_forces_change(app, auth, users):
    client = auth("admin")
    response = client.post("/pengguna/baru", data=_form(app, username="Budi.Tapin"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Kata sandi hanya ditampilkan sekali" in html
    temporary = re.search(r"<code>([^<]+)</code>", html).group(1)
    user = get_user(app, "budi.tapin")
    assert user.role == Role.OPERATOR and user.region.code == "63.05" and user.must_change_password
    assert user.phone == "0812 3456 7890"
    newcomer = app.test_client()
    assert login(newcomer, "budi.tapin", temporary).status_code == 302
    assert newcomer.get("/").headers["Location"] == "/akun/kata-sandi"


def test_create_user_with_given_password(app, auth, users):
    client = auth("admin")
    response = client.post("/pengguna/baru", data=_form(app, username="budi", password="hujan-turun-di-tapin"))
    assert response.status_code == 200
    assert login(app.test_client(), "budi", "hujan-turun-di-tapin").status_code == 302


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"username": "operator"}, "sudah dipakai"),
        ({"username": "ab"}, "Isian harus 3 sampai 40 karakter"),
        ({"username": "Budi Santoso"}, "huruf kecil"),
        ({"username": "budi", "full_name": ""}, "Wajib diisi."),
        ({"username": "budi", "nip": "123"}, "18 angka"),
        ({"username": "budi", "email": "bukan-surel"}, "Alamat surel tidak sah."),
        ({"username": "budi", "role": "raja"}, "Pilihan tidak sah."),
        ({"username": "budi", "region_id": "999999"}, "Pilih wilayah dari daftar."),
        ({"username": "budi", "region_id": "abc"}, "Pilih wilayah dari daftar."),
        ({"username": "budi", "region_id": ""}, "wajib memiliki wilayah"),
        ({"username": "budi", "role": "provinsi"}, "ditempatkan di sebuah provinsi"),
        ({"username": "budi", "password": "password"}, "terlalu umum"),
    ],
)
def test_create_user_errors_are_on_the_form_and_keep_input(app, auth, users, values, message):
    client = auth("admin")
    response = client.post("/pengguna/baru", data=_form(app, **values))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'value="budi@tapin.example.go.id"' in html or values.get("email")  # nothing typed is lost
    with app.app_context():
        assert db.session.scalars(select(User).where(User.username == "budi")).first() is None


def test_edit_user_changes_role_and_region_and_ends_their_sessions(app, auth, users):
    operator = app.test_client()
    login(operator, "operator.tala")
    client = auth("admin")
    page = client.get(f"/pengguna/{users['operator.tala']}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = client.post(
        f"/pengguna/{users['operator.tala']}",
        data=_form(app, role="fasilitator", region_id=str(_region_id(app, "63.01")), version=version),
    )
    assert response.status_code == 302
    user = get_user(app, "operator.tala")
    assert user.role == Role.FASILITATOR and user.full_name == "Budi Santoso"
    assert operator.get("/").status_code == 302  # new rights: log in again
    with app.app_context():
        row = db.session.scalars(
            select(AuditLog).where(AuditLog.entity == "users", AuditLog.action == "update").order_by(AuditLog.id.desc())
        ).first()
        assert row.changes["role"] == ["operator", "fasilitator"]
        assert row.username == "admin"


def test_stale_edit_is_409_and_changes_nothing(app, auth, users):
    client = auth("admin")
    url = f"/pengguna/{users['operator.tala']}"
    first = client.post(
        url, data=_form(app, full_name="Versi Pertama", region_id=str(_region_id(app, "63.01")), version="1")
    )
    assert first.status_code == 302
    stale = client.post(
        url, data=_form(app, full_name="Versi Basi", region_id=str(_region_id(app, "63.01")), version="1")
    )
    assert stale.status_code == 409
    assert "baru saja diubah" in stale.get_data(as_text=True)
    assert get_user(app, "operator.tala").full_name == "Versi Pertama"


def test_login_does_not_count_as_an_edit(app, auth, users):
    client = auth("admin")
    page = client.get(f"/pengguna/{users['operator']}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    login(app.test_client(), "operator")  # the owner logs in while the admin edits
    response = client.post(
        f"/pengguna/{users['operator']}", data=_form(app, region_id=str(_region_id(app, "63.11")), version=version)
    )
    assert response.status_code == 302


def test_admin_cannot_demote_or_deactivate_themself(app, auth, users):
    client = auth("admin")
    response = client.post(f"/pengguna/{users['admin']}", data=_form(app, role="operator", version="1"))
    assert response.status_code == 422 and "sendiri" in response.get_data(as_text=True)
    response = client.post(f"/pengguna/{users['admin']}/status", headers={"HX-Request": "true"})
    assert response.status_code == 422 and "sendiri" in response.get_data(as_text=True)
    assert get_user(app, "admin").active


def test_deactivate_and_reactivate_with_htmx_returns_the_row(app, auth, users):
    client = auth("admin")
    url = f"/pengguna/{users['operator']}/status"
    response = client.post(url, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith(f'<tr id="user-{users["operator"]}"') and "Nonaktif" in html
    assert not get_user(app, "operator").active
    response = client.post(url, headers={"HX-Request": "true"})
    assert "Aktif" in response.get_data(as_text=True) and get_user(app, "operator").active


def test_reset_password_generated_and_given(app, auth, users):
    client = auth("admin")
    response = client.post(f"/pengguna/{users['operator']}/reset-sandi", data={})
    temporary = re.search(r"<code>([^<]+)</code>", response.get_data(as_text=True)).group(1)
    assert len(temporary) == 19
    assert get_user(app, "operator").must_change_password
    assert login(app.test_client(), "operator", temporary).status_code == 302
    response = client.post(f"/pengguna/{users['operator']}/reset-sandi", data={"password": "123456"})
    assert response.status_code == 422 and "minimal 8" in response.get_data(as_text=True)


def test_unknown_user_id_is_404(auth, users):
    client = auth("admin")
    assert client.get("/pengguna/999999").status_code == 404
    assert client.post("/pengguna/999999/status").status_code == 404
