"""Browser fixtures: the app served on a free loopback port, and Debian's Chromium driven by Playwright."""

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("WASPADA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HTMX = Path(__file__).resolve().parents[2] / "static" / "vendor" / "htmx.min.js"
# A busy CI machine (two cores, the server thread and Chromium sharing them) can take longer than
# Playwright's default 5 s for an autosave round trip; waiting longer never slows a passing test.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (`make test` installs it with apt)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} tidak ada: jalankan `make test` (memasang Chromium dari Debian).")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def live_server(app, users):
    """The test app on http://127.0.0.1:<free port>, in a thread; yields the base URL."""
    if not HTMX.exists():
        pytest.fail("static/vendor/htmx.min.js tidak ada: jalankan `make test` (npm ci menyalinnya).")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser):
    """A fresh browser context (own cookies) in Indonesian, with a laptop-sized window."""
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    yield tab
    context.close()
