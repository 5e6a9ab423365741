"""Translation states, defined once.

=============== ===============================================================
untranslated    empty ``msgstr``
machine-draft   ``#, fuzzy`` and a ``# mt:<signature>`` comment naming the engine,
                or a ``# tm:<origin>;similarity=100`` comment naming the
                translation-memory unit it reuses (:mod:`pipeline.tm.reuse`)
fuzzy           ``#, fuzzy`` otherwise: a source that changed since it was
                translated (``#| msgid`` keeps the old one), or a draft of
                unknown origin
translated      a translation without ``fuzzy``: a person wrote or accepted it
                (``# reviewed-by``; or cleared "needs work" in Poedit). The
                state called "reviewed" before approval existed.
approved        translated, and signed off by a second person in the approver
                role: a ``# approved-by: NAME, WHEN, msgstr=<hash>`` record
                bound to the current msgstr
edited-outside- a translation without ``fuzzy`` whose ``# reviewed-by`` (or
review          ``# approved-by``) record holds the hash of another msgstr:
                changed after its review (in Poedit, an editor) with the record
                left behind; not trusted as reviewed, nor as approved, until
                someone reviews it again
=============== ===============================================================

The comments named here are formatted and read by
:mod:`pipeline.catalog.annotations`, which alone knows their prefixes.

What other tools understand: the fuzzy flag is what every PO tool (msgfmt,
Poedit, Weblate) shows as "needs work", so a machine draft or a fuzzy entry
needs work there too, and a translator who clears it in Poedit has
translated the entry. ``approved-by`` is a translator comment, which
msgmerge, msgcat, Poedit and polib keep; an edit made in any of them changes
the msgstr, so the hash no longer matches and the approval is void. The
``mt:`` comment records where a draft came from and stays after review.
So does the ``tm:`` comment: a translation reused from the memory is a
draft like a machine one (shown, marked, awaiting a reviewer) unless the
translate stage was told to accept exact matches.

**Who may approve** is the workspace's (``review.approvers`` in
``pipeline.toml``, :mod:`pipeline.review.roles`). The file alone cannot say
whether an ``approved-by`` comment was written by our review or typed into
a cloned catalog, so :func:`state_of` takes the roles where they are known:
an approval by someone who is not an approver, or by the entry's own
translator (unless self-approval is allowed), reads as ``translated``.
Names are compared as :func:`pipeline.catalog.roles.name_key` says (case,
width and whitespace aside), so ``bo wang`` is ``Bo Wang`` here too.
"""

from __future__ import annotations

from enum import Enum
from typing import Protocol

from babel.messages.catalog import Message

from . import annotations
from .annotations import machine_signature, memory_stamp
from .roles import is_listed, same_person

#: The draft stamps' prefixes, as :mod:`pipeline.catalog.annotations` defines them.
MT_PREFIX = annotations.MT.prefix
TM_PREFIX = annotations.TM.prefix


#: How an entry is named: (msgctxt, msgid), as gettext names it. Two
#: entries may share a msgid when their msgctxt differs; a plural entry is
#: named by its singular msgid. Nothing keys entries by msgid alone.
Key = tuple[str | None, str]


def entry_key(message: Message) -> Key:
    """The key of ``message``: its (msgctxt, msgid)."""
    msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
    return (message.context, msgid)


def find(catalog, key: Key) -> Message | None:
    """The entry of ``catalog`` with ``key``, or None."""
    return catalog.get(key[1], context=key[0])


def is_segment(message: Message) -> bool:
    """Whether ``message`` is an entry the pipeline translates: one source
    segment, as ``extract`` writes it (not the header, no ``msgctxt``, no
    ``msgid_plural``). Other entries (added by another tool or by hand) are
    kept exactly as they are: never drafted, reviewed or built, counted
    apart by ``status``, and kept by re-extraction (obsolete once their
    source is gone, as any entry)."""
    return bool(message.id) and message.context is None and not message.pluralizable


