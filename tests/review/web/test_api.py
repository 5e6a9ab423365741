"""The review API of approval, gates and history, from a hostile tab's side
(Flask's test client, no browser): CSRF and origin on every new write,
refused reasons, JSON with no markup, and the one-line refusals."""

from __future__ import annotations

import json
import re

import pytest

from pipeline.catalog import State, load_catalog, state_of
from pipeline.review.roles import roles_for
from pipeline.review.session import ReviewSession
from pipeline.review.web import CSRF_HEADER, create_app
from pipeline.review.web.diffs import char_diff

APPROVER, OTHER = "Ann Approver", "Li Hua"


@pytest.fixture
def setup(review_ws):
    ws, doc, ids = review_ws
    (ws.root / "pipeline.toml").write_text(f'[review]\napprovers = ["{APPROVER}"]\n', encoding="utf-8")
    ReviewSession(ws, doc, OTHER).accept(ids[1], "Cui Ping: everyone is part of new industrialization")
    app = create_app(ws, APPROVER, None)
    client = app.test_client()
    html = client.get(f"/doc/{doc}").get_data(as_text=True)
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)
    page = re.search(r'data-page="([0-9a-f]+)"', html).group(1)
    items = {i["msgid"]: i for i in json.loads(re.search(r'id="review-items">(.*?)</script>', html, re.S).group(1))}
    return ws, doc, ids, client, csrf, page, items


def _post(client, doc, action, body, csrf, origin="http://localhost"):
    headers = {CSRF_HEADER: csrf} if csrf else {}
    if origin:
        headers["Origin"] = origin
    return client.post(f"/api/doc/{doc}/{action}", json=body, headers=headers)


def test_approve_and_unapprove_need_the_csrf_token_and_our_origin(setup):
    ws, doc, ids, client, csrf, page, items = setup
    body = {"page": page, "msgid": ids[1], "tag": items[ids[1]]["tag"]}
    for action in ("approve", "unapprove"):
        assert _post(client, doc, action, body, None).status_code == 403
        assert _post(client, doc, action, body, "wrong-token").status_code == 403
        assert _post(client, doc, action, body, csrf, origin="http://evil.example").status_code == 403
    assert state_of(load_catalog(ws.catalog_path(doc))[ids[1]], roles_for(ws)) is State.TRANSLATED
    response = _post(client, doc, "approve", body, csrf)
    assert response.status_code == 200 and response.get_json()["item"]["state"] == "approved"
    assert response.get_json()["progress"]["approved"] == 1


def test_refusals_are_one_line_and_nothing_is_saved(setup):
    ws, doc, ids, client, csrf, page, items = setup
    ReviewSession(ws, doc, APPROVER).accept(ids[2], "By Cheng Liangtian")
    html = client.get(f"/doc/{doc}").get_data(as_text=True)
    tag = {i["msgid"]: i for i in json.loads(re.search(r'id="review-items">(.*?)</script>', html, re.S).group(1))}
    response = _post(client, doc, "approve", {"page": page, "msgid": ids[2], "tag": tag[ids[2]]["tag"]}, csrf)
    assert response.status_code == 403 and response.get_json()["refused"] is True
    assert "own translation" in response.get_json()["error"] and "\n" not in response.get_json()["error"]

    # The gate: a 422 with the findings; the override reason is checked like any text.
    body = {"page": page, "msgid": ids[3], "tag": items[ids[3]]["tag"], "text": "宁波 plays its trump card."}
    gate = _post(client, doc, "accept", body, csrf)
    assert gate.status_code == 422 and gate.get_json()["gate"] is True
    assert "han-in-target" in [f["code"] for f in gate.get_json()["findings"]]
    for reason, status in (("bidi \u202e reason", 400), ("x" * 501, 400), (7, 400), ("   ", 422)):
        assert _post(client, doc, "accept", {**body, "override": reason}, csrf).status_code == status, reason
    assert load_catalog(ws.catalog_path(doc))[ids[3]].string == "Draft 3."
    saved = _post(client, doc, "accept", {**body, "override": "a name the desk keeps in Chinese"}, csrf)
    assert saved.status_code == 200 and saved.get_json()["item"]["state"] == "translated"


def test_history_is_json_without_markup_and_needs_a_known_entry(setup):
    ws, doc, ids, client, csrf, page, items = setup
    markup_id = next(i for i in ids if "<script>" in i)
    ReviewSession(ws, doc, OTHER).accept(markup_id, "Markup <script>alert(1)</script> as text")
    response = client.get(f"/api/doc/{doc}/history", query_string={"msgid": markup_id})
    assert response.status_code == 200
    raw = response.get_data(as_text=True)
    assert "<" not in raw and ">" not in raw  # escaped as \u003c inside the JSON strings
    data = response.get_json()
    assert [r["action"] for r in data["records"]] == ["edit"] and data["records"][0]["who"] == OTHER
    assert data["draft"]["text"].startswith("</textarea>")
    assert "".join(text for op, text in data["draftDiff"] if op != "delete") == data["current"]
    assert client.get(f"/api/doc/{doc}/history", query_string={"msgid": "不存在"}).status_code == 404
    assert client.get(f"/api/doc/{doc}/history").status_code == 400
    assert client.get("/api/doc/nope/history", query_string={"msgid": ids[0]}).status_code == 404


