"""The review model shared by ``pipeline review``, ``pipeline serve`` and
the XLIFF import: the one write path of a person's decision.

A review session works on one document's catalog. Every decision is
written to the PO file at once, atomically, so a crash or Ctrl-C loses at
most the entry in progress. The file is re-read before each write: what
others changed elsewhere in it (Poedit, a second browser tab, a
re-extraction) is kept, and an entry that changed on disk since this
session last saw it is a conflict — shown, never overwritten.

Each decision is also a line of the document's history
(:mod:`pipeline.review.history`), written with the catalog change as one
transaction. Decisions are checked against the entry *as it is on disk*
at the moment of writing:

- **roles** (:mod:`pipeline.review.roles`): only approvers approve or
  unapprove, never their own translation unless self-approval is allowed;
  an approved entry is changed only by an approver, and a change of its
  text demotes it to translated;
- **gates**: accepting, importing or approving a text on which an
  error-level check fires needs an ``override`` reason; the checks are
  then silenced on the entry with a ``# no-check: <code> (override by
  NAME, WHEN): <reason>`` record, and the history lists them.

**Reasons.** A person may say why with any decision: ``reason`` on
:meth:`~ReviewSession.accept` (an edit), :meth:`~ReviewSession.import_translation`,
:meth:`~ReviewSession.approve`, :meth:`~ReviewSession.unapprove`,
:meth:`~ReviewSession.reject` and :meth:`~ReviewSession.uncomment`. It
is one line (white space runs made one space), at most
:data:`REASON_LIMIT` characters, refused if it holds a character
:mod:`pipeline.textsafety` refuses, and lands in the history record's
``reason``. The reason that overrides the checks is another: it is kept
on the entry (``# no-check:``) and in the record's ``override_reason``,
beside the checks in ``overrides``; one decision may carry both.

**Comments.** :meth:`~ReviewSession.comment` adds a translator comment
written by a person (``# text`` in the PO: a note, or a query to the desk)
and :meth:`~ReviewSession.uncomment` removes one (a query resolved);
anyone reviewing may do either, on any entry. The text is one line, at
most :data:`~pipeline.catalog.annotations.COMMENT_LIMIT` characters, and
refused if it could ever read as one of the pipeline's records
(:func:`~pipeline.catalog.annotations.refuse_comment`: no forged
``approved-by``). A comment leaves the entry's text and state as they are
(an approval binds the msgstr, not the comments), goes through the same
compare-and-swap as every decision (a conflict is detected), and is a
``comment`` or ``uncomment`` line of the history, the text in its
``comment``. GNU gettext's tools and re-extraction keep it. Undoing a
comment is an ``uncomment`` line (undoing a removal, a ``comment`` line),
not ``undo``: the comment's text tells whether it happened, which the
entry's unchanged text and state cannot after a kill.
"""

from __future__ import annotations

import copy
import getpass
import hashlib
import json
import os
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from babel.messages.catalog import Message

from ..catalog import Catalog, State, annotations, state_of
from ..catalog.states import find, is_segment, set_translated, set_untranslated
from ..catalog.store import load_snapshot, update_catalog
from ..checks import Finding, Severity, check_message
from ..errors import PipelineError
from ..terms import Termbase, load_termbase
from ..textsafety import first_unsafe, refuse_unsafe
from ..workspace import Workspace
from . import history
from .history import HistoryRecord
from .roles import RoleRefused, Roles, display_name, roles_for

REVIEWED_BY = annotations.REVIEWED_BY.prefix
REVIEWER_ENV = "PIPELINE_REVIEWER"
#: Longest reason a person may give (a person's, or one to override checks).
REASON_LIMIT = 500
#: What the undo of a comment, or of its removal, is recorded as (see :meth:`ReviewSession.undo`).
UNDO_COMMENT = {"comment": "uncomment", "uncomment": "comment"}


class GateRefused(PipelineError):
    """Error-level checks fire on the text, and no override reason was given."""

    def __init__(self, message: str, findings: list[Finding]):
        super().__init__(message)
        self.findings = findings


