"""Property tests with random input: the segmenter, the normaliser, the
source decoder and the PO reader never crash (only the documented
PipelineError subclasses), never hang, and lose no text.

Bounded for CI by the ``pipeline-ci`` hypothesis profile (a fixed set of
examples, each under a deadline and a hang guard). For a long soak run by
hand, with many more random examples::

    PIPELINE_SOAK=1 /work/venv-dev/bin/python -m pytest -q tests/reliability/test_fuzz.py

A failure prints the example and a ``@reproduce_failure`` blob.

"Loses no text" for the segmenter means: every line of the input, split
at line ends and form feeds, stripped and normalised, is the ``Line`` of
exactly one block, in document order (captions excepted: page-break
repair moves a caption after the paragraph it interrupted); a block's text
is its lines joined by the join rule (nothing between Chinese, one space
between two Latin-script ends); and a block's text is exactly its gaps and
segments, interleaved. Together: every non-whitespace character of the
normalised input is in exactly one segment or gap, in order.
"""

from __future__ import annotations

import io
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from pipeline.catalog.pofile import po_bytes, read_po
from pipeline.catalog.template import build_template
from pipeline.errors import CatalogError, SourceError
from pipeline.segment import BlockType, segment_document
from pipeline.segment.normalize import normalize
from pipeline.segment.rules import FULL_PAREN_PAIR, HALF_TO_FULL, PAREN_PAIR
from pipeline.sources import read_source
from pipeline.zh.script import CJK_CONTEXT_RE, HAN_RE
from tests.conftest import REPO
from tests.reliability.support import fuzz_settings, hang_guard

HANG_SECONDS = 20  # per example; the deadline judges the slow ones, this stops an endless loop

# --- Strategies -----------------------------------------------------------------------

FULL_WIDTH = "。，、；：？！“”‘’「」『』（）《》〈〉【】〔〕…—·\u3000"
HALF_WIDTH = ",:;?!.()\"' -/"
TOKENS = [
    "(严龙 摄)",
    "（资料图片）",
    "记者：",
    "崔平: ",
    "Q:",
    "记者 成良田",
    "1",
    "一、",
    "……",
    "——",
    "“新型工业化是必由之路”",
    "AI for Science",
    "Y-space",
    "6吋",
    "3:2",
    "http://a.b/c?d=1",
    "\n",
    "\n\n",
    "\n\n\n",
    "\r",
    "\r\n",
    "\f",
    "\t",
    " ",
    "\u3000",
    "\v",
]
HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
PIECES = st.one_of(
    st.sampled_from(TOKENS),
    HAN,
    st.sampled_from(FULL_WIDTH + HALF_WIDTH),
    st.characters(codec="utf-8"),  # anything at all (no lone surrogates: decoded text has none)
)
TEXTS = st.lists(PIECES, max_size=120).map("".join)
LINES = st.lists(
    st.one_of(HAN, st.sampled_from(FULL_WIDTH + HALF_WIDTH + " \t\u3000aZ9"), st.characters(codec="utf-8")), max_size=60
).map("".join)

# --- The segmenter --------------------------------------------------------------------

_STRIP = " \t\u3000\r\v"  # what a line may carry around its text


