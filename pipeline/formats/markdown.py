"""Markdown (CommonMark plus tables, YAML front matter): blocks in, the same
source out with only the translatable text replaced.

**Reading.** markdown-it-py parses the document (``commonmark`` preset,
tables on, mdit-py-plugins' front matter). Headings, paragraphs (in list
items and block quotes too), table cells and image alt text are blocks;
a first-level heading is the title, other headings are headings, alt text
is a caption. Code blocks, fenced code, HTML blocks, link reference
definitions and the front matter are left alone, except the front-matter
keys named by ``formats.markdown.front_matter`` in the workspace
configuration (default ``title`` and ``description``; top-level keys with
a one-line or block scalar value).

Inside a block, emphasis, strong emphasis and links become paired codes
``<1>…</1>``; code spans, images, autolinks, inline HTML and hard line
breaks become standalone codes ``<2/>``. A soft line break is no text
between Chinese characters and a space between Latin words, as in plain
text sources.

**Source offsets.** markdown-it gives each block its source lines and each
inline token its text, not its offsets. :func:`_align` finds each line of
a block's inline content in its source line (after the container's ``>``
markers and list indentation), giving an offset for every character;
:class:`_Scanner` then walks the inline tokens over that content, each
token consuming exactly the source that produced it (escapes and entities
included). A block whose source cannot be accounted for character by
character is refused with its line, never guessed.

**Writing.** ``build/<doc>.en.md`` is the source with each block's inline
source replaced by its translation: text escaped for Markdown, each code
written back as the exact source bytes it came from (link destinations,
code spans, HTML, image sources), except emphasis whose delimiters would
no longer flank the English around them (:func:`_emphasis_that_parses`:
``*`` for ``_``, a space English wants, or ``<strong>``). Everything
outside the blocks is byte for byte the source's, and a block whose
translation is its own source is written as the source bytes, so a
catalog that translates every segment
to itself gives back the source file: in its encoding (GB18030 stays
GB18030), with its byte order mark and its line ends (CRLF, CR, mixed),
the spans read from the ``\n`` text being moved onto the source's. A
shortcut or collapsed reference (``[新华社]``, ``[新华社][]``) finds its
definition by its text: translated, it is written as a full reference
naming the label (``[Xinhua][新华社]``).
"""

from __future__ import annotations

import codecs
import html
import json
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference
from markdown_it.helpers import parseLinkDestination, parseLinkTitle
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.front_matter import front_matter_plugin

from ..errors import SourceError
from ..segment import BlockType
from ..segment.blocks import join_text

DEFAULT_FRONT_MATTER = ("title", "description")


#: Token levels markdown-it nests blocks to (a list item is two: the list
#: and the item). Deeper, it skips the content without a word, so a block
#: quote or list item that reaches it is refused (:func:`read_markdown`).
#: The preset's 20 is ten nested lists; 100 parses in well under Python's
#: recursion limit.
MAX_NESTING = 100


def parser() -> MarkdownIt:
    """The one Markdown dialect we read and check our output with."""
    return MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table").use(front_matter_plugin)


# --------------------------------------------------------------------------- model


@dataclass
class Code:
    """What a tag number stands for: source spans written back as they are
    (``open``/``close`` for a paired code, ``open`` alone for a standalone one)."""

    kind: str  # "paired" or "standalone"
    open: tuple[int, int]
    close: tuple[int, int] | None = None
    #: What a changed block writes for the closer instead of its source: a
    #: shortcut or collapsed reference link (``[新华社]``, ``[新华社][]``)
    #: finds its definition by its text, so a translated one names the
    #: label: ``[Xinhua][新华社]``.
    written_close: str | None = None
    #: For emphasis (``em``/``strong``): its delimiter as the source writes
    #: it (``*``, ``__``), which a changed block may write otherwise
    #: (:func:`_emphasis_that_parses`).
    delimiter: str = ""
    tag: str = ""


@dataclass
class MdBlock:
    """A block read for translation: its type, its source span, its pieces
    (text and tags) and what each tag stands for."""

    type: BlockType
    line: int  # 1-based
    span: tuple[int, int]
    pieces: list
    codes: dict[int, Code] = field(default_factory=dict)
    #: How text is written back: "inline" (Markdown escaped), "alt" (image
    #: alt text), "yaml" (a front-matter value).
    mode: str = "inline"
    #: Written after a changed alt text: ``][label]`` for an image that is a
    #: shortcut or collapsed reference (its span then takes in the source's
    #: ``]`` or ``][]``).
    suffix: str = ""
    #: How a ``|`` of the translation is written: ``&#124;`` in a setext
    #: heading underlined with ``-``, where one line holding ``\|`` over
    #: ``---`` would be read as a table of one column.
    pipe: str = "\\|"


# --------------------------------------------------------------------------- alignment


_LINE_PREFIX = set(" \t>-+*#0123456789.)")