class ReviewConflict(PipelineError):
    """The entry changed on disk since it was shown to the reviewer."""

    def __init__(self, msgid: str, message: str, current: EntryVersion | None):
        super().__init__(message)
        self.msgid = msgid
        self.current = current


def reviewer_name(explicit: str | None = None) -> str:
    """``--reviewer``, else $PIPELINE_REVIEWER, else git's user.name, else the
    login; refused (one line) if it could break a line of the PO file, or if
    it is blank. Leading, trailing and repeated whitespace is normalised
    (:func:`~pipeline.catalog.roles.display_name`), not refused: ``"Bo Wang "``
    is recorded as ``Bo Wang``. Who is the same person as whom is decided by
    :func:`~pipeline.catalog.roles.name_key`, whatever the spelling."""
    name = display_name(refuse_unsafe(_reviewer_name(explicit), "reviewer name", name=True))
    if not name:
        raise PipelineError("reviewer name: blank; give --reviewer NAME or set $PIPELINE_REVIEWER")
    return name


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
    action: str  # accept | edit | approve | unapprove | reject | import | undo | comment | uncomment
    before: EntryVersion
    after: EntryVersion
    record: HistoryRecord | None = None  # the history line it wrote


@dataclass
class ReviewSession:
    """Review decisions on one document, saved as they are made (with the
    workspace's roles from ``pipeline.toml`` unless ``roles`` is given)."""

    ws: Workspace
    doc: str
    reviewer: str
    roles: Roles | None = None
    catalog: Catalog = field(init=False)
    history: list[Decision] = field(default_factory=list, init=False)
    _glossary: tuple | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        if first_unsafe(self.reviewer, name=True) is None:  # an unsafe name is refused at the first decision
            self.reviewer = display_name(self.reviewer)
        self.path = self.ws.catalog_path(self.doc)
        self.display = self.ws.relative(self.path)
        if self.roles is None:
            self.roles = roles_for(self.ws)
        self.reload()
        if history.pending(self.ws, self.doc):
            with self.ws.catalog_lock(self.doc):  # a writer killed between the history and the catalog
                history.reconcile(self.ws, self.doc)

    def reload(self) -> None:
        self.catalog, _ = load_snapshot(self.path, self.display, inside=self.ws.root)

    # --- reading -------------------------------------------------------------

    def messages(self) -> list[Message]:
        """The entries to review: the segments (see
        :func:`~pipeline.catalog.states.is_segment`; other entries are kept
        as they are, and never shown)."""
        return [m for m in self.catalog if is_segment(m)]

    def version(self, msgid: str) -> EntryVersion:
        return EntryVersion.of(self._message(self.catalog, msgid))

    def state(self, message: Message) -> State:
        """The state of ``message`` under this workspace's roles."""
        return state_of(message, self.roles)

    def progress(self) -> tuple[int, int]:
        """(reviewed, total) entries: reviewed is translated or approved."""
        messages = self.messages()
        return sum(self.state(m).reviewed for m in messages), len(messages)

    def _message(self, catalog: Catalog, msgid: str) -> Message:
        # Review works on segments, which have no msgctxt: the key is (None, msgid).
        message = find(catalog, (None, msgid))
        if message is None or not is_segment(message):
            raise ReviewConflict(msgid, f"{self.display}: the entry is no longer in the catalog (re-extracted?)", None)
        return message

    # --- decisions -----------------------------------------------------------

    def accept(
        self,
        msgid: str,
        text: str | None = None,
        expected: str | None = None,
        override: str | None = None,
        reason: str | None = None,
    ) -> Decision:
        """Accept the current draft, or ``text``, as translated (action
        ``accept``, or ``edit`` when the text changes); ``reason``: why
        (see the module's docstring), ``override``: the reason to override
        error-level checks."""
        return self._translate(msgid, text, expected, override, reason, imported=False)

    def import_translation(
        self,
        msgid: str,
        text: str,
        expected: str | None = None,
        override: str | None = None,
        reason: str | None = None,
    ) -> Decision:
        """Take ``text`` from outside (an XLIFF file) as the reviewer's
        translation: action ``import``, the same rules as :meth:`accept`."""
        return self._translate(msgid, text, expected, override, reason, imported=True)

    def import_translations(self, items: Iterable[tuple[str, str, str | None]]) -> list[Decision | PipelineError]:
        """Take many translations from outside (an XLIFF file) at once: each
        ``(msgid, text, expected)`` under the rules of :meth:`import_translation`,
        all of them in ONE update of the catalog and one history transaction.
        Returns, in order, each item's :class:`Decision` (``record`` None: it
        changed nothing) or the error that refused it (:class:`ReviewConflict`
        for an entry changed since ``expected``, :class:`GateRefused`,
        :class:`RoleRefused`, another :class:`PipelineError`): one refused
        item never holds back the others."""
        return self._commit_many(
            [
                _Plan(msgid, self._translate_change(text, None, imported=True), expected)
                for msgid, text, expected in items
            ]
        )

    def _translate(self, msgid, text, expected, override, reason, imported: bool) -> Decision:
        reason = person_reason(reason)
        change = self._translate_change(text, override, imported)
        return self._commit(msgid, change, expected, reason=reason, override_reason=_reason(override))

    def _translate_change(self, text: str | None, override: str | None, imported: bool):
        def change(message: Message, before: Message) -> tuple[str, tuple[str, ...]] | None:
            current = message.string or ""
            new_text = current if text is None else text.strip()
            if not new_text:
                raise PipelineError("an empty translation cannot be accepted; reject the entry instead")
            refuse_unsafe(new_text, "the translation")
            state = self.state(message)
            if state is State.APPROVED:
                if new_text == current:
                    return None  # already approved as it is (an import of the same text too): nothing to do
                self.roles.check_change_approved(self.reviewer)
            overrides = self._gate(message, new_text, override)
            set_translated(message, new_text)
            annotations.clear_approval(message)  # an approval of another text, or of a fuzzy entry's
            self._stamp(message)
            return "import" if imported else ("edit" if new_text != current else "accept"), overrides

        return change

    def approve(
        self, msgid: str, expected: str | None = None, override: str | None = None, reason: str | None = None
    ) -> Decision:
        """Sign a translated entry off (approvers only; see :mod:`.roles`)."""
        reason = person_reason(reason)

        def change(message: Message, before: Message):
            state = self.state(message)
            if state is not State.TRANSLATED:
                raise PipelineError(f"only a translated entry can be approved; this one is {state.value}")
            self.roles.check_approve(self.reviewer, self._translator(message))
            overrides = self._gate(message, message.string or "", override)
            annotations.set_approval(message, self.reviewer, _minute())
            return "approve", overrides

        return self._commit(msgid, change, expected, reason=reason, override_reason=_reason(override))

    def unapprove(self, msgid: str, expected: str | None = None, reason: str | None = None) -> Decision:
        """Take an approval back (approvers only): the entry is translated again."""
        reason = person_reason(reason)

        def change(message: Message, before: Message):
            if self.state(message) is not State.APPROVED:
                raise PipelineError("this entry is not approved")
            self.roles.check_approve(self.reviewer, None, verb="unapprove")
            annotations.clear_approval(message)
            return "unapprove", ()

        return self._commit(msgid, change, expected, reason=reason)

    def reject(self, msgid: str, expected: str | None = None, reason: str | None = None) -> Decision:
        """Send the entry back to untranslated (its draft is dropped from the
        catalog; the history keeps it)."""
        reason = person_reason(reason)

        def change(message: Message, before: Message):
            if self.state(message) is State.APPROVED:
                self.roles.check_change_approved(self.reviewer)
            set_untranslated(message)
            self._stamp(message, rejected=True)
            return "reject", ()

        return self._commit(msgid, change, expected, reason=reason)

    def comment(self, msgid: str, text: str, expected: str | None = None) -> Decision:
        """Add the person's comment ``text`` to the entry (action
        ``comment``; see the module's docstring). Refused, one line, when it
        is empty, too long, unsafe, could read as a record, or is already
        on the entry."""
        text = checked_comment(text)
        return self._commit(msgid, _comment_change(text), expected, comment=text)

    def add_comments(self, items: Iterable[tuple[str, str]]) -> list[Decision | PipelineError]:
        """Add many comments from outside (an XLIFF file's notes) at once:
        each ``(msgid, text)`` under the rules of :meth:`comment`, all of
        them in ONE update of the catalog and one history transaction.
        Returns, in order, each item's :class:`Decision` or the error that
        refused it; one refused item never holds back the others. One item
        per entry: a second one for the same entry is a conflict (give it
        in another call)."""
        plans: list[_Plan | PipelineError] = []
        for msgid, text in items:
            try:
                text = checked_comment(text)
            except PipelineError as exc:
                plans.append(exc)
                continue
            plans.append(_Plan(msgid, _comment_change(text), None, comment=text))
        live = [plan for plan in plans if isinstance(plan, _Plan)]
        results = iter(self._commit_many(live))
        return [plan if isinstance(plan, PipelineError) else next(results) for plan in plans]

    def uncomment(self, msgid: str, text: str, expected: str | None = None, reason: str | None = None) -> Decision:
        """Remove the person's comment ``text`` from the entry (a query
        resolved; action ``uncomment``, ``reason`` why); refused when the
        entry has no such comment."""
        reason = person_reason(reason)
        if not isinstance(text, str) or not annotations.comment_text(text):
            raise PipelineError("the comment to remove: none given")
        text = annotations.comment_text(text)

        def change(message: Message, before: Message):
            if not annotations.remove_comment(message, text):
                raise PipelineError("the entry has no such comment")
            return "uncomment", ()

        return self._commit(msgid, change, expected, reason=reason, comment=text)

    def comments(self, msgid: str) -> list[str]:
        """The comments written by people on the entry, as last read."""
        return annotations.people_comments(self._message(self.catalog, msgid))

    def undo(self) -> Decision | None:
        """Take back the last decision of this session."""
        if not self.history:
            return None
        last = self.history[-1]
        # Taking a comment back removes it, and taking a removal back puts it
        # back: the undo is recorded as that action, with the comment's text,
        # because an entry's text and state alone cannot tell whether it
        # happened (see pipeline.catalog.history.applied).
        action = UNDO_COMMENT.get(last.action, "undo")
        comment = last.record.comment if action != "undo" and last.record is not None else None

        def change(message: Message, before: Message):
            last.before.apply(message)
            return action, ()

        try:
            self._commit(last.msgid, change, expected=last.after.tag, record=False, comment=comment)
        finally:
            # Undone, or changed elsewhere since (a conflict): either way this
            # decision can no longer be taken back, and the one before it can.
            self.history.pop()
        return last

    # --- rules ---------------------------------------------------------------

    def _translator(self, message: Message) -> str | None:
        """Who last wrote or accepted ``message``: its ``reviewed-by`` record,
        else the history."""
        review = annotations.review_of(message)
        if review is not None and not review.rejected:
            return review.reviewer
        return history.last_translator(history.read_history(self.ws, self.doc), (None, message.id))

    def _gate(self, message: Message, text: str, override: str | None) -> tuple[str, ...]:
        """Refuse ``text`` when an error-level check fires on it, unless
        ``override`` gives a reason; then silence those checks on the entry,
        recording who and why. Returns the codes overridden."""
        termbase = self._termbase()
        errors = [f for f in check_message(message, text, termbase, self.doc) if f.severity is Severity.ERROR]
        if not errors:
            return ()
        codes = tuple(dict.fromkeys(f.code for f in errors))
        if _reason(override) is None:
            raise GateRefused(f"error-level checks fired ({', '.join(codes)}); give a reason to override", errors)
        reason = person_reason(override, "the override reason")
        annotations.add_overrides(message, codes, self.reviewer, _minute(), reason)
        return codes

    def _termbase(self) -> Termbase | None:
        try:
            st = os.stat(self.ws.glossary)
            stamp = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        except OSError:
            stamp = None
        if self._glossary is not None and self._glossary[0] == stamp and stamp is not None:
            return self._glossary[1]  # read once per version of the file, not once per decision
        try:
            termbase = load_termbase(self.ws.glossary, inside=self.ws.root)
        except PipelineError:
            termbase = None  # a broken glossary is reported by check; the glossary check finds nothing then
        self._glossary = (stamp, termbase)
        return termbase

    def _stamp(self, message: Message, rejected: bool = False) -> None:
        # However the session got its name, it never starts a line of its own in the file.
        refuse_unsafe(self.reviewer, "reviewer name", name=True)
        annotations.set_review(message, self.reviewer, _minute(), rejected=rejected)

    def _commit(
        self,
        msgid: str,
        change,
        expected: str | None,
        record: bool = True,
        reason: str | None = None,
        override_reason: str | None = None,
        comment: str | None = None,
    ):
        """Apply ``change`` to the entry on disk (see :meth:`_commit_many`);
        what refuses it is raised."""
        [result] = self._commit_many([_Plan(msgid, change, expected, reason, record, override_reason, comment)])
        if isinstance(result, PipelineError):
            raise result
        return result

    def _commit_many(self, plans: list[_Plan]) -> list[Decision | PipelineError]:
        """Apply each plan's ``change`` to its entry on disk, unless the entry
        changed since it was seen (``expected``): all of them in one
        :func:`~pipeline.catalog.store.update_catalog`, so a save made by
        another program meanwhile is kept, never written over; with their
        history lines in one :func:`pipeline.review.history.transaction`.
        ``change(message, before)`` returns ``(action, overrides)``, or None
        when there is nothing to do. Returns, per plan, its Decision or the
        error that refused it; a refusal concerns its own entry only.

        Each decision is first worked out on the entry as it is on disk
        (its intent written to the history), then applied to the file; the
        history's I/O stays out of the compare-and-swap, which only repeats
        the same change on the same entry. An entry found changed there (a
        conflict) is left out, its intent aborted, and the others are saved."""
        refuse_unsafe(self.reviewer, "reviewer name", name=True)
        results: list[Decision | PipelineError | None] = [None] * len(plans)
        live: list[int] = []
        for i, plan in enumerate(plans):
            try:
                plan.expected = plan.expected or self.version(plan.msgid).tag
                live.append(i)
            except PipelineError as exc:
                results[i] = exc

        def decide(message: Message, plan: _Plan) -> tuple[Message, EntryVersion, tuple | None]:
            """``change`` on a copy of ``message``, copied back when it succeeds."""
            current = EntryVersion.of(message)
            if current.tag != plan.expected:
                raise ReviewConflict(
                    plan.msgid,
                    f"{self.display}: this entry was changed elsewhere since it was shown; review it again",
                    current,
                )
            before, after = copy.deepcopy(message), copy.deepcopy(message)
            outcome = plan.change(after, before)
            EntryVersion.of(after).apply(message)
            return before, current, outcome

        decided: dict[int, Decision] = {}
        refused: dict[int, PipelineError] = {}
        if live:
            with history.transaction(self.ws, self.doc) as tx:
                if any(self._tag(plans[i].msgid) != plans[i].expected for i in live):
                    self.reload()  # decide against the disk, not an older read
                trial: list[tuple[int, HistoryRecord]] = []
                for i in live:
                    plan = plans[i]
                    try:
                        after = copy.deepcopy(self._message(self.catalog, plan.msgid))  # worked out on a copy
                        before, current, outcome = decide(after, plan)
                    except PipelineError as exc:
                        results[i] = exc
                        continue
                    if outcome is None:
                        results[i] = Decision(plan.msgid, "accept", current, current)
                        continue
                    action, overrides = outcome
                    line = history.record_for(
                        self.doc,
                        before,
                        after,
                        self.reviewer,
                        action,
                        plan.reason,
                        overrides,
                        override_reason=plan.override_reason,
                        comment=plan.comment,
                    )
                    trial.append((i, line))
                if trial:
                    tx.intend([line for _, line in trial])

                    def apply(disk: Catalog | None) -> Catalog | None:
                        decided.clear()
                        refused.clear()
                        if disk is None:
                            raise PipelineError(f"{self.display}: no such catalog (removed?)")
                        self.catalog = disk  # on a conflict, the session shows what is on disk
                        for i, line in trial:
                            plan = plans[i]
                            try:
                                message = self._message(disk, plan.msgid)
                                _, seen, outcome = decide(message, plan)
                            except PipelineError as exc:
                                refused[i] = exc
                                continue
                            if outcome is None:  # cannot be: the same change on the same entry
                                refused[i] = PipelineError(f"{self.display}: nothing to do on this entry")
                                continue
                            decided[i] = Decision(plan.msgid, outcome[0], seen, EntryVersion.of(message), line)
                        return disk if decided else None

                    update = update_catalog(
                        self.path, apply, self.display, lock=None, wait_if_missing=True, inside=self.ws.root
                    )
                    self.catalog = update.catalog
                    tx.settled(update.catalog, aborted=[line.id for i, line in trial if i not in decided])
        for i, error in refused.items():
            results[i] = error
        for i, decision in sorted(decided.items()):
            results[i] = decision
            if plans[i].record:
                self.history.append(decision)
        return results

    def _tag(self, msgid: str) -> str | None:
        """The tag of the entry ``msgid`` as this session last read it (None: not there)."""
        try:
            return self.version(msgid).tag
        except ReviewConflict:
            return None


