"""``pipeline report``: what each reviewer did in a period, from the history.

Read from every document's history (:mod:`pipeline.catalog.history`), per
reviewer, for decisions made in ``[since, until)``:

- **translated**: entries a person wrote or accepted (``accept``, ``edit``,
  ``import``), with their English words and the Chinese characters of their
  sources;
- **edited**: the ones among them whose text the person changed (``edit``);
- **approved**: entries they approved (``approve``);
- **post-edit distance**: for the machine (or memory) drafts they took
  (accepted as they were, or edited), the mean character edit distance
  between draft and saved text (:func:`char_distance`: Levenshtein over
  characters, divided by the longer text's length, so 0 is the draft kept
  and 1 all of it rewritten), and how many drafts were kept unchanged.
  Word-level HTER per engine is ``pipeline evaluate --post-edit``'s;
- **time**: the gaps between a reviewer's consecutive decisions (all
  documents together), each counted when it is at most ``idle`` seconds
  (default 600: a longer gap is a break, and counts nothing); the first
  decision of each stretch counts nothing either, so the figure is a
  lower bound.

An entry counted twice in one category (edited twice) is one entry; words
are those of the last text it counted with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import pairwise

from .catalog.history import STAGE_ACTIONS, TRANSLATING, HistoryRecord, post_edits, read_history
from .errors import PipelineError
from .status import english_words
from .textsafety import json_output
from .workspace import Workspace
from .zh.script import count_han

#: A gap between two decisions longer than this is a break (seconds).
IDLE_SECONDS = 600


def char_distance(draft: str, final: str) -> float:
    """Character Levenshtein distance between ``draft`` and ``final``,
    divided by the longer one's length (0.0: the same text; 1.0: nothing
    kept). The post-edit distance of :mod:`pipeline.report`."""
    if draft == final:
        return 0.0
    a, b = (draft, final) if len(draft) <= len(final) else (final, draft)
    previous = list(range(len(a) + 1))
    for j, cb in enumerate(b, 1):
        current = [j]
        for i, ca in enumerate(a, 1):
            current.append(min(previous[i] + 1, current[i - 1] + 1, previous[i - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(len(a), len(b))


def parse_when(text: str, end: bool = False) -> datetime:
    """``2026-12-01`` or ``2026-12-01T10:00[:00][Z]`` (UTC). A date alone
    as an end (``--until``) means the end of that day."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
            return day + timedelta(days=1) if end else day
        moment = datetime.fromisoformat(text.removesuffix("Z").removesuffix("z"))
    except ValueError:
        raise PipelineError(f"{text!r}: not a date (2026-12-01) or a time (2026-12-01T10:00Z)") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _time(record: HistoryRecord) -> datetime | None:
    try:
        return parse_when(record.time)
    except PipelineError:
        return None


@dataclass
class ReviewerFigures:
    reviewer: str
    translated: int = 0
    translated_words: int = 0
    translated_han: int = 0
    edited: int = 0
    edited_words: int = 0
    approved: int = 0
    approved_words: int = 0
    drafts_taken: int = 0  # machine or memory drafts accepted or edited
    drafts_unchanged: int = 0
    post_edit_distance: float | None = None  # mean char_distance over drafts_taken
    seconds: float = 0.0
    decisions: int = 0
    _distances: list[float] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        out = {k: v for k, v in vars(self).items() if not k.startswith("_")}
        if self.post_edit_distance is not None:
            out["post_edit_distance"] = round(self.post_edit_distance, 4)
        out["seconds"] = round(self.seconds)
        return out


