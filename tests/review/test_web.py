"""``pipeline serve``: the review web app through Flask's test client.

Every decision must reach the PO file (read back with ``load_catalog``),
every write must carry the CSRF token from a same-origin page, and no text
of a source, translation, glossary or memory may reach a page unescaped.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest

from pipeline.catalog import State, load_catalog, save_catalog, state_of
from pipeline.checks import Severity, run_checks
from pipeline.errors import PipelineError
from pipeline.review.session import REVIEWED_BY, ReviewSession
from pipeline.review.web import (
    CSRF_HEADER,
    access_token,
    create_app,
    create_server,
    is_loopback,
    serve_command,
    server_url,
)
from pipeline.terms import load_termbase

from .conftest import MALICIOUS_DRAFT, MALICIOUS_SUGGESTION, MALICIOUS_TERM, PAYLOADS, RAW_MARKUP


@pytest.fixture
def app(review_ws):
    ws, _, _ = review_ws
    return create_app(ws, "Web Tester", None)


@pytest.fixture
def client(app):
    return app.test_client()


class Reviewer:
    """A browser tab, as far as the server can tell: the page's CSRF token,
    its session id and the tags it was shown."""

    def __init__(self, client, doc):
        self.client, self.doc = client, doc
        html = client.get(f"/doc/{doc}").get_data(as_text=True)
        self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)
        self.page = re.search(r'data-page="([0-9a-f]+)"', html).group(1)
        island = re.search(r'<script type="application/json" id="review-items">(.*?)</script>', html, re.DOTALL)
        self.items = {item["msgid"]: item for item in json.loads(island.group(1))}

    def post(self, action, **body):
        return self.client.post(
            f"/api/doc/{self.doc}/{action}",
            json={"page": self.page, **body},
            headers={CSRF_HEADER: self.csrf, "Origin": "http://localhost"},
        )

    def accept(self, msgid, text=None, tag=None):
        body = {"msgid": msgid, "tag": tag or self.items[msgid]["tag"]}
        if text is not None:
            body["text"] = text
        return self.post("accept", **body)

    def reject(self, msgid, tag=None):
        return self.post("reject", msgid=msgid, tag=tag or self.items[msgid]["tag"])


def on_disk(ws, doc):
    return load_catalog(ws.catalog_path(doc))


# --- pages ------------------------------------------------------------------------


def test_dashboard_lists_documents_with_progress_and_findings(review_ws, client):
    ws, doc, ids = review_ws
    session = ReviewSession(ws, doc, "Someone")
    session.accept(ids[0])
    session.accept(ids[1], "Cui Ping: everyone is part of it")
    catalog = on_disk(ws, doc)
    expected = run_checks(catalog, load_termbase(ws.glossary), doc)  # the checks stage, not the review queue

    html = client.get("/").get_data(as_text=True)
    assert f'href="/doc/{doc}"' in html
    assert f"<strong>2/{len(ids)}</strong> reviewed" in html
    errors = sum(f.severity is Severity.ERROR for f in expected)
    warnings = sum(f.severity is Severity.WARNING for f in expected)
    assert errors and warnings  # "Draft n." trips both kinds
    assert f">{errors} errors<" in html and f">{warnings} warnings<" in html
    drafts = sum(state_of(m) is State.MACHINE_DRAFT for m in catalog if m.id)
    assert f'<td class="num state-machine-draft-text">{drafts}</td>' in html


def test_document_page_shows_every_segment_side_by_side(review_ws, client):
    _, doc, ids = review_ws
    html = client.get(f"/doc/{doc}").get_data(as_text=True)
    assert html.count('<article class="seg ') == len(ids)
    assert html.count('<div class="seg-zh" lang="zh-Hans">') == len(ids)
    assert html.count('<div class="seg-en" lang="en">') == len(ids)
    assert "崔平：每个人都是新型工业化一份子" in html  # Chinese as is, not entity-escaped
    assert f'href="/doc/{doc}/bilingual"' in html
    assert f"<strong>0/{len(ids)}</strong> reviewed" in html


def test_markup_in_sources_translations_glossary_and_memory_is_only_text(review_ws, client):
    _, doc, ids = review_ws
    reviewer = Reviewer(client, doc)
    markup_id = next(i for i in ids if "<script>" in i)
    responses = {
        "dashboard": client.get("/"),
        "document": client.get(f"/doc/{doc}"),
        "bilingual": client.get(f"/doc/{doc}/bilingual"),
        "check": reviewer.post("check", msgid=markup_id, text=PAYLOADS[1]),
        "accept": reviewer.accept(markup_id, text="Markup " + PAYLOADS[0]),
    }
    for name, response in responses.items():
        assert response.status_code == 200, name
        body = response.get_data(as_text=True)
        for payload in (*PAYLOADS, MALICIOUS_DRAFT, MALICIOUS_SUGGESTION, MALICIOUS_TERM.en):
            assert payload not in body, f"{name} echoes {payload!r} unescaped"
        assert not RAW_MARKUP.search(body), name
    document = responses["document"].get_data(as_text=True)
    # Shown, as text: the source in its cell, the draft in its editor.
    assert "恶意段落&lt;script&gt;alert(1)&lt;/script&gt;不应执行。" in document
    assert "&lt;/textarea&gt;&lt;script&gt;window.__pwned=3&lt;/script&gt;</textarea>" in document
    # The only scripts are ours: one file, one inert JSON island with <, > and & escaped.
    assert re.findall(r"<script[^>]*>", document) == [
        '<script src="/static/review.js" defer>',
        '<script type="application/json" id="review-items">',
    ]
    island = re.search(r'id="review-items">(.*?)</script>', document, re.DOTALL).group(1)
    assert "\\u003cscript\\u003e" in island and "<" not in island
    assert any(item["glossary"] and item["glossary"][-1]["en"] == MALICIOUS_TERM.en for item in json.loads(island))


def test_bilingual_edition_is_built_on_demand_outside_the_workspace(review_ws, client):
    ws, doc, ids = review_ws
    response = client.get(f"/doc/{doc}/bilingual")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'lang="zh-Hans"' in html and "Draft 0." in html
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "'sha256-" in csp and "unsafe-inline" not in csp
    assert not (ws.root / "build").exists()
    ReviewSession(ws, doc, "x").accept(ids[0], "The title, reviewed")
    assert "The title, reviewed" in client.get(f"/doc/{doc}/bilingual").get_data(as_text=True)  # rebuilt, not cached


def test_the_edition_csp_allows_exactly_the_inline_style_and_script_the_page_holds(review_ws, client):
    """The policy comes from editions/html.py; it must match what the page, as served, holds."""
    _, doc, _ = review_ws
    response = client.get(f"/doc/{doc}/bilingual")
    html = response.get_data(as_text=True)
    csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    inline = {kind: re.findall(rf"<{kind}>(.*?)</{kind}>", html, re.S) for kind in ("style", "script")}
    for kind in ("style", "script"):
        assert len(inline[kind]) == 1, f"one inline <{kind}> expected"
        digest = base64.b64encode(hashlib.sha256(inline[kind][0].encode("utf-8")).digest()).decode()
        assert csp[f"{kind}-src"] == f"'sha256-{digest}'"
    assert csp["default-src"] == "'none'"


def test_security_headers_on_pages_api_and_static(review_ws, client):
    _, doc, _ = review_ws
    for response in (client.get("/"), client.get(f"/doc/{doc}"), client.get("/static/review.js"), client.get("/nope")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Frame-Options"] == "DENY"
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert client.get("/static/review.js").mimetype in ("text/javascript", "application/javascript")


def test_pages_and_checks_never_change_the_catalog(review_ws, client):
    ws, doc, ids = review_ws
    before = ws.catalog_path(doc).read_bytes()
    reviewer = Reviewer(client, doc)
    for url in ("/", f"/doc/{doc}", f"/doc/{doc}/bilingual", f"/doc/{doc}?state=pending&check=numbers"):
        assert client.get(url).status_code == 200
    response = reviewer.post("check", msgid=ids[3], text="Ningbo plays its trump card 3 times.")
    assert ws.catalog_path(doc).read_bytes() == before
    findings = response.get_json()["findings"]
    # a figure the source does not have: reported (as added), nothing saved
    assert [f["code"] for f in findings] == ["numbers-unpaired"]
    fixed = reviewer.post("check", msgid=ids[3], text='To win the future, Ningbo plays its "trump card".')
    assert fixed.get_json()["findings"] == []
    assert client.get(f"/api/doc/{doc}/accept").status_code == 405  # no GET that writes


# --- decisions ------------------------------------------------------------------------


def test_accept_edit_reject_and_undo_reach_the_po_file(review_ws, client):
    ws, doc, ids = review_ws
    tab = Reviewer(client, doc)

    response = tab.accept(ids[0])
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["item"]["state"] == "translated" and data["progress"]["reviewed"] == 1
    disk = on_disk(ws, doc)
    assert state_of(disk[ids[0]]) is State.REVIEWED and disk[ids[0]].string == "Draft 0."
    assert any(c.startswith(REVIEWED_BY + "Web Tester, ") for c in disk[ids[0]].user_comments)

    assert tab.accept(ids[1], text="  Cui Ping:\n everyone is part of new industrialization ").status_code == 200
    disk = on_disk(ws, doc)
    assert disk[ids[1]].string == "Cui Ping: everyone is part of new industrialization"  # one line, single spaces
    assert state_of(disk[ids[1]]) is State.REVIEWED

    assert tab.reject(ids[2]).status_code == 200
    disk = on_disk(ws, doc)
    assert state_of(disk[ids[2]]) is State.UNTRANSLATED
    assert any(c.endswith("(rejected)") for c in disk[ids[2]].user_comments)

    undone = tab.post("undo")
    assert undone.status_code == 200 and undone.get_json()["msgid"] == ids[2]
    assert undone.get_json()["item"]["state"] == "machine-draft"
    assert on_disk(ws, doc)[ids[2]].string == "Draft 2."
    assert tab.post("undo").get_json()["msgid"] == ids[1]
    assert state_of(on_disk(ws, doc)[ids[1]]) is State.MACHINE_DRAFT and on_disk(ws, doc)[ids[1]].string == "Draft 1."
    assert state_of(on_disk(ws, doc)[ids[0]]) is State.REVIEWED  # only what was undone changed


def test_undo_belongs_to_the_page_that_decided(review_ws, client):
    ws, doc, ids = review_ws
    first, second = Reviewer(client, doc), Reviewer(client, doc)
    assert first.accept(ids[0]).status_code == 200
    response = second.post("undo")
    assert response.status_code == 200 and response.get_json()["msgid"] is None
    assert state_of(on_disk(ws, doc)[ids[0]]) is State.REVIEWED


def test_stale_tag_gets_409_with_the_version_on_disk(review_ws, client):
    ws, doc, ids = review_ws
    tab_one, tab_two = Reviewer(client, doc), Reviewer(client, doc)
    # The numbers of the source, so that no error-level check stops the decisions.
    first, stale, informed = (
        f"“Three full coverages”, “three new breakthroughs”, “four major upgrades”, “six pioneering demos”: {who}"
        for who in ("first writer wins.", "second writer, stale.", "second writer, informed.")
    )
    assert tab_one.accept(ids[5], text=first).status_code == 200
    response = tab_two.accept(ids[5], text=stale)
    assert response.status_code == 409
    data = response.get_json()
    assert data["current"]["target"] == first and data["current"]["state"] == "translated"
    assert data["current"]["tag"] != tab_two.items[ids[5]]["tag"]
    assert "changed elsewhere" in data["error"]
    assert tab_two.reject(ids[5]).status_code == 409
    assert on_disk(ws, doc)[ids[5]].string == first
    # Seen the saved version, the second reviewer may decide again, explicitly.
    assert tab_two.accept(ids[5], text=informed, tag=data["current"]["tag"]).status_code == 200
    assert on_disk(ws, doc)[ids[5]].string == informed


def test_an_edit_in_another_tool_is_a_conflict_too(review_ws, client):
    ws, doc, ids = review_ws
    tab = Reviewer(client, doc)
    catalog = on_disk(ws, doc)  # meanwhile, in Poedit
    catalog[ids[7]].string = "Typed in Poedit."
    save_catalog(ws.catalog_path(doc), catalog)
    response = tab.accept(ids[7])
    assert response.status_code == 409 and response.get_json()["current"]["target"] == "Typed in Poedit."
    assert tab.accept(ids[8]).status_code == 200  # the rest of the file is not stale
    assert on_disk(ws, doc)[ids[7]].string == "Typed in Poedit."


def test_bad_decisions_are_one_line_errors_and_change_nothing(review_ws, client):
    ws, doc, ids = review_ws
    tab = Reviewer(client, doc)
    before = ws.catalog_path(doc).read_bytes()
    empty = tab.accept(ids[0], text="   ")
    assert empty.status_code == 400 and "empty translation" in empty.get_json()["error"]
    assert tab.post("accept", msgid=ids[0]).status_code == 400  # no tag: never a blind write
    assert tab.post("accept", msgid=ids[0], tag=7).status_code == 400
    gone = tab.accept("一个不存在的句子。", tag="0" * 16)
    assert gone.status_code == 409 and gone.get_json()["current"] is None
    not_json = client.post(f"/api/doc/{doc}/accept", data="x", headers={CSRF_HEADER: tab.csrf})
    assert not_json.status_code == 400
    assert ws.catalog_path(doc).read_bytes() == before


# --- who may write ------------------------------------------------------------------------


def test_post_without_or_with_a_wrong_csrf_token_is_refused(review_ws, client):
    ws, doc, ids = review_ws
    tab = Reviewer(client, doc)
    before = ws.catalog_path(doc).read_bytes()
    body = {"page": tab.page, "msgid": ids[0], "tag": tab.items[ids[0]]["tag"]}
    assert client.post(f"/api/doc/{doc}/accept", json=body).status_code == 403
    assert client.post(f"/api/doc/{doc}/accept", json=body, headers={CSRF_HEADER: "guess"}).status_code == 403
    assert client.post(f"/api/doc/{doc}/undo", json={"page": tab.page}).status_code == 403
    assert ws.catalog_path(doc).read_bytes() == before
    other_server = create_app(ws, "x", None).test_client()  # another server's token is no good here
    assert other_server.post(f"/api/doc/{doc}/accept", json=body, headers={CSRF_HEADER: tab.csrf}).status_code == 403


def test_post_from_a_foreign_origin_is_refused(review_ws, client):
    ws, doc, ids = review_ws
    tab = Reviewer(client, doc)
    before = ws.catalog_path(doc).read_bytes()
    body = {"page": tab.page, "msgid": ids[0], "tag": tab.items[ids[0]]["tag"]}
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost:9999"},
        {"Referer": "http://evil.example/page"},
    ):
        response = client.post(f"/api/doc/{doc}/accept", json=body, headers={CSRF_HEADER: tab.csrf, **headers})
        assert response.status_code == 403, headers
    assert ws.catalog_path(doc).read_bytes() == before
    referer = {CSRF_HEADER: tab.csrf, "Referer": f"http://localhost/doc/{doc}"}
    same_origin = client.post(f"/api/doc/{doc}/accept", json=body, headers=referer)
    assert same_origin.status_code == 200


def test_a_rebinding_host_is_refused_without_a_token(review_ws, client):
    _, doc, _ = review_ws
    refused = client.get("/", headers={"Host": "evil.example"})
    assert refused.status_code == 403
    assert re.search(r'name="csrf-token" content=""', refused.get_data(as_text=True))  # nothing to forge a write with
    assert "Web Tester" not in refused.get_data(as_text=True)
    assert client.get(f"/doc/{doc}", headers={"Host": "evil.example:8765"}).status_code == 403
    assert client.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 200
    assert client.get("/", headers={"Host": "[::1]:8765"}).status_code == 200


def test_only_documents_of_the_workspace_are_served(client):
    for path in (
        "/doc/..%2f..%2fetc%2fpasswd",
        "/doc/../x",
        "/doc/..",
        "/doc/%2e%2e",
        "/doc/nope",
        "/doc/nope/bilingual",
        "/doc/..%2f..%2fetc%2fpasswd/bilingual",
        "/doc/x%00y",
        "/doc/%2fetc%2fpasswd",
    ):
        assert client.get(path).status_code == 404, path


def test_api_refuses_unknown_documents(review_ws, client):
    _, doc, ids = review_ws
    tab = Reviewer(client, doc)
    for name in ("..%2f..%2fetc%2fpasswd", "nope"):
        response = client.post(
            f"/api/doc/{name}/accept",
            json={"page": tab.page, "msgid": ids[0], "tag": "x"},
            headers={CSRF_HEADER: tab.csrf},
        )
        assert response.status_code == 404 and "error" in response.get_json()


def test_a_token_is_required_when_configured(review_ws):
    ws, doc, _ = review_ws
    secret = "s3cret-token-for-tests"
    client = create_app(ws, "x", secret).test_client()
    anonymous = client.get("/")
    assert anonymous.status_code == 401 and 'name="csrf-token" content=""' in anonymous.get_data(as_text=True)
    assert client.get("/static/review.js").status_code == 401
    assert client.get("/?token=wrong").status_code == 403
    assert client.get("/", headers={"Authorization": "token wrong"}).status_code == 403
    assert client.get("/", headers={"Authorization": f"token {secret}"}).status_code == 200

    first = client.get(f"/doc/{doc}?token={secret}&state=pending")
    assert first.status_code == 303 and first.headers["Location"] == f"/doc/{doc}?state=pending"  # token out of the URL
    cookie = first.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and secret not in cookie
    assert client.get(f"/doc/{doc}").status_code == 200  # the cookie carries it now
    remote = {"Host": "review.example:8765", "Authorization": f"token {secret}"}
    assert client.get("/", headers=remote).status_code == 200  # bound off the loopback, with a token: any host name


def _cookie_name(response) -> str:
    return response.headers["Set-Cookie"].split("=", 1)[0]


def test_the_cookie_is_named_per_port_and_per_run(review_ws):
    """Browsers scope cookies by host, not port: two servers on two ports of one host,
    or a restart, must not overwrite each other's cookie, nor a page aim at it by its name."""
    ws, doc, _ = review_ws
    secret = "s3cret-token-for-tests"
    names = []
    for port in ("8765", "8766"):
        for _ in range(2):  # two runs on each port, with the same token
            client = create_app(ws, "x", secret).test_client()
            first = client.get(f"/?token={secret}", base_url=f"http://127.0.0.1:{port}")
            name, prefix = _cookie_name(first), f"pipeline_review_token_{port}_"
            assert name.startswith(prefix) and len(name) > len(prefix)
            assert client.get(f"/doc/{doc}", base_url=f"http://127.0.0.1:{port}").status_code == 200
            names.append(name)
    assert len(set(names)) == 4
    # A cookie named as another run names it is not this run's: the page asks for the token.
    other = create_app(ws, "x", secret).test_client(use_cookies=False)  # a jar would drop the Cookie header
    stale = other.get("/", headers={"Cookie": f"{names[0]}=anything"}, base_url="http://127.0.0.1:8765")
    assert stale.status_code == 401


