"""Translation states, defined once.

=============== ===============================================================
untranslated    empty ``msgstr``
machine-draft   ``#, fuzzy`` and a ``# mt:<signature>`` comment naming the engine,
                or a ``# tm:<origin>;similarity=100`` comment naming the
                translation-memory unit it reuses (:mod:`pipeline.tm.reuse`)
fuzzy           ``#, fuzzy`` otherwise: a source that changed since it was
                translated (``#| msgid`` keeps the old one), or a draft of
                unknown origin
reviewed        a translation without ``fuzzy``: a person has accepted it
edited-outside- a translation without ``fuzzy`` whose ``# reviewed-by`` record
review          holds the hash of another msgstr: changed after its review
                (in Poedit, an editor) with the record left behind; not
                trusted as reviewed until someone reviews it again
=============== ===============================================================

The comments named here are formatted and read by
:mod:`pipeline.catalog.annotations`, which alone knows their prefixes.

The fuzzy flag is what every PO tool (msgfmt, Poedit, Weblate) understands
as "needs review", so a translator who clears it in Poedit has reviewed the
entry. The ``mt:`` comment is a translator comment, which msgmerge and the
tools keep; it records where a draft came from and stays after review.
So does the ``tm:`` comment: a translation reused from the memory is a
draft like a machine one (shown, marked, awaiting a reviewer) unless the
translate stage was told to accept exact matches.
"""

from __future__ import annotations

from enum import Enum

from babel.messages.catalog import Message

from . import annotations
from .annotations import machine_signature, memory_stamp

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
    REVIEWED = "reviewed"
    EDITED_OUTSIDE_REVIEW = "edited-outside-review"


def translation_text(message: Message) -> str:
    """The translation of ``message`` as one string (plural forms joined)."""
    string = message.string
    if isinstance(string, (tuple, list)):
        return "".join(string)
    return string or ""


def state_of(message: Message) -> State:
    if not translation_text(message):
        return State.UNTRANSLATED
    if not message.fuzzy:
        return State.EDITED_OUTSIDE_REVIEW if annotations.review_is_stale(message) else State.REVIEWED
    if message.previous_id or (machine_signature(message) is None and memory_stamp(message) is None):
        return State.FUZZY
    return State.MACHINE_DRAFT


def _stamp_draft(message: Message, text: str, kind: annotations.Kind, stamp: str, notes: tuple[str, ...] = ()) -> None:
    message.string = text
    message.flags.add("fuzzy")
    message.previous_id = []
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


def set_reviewed(message: Message, text: str | None = None) -> None:
    """Accept ``message`` (with ``text`` as its translation, if given)."""
    if text is not None:
        message.string = text
    if not translation_text(message):
        raise ValueError("an empty translation cannot be reviewed")
    message.flags.discard("fuzzy")
    message.previous_id = []


def set_untranslated(message: Message) -> None:
    message.string = ""
    message.flags.discard("fuzzy")
    message.previous_id = []
