"""``pipeline serve`` against a hostile local user, a LAN neighbour and a careless client.

Issue 12, items 5, 6, 8 (the web's part), 10 and the web's Low items. The
app is driven through Flask's test client where that is enough, and as a
real ``pipeline serve`` process where the socket, the command line or a
signal matter (chunked bodies, oversized headers, SIGTERM, the token URL it
prints).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.review import web
from pipeline.review.session import ReviewSession, reviewer_name
from pipeline.review.web import (
    CSRF_HEADER,
    MAX_BODY_BYTES,
    MIN_TOKEN_LENGTH,
    TOKEN_ENV,
    access_token,
    create_app,
    create_server,
    max_translation_length,
    security,
    serve_command,
)
from pipeline.textsafety import UnsafeTextError

from ..review.test_web import Reviewer

TOKEN = "t0ken-for-the-tests-0123456789"
#: Characters no save may bring into a catalog: NUL, ESC, BEL, a bidi override, a lone surrogate.
UNSAFE = ("\x00", "\x1b", "\x07", "\u202e", "\ud800")


def _post_ascii(client, tab, action: str, **body):
    """POST as a browser's JSON.stringify would, with non-ASCII (a lone surrogate
    too) written as \\u escapes by the standard library's encoder."""
    return client.post(
        f"/api/doc/{tab.doc}/{action}",
        data=json.dumps({"page": tab.page, **body}),
        content_type="application/json",
        headers={CSRF_HEADER: tab.csrf, "Origin": "http://localhost"},
    )


def _token_cookie(response) -> str:
    return next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("pipeline_review_token"))


# --- 5: a token on loopback too ------------------------------------------------------


def test_a_token_is_generated_unless_no_token_is_chosen(monkeypatch):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    token, source = access_token()
    assert source == "generated" and len(token) >= 32 and token != access_token()[0]
    assert access_token(no_token=True) == (None, "--no-token")


def test_the_loopback_app_refuses_requests_without_its_token(review_ws):
    ws, doc, _ = review_ws
    client = create_app(ws, "x", TOKEN, loopback_only=True).test_client()
    for url in ("/", f"/doc/{doc}", f"/doc/{doc}/bilingual", "/static/review.js"):
        assert client.get(url).status_code == 401, url
    assert client.post(f"/api/doc/{doc}/accept", json={}).status_code == 401
    assert client.get("/", headers={"Authorization": f"token {TOKEN}"}).status_code == 200
    # Bound to the loopback, the Host header must still name it (DNS rebinding), token or not.
    rebinding = {"Host": "evil.example:8765", "Authorization": f"token {TOKEN}"}
    assert client.get("/", headers=rebinding).status_code == 403


def test_the_cookie_is_not_the_token_and_is_httponly_strict(review_ws):
    ws, doc, _ = review_ws
    client = create_app(ws, "x", TOKEN).test_client()
    first = client.get(f"/?{web.TOKEN_PARAM}={TOKEN}")
    assert first.status_code == 303 and first.headers["Location"] == "/"
    assert first.headers["Referrer-Policy"] == "no-referrer"  # the address with the token is never sent on
    cookie = _token_cookie(first)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http: a Secure cookie would never come back
    assert TOKEN not in cookie  # the browser's cookie jar never holds the long-lived token
    assert "Max-Age" not in cookie and "Expires" not in cookie  # gone with the browser session
    assert client.get(f"/doc/{doc}").status_code == 200
    secure = create_app(ws, "x", TOKEN).test_client().get(f"/?token={TOKEN}", base_url="https://localhost")
    assert "Secure" in _token_cookie(secure)


def test_a_cookie_of_another_server_run_is_not_accepted(review_ws):
    ws, _, _ = review_ws
    first = create_app(ws, "x", TOKEN).test_client()
    cookie = _token_cookie(first.get(f"/?token={TOKEN}")).split(";")[0]
    # Restarted with the same token; without a cookie jar, so that the header below is what is sent.
    second = create_app(ws, "x", TOKEN).test_client(use_cookies=False)
    refused = second.get("/", headers={"Cookie": cookie})
    assert refused.status_code == 401 and "token" in refused.get_data(as_text=True)
    # The same cookie does open the server run that set it (so the refusal above is about the run).
    again = first.application.test_client(use_cookies=False).get("/", headers={"Cookie": cookie})
    assert again.status_code == 200