@dataclass
class Report:
    since: datetime | None
    until: datetime | None
    reviewers: list[ReviewerFigures]
    idle_seconds: int = IDLE_SECONDS

    def as_dict(self) -> dict:
        return {
            "since": _iso(self.since),
            "until": _iso(self.until),
            "idle_seconds": self.idle_seconds,
            "reviewers": [r.as_dict() for r in self.reviewers],
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def report(
    ws: Workspace,
    docs: Iterable[str],
    since: datetime | None = None,
    until: datetime | None = None,
    idle_seconds: int = IDLE_SECONDS,
) -> Report:
    """The figures of every reviewer in ``docs``' histories for decisions
    made at or after ``since`` and before ``until``."""

    def inside(record: HistoryRecord) -> bool:
        moment = _time(record)
        return moment is not None and (since is None or moment >= since) and (until is None or moment < until)

    figures: dict[str, ReviewerFigures] = {}
    counted: dict[tuple[str, str], dict] = {}  # (reviewer, category) -> entry -> words
    moments: dict[str, list[datetime]] = {}

    def count(who: str, category: str, record: HistoryRecord, words: int) -> None:
        counted.setdefault((who, category), {})[(record.doc, record.msgctxt, record.msgid)] = (
            words,
            count_han(record.msgid),
        )

    for doc in docs:
        records = read_history(ws, doc)
        for record in records:
            if record.action in STAGE_ACTIONS or not inside(record):
                continue
            who = record.who
            figures.setdefault(who, ReviewerFigures(who))
            figures[who].decisions += 1
            moments.setdefault(who, []).append(_time(record))
            words = english_words(record.text_after)
            if record.action in TRANSLATING:
                count(who, "translated", record, words)
            if record.action == "edit":
                count(who, "edited", record, words)
            if record.action == "approve":
                count(who, "approved", record, words)
        for edit in post_edits(records):
            moment = parse_when(edit.time) if edit.time else None
            if moment is None or (since and moment < since) or (until and moment >= until):
                continue
            figure = figures.setdefault(edit.who, ReviewerFigures(edit.who))
            figure.drafts_taken += 1
            figure.drafts_unchanged += edit.draft == edit.final
            figure._distances.append(char_distance(edit.draft, edit.final))

    for (who, category), entries in counted.items():
        figure = figures[who]
        setattr(figure, category, len(entries))
        setattr(figure, f"{category}_words", sum(words for words, _ in entries.values()))
        if category == "translated":
            figure.translated_han = sum(han for _, han in entries.values())
    for who, figure in figures.items():
        if figure._distances:
            figure.post_edit_distance = sum(figure._distances) / len(figure._distances)
        times = sorted(moments.get(who, []))
        figure.seconds = sum(
            gap for gap in ((b - a).total_seconds() for a, b in pairwise(times)) if gap <= idle_seconds
        )
    return Report(since, until, sorted(figures.values(), key=lambda f: f.reviewer), idle_seconds)


def format_json(result: Report) -> str:
    return json_output(result.as_dict())


#: The widest reviewer name a report table shows (a longer one is cut).
NAME_WIDTH = 48


def format_table(result: Report) -> str:
    """One row per reviewer; names escaped (the history may hold anything)."""
    from .textsafety import printable

    names = [printable(r.reviewer, one_line=True)[:NAME_WIDTH] for r in result.reviewers]
    width = max([len("reviewer"), *map(len, names)])  # names in full, up to NAME_WIDTH
    header = (
        f"{'reviewer':<{width}} {'transl':>6} {'words':>6} {'edited':>6} {'words':>6} {'approved':>8} {'words':>6} "
        f"{'drafts':>6} {'kept':>5} {'pe-dist':>7} {'time':>7}"
    )
    lines = [header]
    for name, r in zip(names, result.reviewers, strict=True):
        distance = f"{r.post_edit_distance:.3f}" if r.post_edit_distance is not None else "-"
        minutes = f"{r.seconds / 60:.0f}m" if r.decisions > 1 else "-"
        lines.append(
            f"{name:<{width}} {r.translated:>6} {r.translated_words:>6} "
            f"{r.edited:>6} {r.edited_words:>6} {r.approved:>8} {r.approved_words:>6} "
            f"{r.drafts_taken:>6} {r.drafts_unchanged:>5} {distance:>7} {minutes:>7}"
        )
    return "\n".join(lines)
