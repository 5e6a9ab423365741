"""What a reviewer sees: the queue of entries and, for each, its context.

The queue is in document order; filters select states and checks that
fired, and ``worst_first`` orders by the most severe finding. Each item
carries the source with its neighbours, the segment type, the draft and
where it came from, translation-memory suggestions, glossary hits, the
comments people wrote on it and the checks that fired — the same for the terminal and the web app. Findings,
their severity and the glossary hits are the checks' and the termbase's own
(:func:`pipeline.checks.check_message`, :meth:`Termbase.terms_in`), never
computed a second way here.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.messages.catalog import Message

from ..catalog import State, annotations
from ..catalog.annotations import block_types
from ..catalog.states import is_segment, machine_signature, memory_stamp
from ..checks import Finding, Severity, check_message, entry_location
from ..terms import Term, Termbase
from ..tm.reuse import Suggestion, suggestions_of
from .history import read_history
from .session import EntryVersion, ReviewSession

#: What ``pipeline review`` shows by default: everything no person stands
#: behind yet (an approver reviews ``--state translated`` to approve).
PENDING = frozenset({State.MACHINE_DRAFT, State.FUZZY, State.UNTRANSLATED, State.EDITED_OUTSIDE_REVIEW})


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
    #: Who last wrote or accepted the text (its ``reviewed-by``), and who
    #: approved it (its ``approved-by``, when the approval holds).
    translator: str | None = None
    approver: str | None = None
    #: The last machine (or memory) draft of the entry, from the history or
    #: the entry itself: what a post-editor started from, for a diff.
    machine_draft: str | None = None
    #: The comments written by people on the entry (a note, a query to the desk).
    comments: tuple[str, ...] = ()

    @property
    def worst(self) -> int:
        """The rank of the most severe finding (:attr:`Severity.rank`); past every rank without one."""
        return min((f.severity.rank for f in self.findings), default=len(Severity))


def origin_of(message: Message) -> str | None:
    """Where the current translation came from, in words."""
    signature = machine_signature(message)
    stamp = memory_stamp(message)
    if stamp:
        reused = annotations.parse_tm(stamp)
        origin, similarity = reused if reused else (stamp, "?")
        return f"translation memory: {origin} ({similarity}%)"
    if signature:
        return f"machine translation: {signature}"
    return None


def findings_for(doc: str, message: Message, text: str, termbase: Termbase | None) -> tuple[Finding, ...]:
    """The checks that fire on ``text`` as the translation of ``message``."""
    if not text or not is_segment(message):
        return ()
    return tuple(check_message(message, text, termbase, doc))


def glossary_for(source: str, termbase: Termbase | None) -> tuple[Term, ...]:
    """The termbase's terms in ``source``, each once, in text order."""
    return tuple(termbase.terms_in(source)) if termbase is not None else ()


def last_drafts(session: ReviewSession) -> dict[str, str]:
    """The last draft recorded in the history for each msgid of the session's document."""
    return {
        record.msgid: record.text_after
        for record in read_history(session.ws, session.doc)
        if record.action == "draft" and record.msgctxt is None
    }


def items(session: ReviewSession, termbase: Termbase | None = None) -> list[ReviewItem]:
    """Every entry of the session's catalog as a review item, in document order."""
    messages = session.messages()
    drafts = last_drafts(session)
    out = []
    for i, message in enumerate(messages):
        text = message.string or ""
        state = session.state(message)
        review = annotations.review_of(message)
        approval = annotations.approval_of(message) if state is State.APPROVED else None
        out.append(
            ReviewItem(
                index=i + 1,
                msgid=message.id,
                target=text,
                state=state,
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
                translator=review.reviewer if review is not None and not review.rejected else None,
                approver=approval.reviewer if approval is not None else None,
                machine_draft=text if state is State.MACHINE_DRAFT else drafts.get(message.id),
                comments=tuple(annotations.people_comments(message)),
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
