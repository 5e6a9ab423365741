"""Fixtures shared by the review tests (and, through tests/security/conftest.py, the security tests).

* ``drafted``: the seed workspace whose catalog holds machine drafts ("Draft n."); ``ws, doc``.
* ``review_ws``: the same with a paragraph of markup in the seed, a draft, a glossary entry and a
  memory suggestion that carry markup too, for the web app; ``ws, doc, ids``.
* ``browser``: Debian's ``chromium`` driven by Playwright, for the web app's end-to-end tests
  (test_web_e2e.py, web/); without either, skipped on a developer's machine, a failure under ``CI``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.catalog import load_catalog, save_catalog
from pipeline.catalog.states import set_machine_draft
from pipeline.cli import main
from pipeline.terms import Term, Termbase, save_termbase
from pipeline.tm.memory import Match
from pipeline.tm.reuse import add_suggestions
from pipeline.tm.units import Unit
from pipeline.workspace import Workspace

#: A paragraph of markup in a source document; it must only ever be shown as text.
PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
MALICIOUS_PARAGRAPH = (
    "恶意段落<script>alert(1)</script>不应执行。"
    "图片<img src=x onerror=alert(1)>也不应执行。"
    "脚本<script>window.__pwned=1</script>和<img src=x onerror=window.__pwned=2>都只是文字。"
)
#: Markup in a draft, a glossary entry and a memory suggestion, the other ways text reaches the page.
MALICIOUS_DRAFT = "</textarea><script>window.__pwned=3</script>"
MALICIOUS_TERM = Term("恶意段落", "<img src=x onerror=window.__pwned=4>", "term", "<b onmouseover=alert(5)>note</b>")
MALICIOUS_SUGGESTION = "<svg onload=window.__pwned=6>"
#: Any part of those payloads as live markup (a partly escaped one included).
RAW_MARKUP = re.compile(r"<(script>(alert|window)|img src=x|svg onload|b onmouseover)|</textarea><")


@pytest.fixture
def drafted(workspace):
    """A workspace whose seed catalog holds machine drafts ("Draft n.")."""
    assert CliRunner().invoke(main, ["extract", "-w", str(workspace)]).exit_code == 0
    ws = Workspace(workspace)
    doc = ws.documents()[0]
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    for i, message in enumerate(m for m in catalog if m.id):
        set_machine_draft(message, f"Draft {i}.", "fake:test@0")
    save_catalog(path, catalog)
    return ws, doc


@pytest.fixture
def review_ws(workspace):
    """A workspace whose seed (plus a paragraph of markup) holds machine drafts
    ("Draft n."), with a glossary; ``ws, doc, ids``."""
    seed = next((workspace / "seeds").iterdir())
    seed.write_text(
        seed.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + MALICIOUS_PARAGRAPH + "\n", encoding="utf-8"
    )
    ws = Workspace(workspace)
    save_termbase(ws.glossary, Termbase([Term("崔平", "Cui Ping", "person"), MALICIOUS_TERM]))
    result = CliRunner().invoke(main, ["extract", "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    doc = ws.documents()[0]
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    messages = [m for m in catalog if m.id]
    for i, message in enumerate(messages):
        set_machine_draft(message, f"Draft {i}.", "fake:test@0")
    markup = [m for m in messages if "<script>" in m.id]
    assert markup, "the malicious paragraph did not reach the catalog"
    set_machine_draft(markup[0], MALICIOUS_DRAFT, "fake:test@0")
    add_suggestions(markup[0], [Match(Unit(markup[0].id, MALICIOUS_SUGGESTION, "evil.tmx"), 0.8, False)])
    save_catalog(path, catalog)
    return ws, doc, [m.id for m in messages]


# --- Team review: roles, history, gates -------------------------------------------------------

APPROVERS_TOML = '[review]\napprovers = ["Bo Wang", "Ann Li"]\n'


@pytest.fixture
def team(workspace):
    """The seed workspace extracted and machine-translated (with the fake engine, so
    the history holds the drafts), and two approvers in pipeline.toml; ``ws, doc``."""
    from pipeline.translate import translate_documents
    from tests.support.fake_engine import FakeEngine

    assert CliRunner().invoke(main, ["extract", "-w", str(workspace)]).exit_code == 0
    (workspace / "pipeline.toml").write_text(APPROVERS_TOML, encoding="utf-8")
    ws = Workspace(workspace)
    doc = ws.documents()[0]
    translate_documents(ws, [doc], FakeEngine, flush_seconds=0)
    return ws, doc


#: A translation without numbers, names or Chinese: on a source without numbers, no error-level check fires.
PLAIN = "Plain words here."


def plain_ids(session, text: str = PLAIN) -> list[str]:
    """The msgids on which ``text`` fires no error-level check (no numbers in the source...)."""
    from pipeline.checks import Severity, check_message

    return [
        m.id
        for m in session.messages()
        if not any(f.severity is Severity.ERROR for f in check_message(m, text, None, session.doc))
    ]


# --- The browser of the web app's end-to-end tests (test_web_e2e.py, web/) ----------------------

#: Debian's chromium (never ``playwright install``).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def browser_unavailable(why: str):
    """Skip on a developer's machine; fail under ``CI``, which must install it."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{why}; CI must install it (see .ci/run)", pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser():
    """Headless chromium through Playwright, one per test module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("playwright is not installed (pip install playwright)")
    if not Path(CHROMIUM).exists():
        browser_unavailable("chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


class Watched:
    """A browser page that records dialogs, script errors and console errors."""

    def __init__(self, context):
        self.page = context.new_page()
        self.dialogs, self.errors, self.console = [], [], []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: msg.type == "error" and self.console.append(msg.text))

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, url, ready: bool = True):
        self.page.goto(url)
        if ready:
            self.page.wait_for_selector("body.ready")
        return self.page

    def clean(self) -> bool:
        return self.dialogs == [] and self.errors == [] and self.console == []


#: The start of a script for :func:`run_killed`: ``kill_at(point)`` makes the
#: next decision die by SIGKILL before the catalog is swapped in
#: (``before-catalog``: its intent is written) or after it (``after-catalog``:
#: its commit marker is never written).
KILL_AT = """
import os, signal, sys
from pathlib import Path
from pipeline.workspace import Workspace
from pipeline.review.session import ReviewSession
import pipeline.catalog.store as store
import pipeline.catalog.history as history

def kill_at(point):
    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    if point == "before-catalog":
        store.atomic_write = die
    else:
        history._markers = die
"""


def run_killed(script: str, *args: str) -> None:
    """Run :data:`KILL_AT` and ``script`` (``python -c``, from the
    repository) with ``args`` in a child that should die by SIGKILL where
    ``kill_at`` said; fail unless it died that way."""
    from tests.conftest import REPO

    result = subprocess.run(
        [sys.executable, "-c", KILL_AT + script, *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr
