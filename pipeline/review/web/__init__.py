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
* ``/doc/<doc>``: Chinese | English, one row per segment, keyboard-driven
  (buttons on the focused segment for pointer and touch), with approval,
  the gate on error-level checks and each entry's history;
* ``/doc/<doc>/bilingual``: the bilingual edition, built on demand.

The pages work from a desktop down to a 390 px phone, with landmarks, one
``<h1>`` each and a visible focus ring; without JavaScript the document page
says so and its editors are read-only (``readonly`` is served, the script
lifts it).

The package, one concern a module:

* :mod:`.security`: who may ask (access token, its cookie, the loopback's
  ``Host``, CSRF and origin), what they may send (size limits, refused
  characters) and what the browser may run (CSP, HTML-safe JSON), for a
  server that may see other people's browsers (see SECURITY.md);
* :mod:`.views`: the pages and the review API (accept, reject, undo,
  approve, unapprove, checks as you type, an entry's history), a Flask
  Blueprint;
* :mod:`.diffs`: the character diffs the page shows, computed here and
  rendered as text;
* :mod:`.state`: what one app holds while it runs (undo histories per page,
  the decisions being saved, the editions' temporary directory);
* :mod:`.app`: :func:`create_app`, the three put together;
* :mod:`.server`: binding (the loopback decided on the bound address),
  signals, and the body of ``pipeline serve``.

Templates and static files are in ``templates/`` and ``static/`` beside
these modules (package data).
"""

from __future__ import annotations

from .app import create_app
from .security import (
    CSRF_HEADER,
    MAX_BODY_BYTES,
    MIN_TOKEN_LENGTH,
    TOKEN_ENV,
    TOKEN_PARAM,
    access_token,
    bound_to_loopback,
    check_token,
    is_loopback,
    max_translation_length,
)
from .server import DEFAULT_HOST, DEFAULT_PORT, create_server, serve, serve_command, server_url

__all__ = [
    "CSRF_HEADER",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "MAX_BODY_BYTES",
    "MIN_TOKEN_LENGTH",
    "TOKEN_ENV",
    "TOKEN_PARAM",
    "access_token",
    "bound_to_loopback",
    "check_token",
    "create_app",
    "create_server",
    "is_loopback",
    "max_translation_length",
    "serve",
    "serve_command",
    "server_url",
]