def test_the_token_redirect_never_leaves_the_server(review_ws):
    ws, _, _ = review_ws
    client = create_app(ws, "x", TOKEN).test_client()
    for path in ("//evil.example/", "///evil.example/x", "/\\evil.example/", "/\\/evil.example/"):
        # As the server hands it over: %2F%2Fevil.example decodes to //evil.example.
        response = client.get("/", environ_overrides={"PATH_INFO": path, "QUERY_STRING": f"token={TOKEN}"})
        location = response.headers.get("Location", "")
        assert response.status_code == 303 and location.startswith("/") and not location.startswith(("//", "/\\")), path


def test_a_tab_on_another_localhost_port_cannot_write_with_the_cookie(review_ws):
    """Cookies are per host, not per port: a page on localhost:9999 makes the
    browser send our cookie. Writes still need the page's CSRF token and our Origin."""
    ws, doc, ids = review_ws
    client = create_app(ws, "x", TOKEN, loopback_only=True).test_client()
    client.get(f"/?token={TOKEN}")  # the reviewer logged in; the cookie is in the jar
    tab = Reviewer(client, doc)
    before = ws.catalog_path(doc).read_bytes()
    body = {"page": tab.page, "msgid": ids[0], "tag": tab.items[ids[0]]["tag"], "text": "Forged."}
    hostile = {"Origin": "http://localhost:9999"}
    assert client.post(f"/api/doc/{doc}/accept", json=body, headers=hostile).status_code == 403
    assert (
        client.post(f"/api/doc/{doc}/accept", json=body, headers={**hostile, CSRF_HEADER: tab.csrf}).status_code == 403
    )
    form = client.post(f"/api/doc/{doc}/accept", data=body, headers=hostile)  # a plain form post, no preflight
    assert form.status_code == 403
    assert ws.catalog_path(doc).read_bytes() == before


