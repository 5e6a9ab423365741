"""``pipeline serve``: the review in a browser, on the shared review model.

The web app is a second face of :mod:`pipeline.review.session` and
:mod:`pipeline.review.queue`, like the terminal UI: every view is built from
:func:`~pipeline.review.queue.items`, every decision goes through a
:class:`~pipeline.review.session.ReviewSession` and is saved to the PO file
atomically before the browser hears back. Each entry is shown with the
``tag`` of the version it was rendered from; a write whose tag is stale is
refused with HTTP 409 and the version now on disk, never saved over it.

Pages:

* ``/``: the documents, progress by state, checks fired by severity;
* ``/doc/<doc>``: Chinese | English, one row per segment, keyboard-driven;
* ``/doc/<doc>/bilingual``: the bilingual edition, built on demand.

Security, for a server that may see other people's browsers (a shared
newsroom machine, a LAN; see SECURITY.md):

* Every request needs the access token, on the loopback too, as Jupyter does:
  ``pipeline serve`` prints the address with ``?token=…``; opening it once
  sets an HttpOnly, SameSite=Strict cookie that holds a secret of this run
  (never the token itself) and drops the token from the address. Scripts may
  send ``Authorization: token …``. The token is generated per run, or read
  from ``--token-file`` (mode 600) or ``$PIPELINE_TOKEN`` -- never from the
  command line, which every user can read -- and has
  :data:`MIN_TOKEN_LENGTH` characters at least. ``--no-token`` is an
  explicit choice, allowed only on the loopback.
* Whether the server is on the loopback is decided on the address it bound,
  after name resolution, never on the name given. On the loopback the
  ``Host`` header must name the loopback too (DNS rebinding).
* Every write is a POST carrying the per-server CSRF token (``X-CSRF-Token``)
  from a same-origin page (``Origin``/``Referer``); no GET changes state. A
  page on another port of the same host gets our cookie from the browser
  (cookies ignore ports), but not the CSRF token nor our origin.
* Bodies are limited to :data:`MAX_BODY_BYTES`, chunked ones included, and a
  translation to :func:`max_translation_length` of its source. Text with a
  character :mod:`pipeline.textsafety` refuses (controls, bidi controls,
  lone surrogates) is refused with one line, as is such a reviewer name.
* Text is escaped by Jinja; the page's data travels as HTML-safe JSON in a
  ``<script type="application/json">`` island, and the script renders text
  with ``textContent`` only. A Content-Security-Policy allows no inline
  script or style.
* The temporary directory of the editions is removed on Ctrl+C, SIGTERM and
  SIGHUP; decisions being saved are finished first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import os
import re
import secrets
import signal
import socket
import stat
import tempfile
import threading
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import Flask, Response, abort, g, jsonify, redirect, render_template, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from ..build import build
from ..catalog import State
from ..checks import CHECKS, Severity
from ..editions import html as html_edition
from ..errors import PipelineError
from ..status import document_status
from ..terms import Termbase, load_termbase
from ..textsafety import refuse_unsafe
from ..workspace import Workspace
from .queue import PENDING, ReviewItem, findings_for, items
from .session import ReviewConflict, ReviewSession, reviewer_name

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
CSRF_HEADER = "X-CSRF-Token"
TOKEN_PARAM = "token"
#: Where ``pipeline serve`` reads the access token when no --token-file is given.
TOKEN_ENV = "PIPELINE_TOKEN"
#: The shortest access token accepted; a generated one has 43 characters (256 bits).
MIN_TOKEN_LENGTH = 16
#: The largest request body read (a decision is a few KiB of JSON at most).
MAX_BODY_BYTES = 1024 * 1024
#: Seconds a connection may stay silent before the server drops it.
IDLE_TIMEOUT_S = 60
#: Seconds a stopping server waits for the decisions being saved.
STOP_GRACE_S = 10
#: Undo histories kept at once (one per open page); the oldest is dropped.
MAX_SESSIONS = 64

STATE_LABELS = {
    State.UNTRANSLATED: "untranslated",
    State.MACHINE_DRAFT: "machine draft",
    State.FUZZY: "fuzzy",
    State.REVIEWED: "reviewed",
}
#: The order states are counted and drawn in: done first, then what needs work.
STATE_ORDER = (State.REVIEWED, State.MACHINE_DRAFT, State.FUZZY, State.UNTRANSLATED)

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def _csp_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


# The bilingual edition is one standalone file with its own inline style and
# script; it is allowed exactly those, by hash, and nothing else.
_EDITION_CSP = (
    f"default-src 'none'; style-src {_csp_hash(html_edition.STYLE)}; script-src {_csp_hash(html_edition.SCRIPT)}; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


# --- Addresses and tokens -------------------------------------------------------


def is_loopback(host: str) -> bool:
    """True when ``host`` only ever reaches this machine (127.0.0.0/8, ::1, localhost)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _hostname(host_header: str) -> str:
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