def nonspace(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


def expected_lines(text: str) -> list[tuple[int, str]]:
    """The documented input of the blocks: every line (and form-feed piece)
    with text, stripped and normalised, with its line number."""
    out = []
    for number, line in enumerate(text.split("\n"), start=1):
        for piece in line.split("\f"):
            if piece.strip(_STRIP):
                out.append((number, normalize(piece.strip(_STRIP))))
    return out


def assert_join_rule(block) -> None:
    """``block.text`` is its lines, one space between two lines exactly when
    neither side is Chinese (Han or CJK punctuation), nothing otherwise."""
    pos = 0
    previous = None
    for line in block.lines:
        if previous is not None:
            latin_ends = not CJK_CONTEXT_RE.match(previous[-1]) and not CJK_CONTEXT_RE.match(line.text[0])
            if latin_ends:
                assert block.text[pos] == " ", (block.text, pos)
                pos += 1
        assert block.text.startswith(line.text, pos), (block.text, line.text, pos)
        pos += len(line.text)
        previous = line.text
    assert pos == len(block.text)


def assert_segments_tile_the_block(block) -> None:
    gaps = block.gaps()
    assert len(gaps) == len(block.segments) + 1
    rebuilt = gaps[0]
    end = 0
    for seg, gap in zip(block.segments, gaps[1:], strict=True):
        assert seg.start >= end and seg.end > seg.start, "segments overlap, are out of order or empty"
        assert block.text[seg.start : seg.end] == seg.text
        rebuilt += seg.text + gap
        end = seg.end
    assert rebuilt == block.text


SEED_TEXT = (REPO / "seeds" / "000_a24ceba1f548592f.txt").read_text(encoding="utf-8")


@fuzz_settings()
@given(TEXTS)
@example(SEED_TEXT)
@example("第一句话没有结束，并不\n\n崔平和科研人员交流。(严龙 摄)\n\n断演进升级。\n\nAI\nfor Science\f第三页。")
def test_segmentation_loses_no_text(text):
    with hang_guard(HANG_SECONDS):
        document = segment_document("doc", text)

    for block in document.blocks:
        assert block.lines and block.text
        assert [line.number for line in block.lines] == sorted(line.number for line in block.lines)
        assert_join_rule(block)
        assert_segments_tile_the_block(block)

    # Every line lands in exactly one block ...
    expected = expected_lines(text)
    got = [(line.number, line.text) for block in document.blocks for line in block.lines]
    assert Counter(got) == Counter(expected)
    # ... in order, but for captions moved after the paragraph they interrupted.
    moved = Counter(
        (line.number, line.text) for block in document.blocks if block.type is BlockType.CAPTION for line in block.lines
    )
    in_place = [
        (line.number, line.text)
        for block in document.blocks
        if block.type is not BlockType.CAPTION
        for line in block.lines
    ]
    remaining = moved.copy()
    expected_in_place = []
    for item in expected:
        if remaining[item]:
            remaining[item] -= 1
        else:
            expected_in_place.append(item)
    assert in_place == expected_in_place
    # Hence every non-whitespace character, exactly once.
    assert Counter(nonspace("".join(t for _, t in expected))) == Counter(
        nonspace("".join(b.text for b in document.blocks))
    )


@fuzz_settings(scale=0.5)
@given(TEXTS)
def test_what_the_segmenter_makes_is_written_and_read_back(text):
    """Whatever text a source holds, its template is a catalog we can read back."""
    with hang_guard(HANG_SECONDS):
        template = build_template(segment_document("doc", text), "seeds/doc.txt")
        data = po_bytes(template)
        back = read_po(io.BytesIO(data), "doc.pot")
    assert [m.id for m in back if m.id] == [m.id for m in template if m.id]


# --- The normaliser -------------------------------------------------------------------

_SPACES = " \t\u3000"
_FOLD = str.maketrans(
    {**{full: half for half, full in HALF_TO_FULL.items()}, FULL_PAREN_PAIR[0]: "(", FULL_PAREN_PAIR[1]: ")"}
)


def normalize_by_passes(line: str) -> str:
    """The normalisation rule as it is defined: passes over the line, each
    converting matched parentheses (innermost first) then punctuation, left
    to right, until a pass changes nothing. (This was the implementation; it
    takes quadratic time on chains such as ``(a)(b)(c)…人``, so
    ``normalize`` now reaches the same result without repeating passes.)"""

    def is_cjk(ch):
        return ch is not None and bool(CJK_CONTEXT_RE.match(ch))

    def near(chars, i, step):
        i += step
        while 0 <= i < len(chars) and chars[i] in _SPACES:  # "" (a removed space) counts as a space
            i += step
        return chars[i] if 0 <= i < len(chars) else None

    def strip(chars, i, step):
        i += step
        while 0 <= i < len(chars) and chars[i] in _SPACES:
            chars[i] = ""
            i += step

    while True:
        chars = list(line)
        stack, pairs = [], []
        for i, ch in enumerate(chars):
            if ch == PAREN_PAIR[0]:
                stack.append(i)
            elif ch == PAREN_PAIR[1] and stack:
                pairs.append((stack.pop(), i))
        for start, end in pairs:
            before, after = near(chars, start, -1), near(chars, end, +1)
            if HAN_RE.search("".join(chars[start + 1 : end])) or is_cjk(before) or is_cjk(after):
                chars[start], chars[end] = FULL_PAREN_PAIR
                if is_cjk(before) or before is None:
                    strip(chars, start, -1)
                if is_cjk(after) or after is None:
                    strip(chars, end, +1)
        for i, ch in enumerate(chars):
            if ch in HALF_TO_FULL:
                before, after = near(chars, i, -1), near(chars, i, +1)
                if is_cjk(before) or (after is not None and HAN_RE.match(after)):
                    chars[i] = HALF_TO_FULL[ch]
                    strip(chars, i, -1)
                    strip(chars, i, +1)
        out = "".join(chars)
        if out == line:
            return out
        line = out


@fuzz_settings(scale=2)
@given(LINES)
def test_normaliser_follows_its_definition(line):
    with hang_guard(HANG_SECONDS):
        out = normalize(line)
    assert out == normalize_by_passes(line)


@fuzz_settings()
@given(LINES)
def test_normaliser_only_widens_punctuation_and_drops_spaces(line):
    out = normalize(line)
    assert normalize(out) == out  # idempotent: re-extraction is stable
    # Folded back to half width and without spaces, nothing changed ...
    assert out.translate(_FOLD).translate({ord(c): None for c in _SPACES}) == line.translate(_FOLD).translate(
        {ord(c): None for c in _SPACES}
    )
    # ... and a mark was only ever widened, never narrowed.
    assert sum(ch in "，：；？！（）" for ch in out) >= sum(ch in "，：；？！（）" for ch in line)


# --- Reading sources ------------------------------------------------------------------


@fuzz_settings()
@given(
    st.one_of(st.binary(max_size=400), TEXTS.map(lambda t: t.encode("utf-8")), TEXTS.map(lambda t: t.encode("gb18030")))
)
def test_any_bytes_are_read_or_refused_in_one_line(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.txt"
        path.write_bytes(data)
        try:
            with hang_guard(HANG_SECONDS):
                source = read_source(path, display="seeds/doc.txt")
        except SourceError as exc:
            message = str(exc)
            assert "\n" not in message and message.startswith("seeds/doc.txt")
            return
    assert "\r" not in source.text
    with hang_guard(HANG_SECONDS):
        segment_document(source.name, source.text)


# --- Reading catalogs -----------------------------------------------------------------

GOLDEN_POT = (REPO / "tests" / "golden" / "000_a24ceba1f548592f.pot").read_bytes()
PO_FRAGMENTS = [
    "msgid ",
    "msgstr ",
    "msgctxt ",
    "msgid_plural ",
    "msgstr[0] ",
    "msgstr[1] ",
    '"',
    '"\n',
    "\\",
    "\\n",
    '\\"',
    "\\t",
    "#",
    "#, fuzzy\n",
    "#,",
    "#|",
    "#| msgid ",
    "#~ ",
    "#~| ",
    "#. type: body\n",
    "#: seeds/a.txt:1\n",
    "# mt:x\n",
    "\n",
    "\r",
    "\r\n",
    "\f",
    "\u2028",
    " ",
    "\t",
    "人",
    "“",
    "，",
    "a",
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n',
    '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n',
    '"Language: en\\n"\n',
    '"Language: zz_ZZ@x\\n"\n',
    '"POT-Creation-Date: 2024-13-45 99:99+0000\\n"\n',
    "<<<<<<< ",
    "=======",
    'msgid "宁波。"\nmsgstr "Ningbo."\n',
    '#~ msgid "旧。"\n#~ msgstr "Old."\n',
]


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (position, bytes to delete, bytes to insert) edits, positions taken modulo the length."""
    for position, delete, insert in edits:
        at = position % (len(data) + 1)
        data = data[:at] + insert + data[at + delete :]
    return data


CATALOG_BYTES = st.one_of(
    st.binary(max_size=600),
    st.lists(st.sampled_from(PO_FRAGMENTS), max_size=40).map(lambda parts: "".join(parts).encode("utf-8")),
    st.lists(
        st.tuples(
            st.integers(0, len(GOLDEN_POT)),
            st.integers(0, 8),
            st.one_of(st.binary(max_size=4), st.sampled_from(PO_FRAGMENTS).map(str.encode)),
        ),
        min_size=1,
        max_size=4,
    ).map(lambda edits: _mutate(GOLDEN_POT, edits)),  # a real catalog, edited by a careless hand
)


def _entries(catalog):
    def row(m):
        return (m.id, m.string, sorted(m.flags), m.context, list(m.user_comments))

    return [row(m) for m in catalog if m.id], [row(m) for m in catalog.obsolete.values()]


# Found by soak runs; each was a bug, now pinned.
_HEADER = b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'


@fuzz_settings()
@given(CATALOG_BYTES)
@example(b"# a form\x0cfeed in the header comment\n" + _HEADER)  # was written as a line without "#"
@example(b'msgid "\\n"')  # Babel's message quoted the msgid raw: an error of two lines
@example(b'#\xe1\x80\x80\n#~msgstr ""')  # an orphan obsolete msgstr took the header's text
@example(_HEADER + b'\nmsgid "a"\nmsgstr "x"\nmsgstr "y"\n')  # a second msgstr was dropped silently
def test_any_catalog_bytes_are_read_or_refused_with_file_and_line(data):
    try:
        with hang_guard(HANG_SECONDS):
            catalog = read_po(io.BytesIO(data), "locales/x.po")
    except CatalogError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith("locales/x.po")
        return
    # What we accept, we write so that we read back the same entries.
    with hang_guard(HANG_SECONDS):
        back = read_po(io.BytesIO(po_bytes(catalog)), "written.po")
    assert _entries(back) == _entries(catalog)