def _line_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def _align_line(content: str, source: str, start: int, end: int, cell: bool) -> list[int] | None:
    """Offsets in ``source`` of each character of ``content`` (one line),
    found in ``source[start:end]`` after the line's container prefix; a
    table cell (``start``/``end`` its column) holds ``\\|`` for ``|``."""
    if not content:
        return [start]
    pos = start
    while True:
        # markdown-it strips a block's content with str.strip(): any Unicode
        # white space (a paragraph indented with ideographic spaces, U+3000).
        if cell:
            k = start
            while k < end and source[k].isspace():
                k += 1
        else:
            k = source.find(content[0], pos, end)
            if k < 0 or not all(ch in _LINE_PREFIX or ch.isspace() for ch in source[start:k]):
                return None
        offsets, i = [], k
        for ch in content:
            if i < end and source[i] == ch:
                offsets.append(i)
                i += 1
            elif cell and ch == "|" and source.startswith("\\|", i):
                offsets.append(i)  # the escape and the pipe: one character of the cell
                i += 2
            else:
                break
        if len(offsets) == len(content):
            return offsets + [i]
        if cell:
            return None
        pos = k + 1


def _row_cells(source: str, start: int, end: int) -> list[tuple[int, int]]:
    """The columns of a table row ``source[start:end]``, as markdown-it's
    table rule splits them (unescaped ``|``; outer pipes dropped)."""
    while start < end and source[start] in " \t":
        start += 1
    while end > start and source[end - 1] in " \t":
        end -= 1
    columns, last, escaped = [], start, False
    for pos in range(start, end):
        ch = source[pos]
        if ch == "|" and not escaped:
            columns.append((last, pos))
            last = pos + 1
        escaped = ch == "\\"
    columns.append((last, end))
    if columns and columns[0][0] == columns[0][1]:
        columns.pop(0)
    if columns and columns[-1][0] == columns[-1][1]:
        columns.pop()
    return columns


def _align(content: str, source: str, starts: list[int], first_line: int, where: str, column=None):
    """Offsets in ``source`` of every character of a block's inline
    ``content`` (``\n`` included), its lines starting at source line
    ``first_line`` (0-based), and last where the content ends;
    ``column``: a table cell's span in its row."""
    offsets: list[int] = []
    for k, line in enumerate(content.split("\n")):
        number = first_line + k
        if number >= len(starts):
            raise SourceError(f"{where}:{first_line + 1}: cannot map a block to its source")
        line_start = starts[number]
        line_end = starts[number + 1] - 1 if number + 1 < len(starts) else len(source)
        # Indentation markdown-it kept may be spaces it made of a tab:
        # matched as the position where the text starts.
        lead = len(line) - len(line.lstrip(" \t")) if k else 0
        if column is not None:
            found = _align_line(line, source, column[0], column[1], True)
        else:
            found = _align_line(line[lead:], source, line_start, line_end, False)
            if found is not None and lead:
                found = [found[0]] * lead + found
        if found is None:
            raise SourceError(f"{where}:{number + 1}: cannot map a block's text to its source")
        if k:
            offsets[-1] = line_start - 1  # the "\n" ending the previous line
        offsets.extend(found)
    return offsets


# --------------------------------------------------------------------------- inline scanning

_ENTITY_RE = re.compile(r"&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});")
_SPACES = " \t"
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


class _Mismatch(Exception):
    pass


