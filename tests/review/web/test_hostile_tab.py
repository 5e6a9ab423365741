"""A hostile tab against a real ``pipeline serve`` on 127.0.0.1: by plain
HTTP, CSRF and origin on the approval endpoints, rebinding ``Host`` headers,
framing headers, forged approvals, oversized reasons, and two tabs approving at
once; in headless Chromium, a hostile page on another port of the same host
(which the browser sends our cookie to) that fetches, posts a form and frames
the app."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from pipeline.catalog import State, load_catalog, state_of
from pipeline.review.history import read_history
from pipeline.review.roles import roles_for
from pipeline.review.session import ReviewSession
from pipeline.review.web import CSRF_HEADER

from .conftest import REVIEWER, TOKEN, serve

OTHER = "Li Hua"


def _request(url, method="GET", body=None, headers=None, token=True):
    headers = dict(headers or {})
    if token:
        headers.setdefault("Authorization", f"token {TOKEN}")
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        headers.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()


@pytest.fixture
def hostile(review_ws):
    ws, doc, ids = review_ws
    (ws.root / "pipeline.toml").write_text(f'[review]\napprovers = ["{REVIEWER}"]\n', encoding="utf-8")
    ReviewSession(ws, doc, OTHER).accept(ids[1], "Cui Ping: everyone is part of new industrialization")
    server, thread = serve(ws)
    base = f"http://127.0.0.1:{server.port}"
    yield base, ws, doc, ids
    server.shutdown()
    thread.join(10)


def _page(base, doc):
    status, headers, html = _request(f"{base}/doc/{doc}")
    assert status == 200
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)
    page = re.search(r'data-page="([0-9a-f]+)"', html).group(1)
    items = {i["msgid"]: i for i in json.loads(re.search(r'id="review-items">(.*?)</script>', html, re.S).group(1))}
    return csrf, page, items, headers


def _snapshot(ws, doc):
    return ws.catalog_path(doc).read_bytes(), len(read_history(ws, doc))


def test_cross_site_writes_and_rebinding_hosts_are_refused(hostile):
    base, ws, doc, ids = hostile
    csrf, page, items, headers = _page(base, doc)
    assert headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    body = {"page": page, "msgid": ids[1], "tag": items[ids[1]]["tag"], "override": "x"}
    before = _snapshot(ws, doc)
    for action in ("approve", "unapprove", "accept", "reject"):
        url = f"{base}/api/doc/{doc}/{action}"
        # a form or fetch from another site: no CSRF token, or a foreign (or opaque) origin
        assert _request(url, "POST", body)[0] == 403
        for origin in ("http://evil.example", "null", f"http://localhost:{base.rsplit(':', 1)[1]}", base + ".evil"):
            assert _request(url, "POST", body, {CSRF_HEADER: csrf, "Origin": origin})[0] == 403, origin
        assert _request(url, "POST", body, {CSRF_HEADER: csrf, "Referer": "http://evil.example/x"})[0] == 403
        # a rebinding domain that resolves to 127.0.0.1, even with every other header right
        status = _request(
            url, "POST", body, {CSRF_HEADER: csrf, "Host": "evil.example", "Origin": "http://evil.example"}
        )[0]
        assert status == 403
        # a simple (form-encoded) request, which a cross-site form may send without a preflight
        req_headers = {CSRF_HEADER: csrf, "Origin": base, "Content-Type": "text/plain"}
        assert _request(url, "POST", body, req_headers)[0] == 400
    for path in (f"/doc/{doc}", f"/api/doc/{doc}/history?msgid={urllib.parse.quote(ids[1])}", "/"):
        assert _request(base + path, headers={"Host": "evil.example"})[0] == 403
        assert _request(base + path, token=False)[0] == 401
    assert _snapshot(ws, doc) == before


def test_a_reviewer_who_is_not_an_approver_cannot_forge_an_approval(review_ws):
    ws, doc, ids = review_ws
    (ws.root / "pipeline.toml").write_text('[review]\napprovers = ["Somebody Else"]\n', encoding="utf-8")
    ReviewSession(ws, doc, OTHER).accept(ids[1], "Cui Ping: everyone is part of new industrialization")
    server, thread = serve(ws)  # serving as REVIEWER, not an approver
    try:
        base = f"http://127.0.0.1:{server.port}"
        csrf, page, items, _ = _page(base, doc)
        before = _snapshot(ws, doc)
        body = {"page": page, "msgid": ids[1], "tag": items[ids[1]]["tag"], "who": "Somebody Else"}
        status, _, text = _request(f"{base}/api/doc/{doc}/approve", "POST", body, {CSRF_HEADER: csrf, "Origin": base})
        assert status == 403 and json.loads(text)["refused"] is True
        assert _snapshot(ws, doc) == before
    finally:
        server.shutdown()
        thread.join(10)


def test_huge_override_reasons_are_refused_and_nothing_saved(hostile):
    base, ws, doc, ids = hostile
    csrf, page, items, _ = _page(base, doc)
    url = f"{base}/api/doc/{doc}/approve"
    headers = {CSRF_HEADER: csrf, "Origin": base}
    body = {"page": page, "msgid": ids[1], "tag": items[ids[1]]["tag"], "override": "why " * 200}
    status, _, text = _request(url, "POST", body, headers)
    assert status == 400 and "override reason" in json.loads(text)["error"]
    body["override"] = "x" * (2 * 1024 * 1024)
    assert _request(url, "POST", body, headers)[0] == 413
    for bad in ("line\u2028break", "bidi \u202e", "nul \x00"):
        body["override"] = bad
        status = _request(url, "POST", body, headers)[0]
        assert status in (200, 400)  # folded onto one line, or refused
    catalog = load_catalog(ws.catalog_path(doc))
    for comment in catalog[ids[1]].user_comments:
        assert "\u2028" not in comment and "\u202e" not in comment and "\x00" not in comment


def test_two_tabs_approving_at_once_one_sees_a_conflict_nothing_lost(hostile):
    """Each of three entries approved by two tabs at once: one tab saves, the other
    sees the approval as a conflict, and the history holds exactly one approval."""
    base, ws, doc, ids = hostile
    entries = (ids[1], ids[2], ids[5])
    for msgid in entries[1:]:
        ReviewSession(ws, doc, OTHER).accept(msgid, "Plain words here.", override="a test of the race")
    for msgid in entries:
        tabs = [_page(base, doc) for _ in range(2)]
        results = []
        barrier = threading.Barrier(2)

        def approve(csrf, page, items, msgid=msgid, barrier=barrier, results=results):
            body = {"page": page, "msgid": msgid, "tag": items[msgid]["tag"]}
            barrier.wait()
            results.append(_request(f"{base}/api/doc/{doc}/approve", "POST", body, {CSRF_HEADER: csrf, "Origin": base}))

        threads = [threading.Thread(target=approve, args=tab[:3]) for tab in tabs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        statuses = sorted(status for status, _, _ in results)
        assert statuses == [200, 409], results  # the second tab is told, with the approval it lost to
        conflict = json.loads(next(text for status, _, text in results if status == 409))
        assert conflict["current"]["state"] == "approved"
        assert state_of(load_catalog(ws.catalog_path(doc))[msgid], roles_for(ws)) is State.APPROVED
    for msgid in entries:
        approvals = [r for r in read_history(ws, doc) if r.msgid == msgid and r.action == "approve"]
        assert len(approvals) == 1, [(r.id, r.time, r.who, r.state_before, r.state_after) for r in approvals]


def test_a_page_on_another_port_of_the_same_host_gets_nothing(hostile, browser):
    """A real browser that opened the app (its cookie is sent to every port of the
    host: same-site) visits a hostile page on another port: its fetches, its form
    and its frame of the app all fail, and nothing is saved."""
    import http.server

    from .conftest import login

    base, ws, doc, ids = hostile
    target = f"{base}/api/doc/{doc}/approve"
    attack = f"""<!doctype html><html><body>
