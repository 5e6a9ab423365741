"""Fixtures of the review app's browser tests (``tests/review/web/``).

* ``browser``: Debian's ``chromium`` through Playwright, from ``tests/review/conftest.py``
  (shared with ``test_web_e2e.py``).
* ``live``: the app on a free loopback port, served by a thread: ``url, ws, doc, ids``.
* ``open_context``: ``open_context(width, javascript=True)``, a browser profile
  that opened the address ``pipeline serve`` prints (token and all), at that
  viewport width; closed after the test.
* ``Watched``: a page that records dialogs, script errors and console errors.
"""

from __future__ import annotations

import threading

import pytest

from pipeline.review.web import create_server

REVIEWER = "Web Reviewer"
TOKEN = "web-access-token-0123456789abcdef"
#: The widths the app must work at: a desktop, a 1,024 px laptop, a phone.
WIDTHS = (1280, 1024, 390)


def serve(ws, reviewer=REVIEWER):
    server = create_server(ws, "127.0.0.1", 0, reviewer, TOKEN)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def live(review_ws):
    """The app on a free loopback port, with its access token: ``url, ws, doc, ids``."""
    ws, doc, ids = review_ws
    server, thread = serve(ws)
    yield f"http://127.0.0.1:{server.port}", ws, doc, ids
    server.shutdown()
    thread.join(10)


def login(context, base: str) -> None:
    """Open the address ``pipeline serve`` prints, as a reviewer does: a cookie carries the access."""
    page = context.new_page()
    page.goto(f"{base}/?token={TOKEN}")
    assert page.url == f"{base}/"
    page.close()


@pytest.fixture
def open_context(browser, live):
    contexts = []

    def open_(width: int, javascript: bool = True, base: str | None = None):
        context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=javascript)
        contexts.append(context)
        login(context, base or live[0])
        return context

    yield open_
    for context in contexts:
        context.close()
