"""HTML pages: the text of the page in, the same page in English out.

**What is translated.** Every run of text in a block element: ``p``,
``h1``–``h6``, ``li``, ``td``/``th``, ``blockquote``, ``figcaption``,
``dt``/``dd`` and any other container (a ``div`` holding text directly is
translated too). Block types come from the markup: ``h1`` and the page's
``<title>`` are titles, ``h2``–``h6`` headings, ``figcaption`` and a
table's ``caption`` captions, an element whose class says byline, author or
dateline (itself or one of its two nearest ancestors) a byline, one whose
class says subtitle, standfirst or deck a subtitle; other paragraphs are
typed by their text as plain text is (photo credit, reporter's byline,
dateline, section number, question-and-answer turns), else body. The
attributes ``alt``, ``title``, ``aria-label`` and ``placeholder``, and
``<meta name="description" content>``, are translated (each is a block of
its own).

Inside a block, inline elements (``b``, ``strong``, ``i``, ``em``, ``a``,
``sup``, ``sub``, ``span``, ``u``, ``small``, ``mark``, … and unknown
elements) are paired codes ``<1>…</1>``; ``br``, ``img``, ``wbr`` and
inline content that is not translated (``code``, ``kbd``, ``samp``,
``var``, ``script``, ``svg``, ``math``, an ``iframe``, a comment) are
standalone codes ``<2/>``. A ``ruby``'s base text joins the sentence with
no code (the msgid reads 宁波 as plain text would) and its annotations
(``rt``, ``rp``, ``rtc``: the pinyin) are left alone; a block rebuilt in
English has no ruby (pinyin over an English word means nothing), one
rebuilt as its source (untranslated, the identity build) has it back. White
space is collapsed as a browser shows it (a line break between two Chinese
characters is nothing).

**What is left alone.** ``script``, ``style``, ``code``, ``pre`` (and the
old ``xmp``, ``listing``, ``plaintext``), ``template``, ``textarea``,
``svg``, ``math``, ``noscript``, ruby annotations, comments, and every
element with ``translate="no"`` or the class ``notranslate`` with
everything inside it, except an element inside it with ``translate="yes"``
(translated as a block of its own, as the HTML standard says); inside a
paragraph, a ``translate="no"`` element is a standalone code, whatever it
holds.

**Encoding** (:func:`decode_html`), in this order:

1. a byte order mark (UTF-8, UTF-16) decides;
2. bytes that are valid UTF-8 (or plain ASCII) are UTF-8, whatever a
   ``<meta charset>`` says: a page converted to UTF-8 often keeps its old
   declaration, and GBK text is valid UTF-8 by accident only in runs of a
   character or two;
3. a declared charset other than the GB family and Latin-1 (Big5,
   Shift_JIS, …) when the bytes decode with it; but between Big5 and
   GB18030 (declared or not) the more plausible Chinese wins when the
   bytes decode both ways (:func:`_gb_or_big5`: the share of frequent
   characters and usual punctuation);
4. otherwise plain text's rule (:func:`pipeline.sources.decode`): GB18030
   (GB2312 and GBK, declared or not, are its subsets, as browsers read
   them), a page mixing UTF-8 and GBK refused; a Latin-1/Windows-1252
   declaration is believed only when the bytes are not GB18030 (a Chinese
   page mislabelled is the likelier case here); undecodable bytes are
   refused with their offset.

**Refused with one line**: a file that is not HTML (see
:func:`pipeline.formats.sniff`), nesting deeper than :data:`MAX_DEPTH`
(libxml2 stops at 256 anyway), an element with more than
:data:`MAX_ATTRIBUTES` attributes (libxml2 is quadratic in them), a text or
attribute value over libxml2's 10 MB limit, a refused control or
bidirectional character in translated text. Entities of an internal DTD
subset are never expanded (an entity bomb is inert).

Text is normalised as plain text is (OCR-style half-width punctuation in
Chinese context becomes full-width: :mod:`pipeline.segment.normalize`),
piece by piece between inline codes, so a page and the same article in
plain text share their msgids; page-break repair is not applied.

**Writing** (``build/<doc>.en.html``): the parsed page with each block's
content rebuilt from its translation (inline elements cloned from the
source with their attributes; standalone ones moved back as they were), the
``lang`` attribute of the root set to ``en``, written as UTF-8 (the meta
charset says so). A block whose translations all equal their source keeps
its nodes as they were. Untranslated and fuzzy segments show their source
in ``<span class="untranslated" lang="zh-Hans">``, as the Markdown
edition marks them. Everything else is lxml's serialisation of the parsed
page: the same DOM, doctype, comments and attributes; not always the same
bytes (attribute quotes, entity forms become characters).
"""

