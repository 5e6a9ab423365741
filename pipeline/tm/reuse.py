"""Reuse policy: how the translate stage uses the translation memory.

* An **exact match** (same match key, same numbers) fills the entry. By
  default it is a draft to confirm (``#, fuzzy``, state machine-draft);
  with ``accept=True`` (``--accept-exact``) it is reviewed at once. When the
  memory holds several different translations of the source, the first is
  used as a draft only, never accepted, and the others are suggested.
* A **fuzzy match** (similarity >= threshold, 75% by default) is only ever a
  suggestion, written as a translator comment that the reviewer sees; it
  never becomes the translation.
* A match whose **numbers differ** from the new source is never reused: it
  is suggested, marked. This includes a match with the same match key
  whose stored source reads differently as written: an OCR'd ``十 八世纪``
  (ten and eight) for a new ``十八世纪``.

Every reused translation records where it came from, one translator comment
per line (as gettext writes them; see :mod:`pipeline.catalog.pofile`)::

    # tm:<origin>;similarity=100
    # tm-suggestion: 82% <origin>: <English text>
    # tm-suggestion: 100% <origin> (numbers differ): <English text>

``<origin>`` is the document (or TMX file) name with white space written
as ``_``; in a suggestion's text a backslash, a line feed and a carriage
return are written ``\\\\``, ``\\n`` and ``\\r``, so that each comment stays on
one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from babel.messages.catalog import Message

from ..catalog.states import TM_PREFIX, memory_stamp, set_memory_draft, set_reviewed
from .memory import DEFAULT_LIMIT, DEFAULT_THRESHOLD, Match, TranslationMemory
from .numerals import numbers_differ
from .similarity import match_key
from .units import Unit

TM_SUGGESTION_PREFIX = "tm-suggestion:"
_NUMBERS_DIFFER = " (numbers differ)"
_SUGGESTION_RE = re.compile(
    rf"^{re.escape(TM_SUGGESTION_PREFIX)} (?P<percent>\d{{1,3}})% (?P<origin>\S+)"
    rf"(?P<numbers>{re.escape(_NUMBERS_DIFFER)})?: (?P<text>.*)$",
    re.DOTALL,
)
_STAMP_RE = re.compile(r"^(?P<origin>.*);similarity=(?P<percent>\d{1,3})$")
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\\\": "\\", "\\n": "\n", "\\r": "\r"}


def _origin_word(origin: str) -> str:
    return re.sub(r"\s+", "_", origin.strip()) or "?"


@dataclass(frozen=True)
class Suggestion:
    """A fuzzy (or number-differing) match, as a reviewer sees it."""

    percent: int
    origin: str
    text: str
    numbers_differ: bool = False


# --- Comment formats, defined once --------------------------------------------


def reuse_stamp(origin: str, percent: int = 100) -> str:
    """The ``tm:`` comment body for a reused translation: ``<origin>;similarity=<percent>``."""
    return f"{_origin_word(origin)};similarity={percent}"


def reused_from(message: Message) -> tuple[str, int] | None:
    """``(origin, percent)`` of the memory unit ``message``'s translation
    was reused from, or None when it was not reused."""
    stamp = memory_stamp(message)
    match = _STAMP_RE.match(stamp or "")
    return (match.group("origin"), int(match.group("percent"))) if match else None


def suggestion_comment(match: Match) -> str:
    """The translator comment that shows ``match`` to the reviewer."""
    text = "".join(_ESCAPES.get(ch, ch) for ch in match.unit.target)
    flag = _NUMBERS_DIFFER if match.numbers_differ else ""
    return f"{TM_SUGGESTION_PREFIX} {match.percent}% {_origin_word(match.unit.origin)}{flag}: {text}"


def parse_suggestion(comment: str) -> Suggestion | None:
    """The suggestion a translator comment holds, or None for any other comment."""
    match = _SUGGESTION_RE.match(comment)
    if not match:
        return None
    text = re.sub(r"\\[\\nr]", lambda m: _UNESCAPES[m.group()], match.group("text"))
    return Suggestion(int(match.group("percent")), match.group("origin"), text, bool(match.group("numbers")))


# --- Applying matches to catalog entries --------------------------------------


def apply_exact(message: Message, unit: Unit, accept: bool = False) -> None:
    """Fill ``message`` with the translation of its exact match ``unit``,
    stamped ``tm:<origin>;similarity=100``: a draft (fuzzy) by default,
    reviewed when ``accept`` is True.

    Raise ValueError when ``unit`` is not an exact match of the entry's
    source, or mentions other numbers: such a unit may only be suggested.
    """
    if match_key(unit.source) != match_key(message.id):
        raise ValueError(f"not an exact match: {unit.source!r} for {message.id!r}")
    if numbers_differ(message.id, unit.source):
        raise ValueError(f"the numbers of {unit.source!r} differ from those of {message.id!r}; suggest it instead")
    set_memory_draft(message, unit.target, reuse_stamp(unit.origin))
    if accept:
        set_reviewed(message)


def add_suggestions(message: Message, matches: list[Match]) -> None:
    """Show ``matches`` to the reviewer as ``tm-suggestion:`` comments,
    replacing any earlier suggestions. The translation is not touched."""
    clear_suggestions(message)
    message.user_comments.extend(suggestion_comment(match) for match in matches)


def clear_suggestions(message: Message) -> None:
    """Remove the ``tm-suggestion:`` comments of ``message``."""
    message.user_comments = [c for c in message.user_comments if parse_suggestion(c) is None]


def suggestions_of(message: Message) -> list[Suggestion]:
    """The memory's suggestions for ``message``, best first as written."""
    return [s for s in map(parse_suggestion, message.user_comments) if s is not None]


