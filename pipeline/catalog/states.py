"""Translation states, defined once.

=============== ===============================================================
untranslated    empty ``msgstr``
machine-draft   ``#, fuzzy`` and a ``# mt:<signature>`` comment naming the engine
fuzzy           ``#, fuzzy`` otherwise: a source that changed since it was
                translated (``#| msgid`` keeps the old one), or a draft of
                unknown origin
reviewed        a translation without ``fuzzy``: a person has accepted it
=============== ===============================================================

The fuzzy flag is what every PO tool (msgfmt, Poedit, Weblate) understands
as "needs review", so a translator who clears it in Poedit has reviewed the
entry. The ``mt:`` comment is a translator comment, which msgmerge and the
tools keep; it records where a draft came from and stays after review.
"""

from __future__ import annotations

from enum import Enum

from babel.messages.catalog import Message

MT_PREFIX = "mt:"


class State(str, Enum):
    UNTRANSLATED = "untranslated"
    MACHINE_DRAFT = "machine-draft"
    FUZZY = "fuzzy"
    REVIEWED = "reviewed"


def translation_text(message: Message) -> str:
    """The translation of ``message`` as one string (plural forms joined)."""
    string = message.string
    if isinstance(string, (tuple, list)):
        return "".join(string)
    return string or ""


def machine_signature(message: Message) -> str | None:
    """The engine signature of the latest machine draft, if any."""
    for comment in reversed(message.user_comments):
        if comment.startswith(MT_PREFIX):
            return comment[len(MT_PREFIX) :].strip()
    return None


def state_of(message: Message) -> State:
    if not translation_text(message):
        return State.UNTRANSLATED
    if not message.fuzzy:
        return State.REVIEWED
    if message.previous_id or machine_signature(message) is None:
        return State.FUZZY
    return State.MACHINE_DRAFT


def set_machine_draft(message: Message, text: str, signature: str) -> None:
    """Fill ``message`` with a machine draft stamped with ``signature``."""
    message.string = text
    message.flags.add("fuzzy")
    message.previous_id = []
    message.user_comments = [c for c in message.user_comments if not c.startswith(MT_PREFIX)]
    message.user_comments.append(MT_PREFIX + signature)


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
