"""The administrator's audit log page: filters, htmx fragment, bad input."""

import re

import pytest

from .conftest import login


def test_every_write_of_the_session_shows_in_the_log(app, auth, users):
    client = auth("admin")
    client.post(f"/pengguna/{users['operator']}/status")
    html = client.get("/audit/").get_data(as_text=True)
    assert "Masuk" in html and "Diubah" in html and "Dibuat" in html
    assert "active" in html  # the changed column is shown


def test_filters_by_user_entity_action_and_date(app, auth, users):
    client = auth("admin")
    login(app.test_client(), "operator", "salah-sekali-123")
    html = client.get("/audit/?user=operator&action=login_failed").get_data(as_text=True)
    assert len(re.findall(r'id="audit-\d+"', html)) == 1 and "Gagal masuk" in html
    html = client.get("/audit/?entity=regions").get_data(as_text=True)
    assert "Wilayah #" in html and "Pengguna #" not in html
    html = client.get("/audit/?date_from=2000-01-01&date_to=2000-01-31").get_data(as_text=True)
    assert "Tidak ada catatan yang cocok." in html


def test_htmx_asks_for_the_table_only(auth, users):
    response = auth("admin").get("/audit/?action=login", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and body.lstrip().startswith('<div id="audit-table">')


@pytest.mark.parametrize(
    "query",
    [
        "?date_from=2024-13-45",
        "?date_from=kemarin",
        "?date_from=2024-05-02&date_to=2024-05-01",
        "?entity=rahasia",
        "?action=%00",
        "?user=" + "x" * 10_000,
    ],
)
def test_bad_filters_answer_422_with_a_message(auth, users, query):
    response = auth("admin").get("/audit/" + query)
    assert response.status_code == 422
    assert "Saringan tidak sah" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["?page=abc", "?page=0", "?page=" + "9" * 30])
def test_odd_page_numbers_fall_back_to_page_one(auth, users, query):
    assert auth("admin").get("/audit/" + query).status_code == 200