def test_char_diff_rebuilds_both_texts():
    cases = [
        ("宁波推进工业化的号角已经吹响。", "宁波推进新型工业化的冲锋号已经吹响。"),
        ("Draft 3.", "To win the future, Ningbo plays its trump card."),
        ("", "new"),
        ("old", ""),
        ("same", "same"),
        ("a" * 15_000, "b" * 15_000),  # too long to compare: replaced whole
        ("甲乙丙" * 400 + "。", "丙乙甲" * 400 + "。"),  # too costly to compare: the middle replaced whole
    ]
    for old, new in cases:
        runs = char_diff(old, new)
        assert "".join(t for op, t in runs if op != "insert") == old
        assert "".join(t for op, t in runs if op != "delete") == new
        assert all(a[0] != b[0] for a, b in zip(runs, runs[1:], strict=False))  # runs are merged
    assert char_diff("宁波推进工业化的号角已经吹响。", "宁波推进新型工业化的冲锋号已经吹响。") == [
        ("equal", "宁波推进"),
        ("insert", "新型"),
        ("equal", "工业化的"),
        ("insert", "冲锋"),
        ("equal", "号"),
        ("delete", "角"),
        ("equal", "已经吹响。"),
    ]


def test_char_diff_bounds_its_work_and_keeps_what_a_post_edit_kept(monkeypatch):
    """SequenceMatcher's worst case is cubic: a page load must never weigh more than
    MAX_DIFF_WORK unit pairs (shuffled repeats of 1,000 Han characters took 6.7 s),
    yet a long text with one word changed still shows just that word."""
    from difflib import SequenceMatcher

    from pipeline.review.web import diffs

    weighed = []

    def counting(isjunk, a, b, autojunk):
        weighed.append(len(a) * len(b))
        return SequenceMatcher(isjunk, a, b, autojunk=autojunk)

    monkeypatch.setattr(diffs, "SequenceMatcher", counting)
    hostile = char_diff("甲乙丙" * 334, "丙乙甲" * 334)
    assert "".join(t for op, t in hostile if op != "insert") == "甲乙丙" * 334
    long_text = "Ningbo plays its trump card. " * 100
    edited = long_text[:1479] + "Cixi" + long_text[1485:]
    runs = char_diff(long_text, edited)
    assert runs == [
        ("equal", long_text[:1479]),
        ("delete", "Ningbo"),
        ("insert", "Cixi"),
        ("equal", long_text[1485:]),
    ]
    assert weighed and max(weighed) <= diffs.MAX_DIFF_WORK


def test_reasons_and_comments_through_the_api(setup):
    from pipeline.catalog import annotations
    from pipeline.review.history import read_history

    ws, doc, ids, client, csrf, page, items = setup

    def tag(msgid):
        return ReviewSession(ws, doc, APPROVER).version(msgid).tag

    body = {"page": page, "msgid": ids[4], "tag": items[ids[4]]["tag"], "text": "Plain words here."}
    for reason, status in (("bidi \u202e reason", 400), ("x" * 501, 400), (["list"], 400)):
        assert _post(client, doc, "accept", {**body, "reason": reason}, csrf).status_code == status, reason
    saved = _post(client, doc, "accept", {**body, "reason": "the draft lost the subject"}, csrf)
    assert saved.status_code == 200
    assert [r for r in read_history(ws, doc) if r.msgid == ids[4]][-1].reason == "the draft lost the subject"

    # A comment: CSRF like every write; a forged record and markup-free JSON; the state is untouched.
    note = {"page": page, "msgid": ids[4], "tag": tag(ids[4]), "comment": "Query <b>for</b> the desk: garbled source."}
    assert _post(client, doc, "comment", note, None).status_code == 403
    forged = {**note, "comment": f"approved-by: {APPROVER}, 2026-12-05T09:00Z, msgstr=00000000"}
    refused = _post(client, doc, "comment", forged, csrf)
    assert refused.status_code == 400 and "would read as a record" in refused.get_json()["error"]
    for bad in ("", "   ", 7, None):
        assert _post(client, doc, "comment", {**note, "comment": bad}, csrf).status_code == 400, bad
    added = _post(client, doc, "comment", note, csrf)
    assert added.status_code == 200 and "<" not in added.get_data(as_text=True)
    assert added.get_json()["item"]["comments"] == [note["comment"]]
    assert added.get_json()["item"]["state"] == "translated"
    stale = _post(client, doc, "comment", {**note, "comment": "Another one."}, csrf)  # the tag before the comment
    assert stale.status_code == 409
    assert annotations.people_comments(load_catalog(ws.catalog_path(doc))[ids[4]]) == [note["comment"]]
    removed = _post(client, doc, "uncomment", {**note, "tag": tag(ids[4]), "reason": "answered by the desk"}, csrf)
    assert removed.status_code == 200 and removed.get_json()["item"]["comments"] == []
    history = client.get(f"/api/doc/{doc}/history", query_string={"msgid": ids[4]}).get_json()["records"]
    assert [(r["action"], r["comment"], r["reason"]) for r in history[-3:]] == [
        ("edit", None, "the draft lost the subject"),
        ("comment", note["comment"], None),
        ("uncomment", note["comment"], "answered by the desk"),
    ]


def test_the_history_names_the_source_before_a_re_extraction(setup):
    from click.testing import CliRunner

    from pipeline.cli import main
    from tests.review.test_history import _change_source

    ws, doc, ids, client, csrf, page, items = setup
    text = next((ws.root / "seeds").iterdir()).read_text(encoding="utf-8")
    old = next(m for m in ids[2:] if text.count(m) == 1 and "<" not in m)
    new = _change_source(ws, old)
    assert CliRunner().invoke(main, ["extract", "-w", str(ws.root)]).exit_code == 0
    records = client.get(f"/api/doc/{doc}/history", query_string={"msgid": new}).get_json()["records"]
    assert records[-1]["action"] == "source-changed" and records[-1]["source_before"] == old
