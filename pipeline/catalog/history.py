"""Per-entry history: every decision on a document, machine drafts included.

**Where.** ``locales/en/LC_MESSAGES/<doc>.history.jsonl``, beside the
catalog it describes: it moves, is committed and is reviewed with it, and
``ws.documents()`` (``*.po``) never takes it for a catalog. One file per
document, not one per workspace, so two desks on two documents never touch
the same file. JSON lines, appended only: two branches that both appended
merge with git's ``union`` driver (``*.history.jsonl merge=union`` in
``.gitattributes``) without a conflict, and a line is one decision, so a
diff reads as a log. Writers hold the document's catalog lock
(:meth:`Workspace.catalog_lock`), the one our catalog writers already take.

**What.** One record per decision (:class:`HistoryRecord`): who, when, the
action (``draft`` for the translate stage's machine and memory drafts, so
the draft is never lost when a person edits it; ``accept``, ``edit``,
``approve``, ``unapprove``, ``reject``, ``import``, ``undo``; ``comment``
and ``uncomment`` for a person's comment added to or removed from the
entry, its text in ``comment`` (the undo of one is recorded as the other,
with the same text: the entry's text and state cannot tell whether it
happened); and ``source-changed``, who ``extract``,
for a re-extraction that carried a translation onto a changed source as
fuzzy, with the old source in ``source_before``: why an approved entry
became fuzzy), the state and text before and after, the signature of the
draft the entry carried, the reasons and the checks overridden. A batch
(an XLIFF import, a re-extraction) is one transaction: all its intents,
one catalog update, then a marker for each.

**Two reasons.** ``reason`` is the person's own reason for the decision
(why they edited, rejected, unapproved, removed a comment), one line;
``override_reason`` is the reason they gave to override the error-level
checks listed in ``overrides`` (also kept on the entry, in its
``# no-check:`` record). One decision may carry both. Records written
before the two were apart have no ``override_reason`` key, and their
``reason`` on an ``accept``, ``edit``, ``import`` or ``approve`` was the
override reason: they are read that way (:meth:`HistoryRecord.from_json`),
so an old file reads as it always meant.

**Atomic with the catalog.** A catalog and its history are two files, so
each decision is written in three steps, under the catalog lock:

1. an *intent* line, the record with ``"phase": "intent"`` (fsync);
2. the catalog, through :func:`pipeline.catalog.store.update_catalog`;
3. a *marker* line, ``{"id": ..., "phase": "commit"}`` or ``"abort"``.

The marker is decided from the catalog on disk (:func:`reconcile`): an
intent whose result the catalog holds (text, state and, for a person's
decision, their record) is committed, one whose result it does not hold is
aborted. So a kill between 1 and 2 leaves an intent that the next writer
aborts, a kill between 2 and 3 one that it commits (``recovered``); the
next review session, translate flush or history write reconciles first.
A decision refused while the catalog is updated (a conflict), before the
file was swapped, is aborted whatever the file holds: an identical result
saved by another writer is not this decision's (:func:`transaction`).
:func:`read_history` returns committed records only.

**Hand edits.** A line that does not read as a record (a hand edit, a merge
conflict marker, a line torn by a kill mid-append) is skipped, counted and
reported once as a warning; appending after a torn line starts a new line.
The history is a record kept for people, not a signature: see SECURITY.md.

It lives in the catalog layer because the translate stage writes to it as
well as review; :mod:`pipeline.review.history` is the name review code and
the report import it by.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Message

from ..atomicfile import not_regular, read_regular
from ..errors import CatalogError, WriteError
from ..workspace import Workspace
from . import annotations
from .pofile import Catalog
from .states import Key, find, state_of, translation_text
from .store import load_snapshot

log = logging.getLogger(__name__)

VERSION = 1
SUFFIX = ".history.jsonl"
ACTIONS = (
    "draft",
    "accept",
    "edit",
    "approve",
    "unapprove",
    "reject",
    "import",
    "undo",
    "source-changed",
    "comment",
    "uncomment",
)
#: The actions that give an entry a person's translation.
TRANSLATING = ("accept", "edit", "import")
#: Who a ``draft`` record names.
MACHINE = "machine"
#: Who a ``source-changed`` record names: the re-extraction that made the entry fuzzy.
EXTRACT = "extract"
#: The actions that are stopped by an error-level check unless overridden.
GATED = ("accept", "edit", "import", "approve")
#: The actions on a person's comment (the text in ``comment``).
COMMENTING = ("comment", "uncomment")
#: The actions a stage takes, not a person (``pipeline report`` leaves them out).
STAGE_ACTIONS = ("draft", "source-changed")
INTENT, COMMIT, ABORT = "intent", "commit", "abort"
_REQUIRED_STR = ("id", "time", "doc", "msgid", "who", "action", "state_before", "state_after")


@dataclass(frozen=True)
class HistoryRecord:
    """One decision on one entry (the JSON keys of a line are these fields)."""

    time: str  # 2026-12-04T21:40:00Z
    doc: str
    msgctxt: str | None
    msgid: str
    who: str
    action: str
    state_before: str
    state_after: str
    text_before: str
    text_after: str
    draft_signature: str | None = None
    #: The person's reason for the decision.
    reason: str | None = None
    overrides: tuple[str, ...] = ()
    #: The reason given to override the checks in ``overrides``.
    override_reason: str | None = None
    #: For ``comment`` and ``uncomment``: the comment's text.
    comment: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    recovered: bool = False
    #: For ``source-changed``: the old source the translation was carried from (``#| msgid``).
    source_before: str | None = None
    v: int = VERSION

    @property
    def key(self) -> Key:
        return (self.msgctxt, self.msgid)

    def as_json(self) -> dict:
        data = asdict(self)
        data["overrides"] = list(self.overrides)
        for optional in ("source_before", "comment"):
            if data[optional] is None:
                del data[optional]  # only a source-changed record, a comment, has one
        # override_reason is always written, null or not: its key tells a
        # record from before the two reasons were apart (see the module).
        return data

    @classmethod
    def from_json(cls, data: dict) -> HistoryRecord | None:
        """The record in ``data``, or None when it does not read as one."""
        if not isinstance(data, dict) or data.get("v") != VERSION:
            return None
        if not all(isinstance(data.get(k), str) for k in _REQUIRED_STR) or data["action"] not in ACTIONS:
            return None
        if not all(isinstance(data.get(k), str) for k in ("text_before", "text_after")):
            return None
        optional = ("msgctxt", "draft_signature", "reason", "source_before", "override_reason", "comment")
        if not all(data.get(k) is None or isinstance(data[k], str) for k in optional):
            return None
        overrides = data.get("overrides") or []
        if not isinstance(overrides, list) or not all(isinstance(c, str) for c in overrides):
            return None
        reason, override_reason = data.get("reason"), data.get("override_reason")
        if "override_reason" not in data and data["action"] in GATED:
            reason, override_reason = None, reason  # written before the two reasons were apart
        return cls(
            time=data["time"],
            doc=data["doc"],
            msgctxt=data.get("msgctxt"),
            msgid=data["msgid"],
            who=data["who"],
            action=data["action"],
            state_before=data["state_before"],
            state_after=data["state_after"],
            text_before=data["text_before"],
            text_after=data["text_after"],
            draft_signature=data.get("draft_signature"),
            reason=reason,
            overrides=tuple(overrides),
            override_reason=override_reason,
            comment=data.get("comment"),
            id=data["id"],
            recovered=bool(data.get("recovered", False)),
            source_before=data.get("source_before"),
        )


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def draft_signature(message: Message) -> str | None:
    """The signature of the draft ``message`` carries: the engine's ``mt:``
    signature, or ``tm:<stamp>`` for a draft reused from the memory."""
    stamp = annotations.memory_stamp(message)
    if stamp:
        return f"tm:{stamp}"
    return annotations.machine_signature(message)


def record_for(
    doc: str,
    before: Message,
    after: Message,
    who: str,
    action: str,
    reason: str | None = None,
    overrides: Iterable[str] = (),
    override_reason: str | None = None,
    comment: str | None = None,
) -> HistoryRecord:
    """The record of a change of ``before`` (a copy of the entry as it was)
    into ``after``: ``reason`` the person's, ``override_reason`` the one
    that overrode the checks ``overrides``, ``comment`` the text of a
    comment added or removed."""
    msgid = after.id[0] if isinstance(after.id, (tuple, list)) else after.id
    signature = draft_signature(after) if action == "draft" else draft_signature(before) or draft_signature(after)
    return HistoryRecord(
        time=now_iso(),
        doc=doc,
        msgctxt=after.context,
        msgid=msgid,
        who=who,
        action=action,
        state_before=state_of(before).value,
        state_after=state_of(after).value,
        text_before=translation_text(before),
        text_after=translation_text(after),
        draft_signature=signature,
        reason=reason,
        overrides=tuple(overrides),
        override_reason=override_reason if overrides else None,
        comment=comment,
    )


def source_changes(doc: str, old: Catalog | None, new: Catalog) -> list[HistoryRecord]:
    """The ``source-changed`` records of a re-extraction that turned ``old``
    into ``new`` (:func:`pipeline.catalog.merge.merge`): one per entry of
    a new source that inherited, fuzzy, the translation of an old one
    (``#| msgid``), when that changed its state (an approved or translated
    entry, a machine draft, became fuzzy), so that the history says why.
    The record names the new entry, who ``extract``, the state and text of
    the old entry before, and ``source_before`` the old source."""
    if old is None:
        return []
    active = {(m.context, m.id): m for m in old if m.id}
    obsolete = {(m.context, m.id): m for m in old.obsolete.values()}
    records = []
    for message in new:
        key = (message.context, message.id)
        if not message.id or not message.fuzzy or not message.previous_id or key in active or key in obsolete:
            continue  # not a new source carrying an old translation (kept or revived entries are not)
        source = message.previous_id[0] if isinstance(message.previous_id, (list, tuple)) else message.previous_id
        before = active.get((message.context, source)) or obsolete.get((message.context, source))
        if before is None or state_of(before) is state_of(message):
            continue
        record = record_for(doc, before, message, EXTRACT, "source-changed")
        records.append(HistoryRecord(**{**vars(record), "source_before": source}))
    return records


# --- the file ---------------------------------------------------------------------


def history_path(ws: Workspace, doc: str) -> Path:
    """``locales/en/LC_MESSAGES/<doc>.history.jsonl`` (refused if it leads
    out of the workspace or is not a regular file)."""
    catalog = ws.catalog_path(doc)
    return ws.regular_file(catalog.with_name(f"{doc}{SUFFIX}"))


def _read_lines(ws: Workspace, doc: str) -> list[dict | None]:
    """Each line of the history as JSON (None: unreadable)."""
    path = history_path(ws, doc)
    if not path.exists():
        return []
    data = read_regular(path, ws.relative(path), inside=ws.root)
    out: list[dict | None] = []
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line.decode("utf-8")))
        except (UnicodeDecodeError, ValueError):
            out.append(None)
    return out


def _append(ws: Workspace, doc: str, lines: list[dict]) -> None:
    """Append ``lines`` to the history, each a JSON line, with one write
    and an fsync; a last line left torn by a kill is ended first."""
    if not lines:
        return
    path = history_path(ws, doc)
    payload = "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in lines).encode()
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        raise WriteError(f"{ws.relative(path)}: cannot write the history ({exc.strerror})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise not_regular(ws.relative(path), st.st_mode)
        if st.st_size and os.pread(fd, 1, st.st_size - 1) != b"\n":
            payload = b"\n" + payload
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except OSError as exc:
        raise WriteError(f"{ws.relative(path)}: cannot write the history ({exc.strerror})") from None
    finally:
        os.close(fd)


def read_history(ws: Workspace, doc: str) -> list[HistoryRecord]:
    """The committed decisions on ``doc``, in the order they were made
    (oldest first). Intents still pending (a writer at work, or killed and
    not yet reconciled) and unreadable lines are left out; unreadable
    lines are reported once, as a warning."""
    records: dict[str, HistoryRecord] = {}
    order: list[str] = []
    committed: dict[str, bool] = {}
    bad = 0
    for data in _read_lines(ws, doc):
        phase = data.get("phase") if isinstance(data, dict) else None
        if phase == INTENT:
            record = HistoryRecord.from_json(data)
            if record is None:
                bad += 1
            elif record.id not in records:
                records[record.id] = record
                order.append(record.id)
        elif phase in (COMMIT, ABORT) and isinstance(data.get("id"), str):
            if phase == COMMIT:
                committed[data["id"]] = bool(data.get("recovered"))
            else:
                committed.pop(data["id"], None)
        else:
            bad += 1
    if bad:
        log.warning("%s: %d unreadable history lines skipped", doc, bad)
    out = []
    for record_id in order:
        if record_id in committed:
            record = records[record_id]
            if committed[record_id] and not record.recovered:
                record = HistoryRecord(**{**vars(record), "recovered": True})
            out.append(record)
    return out


#: The id and phase of a line as we write it (compact JSON, "id" before
#: "phase"; a quote inside a string value is always escaped, so this only
#: matches keys). A line in another form (a hand edit) is not an intent we
#: can trust, and stays out of the history.
_ID_PHASE = re.compile(rb'"id":"([^"\\\n]*)"[^\n]*"phase":"(intent|commit|abort)"')
#: Per history file (device, inode): an offset before which no intent is
#: open, so that the next scan starts there (the file is only appended to).
_CLEAN: dict[str, tuple[int, int, int]] = {}


def pending(ws: Workspace, doc: str) -> dict[str, HistoryRecord]:
    """Intents without a marker, by id. Every decision asks this, so the
    file is scanned for ids and phases only, from where this process last
    found nothing open, and only the intents left open are parsed."""
    path = history_path(ws, doc)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise WriteError(f"{ws.relative(path)}: cannot read the history ({exc.strerror})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise not_regular(ws.relative(path), st.st_mode)
        device, inode, start = _CLEAN.get(str(path), (None, None, 0))
        if (device, inode) != (st.st_dev, st.st_ino) or start > st.st_size:
            start = 0
        with os.fdopen(os.dup(fd), "rb") as fh:
            fh.seek(start)
            data = fh.read()
    finally:
        os.close(fd)
    open_lines: dict[bytes, int] = {}
    for match in _ID_PHASE.finditer(data):
        if match.group(2) == b"intent":
            open_lines[match.group(1)] = match.start()
        else:
            open_lines.pop(match.group(1), None)
    out: dict[str, HistoryRecord] = {}
    for at in open_lines.values():
        begin = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        try:
            record = HistoryRecord.from_json(json.loads(data[begin : end if end >= 0 else None].decode("utf-8")))
        except (UnicodeDecodeError, ValueError):
            continue
        if record is not None:
            out[record.id] = record
    if not out:
        ended = data.rfind(b"\n") + 1  # a torn last line may still be completed
        _CLEAN[str(path)] = (st.st_dev, st.st_ino, start + ended)
    return out


def applied(record: HistoryRecord, catalog: Catalog | None) -> bool:
    """Whether ``catalog`` holds the result of ``record``: its entry has the
    text and state the record says, with the person's own record for a
    person's decision (the draft's signature for a draft)."""
    message = find(catalog, record.key) if catalog is not None else None
    if message is None:
        return False
    if translation_text(message) != record.text_after or state_of(message).value != record.state_after:
        return False
    if record.action == "draft":
        return draft_signature(message) == record.draft_signature
    if record.action in TRANSLATING:
        review = annotations.review_of(message)
        return review is not None and review.reviewer == record.who
    if record.action == "approve":
        approval = annotations.approval_of(message)
        return approval is not None and approval.reviewer == record.who
    if record.action in COMMENTING:
        # The same text and state before and after: the comment itself tells.
        said = annotations.comment_text(record.comment or "")
        there = said in map(annotations.comment_text, annotations.people_comments(message))
        return there == (record.action == "comment")
    return True


def _markers(records: Iterable[HistoryRecord], catalog: Catalog | None, recovered: bool) -> list[dict]:
    out = []
    for record in records:
        if applied(record, catalog):
            out.append({"v": VERSION, "id": record.id, "phase": COMMIT, **({"recovered": True} if recovered else {})})
        else:
            out.append({"v": VERSION, "id": record.id, "phase": ABORT})
    return out


def _catalog_now(ws: Workspace, doc: str) -> Catalog | None:
    path = ws.catalog_path(doc)
    try:
        catalog, _ = load_snapshot(path, ws.relative(path), inside=ws.root)
    except CatalogError:
        if not path.exists():
            return None
        raise
    return catalog


def reconcile(ws: Workspace, doc: str) -> int:
    """Commit or abort the intents a killed writer left (see the module's
    docstring); the caller holds the catalog lock. Returns how many."""
    pending_ = pending(ws, doc)
    if not pending_:
        return 0
    markers = _markers(pending_.values(), _catalog_now(ws, doc), recovered=True)
    _append(ws, doc, markers)
    committed = sum(m["phase"] == COMMIT for m in markers)
    log.warning(
        "%s: history recovered after an interrupted write: %d decisions committed, %d not applied",
        doc,
        committed,
        len(markers) - committed,
    )
    return len(markers)


class Transaction:
    """The intents of one catalog update (see :func:`transaction`)."""

    def __init__(self, ws: Workspace, doc: str):
        self.ws, self.doc = ws, doc
        self.records: list[HistoryRecord] = []
        self.catalog: Catalog | None = None  # the catalog on disk after the update, when known
        self._settled = False
        self._aborted: set[str] = set()

    def settled(self, catalog: Catalog | None, aborted: Iterable[str] = ()) -> None:
        """The update is done and ``catalog`` is what the file now holds
        (``Update.catalog``): the markers are decided from it, without
        reading the file again. ``aborted``: the ids of intents the update
        itself left out (a conflict on one entry of a batch), aborted
        whatever the file holds (another writer's identical result is not
        theirs)."""
        self.catalog, self._settled = catalog, True
        self._aborted = set(aborted)

    def restart(self) -> None:
        """Abort the intents written so far: the update is being worked out
        again on a fresh read (its compare-and-swap lost a race, so nothing
        of the previous attempt was swapped in), with intents of its own."""
        _append(self.ws, self.doc, [{"v": VERSION, "id": r.id, "phase": ABORT} for r in self.records])
        self.records.clear()

    def intend(self, records: Iterable[HistoryRecord]) -> None:
        """Write the intents of this attempt (before the catalog is swapped)."""
        records = list(records)
        _append(self.ws, self.doc, [{**r.as_json(), "phase": INTENT} for r in records])
        self.records.extend(records)


def _file_identity(path: Path) -> tuple[int, int, int, int] | None:
    """Where the catalog file is and when it last changed (None: no file).
    Every catalog update puts a new file in place (a new inode), so an
    unchanged identity means no update swapped it."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WriteError(f"{path}: cannot read the catalog ({exc.strerror})") from None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@contextmanager