@dataclass
class _Plan:
    """One decision for :meth:`ReviewSession._commit_many`."""

    msgid: str
    change: Callable
    expected: str | None
    reason: str | None = None
    record: bool = True  # kept for undo (an undo is not)
    override_reason: str | None = None
    comment: str | None = None  # the text of a comment added or removed


def _minute() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def _reason(reason: str | None) -> str | None:
    """A reason on one line, or None when there is none."""
    reason = " ".join((reason or "").split())
    return reason or None


def person_reason(reason: str | None, where: str = "the reason") -> str | None:
    """``reason`` as it is recorded: on one line, None when blank; refused
    (one line naming ``where``) when it holds a character
    :mod:`pipeline.textsafety` refuses or is longer than :data:`REASON_LIMIT`."""
    if reason is None:
        return None
    if not isinstance(reason, str):
        raise PipelineError(f"{where}: not text")
    refuse_unsafe(reason, where)  # before the white space is folded, which would hide some controls
    reason = _reason(reason)
    if reason is not None and len(reason) > REASON_LIMIT:
        raise PipelineError(f"{where}: at most {REASON_LIMIT} characters ({len(reason)} given)")
    return reason


__all__ = [
    "Decision",
    "EntryVersion",
    "GateRefused",
    "ReviewConflict",
    "ReviewSession",
    "RoleRefused",
    "person_reason",
    "reviewer_name",
]


def checked_comment(text) -> str:
    """A person's comment as it is saved, or a one-line PipelineError: empty,
    too long, unsafe, or able to read as one of the pipeline's records."""
    if not isinstance(text, str):
        raise PipelineError("the comment: not text")
    text = refuse_unsafe(text, "the comment")
    try:
        return annotations.refuse_comment(text)
    except ValueError as exc:
        raise PipelineError(f"the comment: {exc}") from None


def _comment_change(text: str):
    """The change that adds ``text`` to an entry (refused if it is already there)."""

    def change(message: Message, before: Message):
        if text in map(annotations.comment_text, annotations.people_comments(message)):
            raise PipelineError("this comment is already on the entry")
        annotations.add_comment(message, text)
        return "comment", ()

    return change