def _same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison that gives away neither content nor length."""
    digest = lambda text: hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()  # noqa: E731
    return hmac.compare_digest(digest(given), digest(expected))


def max_translation_length(source: str) -> int:
    """The longest translation saved for ``source``: 8 characters per source
    character, plus 500 for a short headline or a name spelled out.

    English runs to 3.6 characters per Chinese one (median of the 5,961
    pairs of the WMT dev corpus; 13.6 at most, on a 5-character line); no
    pair there comes within half of this bound. A pasted file does not fit."""
    return 8 * len(source) + 500


def server_url(host: str, port: int, token: str | None = None) -> str:
    """The address to open in a browser; a wildcard address becomes this machine's name."""
    if host in ("", "0.0.0.0", "::"):
        host = socket.gethostname()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    url = f"http://{host}:{port}/"
    return url + (f"?{TOKEN_PARAM}={quote(token, safe='')}" if token else "")


# --- Review sessions, one per open page ----------------------------------------


_PAGE_ID = re.compile(r"[0-9a-f]{16}")


class _Sessions:
    """Review sessions by (document, page): each page load has its own undo
    history, as each run of ``pipeline review`` does. A session is reloaded
    from disk before each use, so what other pages and tools saved is seen."""

    def __init__(self, ws: Workspace, reviewer: str, limit: int = MAX_SESSIONS):
        self.ws, self.reviewer, self.limit = ws, reviewer, limit
        self._sessions: OrderedDict[tuple[str, str], tuple[ReviewSession, threading.Lock]] = OrderedDict()
        self._lock = threading.Lock()

    def new_page(self) -> str:
        return secrets.token_hex(8)  # matches _PAGE_ID

    def get(self, doc: str, page: str) -> tuple[ReviewSession, threading.Lock]:
        key = (doc, page)
        with self._lock:
            if key in self._sessions:
                self._sessions.move_to_end(key)
                return self._sessions[key]
            entry = (ReviewSession(self.ws, doc, self.reviewer), threading.Lock())
            self._sessions[key] = entry
            while len(self._sessions) > self.limit:
                self._sessions.popitem(last=False)
            return entry