class _Scanner:
    """Walk inline tokens over their content, each consuming its source."""

    def __init__(self, content: str, md: MarkdownIt | None = None, env: dict | None = None):
        self.s = content
        self.md, self.env = md, env if env is not None else {}
        self.i = 0
        # (kind, payload, start, end): "text" payload str; "soft"; "open"/"close"
        # payload token; "code" a standalone span; "image" (start, end, alt_start, alt_end, alt_text)
        self.items: list[tuple] = []
        self.labels: list[int] = []  # where each open link's text starts

    def expect(self, literal: str) -> None:
        if not self.s.startswith(literal, self.i):
            raise _Mismatch(f"expected {literal!r} at {self.i}")
        self.i += len(literal)

    def text(self, content: str) -> tuple[int, int]:
        s, i, j = self.s, self.i, 0
        start = i
        while j < len(content):
            ch = content[j]
            if s.startswith("\\", i) and i + 1 < len(s) and s[i + 1] in _ASCII_PUNCTUATION:
                # A backslash before ASCII punctuation is always an escape.
                if s[i + 1] != ch:
                    raise _Mismatch(f"text {content!r} at {self.i}")
                i, j = i + 2, j + 1
                continue
            if i < len(s) and s[i] == "&":
                m = _ENTITY_RE.match(s, i)
                if m:
                    decoded = html.unescape(m.group())
                    if decoded != m.group() and content.startswith(decoded, j):
                        i, j = m.end(), j + len(decoded)
                        continue
            if i < len(s) and s[i] == ch:
                i, j = i + 1, j + 1
            elif ch == "\ufffd" and s.startswith("&#0;", i):
                i, j = i + 4, j + 1
            else:
                raise _Mismatch(f"text {content!r} at {self.i}")
        self.i = i
        return start, i

    def skip_spaces(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in _SPACES:
            self.i += 1

    def link_end(self) -> None:
        """After a link's text or an image's alt: ``](dest "title")``,
        ``][label]``, ``[]`` or nothing."""
        self.expect("]")
        s, n = self.s, len(self.s)
        if self.i < n and s[self.i] == "(":
            pos = self.i + 1
            while pos < n and s[pos] in " \t\n":
                pos += 1
            res = parseLinkDestination(s, pos, n)
            if res.ok:
                pos = res.pos
                start = pos
                while pos < n and s[pos] in " \t\n":
                    pos += 1
                title = parseLinkTitle(s, pos, n)
                if pos < n and start != pos and title.ok:
                    pos = title.pos
                    while pos < n and s[pos] in " \t\n":
                        pos += 1
            if pos < n and s[pos] == ")":
                self.i = pos + 1
                return
        if self.i < n and s[self.i] == "[" and self.md is not None:
            # ``][label]`` when markdown-it resolved the link by that label,
            # ``[]`` (collapsed); else a shortcut, followed by text.
            state = StateInline(s, self.md, self.env, [])
            end = self.md.helpers.parseLinkLabel(state, self.i)
            if end >= 0:
                label = s[self.i + 1 : end]
                if not label or normalizeReference(label) in self.env.get("references", {}):
                    self.i = end + 1

    def reference(self, label_start: int, label_end: int) -> str | None:
        """``][label]`` naming the definition of a shortcut or collapsed
        reference whose text is ``s[label_start:label_end]`` and whose
        ``link_end`` was just consumed; None for an inline or full one."""
        if self.s[label_end : self.i] not in ("]", "][]"):
            return None
        return "][" + " ".join(self.s[label_start:label_end].split()) + "]"

    def code_span(self, markup: str) -> None:
        self.expect(markup)
        closer = re.compile(r"(?<!`)" + re.escape(markup) + r"(?!`)")
        m = closer.search(self.s, self.i)
        if not m:
            raise _Mismatch("code span without its closer")
        self.i = m.end()

    def walk(self, tokens) -> None:
        k = 0
        while k < len(tokens):
            t = tokens[k]
            start = self.i
            kind = t.type
            if kind == "text":
                a, b = self.text(t.content)
                if t.content:
                    self.items.append(("text", t.content, a, b))
            elif kind == "softbreak":
                self.skip_spaces()
                self.expect("\n")
                self.skip_spaces()
                self.items.append(("soft", None, start, self.i))
            elif kind == "hardbreak":
                if self.s.startswith("\\\n", self.i):
                    self.i += 2
                else:
                    self.skip_spaces()
                    self.expect("\n")
                self.skip_spaces()
                self.items.append(("code", None, start, self.i))
            elif kind in ("em_open", "strong_open", "em_close", "strong_close"):
                self.expect(t.markup)
                self.items.append(("open" if kind.endswith("open") else "close", t, start, self.i))
            elif kind == "link_open" and t.markup == "autolink":
                end = self.s.find(">", self.i)
                if not self.s.startswith("<", self.i) or end < 0:
                    raise _Mismatch("autolink")
                self.i = end + 1
                while k < len(tokens) and tokens[k].type != "link_close":
                    k += 1
                self.items.append(("code", None, start, self.i))
            elif kind == "link_open":
                self.expect("[")
                self.labels.append(self.i)
                self.items.append(("open", t, start, self.i))
            elif kind == "link_close":
                self.link_end()
                label_start = self.labels.pop() if self.labels else start
                self.items.append(("close", self.reference(label_start, start), start, self.i))
            elif kind == "code_inline":
                self.code_span(t.markup)
                self.items.append(("code", None, start, self.i))
            elif kind == "html_inline":
                self.expect(t.content)
                self.items.append(("code", None, start, self.i))
            elif kind == "image":
                self.expect("![")
                alt_start = self.i
                inner = _Scanner(self.s, self.md, self.env)
                inner.i = self.i
                inner.walk(t.children or [])
                alt_end = inner.i
                self.i = alt_end
                self.link_end()
                alt_text = "".join(item[1] for item in inner.items if item[0] == "text")
                suffix = self.reference(alt_start, alt_end) or ""
                if suffix:
                    alt_end = self.i  # the alt block takes in "]" or "][]"
                self.items.append(("image", (alt_start, alt_end, alt_text, suffix), start, self.i))
            else:
                raise _Mismatch(f"unexpected token {kind}")
            k += 1


# --------------------------------------------------------------------------- reading


def _pieces(items: list[tuple], offsets: list[int]) -> tuple[list, dict[int, Code], list]:
    """Pieces and codes of a block from scanned items; the images found
    (their alt spans in source offsets, with their text)."""

    def span(a: int, b: int) -> tuple[int, int]:
        # Up to the next character of the content: a code that ends a line
        # takes the next line's container prefix (``> ``) with it.
        return offsets[a], offsets[max(a, b)]

    pieces: list = []
    codes: dict[int, Code] = {}
    images = []
    stack: list[int] = []
    for kind, payload, a, b in items:
        if kind == "text":
            pieces.append(payload)
        elif kind == "soft":
            pieces.append(("soft",))
        elif kind == "open":
            n = len(codes) + 1
            codes[n] = Code("paired", span(a, b))
            if payload.type in ("em_open", "strong_open"):
                codes[n].delimiter, codes[n].tag = payload.markup, payload.tag
            stack.append(n)
            pieces.append(("open", n))
        elif kind == "close":
            n = stack.pop()
            codes[n].close = span(a, b)
            codes[n].written_close = payload if isinstance(payload, str) else None  # a reference link's
            pieces.append(("close", n))
        else:
            n = len(codes) + 1
            codes[n] = Code("standalone", span(a, b))
            pieces.append(("standalone", n))
            if kind == "image":
                alt_a, alt_b, alt_text, suffix = payload
                images.append((span(alt_a, alt_b), alt_text, suffix))
    # Soft breaks become what joins two lines of a paragraph: the text on
    # each side (codes between are zero-width).
    following: list[str] = [""] * (len(pieces) + 1)
    for k in range(len(pieces) - 1, -1, -1):
        piece = pieces[k]
        following[k] = piece[:1] if isinstance(piece, str) and piece else following[k + 1]
    out: list = []
    last = ""
    for k, piece in enumerate(pieces):
        if isinstance(piece, str) and piece:
            last = piece[-1]
        if piece == ("soft",):
            right = following[k + 1]
            sep = join_text(last, right)[len(last) : -len(right) or None]
            if sep:
                out.append(sep)
                last = sep[-1]
        elif isinstance(piece, str) and out and isinstance(out[-1], str):
            out[-1] += piece
        else:
            out.append(piece)
    return out, codes, images


_HEADING = {"h1": BlockType.TITLE}


_QUOTED = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')""")
_COMMENT = re.compile(r"[ \t]+#.*$")
_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*[ \t]*(?:#.*)?$")


def _front_matter_blocks(token, source: str, starts: list[int], keys, where: str) -> list[MdBlock]:
    """Blocks for the values of the front-matter ``keys``: top-level keys
    whose value is a plain scalar (on one line or folded over several), a
    one-line quoted scalar (a comment after it is kept) or a block scalar.
    Anything else (flow collections, anchors, aliases, tags, a quoted
    scalar over lines) is left alone: never rewritten into other YAML."""
    blocks = []
    first, last = token.map[0] + 1, token.map[1] - 1  # inside the --- fences
    number = first
    key_re = re.compile(r"([^\W\d][\w-]*)[ \t]*:[ \t]*")  # a key may be Chinese (标题)
    while number < last:
        line_start = starts[number]
        line_end = starts[number + 1] - 1
        line = source[line_start:line_end]
        m = key_re.match(line)
        number += 1
        if not m or m.group(1) not in keys:
            continue
        key_line = number  # 1-based
        value_start = line_start + m.end()
        raw = source[value_start:line_end]
        # Lines indented under the key continue its value (a block scalar,
        # or a plain or quoted scalar folded over lines).
        more, end_line = [], number
        while end_line < last:
            following = source[starts[end_line] : starts[end_line + 1] - 1]
            if following[:1] not in (" ", "\t", ""):
                break
            more.append(following)
            end_line += 1
        while more and not more[-1].strip():
            more.pop()
        quoted = _QUOTED.match(raw)
        text, end = None, line_end
        if raw[:1] in ("|", ">") and _BLOCK_HEADER.match(raw):
            body = [line.strip() for line in more]
            number += len(more)
            end = starts[number] - 1
            if raw[0] == "|":
                text = "\n".join(body)
            else:
                text = ""
                for piece in body:
                    text = join_text(text, piece)
        elif any(line.strip() for line in more):
            # A plain scalar folded over lines: its lines joined as a
            # paragraph's. A quoted one over lines is left alone (its
            # escapes and folding are YAML's).
            if raw[:1] not in "'\"[{&*!%@`|>" and raw.strip() and not _COMMENT.search(raw + "\n"):
                number += len(more)
                end = starts[number] - 1
                text = raw.strip()
                for piece in more:
                    if _COMMENT.search(" " + piece):
                        text = None  # a comment inside: not a plain scalar we read
                        break
                    text = join_text(text, piece.strip())
        elif quoted and (not raw[quoted.end() :].strip() or _COMMENT.match(raw, quoted.end())):
            # A quoted scalar, perhaps followed by a comment (kept).
            end = value_start + quoted.end()
            if raw[0] == '"':
                try:
                    text = json.loads(quoted.group())  # JSON's escapes are YAML's; others are left alone
                except ValueError:
                    text = None
            else:
                text = quoted.group()[1:-1].replace("''", "'")
        elif raw.strip() and raw[0] not in "'\"[{&*!%@`|>":
            stripped = _COMMENT.sub("", raw).rstrip()
            end = value_start + len(stripped)
            text = stripped
        if text and text.strip():
            kind = BlockType.TITLE if m.group(1) == "title" else BlockType.BODY
            blocks.append(MdBlock(kind, key_line, (value_start, end), [text], mode="yaml"))
    return blocks


def read_markdown(text: str, where: str, front_matter_keys=DEFAULT_FRONT_MATTER) -> list[MdBlock]:
    """The blocks of a Markdown document (``\\n`` line ends), in source order."""
    starts = _line_starts(text)
    md, env = parser(), {}
    tokens = md.parse(text, env)
    for token in tokens:
        if token.type in ("blockquote_open", "list_item_open") and token.level + 1 >= MAX_NESTING:
            line = token.map[0] + 1 if token.map else 1
            raise SourceError(
                f"{where}:{line}: block quotes and lists nested deeper than {MAX_NESTING} levels; "
                "the text inside them would be lost"
            )
    blocks: list[MdBlock] = []
    kind, pipe = BlockType.BODY, "\\|"
    row_cells: dict[int, list[tuple[int, int]]] = {}
    cell_index: dict[int, int] = {}
    for k, token in enumerate(tokens):
        if token.type == "front_matter":
            blocks.extend(_front_matter_blocks(token, text, starts, set(front_matter_keys), where))
            continue
        if token.type == "heading_open":
            kind = _HEADING.get(token.tag, BlockType.HEADING)
            pipe = "&#124;" if token.markup == "-" else "\\|"
        elif token.type in ("paragraph_open", "th_open", "td_open"):
            kind, pipe = BlockType.BODY, "\\|"
        if token.type != "inline" or token.map is None:
            continue
        opener = tokens[k - 1].type if k else ""
        cell = opener in ("th_open", "td_open")
        line0 = token.map[0]
        column = None
        if cell:
            if line0 not in row_cells:
                end = starts[line0 + 1] - 1 if line0 + 1 < len(starts) else len(text)
                row_cells[line0] = _row_cells(text, starts[line0], end)
            index = cell_index[line0] = cell_index.get(line0, -1) + 1
            if index >= len(row_cells[line0]):
                continue  # a cell markdown-it added to a short row: empty
            column = row_cells[line0][index]
        if not token.content:
            continue
        offsets = _align(token.content, text, starts, line0, where, column)
        scanner = _Scanner(token.content, md, env)
        try:
            scanner.walk(token.children or [])
        except _Mismatch as exc:
            raise SourceError(f"{where}:{line0 + 1}: cannot map the inline Markdown to its source ({exc})") from None
        if token.content[scanner.i :].strip():
            raise SourceError(f"{where}:{line0 + 1}: cannot map the inline Markdown to its source (trailing text)")
        span = (offsets[0], offsets[-1])
        pieces, codes, images = _pieces(scanner.items, offsets)
        if any(isinstance(p, str) and p.strip() for p in pieces):
            blocks.append(MdBlock(kind, line0 + 1, span, pieces, codes, pipe=pipe))
        for (alt_a, alt_b), alt_text, suffix in images:
            if alt_text.strip() and alt_b > alt_a:
                line = text.count("\n", 0, alt_a) + 1
                caption = MdBlock(
                    BlockType.CAPTION, line, (alt_a, alt_b), [alt_text], mode="alt", suffix=suffix, pipe=pipe
                )
                blocks.append(caption)
    blocks.sort(key=lambda b: b.span[0])
    return blocks


# --------------------------------------------------------------------------- writing

_ESCAPED = re.compile(r"([\\`*_\[\]<>|#!])")
_AMP = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LINE_START = re.compile(r"^([ \t]*(?:\d{1,9})?)([-+=.)])")


def escape_inline(text: str, line_start: bool, pipe: str = "\\|") -> str:
    """``text`` escaped so Markdown shows it literally; ``line_start``: it
    begins a line, where ``-``, ``+``, ``=`` and ``1.`` would start a block;
    ``pipe``: how to write ``|``. A line break in a translation becomes a
    space: a block's text is one line (a break would end a heading or a
    table row)."""
    text = " ".join(text.splitlines()) if "\n" in text or "\r" in text else text
    text = _ESCAPED.sub(lambda m: pipe if m.group(1) == "|" else "\\" + m.group(1), _AMP.sub("&amp;", text))
    if line_start:
        text = text.lstrip(" \t")  # four spaces would start a code block
        text = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text, count=1)
    return text


def _yaml_value(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def write_markdown(source: str, blocks: list[MdBlock], targets: dict[int, list]) -> str:
    """``source`` with block ``k``'s span replaced by ``targets[k]`` (pieces
    with the block's tag numbers); blocks without a target, or whose target
    is their own pieces, keep their source bytes."""

    order = sorted(range(len(blocks)), key=lambda k: blocks[k].span)
    starts = [blocks[k].span[0] for k in order]

    def render_range(a: int, b: int, skip: int | None = None) -> str:
        """``source[a:b]`` with the blocks inside it rendered (outermost first)."""
        out, pos = [], a
        for i in range(bisect_left(starts, a), bisect_left(starts, b)):
            k = order[i]
            s, e = blocks[k].span
            if k == skip or s < pos or e > b:
                continue
            out.append(source[pos:s])
            out.append(render_block(k))
            pos = e
        out.append(source[pos:b])
        return "".join(out)

    def render_block(k: int) -> str:
        block = blocks[k]
        target = targets.get(k)
        s, e = block.span
        if target is None or target == block.pieces:
            # Nested blocks (alt text inside an image) may still change.
            return render_range(s, e, skip=k)
        if block.mode == "yaml":
            return _yaml_value("".join(p for p in target if isinstance(p, str)))
        if block.mode == "alt":
            return escape_inline("".join(p for p in target if isinstance(p, str)), False, block.pipe) + block.suffix
        out: list[str] = []
        at_line_start = True  # a block's text always begins its line's content
        placed: set[int] = set()
        emphasis: dict[int, list[int]] = {}  # tag number → where its opener and closer are in out
        for piece in target:
            if isinstance(piece, str):
                out.append(escape_inline(piece, at_line_start, block.pipe))
                at_line_start = False
                continue
            kind, n = piece
            if kind == "raw":  # the untranslated mark, as today's English edition writes it
                out.append(n)
                at_line_start = False
                continue
            code = block.codes.get(n)
            if code is None:
                continue
            if kind == "close" and code.written_close is not None:
                snippet = code.written_close
            elif kind == "close":
                snippet = source[code.close[0] : code.close[1]] if code.close else ""
            elif kind == "open":
                snippet = source[code.open[0] : code.open[1]]
            else:
                if n in placed:
                    continue
                placed.add(n)
                snippet = render_range(*code.open)
            if code.delimiter and kind in ("open", "close") and snippet.startswith(code.delimiter):
                emphasis.setdefault(n, []).append(len(out))
            out.append(snippet)
            if snippet:
                at_line_start = snippet.endswith("\n") or bool(re.search(r"\n[ \t>]*$", snippet))
        # A standalone code the translation lost is put back at the end.
        for n, code in block.codes.items():
            if code.kind == "standalone" and n not in placed:
                out.append(render_range(*code.open))
        pairs = [(block.codes[n], where) for n, where in emphasis.items() if len(where) == 2]
        return _emphasis_that_parses(out, pairs)

    return render_range(0, len(source))


# --------------------------------------------------------------------------- emphasis

#: Punctuation after which English puts a space before a word, and before
#: which it puts one after a word: where a translation has none next to an
#: emphasis delimiter (Chinese needs none), the delimiter cannot flank.
_CLOSING_PUNCTUATION = frozenset(")]}\"'”’».,;:!?%…")
_OPENING_PUNCTUATION = frozenset("([{\"'“‘«$£€¥#")
_LATIN_WORD = re.compile(r"[0-9A-Za-z\u00c0-\u024f]")


def _punctuation(ch: str, symbols: bool) -> bool:
    """CommonMark's punctuation: ASCII punctuation and Unicode P*; since
    CommonMark 0.31 (markdown-it-py 4) also S* (symbols), which older readers
    (pandoc 2) do not count. A delimiter must flank under both."""
    if ch in _ASCII_PUNCTUATION:
        return True
    category = unicodedata.category(ch)
    return category.startswith("P") or (symbols and category.startswith("S"))


def _can(before: str, marker: str, after: str) -> tuple[bool, bool]:
    """Whether a run of ``marker`` between ``before`` and ``after`` (a space
    at the start or end of the block's text) can open and can close
    emphasis, under every reading of punctuation (CommonMark's flanking rules)."""
    can_open = can_close = True
    for symbols in (False, True):
        lw, nw = before.isspace(), after.isspace()
        lp, np = _punctuation(before, symbols), _punctuation(after, symbols)
        left = not nw and (not np or lw or lp)
        right = not lw and (not lp or nw or np)
        can_open &= left and (marker == "*" or not right or lp)
        can_close &= right and (marker == "*" or not left or np)
    return can_open, can_close


def _run_ends(out: list[str], k: int) -> tuple[int, int]:
    """Where the text before and after the delimiter run ``out[k]`` is part
    of is in ``out`` (-1 or ``len(out)`` at either end of the block): the
    run takes in delimiters of the same character next to it."""
    marker = out[k][:1]
    i = k - 1
    while i >= 0 and (not out[i] or out[i] == marker * len(out[i])):
        i -= 1
    j = k + 1
    while j < len(out) and (not out[j] or out[j] == marker * len(out[j])):
        j += 1
    return i, j


def _neighbours(out: list[str], k: int) -> tuple[str, str]:
    """The characters before and after the delimiter run ``out[k]`` is part
    of; a space at either end of the block's text."""
    i, j = _run_ends(out, k)
    return (out[i][-1] if i >= 0 else " "), (out[j][0] if j < len(out) else " ")


def _flanks(out: list[str], opener: int, closer: int) -> bool:
    before, after = _neighbours(out, opener)
    if not _can(before, out[opener][:1], after)[0]:
        return False
    before, after = _neighbours(out, closer)
    return _can(before, out[closer][:1], after)[1]


def _emphasis_that_parses(out: list[str], pairs: list[tuple[Code, list[int]]]) -> str:
    """The block's text ``out`` (rendered pieces) with each emphasis pair
    (its code, where its opener and closer are in ``out``) written so that it
    parses as emphasis: a translation puts other characters next to the
    delimiters than the source had (``**崔平**说`` → ``**Cui Ping (researcher)**said``,
    where ``**`` no longer closes). In order: as the source wrote it; ``*``
    for ``_`` (``_`` cannot open or close inside a word); with the space
    English puts between a word and punctuation, outside the pair; as HTML
    (``<strong>``), which needs no flanking. A block markdown-it still reads
    otherwise is written with HTML for all its emphasis."""
    if not pairs:
        return "".join(out)

    def as_html(code: Code, opener: int, closer: int) -> None:
        size = len(code.delimiter)
        out[opener] = f"<{code.tag}>" + out[opener][size:]
        out[closer] = f"</{code.tag}>" + out[closer][size:]

    html_pairs: set[int] = set()
    for _ in range(3):  # a change may change a neighbour's neighbours
        changed = False
        for index, (code, (opener, closer)) in enumerate(pairs):
            if index in html_pairs or _flanks(out, opener, closer):
                continue
            changed = True
            size = len(code.delimiter)
            if code.delimiter[0] == "_":
                saved = out[opener], out[closer]
                out[opener] = "*" * size + out[opener][size:]
                out[closer] = "*" * size + out[closer][size:]
                if _flanks(out, opener, closer):
                    continue
                out[opener], out[closer] = saved
            undo = _spaced(out, opener, closer)
            if not _flanks(out, opener, closer):
                for k, previous in undo:
                    out[k] = previous
                as_html(code, opener, closer)
                html_pairs.add(index)
        if not changed:
            break
    text = "".join(out)
    in_markup = [
        (k, kind, code.tag)
        for i, (code, ends) in enumerate(pairs)
        if i not in html_pairs
        for k, kind in zip(ends, ("open", "close"), strict=True)
    ]
    if _emphasis_read(text) == [(kind, tag) for _, kind, tag in sorted(in_markup)]:
        return text
    for index, (code, (opener, closer)) in enumerate(pairs):
        if index not in html_pairs:
            as_html(code, opener, closer)
    return "".join(out)


def _spaced(out: list[str], opener: int, closer: int) -> list[tuple[int, str]]:
    """A space outside the pair where English puts one: between a word and
    the opening punctuation the pair begins with (``said**“Hi”**`` →
    ``said **“Hi”**``), between the closing punctuation the pair ends with
    and a word (``**(researcher)**said`` → ``**(researcher)** said``).
    What it changed: (where in ``out``, what was there)."""
    undo = []
    i, j = _run_ends(out, opener)
    if i >= 0 and j < len(out) and _LATIN_WORD.match(out[i][-1]) and out[j][0] in _OPENING_PUNCTUATION:
        undo.append((i, out[i]))
        out[i] += " "
    i, j = _run_ends(out, closer)
    if i >= 0 and j < len(out) and out[i][-1] in _CLOSING_PUNCTUATION and _LATIN_WORD.match(out[j][0]):
        undo.append((j, out[j]))
        out[j] = " " + out[j]
    return undo


def _emphasis_read(text: str) -> list[tuple[str, str]]:
    """The emphasis markdown-it reads in ``text``, in order: ``("open", "em")``
    and so on (the same number of pairs of the same tags is not enough:
    ``*a****b*`` reads as two ``em``, where ``**`` meant an empty ``strong``)."""
    kinds = {"em_open", "em_close", "strong_open", "strong_close"}
    return [(t.type.rsplit("_", 1)[1], t.tag) for t in _inline_tokens(text) if t.type in kinds]


def _inline_tokens(text: str):
    for token in parser().parseInline(text):
        yield from token.children or []


# --------------------------------------------------------------------------- the format


@dataclass(frozen=True)
class Native:
    """The decoded source (``\\n`` line ends, as it is read) and how to
    write it back: the source as decoded (``raw``, its own line ends, "" when
    they are all ``\\n``), its byte order mark and codec."""

    text: str
    raw: str
    encoding: str
    where: str
    front_matter: tuple[str, ...]
    bom: bytes = b""
    codec: str = "utf-8"

    def encode(self, text: str) -> bytes:
        """``text`` in the source's encoding, after the source's byte order
        mark: a GB18030 file is written back in GB18030 (which holds every
        character), a UTF-16 file in UTF-16 of the same byte order."""
        return self.bom + text.encode(self.codec)


_CODECS = (  # in sources.decode's order: the UTF-32 LE mark begins with UTF-16 LE's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_source(data: bytes, where: str) -> tuple[str, str, str]:
    """Text (``\\n`` line ends) and encoding, as for plain-text sources
    (:func:`pipeline.sources.decode_text`), and the text with the source's
    own line ends ("" when they are all ``\\n``), written back so."""
    from ..sources import decode, decode_text

    text, encoding = decode_text(data, where)
    raw = decode(data, where)[0] if b"\r" in data else ""
    return text, encoding, (raw if raw != text else "")


def _codec(data: bytes, encoding: str) -> tuple[bytes, str]:
    if encoding.startswith("utf-") and encoding != "utf-8":  # a byte order mark said it
        for bom, codec in _CODECS:
            if data.startswith(bom):
                return bom, codec
    return b"", encoding


def _raw_offsets(raw: str):
    """Offset in ``raw`` (the source's line ends) of an offset in its text
    with ``\\n`` line ends: only a CRLF is two characters for one."""
    pairs = [m.start() - k for k, m in enumerate(re.finditer("\r\n", raw))]
    return lambda i: i + bisect_left(pairs, i)


def _to_raw(blocks: list[MdBlock], raw: str) -> None:
    """The spans of ``blocks`` (read from the text with ``\\n`` line ends)
    moved to ``raw``, the same text with the source's line ends."""
    at = _raw_offsets(raw)
    for block in blocks:
        block.span = (at(block.span[0]), at(block.span[1]))
        for code in block.codes.values():
            code.open = (at(code.open[0]), at(code.open[1]))
            if code.close is not None:
                code.close = (at(code.close[0]), at(code.close[1]))


def _builder(block: MdBlock):
    from ..inline import build_from_pieces

    return build_from_pieces(block.pieces, block.codes)


def _front_matter_keys(ctx) -> tuple[str, ...]:
    return tuple(ctx.setting("formats.markdown.front_matter"))


def _document_blocks(text: str, where: str, keys) -> list:
    """(MdBlock, Block) for every block with words; a paragraph is typed
    by its text as in HTML (byline, caption, qa-turn)."""
    from ..inline import classify_text, make_block
    from ..segment.blocks import find_speakers

    pending = [(md, _builder(md)) for md in read_markdown(text, where, keys)]
    body = [b.plain.strip() for md, b in pending if md.type is BlockType.BODY and md.mode == "inline"]
    speakers = find_speakers(body).labels
    out = []
    for md, builder in pending:
        btype, reason = md.type, f"markdown {md.mode}"
        if btype is BlockType.BODY and md.mode == "inline":
            btype, reason = classify_text(builder.plain.strip(), speakers)
        block = make_block(builder, btype, md.line, anchor=md, reason=reason, where=where)
        if block is not None:
            out.append((md, block))
    return out


def read(data: bytes, ctx):
    """The document of a Markdown source (see the module docstring)."""
    from ..segment import Document

    text, encoding, raw = decode_source(data, ctx.where)
    keys = _front_matter_keys(ctx)
    blocks = [block for _, block in _document_blocks(text, ctx.where, keys)]
    bom, codec = _codec(data, encoding)
    native = Native(text, raw, encoding, ctx.where, keys, bom, codec)
    return Document(ctx.name, blocks, repair=False, native=native, encoding=encoding)


def _spaces_outside_pairs(pieces: list) -> list:
    """White space just inside a pair moved outside it: ``** Xinhua **`` is
    not emphasis in Markdown, `` **Xinhua** `` is."""
    out = list(pieces)
    for k in range(len(out) - 1):
        piece, after = out[k], out[k + 1]
        if isinstance(piece, tuple) and piece[0] == "open" and isinstance(after, str):
            stripped = after.lstrip()
            if stripped != after:
                out[k], out[k + 1] = after[: len(after) - len(stripped)], [piece, stripped]
    flat: list = []
    for piece in out:
        flat.extend(piece if isinstance(piece, list) else [piece])
    out = flat
    for k in range(len(out) - 1, 0, -1):
        piece, before = out[k], out[k - 1]
        if isinstance(piece, tuple) and piece[0] == "close" and isinstance(before, str):
            stripped = before.rstrip()
            if stripped != before:
                out[k - 1], out[k] = stripped, [piece, before[len(stripped) :]]
    flat = []
    for piece in out:
        flat.extend(piece if isinstance(piece, list) else [piece])
    return flat


_UNTRANSLATED_OPEN = '<span class="untranslated" lang="zh-Hans">'


def write_english(document, edition) -> bytes:
    """``<doc>.en.md``: the source with each block's text replaced by its
    translation (see the module docstring); in the source's encoding (GB18030
    stays GB18030), with its byte order mark and line ends."""
    from ..editions.model import Shown
    from ..inline import Begin, Close, End, Open, Single, Text, rebuild
    from ..languages import SOURCE

    native: Native = document.native
    pairs = _document_blocks(native.text, native.where, native.front_matter)
    if [tuple(s.text for s in b.segments) for _, b in pairs] != [
        tuple(s.text for s in b.segments) for b in document.blocks
    ]:
        raise SourceError(f"{native.where}: the source changed while it was being built; build again")
    mds = [md for md, _ in pairs]
    targets: dict[int, list] = {}
    for k, ((md, block), eblock) in enumerate(zip(pairs, edition.blocks, strict=True)):
        unchanged = all(
            es.target == seg.text and es.shown in (Shown.REVIEWED, Shown.VERBATIM)
            for seg, es in zip(block.segments, eblock.segments, strict=True)
        )
        if unchanged:
            continue  # written as its source bytes
        pieces: list = []
        numbers = {id(code): n for n, code in md.codes.items()}
        for piece in rebuild(block, eblock):
            if isinstance(piece, Text):
                pieces.append(piece.text)
            elif isinstance(piece, Begin | End):
                if md.mode == "inline" and piece.shown is Shown.UNTRANSLATED:
                    opener = _UNTRANSLATED_OPEN.replace("zh-Hans", SOURCE.bcp47)
                    pieces.append(("raw", opener if isinstance(piece, Begin) else "</span>"))
            else:
                n = numbers[id(piece.code.data)]
                kind = "open" if isinstance(piece, Open) else "close" if isinstance(piece, Close) else "standalone"
                if isinstance(piece, Single) and piece.code.data.kind == "paired":
                    pieces.extend([("open", n), ("close", n)])
                else:
                    pieces.append((kind, n))
        targets[k] = _spaces_outside_pairs(pieces)
    if native.raw:  # CRLF or CR line ends, mixed or not: written back as they were
        _to_raw(mds, native.raw)
    return native.encode(write_markdown(native.raw or native.text, mds, targets))


def _format():
    from . import Format

    return Format(
        name="markdown",
        label="Markdown",
        suffixes=(".md", ".markdown"),
        kinds=frozenset({"text", "html", "empty"}),  # a README may open with an HTML block
        read=read,
        outputs={".en.md": write_english},
    )


FORMAT = _format()
