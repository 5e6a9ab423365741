"""The segmenter's vocabulary: blocks and the segments inside them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class BlockType(str, Enum):
    """What a block of a newspaper page is. Editions style by it, checks read it."""

    TITLE = "title"
    SUBTITLE = "subtitle"
    BYLINE = "byline"
    SECTION_NUMBER = "section-number"
    HEADING = "heading"
    CAPTION = "caption"
    QA_TURN = "qa-turn"
    BODY = "body"


class Part(str, Enum):
    """A segment with a role of its own inside its block."""

    SENTENCE = "sentence"
    SPEAKER_LABEL = "speaker-label"  # 记者： at the start of a qa-turn
    PHOTO_CREDIT = "photo-credit"  # （严龙 摄） at the end of a caption


@dataclass(frozen=True)
class Segment:
    """One unit of translation: a sentence, a speaker label or a photo credit.

    ``start``/``end`` index the block's text, so that the block is rebuilt
    losslessly from its segments and the gaps between them.
    """

    text: str
    start: int
    end: int
    line: int
    part: Part = Part.SENTENCE
    translatable: bool = True
    #: In a formatted block (HTML, Markdown, DOCX): the msgid's inline tag
    #: number n (from 1) stands for ``block.inline.codes[codes[n - 1]]``
    #: (:mod:`pipeline.inline`). Empty for plain text.
    codes: tuple[int, ...] = ()


@dataclass
class Line:
    """A normalised source line and its 1-based number in the source file."""

    number: int
    text: str


@dataclass(frozen=True)
class Join:
    """A page break repaired: the block starting at source line ``line``
    continues the paragraph above it, for ``reason``. ``moved`` holds the
    first lines of the captions printed inside the sentence, moved after
    the joined paragraph."""

    line: int
    reason: str
    moved: tuple[int, ...] = ()


@dataclass
class Block:
    """A paragraph of the page: blank-line separated, page breaks repaired.

    ``reason`` says why the block has its type; ``joins`` lists the page
    breaks repaired inside it; ``kept_apart`` says why a block that stops
    mid-clause was not joined to the next one ("" when it was not a
    candidate)."""

    type: BlockType
    lines: list[Line]
    text: str = ""
    segments: list[Segment] = field(default_factory=list)
    reason: str = ""
    joins: list[Join] = field(default_factory=list)
    kept_apart: str = ""
    #: A formatted block's inline codes and where they stand in ``text``
    #: (then the plain text, tags removed; :class:`pipeline.inline.InlineContent`).
    #: None for plain text.
    inline: object = None
    #: The source format's own handle on the block (an lxml element, …), for its writer.
    anchor: object = None

    @property
    def line(self) -> int:
        return self.lines[0].number

    def gaps(self) -> list[str]:
        """The text between segments: ``gaps[i]`` precedes segment ``i``;
        the last item follows the last segment."""
        out, pos = [], 0
        for seg in self.segments:
            out.append(self.text[pos : seg.start])
            pos = seg.end
        out.append(self.text[pos:])
        return out


@dataclass
class Document:
    """A segmented source document."""

    name: str
    blocks: list[Block]
    #: Whether page breaks were repaired (``--no-repair`` turns it off).
    repair: bool = True
    #: The source format's parsed document (a tree, a package), for its writer.
    native: object = None
    #: The encoding the source was read in.
    encoding: str = ""

    def segments(self):
        """Every segment in document order, with its block."""
        for block in self.blocks:
            for seg in block.segments:
                yield block, seg