def _limited_app(ws, secret):
    app = create_app(ws, "x", secret)
    clock = [1000.0]
    guard = app.extensions["pipeline.review"].guard
    guard.failures.clock = lambda: clock[0]
    return app, guard, clock


def test_wrong_tokens_are_answered_429_for_a_minute_per_client(review_ws, caplog):
    from pipeline.review.web.security import FAILED_WINDOW_S, MAX_FAILED_ATTEMPTS

    ws, doc, _ = review_ws
    secret = "s3cret-token-for-tests"
    app, guard, clock = _limited_app(ws, secret)
    reviewer = app.test_client()
    assert reviewer.get(f"/?token={secret}").status_code == 303  # the real user logged in first
    attacker = app.test_client()
    with caplog.at_level("WARNING", logger="pipeline.review.web.security"):
        for n in range(MAX_FAILED_ATTEMPTS):
            guess = f"guess-{n}-0123456789abcdef"
            assert attacker.get("/", headers={"Authorization": f"token {guess}"}).status_code == 403
        refused = attacker.get(f"/?token={secret}")  # even the right one, now: no oracle for a guessing loop
        assert refused.status_code == 429 and refused.mimetype == "text/plain"
        body = refused.get_data(as_text=True)
        assert body.count("\n") == 1 and "try again in" in body and 0 < int(refused.headers["Retry-After"]) <= 60
        assert attacker.get("/?token=another-guess-0123456789").status_code == 429
        assert attacker.get("/").status_code == 401  # no token at all is no guess
    logged = [r.getMessage() for r in caplog.records if "wrong access tokens" in r.getMessage()]
    assert len(logged) == 1 and "127.0.0.1" in logged[0]  # once, not per request
    # The browser that holds the cookie is served as before, from the same address.
    assert reviewer.get(f"/doc/{doc}").status_code == 200
    # Another address is not limited.
    assert attacker.get("/?token=wrong-but-elsewhere-0123", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 403
    # A minute after the last failures, the right token works again: nobody is locked out for good.
    clock[0] += FAILED_WINDOW_S + 1
    assert attacker.get(f"/?token={secret}").status_code == 303


def test_a_forged_cookie_value_counts_as_a_wrong_token(review_ws):
    from pipeline.review.web.security import MAX_FAILED_ATTEMPTS

    ws, _, _ = review_ws
    secret = "s3cret-token-for-tests"
    app, guard, _ = _limited_app(ws, secret)
    client = app.test_client(use_cookies=False)  # a jar would drop the Cookie header
    name = _cookie_name(app.test_client().get(f"/?token={secret}"))
    for n in range(MAX_FAILED_ATTEMPTS):
        assert client.get("/", headers={"Cookie": f"{name}=forged-{n}"}).status_code == 401
    assert client.get("/", headers={"Cookie": f"{name}=forged"}).status_code == 429


def test_a_page_of_a_broken_catalog_is_an_error_message_not_a_traceback(review_ws, client):
    ws, doc, _ = review_ws
    ws.catalog_path(doc).write_text('msgid "unterminated\n', encoding="utf-8")
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and "broken" in dashboard.get_data(as_text=True)
    page = client.get(f"/doc/{doc}")
    assert page.status_code == 500
    text = page.get_data(as_text=True)
    assert ws.relative(ws.catalog_path(doc)) in text and "Traceback" not in text


# --- serving --------------------------------------------------------------------------


def test_loopback_addresses():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"))
    assert not any(
        is_loopback(h) for h in ("0.0.0.0", "::", "", "192.168.1.10", "example.org", "localhost.example.org")
    )


def test_a_token_is_generated_unless_given(monkeypatch):
    monkeypatch.delenv("PIPELINE_TOKEN", raising=False)
    assert access_token("given-token-0123456789") == ("given-token-0123456789", "--token")
    generated, source = access_token()
    assert source == "generated" and len(generated) >= 32 and generated != access_token()[0]
    with pytest.raises(PipelineError):
        access_token(" " * 20)
    assert server_url("127.0.0.1", 8765) == "http://127.0.0.1:8765/"
    assert server_url("::1", 8765, "a/b") == "http://[::1]:8765/?token=a%2Fb"


def test_serving_another_address_without_a_token_is_refused(review_ws):
    ws, _, _ = review_ws
    with pytest.raises(PipelineError, match="token"):
        create_server(ws, "0.0.0.0", 0, "x", None)


def test_a_port_in_use_is_a_one_line_error(review_ws):
    ws, _, _ = review_ws
    server = create_server(ws, "127.0.0.1", 0, "x", None)
    try:
        with pytest.raises(PipelineError, match="cannot listen"):
            create_server(ws, "127.0.0.1", server.port, "x", None)
    finally:
        server.server_close()


def test_serve_command_needs_catalogs(tmp_path):
    printed = []
    with pytest.raises(PipelineError, match="pipeline extract"):
        serve_command(tmp_path, "127.0.0.1", 0, "x", None, printed.append)
    assert printed == []
