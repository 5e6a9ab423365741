"""Split a source text into blocks and give each block a type."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from ..zh.script import CJK_CONTEXT_RE, CLOSERS, ELLIPSIS, FULL_STOP, SENTENCE_ENDS
from . import rules
from .model import Block, BlockType, Line
from .normalize import normalize
from .sentences import boundaries


def split_blocks(text: str) -> list[list[Line]]:
    """Blank-line separated groups of normalised, non-blank lines.

    ``text`` has ``\\n`` line ends. A form feed (a page break in text taken
    from a PDF) separates blocks like a blank line.
    """
    groups: list[list[Line]] = []
    current: list[Line] = []

    def flush() -> None:
        nonlocal current
        if current:
            groups.append(current)
            current = []

    for number, raw in enumerate(text.split("\n"), start=1):
        for k, piece in enumerate(raw.split("\f")):
            if k > 0:
                flush()
            stripped = piece.strip(" \t\u3000\r\v")
            if stripped:
                current.append(Line(number, normalize(stripped)))
            else:
                flush()
    flush()
    return groups


def _separator(left_end: str, right_start: str) -> str:
    """What goes between two pieces of one paragraph: nothing where Chinese
    meets, one space between two Latin-script ends."""
    if CJK_CONTEXT_RE.match(left_end) or CJK_CONTEXT_RE.match(right_start):
        return ""
    return " "


def join_text(left: str, right: str) -> str:
    """Join two pieces of one paragraph: no space where Chinese meets, one
    space between two Latin-script ends."""
    if not left or not right:
        return left + right
    return left + _separator(left[-1], right[0]) + right


def block_text(lines: list[Line]) -> str:
    """The text of a block: its lines joined by :func:`join_text`."""
    # Joined through a list: adding line after line to one string would copy
    # the paragraph again for every line.
    pieces: list[str] = []
    last = ""
    for line in lines:
        if not line.text:
            continue
        if last:
            pieces.append(_separator(last[-1], line.text[0]))
        pieces.append(line.text)
        last = line.text
    return "".join(pieces)


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends with sentence-final punctuation (closers skipped)."""
    core = text.rstrip(CLOSERS + " ")
    if not core:
        return False
    ends = SENTENCE_ENDS + ELLIPSIS + ("；" if rules.SEMICOLON_ENDS_SENTENCE else "")
    return core[-1] in ends or core[-1] in "?!."


def holds_full_stop(text: str) -> bool:
    """Whether a sentence of ``text`` ends with a full stop (。) before its
    last one: a paragraph of several sentences. A full stop inside a short
    quotation (《一。二》) does not count, nor do question and exclamation
    marks: they also separate the parts of a headline (再也不用找代购了！这…)."""
    cuts = boundaries(text)
    return bool(cuts) and FULL_STOP in text[: cuts[-1]]


@dataclass(frozen=True)
class Speakers:
    """The speaker labels of a document, and why (see :func:`find_speakers`)."""

    labels: frozenset[str]
    reason: str


def _label(text: str) -> str | None:
    """The label that opens ``text`` (``记者``), unless it is a reporting
    clause (``他说``)."""
    match = rules.SPEAKER_LABEL_RE.match(text)
    if not match:
        return None
    label = match.group("label")
    if label.endswith(rules.REPORTING_VERBS):
        return None
    return label


def find_speakers(texts: list[str]) -> Speakers:
    """The speaker labels of a document: only a dialogue has them.

    A label names a speaker when it is an interview role (问, 记者) or opens
    at least two blocks; the document is a dialogue when turns of two
    different speakers follow each other directly at least
    ``MIN_DIALOGUE_EXCHANGES`` times. ``她说：`` or ``原标题：`` opening
    paragraphs of running news are no dialogue."""
    labels = [_label(t) for t in texts]
    counts = Counter(label for label in labels if label)
    speakers = {
        label
        for label, n in counts.items()
        if label in rules.KNOWN_SPEAKER_LABELS or n >= rules.SPEAKER_LABEL_MIN_REPEATS
    }
    exchanges = sum(1 for a, b in pairwise(labels) if a in speakers and b in speakers and a != b)
    if exchanges >= rules.MIN_DIALOGUE_EXCHANGES:
        named = "、".join(sorted(speakers, key=lambda label: (-counts[label], label)))
        return Speakers(frozenset(speakers), f"a dialogue: turns of {named} follow each other {exchanges} times")
    if exchanges or speakers:
        return Speakers(
            frozenset(),
            f"no dialogue: speakers take turns {exchanges} time(s), fewer than {rules.MIN_DIALOGUE_EXCHANGES}",
        )
    return Speakers(frozenset(), "")


