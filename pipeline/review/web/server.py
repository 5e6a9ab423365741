"""Serving the review app: binding, the decision on the bound address,
signals, and the body of ``pipeline serve``.

Werkzeug's threaded server: one thread per request is plenty for a review
tool used by a few browser tabs, and it needs no other dependency; every
decision is saved before its response is sent. The temporary directory of
the editions is removed on Ctrl+C, SIGTERM and SIGHUP; decisions being
saved are finished first.
"""

from __future__ import annotations

import re
import signal
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from ...errors import PipelineError
from ...workspace import Workspace
from ..session import reviewer_name
from .app import create_app
from .security import TOKEN_ENV, TOKEN_PARAM, access_token, bound_to_loopback
from .state import EXTENSION, ReviewState

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: Seconds a connection may stay silent before the server drops it.
IDLE_TIMEOUT_S = 60

_TOKEN_IN_TEXT = re.compile(r"(token=)[^&\s'\"]+")


def server_url(host: str, port: int, token: str | None = None) -> str:
    """The address to open in a browser; a wildcard address becomes this machine's name."""
    if host in ("", "0.0.0.0", "::"):
        host = socket.gethostname()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    url = f"http://{host}:{port}/"
    return url + (f"?{TOKEN_PARAM}={quote(token, safe='')}" if token else "")


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
    loopback address."""

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
                f"{shown} is not a loopback address: serving it needs an access token "
                "(--no-token is for the loopback only)"
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
    review: ReviewState = server.app.extensions[EXTENSION]
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
            review.lifecycle.stop()
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
    (:func:`~.security.access_token`), print the address with it (through
    ``echo``, to stderr) and serve until stopped."""
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
