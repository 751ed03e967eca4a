"""Security headers, safe redirects and the client address."""

from urllib.parse import urlsplit

from flask import Flask, Response, request

CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'; img-src 'self' data:"
)


def is_safe_next(target: str | None) -> bool:
    """A `next` URL is followed only when it stays on this site (a path, no scheme or host)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target and not any(c < " " for c in target)


def client_ip() -> str | None:
    """The client's address (ProxyFix puts the real one here when behind nginx)."""
    return request.remote_addr


def init_app(app: Flask) -> None:
    """Add the security headers to every response."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            # Data pages must not linger in shared office browsers' caches.
            headers["Cache-Control"] = "no-store"
        return response
