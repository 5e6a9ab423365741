"""The team's workflow in the review page, in headless Chromium: approval
(approvers only, never one's own translation), the gate on error-level
checks (a reason to override, stored), an entry's history with the diff from
the machine draft, and the old/new source of a fuzzy entry. Text from the
catalog and the history is only ever shown as text.
"""

from __future__ import annotations

import re

import pytest

from pipeline.catalog import State, load_catalog, save_catalog, state_of
from pipeline.review.history import read_history
from pipeline.review.roles import roles_for
from pipeline.review.session import ReviewSession
from tests.review.conftest import Watched

from .conftest import REVIEWER, serve

OTHER = "Li Hua"
MARKUP = "<img src=x onerror=window.__pwned=7>"


@pytest.fixture
def team_live(review_ws, open_context):
    """The app for a workspace whose approvers include the app's reviewer: ``url, ws, doc, ids``.

    ids[1] translated by someone else, ids[2] translated by the reviewer, ids[6] fuzzy."""
    ws, doc, ids = review_ws
    (ws.root / "pipeline.toml").write_text(f'[review]\napprovers = ["{REVIEWER}"]\n', encoding="utf-8")
    ReviewSession(ws, doc, OTHER).accept(ids[1], "Cui Ping: everyone is part of new industrialization")
    ReviewSession(ws, doc, REVIEWER).accept(ids[2], "By Cheng Liangtian")
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    catalog[ids[6]].previous_id = ["宁波推进工业化的号角已经吹响。"]
    catalog[ids[6]].user_comments = [c for c in catalog[ids[6]].user_comments if not c.startswith("mt")]
    save_catalog(path, catalog)
    server, thread = serve(ws)
    base = f"http://127.0.0.1:{server.port}"
    yield base, ws, doc, ids
    server.shutdown()
    thread.join(10)


def _state(ws, doc, msgid) -> State:
    return state_of(load_catalog(ws.catalog_path(doc))[msgid], roles_for(ws))


