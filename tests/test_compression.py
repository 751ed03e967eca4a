"""Gzip of pages and static files: only when asked for, padded for pages, cached for static files."""

import gzip

from flask import Response

from app import compression

GZIP = {"Accept-Encoding": "gzip, deflate"}


def test_login_page_is_gzipped_when_the_browser_accepts_it(client):
    """The same HTML arrives compressed, marked, and varying on Accept-Encoding."""
    plain = client.get("/masuk")
    packed = client.get("/masuk", headers=GZIP)
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"] and "HX-Request" in packed.headers["Vary"]
    assert packed.headers["Content-Encoding"] == "gzip"
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data)
    html = gzip.decompress(packed.data).decode()
    assert html.startswith("<!doctype html>") and "Masuk" in html


def test_pages_carry_a_random_name_in_the_gzip_header(client):
    """Heal the BREACH: a page's gzip header has the FNAME flag and 1–100 random characters."""
    lengths = set()
    for _ in range(8):
        data = client.get("/masuk", headers=GZIP).data
        assert data[3] & 0x08  # FNAME
        name = data[10 : data.index(b"\0", 10)]
        assert 1 <= len(name) <= compression.MAX_RANDOM_BYTES
        lengths.add(len(name))
    assert len(lengths) > 1


def test_static_files_are_compressed_once_and_still_revalidate(client):
    """htmx and the stylesheet come gzipped from the cache with a weak ETag that still gives 304."""
    compression._static_cache.clear()
    first = client.get("/static/css/app.css", headers=GZIP)
    second = client.get("/static/css/app.css", headers=GZIP)
    assert first.headers["Content-Encoding"] == "gzip" and first.data == second.data
    assert len(compression._static_cache) == 1
    assert b"--ink" in gzip.decompress(first.data)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get("/static/css/app.css", headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    again.close()
    first.close()
    second.close()


def test_no_gzip_when_refused_or_not_worth_it(client):
    """q=0, small bodies and binary files stay as they are."""
    refused = client.get("/masuk", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers
    icon = client.get("/static/img/favicon.svg", headers=GZIP)  # under MIN_SIZE
    assert "Content-Encoding" not in icon.headers
    icon.close()


def test_streamed_responses_are_left_alone(app):
    """A streamed body (as exports are) is sent as it is made, never buffered for compression."""
    chunks = (f"<p>baris {n}</p>" * 50 for n in range(10))
    with app.test_request_context("/", headers=GZIP):
        response = compression.compress(Response(chunks, mimetype="text/html"))
        assert response.is_streamed and "Content-Encoding" not in response.headers
        assert response.direct_passthrough is False
        response.close()
