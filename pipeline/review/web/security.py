"""Who may ask the review app, what they may send, and what the browser may run.

* **The access token**, on the loopback too, as Jupyter does
  (:func:`access_token`): generated per run, or read from ``--token-file``
  (mode 600) or ``$PIPELINE_TOKEN`` -- never from the command line, which
  every user can read -- with :data:`MIN_TOKEN_LENGTH` characters at least.
  Opening the address with ``?token=…`` once sets an HttpOnly,
  SameSite=Strict cookie that holds a secret of this run (never the token
  itself) and drops the token from the address; the cookie's name holds the
  port and a random part of this run (:meth:`Guard.cookie_name`), so servers
  on two ports of one host, or two runs, never overwrite each other's.
  Scripts may send ``Authorization: token …``. Secrets are compared in
  constant time.
* **Wrong tokens**: a client that sent :data:`MAX_FAILED_ATTEMPTS` wrong
  ones within :data:`FAILED_WINDOW_S` seconds is answered 429 (one line)
  to every further token until the window has passed (:class:`FailedAttempts`);
  a browser that already holds the cookie is served as before.
* **The loopback**: whether the server is on it is decided on the address it
  bound (:func:`bound_to_loopback`), never on a name; there the ``Host``
  header must name the loopback too (DNS rebinding).
* **CSRF**: every write is a POST carrying the per-server token
  (:data:`CSRF_HEADER`) from a same-origin page (``Origin``/``Referer``). A
  page on another port of the same host makes the browser send our cookie
  (cookies are scoped by host, not port), but it has neither the CSRF token
  nor our origin.
* **Size limits**: a body of :data:`MAX_BODY_BYTES` at most, chunked ones
  included; a translation of :func:`max_translation_length` at most. Text
  with a character :mod:`pipeline.textsafety` refuses is refused.
* **What the browser runs**: a Content-Security-Policy with no inline
  script or style (:data:`CSP`; an edition gets its own,
  :data:`pipeline.editions.html.CONTENT_SECURITY_POLICY`), and JSON with no
  markup characters in it (:class:`HtmlSafeJSON`).

:class:`Guard` applies the request rules to an app; the views read request
bodies through :func:`json_body`, :func:`text_field` and
:func:`translation_text`. A refusal is an HTTP error (:func:`flask.abort`);
the views decide how it is shown.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import math
import os
import re
import secrets
import stat
import threading
import time
from collections import deque
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import Flask, Response, abort, g, redirect, request
from flask.json.provider import DefaultJSONProvider

from ...errors import PipelineError
from ...textsafety import refuse_unsafe
from ..session import REASON_LIMIT, person_reason

CSRF_HEADER = "X-CSRF-Token"
TOKEN_PARAM = "token"
#: Where ``pipeline serve`` reads the access token when no --token-file is given.
TOKEN_ENV = "PIPELINE_TOKEN"
#: The shortest access token accepted; a generated one has 43 characters (256 bits).
MIN_TOKEN_LENGTH = 16
#: Wrong access tokens a client may send within :data:`FAILED_WINDOW_S` seconds; then 429.
MAX_FAILED_ATTEMPTS = 10
#: The window, in seconds, over which wrong access tokens are counted per client.
FAILED_WINDOW_S = 60
#: The largest request body read (a decision is a few KiB of JSON at most).
MAX_BODY_BYTES = 1024 * 1024

#: The Content-Security-Policy of the app's own pages: no inline script or style.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

log = logging.getLogger(__name__)


# --- Addresses -----------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """True when ``host`` only ever reaches this machine (127.0.0.0/8, ::1, localhost)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(host_header: str) -> str:
    """The host name of a ``Host`` header (``[::1]:8765`` → ``::1``); empty if malformed."""
    try:
        return urlsplit("//" + host_header).hostname or ""
    except ValueError:
        return ""


