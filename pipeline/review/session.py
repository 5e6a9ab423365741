"""The review model shared by ``pipeline review`` and ``pipeline serve``.

A review session works on one document's catalog. Every decision is
written to the PO file at once, atomically, so a crash or Ctrl-C loses at
most the entry in progress. The file is re-read before each write: what
others changed elsewhere in it (Poedit, a second browser tab, a
re-extraction) is kept, and an entry that changed on disk since this
session last saw it is a conflict — shown, never overwritten.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone

from babel.messages.catalog import Message

from ..catalog import Catalog, State, annotations, state_of
from ..catalog.states import find, is_segment, set_reviewed, set_untranslated
from ..catalog.store import load_snapshot, update_catalog
from ..errors import PipelineError
from ..textsafety import refuse_unsafe
from ..workspace import Workspace

REVIEWED_BY = annotations.REVIEWED_BY.prefix
REVIEWER_ENV = "PIPELINE_REVIEWER"


class ReviewConflict(PipelineError):
    """The entry changed on disk since it was shown to the reviewer."""

    def __init__(self, msgid: str, message: str, current: EntryVersion | None):
        super().__init__(message)
        self.msgid = msgid
        self.current = current


def reviewer_name(explicit: str | None = None) -> str:
    """``--reviewer``, else $PIPELINE_REVIEWER, else git's user.name, else the
    login; refused (one line) if it could break a line of the PO file."""
    return refuse_unsafe(_reviewer_name(explicit), "reviewer name", name=True)


def _reviewer_name(explicit: str | None) -> str:
    if explicit:
        return explicit
    if os.environ.get(REVIEWER_ENV):
        return os.environ[REVIEWER_ENV]
    try:
        name = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=5, check=False
        ).stdout.strip()
        if name:
            return name
    except (OSError, subprocess.SubprocessError):
        pass
    return getpass.getuser()


@dataclass(frozen=True)
class EntryVersion:
    """What the reviewer saw of an entry; its ``tag`` detects concurrent change."""

    string: str
    flags: tuple[str, ...]
    user_comments: tuple[str, ...]
    previous_id: tuple[str, ...]

    @classmethod
    def of(cls, message: Message) -> EntryVersion:
        return cls(
            message.string or "",
            tuple(sorted(message.flags)),
            tuple(message.user_comments),
            tuple(message.previous_id or ()),
        )

    @property
    def tag(self) -> str:
        payload = json.dumps([self.string, self.flags, self.user_comments, self.previous_id], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def apply(self, message: Message) -> None:
        message.string = self.string
        message.flags = set(self.flags)
        message.user_comments = list(self.user_comments)
        message.previous_id = list(self.previous_id)


@dataclass
class Decision:
    msgid: str
    action: str  # accept | reject
    before: EntryVersion
    after: EntryVersion


@dataclass
class ReviewSession:
    """Review decisions on one document, saved as they are made."""

    ws: Workspace
    doc: str
    reviewer: str
    catalog: Catalog = field(init=False)
    history: list[Decision] = field(default_factory=list, init=False)

    def __post_init__(self):
        self.path = self.ws.catalog_path(self.doc)
        self.display = self.ws.relative(self.path)
        self.reload()

    def reload(self) -> None:
        self.catalog, _ = load_snapshot(self.path, self.display)

    # --- reading -------------------------------------------------------------

    def messages(self) -> list[Message]:
        """The entries to review: the segments (see
        :func:`~pipeline.catalog.states.is_segment`; other entries are kept
        as they are, and never shown)."""
        return [m for m in self.catalog if is_segment(m)]

    def version(self, msgid: str) -> EntryVersion:
        return EntryVersion.of(self._message(self.catalog, msgid))

    def progress(self) -> tuple[int, int]:
        """(reviewed, total) entries."""
        messages = self.messages()
        return sum(state_of(m) is State.REVIEWED for m in messages), len(messages)

    def _message(self, catalog: Catalog, msgid: str) -> Message:
        # Review works on segments, which have no msgctxt: the key is (None, msgid).
        message = find(catalog, (None, msgid))
        if message is None or not is_segment(message):
            raise ReviewConflict(msgid, f"{self.display}: the entry is no longer in the catalog (re-extracted?)", None)
        return message

    # --- decisions -----------------------------------------------------------

    def accept(self, msgid: str, text: str | None = None, expected: str | None = None) -> Decision:
        """Accept the current draft, or ``text``, as reviewed."""

        def change(message: Message) -> None:
            new_text = message.string if text is None else text.strip()
            if not new_text:
                raise PipelineError("an empty translation cannot be accepted; reject the entry instead")
            set_reviewed(message, new_text)
            self._stamp(message)

        return self._commit(msgid, "accept", change, expected)

    def reject(self, msgid: str, expected: str | None = None) -> Decision:
        """Send the entry back to untranslated (its draft is dropped)."""

        def change(message: Message) -> None:
            set_untranslated(message)
            self._stamp(message, rejected=True)

        return self._commit(msgid, "reject", change, expected)

    def undo(self) -> Decision | None:
        """Take back the last decision of this session."""
        if not self.history:
            return None
        last = self.history[-1]

        def change(message: Message) -> None:
            last.before.apply(message)

        try:
            self._commit(last.msgid, "undo", change, expected=last.after.tag, record=False)
        finally:
            # Undone, or changed elsewhere since (a conflict): either way this
            # decision can no longer be taken back, and the one before it can.
            self.history.pop()
        return last

    def _stamp(self, message: Message, rejected: bool = False) -> None:
        # However the session got its name, it never starts a line of its own in the file.
        refuse_unsafe(self.reviewer, "reviewer name", name=True)
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
        annotations.set_review(message, self.reviewer, now, rejected=rejected)

    def _commit(self, msgid: str, action: str, change, expected: str | None, record: bool = True) -> Decision:
        """Apply ``change`` to the entry on disk, unless it changed since it was
        seen: through :func:`~pipeline.catalog.store.update_catalog`, so a save
        made by another program meanwhile is kept, never written over."""
        expected = expected or self.version(msgid).tag
        decided: list[Decision] = []

        def apply(disk: Catalog | None) -> Catalog:
            if disk is None:
                raise PipelineError(f"{self.display}: no such catalog (removed?)")
            self.catalog = disk  # on a conflict, the session shows what is on disk
            message = self._message(disk, msgid)
            current = EntryVersion.of(message)
            if current.tag != expected:
                raise ReviewConflict(
                    msgid,
                    f"{self.display}: this entry was changed elsewhere since it was shown; review it again",
                    current,
                )
            change(message)
            decided[:] = [Decision(msgid, action, current, EntryVersion.of(message))]
            return disk

        update = update_catalog(self.path, apply, self.display, lock=self.ws.catalog_lock, wait_if_missing=True)
        self.catalog = update.catalog
        decision = decided[0]
        if record:
            self.history.append(decision)
        return decision