def test_a_wrong_token_is_refused_and_compared_in_constant_time(review_ws, monkeypatch):
    ws, _, _ = review_ws
    compared = []
    real = security.hmac.compare_digest
    monkeypatch.setattr(security.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    client = create_app(ws, "x", TOKEN).test_client()
    for wrong in (TOKEN[:-1], TOKEN + "x", "", "\u00e9" * 20):
        header = f"token {wrong}".encode().decode("latin-1")
        assert client.get("/", headers={"Authorization": header}).status_code in (401, 403)
    assert client.get(f"/?token={TOKEN[:-1]}").status_code == 403
    assert compared, "the token was not compared with hmac.compare_digest"


# --- Low: where the token comes from, and how long it is ---------------------------------


def test_a_short_token_is_refused_from_every_source(tmp_path, monkeypatch):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    short = "x" * (MIN_TOKEN_LENGTH - 1)
    with pytest.raises(PipelineError, match=f"at least {MIN_TOKEN_LENGTH} characters"):
        access_token(token=short)
    monkeypatch.setenv(TOKEN_ENV, "x")
    with pytest.raises(PipelineError, match=TOKEN_ENV):
        access_token()
    file = tmp_path / "token"
    file.write_text("abc\n")
    file.chmod(0o600)
    with pytest.raises(PipelineError, match="characters"):
        access_token(token_file=file)
    with pytest.raises(PipelineError, match="space"):
        access_token(token="a token with spaces inside it")
    with pytest.raises(PipelineError):
        create_app(None, "x", "short")  # the library refuses it too, before anything is served


def test_the_token_comes_from_a_private_file_or_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    assert access_token() == (TOKEN, f"${TOKEN_ENV}")
    file = tmp_path / "token"
    file.write_text("from-the-file-0123456789\n")  # a trailing newline, as editors write it
    file.chmod(0o600)
    # The file beats the environment.
    assert access_token(token_file=file) == ("from-the-file-0123456789", "--token-file")
    file.chmod(0o644)
    with pytest.raises(PipelineError, match="chmod 600"):  # readable by the other users of the machine
        access_token(token_file=file)
    with pytest.raises(PipelineError, match="cannot read"):
        access_token(token_file=tmp_path / "missing")
    with pytest.raises(PipelineError, match="--no-token"):
        access_token(token=TOKEN, no_token=True)
    with pytest.raises(PipelineError, match="one of"):
        access_token(token=TOKEN, token_file=file)


def test_serve_refuses_a_one_character_token_in_one_line(review_ws):
    ws, _, _ = review_ws
    with socket.socket() as taken:  # were the token accepted, the command would fail on the port, not serve for ever
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for args, expected in ((["--token", "x"], "at least"), (["--no-token", "--token", TOKEN], "contradicts")):
            result = CliRunner().invoke(main, ["serve", "-w", str(ws.root), "--port", port, *args])
            assert result.exit_code == 1 and "Traceback" not in result.output, result.output
            assert len(result.output.strip().splitlines()) == 1 and expected in result.output, result.output


# --- 6: the loopback is decided on the bound address --------------------------------------


@pytest.fixture
def lan_localhost(monkeypatch):
    """``x.localhost`` resolves to the wildcard address: listening there reaches the LAN."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        return real("0.0.0.0" if host == "x.localhost" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return "x.localhost"


def test_a_localhost_name_resolving_to_a_lan_address_needs_the_token(review_ws, lan_localhost):
    ws, _, _ = review_ws
    with pytest.raises(PipelineError, match="0.0.0.0"):
        create_server(ws, lan_localhost, 0, "x", None)
    printed = []
    with pytest.raises(PipelineError, match="--no-token"):
        serve_command(ws.root, lan_localhost, 0, "x", None, printed.append, no_token=True)
    server = create_server(ws, lan_localhost, 0, "x", TOKEN)
    try:
        client = server.app.test_client()
        lan = {"Host": f"192.168.1.20:{server.port}"}
        assert client.get("/", headers=lan).status_code == 401  # reachable from the LAN: the token decides
        assert client.get("/", headers={**lan, "Authorization": f"token {TOKEN}"}).status_code == 200
    finally:
        server.server_close()


def test_the_loopback_by_name_is_still_the_loopback(review_ws):
    ws, _, _ = review_ws
    server = create_server(ws, "localhost", 0, "x", None)  # an explicit --no-token on the loopback
    try:
        client = server.app.test_client()
        assert client.get("/", headers={"Host": f"localhost:{server.port}"}).status_code == 200
        assert client.get("/", headers={"Host": "evil.example"}).status_code == 403
    finally:
        server.server_close()


# --- 8: no control, bidi or surrogate character through the web --------------------------


@pytest.mark.parametrize("char", UNSAFE, ids=lambda c: f"U+{ord(c):04X}")
def test_a_save_with_an_unsafe_character_is_a_clear_400(review_ws, char):
    ws, doc, ids = review_ws
    client = create_app(ws, "x", None).test_client()
    tab = Reviewer(client, doc)
    before = ws.catalog_path(doc).read_bytes()
    accepted = _post_ascii(client, tab, "accept", msgid=ids[0], tag=tab.items[ids[0]]["tag"], text=f"Draft{char} here")
    assert accepted.status_code == 400, accepted.get_data(as_text=True)
    error = accepted.get_json()["error"]
    assert f"U+{ord(char):04X}" in error and "\n" not in error
    checked = _post_ascii(client, tab, "check", msgid=ids[0], text=f"x{char}")
    assert checked.status_code == 400 and f"U+{ord(char):04X}" in checked.get_json()["error"]
    assert ws.catalog_path(doc).read_bytes() == before


def test_a_lone_surrogate_in_any_field_of_a_raw_body_is_a_400(review_ws):
    ws, doc, ids = review_ws
    client = create_app(ws, "x", None).test_client()
    tab = Reviewer(client, doc)
    tag = tab.items[ids[0]]["tag"]
    fields = {"page": tab.page, "msgid": ids[0], "tag": tag, "text": "ok"}
    for name in fields:
        response = _post_ascii(client, tab, "accept", **{**fields, name: "\ud83d" + fields[name]})
        assert response.status_code == 400, (name, response.status_code)
        assert "U+D83D" in response.get_json()["error"]
    undecodable = client.post(
        f"/api/doc/{doc}/accept",
        data=b'{"page": "\xff\xfe"}',
        content_type="application/json",
        headers={CSRF_HEADER: tab.csrf, "Origin": "http://localhost"},
    )
    assert undecodable.status_code == 400


@pytest.mark.parametrize(
    "name", ['Eve\nmsgid "injected"\nmsgstr "x"', "Eve\x1b[2J", "Eve\u202egnp.exe", "Eve\r", "Eve\u2028"]
)
def test_a_reviewer_name_that_could_inject_po_lines_is_refused(review_ws, name, monkeypatch):
    ws, doc, ids = review_ws
    before = ws.catalog_path(doc).read_bytes()
    with pytest.raises(UnsafeTextError, match="reviewer name"):
        reviewer_name(name)
    monkeypatch.setenv("PIPELINE_REVIEWER", name)
    with pytest.raises(UnsafeTextError, match="reviewer name"):
        reviewer_name()
    with pytest.raises(UnsafeTextError, match="reviewer name"):
        ReviewSession(ws, doc, name).accept(ids[0])  # however the session got its name
    with pytest.raises(PipelineError, match="reviewer name"):
        create_app(ws, name, None)
    result = CliRunner().invoke(main, ["serve", "-w", str(ws.root), "--port", "0", "--reviewer", name])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert ws.catalog_path(doc).read_bytes() == before


# --- 10: request size -------------------------------------------------------------------


def test_a_translation_may_be_generously_longer_than_its_source_but_no_more(review_ws):
    ws, doc, ids = review_ws
    client = create_app(ws, "x", None).test_client()
    tab = Reviewer(client, doc)
    msgid = ids[3]
    limit = max_translation_length(msgid)
    assert limit >= 8 * len(msgid)  # English runs to 3.6 characters per Chinese one; 13.6 at most on the dev corpus
    too_long = tab.accept(msgid, text="y" * (limit + 1))
    assert too_long.status_code == 400 and str(limit) in too_long.get_json()["error"]
    assert tab.post("check", msgid=msgid, text="y" * (limit + 1)).status_code == 400
    assert tab.accept(msgid, text="y" * limit).status_code == 200


def test_a_seven_megabyte_translation_is_refused_before_it_is_read(review_ws):
    ws, doc, ids = review_ws
    client = create_app(ws, "x", None).test_client()
    tab = Reviewer(client, doc)
    before = ws.catalog_path(doc).read_bytes()
    assert MAX_BODY_BYTES <= 2 * 1024 * 1024
    response = tab.accept(ids[0], text="x" * (7 * 1024 * 1024))
    assert response.status_code == 413 and "KiB" in response.get_json()["error"]
    assert ws.catalog_path(doc).read_bytes() == before


def test_a_page_id_is_one_this_server_hands_out(review_ws):
    ws, doc, ids = review_ws
    client = create_app(ws, "x", None).test_client()
    tab = Reviewer(client, doc)
    for page in ("p" * 500_000, "../" + tab.page, tab.page.upper()):  # no session kept under any key of any size
        response = _post_ascii(client, tab, "undo", page=page)
        assert response.status_code == 400 and "page" in response.get_json()["error"]
    assert _post_ascii(client, tab, "undo").status_code == 200


def test_a_deeply_nested_json_body_is_a_400_not_a_500(review_ws):
    ws, doc, _ = review_ws
    client = create_app(ws, "x", None).test_client()
    tab = Reviewer(client, doc)
    for body in ("[" * 200_000, '{"a":' * 100_000 + "1" + "}" * 100_000):
        response = client.post(
            f"/api/doc/{doc}/accept",
            data=body,
            content_type="application/json",
            headers={CSRF_HEADER: tab.csrf, "Origin": "http://localhost"},
        )
        assert response.status_code == 400, response.status_code


# --- the real server: sockets, signals, what it prints -------------------------------------


def _as_from_a_terminal():
    # A test run in the background inherits SIGINT and SIGHUP ignored; a server started in a terminal does not.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


class Served:
    """``pipeline serve`` in a child process; ``url`` is the address it printed."""

    def __init__(self, ws_root: Path, *args: str, env: dict | None = None):
        command = [
            sys.executable,
            "-m",
            "pipeline",
            "serve",
            "-w",
            str(ws_root),
            "--port",
            "0",
            "--reviewer",
            "Sec Tester",
            *args,
        ]
        self.proc = subprocess.Popen(
            command,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
            preexec_fn=_as_from_a_terminal,
        )
        self.lines: list[str] = []
        for line in self.proc.stderr:
            self.lines.append(line)
            match = re.search(r"open (http://127\.0\.0\.1:(\d+)/\S*)", line)
            if match:
                self.url, self.port = match.group(1), int(match.group(2))
                self._drain = threading.Thread(target=self._read_rest, daemon=True)
                self._drain.start()
                return
        self.proc.wait(10)
        pytest.fail("the server did not start:\n" + "".join(self.lines))

    def _read_rest(self):
        for line in self.proc.stderr:
            self.lines.append(line)

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        conn = self.connection()
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def stop(self, sig=signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        self._drain.join(5)
        return code

    @property
    def stderr(self) -> str:
        return "".join(self.lines)


def test_serve_prints_a_token_url_and_refuses_requests_without_it(review_ws, tmp_path):
    ws, doc, _ = review_ws
    server = Served(ws.root, env={"TMPDIR": str(tmp_path)})
    try:
        token = re.search(r"\?token=([A-Za-z0-9_\-]+)$", server.url.strip()).group(1)
        assert len(token) >= 32
        assert server.get("/")[0] == 401
        assert server.get(f"/doc/{doc}")[0] == 401
        status, headers, _ = server.get(f"/?token={token}")
        assert status == 303 and headers["Location"] == "/"
        cookie = headers["Set-Cookie"].split(";")[0]
        assert server.get(f"/doc/{doc}", {"Cookie": cookie})[0] == 200
    finally:
        assert server.stop() == 0


def test_no_token_is_an_explicit_choice_and_only_on_the_loopback(review_ws):
    ws, _, _ = review_ws
    server = Served(ws.root, "--no-token")
    try:
        assert "?token=" not in server.url
        assert server.get("/")[0] == 200
        assert server.get("/", {"Host": "evil.example"})[0] == 403
        assert "no access token" in server.stderr.lower()  # said out loud
    finally:
        server.stop()
    result = CliRunner().invoke(main, ["serve", "-w", str(ws.root), "--host", "0.0.0.0", "--port", "0", "--no-token"])
    assert result.exit_code == 1 and "loopback" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: signal.Signals(s).name)
def test_the_temporary_directory_is_removed_on_a_signal(review_ws, tmp_path, sig):
    ws, doc, _ = review_ws
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    server = Served(ws.root, env={"TMPDIR": str(tmp), TOKEN_ENV: TOKEN})
    try:
        assert server.get(f"/doc/{doc}/bilingual", {"Authorization": f"token {TOKEN}"})[0] == 200
        assert [p.name for p in tmp.iterdir() if p.name.startswith("pipeline-serve-")]  # the edition was built there
    finally:
        code = server.stop(sig)
    assert code == 0, server.stderr
    assert [p for p in tmp.iterdir() if p.name.startswith("pipeline-serve-")] == []
    assert "Traceback" not in server.stderr and "serve: stopped" in server.stderr


def test_the_token_never_reaches_the_log_and_the_env_token_is_used(review_ws):
    ws, _, _ = review_ws
    server = Served(ws.root, env={TOKEN_ENV: TOKEN})
    try:
        assert server.url.endswith(f"?token={TOKEN}")  # printed once, to open, as Jupyter does
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
            sock.sendall(f"GET /?token={TOKEN} x HTTP/1.1\r\n\r\n".encode())  # malformed: logged with its request line
            assert b" 400 " in sock.recv(65536).split(b"\r\n")[0] + b" "
    finally:
        server.stop()
    assert "Bad request syntax" in server.stderr  # the error is logged ...
    assert server.stderr.count(TOKEN) == 1, server.stderr  # ... with the token masked


def test_bodies_and_headers_are_bounded_on_the_socket(review_ws):
    ws, doc, ids = review_ws
    server = Served(ws.root, env={TOKEN_ENV: TOKEN})
    auth = {"Authorization": f"token {TOKEN}"}
    try:
        status, _, html = server.get(f"/doc/{doc}", auth)
        html = html.decode()
        csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)
        page = re.search(r'data-page="([0-9a-f]+)"', html).group(1)
        headers = {
            **auth,
            CSRF_HEADER: csrf,
            "Origin": f"http://127.0.0.1:{server.port}",
            "Content-Type": "application/json",
        }

        # A chunked body (no Content-Length) larger than the limit.
        def chunks():
            yield b'{"page": "' + page.encode() + b'", "msgid": "x", "tag": "y", "text": "'
            for _ in range(3 * MAX_BODY_BYTES // 65536):
                yield b"x" * 65536
            yield b'"}'

        conn = server.connection()
        try:
            conn.request("POST", f"/api/doc/{doc}/accept", body=chunks(), headers=headers, encode_chunked=True)
            response = conn.getresponse()
            assert response.status == 413
            assert "KiB" in json.loads(response.read())["error"]
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused and closed while we were still sending: also a refusal
        finally:
            conn.close()

        # A declared Content-Length over the limit: answered at once, the body never read
        # (a server that waited for the 100 MB would time this socket out).
        for extra in ("", "".join(f"{k}: {v}\r\n" for k, v in headers.items())):  # unauthenticated, then authorized
            with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
                head = (
                    f"POST /api/doc/{doc}/accept HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                    f"{extra}Content-Length: {100 * 2**20}\r\n\r\n"
                )
                sock.sendall(head.encode())
                assert sock.recv(65536).split(b" ")[1] == (b"413" if extra else b"401")

        # Oversized and too many headers.
        assert server.get("/", {**auth, "X-Big": "a" * 70_000})[0] in (400, 431)
        many = {**auth, **{f"X-H{i}": "v" for i in range(150)}}
        assert server.get("/", many)[0] in (400, 431)

        assert server.get("/", auth)[0] == 200  # still serving
    finally:
        server.stop()