def bound_to_loopback(address: str) -> bool:
    """True when the address a socket is bound to only ever reaches this machine.

    The decision on the bound address, never on a name: ``x.localhost`` may
    well resolve to a LAN address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return (mapped or ip).is_loopback


# --- The access token ----------------------------------------------------------


def check_token(token: str, where: str = "the access token") -> str:
    """Return ``token`` if it is long enough and one word of printable ASCII."""
    if len(token) < MIN_TOKEN_LENGTH:
        raise PipelineError(
            f"{where} has {len(token)} characters; an access token needs at least {MIN_TOKEN_LENGTH} characters "
            "(leave it out and one is generated)"
        )
    if not re.fullmatch(r"[\x21-\x7e]+", token):
        raise PipelineError(f"{where} may only hold printable ASCII characters, no space")
    return token


def _read_token_file(path: Path) -> str:
    try:
        info = os.stat(path)
        if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise PipelineError(f"{path}: other users of this machine can read the token file; chmod 600 {path}")
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise PipelineError(f"cannot read the token file {path}: {getattr(exc, 'strerror', None) or exc}") from None


def access_token(
    token: str | None = None, token_file: Path | str | None = None, no_token: bool = False, environ=None
) -> tuple[str | None, str]:
    """The token the server will require, and where it came from.

    From ``token_file``, else ``token`` (the command line: deprecated, every
    user can read it in the process list), else $PIPELINE_TOKEN, else a new
    random one, as Jupyter does. ``no_token`` is the one way to serve
    without: ``(None, "--no-token")``."""
    environ = os.environ if environ is None else environ
    if no_token and (token is not None or token_file is not None):
        raise PipelineError("--no-token contradicts --token and --token-file; give one of them")
    if token is not None and token_file is not None:
        raise PipelineError("give the access token one way: one of --token-file, --token or $" + TOKEN_ENV)
    if no_token:
        return None, "--no-token"
    if token_file is not None:
        return check_token(_read_token_file(Path(token_file)), f"the token file {token_file}"), "--token-file"
    if token is not None:
        return check_token(token, "--token"), "--token"
    if environ.get(TOKEN_ENV):
        return check_token(environ[TOKEN_ENV], f"${TOKEN_ENV}"), f"${TOKEN_ENV}"
    return secrets.token_urlsafe(32), "generated"


NEEDS_TOKEN = "this server needs its access token: open the address that 'pipeline serve' printed (it ends in ?token=…)"


def _too_many_attempts(wait: int) -> Response:
    """The answer to a client with too many wrong tokens: 429, one line, and when to try again."""
    body = f"too many wrong access tokens from this address; try again in {wait} s\n"
    return Response(body, 429, mimetype="text/plain", headers={"Retry-After": str(wait)})


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison that gives away neither content nor length."""
    digest = lambda text: hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()  # noqa: E731
    return hmac.compare_digest(digest(given), digest(expected))


# --- Who may ask -----------------------------------------------------------------


class FailedAttempts:
    """Wrong access tokens per client address over the last ``window`` seconds.

    Brute force against a generated token (256 bits) is hopeless anyway; this
    keeps a short token from a file or $PIPELINE_TOKEN out of reach too, and
    keeps a guessing loop from running at full speed. A client is refused
    only while it has ``limit`` failures within the window: nobody is locked
    out for longer. At most ``max_clients`` addresses are remembered."""

    def __init__(
        self,
        limit: int = MAX_FAILED_ATTEMPTS,
        window: float = FAILED_WINDOW_S,
        clock=time.monotonic,
        max_clients: int = 4096,
    ):
        self.limit, self.window, self.clock, self.max_clients = limit, window, clock, max_clients
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.get(client, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, client: str) -> int:
        """Seconds until ``client`` may send a token again; 0 when it may now."""
        with self._lock:
            now = self.clock()
            times = self._recent(client, now)
            if len(times) < self.limit:
                return 0
            return max(1, math.ceil(times[-self.limit] + self.window - now))

    def record(self, client: str) -> bool:
        """Count a wrong token from ``client``; True when this one reached the limit."""
        with self._lock:
            now = self.clock()
            times = self._recent(client, now)
            times.append(now)
            self._failures.pop(client, None)
            self._failures[client] = times  # the most recent client last
            while len(self._failures) > self.max_clients:
                del self._failures[next(iter(self._failures))]
            return len(times) == self.limit


