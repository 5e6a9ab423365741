"""Inline formatting inside a sentence, as numbered tags in msgids.

A formatted source (HTML, Markdown, DOCX) has formatting inside its
paragraphs: bold, a link, a footnote reference, an image. Each such piece
is an inline *code* of its block. In a msgid a code is a numbered tag:

* ``<1>…</1>`` a paired code (bold, italics, a link, ``<sup>``, a Word run in
  another font) around the text it formats;
* ``<2/>`` a standalone code (a line break, an image, a footnote or field
  reference, an inline ``code`` element or anything else whose content is
  not translated), which stands where it stands.

For example ``据<1>新华社</1>报道，<2/>…``. Tags are numbered per segment, from
1, in order of appearance, so a msgid does not change when its sentence
moves inside its block; :attr:`pipeline.segment.Segment.codes` maps the
numbers back to the block's codes. A translator keeps every tag exactly
once and may reorder them (English word order differs), as long as pairs
stay properly nested; the ``placeholders`` check
(:mod:`pipeline.checks.placeholders`) says what is wrong otherwise.

**Segmenting.** The sentence rules run on the block's plain text, where the
codes are zero-width. A paired code that covers whole segments (a bold
paragraph) wraps them from outside and is not in any msgid; one that
crosses a sentence boundary is closed at the end of one segment and
reopened in the next; a standalone code between two sentences stays
between them, outside both.

**Text that looks like a tag.** In a formatted source, text that itself
matches the tag syntax (``&lt;1&gt;`` in an HTML page) becomes a standalone
code whose :attr:`Code.literal` is that text: the msgid shows ``<3/>`` and
the writer writes the text back. So in a msgid ``<N>``, ``</N>`` and
``<N/>`` are always codes. (A plain-text source is read as it is; a msgid
whose tags do not form a valid structure has no codes, and the check and
term protection treat its tag-like text as text to keep.)

Readers build a block with :class:`InlineBuilder` and :func:`make_block`;
writers turn a block and its translations back into a well-nested stream of
pieces with :func:`rebuild`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from .errors import SourceError
from .segment import Block, BlockType, Line, segment_block
from .segment.rules import has_words
from .textsafety import first_unsafe

#: An inline tag in a msgid: ``<N>`` (group 1), ``</N>`` (group 2), ``<N/>`` (group 3).
TAG_RE = re.compile(r"<(?:(\d{1,3})|/(\d{1,3})|(\d{1,3})/)>")

OPEN, CLOSE, SINGLE = "open", "close", "single"


@dataclass(frozen=True)
class Token:
    """A tag of a msgid or translation: its kind, number and span."""

    kind: str  # OPEN, CLOSE or SINGLE
    number: int
    start: int
    end: int

    @property
    def text(self) -> str:
        return {OPEN: f"<{self.number}>", CLOSE: f"</{self.number}>", SINGLE: f"<{self.number}/>"}[self.kind]


def parse(text: str) -> list[Token]:
    """The tags of ``text``, in order."""
    out = []
    for m in TAG_RE.finditer(text):
        if m.group(1) is not None:
            out.append(Token(OPEN, int(m.group(1)), m.start(), m.end()))
        elif m.group(2) is not None:
            out.append(Token(CLOSE, int(m.group(2)), m.start(), m.end()))
        else:
            out.append(Token(SINGLE, int(m.group(3)), m.start(), m.end()))
    return out


def strip_tags(text: str) -> str:
    """``text`` without its tags."""
    return TAG_RE.sub("", text)


def nesting_problems(tokens: list[Token]) -> list[str]:
    """What is wrong with the nesting of ``tokens``: a close before its
    open, crossing pairs, an open never closed."""
    problems: list[str] = []
    stack: list[int] = []
    early: set[int] = set()  # closed before they opened: said once
    for tok in tokens:
        if tok.kind == OPEN:
            if tok.number not in early:
                stack.append(tok.number)
        elif tok.kind == CLOSE:
            if tok.number not in stack:
                early.add(tok.number)
                problems.append(f"</{tok.number}> comes before <{tok.number}>")
            elif stack[-1] != tok.number:
                problems.append(f"</{tok.number}> closes across <{stack[-1]}>")
                stack.remove(tok.number)
            else:
                stack.pop()
    problems.extend(f"<{n}> is never closed" for n in stack)
    return problems


def is_well_formed(text: str) -> bool:
    """Whether the tags of ``text`` are each used once and properly nested."""
    tokens = parse(text)
    counts = Counter((t.kind, t.number) for t in tokens)
    if any(n > 1 for n in counts.values()):
        return False
    numbers = Counter(t.number for t in tokens if t.kind != CLOSE)
    if any(n > 1 for n in numbers.values()):
        return False
    return not nesting_problems(tokens)


def tag_problems(msgid: str, translation: str) -> list[str]:
    """What is wrong with the tags of ``translation`` against those of
    ``msgid``: missing, extra, duplicated or badly nested, one line each.
    A msgid whose tag-like text is not a valid structure has no codes."""
    if not TAG_RE.search(msgid) and not TAG_RE.search(translation):
        return []
    source = parse(msgid)
    if not is_well_formed(msgid):
        return []
    want = Counter(t.text for t in source)
    target = parse(translation)
    have = Counter(t.text for t in target)
    problems = []
    missing = [t for t in want if have[t] == 0]
    extra = [t for t in have if want[t] == 0]
    doubled = [t for t in have if want[t] and have[t] > want[t]]
    if missing:
        problems.append("missing tag " + ", ".join(missing))
    if extra:
        problems.append("extra tag " + ", ".join(extra) + " (not in the source)")
    if doubled:
        problems.append("duplicated tag " + ", ".join(f"{t} ×{have[t]}" for t in doubled))
    if not problems:
        nested = nesting_problems(target)
        if nested:
            problems.append("badly nested tags: " + "; ".join(nested))
    return problems


# --- The block model ------------------------------------------------------------------


@dataclass
class Code:
    """One inline code of a block. ``data`` is the reader's (an lxml
    element, a run's formatting…), for its writer; ``literal`` is set for a
    standalone code that stands for source text looking like a tag."""

    index: int
    kind: str  # "paired" or "standalone"
    data: Any = None
    literal: str | None = None


@dataclass(frozen=True)
class Event:
    """Where a code opens, closes or stands in the block's plain text."""

    pos: int
    kind: str  # OPEN, CLOSE, SINGLE
    code: int