def transaction(ws: Workspace, doc: str) -> Iterator[Transaction]:
    """Hold the catalog lock around one catalog update and its history:
    reconcile what a killed writer left, let the caller write its intents
    (:meth:`Transaction.intend`) and update the catalog (with ``lock=None``:
    this holds it), then commit or abort each intent by what the catalog on
    disk now holds.

    When the body raises (a conflict or a refusal found by the update's
    ``change``, before any swap), the catalog file is the one the
    transaction started with, and its intents are aborted: the outcome
    was not this decision's, even when the file holds an identical result
    another writer saved before it (two tabs approving the same version).
    Deciding by content is for a writer that may have swapped: the body
    raised after the file changed, and :func:`reconcile` after a kill."""
    with ws.catalog_lock(doc):
        reconcile(ws, doc)
        tx = Transaction(ws, doc)
        path = ws.catalog_path(doc)
        started = _file_identity(path)
        try:
            yield tx
        except BaseException:
            if tx.records:
                if not tx._settled and _file_identity(path) == started:
                    markers = [{"v": VERSION, "id": r.id, "phase": ABORT} for r in tx.records]
                else:
                    markers = _markers(tx.records, tx.catalog if tx._settled else _catalog_now(ws, doc), False)
                _append(ws, doc, markers)
            raise
        if tx.records:
            catalog = tx.catalog if tx._settled else _catalog_now(ws, doc)
            kept = [r for r in tx.records if r.id not in tx._aborted]
            aborted = [{"v": VERSION, "id": r.id, "phase": ABORT} for r in tx.records if r.id in tx._aborted]
            _append(ws, doc, _markers(kept, catalog, recovered=False) + aborted)


