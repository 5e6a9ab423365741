"""Segmenting Chinese newspaper text: blocks, page-break repair, sentences.

``segment_document`` is the one entry point. Extraction and the edition
build both call it, so that a document is always cut the same way and a
catalog entry is found again by its text (the po4a/po2txt approach).
"""

from __future__ import annotations

from bisect import bisect_right

from . import rules
from .blocks import classify, split_blocks
from .model import Block, BlockType, Document, Join, Line, Part, Segment
from .repair import repair_page_breaks
from .sentences import split_sentences

__all__ = ["Block", "BlockType", "Document", "Join", "Line", "Part", "Segment", "segment_block", "segment_document"]


def segment_document(name: str, text: str, repair: bool = True) -> Document:
    """Segment ``text`` (``\\n`` line ends) into typed blocks of segments.

    ``repair=False`` joins no blocks across page breaks: for sources with
    one paragraph per line. Extraction and build must cut a document with
    the same setting."""
    blocks = repair_page_breaks(classify(split_blocks(text)), enabled=repair)
    for block in blocks:
        block.segments = _segments(block)
    return Document(name, blocks, repair)


def segment_block(block: Block) -> list[Segment]:
    """The segments of one typed block (sentences; a qa-turn's speaker label
    and a caption's photo credit as parts of their own): the rules
    :func:`segment_document` applies, for a block a format reader made."""
    return _segments(block)


def _line_at(block: Block, offsets: list[int], pos: int) -> int:
    """The source line of position ``pos`` of the block's text."""
    k = bisect_right(offsets, pos) - 1
    return block.lines[max(k, 0)].number


def _line_offsets(lines: list[Line], text: str) -> list[int]:
    """Where each line starts in the joined block text."""
    offsets, pos = [], 0
    for line in lines:
        pos = text.index(line.text, pos)
        offsets.append(pos)
        pos += len(line.text)
    return offsets


def _segments(block: Block) -> list[Segment]:
    text = block.text
    spans: list[tuple[int, int, Part]] = []
    start, end = 0, len(text)

    if block.type is BlockType.QA_TURN:
        # The classifier typed the block by this label, so it is a speaker's.
        match = rules.SPEAKER_LABEL_RE.match(text)
        label = match.group(0) if match else None
        if label:
            core = label.rstrip(" \t\u3000")
            spans.append((0, len(core), Part.SPEAKER_LABEL))
            start = len(label)

    credit = None
    if block.type is BlockType.CAPTION:
        match = rules.CAPTION_RE.search(text, start)
        if match:
            stripped = match.group(0).rstrip()
            credit = (match.start(), match.start() + len(stripped), Part.PHOTO_CREDIT)
            end = match.start()

    spans.extend((a, b, Part.SENTENCE) for a, b in split_sentences(text[start:end], start))
    if credit:
        spans.append(credit)

    offsets = _line_offsets(block.lines, text)
    return [
        Segment(
            text=text[a:b],
            start=a,
            end=b,
            line=_line_at(block, offsets, a),
            part=part,
            translatable=rules.has_words(text[a:b]),
        )
        for a, b, part in spans
    ]
