"""The only place HX-* request headers are read and HX-* response headers are written."""

from flask import Flask, Response, request

ERROR_TARGET = "#htmx-error"


def is_htmx() -> bool:
    """The request was made by htmx."""
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """htmx asked for a piece of a page (not a boosted navigation, not a history restore)."""
    return (
        is_htmx()
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def hx_redirect(response: Response, url: str) -> Response:
    """Tell htmx to load a whole new page (used instead of a 302 htmx would follow in place)."""
    response.headers["HX-Redirect"] = url
    return response


def hx_trigger(response: Response, event: str) -> Response:
    """Fire a client-side event after the swap, e.g. to refresh a counter elsewhere on the page."""
    existing = response.headers.get("HX-Trigger")
    response.headers["HX-Trigger"] = f"{existing}, {event}" if existing else event
    return response


def retarget_error(response: Response) -> Response:
    """Swap an error fragment into the page's error box instead of the element that asked."""
    response.headers["HX-Retarget"] = ERROR_TARGET
    response.headers["HX-Reswap"] = "innerHTML"
    return response


def init_app(app: Flask) -> None:
    """Mark every response as varying on HX-Request so caches keep page and fragment apart."""

    @app.after_request
    def _vary_on_hx_request(response: Response) -> Response:
        response.vary.add("HX-Request")
        return response