def speaker_label(text: str, known: frozenset[str]) -> str | None:
    """The speaker label that opens ``text`` (``记者：``), if it is one of ``known``."""
    match = rules.SPEAKER_LABEL_RE.match(text)
    if match and match.group("label") in known:
        return match.group(0)
    return None


def classify(groups: list[list[Line]]) -> list[Block]:
    """Type every block and say why. The first blocks of a document without
    sentence-final punctuation are its title and subtitles, up to the byline
    or the first sentence."""
    texts = [block_text(g) for g in groups]
    speakers = find_speakers(texts)
    blocks: list[Block] = []
    in_header = True
    for lines, text in zip(groups, texts, strict=True):
        btype, reason = _classify_one(text, speakers, in_header, seen_title=bool(blocks))
        if btype not in (BlockType.TITLE, BlockType.SUBTITLE):
            in_header = False
        blocks.append(Block(btype, lines, text, reason=reason))
    return blocks


def type_by_pattern(text: str) -> tuple[BlockType, str] | None:
    """The type a block's text alone shows, whatever the source format: a
    caption (ends in a photo credit), a section number, a byline (a
    reporter's role and name, a credit line, a dateline); None otherwise."""
    if rules.CAPTION_RE.search(text):
        return BlockType.CAPTION, "ends in a photo credit"
    if rules.SECTION_NUMBER_RE.match(text):
        return BlockType.SECTION_NUMBER, "a number standing alone"
    if rules.BYLINE_RE.match(text):
        return BlockType.BYLINE, "a reporter's role and name"
    if rules.CREDIT_LINE_RE.match(text):
        return BlockType.BYLINE, "a credit line (who reported, edited)"
    if rules.DATELINE_RE.match(text):
        return BlockType.BYLINE, "a dateline"
    return None


def _classify_one(text: str, speakers: Speakers, in_header: bool, seen_title: bool) -> tuple[BlockType, str]:
    by_pattern = type_by_pattern(text)
    if by_pattern:
        return by_pattern
    unfinished = not ends_sentence(text)
    if in_header and unfinished and len(text) <= rules.MAX_TITLE_CHARS:
        if seen_title:
            return BlockType.SUBTITLE, "no sentence-final punctuation, under the title"
        return BlockType.TITLE, "no sentence-final punctuation, at the top of the document"
    label = speaker_label(text, speakers.labels)
    if label:
        return BlockType.QA_TURN, f"opens with the speaker label {label.strip()} ({speakers.reason})"
    if not unfinished:
        btype, reason = BlockType.BODY, "ends a sentence"
    elif holds_full_stop(text):
        btype, reason = BlockType.BODY, "a paragraph of several sentences; the last one is unfinished"
    else:
        btype, reason = BlockType.HEADING, "holds no sentence end: a headline, standfirst, subhead, caption or dateline"
    return btype, reason + _why_no_speaker(text, speakers)


def _why_no_speaker(text: str, speakers: Speakers) -> str:
    """Why a block that opens like a speaker label (``她说：``) is no turn."""
    match = rules.SPEAKER_LABEL_RE.match(text)
    if not match:
        return ""
    label = match.group("label")
    if _label(text) is None:
        return f"; {label}： is a reporting clause, not a speaker label"
    return f"; {label}： is no speaker label ({speakers.reason or 'no dialogue'})"