class _Lifecycle:
    """What a stopping server must finish or remove: the decisions being
    saved, and the temporary directory of the editions (made on first use,
    so a server that never built one leaves nothing even on SIGKILL)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._saving = 0
        self._stopping = False
        self._editions: tempfile.TemporaryDirectory | None = None

    @contextmanager
    def saving(self):
        """Around a decision: refused once the server stops, waited for while it stops."""
        with self._cond:
            if self._stopping:
                abort(503, description="the server is stopping; this decision was not saved")
            self._saving += 1
        try:
            yield
        finally:
            with self._cond:
                self._saving -= 1
                self._cond.notify_all()

    def editions_dir(self) -> Path:
        with self._cond:
            if self._stopping:
                abort(503, description="the server is stopping")
            if self._editions is None:
                self._editions = tempfile.TemporaryDirectory(prefix="pipeline-serve-")
            return Path(self._editions.name)

    def stop(self, grace: float = STOP_GRACE_S) -> None:
        """Refuse new decisions, wait up to ``grace`` seconds for those being
        saved, and remove the temporary directory."""
        with self._cond:
            self._stopping = True
            self._cond.wait_for(lambda: self._saving == 0, timeout=grace)
            editions, self._editions = self._editions, None
        if editions is not None:
            editions.cleanup()


# --- JSON views of the review model --------------------------------------------


def item_json(item: ReviewItem) -> dict:
    """What the page needs of a :class:`ReviewItem` (all of it, as plain data)."""
    return {
        "index": item.index,
        "msgid": item.msgid,
        "target": item.target,
        "state": item.state.value,
        "stateLabel": STATE_LABELS[item.state],
        "tag": item.tag,
        "types": list(item.types),
        "location": item.location,
        "previousSource": item.previous_source,
        "origin": item.origin,
        "suggestions": [
            {"percent": s.percent, "origin": s.origin, "text": s.text, "numbersDiffer": s.numbers_differ}
            for s in item.suggestions
        ],
        "glossary": [{"zh": t.zh, "en": t.en, "type": t.type, "note": t.note} for t in item.glossary],
        "findings": findings_json(item.findings),
    }


def findings_json(findings) -> list[dict]:
    titles = {check.code: check.title for check in CHECKS}
    return [
        {"code": f.code, "severity": f.severity.value, "message": f.message, "title": titles.get(f.code, f.code)}
        for f in findings
    ]


def _state_counts(review_items: list[ReviewItem]) -> dict[str, int]:
    counts = Counter(item.state for item in review_items)
    return {state.value: counts.get(state, 0) for state in STATE_ORDER}


def _progress_json(review_items: list[ReviewItem]) -> dict:
    counts = _state_counts(review_items)
    return {"reviewed": counts[State.REVIEWED.value], "total": len(review_items), "counts": counts}


def _severity_counts(review_items: list[ReviewItem]) -> dict[str, int]:
    counts = Counter(f.severity for item in review_items for f in item.findings)
    return {severity.value: counts.get(severity, 0) for severity in Severity}


def _bar(counts: dict[str, int], total: int) -> list[dict]:
    """Segments of a stacked progress bar, in percent of ``total``."""
    parts, x = [], 0.0
    for state in STATE_ORDER:
        n = counts.get(state.value, 0)
        width = 100.0 * n / total if total else 0.0
        parts.append({"state": state.value, "label": STATE_LABELS[state], "count": n, "x": round(x, 3), "width": round(width, 3)})
        x += width
    return parts


# --- The app --------------------------------------------------------------------


class _HtmlSafeJSON(DefaultJSONProvider):
    """JSON with ``<``, ``>``, ``&`` and ``'`` written as ``\\u`` escapes, so no
    response of the app ever holds markup from a document, even as data."""

    ensure_ascii = False

    def dumps(self, obj, **kwargs) -> str:
        text = super().dumps(obj, **kwargs)
        # These characters occur in JSON only inside strings, where the escapes mean the same.
        return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e").replace("'", "\\u0027")


class _ReviewFlask(Flask):
    json_provider_class = _HtmlSafeJSON


def create_app(ws: Workspace, reviewer: str, token: str | None, loopback_only: bool | None = None) -> Flask:
    """The review web app for the documents of ``ws``.

    Decisions are recorded as ``reviewer``. With a ``token``, every request
    must carry it (query parameter, then a cookie; or ``Authorization: token
    …``); ``None`` serves without one. With ``loopback_only`` (the default
    without a token) only requests addressed to a loopback host are served."""
    refuse_unsafe(reviewer, "reviewer name", name=True)
    if token is not None:
        check_token(token)
    if loopback_only is None:
        loopback_only = token is None
    app = _ReviewFlask(__name__, static_folder="static", template_folder="templates")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES  # a declared length past it: 413, the body never read
    csrf_token = secrets.token_urlsafe(32)
    # The cookie holds a secret of this run, not the token: the browser never
    # stores the long-lived token, and a restart ends every cookie.
    cookie_secret = secrets.token_urlsafe(32)
    sessions = _Sessions(ws, reviewer)
    lifecycle = _Lifecycle()
    app.extensions["pipeline.review"] = lifecycle
    weakref.finalize(app, lifecycle.stop, 0)  # an app never served (tests, screenshots) cleans up too
    build_lock = threading.Lock()

    def known_document(doc: str) -> str:
        # Only a document of the workspace, by exact name: no path ever comes from the URL.
        if doc not in ws.documents():
            abort(404, description=f"no document named {doc!r} in this workspace")
        return doc

    def termbase() -> Termbase:
        # Read per request: the glossary may be edited while the server runs.
        return load_termbase(ws.glossary)

    def wants_json() -> bool:
        return request.path.startswith("/api/")

    def error_response(status: int, message: str):
        if wants_json():
            return jsonify(error=message), status
        return render_template("error.html", status=status, message=message), status

    # --- who may ask ---------------------------------------------------------

    @app.before_request
    def guard():
        if loopback_only and not is_loopback(_hostname(request.host)):
            # On the loopback, a page on a rebinding domain (evil.example → 127.0.0.1) is not served.
            return error_response(403, "this server only answers requests addressed to the loopback (localhost, 127.0.0.1)")
        if token is not None:
            refusal = check_access_token()
            if refusal is not None:
                return refusal
        g.authorized = True  # pages may now carry the CSRF token and the reviewer's name
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            refusal = check_csrf()
            if refusal is not None:
                return refusal
        return None

    def token_cookie() -> str:
        # Cookies are shared by every port of a host: one name per server port.
        return f"pipeline_review_token_{request.environ.get('SERVER_PORT', '')}"

    def check_access_token():
        given = request.args.get(TOKEN_PARAM)
        from_query = given is not None
        if given is None:
            scheme, _, value = request.headers.get("Authorization", "").partition(" ")
            given = value.strip() if scheme.lower() == "token" else None
        if given is not None:
            if not _same_secret(given, token):
                return error_response(403, "wrong access token")
        elif not _same_secret(request.cookies.get(token_cookie(), ""), cookie_secret):
            return error_response(
                401, "this server needs its access token: open the address that 'pipeline serve' printed (it ends in ?token=…)"
            )
        if from_query and request.method == "GET":
            # Keep the token out of the address bar and history: a cookie carries it from now on.
            args = request.args.copy()
            args.pop(TOKEN_PARAM)
            query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in args.items(multi=True))
            # One leading slash: "//evil.example" would send the browser to another host.
            path = "/" + quote(request.path.lstrip("/\\"), safe="/")
            response = redirect(path + (f"?{query}" if query else ""), code=303)
            response.set_cookie(
                token_cookie(), cookie_secret, httponly=True, samesite="Strict", secure=request.is_secure, path="/"
            )
            return response
        return None

    def check_csrf():
        given = request.headers.get(CSRF_HEADER, "")
        if not secrets.compare_digest(given.encode(), csrf_token.encode()):
            return error_response(403, "missing or wrong CSRF token: reload the page")
        expected = f"{request.scheme}://{request.host}"
        origin = request.headers.get("Origin")
        if origin is not None:
            if origin != expected:
                return error_response(403, f"cross-origin request refused (Origin {origin})")
        else:
            referer = request.headers.get("Referer")
            if referer is not None and f"{urlsplit(referer).scheme}://{urlsplit(referer).netloc}" != expected:
                return error_response(403, "cross-origin request refused (Referer)")
        return None

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", _CSP)
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"  # pages show live state
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 413:
            return error_response(413, f"the request is larger than {MAX_BODY_BYTES // 1024} KiB; nothing was saved")
        return error_response(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(PipelineError)
    def pipeline_error(exc: PipelineError):
        return error_response(400 if wants_json() else 500, str(exc))

    @app.context_processor
    def page_globals():
        if not g.get("authorized"):  # an error page for a refused request gives nothing away
            return {"csrf_token": "", "reviewer": "", "state_labels": STATE_LABELS}
        return {"csrf_token": csrf_token, "reviewer": reviewer, "state_labels": STATE_LABELS}

    # --- pages ---------------------------------------------------------------

    @app.get("/")
    def dashboard():
        terms = termbase()
        rows = []
        for doc in ws.documents():
            try:
                status = document_status(ws, doc)
                review_items = items(ReviewSession(ws, doc, reviewer), terms)
            except PipelineError as exc:  # one broken catalog must not hide the others
                rows.append({"doc": doc, "error": str(exc)})
                continue
            counts = _state_counts(review_items)
            rows.append({
                "doc": doc,
                "status": status,
                "counts": counts,
                "bar": _bar(counts, status.segments),
                "findings": _severity_counts(review_items),
                "flagged": sum(1 for item in review_items if item.findings),
            })  # fmt: skip
        totals = Counter()
        for row in rows:
            for key, value in row.get("counts", {}).items():
                totals[key] += value
            for key, value in row.get("findings", {}).items():
                totals["findings-" + key] += value
        total_segments = sum(row["status"].segments for row in rows if "status" in row)
        return render_template(
            "dashboard.html",
            rows=rows,
            workspace=str(ws.root),
            totals=totals,
            total_segments=total_segments,
            total_bar=_bar(totals, total_segments),
            states=[(s.value, STATE_LABELS[s]) for s in STATE_ORDER],
        )

    @app.get("/favicon.ico")
    def favicon():
        return "", 204  # the edition page asks for one; our pages carry an empty data: icon

    @app.get("/doc/<doc>")
    def document(doc: str):
        doc = known_document(doc)
        session = ReviewSession(ws, doc, reviewer)
        review_items = items(session, termbase())
        fired = Counter(f.code for item in review_items for f in item.findings)
        state_filter = request.args.get("state", "all")
        check_filter = request.args.get("check", "any")
        progress = _progress_json(review_items)
        return render_template(
            "document.html",
            doc=doc,
            page=sessions.new_page(),
            items=review_items,
            items_data=[item_json(item) for item in review_items],
            progress=progress,
            bar=_bar(progress["counts"], progress["total"]),
            states=[(s.value, STATE_LABELS[s]) for s in STATE_ORDER],
            checks=[(check.code, check.title, fired.get(check.code, 0)) for check in CHECKS],
            state_filter=state_filter,
            check_filter=check_filter,
            pending=sorted(s.value for s in PENDING),
        )

    @app.get("/doc/<doc>/bilingual")
    def bilingual(doc: str):
        doc = known_document(doc)
        with build_lock:  # one build at a time into the shared directory
            result = build(ws, doc, lifecycle.editions_dir())
        page = next(p for p in result.paths if p.name.endswith(".bilingual.html"))
        response = Response(page.read_bytes(), mimetype="text/html")
        response.headers["Content-Security-Policy"] = _EDITION_CSP
        return response

    # --- the review API ------------------------------------------------------

    def payload() -> dict:
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

    def field(data: dict, name: str) -> str:
        value = data.get(name)
        if not isinstance(value, str) or not value:
            abort(400, description=f"'{name}' must be a non-empty string")
        return refuse_unsafe(value, f"'{name}'")

    def translation(data: dict, msgid: str) -> str | None:
        """The text typed for ``msgid``, as one line of single spaces (as in the
        terminal's editor); None when none was sent."""
        text = data.get("text")
        if text is None:
            return None
        if not isinstance(text, str):
            abort(400, description="'text' must be a string")
        limit = max_translation_length(msgid)
        if len(text) > limit:
            abort(400, description=f"the translation has {len(text)} characters; at most {limit} are saved for this "
                                   "source (8 per source character, plus 500)")  # fmt: skip
        return " ".join(refuse_unsafe(text, "the translation").split())

    def decide(doc: str, act: Callable[[ReviewSession, dict], str | None]):
        """Run one decision through the page's session; answer with the entry as now saved."""
        doc = known_document(doc)
        data = payload()
        page = field(data, "page")
        if not _PAGE_ID.fullmatch(page):  # an id this server handed out, not a key of any size
            abort(400, description="'page' is not a page id of this server: reload the page")
        session, lock = sessions.get(doc, page)
        terms = termbase()
        with lifecycle.saving(), lock:
            session.reload()
            try:
                msgid = act(session, data)
            except ReviewConflict as conflict:
                review_items = items(session, terms)  # the session now holds the catalog on disk
                current = next((i for i in review_items if i.msgid == conflict.msgid), None)
                return jsonify(
                    error=str(conflict),
                    msgid=conflict.msgid,
                    current=item_json(current) if current else None,
                    progress=_progress_json(review_items),
                ), 409
            review_items = items(session, terms)
        item = next((i for i in review_items if i.msgid == msgid), None)
        return jsonify(msgid=msgid, item=item_json(item) if item else None, progress=_progress_json(review_items))

    @app.post("/api/doc/<doc>/accept")
    def accept(doc: str):
        def act(session: ReviewSession, data: dict) -> str:
            msgid, tag = field(data, "msgid"), field(data, "tag")
            session.accept(msgid, translation(data, msgid), expected=tag)
            return msgid

        return decide(doc, act)

    @app.post("/api/doc/<doc>/reject")
    def reject(doc: str):
        def act(session: ReviewSession, data: dict) -> str:
            msgid, tag = field(data, "msgid"), field(data, "tag")
            session.reject(msgid, expected=tag)
            return msgid

        return decide(doc, act)

    @app.post("/api/doc/<doc>/undo")
    def undo(doc: str):
        def act(session: ReviewSession, data: dict) -> str | None:
            decision = session.undo()
            return decision.msgid if decision else None

        return decide(doc, act)

    @app.post("/api/doc/<doc>/check")
    def check(doc: str):
        """The checks that fire on a text being typed (nothing is saved)."""
        doc = known_document(doc)
        data = payload()
        msgid = field(data, "msgid")
        text = translation(data, msgid) or ""
        session = ReviewSession(ws, doc, reviewer)
        message = session.catalog.get(msgid)
        if message is None:
            abort(404, description="the entry is no longer in the catalog (re-extracted?)")
        findings = findings_for(doc, message, text, termbase())
        return jsonify(msgid=msgid, findings=findings_json(findings))

    return app


# --- Serving --------------------------------------------------------------------

_TOKEN_IN_TEXT = re.compile(r"(token=)[^&\s'\"]+")


class _QuietRequestHandler(WSGIRequestHandler):
    """No access log: results and logs of the CLI stay readable; errors still
    show, with any ``token=`` masked. A connection silent for
    :data:`IDLE_TIMEOUT_S` is dropped, so idle or trickling clients do not
    hold a thread each for ever."""

    timeout = IDLE_TIMEOUT_S

    def log_request(self, code="-", size="-"):
        pass

    def log(self, type: str, message: str, *args) -> None:
        text = message % args if args else message
        if text.startswith("Request timed out"):  # an idle keep-alive connection of a browser: not news
            return
        super().log(type, "%s", _TOKEN_IN_TEXT.sub(r"\1[hidden]", text))


def create_server(ws: Workspace, host: str, port: int, reviewer: str, token: str | None) -> BaseWSGIServer:
    """Bind the review app to ``host:port`` (0 picks a free port) without serving yet.

    Without a ``token`` the address bound, after name resolution, must be a
    loopback address. Werkzeug's threaded server: one thread per request is
    plenty for a review tool used by a few browser tabs, and it needs no
    other dependency; every decision is saved before its response is sent."""

    def cannot_listen(exc: OSError) -> PipelineError:
        return PipelineError(f"cannot listen on {host}:{port}: {exc.strerror or exc} (try another --port, or --port 0)")

    # Bind here rather than in werkzeug, which prints and exits when it cannot.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        address = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)[0][4]
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as exc:
        raise cannot_listen(exc) from None
    with sock:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
        except OSError as exc:
            raise cannot_listen(exc) from None
        bound = sock.getsockname()[0]
        loopback = bound_to_loopback(bound)
        if token is None and not loopback:
            shown = host if host == bound else f"{host} ({bound})"
            raise PipelineError(
                f"{shown} is not a loopback address: serving it needs an access token (--no-token is for the loopback only)"
            )
        app = create_app(ws, reviewer, token, loopback_only=loopback)
        try:
            sock.listen(128)
            # The server works on its own duplicate of the socket.
            return make_server(host, port, app, threaded=True, request_handler=_QuietRequestHandler, fd=sock.fileno())
        except OSError as exc:
            raise cannot_listen(exc) from None


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def serve(
    ws: Workspace, host: str, port: int, reviewer: str, token: str | None, ready: Callable[[str], None] | None = None
) -> None:
    """Serve the review app until Ctrl+C, SIGTERM or SIGHUP; ``ready(url)`` is
    called once listening. On the way out, the decisions being saved are
    finished and the temporary directory is removed."""
    server = create_server(ws, host, port, reviewer, token)
    lifecycle: _Lifecycle = server.app.extensions["pipeline.review"]
    previous = {}
    try:
        if threading.current_thread() is threading.main_thread():
            for name in ("SIGINT", "SIGTERM", "SIGHUP"):
                sig = getattr(signal, name, None)
                # A signal the parent chose to ignore (nohup, a background job) stays ignored.
                if sig is not None and signal.getsignal(sig) is not signal.SIG_IGN:
                    previous[sig] = signal.signal(sig, _interrupt)
        if ready is not None:
            ready(server_url(host, server.port, token))
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for sig in previous:  # cleaning up is not cut short by a second signal
            signal.signal(sig, signal.SIG_IGN)
        try:
            server.server_close()
            lifecycle.stop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def serve_command(
    workspace: Path | str,
    host: str,
    port: int,
    reviewer: str | None,
    token: str | None,
    echo: Callable[[str], None],
    token_file: Path | str | None = None,
    no_token: bool = False,
) -> None:
    """The body of ``pipeline serve``: check the workspace, pick the token
    (:func:`access_token`), print the address with it (through ``echo``, to
    stderr) and serve until stopped."""
    ws = Workspace(Path(workspace))
    if not ws.documents():
        raise PipelineError(f"no catalogs in {ws.locales}; run 'pipeline extract' first")
    required, source = access_token(token, token_file, no_token)
    name = reviewer_name(reviewer)
    if source == "--token":
        echo(f"serve: warning: --token is visible to every user of this machine; use --token-file or ${TOKEN_ENV}")

    def ready(url: str) -> None:
        echo(f"serve: reviewing {len(ws.documents())} document(s) in {ws.root} as {name}")
        echo(f"serve: open {url}")
        if source == "generated":
            echo("serve: the token was generated for this run; every request must carry it")
        elif required is None:
            echo("serve: no access token (--no-token): every user of this machine can read and review these catalogs")
        echo("serve: Ctrl+C stops the server; every decision is already saved")

    serve(ws, host, port, name, required, ready)
    echo("serve: stopped")