from __future__ import annotations

import codecs
import re
from collections import deque
from copy import deepcopy
from dataclasses import dataclass, field
from html.parser import HTMLParser as HTMLTokenizer

from lxml import etree
from lxml import html as lxml_html

from ..errors import SourceError
from ..inline import (
    Begin,
    Close,
    End,
    InlineBuilder,
    Open,
    Single,
    Text,
    classify_text,
    make_block,
    rebuild,
    resolve,
)
from ..languages import SOURCE, TARGET
from ..segment import Block, BlockType, Document
from ..segment.blocks import find_speakers
from ..segment.normalize import normalize
from ..sources import decode
from ..textsafety import describe, first_unsafe
from ..zh.script import CJK_CONTEXT_RE
from . import Format, ReadContext
from .ruby import ruby_back

#: Deeper nesting than this is refused (a page with more is broken or hostile).
MAX_DEPTH = 200

#: Elements whose content is a run of text with inline formatting.
INLINE_TAGS = frozenset(
    """a abbr acronym b bdi bdo big cite data del dfn em font i ins label mark nobr q s small span
    strike strong sub sup time tt u button output meter progress""".split()
)
#: Ruby annotations (pinyin over the characters they read): never translated,
#: and gone from a block rebuilt in English (pinyin over an English word means
#: nothing). They are skipped elements (:data:`SKIPPED_TAGS`).
ANNOTATION_TAGS = frozenset({"rt", "rp", "rtc"})
#: The ruby and its base (``rb``, ``rbc`` of older pages): the base text joins
#: the sentence with no code, so a msgid reads 宁波 as plain text would; a block
#: rebuilt in English has no ruby, one rebuilt as its source (untranslated,
#: the identity build) has it back (:func:`pipeline.formats.ruby.ruby_back`).
RUBY_TAGS = frozenset({"ruby", "rb", "rbc"})
#: Inline elements that stand alone (void, or content not translated): ``<N/>``.
STANDALONE_TAGS = frozenset(
    """br wbr img input embed object iframe video audio canvas picture svg math code kbd samp var script
    style template noscript select textarea map area source track param xmp listing plaintext noembed
    noframes""".split()
)
#: Elements never looked into (as a block or inline).
SKIPPED_TAGS = ANNOTATION_TAGS | frozenset(
    """script style code pre template textarea svg math noscript select iframe object xmp listing plaintext
    noembed noframes""".split()
)
#: Translatable attributes.
ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
#: The block type of a translatable attribute's text (DOCX alt text and ScreenTips use it too).
ATTRIBUTE_TYPES = {"alt": BlockType.CAPTION, "title": BlockType.HEADING}

_WHITESPACE_RE = re.compile(r"[ \t\n\r\f]+")
_CLASS_TYPES = (
    (re.compile(r"byline|author|dateline|reporter", re.I), BlockType.BYLINE),
    (re.compile(r"sub-?title|subhead|standfirst|\bdeck\b|\bdek\b", re.I), BlockType.SUBTITLE),
    (re.compile(r"caption", re.I), BlockType.CAPTION),
)
_TAG_TYPES = {
    "h1": BlockType.TITLE,
    "title": BlockType.TITLE,
    "h2": BlockType.HEADING,
    "h3": BlockType.HEADING,
    "h4": BlockType.HEADING,
    "h5": BlockType.HEADING,
    "h6": BlockType.HEADING,
    "figcaption": BlockType.CAPTION,
    "caption": BlockType.CAPTION,
}
_UNTRANSLATED_CLASS = "untranslated"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