# --- The whole policy for one entry -------------------------------------------


class Reuse(str, Enum):
    EXACT = "exact"  # an exact match filled the entry
    SUGGESTED = "suggested"  # suggestions only; the entry still needs a translation
    NONE = "none"  # nothing in the memory


@dataclass
class ReuseOutcome:
    kind: Reuse
    unit: Unit | None = None  # the unit reused, for EXACT
    reviewed: bool = False  # True when the exact match was accepted as reviewed
    suggestions: list[Match] = field(default_factory=list)


def reuse_from_memory(
    message: Message,
    memory: TranslationMemory,
    accept_exact: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = DEFAULT_LIMIT,
) -> ReuseOutcome:
    """Apply the memory to one catalog entry, following the policy above.

    The caller decides which entries are eligible (untranslated ones, as for
    machine drafts); an entry left ``SUGGESTED`` or ``NONE`` still goes to
    the engine, and its suggestions stay beside the machine draft.
    """
    if message.pluralizable or not message.id:
        return ReuseOutcome(Reuse.NONE)  # our catalogs have no plural entries; the memory holds none
    safe = [unit for unit in memory.exact(message.id) if not numbers_differ(message.id, unit.source)]
    if safe:
        chosen, alternatives = safe[0], safe[1:]
        apply_exact(message, chosen, accept=accept_exact and not alternatives)
        suggestions = [Match(unit, 1.0, False) for unit in alternatives]
        if suggestions:
            add_suggestions(message, suggestions)
        else:
            clear_suggestions(message)
        return ReuseOutcome(Reuse.EXACT, chosen, reviewed=accept_exact and not alternatives, suggestions=suggestions)
    matches = memory.fuzzy(message.id, threshold=threshold, limit=limit)
    add_suggestions(message, matches)
    return ReuseOutcome(Reuse.SUGGESTED if matches else Reuse.NONE, suggestions=matches)


__all__ = [
    "TM_PREFIX",
    "TM_SUGGESTION_PREFIX",
    "Reuse",
    "ReuseOutcome",
    "Suggestion",
    "add_suggestions",
    "apply_exact",
    "clear_suggestions",
    "parse_suggestion",
    "reuse_from_memory",
    "reuse_stamp",
    "reused_from",
    "suggestion_comment",
    "suggestions_of",
]