<iframe id="framed" src="{base}/doc/{doc}"></iframe>
<form id="form" method="POST" action="{target}" enctype="text/plain" target="sink">
<input name='{{"page":"0123456789abcdef","msgid":"x","tag":"y","junk":"' value='"}}'></form>
<iframe name="sink"></iframe>
<script>
window.results = [];
async function go() {{
  for (const mode of ["no-cors", "cors"]) {{
    try {{
      const r = await fetch("{target}", {{method: "POST", mode: mode, credentials: "include",
        headers: mode === "cors" ? {{"Content-Type": "application/json", "X-CSRF-Token": "guess"}} : {{}},
        body: JSON.stringify({{page: "0123456789abcdef", msgid: "x", tag: "y"}})}});
      window.results.push(mode + ":" + r.status);
    }} catch (e) {{ window.results.push(mode + ":blocked"); }}
  }}
  try {{
    const r = await fetch("{base}/doc/{doc}", {{credentials: "include"}});
    window.results.push("read:" + (await r.text()).length);
  }} catch (e) {{ window.results.push("read:blocked"); }}
  document.getElementById("form").submit();
  window.done = true;
}}
go();
</script></body></html>""".encode()

    class Attacker(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(attack)

        def log_message(self, *args):
            pass

    evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Attacker)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    context = browser.new_context()
    try:
        login(context, base)
        before = _snapshot(ws, doc)
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
        page.wait_for_function("window.done === true", timeout=15000)
        page.wait_for_timeout(1000)  # the form's POST lands in the sink frame
        results = page.evaluate("window.results")
        assert "read:blocked" in results, results  # the app's pages cannot be read cross-origin
        assert not any(r.endswith(":200") for r in results), results
        framed = page.frame_locator("#framed")
        assert framed.locator("body.ready").count() == 0  # X-Frame-Options/frame-ancestors: never framed
        assert _snapshot(ws, doc) == before
        assert state_of(load_catalog(ws.catalog_path(doc))[ids[1]], roles_for(ws)) is State.TRANSLATED
    finally:
        context.close()
        evil.shutdown()