class Guard:
    """The request rules of one app: the loopback's ``Host``, the access
    token and its cookie, the limit on wrong tokens, CSRF and origin on
    every write, and the security headers on every response.

    With a ``token``, every request must carry it (query parameter, then the
    cookie; or ``Authorization: token …``); ``None`` serves without one.
    With ``loopback_only``, only requests addressed to a loopback host are
    served. The CSRF token, the cookie's secret and the random part of its
    name are new for each app."""

    def __init__(self, token: str | None, loopback_only: bool):
        if token is not None:
            check_token(token)
        self.token = token
        self.loopback_only = loopback_only
        self.csrf_token = secrets.token_urlsafe(32)
        # The cookie holds a secret of this run, not the token: the browser never
        # stores the long-lived token, and a restart ends every cookie.
        self.cookie_secret = secrets.token_urlsafe(32)
        self.cookie_suffix = secrets.token_hex(8)
        self.failures = FailedAttempts()

    def init_app(self, app: Flask) -> None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES  # a declared length past it: 413, the body never read
        app.before_request(self.check_request)
        app.after_request(self.add_headers)

    def check_request(self) -> Response | None:
        """Refuse (abort) a request that may not be served; the redirect that
        trades a token in the address for the cookie, or the 429 of a client
        that sent too many wrong tokens; else None."""
        if self.loopback_only and not is_loopback(host_name(request.host)):
            # On the loopback, a page on a rebinding domain (evil.example → 127.0.0.1) is not served.
            abort(403, description="this server only answers requests addressed to the loopback (localhost, 127.0.0.1)")
        if self.token is not None:
            response = self._check_access_token(self.token)
            if response is not None:
                return response
        g.authorized = True  # pages may now carry the CSRF token and the reviewer's name
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            self._check_csrf()
        return None

    def cookie_name(self) -> str:
        """The name of this server's cookie: browsers send a host's cookies to
        every port of it, so the name holds the port the request came in on
        and a random part of this run. Two servers on two ports (or a
        restart on the same one) never overwrite each other's cookie, and no
        page can aim at it by a name it could guess."""
        return f"pipeline_review_token_{request.environ.get('SERVER_PORT', '')}_{self.cookie_suffix}"

    def _check_access_token(self, token: str) -> Response | None:
        given = request.args.get(TOKEN_PARAM)
        from_query = given is not None
        if given is None:
            scheme, _, value = request.headers.get("Authorization", "").partition(" ")
            given = value.strip() if scheme.lower() == "token" else None
        cookie = request.cookies.get(self.cookie_name())
        if given is None and cookie is None:
            abort(401, description=NEEDS_TOKEN)
        logged_in = cookie is not None and same_secret(cookie, self.cookie_secret)
        if given is None and logged_in:
            return None
        client = request.remote_addr or "?"
        if not logged_in:  # a guess: a token, or a cookie of ours with another value
            wait = self.failures.retry_after(client)
            if wait:
                return _too_many_attempts(wait)
            if given is None or not same_secret(given, token):
                self._failed(client)
        if given is None:
            abort(401, description=NEEDS_TOKEN)
        if not same_secret(given, token):
            abort(403, description="wrong access token")
        if from_query and request.method == "GET":
            # Keep the token out of the address bar and history: a cookie carries it from now on.
            args = request.args.copy()
            args.pop(TOKEN_PARAM)
            query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in args.items(multi=True))
            # One leading slash: "//evil.example" would send the browser to another host.
            path = "/" + quote(request.path.lstrip("/\\"), safe="/")
            response = redirect(path + (f"?{query}" if query else ""), code=303)
            response.set_cookie(
                self.cookie_name(),
                self.cookie_secret,
                httponly=True,
                samesite="Strict",
                secure=request.is_secure,
                path="/",
            )
            return response
        return None

    def _failed(self, client: str) -> None:
        if self.failures.record(client):  # logged once per client and window, not per request
            log.warning(
                "serve: %d wrong access tokens from %s within %d s: its tokens are refused (429) for a while",
                self.failures.limit,
                client,
                self.failures.window,
            )

    def _check_csrf(self) -> None:
        given = request.headers.get(CSRF_HEADER, "")
        if not secrets.compare_digest(given.encode(), self.csrf_token.encode()):
            abort(403, description="missing or wrong CSRF token: reload the page")
        expected = f"{request.scheme}://{request.host}"
        origin = request.headers.get("Origin")
        if origin is not None:
            if origin != expected:
                abort(403, description=f"cross-origin request refused (Origin {origin})")
        else:
            referer = request.headers.get("Referer")
            if referer is not None and f"{urlsplit(referer).scheme}://{urlsplit(referer).netloc}" != expected:
                abort(403, description="cross-origin request refused (Referer)")

    @staticmethod
    def add_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", CSP)
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"  # pages show live state
        return response