class State(str, Enum):
    UNTRANSLATED = "untranslated"
    MACHINE_DRAFT = "machine-draft"
    FUZZY = "fuzzy"
    TRANSLATED = "translated"
    APPROVED = "approved"
    EDITED_OUTSIDE_REVIEW = "edited-outside-review"
    #: Deprecated alias of TRANSLATED (the state's name before approval
    #: existed), kept so older code imports. ``state is State.REVIEWED`` is
    #: False for an approved entry: use ``state.reviewed``.
    REVIEWED = "translated"

    @classmethod
    def _missing_(cls, value):
        # "reviewed", the name of TRANSLATED before approval existed (old
        # scripts, ``--state reviewed``), still reads.
        return cls.TRANSLATED if value == "reviewed" else None

    @property
    def reviewed(self) -> bool:
        """Whether a person stands behind the translation (translated or approved)."""
        return self in REVIEWED_STATES


#: The states in which a person stands behind the translation: the memory
#: learns them, ``--reviewed-only`` editions show them.
REVIEWED_STATES = frozenset({State.TRANSLATED, State.APPROVED})


def is_reviewed(state: State) -> bool:
    """Whether ``state`` is translated or approved (``state.reviewed``)."""
    return state in REVIEWED_STATES


class Roles(Protocol):
    """What :func:`state_of` needs of the workspace's roles
    (:class:`pipeline.review.roles.Roles` has it)."""

    approvers: frozenset[str]
    allow_self_approval: bool


def translation_text(message: Message) -> str:
    """The translation of ``message`` as one string (plural forms joined)."""
    string = message.string
    if isinstance(string, (tuple, list)):
        return "".join(string)
    return string or ""


def state_of(message: Message, roles: Roles | None = None) -> State:
    """The state of ``message``. With the workspace's ``roles``, an
    approval counts only if it names an approver, and not the entry's own
    translator unless self-approval is allowed; without them, the file
    alone decides."""
    if not translation_text(message):
        return State.UNTRANSLATED
    if not message.fuzzy:
        if annotations.review_is_stale(message):
            return State.EDITED_OUTSIDE_REVIEW
        if annotations.approval_holds(message) and approval_allowed(message, roles):
            return State.APPROVED
        return State.TRANSLATED
    if message.previous_id or (machine_signature(message) is None and memory_stamp(message) is None):
        return State.FUZZY
    return State.MACHINE_DRAFT


def approval_allowed(message: Message, roles: Roles | None) -> bool:
    """Whether the ``approved-by`` record of ``message`` counts under
    ``roles`` (None: it does)."""
    if roles is None:
        return True
    approval = annotations.approval_of(message)
    if approval is None or not is_listed(approval.reviewer, roles.approvers):
        return False
    review = annotations.review_of(message)
    return roles.allow_self_approval or review is None or not same_person(review.reviewer, approval.reviewer)


def _stamp_draft(message: Message, text: str, kind: annotations.Kind, stamp: str, notes: tuple[str, ...] = ()) -> None:
    message.string = text
    message.flags.add("fuzzy")
    message.previous_id = []
    annotations.clear_approval(message)
    # A new draft replaces the stamp and notes of the old one, whichever made it.
    annotations.set_draft_stamp(message, kind, stamp, notes)


def set_machine_draft(message: Message, text: str, signature: str, notes: tuple[str, ...] = ()) -> None:
    """Fill ``message`` with a machine draft stamped with ``signature``, with
    the engine's ``notes`` about it."""
    _stamp_draft(message, text, annotations.MT, annotations.format_mt(signature), notes)


def set_memory_draft(message: Message, text: str, stamp: str) -> None:
    """Fill ``message`` with a translation reused from the translation
    memory, as a draft stamped ``tm:<stamp>``."""
    _stamp_draft(message, text, annotations.TM, stamp)


def set_translated(message: Message, text: str | None = None) -> None:
    """Accept ``message`` (with ``text`` as its translation, if given); the
    caller records who (``reviewed-by``) and drops an approval of another text."""
    if text is not None:
        message.string = text
    if not translation_text(message):
        raise ValueError("an empty translation cannot be reviewed")
    message.flags.discard("fuzzy")
    message.previous_id = []


#: The name of :func:`set_translated` before approval existed.
set_reviewed = set_translated


def set_untranslated(message: Message) -> None:
    message.string = ""
    message.flags.discard("fuzzy")
    message.previous_id = []
    annotations.clear_approval(message)
