"""Issue categories: seeded by the migration, kept by administrators, offered to operators when active."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.reports.models import IssueCategory

from .conftest import login
from .factories import make_report


def _category(app, code):
    with app.app_context():
        found = db.session.scalars(select(IssueCategory).where(IssueCategory.code == code)).one()
        db.session.expunge(found)
        return found


def test_the_domain_categories_are_seeded(app):
    with app.app_context():
        names = db.session.scalars(select(IssueCategory.name).order_by(IssueCategory.position)).all()
    assert "Kebakaran hutan dan lahan" in names and "Sengketa lahan perusahaan–masyarakat" in names
    assert len(names) >= 15


def test_add_rename_deactivate(app, auth):
    client = auth("admin")
    assert client.post("/laporan/kategori/", data={"name": "Konflik Agraria", "active": "y"}).status_code == 302
    added = _category(app, "konflik-agraria")
    assert added.active and added.position > 15
    response = client.post(
        f"/laporan/kategori/{added.id}",
        data={"name": "Konflik agraria", "position": "3"},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 200
        and html.lstrip().startswith(f'<tr id="category-{added.id}"')
        and "Tersimpan" in html
    )
    changed = _category(app, "konflik-agraria")
    assert changed.name == "Konflik agraria" and changed.position == 3 and not changed.active


def test_same_name_gets_a_unique_code(app, auth):
    client = auth("admin")
    client.post("/laporan/kategori/", data={"name": "Bencana", "active": "y"})
    assert _category(app, "bencana-2").name == "Bencana"


@pytest.mark.parametrize("data", [{"name": ""}, {"name": "x" * 121}, {"name": "ok", "position": "abc"}])
def test_invalid_input_is_422_and_keeps_the_text(app, auth, data):
    client = auth("admin")
    assert client.post("/laporan/kategori/", data=data).status_code == 422
    response = client.post("/laporan/kategori/1", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 422 and 'id="category-1"' in response.get_data(as_text=True)
    assert client.post("/laporan/kategori/1", data=data).status_code == 422


def test_inactive_categories_are_not_offered_to_operators(app, auth, users):
    report_id = make_report(app, items=0)
    admin = auth("admin")
    karhutla = _category(app, "karhutla")
    admin.post(f"/laporan/kategori/{karhutla.id}", data={"name": karhutla.name})  # unchecked: inactive
    operator = app.test_client()
    login(operator, "operator")
    page = operator.get(f"/laporan/{report_id}").get_data(as_text=True)
    assert "Kebakaran hutan dan lahan" not in page and "Pertambangan" in page
