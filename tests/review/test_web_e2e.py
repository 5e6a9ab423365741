"""``pipeline serve`` end to end: a real server, a real headless browser, a real crash.

The browser is Debian's ``chromium`` driven by Playwright (never
``playwright install``; the ``browser`` fixture of ``tests/review/conftest.py``).
Without either, these tests are skipped on a developer's machine and fail
under ``CI``, which must install both. The
crash test needs no browser: it kills a server process with SIGKILL while
decisions are being saved.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from pipeline.catalog import State, load_catalog, state_of
from pipeline.review.history import read_history
from pipeline.review.session import REVIEWED_BY
from pipeline.review.web import CSRF_HEADER, create_server
from pipeline.workspace import Workspace
from tests.review.conftest import Watched

REVIEWER = "E2E Reviewer"
TOKEN = "e2e-access-token-0123456789abcdef"
CURRENT = re.compile(r"\bcurrent\b")
REVIEWED_ROW = re.compile(r"\bstate-translated\b")


@pytest.fixture
def live(review_ws):
    """The app on a free loopback port, with its access token, served by a thread: ``url, ws, doc, ids``."""
    ws, doc, ids = review_ws
    server = create_server(ws, "127.0.0.1", 0, REVIEWER, TOKEN)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}", ws, doc, ids
    server.shutdown()
    thread.join(10)


@pytest.fixture
def context(browser, live):
    """A browser profile that opened the address ``pipeline serve`` prints, token
    and all, as a reviewer does: from then on a cookie carries the access."""
    base = live[0]
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    assert page.goto(f"{base}/doc/nope").status == 401  # nothing without the token
    page.goto(f"{base}/?token={TOKEN}")
    assert page.url == f"{base}/"  # the token left the address bar and the history
    cookies = context.cookies()
    assert [c["httpOnly"] for c in cookies] == [True] and TOKEN not in cookies[0]["value"]
    page.close()
    yield context
    context.close()


def test_review_with_the_keyboard_in_a_real_browser(live, context):
    from playwright.sync_api import expect

    base, ws, doc, ids = live
    total = len(ids)
    tab = Watched(context)
    page = tab.page

    page.goto(base + "/")
    expect(page.locator("a.doc-link")).to_have_text(doc)
    expect(page.locator("tbody .progress-text")).to_contain_text(f"0/{total} reviewed")
    page.click("a.doc-link")
    page.wait_for_selector("body.ready")
    progress = page.locator("#progress-text")
    expect(progress).to_have_text(f"0/{total} reviewed")
    expect(page.locator("#seg-1")).to_have_class(CURRENT)

    for _ in range(3):  # accept-and-next, three times
        page.keyboard.press("Control+Enter")
    expect(progress).to_have_text(f"3/{total} reviewed")
    for n in (1, 2, 3):
        expect(page.locator(f"#seg-{n}")).to_have_class(REVIEWED_ROW)
    fourth = page.locator("#seg-4")
    expect(fourth).to_have_class(CURRENT)

    # Edit the fourth: its draft "Draft 3." has a number the source lacks; the edit does not.
    expect(fourth.locator(".findings")).to_contain_text("numbers")
    fourth.locator(".en-text").click()
    page.keyboard.press("Control+a")
    page.keyboard.type('To win the future, Ningbo plays its "trump card".')
    expect(fourth.locator(".unsaved")).to_be_visible()
    expect(fourth.locator(".findings .finding")).to_have_count(0)  # the checks ran again on the edit
    expect(page.locator("#panel-body")).to_contain_text("No check fired.")
    page.keyboard.press("Control+Enter")
    expect(progress).to_have_text(f"4/{total} reviewed")
    expect(fourth).to_have_class(REVIEWED_ROW)
    expect(page.locator("#seg-5")).to_have_class(CURRENT)
    expect(page.locator("#seg-5 .en-text")).to_be_focused()  # typing goes on in the next segment

    page.reload()
    page.wait_for_selector("body.ready")
    expect(progress).to_have_text(f"4/{total} reviewed")
    for n in (1, 2, 3, 4):
        expect(page.locator(f"#seg-{n}")).to_have_class(REVIEWED_ROW)
    expect(page.locator("#seg-5")).to_have_class(CURRENT)  # resumes at the first not reviewed
    expect(page.locator("#seg-4 .en-text")).to_have_value('To win the future, Ningbo plays its "trump card".')

    disk = load_catalog(ws.catalog_path(doc))
    for i in range(3):
        assert state_of(disk[ids[i]]) is State.REVIEWED and disk[ids[i]].string == f"Draft {i}."
    assert disk[ids[3]].string == 'To win the future, Ningbo plays its "trump card".'
    assert state_of(disk[ids[3]]) is State.REVIEWED
    for i in range(4):
        assert any(c.startswith(f"{REVIEWED_BY}{REVIEWER}, ") for c in disk[ids[i]].user_comments)
    assert state_of(disk[ids[4]]) is State.MACHINE_DRAFT

    # The paragraph of markup is on the page, as text, and nothing of it ran.
    markup = page.locator(".seg", has_text="恶意段落")
    markup.scroll_into_view_if_needed()
    expect(markup.locator(".zh-text")).to_have_text(re.compile(re.escape("<script>alert(1)</script>")))
    expect(markup.locator(".en-text")).to_have_value("</textarea><script>window.__pwned=3</script>")
    markup.locator(".zh-text").click()  # its glossary and memory panel render too
    expect(page.locator("#panel-body")).to_contain_text("<img src=x onerror=window.__pwned=4>")
    expect(page.locator("#panel-body")).to_contain_text("<svg onload=window.__pwned=6>")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert tab.dialogs == []
    assert tab.errors == [] and tab.console == []  # no script error, no CSP violation

    # The bilingual edition, built on demand, runs its own (hash-allowed) script and nothing else.
    edition_errors = []
    context.on("console", lambda msg: msg.type == "error" and msg.page is not page and edition_errors.append(msg.text))
    with context.expect_page() as opened:
        page.get_by_role("link", name=re.compile("Bilingual edition")).click()
    edition = opened.value
    edition.wait_for_load_state()
    expect(edition.locator(".en")).to_contain_text(['To win the future, Ningbo plays its "trump card".'])
    edition.locator(".zh .seg").nth(3).hover()
    expect(edition.locator(".en .seg.linked")).to_have_count(1)
    assert edition.evaluate("window.__pwned") is None and edition_errors == []


def test_reject_undo_and_moving_with_keys(live, context):
    from playwright.sync_api import expect

    base, ws, doc, ids = live
    tab = Watched(context)
    page = tab.open(f"{base}/doc/{doc}")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    second = page.locator("#seg-2")
    expect(second).to_have_class(CURRENT)
    page.keyboard.press("Alt+r")
    expect(second).to_have_class(re.compile(r"\bstate-untranslated\b"))
    expect(second.locator(".en-text")).to_have_value("")
    expect(page.locator("#seg-3")).to_have_class(CURRENT)
    assert state_of(load_catalog(ws.catalog_path(doc))[ids[1]]) is State.UNTRANSLATED

    page.keyboard.press("Alt+z")
    expect(second).to_have_class(re.compile(r"\bstate-machine-draft\b"))
    expect(second.locator(".en-text")).to_have_value("Draft 1.")
    expect(second).to_have_class(CURRENT)
    disk = load_catalog(ws.catalog_path(doc))[ids[1]]
    assert state_of(disk) is State.MACHINE_DRAFT and disk.string == "Draft 1."

    # An edit on which a check fires is accepted by a second Ctrl+Enter only, as the terminal confirms.
    third = page.locator("#seg-3")
    third.locator(".en-text").click()
    page.keyboard.press("Control+a")
    page.keyboard.type("Reporter 7 Cheng Liangtian")
    page.keyboard.press("Control+Enter")
    expect(third.locator(".confirm-note")).to_be_visible()
    expect(third.locator(".findings")).to_contain_text("numbers")
    expect(third).to_have_class(CURRENT)
    assert load_catalog(ws.catalog_path(doc))[ids[2]].string == "Draft 2."
    page.keyboard.press("Control+Enter")
    expect(third).to_have_class(REVIEWED_ROW)
    expect(third.locator(".confirm-note")).to_be_hidden()
    disk = load_catalog(ws.catalog_path(doc))[ids[2]]
    assert disk.string == "Reporter 7 Cheng Liangtian" and state_of(disk) is State.REVIEWED

    # Filters: only untranslated segments (none), then the state filter in the address.
    page.select_option("#filter-state", "untranslated")
    expect(page.locator("#no-match")).to_be_visible()
    page.select_option("#filter-state", "pending")
    expect(page.locator(".seg:visible")).to_have_count(len(ids) - 1)
    assert "state=pending" in page.url
    assert tab.errors == [] and tab.console == [] and tab.dialogs == []


def test_two_tabs_on_the_same_segment_conflict_visibly(live, context):
    from playwright.sync_api import expect

    base, ws, doc, ids = live
    # Two translations of the subtitle on which no check fires (so one Ctrl+Enter accepts each).
    winner_text, later_text = (
        "Cui Ping: everyone is part of new industrialization",
        "Cui Ping: each of us is part of new industrialization",
    )
    one, two = Watched(context), Watched(context)
    first, second = one.open(f"{base}/doc/{doc}"), two.open(f"{base}/doc/{doc}")

    def type_and_accept(page, text):
        page.locator("#seg-2 .en-text").click()
        page.keyboard.press("Control+a")
        page.keyboard.type(text)
        page.keyboard.press("Control+Enter")

    type_and_accept(first, winner_text)
    expect(first.locator("#seg-2")).to_have_class(REVIEWED_ROW)
    type_and_accept(second, later_text)
    conflict = second.locator("#seg-2 .conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text(winner_text)
    expect(second.locator("#seg-2")).not_to_have_class(REVIEWED_ROW)
    expect(second.locator("#seg-2 .en-text")).to_have_value(later_text)  # nothing typed is lost
    assert load_catalog(ws.catalog_path(doc))[ids[1]].string == winner_text

    # Having seen it, the second reviewer keeps their text and accepts it, explicitly.
    conflict.get_by_role("button", name="Keep my text").click()
    expect(conflict).to_be_hidden()
    second.keyboard.press("Control+Enter")
    expect(second.locator("#seg-2")).to_have_class(REVIEWED_ROW)
    deadline = time.monotonic() + 5
    while load_catalog(ws.catalog_path(doc))[ids[1]].string != later_text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert load_catalog(ws.catalog_path(doc))[ids[1]].string == later_text
    assert one.errors == two.errors == [] and one.console == []
    assert [m for m in two.console if "409" not in m] == []  # Chromium logs the refused write, nothing else


# --- two servers on two ports, one browser ---------------------------------------------


class _OtherDevServer(http.server.BaseHTTPRequestHandler):
    """Another server on another port of 127.0.0.1 (a colleague's dev server): it
    records the cookies the browser sends it and sets the cookie names it can guess."""

    guesses: list[str] = []
    received: list[str] = []

    def do_GET(self):
        type(self).received.append(self.headers.get("Cookie", ""))
        self.send_response(200)
        for name in type(self).guesses:
            self.send_header("Set-Cookie", f"{name}=forged; Path=/; HttpOnly; SameSite=Strict")
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<!doctype html><title>another server</title>")

    def log_message(self, *args):
        pass


def test_two_servers_on_two_ports_review_side_by_side_in_one_browser(browser, review_ws, tmp_path):
    """Cookies are scoped by host, not port: each server's cookie has its own name,
    so two workspaces are reviewed at once in one browser, and a server on a third
    port cannot overwrite either cookie by a name it can guess."""
    from playwright.sync_api import expect

    ws, doc, ids = review_ws
    shutil.copytree(ws.root, tmp_path / "second")
    workspaces = [ws, Workspace(tmp_path / "second")]
    servers = [create_server(w, "127.0.0.1", 0, REVIEWER, TOKEN) for w in workspaces]  # one token for both
    other = http.server.HTTPServer(("127.0.0.1", 0), _OtherDevServer)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (*servers, other)]
    for thread in threads:
        thread.start()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        bases = [f"http://127.0.0.1:{s.port}" for s in servers]
        tabs = [Watched(context), Watched(context)]
        for tab, base in zip(tabs, bases, strict=True):
            tab.page.goto(f"{base}/?token={TOKEN}")
            assert tab.page.url == f"{base}/"
        names = sorted(c["name"] for c in context.cookies())
        assert len(names) == 2 and all(c["httpOnly"] and c["sameSite"] == "Strict" for c in context.cookies())
        for server in servers:  # one each, named after its port
            assert sum(n.startswith(f"pipeline_review_token_{server.port}_") for n in names) == 1

        # The other server gets both cookies (SECURITY.md: don't open other users' pages while
        # reviewing), but the names it can guess from the ports overwrite neither.
        _OtherDevServer.guesses = [f"pipeline_review_token_{s.port}" for s in servers]
        side = context.new_page()
        side.goto(f"http://127.0.0.1:{other.server_address[1]}/")
        side.close()
        assert all(name in _OtherDevServer.received[-1] for name in names)

        # Decide on both, interleaved: accept the first entry in one, reject it in the other.
        pages = [tab.open(f"{base}/doc/{doc}") for tab, base in zip(tabs, bases, strict=True)]
        pages[0].keyboard.press("Control+Enter")
        expect(pages[0].locator("#seg-1")).to_have_class(REVIEWED_ROW)
        pages[1].keyboard.press("Alt+r")
        expect(pages[1].locator("#seg-1")).to_have_class(re.compile(r"\bstate-untranslated\b"))
        pages[0].reload()  # both cookies still carry their access
        pages[0].wait_for_selector("body.ready")
        expect(pages[0].locator("#seg-1")).to_have_class(REVIEWED_ROW)
        pages[1].reload()
        pages[1].wait_for_selector("body.ready")
        expect(pages[1].locator("#seg-1")).to_have_class(re.compile(r"\bstate-untranslated\b"))

        first, second = (load_catalog(w.catalog_path(doc))[ids[0]] for w in workspaces)
        assert state_of(first) is State.REVIEWED and first.string == "Draft 0."
        assert state_of(second) is State.UNTRANSLATED
        for w, action in zip(workspaces, ("accept", "reject"), strict=True):
            assert [r.action for r in read_history(w, doc) if r.msgid == ids[0]][-1] == action
        assert all(tab.errors == [] and tab.console == [] and tab.dialogs == [] for tab in tabs)
    finally:
        context.close()
        for server in (*servers, other):
            server.shutdown()
        for thread in threads:
            thread.join(10)


# --- crash ---------------------------------------------------------------------------


def _start_server(ws) -> tuple[subprocess.Popen, str, dict]:
    """``pipeline serve`` as a user starts it: the address it prints, and the
    ``Authorization`` header a script sends with the token of that address."""
    command = [
        sys.executable,
        "-m",
        "pipeline",
        "serve",
        "-w",
        str(ws.root),
        "--port",
        "0",
        "--reviewer",
        "Crash Tester",
    ]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    for line in proc.stderr:
        match = re.search(r"open (http://127\.0\.0\.1:\d+/)\?token=(\S+)", line)
        if match:
            threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep the pipe drained
            return proc, match.group(1), {"Authorization": f"token {match.group(2)}"}
        if time.monotonic() > deadline:
            break
    proc.kill()
    pytest.fail("the server did not start")


def _open_page(base: str, doc: str, auth: dict) -> tuple[str, str, dict]:
    with urllib.request.urlopen(urllib.request.Request(f"{base}doc/{doc}", headers=auth), timeout=10) as response:
        html = response.read().decode()
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)
    page = re.search(r'data-page="([0-9a-f]+)"', html).group(1)
    island = re.search(r'id="review-items">(.*?)</script>', html, re.DOTALL).group(1)
    return csrf, page, {item["msgid"]: item["tag"] for item in json.loads(island)}


def _decide_until_killed(base, auth, doc, msgids, proc, acknowledged: dict, kill_after: int) -> None:
    """Accept ``msgids`` one after another; SIGKILL the server once ``kill_after``
    decisions were acknowledged, while the next ones are being saved."""
    csrf, page, tags = _open_page(base, doc, auth)
    origin = base.rstrip("/")
    stop = threading.Event()

    def decide():
        for msgid in msgids:
            text = f"Decision on entry {len(acknowledged) + 1}, saved."
            body = json.dumps({"page": page, "msgid": msgid, "tag": tags[msgid], "text": text}).encode()
            request = urllib.request.Request(
                f"{base}api/doc/{doc}/accept",
                data=body,
                method="POST",
                headers={"Content-Type": "application/json", CSRF_HEADER: csrf, "Origin": origin, **auth},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    if response.status == 200:
                        acknowledged[msgid] = text
            except (urllib.error.URLError, ConnectionError, OSError):
                break  # the server is gone: this decision was never acknowledged
            if len(acknowledged) >= kill_after:
                stop.set()
        stop.set()

    thread = threading.Thread(target=decide, daemon=True)
    thread.start()
    assert stop.wait(60), "the decisions did not go through"
    time.sleep(0.03)  # let the next request reach the server: the kill lands between two saves, or in one
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    thread.join(15)


def test_sigkill_keeps_every_acknowledged_decision(review_ws, msgfmt_check):
    ws, doc, ids = review_ws
    path = ws.catalog_path(doc)
    acknowledged: dict[str, str] = {}
    for round_, kill_after in enumerate((6, 14)):  # kill, restart on the same files, kill again
        proc, base, auth = _start_server(ws)
        try:
            _decide_until_killed(
                base, auth, doc, [i for i in ids if i not in acknowledged], proc, acknowledged, kill_after
            )
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == -signal.SIGKILL
        msgfmt_check(path)
        disk = load_catalog(path)
        assert len(acknowledged) >= kill_after
        for msgid, text in acknowledged.items():
            assert disk[msgid].string == text, f"round {round_}: an acknowledged decision was lost"
            assert state_of(disk[msgid]) is State.REVIEWED
            assert any(c.startswith(REVIEWED_BY + "Crash Tester, ") for c in disk[msgid].user_comments)
