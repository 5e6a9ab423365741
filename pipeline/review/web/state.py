"""What one review app holds while it runs: the workspace and reviewer, the
request rules, the undo history of each open page, and what a stopping
server must finish or remove."""

from __future__ import annotations

import re
import secrets
import tempfile
import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import abort, current_app

from ...workspace import Workspace
from ..session import ReviewSession
from .security import Guard

#: Where an app keeps its :class:`ReviewState` (``app.extensions[EXTENSION]``).
EXTENSION = "pipeline.review"
#: Undo histories kept at once (one per open page); the oldest is dropped.
MAX_SESSIONS = 64
#: Seconds a stopping server waits for the decisions being saved.
STOP_GRACE_S = 10
#: A page id this server hands out (:meth:`Sessions.new_page`).
PAGE_ID = re.compile(r"[0-9a-f]{16}")


class Sessions:
    """Review sessions by (document, page): each page load has its own undo
    history, as each run of ``pipeline review`` does. A session is reloaded
    from disk before each use, so what other pages and tools saved is seen."""

    def __init__(self, ws: Workspace, reviewer: str, limit: int = MAX_SESSIONS):
        self.ws, self.reviewer, self.limit = ws, reviewer, limit
        self._sessions: OrderedDict[tuple[str, str], tuple[ReviewSession, threading.Lock]] = OrderedDict()
        self._lock = threading.Lock()

    def new_page(self) -> str:
        return secrets.token_hex(8)  # matches PAGE_ID

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


class Lifecycle:
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


@dataclass
class ReviewState:
    """One review app's state, shared by the threads that serve it."""

    ws: Workspace
    reviewer: str
    guard: Guard
    sessions: Sessions
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    build_lock: threading.Lock = field(default_factory=threading.Lock)  # one edition build at a time


def review_state() -> ReviewState:
    """The state of the app serving the current request."""
    return current_app.extensions[EXTENSION]