@pytest.mark.parametrize("width", (1280, 390))
def test_approve_and_the_refusal_of_ones_own_translation(team_live, open_context, width):
    from playwright.sync_api import expect

    base, ws, doc, ids = team_live
    tab = Watched(open_context(width, base=base))
    page = tab.open(f"{base}/doc/{doc}")
    other, own = page.locator("#seg-2"), page.locator("#seg-3")
    expect(other).to_have_class(re.compile(r"\bstate-translated\b"))

    other.locator(".zh-text").click()
    other.get_by_role("button", name="Approve", exact=True).click()
    expect(other).to_have_class(re.compile(r"\bstate-approved\b"))
    expect(other.locator(".badge")).to_have_text("approved")
    expect(page.locator("#progress-text")).to_contain_text("1 approved")
    assert _state(ws, doc, ids[1]) is State.APPROVED
    expect(other.get_by_role("button", name="Approve", exact=True)).to_be_hidden()  # approved now: Unapprove instead

    own.locator(".zh-text").click()
    own.get_by_role("button", name="Approve", exact=True).click()
    refusal = own.locator(".refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("may not approve their own translation")
    assert _state(ws, doc, ids[2]) is State.TRANSLATED
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    other.locator(".zh-text").click()
    other.get_by_role("button", name="Unapprove").click()
    expect(other).to_have_class(re.compile(r"\bstate-translated\b"))
    assert _state(ws, doc, ids[1]) is State.TRANSLATED
    assert tab.errors == [] and tab.dialogs == []


def test_no_approve_button_for_a_reviewer_who_is_not_an_approver(review_ws, browser):
    ws, doc, ids = review_ws
    (ws.root / "pipeline.toml").write_text('[review]\napprovers = ["Someone Else"]\n', encoding="utf-8")
    server, thread = serve(ws)
    try:
        from .conftest import login

        context = browser.new_context(viewport={"width": 1280, "height": 800})
        login(context, f"http://127.0.0.1:{server.port}")
        page = Watched(context).open(f"http://127.0.0.1:{server.port}/doc/{doc}")
        assert page.locator(".act-approve").count() == 0
        page.keyboard.press("p")  # the key says why, and nothing is sent
        assert "Only an approver" in page.locator("#seg-1 .refusal").text_content()
        context.close()
    finally:
        server.shutdown()
        thread.join(10)


def test_the_gate_asks_for_a_reason_and_stores_it(team_live, open_context):
    from playwright.sync_api import expect

    base, ws, doc, ids = team_live
    tab = Watched(open_context(1024, base=base))
    page = tab.open(f"{base}/doc/{doc}")
    row = page.locator("#seg-4")
    row.locator(".en-text").click()
    page.keyboard.press("Control+a")
    page.keyboard.type("宁波 plays its trump card.")  # Chinese left in: an error-level check
    page.keyboard.press("Control+Enter")
    expect(row.locator(".confirm-note")).to_be_visible()
    page.keyboard.press("Control+Enter")  # accept anyway: the server's gate stops it
    gate = row.locator(".gate")
    expect(gate).to_be_visible()
    expect(gate).to_contain_text("han-in-target")
    assert load_catalog(ws.catalog_path(doc))[ids[3]].string == "Draft 3."

    reason = f"the name stays in Chinese for the print desk {MARKUP}"
    expect(gate.locator("input.gate-reason")).to_be_focused()
    gate.get_by_role("button", name=re.compile("Override and accept")).click()  # no reason: still refused
    expect(gate).to_be_visible()
    gate.locator("input.gate-reason").fill(reason)
    page.keyboard.press("Enter")
    expect(row).to_have_class(re.compile(r"\bstate-translated\b"))
    expect(gate).to_be_hidden()
    message = load_catalog(ws.catalog_path(doc))[ids[3]]
    assert message.string == "宁波 plays its trump card."
    assert any(c.startswith("no-check: han-in-target") for c in message.user_comments)
    record = [r for r in read_history(ws, doc) if r.msgid == ids[3]][-1]
    assert record.overrides == ("han-in-target",) and record.override_reason == reason and record.reason is None

    # The history shows the override, its reason as text, and the diff from the machine draft.
    row.locator(".zh-text").click()  # the decision moved on to the next segment; come back
    row.get_by_role("button", name="History").click()
    history = row.locator(".history")
    expect(history).to_contain_text("overrode han-in-target")
    expect(history).to_contain_text(reason)
    expect(history.locator(".diff del").first).to_be_visible()
    assert "宁波" in "".join(history.locator(".diff ins").all_text_contents())
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert tab.errors == [] and tab.dialogs == []


def test_history_and_diffs_show_text_never_markup(team_live, open_context):
    from playwright.sync_api import expect

    base, ws, doc, ids = team_live
    ReviewSession(ws, doc, OTHER).accept(ids[7], f"Industry matters to Ningbo {MARKUP}")
    tab = Watched(open_context(390, base=base))
    page = tab.open(f"{base}/doc/{doc}")
    row = page.locator("#seg-8")
    row.locator(".zh-text").click()
    page.keyboard.press("Escape")
    page.keyboard.press("h")
    history = row.locator(".history")
    expect(history).to_be_visible()
    expect(history.locator(".h-list li")).to_have_count(1)
    expect(history).to_contain_text(f"{OTHER} edited")
    expect(history).to_contain_text("machine-draft → translated")
    expect(history.locator(".h-text")).to_have_text(f"Industry matters to Ningbo {MARKUP}")
    assert history.locator(".diff del").first.text_content() == "Draft"  # a word replaced, not its letters
    # The diff without what it struck out is the text now, markup as text.
    assert "".join(history.locator(".diff > :not(del)").all_text_contents()) == f"Industry matters to Ningbo {MARKUP}"
    assert history.locator("img").count() == 0

    # A fuzzy entry: the old and the new source, as a character diff, rendered by the server.
    fuzzy = page.locator("#seg-7 .was")
    expect(fuzzy).to_be_visible()
    assert "".join(fuzzy.locator("del").all_text_contents()) == "角"
    assert "".join(fuzzy.locator("ins").all_text_contents()) == "新型冲锋"
    assert fuzzy.locator(".was-text").text_content() == "宁波推进新型工业化的冲锋号角已经吹响。"
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert tab.errors == [] and tab.dialogs == []


def test_approving_a_text_on_which_an_error_fires_asks_for_a_reason_too(team_live, open_context):
    from playwright.sync_api import expect

    base, ws, doc, ids = team_live
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    catalog[ids[3]].string = "宁波 plays its trump card."  # translated in Poedit: no record, Chinese left in
    catalog[ids[3]].flags = set()
    catalog[ids[3]].user_comments = []
    save_catalog(path, catalog)
    tab = Watched(open_context(1280, base=base))
    page = tab.open(f"{base}/doc/{doc}")
    row = page.locator("#seg-4")
    row.locator(".zh-text").click()
    row.get_by_role("button", name="Approve", exact=True).click()
    gate = row.locator(".gate")
    expect(gate).to_contain_text("Not approved: error-level checks fired (han-in-target)")
    assert _state(ws, doc, ids[3]) is State.TRANSLATED
    gate.locator("input.gate-reason").fill("the desk keeps this name in Chinese")
    gate.get_by_role("button", name="Override and approve").click()
    expect(row).to_have_class(re.compile(r"\bstate-approved\b"))
    assert _state(ws, doc, ids[3]) is State.APPROVED
    record = [r for r in read_history(ws, doc) if r.msgid == ids[3]][-1]
    assert record.action == "approve" and record.overrides == ("han-in-target",)
    assert tab.errors == [] and tab.dialogs == []


def test_an_edit_with_its_reason_and_a_comment_added_and_removed(team_live, open_context):
    """The reason field shows with an edit and goes with its accept; a comment is added from
    the row (button and key c), shown, kept with an unsaved edit, refused when it would read
    as a record, and removed; the history says all of it, as text."""
    from playwright.sync_api import expect

    from pipeline.catalog import annotations

    base, ws, doc, ids = team_live
    tab = Watched(open_context(1024, base=base))
    page = tab.open(f"{base}/doc/{doc}")
    row = page.locator("#seg-5")
    reason_field = row.locator(".edit-reason")
    row.locator(".en-text").click()
    expect(reason_field).to_be_hidden()  # no edit, no reason to give
    page.keyboard.press("Control+a")
    page.keyboard.type("Plain words here.")
    expect(reason_field).to_be_visible()
    reason = f"the draft lost the subject {MARKUP}"
    row.get_by_label("Reason for the change (optional, saved in the history)").fill(reason)
    page.keyboard.press("Control+Enter")  # from the reason field: accepts, as from the editor
    page.wait_for_function(
        "() => { const r = document.querySelector('#seg-5');"
        " return r.classList.contains('state-translated') || !r.querySelector('.confirm-note').hidden; }"
    )
    if row.locator(".confirm-note").is_visible():
        page.keyboard.press("Control+Enter")  # checks fired on the edit: accept anyway
    expect(row).to_have_class(re.compile(r"\bstate-translated\b"))
    record = [r for r in read_history(ws, doc) if r.msgid == ids[4]][-1]
    assert (record.action, record.reason, record.who) == ("edit", reason, REVIEWER)

    # A comment, from the row's button; the unsaved edit of the row stays in the editor.
    row.locator(".zh-text").click()
    row.locator(".en-text").click()
    page.keyboard.press("Control+a")
    page.keyboard.type("An edit not saved yet.")
    row.get_by_role("button", name="Comment").click()
    query = f"Dropped a garbled fragment of the source; please check {MARKUP}"
    form = row.locator(".comment-form")
    field = form.get_by_label(re.compile("^Comment"))
    expect(field).to_be_focused()
    field.fill(query)
    page.keyboard.press("Enter")
    expect(row.locator(".comments")).to_be_visible()
    expect(row.locator(".comment-list")).to_contain_text(query)
    expect(row.locator(".en-text")).to_have_value("An edit not saved yet.")
    message = load_catalog(ws.catalog_path(doc))[ids[4]]
    assert annotations.people_comments(message) == [query] and message.string == "Plain words here."
    assert _state(ws, doc, ids[4]) is State.TRANSLATED
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")  # drop the unsaved edit
    expect(row.locator(".en-text")).to_have_value("Plain words here.")

    # A forged approval through a comment (key c) is refused, and nothing is saved.
    before = ws.catalog_path(doc).read_bytes()
    page.keyboard.press("c")
    expect(form.locator("input")).to_be_focused()
    forged = f"approved-by: {REVIEWER}, 2026-12-05T09:00Z, msgstr=00000000"
    form.locator("input").fill(forged)
    page.keyboard.press("Enter")
    expect(page.locator("#toast")).to_contain_text("would read as a record")
    assert ws.catalog_path(doc).read_bytes() == before
    # What was typed is not lost: the field is back with it, to be corrected (or cancelled).
    expect(form.locator("input")).to_have_value(forged)
    page.keyboard.press("Escape")
    expect(form).to_be_hidden()

    # The history shows the reason and the comment as text; then the comment is removed.
    row.get_by_role("button", name="History").click()
    history = row.locator(".history")
    expect(history).to_contain_text("commented")
    expect(history).to_contain_text("comment: " + query)
    expect(history).to_contain_text("reason: " + reason)
    row.get_by_role("button", name="Remove the comment: " + query).click()
    expect(row.locator(".comments")).to_be_hidden()
    expect(history).to_contain_text("removed a comment")
    assert annotations.people_comments(load_catalog(ws.catalog_path(doc))[ids[4]]) == []
    assert _state(ws, doc, ids[4]) is State.TRANSLATED
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert tab.errors == [] and tab.dialogs == []
