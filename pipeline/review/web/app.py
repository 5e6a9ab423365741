"""The review app: a Flask app with the request rules of :mod:`.security`
and the views of :mod:`.views`, for the documents of one workspace."""

from __future__ import annotations

import weakref

from flask import Flask

from ...textsafety import refuse_unsafe
from ...workspace import Workspace
from .security import Guard, HtmlSafeJSON
from .state import EXTENSION, ReviewState, Sessions
from .views import bp


class _ReviewFlask(Flask):
    json_provider_class = HtmlSafeJSON


def create_app(ws: Workspace, reviewer: str, token: str | None, loopback_only: bool | None = None) -> Flask:
    """The review web app for the documents of ``ws``.

    Decisions are recorded as ``reviewer``. With a ``token``, every request
    must carry it (query parameter, then a cookie; or ``Authorization: token
    …``); ``None`` serves without one. With ``loopback_only`` (the default
    without a token) only requests addressed to a loopback host are served.
    The app's :class:`~.state.ReviewState` is ``app.extensions["pipeline.review"]``."""
    refuse_unsafe(reviewer, "reviewer name", name=True)
    if loopback_only is None:
        loopback_only = token is None
    guard = Guard(token, loopback_only)
    # Templates and static files are those of this package (pipeline/review/web/).
    app = _ReviewFlask(__package__, static_folder="static", template_folder="templates")
    guard.init_app(app)
    app.register_blueprint(bp)
    review = ReviewState(ws, reviewer, guard, Sessions(ws, reviewer))
    app.extensions[EXTENSION] = review
    weakref.finalize(app, review.lifecycle.stop, 0)  # an app never served (tests, screenshots) cleans up too
    return app
