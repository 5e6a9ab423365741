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

Every reused translation records where it came from, in translator
comments that :mod:`pipeline.catalog.annotations` formats and reads::

    # tm:<origin>;similarity=100
    # tm-suggestion: 82% <origin>: <English text>
    # tm-suggestion: 100% <origin> (numbers differ): <English text>
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from babel.messages.catalog import Message

from ..catalog import annotations
from ..catalog.annotations import Suggestion, suggestions_of
from ..catalog.states import TM_PREFIX, set_memory_draft, set_reviewed
from ..zh.numbers import numbers_differ
from .memory import DEFAULT_LIMIT, DEFAULT_THRESHOLD, Match, TranslationMemory
from .similarity import match_key
from .units import Unit

TM_SUGGESTION_PREFIX = annotations.TM_SUGGESTION.prefix.rstrip()


# --- Comment formats (pipeline.catalog.annotations) -------------------------------


def reuse_stamp(origin: str, percent: int = 100) -> str:
    """The ``tm:`` comment body for a reused translation: ``<origin>;similarity=<percent>``."""
    return annotations.format_tm(origin, percent)


def reused_from(message: Message) -> tuple[str, int] | None:
    """``(origin, percent)`` of the memory unit ``message``'s translation
    was reused from, or None when it was not reused."""
    stamp = annotations.memory_stamp(message)
    return annotations.parse_tm(stamp) if stamp is not None else None


def _suggestion(match: Match) -> Suggestion:
    return Suggestion(match.percent, match.unit.origin, match.unit.target, match.numbers_differ)


def suggestion_comment(match: Match) -> str:
    """The translator comment that shows ``match`` to the reviewer (one
    line; :func:`add_suggestions` cuts a long one as every record is cut)."""
    return annotations.TM_SUGGESTION.prefix + annotations.format_tm_suggestion(_suggestion(match))


def parse_suggestion(comment: str) -> Suggestion | None:
    """The suggestion a translator comment holds, or None for any other comment."""
    (record,) = annotations.records([comment])
    return annotations.parse_tm_suggestion(record.text) if record.kind is annotations.TM_SUGGESTION else None


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
    annotations.set_suggestions(message, [_suggestion(match) for match in matches])


def clear_suggestions(message: Message) -> None:
    """Remove the ``tm-suggestion:`` comments of ``message``."""
    annotations.set_suggestions(message, [])


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
