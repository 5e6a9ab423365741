"""What a reviewer sees: the queue of entries and, for each, its context.

The queue is in document order; filters select states and checks that
fired, and ``worst_first`` orders by the most severe finding. Each item
carries the source with its neighbours, the segment type, the draft and
where it came from, translation-memory suggestions, glossary hits and the
checks that fired — the same for the terminal and the web app.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.messages.catalog import Message

from ..catalog import State, state_of
from ..catalog.states import is_segment, machine_signature, memory_stamp
from ..catalog.template import block_types
from ..checks import CheckContext, Finding, Severity, check_entry, entry_location
from ..terms import Term, Termbase
from ..tm.reuse import Suggestion, suggestions_of
from .session import EntryVersion, ReviewSession

SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

#: What ``pipeline review`` shows by default: everything not yet reviewed.
PENDING = frozenset({State.MACHINE_DRAFT, State.FUZZY, State.UNTRANSLATED})


@dataclass(frozen=True)
class ReviewItem:
    index: int  # 1-based position in document order
    msgid: str
    target: str
    state: State
    tag: str  # EntryVersion tag: what the reviewer saw
    types: tuple[str, ...]
    location: str
    previous_source: str | None  # the old source of a fuzzy entry
    before: str | None  # neighbouring sources, for context
    after: str | None
    origin: str | None
    suggestions: tuple[Suggestion, ...]
    glossary: tuple[Term, ...]
    findings: tuple[Finding, ...]

    @property
    def worst(self) -> int:
        return min((SEVERITY_RANK[f.severity] for f in self.findings), default=len(SEVERITY_RANK))


def origin_of(message: Message) -> str | None:
    """Where the current translation came from, in words."""
    signature = machine_signature(message)
    stamp = memory_stamp(message)
    if stamp:
        origin, _, similarity = stamp.partition(";similarity=")
        return f"translation memory: {origin} ({similarity or '?'}%)"
    if signature:
        return f"machine translation: {signature}"
    return None


def findings_for(doc: str, message: Message, text: str, termbase: Termbase | None) -> tuple[Finding, ...]:
    """The checks that fire on ``text`` as the translation of ``message``."""
    if not text or not is_segment(message):
        return ()
    context = CheckContext.for_message(message, termbase)
    return tuple(
        Finding(doc, entry_location(message), check.code, check.severity, problem, message.id)
        for check, problem in check_entry(message.id, text, context, message.flags)
    )


def glossary_for(source: str, termbase: Termbase | None) -> tuple[Term, ...]:
    if termbase is None:
        return ()
    seen, hits = set(), []
    for _, _, term in termbase.matches(source):
        if term.zh not in seen:
            seen.add(term.zh)
            hits.append(term)
    return tuple(hits)


def items(session: ReviewSession, termbase: Termbase | None = None) -> list[ReviewItem]:
    """Every entry of the session's catalog as a review item, in document order."""
    messages = session.messages()
    out = []
    for i, message in enumerate(messages):
        text = message.string or ""
        out.append(
            ReviewItem(
                index=i + 1,
                msgid=message.id,
                target=text,
                state=state_of(message),
                tag=EntryVersion.of(message).tag,
                types=tuple(block_types(message)),
                location=entry_location(message),
                previous_source=(message.previous_id or [None])[0],
                before=messages[i - 1].id if i > 0 else None,
                after=messages[i + 1].id if i + 1 < len(messages) else None,
                origin=origin_of(message),
                suggestions=tuple(suggestions_of(message)),
                glossary=glossary_for(message.id, termbase),
                findings=findings_for(session.doc, message, text, termbase),
            )
        )
    return out


def build_queue(
    session: ReviewSession,
    termbase: Termbase | None = None,
    states: frozenset[State] | None = PENDING,
    checks: frozenset[str] | None = None,
    worst_first: bool = False,
) -> list[ReviewItem]:
    """The entries to review: filtered by state and by checks that fired."""
    queue = [
        item
        for item in items(session, termbase)
        if (states is None or item.state in states) and (not checks or any(f.code in checks for f in item.findings))
    ]
    if worst_first:
        queue.sort(key=lambda item: (item.worst, item.index))
    return queue