# --- what the history says ------------------------------------------------------------


@dataclass(frozen=True)
class PostEdit:
    """A machine (or memory) draft and what a person made of it."""

    doc: str
    msgctxt: str | None
    msgid: str
    who: str
    time: str
    action: str  # accept | edit | import
    draft: str
    signature: str | None
    final: str


def post_edits(records: Iterable[HistoryRecord]) -> list[PostEdit]:
    """For each decision that took a draft (accept, edit, import of an
    entry whose last recorded draft it replaced), the draft and the text
    the person saved, in order. Drafts come from ``draft`` records; for an
    entry drafted before history existed, the text before the decision
    when the entry was a machine draft."""
    last_draft: dict[tuple[str, Key], HistoryRecord] = {}
    out = []
    for record in records:
        key = (record.doc, record.key)
        if record.action == "draft":
            last_draft[key] = record
            continue
        if record.action == "reject":
            last_draft.pop(key, None)  # what comes next is written from scratch
            continue
        if record.action not in TRANSLATING:
            continue
        draft = last_draft.pop(key, None)
        if draft is not None:
            text, signature = draft.text_after, draft.draft_signature
        elif record.state_before == "machine-draft" and record.text_before:
            text, signature = record.text_before, record.draft_signature
        else:
            continue
        out.append(
            PostEdit(
                record.doc,
                record.msgctxt,
                record.msgid,
                record.who,
                record.time,
                record.action,
                text,
                signature,
                record.text_after,
            )
        )
    return out


def last_translator(records: Iterable[HistoryRecord], key: Key) -> str | None:
    """Who last wrote or accepted the entry ``key``, by the history."""
    who = None
    for record in records:
        if record.key == key and record.action in TRANSLATING:
            who = record.who
        elif record.key == key and record.action in ("reject", "draft"):
            who = None
    return who