# --- Encoding ---------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Labels read as another encoding, as browsers do (WHATWG Encoding).
_LABELS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb18030": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "iso-ir-58": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "utf-16": "utf-8",  # a meta can't declare UTF-16: the bytes would not be ASCII-readable
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}
_SINGLE_BYTE = frozenset({"cp1252", "latin_1", "iso8859-1", "iso8859_1"})


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` of its first 64 KiB (the
    first one), as a Python codec name; None when there is none or it is
    unknown."""
    head = data[:65536]
    parser = etree.HTMLParser(encoding="iso-8859-1", no_network=True, recover=True)
    try:
        root = etree.fromstring(head, parser)
    except (etree.ParserError, ValueError):
        return None
    if root is None:
        return None
    for meta in root.iter("meta"):
        label = meta.get("charset")
        if label is None and (meta.get("http-equiv") or "").strip().lower() == "content-type":
            content = meta.get("content") or ""
            _, _, label = content.partition("charset=")
            label = label.split(";")[0] if label else None
        if label:
            label = label.strip().strip("\"'").lower()
            name = _LABELS.get(label, label)
            try:
                return codecs.lookup(name).name
            except LookupError:
                return None
    return None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


_BIG5 = "big5hkscs"
#: Punctuation of Chinese text outside the CJK and full-width blocks.
_CHINESE_PUNCTUATION = frozenset("“”‘’…—–·•")
#: How much of a page :func:`_plausible_share` looks at.
_PLAUSIBLE_SAMPLE = 65536


def _plausible_share(text: str, standard: str) -> float:
    """The share of ``text``'s non-ASCII characters that are usual in
    Chinese written in ``standard`` ("gb2312" or "big5"): CJK and full-width
    punctuation, and the standard's own level of frequent characters
    (GB2312 level 1, 3,755; Big5 level 1, 5,401). GBK bytes read as Big5 (or
    Big5 as GBK) give rare characters, kana, bopomofo, symbols."""
    frequent = plausible = 0
    for ch in text[:_PLAUSIBLE_SAMPLE]:
        if ch.isascii() or ch.isspace():
            continue
        frequent += 1
        o = ord(ch)
        if 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E or ch in _CHINESE_PUNCTUATION:
            plausible += 1
            continue
        try:
            b = ch.encode(standard)
        except UnicodeEncodeError:
            continue
        if len(b) == 2 and (
            (standard == "gb2312" and 0xB0 <= b[0] <= 0xD7)
            or (standard == "big5" and (0xA4 <= b[0] <= 0xC5 or (b[0] == 0xC6 and b[1] < 0xA1)))
        ):
            plausible += 1
    return plausible / frequent if frequent else 0.0


def _gb_or_big5(data: bytes, prefer: str) -> tuple[str, str]:
    """``data`` (decodable as ``prefer``, GB18030 or Big5) read as ``prefer``,
    unless the other reading is strictly the more plausible Chinese
    (:func:`_plausible_share`): a declaration lies, or is missing, as often
    as not, and both encodings read most of each other's bytes. A tie keeps
    ``prefer``. Measured on the dev corpus, line by line (BENCHMARKS.md,
    ``benchmarks/bench_html_encoding.py``): of 3,217 GBK lines that Big5
    decodes too, 2 stay Big5 (one character; an all-Han line: ties); of
    5,958 Big5 lines, 1 (one character) stays GB18030; in paragraphs of five
    lines, none either way."""
    other = _BIG5 if prefer == "gb18030" else "gb18030"
    text = data.decode(prefer)
    if not _decodes(data, other):
        return text, prefer
    alternative = data.decode(other)
    standard = {"gb18030": "gb2312", _BIG5: "big5"}
    if _plausible_share(alternative, standard[other]) > _plausible_share(text, standard[prefer]):
        return alternative, other
    return text, prefer


def decode_html(data: bytes, where: str) -> tuple[str, str]:
    """Decode an HTML page's bytes: ``(text, encoding)``; the rule is in the
    module docstring."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise SourceError(f"{where}: invalid {encoding} at byte {exc.start}") from None
    if data.isascii() or _decodes(data, "utf-8"):
        return data.decode("utf-8"), "utf-8"
    declared = declared_charset(data)
    if declared and declared not in ("gb18030", "utf-8") and declared not in _SINGLE_BYTE:
        if _decodes(data, declared):
            if declared == _BIG5:
                return _gb_or_big5(data, prefer=_BIG5)
            return data.decode(declared), declared  # Shift_JIS, …
    try:
        # GB18030 (GB2312 and GBK are its subsets), a page mixing UTF-8 and
        # GBK refused: plain text's rule.
        text, encoding = decode(data, where)
        if encoding == "gb18030":
            return _gb_or_big5(data, prefer="gb18030")
        return text, encoding
    except SourceError:
        if declared in _SINGLE_BYTE and _decodes(data, declared):
            return data.decode(declared), declared
        raise


# --- Reading ----------------------------------------------------------------------------


def _classes(el) -> str:
    return el.get("class") or ""


def _skipped(el) -> bool:
    """Left alone with everything inside: script, style, … or translate="no"."""
    if not isinstance(el.tag, str):
        return True  # comment, processing instruction, entity
    if el.tag in SKIPPED_TAGS:
        return True
    if (el.get("translate") or "").strip().lower() == "no":
        return True
    return "notranslate" in _classes(el).split()


_KNOWN_BLOCKS = frozenset(
    """address article aside blockquote body caption center dd details dialog dir div dl dt fieldset figcaption
    figure footer form frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html legend li main menu nav ol p pre
    section summary table tbody td tfoot th thead tr ul title optgroup option colgroup col""".split()
)


def _is_inline(el, holds_block: set) -> bool:
    """Whether ``el`` belongs to the run of text around it (not a block of its own)."""
    if not isinstance(el.tag, str):
        return True  # a comment inside a paragraph stays where it is
    if el in holds_block:
        return False
    return el.tag in INLINE_TAGS or el.tag in STANDALONE_TAGS or el.tag not in _KNOWN_BLOCKS


@dataclass
class _Run:
    """A run of inline content of a container: the slot holding its first
    text (the container's ``text`` or ``after``'s ``tail``) and its nodes."""

    container: object
    after: object  # the block child before the run, or None: the run starts at container.text
    nodes: list
    #: The run's block with its ruby as codes, to write the ruby back (:func:`pipeline.formats.ruby.ruby_back`).
    ruby: Block | None = field(default=None, compare=False, repr=False)


@dataclass
class _Pending:
    run: _Run
    builder: InlineBuilder
    ruby: InlineBuilder | None  # the run's content with its ruby as codes; None when it has none
    lead: str
    trail: str
    line: int


class _Reader:
    def __init__(self, ctx: ReadContext):
        self.ctx = ctx
        self.pending: list[tuple[_Pending | None, object, BlockType | None, str]] = []

    # The depth is bounded (MAX_DEPTH), so recursion is.
    def container(self, el) -> None:
        if _skipped(el):
            if isinstance(el.tag, str) and el.tag not in SKIPPED_TAGS:
                self.translated_inside(el)
            return
        self.attributes(el)
        run = _Run(el, None, [])
        for child in el:
            if _is_inline(child, self.holds_block):
                run.nodes.append(child)
                continue
            self.flush(run)
            self.container(child)
            run = _Run(el, child, [])
        self.flush(run)

    def translated_inside(self, el) -> None:
        """The outermost elements with ``translate="yes"`` inside ``el``
        (left alone by ``translate="no"``), each a container of its own."""
        for child in el:
            if not isinstance(child.tag, str) or child.tag in SKIPPED_TAGS:
                continue
            if (child.get("translate") or "").strip().lower() == "yes":
                self.container(child)
            else:
                self.translated_inside(child)

    def attributes(self, el) -> None:
        if not isinstance(el.tag, str) or _skipped(el):
            return
        for name in ATTRIBUTES:
            value = el.get(name)
            if value and value.strip():
                self.pending.append((None, (el, name), ATTRIBUTE_TYPES.get(name, BlockType.BODY), value))
        if el.tag == "meta" and (el.get("name") or "").strip().lower() == "description" and el.get("content"):
            self.pending.append((None, (el, "content"), BlockType.BODY, el.get("content")))

    def flush(self, run: _Run) -> None:
        first = run.container.text if run.after is None else run.after.tail
        items: list = []
        if first:
            items.append(first)
        here = len(self.pending)  # the run's attributes (an alt text) come after it
        for node in run.nodes:
            self.inline(node, items)
        pending = _flatten(items, run, self.line_of(run))
        if pending is not None:
            self.pending.insert(here, (pending, None, None, ""))

    def line_of(self, run: _Run) -> int:
        for node in run.nodes:
            if node.sourceline:
                return node.sourceline
        return (run.after.sourceline if run.after is not None else run.container.sourceline) or 1

    def inline(self, el, items: list) -> None:
        """``el`` and its tail as items: text, ("open", el) … ("close", el), ("single", el)."""
        if not isinstance(el.tag, str) or _skipped(el) or el.tag in STANDALONE_TAGS:
            items.append(("single", el))
            if isinstance(el.tag, str) and not _skipped(el):
                self.attributes(el)
        else:
            self.attributes(el)
            items.append(("open", el))
            if el.text:
                items.append(el.text)
            for child in el:
                self.inline(child, items)
            items.append(("close", el))
        if el.tail:
            items.append(el.tail)


def _flatten(items: list, run: _Run, line: int) -> _Pending | None:
    """Collapse white space as a browser would and build the run's content."""
    raw_parts, events = [], []  # events: (raw offset, kind, element)
    offset = 0
    for item in items:
        if isinstance(item, str):
            raw_parts.append(item)
            offset += len(item)
        else:
            events.append((offset, item[0], item[1]))
    raw = "".join(raw_parts)
    if not raw.strip():
        return None
    # Leading and trailing white space before any event / after every event stay raw.
    first_event = events[0][0] if events else len(raw)
    last_event = events[-1][0] if events else 0
    lead_end = min(len(raw) - len(raw.lstrip(" \t\n\r\f")), first_event)
    trail_start = max(len(raw.rstrip(" \t\n\r\f")), last_event, lead_end)
    lead, trail = raw[:lead_end], raw[trail_start:]
    body = raw[lead_end:trail_start]
    # Collapse: a run of white space becomes one space, or nothing where it
    # holds a line break between two Chinese characters.
    out, mapping, pos = [], [], 0  # mapping: (raw offset in body, collapsed offset)
    collapsed_len = 0
    for m in _WHITESPACE_RE.finditer(body):
        out.append(body[pos : m.start()])
        collapsed_len += m.start() - pos
        before = body[m.start() - 1] if m.start() > 0 else ""
        after = body[m.end()] if m.end() < len(body) else ""
        joined = "\n" in m.group(0) and CJK_CONTEXT_RE.match(before or " ") and CJK_CONTEXT_RE.match(after or " ")
        sep = "" if joined else " "
        mapping.append((m.start(), m.end(), collapsed_len, len(sep)))
        out.append(sep)
        collapsed_len += len(sep)
        pos = m.end()
    out.append(body[pos:])
    text = "".join(out)

    def collapsed(raw_offset: int) -> int:
        """Where ``raw_offset`` of the raw text falls in the collapsed text:
        inside a run of white space, after its replacement."""
        o = max(0, min(raw_offset - lead_end, len(body)))
        while runs and runs[0][1] <= o:
            a, b, c, n = runs.popleft()
            shift[0] += (b - a) - n
        if runs and runs[0][0] < o:
            a, b, c, n = runs[0]
            return c + n
        return o - shift[0]

    runs = deque(mapping)
    shift = [0]
    placed = [(collapsed(raw_offset), kind, el) for raw_offset, kind, el in events]
    ruby = [_is_ruby(kind, el) for _, kind, el in placed]
    builder = _fill(text, [event for event, r in zip(placed, ruby, strict=True) if not r])
    return _Pending(run, builder, _fill(text, placed) if any(ruby) else None, lead, trail, line)


def _is_ruby(kind: str, el) -> bool:
    """Whether an event is ruby markup: a ruby (or its base) opening or
    closing, an annotation (a skipped element, so a standalone one)."""
    return isinstance(el.tag, str) and (el.tag in ANNOTATION_TAGS or (kind != "single" and el.tag in RUBY_TAGS))


def _fill(text: str, events: list) -> InlineBuilder:
    """An inline builder holding ``text`` (collapsed) with ``events`` (at
    their offsets in it), normalised piece by piece between them."""
    builder = InlineBuilder()
    open_codes: dict[int, int] = {}
    cursor = 0
    for at, kind, el in events:
        builder.literal_text(normalize(text[cursor:at]))
        cursor = at
        if kind == "open":
            open_codes[id(el)] = builder.open(el)
        elif kind == "close":
            builder.close(open_codes.pop(id(el)))
        else:
            builder.standalone(el)
    builder.literal_text(normalize(text[cursor:]))
    return builder


def _refuse_unsafe(text: str, where: str, line: int) -> None:
    bad = first_unsafe(text)
    if bad is not None:
        what = describe(text, bad).split(": ", 1)[1]
        raise SourceError(f"{where}:{line}: {what} in text")


def _type_of(container) -> tuple[BlockType | None, str]:
    """The type the markup gives a block: by tag (h1, title, figcaption,
    caption), by class (of the element or its two nearest ancestors), then
    h2–h6 as headings; None when the markup says nothing."""
    tag = container.tag if isinstance(container.tag, str) else ""
    if tag in _TAG_TYPES and _TAG_TYPES[tag] is not BlockType.HEADING:
        return _TAG_TYPES[tag], f"<{tag}>"
    el, depth = container, 0
    while el is not None and depth < 3:
        classes = _classes(el)
        for pattern, btype in _CLASS_TYPES:
            if classes and pattern.search(classes):
                return btype, f'class="{classes}"'
        el, depth = el.getparent(), depth + 1
    if tag in _TAG_TYPES:
        return _TAG_TYPES[tag], f"<{tag}>"
    return None, ""


#: More attributes on one element than this are refused: libxml2 checks
#: each new attribute against all the others (100,000 take minutes).
MAX_ATTRIBUTES = 1000


class _Scan(HTMLTokenizer):
    """The standard library's HTML tokenizer (linear in the page; only a
    guard before libxml2 parses it): the most attributes on one tag, and
    where the ``</html>`` end tags are (not those inside a script or a
    comment)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.most, self.line = 0, 0
        self.html_ends: list[tuple[int, int]] = []  # (line, column) of each </html>

    def handle_starttag(self, tag, attrs) -> None:
        if len(attrs) > self.most:
            self.most, self.line = len(attrs), self.getpos()[0]

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag) -> None:
        if tag == "html":
            self.html_ends.append(self.getpos())


def _scan(text: str, where: str) -> str:
    """Refuse an attribute flood; return ``text`` without its ``</html>`` end
    tags (their line breaks kept, for line numbers): libxml2 drops everything
    after the first one, where a browser reads on (into the body), and a
    page with text after it (a CMS's appended footer) would lose it."""
    scan = _Scan()
    scan.feed(text)
    scan.close()
    if scan.most > MAX_ATTRIBUTES:
        raise SourceError(f"{where}:{scan.line}: an element with {scan.most} attributes (at most {MAX_ATTRIBUTES})")
    if not scan.html_ends:
        return text
    starts = [0] + [m.end() for m in re.finditer("\n", text)]  # offset of each line
    pieces, pos = [], 0
    for line, column in scan.html_ends:
        at = starts[line - 1] + column
        end = text.index(">", at) + 1
        pieces += [text[pos:at], "\n" * text.count("\n", at, end)]
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


#: A doctype at the start of a page, after a BOM, white space, comments and an XML declaration.
_DOCTYPE_RE = re.compile(r"\ufeff?(?:\s|<!--.*?-->|<\?[^>]*>)*<!doctype", re.I | re.S)


#: Ruby parts whose end tag HTML may omit, and the start tags that end each (HTML5's implied end tags).
_RUBY_PART_ENDS = {
    "rb": frozenset({"rb", "rt", "rp", "rtc"}),
    "rt": frozenset({"rb", "rt", "rp", "rtc"}),
    "rp": frozenset({"rb", "rt", "rp", "rtc"}),
    "rtc": frozenset({"rb", "rtc"}),
}


def _end_ruby_parts(root) -> None:
    """End ruby parts as a browser does: libxml2 knows no implied end tags
    for them and nests ``<rp>(<rt>níng<rp>)</rp>宁`` (the base text inside
    an annotation, never translated). A part opened inside a part its start
    tag ends (an ``rt`` inside an ``rp``) moves after it, with what follows."""
    for el in list(root.iter(*_RUBY_PART_ENDS)):
        parent = el.getparent()
        while parent is not None and el.tag in _RUBY_PART_ENDS.get(parent.tag, ()):
            grand = parent.getparent()
            moved = [el, *el.itersiblings()]
            at = grand.index(parent)
            for offset, node in enumerate(moved, start=1):
                grand.insert(at + offset, node)  # lxml moves the node with its tail
            parent = grand


def parse_html(text: str, where: str):
    """The page's tree (an ElementTree), refusing what the parser could not read whole."""
    text = _scan(text, where)
    parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=False, remove_pis=False, no_network=True)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except (etree.ParserError, ValueError) as exc:
        raise SourceError(f"{where}: not readable as HTML: {exc}") from None
    for error in parser.error_log:
        if error.level_name == "FATAL":
            message = error.message.strip()
            if "depth" in message.lower():
                message = f"nested deeper than {MAX_DEPTH} levels"
            elif "limit" in message.lower():
                message = "a text or attribute value larger than the HTML parser's limit (10 MB)"
            raise SourceError(f"{where}:{error.line}: {message}")
    if root is None:
        raise SourceError(f"{where}: no HTML content")
    _end_ruby_parts(root)
    tree = root.getroottree()
    if not _DOCTYPE_RE.match(text):
        tree.docinfo.clear()  # libxml2 gave it HTML 4.0 Transitional's: the page had none
    # Depth, without recursion.
    stack = [(root, 1)]
    while stack:
        el, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SourceError(f"{where}:{el.sourceline}: nested deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in el)
    return tree


def read_html(data: bytes, ctx: ReadContext) -> Document:
    text, encoding = decode_html(data, ctx.where)
    tree = parse_html(text, ctx.where)
    root = tree.getroot()
    reader = _Reader(ctx)
    # Elements that hold a block element somewhere inside (an <a> around a <div>) are containers.
    holds_block: set = set()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _KNOWN_BLOCKS:
            parent = el.getparent()
            while parent is not None and parent not in holds_block:
                holds_block.add(parent)
                parent = parent.getparent()
    reader.holds_block = holds_block
    reader.container(root)

    texts = [p.builder.plain for p, _, _, _ in reader.pending if p is not None]
    speakers = find_speakers([t.strip() for t in texts]).labels
    blocks: list[Block] = []
    for pending, attribute, btype, value in reader.pending:
        if pending is None:
            el, name = attribute
            builder = InlineBuilder()
            builder.literal_text(normalize(" ".join(value.split())))
            block = make_block(
                builder, btype, el.sourceline or 1, anchor=attribute, reason=f"the {name} attribute", where=ctx.where
            )
        else:
            btype, reason = _type_of(pending.run.container)
            plain = pending.builder.plain.strip()
            if btype is None:
                btype, reason = classify_text(plain, speakers)
            block = make_block(
                pending.builder,
                btype,
                pending.line,
                anchor=pending.run,
                reason=reason,
                lead=pending.lead,
                trail=pending.trail,
                where=ctx.where,
            )
            if block is not None and pending.ruby is not None:
                pending.run.ruby = make_block(
                    pending.ruby, btype, pending.line, anchor=pending.run, lead=pending.lead, trail=pending.trail
                )
        if block is not None:
            for seg in block.segments:
                _refuse_unsafe(seg.text, ctx.where, seg.line)
            blocks.append(block)
    document = Document(ctx.name, blocks, repair=False, native=tree, encoding=encoding)
    return document


# --- Writing ----------------------------------------------------------------------------


def _unchanged(block: Block, eblock) -> bool:
    """Whether every segment of ``block`` is shown as its own source, translated."""
    from ..editions.model import Shown

    for seg, eseg in zip(block.segments, eblock.segments, strict=True):
        target, kept = resolve(seg.text, eseg.target)
        if not kept or target != seg.text or eseg.shown in (Shown.UNTRANSLATED,):
            return False
    return True


#: Elements whose content is text only: an untranslated segment there is not marked.
_TEXT_ONLY = frozenset({"title", "option", "textarea"})


def _build(pieces: list, holder, mark: bool = True) -> None:
    """Append ``pieces`` to the element ``holder`` (text and children);
    ``mark``: wrap untranslated segments in a marking span."""
    stack = [holder]

    def add_text(text: str) -> None:
        el = stack[-1]
        if len(el):
            el[-1].tail = (el[-1].tail or "") + text
        else:
            el.text = (el.text or "") + text

    for piece in pieces:
        if isinstance(piece, Text):
            add_text(piece.text)
        elif isinstance(piece, Open):
            src = piece.code.data
            stack.append(etree.SubElement(stack[-1], src.tag, dict(src.attrib)))
        elif isinstance(piece, Close):
            stack.pop()
        elif isinstance(piece, Single):
            copy = deepcopy(piece.code.data)
            copy.tail = None
            stack[-1].append(copy)
        elif isinstance(piece, Begin) and mark and piece.shown.value == _UNTRANSLATED_CLASS:
            span = etree.SubElement(stack[-1], "span", {"class": _UNTRANSLATED_CLASS, "lang": SOURCE.bcp47})
            stack.append(span)
        elif isinstance(piece, End) and mark and piece.shown.value == _UNTRANSLATED_CLASS:
            stack.pop()


def _write_run(run: _Run, block: Block, pieces: list) -> None:
    container = run.container
    holder = etree.Element("holder")
    _build(pieces, holder, mark=container.tag not in _TEXT_ONLY)
    # Take the run's nodes out, then put the new ones in their place.
    index = 0 if run.after is None else container.index(run.after) + 1
    for node in run.nodes:
        container.remove(node)
    if run.after is None:
        container.text = holder.text
    else:
        run.after.tail = holder.text
    for offset, child in enumerate(list(holder)):
        container.insert(index + offset, child)


def _attribute_text(block: Block, pieces: list) -> str:
    return "".join(p.text for p in pieces if isinstance(p, Text))


def _set_charset(root) -> None:
    """The page is written in UTF-8: its declarations say so."""
    head = root.find("head")
    found = False
    for meta in root.iter("meta"):
        if meta.get("charset") is not None:
            meta.set("charset", "utf-8")
            found = True
        elif (meta.get("http-equiv") or "").strip().lower() == "content-type":
            meta.set("content", "text/html; charset=utf-8")
            found = True
    if not found and head is not None:
        meta = etree.Element("meta", {"charset": "utf-8"})
        meta.tail = head.text
        head.insert(0, meta)


def write_html(document: Document, edition, rebuild_all: bool = False) -> bytes:
    """``build/<doc>.en.html``: the source page with its text replaced (see
    the module docstring). ``rebuild_all`` rebuilds blocks whose text is
    unchanged too (for the identity test)."""
    tree = document.native
    root = tree.getroot()
    # The page is English now: Chinese ``lang`` attributes say so (an
    # untranslated segment gets its own, below).
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name in ("lang", "xml:lang", _XML_LANG):
            if (el.get(name) or "").strip().lower().startswith("zh"):
                el.set(name, TARGET.bcp47)
    pairs = list(zip(document.blocks, edition.blocks, strict=True))
    # Attributes first: a rebuilt paragraph copies its elements (an <img> and its alt) from the source.
    for block, eblock in pairs:
        if not isinstance(block.anchor, _Run) and (rebuild_all or not _unchanged(block, eblock)):
            el, name = block.anchor
            el.set(name, _attribute_text(block, rebuild(block, eblock)).strip())
    for block, eblock in pairs:
        if isinstance(block.anchor, _Run) and (rebuild_all or not _unchanged(block, eblock)):
            _write_run(block.anchor, block, ruby_back(block, eblock) or rebuild(block, eblock))
    root.set("lang", TARGET.bcp47)
    _set_charset(root)
    out = etree.tostring(tree, method="html", encoding="utf-8", doctype=tree.docinfo.doctype or None)
    return out if out.endswith(b"\n") else out + b"\n"


FORMAT = Format(
    name="html",
    label="HTML",
    suffixes=(".html", ".htm"),
    kinds=frozenset({"html"}),
    read=read_html,
    outputs={".en.html": write_html},
)