# --- What may be sent ------------------------------------------------------------


def max_translation_length(source: str) -> int:
    """The longest translation saved for ``source``: 8 characters per source
    character, plus 500 for a short headline or a name spelled out.

    English runs to 3.6 characters per Chinese one (median of the 5,961
    pairs of the WMT dev corpus; 13.6 at most, on a 5-character line); no
    pair there comes within half of this bound. A pasted file does not fit."""
    return 8 * len(source) + 500


def json_body() -> dict:
    """The request's body: a JSON object of at most :data:`MAX_BODY_BYTES`."""
    raw = request.get_data(cache=True)
    if len(raw) >= MAX_BODY_BYTES:  # werkzeug reads a chunked body up to the limit and cuts it there, silently
        abort(413)
    try:
        data = json.loads(raw) if request.is_json else None
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep to parse
        data = None
    if not isinstance(data, dict):
        abort(400, description="expected a JSON object")
    return data


def text_field(data: dict, name: str) -> str:
    """A non-empty string field of a body, with no character textsafety refuses."""
    value = data.get(name)
    if not isinstance(value, str) or not value:
        abort(400, description=f"'{name}' must be a non-empty string")
    return refuse_unsafe(value, f"'{name}'")


def translation_text(data: dict, source: str) -> str | None:
    """The text typed for ``source``, as one line of single spaces (as in the
    terminal's editor), at most :func:`max_translation_length`; None when
    none was sent."""
    text = data.get("text")
    if text is None:
        return None
    if not isinstance(text, str):
        abort(400, description="'text' must be a string")
    limit = max_translation_length(source)
    if len(text) > limit:
        abort(
            400,
            description=f"the translation has {len(text)} characters; at most {limit} are saved for this "
            "source (8 per source character, plus 500)",
        )
    return " ".join(refuse_unsafe(text, "the translation").split())


#: The longest reason saved (an override's is one line of a translator comment): the session's rule.
MAX_REASON_CHARS = REASON_LIMIT


def override_reason(data: dict) -> str | None:
    """The reason given to override error-level checks, on one line; None when none was sent."""
    reason = data.get("override")
    if reason is None:
        return None
    if not isinstance(reason, str):
        abort(400, description="'override' must be a string")
    reason = " ".join(refuse_unsafe(reason, "the override reason").split())
    if len(reason) > MAX_REASON_CHARS:
        abort(400, description=f"the override reason has {len(reason)} characters; at most {MAX_REASON_CHARS}")
    return reason or None


def reason(data: dict) -> str | None:
    """A person's reason for a decision (``reason``), on one line; None when
    none was sent. Checked by the session's rule
    (:func:`~pipeline.review.session.person_reason`)."""
    value = data.get("reason")
    if value is None:
        return None
    if not isinstance(value, str):
        abort(400, description="'reason' must be a string")
    return person_reason(value)


def comment_text(data: dict) -> str:
    """The text of a comment (``comment``) to add or remove; the session
    refuses one that could read as a record, or is too long."""
    value = data.get("comment")
    if not isinstance(value, str) or not value.strip():
        abort(400, description="'comment' must be a non-empty string")
    if len(value) > MAX_BODY_BYTES // 8:
        abort(400, description="the comment is too long")
    return refuse_unsafe(value, "the comment")


# --- What may be shown -----------------------------------------------------------


class HtmlSafeJSON(DefaultJSONProvider):
    """JSON with ``<``, ``>``, ``&`` and ``'`` written as ``\\u`` escapes, so no
    response of the app ever holds markup from a document, even as data."""

    ensure_ascii = False

    def dumps(self, obj, **kwargs) -> str:
        text = super().dumps(obj, **kwargs)
        # These characters occur in JSON only inside strings, where the escapes mean the same.
        return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e").replace("'", "\\u0027")
