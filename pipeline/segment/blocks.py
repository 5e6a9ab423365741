"""Split a source text into blocks and give each block a type."""

from __future__ import annotations

from collections import Counter

from . import rules
from .model import Block, BlockType, Line
from .normalize import normalize


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
    if rules.CJK_CONTEXT_RE.match(left_end) or rules.CJK_CONTEXT_RE.match(right_start):
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
    core = text.rstrip(rules.CLOSERS + " ")
    if not core:
        return False
    ends = rules.SENTENCE_ENDS + rules.ELLIPSIS + ("；" if rules.SEMICOLON_ENDS_SENTENCE else "")
    return core[-1] in ends or core[-1] in "?!."


def speaker_label(text: str, known: frozenset[str]) -> str | None:
    """The speaker label that opens ``text`` (``记者：``), if it is one of ``known``."""
    match = rules.SPEAKER_LABEL_RE.match(text)
    if match and match.group("label") in known:
        return match.group(0)
    return None


def speaker_labels(texts: list[str]) -> frozenset[str]:
    """Labels that are speaker labels in this document: the known ones, and any
    name that opens enough blocks."""
    counts = Counter(
        m.group("label") for t in texts if (m := rules.SPEAKER_LABEL_RE.match(t))
    )
    repeated = {label for label, n in counts.items() if n >= rules.SPEAKER_LABEL_MIN_REPEATS}
    return rules.KNOWN_SPEAKER_LABELS | repeated


def classify(groups: list[list[Line]]) -> list[Block]:
    """Type every block. The first blocks of a document without sentence-final
    punctuation are its title and subtitles, up to the byline or the first
    sentence."""
    texts = [block_text(g) for g in groups]
    labels = speaker_labels(texts)
    blocks: list[Block] = []
    in_header = True
    for lines, text in zip(groups, texts):
        btype = _classify_one(text, labels, in_header, seen_title=bool(blocks))
        if btype not in (BlockType.TITLE, BlockType.SUBTITLE):
            in_header = False
        blocks.append(Block(btype, lines, text))
    return blocks


def _looks_like_heading(text: str) -> bool:
    quoted_whole = text[0] in rules.QUOTE_PAIRS and text[-1] == rules.QUOTE_PAIRS[text[0]]
    return quoted_whole or not any(ch in rules.CLAUSE_PUNCT for ch in text)


def _classify_one(text: str, labels: frozenset[str], in_header: bool, seen_title: bool) -> BlockType:
    if rules.CAPTION_RE.search(text):
        return BlockType.CAPTION
    if rules.SECTION_NUMBER_RE.match(text):
        return BlockType.SECTION_NUMBER
    if rules.BYLINE_RE.match(text):
        return BlockType.BYLINE
    unfinished = not ends_sentence(text)
    if in_header and unfinished and len(text) <= rules.MAX_TITLE_CHARS:
        return BlockType.SUBTITLE if seen_title else BlockType.TITLE
    if speaker_label(text, labels):
        return BlockType.QA_TURN
    if unfinished and len(text) <= rules.MAX_HEADING_CHARS and _looks_like_heading(text):
        return BlockType.HEADING
    return BlockType.BODY