@dataclass
class InlineContent:
    """A formatted block's codes and their events, in document order.
    ``lead``/``trail``: raw text the reader kept out of the plain text
    (indentation around the block's content), written back as it is."""

    codes: list[Code]
    events: list[Event]
    lead: str = ""
    trail: str = ""


class InlineBuilder:
    """Flattens one block's inline content, in document order."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.pos = 0
        self.codes: list[Code] = []
        self.events: list[Event] = []

    @property
    def plain(self) -> str:
        return "".join(self._parts)

    def text(self, text: str) -> None:
        if text:
            self._parts.append(text)
            self.pos += len(text)

    def open(self, data: Any = None) -> int:
        code = Code(len(self.codes), "paired", data)
        self.codes.append(code)
        self.events.append(Event(self.pos, OPEN, code.index))
        return code.index

    def close(self, index: int) -> None:
        last = self.events[-1] if self.events else None
        if last is not None and last.kind == OPEN and last.code == index and last.pos == self.pos:
            # An empty pair (<a name="x"></a>) is a standalone code.
            self.events[-1] = Event(self.pos, SINGLE, index)
            self.codes[index].kind = "standalone"
            return
        self.events.append(Event(self.pos, CLOSE, index))

    def standalone(self, data: Any = None, literal: str | None = None) -> int:
        code = Code(len(self.codes), "standalone", data, literal)
        self.codes.append(code)
        self.events.append(Event(self.pos, SINGLE, code.index))
        return code.index

    def literal_text(self, text: str) -> None:
        """Source text that may hold tag-like text (``<1>``): the tag-like
        parts become standalone literal codes, the rest plain text."""
        pos = 0
        for m in TAG_RE.finditer(text):
            self.text(text[pos : m.start()])
            self.standalone(None, literal=m.group(0))
            pos = m.end()
        self.text(text[pos:])


def build_from_pieces(pieces: list, codes: dict) -> InlineBuilder:
    """An :class:`InlineBuilder` fed from a format reader's flat list of
    ``pieces``: text (a literal ``<1>`` in it stays text), or
    ``("open" | "close" | "standalone", n)`` with ``codes[n]`` what tag ``n``
    stands for (Markdown and DOCX readers list their paragraphs so)."""
    builder = InlineBuilder()
    opened: dict[int, int] = {}
    for piece in pieces:
        if isinstance(piece, str):
            builder.literal_text(piece)
            continue
        kind, n = piece
        if kind == "open":
            opened[n] = builder.open(codes[n])
        elif kind == "close":
            builder.close(opened[n])
        else:
            builder.standalone(codes[n])
    return builder


def make_block(
    builder: InlineBuilder,
    btype: BlockType,
    line: int,
    anchor: Any = None,
    reason: str = "",
    lead: str = "",
    trail: str = "",
    where: str = "",
) -> Block | None:
    """The block of ``builder``'s content, segmented as today (sentences on
    the plain text; photo credit and speaker label parts by the block's
    type), with tagged msgids; None when it has no words. A sentence with
    more inline codes than a msgid can number is cut into parts; a
    SourceError (naming ``where``, the file) when it cannot be."""
    plain = builder.plain
    if not has_words(plain):
        return None
    inline = InlineContent(builder.codes, builder.events, lead, trail)
    block = Block(btype, [Line(line, plain)], plain, reason=reason, inline=inline, anchor=anchor)
    segments = _split_crowded(segment_block(block), inline.events, where)
    spans = [(seg.start, seg.end) for seg in segments]
    inside = _inside_codes(inline, spans)
    spans, joined = _join_enclosed(inline, inside, spans)
    inside |= set(joined)
    tagged = [
        _tagged(plain, events, s, e)
        for (s, e), events in zip(spans, _segment_events(inline, inside, spans, joined), strict=True)
    ]
    block.segments = [
        replace(seg, start=s, end=e, text=text, codes=codes)
        for seg, (s, e), (text, codes) in zip(segments, spans, tagged, strict=True)
    ]
    return block


#: The most tags a msgid has: ``<999>`` is the last (the tag syntax,
#: :data:`TAG_RE`, and the MT placeholders have three digits).
MAX_TAGS = 999
#: A sentence with more inline codes than this is cut at the next code's
#: place (a "sentence" of 1,000 links is a list, not a sentence), the pairs
#: open there reopened in each part: its tags (two per pair, and the pairs
#: reopened, at most the nesting depth) and its terms then fit in the MT's
#: 1,000 placeholders (pipeline.terms.protect).
_SPLIT_AT = 250


def _split_crowded(segments: list, events: list[Event], where: str = "") -> list:
    """``segments``, each with more than :data:`_SPLIT_AT` codes cut into
    parts at a code's position; a SourceError when a part still has more
    than :data:`MAX_TAGS` (that many codes at one place: nothing to cut at)."""
    positions = [ev.pos for ev in events if ev.kind != CLOSE]  # the codes a msgid numbers
    if len(positions) <= _SPLIT_AT:
        return segments

    def count(start: int, end: int) -> int:
        return bisect_left(positions, end) - bisect_left(positions, start)

    out = []
    for seg in segments:
        start = seg.start
        while count(start, seg.end) > _SPLIT_AT:
            first = bisect_left(positions, start)
            cut = positions[first + _SPLIT_AT]
            if cut == positions[first]:  # more codes than that at one place: cut after them
                k = bisect_right(positions, cut)
                cut = positions[k] if k < len(positions) else seg.end
            if cut >= seg.end:
                break
            out.append(replace(seg, start=start, end=cut))
            start = cut
        out.append(replace(seg, start=start, end=seg.end))
    for seg in out:
        if count(seg.start, seg.end) > MAX_TAGS:
            place = f"{where}:{seg.line}" if where else f"line {seg.line}"
            raise SourceError(f"{place}: more than {MAX_TAGS} inline codes in one sentence, at one place")
    return out


def _inside_codes(inline: InlineContent, spans: list[tuple[int, int]]) -> set[int]:
    """The codes that stand in msgids: a standalone code strictly inside a
    segment, a pair with an end strictly inside one."""
    starts = [s for s, _ in spans]

    def strictly_inside(p: int) -> bool:
        i = bisect_right(starts, p) - 1
        return i >= 0 and spans[i][0] < p < spans[i][1]

    return {ev.code for ev in inline.events if strictly_inside(ev.pos)}


def _join_enclosed(
    inline: InlineContent, inside: set[int], spans: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], dict[int, int]]:
    """Standalone codes between segments that sit inside a pair of a
    msgid join that msgid: ``**`code` text**`` (the code before the
    sentence's first word, inside the bold the msgid opens) would otherwise
    be written before the bold, out of it. A code joins the segment the
    enclosing pair continues into (the next one, else the previous one),
    whose span grows to reach it, with the gap's other standalone codes on
    the way. Returns the spans and ``{code: segment index}``."""
    events = inline.events
    opened = {ev.code: i for i, ev in enumerate(events) if ev.kind == OPEN and ev.code in inside}
    closed = {ev.code: i for i, ev in enumerate(events) if ev.kind == CLOSE and ev.code in inside}
    starts = [s for s, _ in spans]
    spans = list(spans)
    joined: dict[int, int] = {}
    # Per gap (the segment after it): the events in it, in order, each with
    # the msgid pairs open around it (one sweep; at most the nesting depth).
    gaps: dict[int, list[tuple[int, tuple[int, ...]]]] = {}
    open_now: list[int] = []
    for idx, ev in enumerate(events):
        if ev.code in inside:
            if ev.kind == OPEN:
                open_now.append(ev.code)
            elif ev.kind == CLOSE and ev.code in open_now:
                open_now.remove(ev.code)
            continue
        i = bisect_right(starts, ev.pos - 1)  # the first segment starting at or after ev.pos
        if i > 0 and ev.pos < spans[i - 1][1]:
            continue  # strictly inside a segment (a pair around it), not in a gap
        gaps.setdefault(i, []).append((idx, tuple(open_now) if ev.kind == SINGLE else ()))
    for i, entries in gaps.items():
        members = [idx for idx, _ in entries]
        to_next, to_previous = [], []
        for idx, enclosing in entries:
            if i < len(spans) and any(k in closed and events[closed[k]].pos > spans[i][0] for k in enclosing):
                to_next.append(idx)
            elif i > 0 and any(events[opened[k]].pos < spans[i - 1][1] for k in enclosing):
                to_previous.append(idx)
        if to_next:
            # From the first code joining to the segment: every event a standalone code.
            tail = members[members.index(to_next[0]) :]
            if all(events[idx].kind == SINGLE for idx in tail):
                spans[i] = (events[tail[0]].pos, spans[i][1])
                joined.update((events[idx].code, i) for idx in tail)
        if to_previous:
            head = members[: members.index(to_previous[-1]) + 1]
            if all(events[idx].kind == SINGLE and events[idx].code not in joined for idx in head):
                spans[i - 1] = (spans[i - 1][0], events[head[-1]].pos)
                joined.update((events[idx].code, i - 1) for idx in head)
    return spans, joined


def _segment_events(
    inline: InlineContent, inside: set[int], spans: list[tuple[int, int]], joined: dict[int, int] | None = None
):
    """For each segment ``[s, e)``, its tags: ``(pos, kind, code)``, pairs
    that cross a boundary reopened at ``s`` and closed at ``e``; a code of
    ``joined`` at ``e`` belongs to the segment it joined. One sweep over the
    block's events."""
    joined = joined or {}
    events = inline.events
    open_pairs: list[int] = []  # inside pairs open at the sweep's position, outermost first
    j = 0

    def apply(ev: Event) -> None:
        if ev.code not in inside:
            return
        if ev.kind == OPEN:
            open_pairs.append(ev.code)
        elif ev.kind == CLOSE and ev.code in open_pairs:
            open_pairs.remove(ev.code)

    for i, (s, e) in enumerate(spans):
        while j < len(events) and (events[j].pos < s or (events[j].pos == s and events[j].kind == CLOSE)):
            apply(events[j])
            j += 1
        out = [(s, OPEN, k) for k in open_pairs]
        while j < len(events) and (
            events[j].pos < e or (events[j].pos == e and (events[j].kind == CLOSE or joined.get(events[j].code) == i))
        ):
            ev = events[j]
            if ev.code in inside and (ev.kind != CLOSE or ev.code in open_pairs):
                out.append((ev.pos, ev.kind, ev.code))
            apply(ev)
            j += 1
        out.extend((e, CLOSE, k) for k in reversed(open_pairs))
        yield out


def _tagged(plain: str, events: list[tuple[int, str, int]], s: int, e: int) -> tuple[str, tuple[int, ...]]:
    """The msgid of segment ``[s, e)`` and its code map."""
    numbers: dict[int, int] = {}
    codes: list[int] = []
    pieces, pos = [], s
    for p, kind, k in events:
        pieces.append(plain[pos:p])
        pos = p
        if kind == CLOSE:
            pieces.append(f"</{numbers[k]}>")
            continue
        codes.append(k)
        numbers[k] = len(codes)
        pieces.append(f"<{len(codes)}>" if kind == OPEN else f"<{len(codes)}/>")
    pieces.append(plain[pos:e])
    return "".join(pieces), tuple(codes)


def classify_text(text: str, speakers: frozenset[str] = frozenset()) -> tuple[BlockType, str]:
    """The type a paragraph of a formatted source gets from its text, where
    its markup says nothing more (a ``<p>``, a list item, a table cell):
    caption (ends in a photo credit), section number, byline (a reporter's
    role and name, a credit line, a dateline), qa-turn (opens with one of
    ``speakers``, :func:`pipeline.segment.blocks.find_speakers`), else body."""
    from .segment.blocks import speaker_label, type_by_pattern

    by_pattern = type_by_pattern(text)
    if by_pattern:
        return by_pattern
    label = speaker_label(text, speakers)
    if label:
        return BlockType.QA_TURN, f"opens with the speaker label {label.strip()}"
    return BlockType.BODY, "a paragraph"


# --- Writing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Open:
    code: Code


@dataclass(frozen=True)
class Close:
    code: Code


@dataclass(frozen=True)
class Single:
    code: Code


@dataclass(frozen=True)
class Begin:
    """A segment shown as something other than a reviewed translation starts (``shown``)."""

    shown: Any


@dataclass(frozen=True)
class End:
    shown: Any


Piece = Text | Open | Close | Single | Begin | End


def resolve(msgid: str, target: str) -> tuple[str, bool]:
    """``target`` if its tags match ``msgid``'s and it holds no character
    :mod:`pipeline.textsafety` refuses (a bidirectional override would
    reorder the page around it), else ``msgid``; and whether the target
    was kept."""
    if first_unsafe(target) is None and (target == msgid or not tag_problems(msgid, target)):
        return target, True
    return msgid, False


def usable(block: Block, msgid: str, target: str) -> bool:
    """Whether ``target`` can be shown for the segment ``msgid`` of
    ``block``: no refused character, and in a formatted block, tags that
    match the msgid's (:func:`resolve`). Editions show the source otherwise,
    as untranslated (:func:`pipeline.editions.assemble`)."""
    if block.inline is None:
        return first_unsafe(target) is None
    return resolve(msgid, target)[1]


def _segment_pieces(block: Block, seg_codes: tuple[int, ...], text: str) -> list[Piece]:
    """A msgid-shaped text (tags numbered per segment) as pieces of the block's codes."""
    codes = block.inline.codes
    out: list[Piece] = []
    pos = 0
    valid = is_well_formed(text)
    for tok in parse(text):
        out.append(Text(text[pos : tok.start]))
        pos = tok.end
        if not valid or not 1 <= tok.number <= len(seg_codes):
            out.append(Text(tok.text))  # tag-like text of a text that has no codes
            continue
        code = codes[seg_codes[tok.number - 1]]
        if code.literal is not None:
            out.append(Text(code.literal))
        else:
            out.append({OPEN: Open, CLOSE: Close, SINGLE: Single}[tok.kind](code))
    out.append(Text(text[pos:]))
    return [p for p in out if not (isinstance(p, Text) and not p.text)]


def rebuild(block: Block, eblock: Any) -> list[Piece]:
    """The content of ``block`` with each segment replaced by what
    ``eblock`` (its :class:`pipeline.editions.model.EditionBlock`) shows,
    as well-nested pieces. A translation whose tags do not match its msgid
    is replaced by its source (shown as untranslated)."""
    from .editions.model import Shown

    inline: InlineContent = block.inline
    plain = block.text
    codes = inline.codes
    spans = [(seg.start, seg.end) for seg in block.segments]
    inside = {k for seg in block.segments for k in seg.codes}
    outside = [ev for ev in inline.events if ev.code not in inside]
    out: list[Piece] = [Text(inline.lead)] if inline.lead else []
    ev_i, pos = 0, 0
    previous_english = False

    def emit_until(limit: int, separator: bool) -> None:
        nonlocal ev_i, pos
        pending_sep = separator
        while ev_i < len(outside) and outside[ev_i].pos <= limit:
            ev = outside[ev_i]
            if ev.pos > pos:
                out.append(Text(plain[pos : ev.pos]))
                pos = ev.pos
                pending_sep = False
            code = codes[ev.code]
            if ev.kind == OPEN and pending_sep:
                out.append(Text(" "))
                pending_sep = False
            if code.literal is not None:
                out.append(Text(code.literal))
            else:
                out.append({OPEN: Open, CLOSE: Close, SINGLE: Single}[ev.kind](code))
            ev_i += 1
        if limit > pos:
            out.append(Text(plain[pos:limit]))
            pos = limit
            pending_sep = False
        if pending_sep:
            out.append(Text(" "))

    for (s, e), seg, eseg in zip(spans, block.segments, eblock.segments, strict=True):
        target, kept = resolve(seg.text, eseg.target)
        shown = eseg.shown if kept else Shown.UNTRANSLATED
        english = target != seg.text
        emit_until(s, separator=s == pos and pos > 0 and (english or previous_english))
        pos = e
        marked = shown in (Shown.UNTRANSLATED, Shown.MACHINE_DRAFT)
        if marked:
            out.append(Begin(shown))
        out.extend(_segment_pieces(block, seg.codes, target))
        if marked:
            out.append(End(shown))
        previous_english = english
    emit_until(len(plain), separator=False)
    if inline.trail:
        out.append(Text(inline.trail))
    return _merge_reopened(out)


def _merge_reopened(pieces: list[Piece]) -> list[Piece]:
    """Pairs closed and reopened with only white space between (a pair
    reopened in the next sentence) become one: ``</2></1> <1><2>`` → `` ``,
    from the outermost in, as far as the closes and the opens mirror each
    other (``</2></1> <1><3>`` → ``</2> <3>``)."""
    out: list[Piece] = []
    i = 0
    while i < len(pieces):
        if not isinstance(pieces[i], Close):
            out.append(pieces[i])
            i += 1
            continue
        j = i
        while j < len(pieces) and isinstance(pieces[j], Close):
            j += 1
        closes = pieces[i:j]  # innermost first
        k = j
        while k < len(pieces) and isinstance(pieces[k], Text) and not pieces[k].text.strip():
            k += 1
        space = pieces[j:k]
        m = k
        while m < len(pieces) and isinstance(pieces[m], Open):
            m += 1
        opens = pieces[k:m]  # outermost first
        same = 0
        while same < min(len(closes), len(opens)) and closes[len(closes) - 1 - same].code is opens[same].code:
            same += 1
        if same == 0:
            out.extend(closes)
            i = j
            continue
        out.extend(closes[: len(closes) - same])
        out.extend(space)
        out.extend(opens[same:])
        i = m
    return out


def plain_text(block: Block, seg_codes: tuple[int, ...], text: str) -> str:
    """``text`` (a msgid or a translation of a segment of ``block``) without
    tags, literal codes written as their text."""
    if block.inline is None:
        return text
    return "".join(p.text for p in _segment_pieces(block, seg_codes, text) if isinstance(p, Text))


def plain_edition(edition: Any, document: Any) -> Any:
    """``edition`` with the tags of formatted blocks removed, for the
    renderers of plain editions (text, Markdown, bilingual HTML). A
    translation whose tags do not match its msgid shows its source."""
    from .editions.model import Shown

    blocks = []
    demoted: list[Shown] = []
    for block, eblock in zip(document.blocks, edition.blocks, strict=True):
        if block.inline is None:
            blocks.append(eblock)
            continue
        segments, source, pos = [], [], 0
        for seg, eseg in zip(block.segments, eblock.segments, strict=True):
            target, kept = resolve(seg.text, eseg.target)
            if not kept:
                demoted.append(eseg.shown)
            src = plain_text(block, seg.codes, seg.text)
            source += [block.text[pos : seg.start], src]
            pos = seg.end
            segments.append(
                replace(
                    eseg,
                    source=src,
                    target=plain_text(block, seg.codes, target),
                    shown=eseg.shown if kept else Shown.UNTRANSLATED,
                )
            )
        source.append(block.text[pos:])
        blocks.append(replace(eblock, source="".join(source).strip(), segments=segments))
    coverage = edition.coverage
    if demoted:
        coverage = replace(
            coverage,
            translated=coverage.translated - len(demoted),
            reviewed=coverage.reviewed - demoted.count(Shown.REVIEWED),
            machine_drafts=coverage.machine_drafts - demoted.count(Shown.MACHINE_DRAFT),
        )
    return replace(edition, blocks=blocks, coverage=coverage)


__all__ = [
    "TAG_RE",
    "classify_text",
    "Begin",
    "Close",
    "Code",
    "End",
    "Event",
    "InlineBuilder",
    "InlineContent",
    "Open",
    "Single",
    "Text",
    "Token",
    "is_well_formed",
    "make_block",
    "nesting_problems",
    "parse",
    "plain_edition",
    "plain_text",
    "rebuild",
    "resolve",
    "strip_tags",
    "tag_problems",
    "usable",
]
