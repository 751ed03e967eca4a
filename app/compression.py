"""Gzip for text responses, so every page with its stylesheet and htmx stays under 100 KB on the wire.

Pages are compressed with a random-length name in the gzip header (as Django does since 4.2, "Heal the
BREACH"), so their compressed size says nothing exact about secrets on them such as the CSRF token.
Pages are compressed at level 1, nginx's default: on a search page it takes a third of level 6's time
(0.3 ms against 0.9) for 14 KB instead of 12. Static files are compressed once per version, at level 9,
and kept; streamed responses (exports) are left alone.
"""

import gzip
import io
import secrets

from flask import Flask, Response, request

COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/plain",
        "application/javascript",
        "text/javascript",
        "application/json",
        "image/svg+xml",
    }
)
MIN_SIZE = 500
MAX_RANDOM_BYTES = 100
_static_cache: dict[tuple[str, str], bytes] = {}


def _gzip(data: bytes, padding: int = 0, level: int = 1) -> bytes:
    """Gzip bytes at `level`; `padding` random characters go into the header's file name field."""
    name = secrets.token_hex(padding)[:padding] if padding else ""
    out = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", compresslevel=level, fileobj=out, mtime=0) as stream:
        stream.write(data)
    return out.getvalue()


def accepts_gzip() -> bool:
    """Whether the client said it takes gzip (q=0 means no)."""
    return request.accept_encodings["gzip"] > 0


def compress(response: Response) -> Response:
    """Gzip the response in place when it is worth it and the client accepts it."""
    if response.mimetype not in COMPRESSIBLE or response.status_code in (204, 206, 304):
        return response
    if "Content-Encoding" in response.headers or (response.is_streamed and not response.direct_passthrough):
        return response
    if request.method == "HEAD":
        return response
    response.vary.add("Accept-Encoding")
    if not accepts_gzip():
        return response
    static = request.endpoint == "static"
    key = (request.path, response.get_etag()[0] or "")
    response.direct_passthrough = False
    if static and key in _static_cache:
        body = _static_cache[key]
        close = getattr(response.response, "close", None)
        if close:
            close()  # the file werkzeug opened, not read
    else:
        data = response.get_data()
        if len(data) < MIN_SIZE:
            return response
        body = _gzip(data, level=9) if static else _gzip(data, 1 + secrets.randbelow(MAX_RANDOM_BYTES))
        if static:
            _static_cache[key] = body
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    etag, _weak = response.get_etag()
    if etag:
        # Weak, as nginx makes it: If-None-Match still matches (weakly), so revalidation keeps giving 304s.
        response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    """Compress after every other handler has had its say (after_request runs in reverse order)."""
    app.after_request(compress)
