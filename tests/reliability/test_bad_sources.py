"""Source files that are empty, binary, badly or mixed encoded, enormous or
in another script: each one works, or is refused with exit code 1 and one
line saying what is wrong and where; never a traceback, never a catalog
made from garbage.

Decisions recorded by these tests:

* **Mixed encodings** (a UTF-8 paragraph and a GBK paragraph in one file)
  are refused, naming a UTF-8 line and the first byte that is not UTF-8.
  Decoding paragraph by paragraph would be guessing, and decoding the whole
  file as GB18030 often "succeeds" with the UTF-8 part turned into mojibake
  (``宁波底气从何而来`` → ``瀹佹尝搴曟皵浠庝綍鑰屾潵``).
* **Another script** (Cyrillic, Arabic) is extracted like Latin text: it
  has words a translator must see. Only digits, symbols and punctuation
  are copied verbatim (they used to cover Cyrillic as well, so a Russian
  paragraph reached the English edition untranslated, at 100% coverage).
* **A 1 MB line** works; the segmenter is linear (see
  ``benchmarks/reliability_long_line.py`` for figures).
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from pipeline.catalog import load_catalog
from pipeline.errors import PipelineError, SourceError
from pipeline.segment import segment_document
from pipeline.segment.normalize import normalize
from pipeline.sources import read_source
from pipeline.workspace import Workspace
from tests.reliability.support import invoke, succeeds

PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x00"


def put(ws: Path, name: str, data: bytes) -> Path:
    path = ws / "seeds" / name
    path.write_bytes(data)
    return path


def msgids(ws: Path, doc: str) -> list[str]:
    return [m.id for m in load_catalog(Workspace(ws).catalog_path(doc)) if m.id]


def extract_refused(ws: Path, name: str) -> str:
    """``pipeline extract`` on a workspace holding only ``seeds/NAME``: exit 1,
    exactly one line on stderr, no catalog. Return the message."""
    result = invoke("extract", "-w", ws)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert result.stdout == ""
    doc = Path(name).stem
    assert not Workspace(ws).catalog_path(doc).exists(), "a refused source must not leave a catalog"
    return lines[0][len("Error: ") :]


def read_refused(path: Path) -> str:
    """``read_source`` refuses with a one-line SourceError that names the file."""
    with pytest.raises(SourceError) as info:
        read_source(path, display=f"seeds/{path.name}")
    message = str(info.value)
    assert isinstance(info.value, PipelineError)
    assert "\n" not in message and message.startswith(f"seeds/{path.name}")
    return message


# --- Refused, with what and where -------------------------------------------------


def test_binary_file(bare_workspace):
    path = put(bare_workspace, "photo.txt", PNG_HEADER)
    expected = "NUL byte at line 3, byte 8"  # \x89PNG\r\n | \x1a\n | \x00 at offset 8
    message = extract_refused(bare_workspace, "photo.txt")
    assert message.startswith("seeds/photo.txt: ") and "binary" in message and expected in message
    assert expected in read_refused(path)


def test_bytes_invalid_in_utf8_and_in_gb18030(bare_workspace):
    good = "第一段。\n".encode()
    data = good + b"\x80\xff\x80\n"
    for encoding in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)
    path = put(bare_workspace, "bad.txt", data)
    expected = f"seeds/bad.txt: neither UTF-8 nor GB18030 (invalid byte 0x80 at line 2, byte {len(good)})"
    assert extract_refused(bare_workspace, "bad.txt") == expected
    assert read_refused(path) == expected


UTF8_PARAGRAPH = "宁波底气从何而来"  # even runs of Han: its UTF-8 bytes are valid GB18030 too
GBK_PARAGRAPH = "崔平很忙。"


@pytest.mark.parametrize(
    "data,utf8_line,bad_line",
    [
        pytest.param(f"{UTF8_PARAGRAPH}\n\n".encode() + f"{GBK_PARAGRAPH}\n".encode("gbk"), 1, 3, id="utf8-then-gbk"),
        pytest.param(f"{GBK_PARAGRAPH}\n\n".encode("gbk") + f"{UTF8_PARAGRAPH}\n".encode(), 3, 1, id="gbk-then-utf8"),
    ],
)
def test_mixed_encodings_are_refused_not_decoded_into_mojibake(bare_workspace, data, utf8_line, bad_line):
    # The trap: as a whole, these bytes decode as GB18030 without an error.
    mojibake = data.decode("gb18030")
    assert UTF8_PARAGRAPH not in mojibake
    path = put(bare_workspace, "mixed.txt", data)
    message = extract_refused(bare_workspace, "mixed.txt")
    assert message.startswith(f"seeds/mixed.txt: mixed encodings: line {utf8_line} is UTF-8 but line {bad_line} is not")
    assert f"at line {bad_line}, byte" in message and "convert the whole file to UTF-8" in message
    assert read_refused(path) == message


def test_mixed_encodings_with_a_gbk_paragraph_gb18030_cannot_read(bare_workspace):
    data = "第一段用的是UTF-8编码。\n\n".encode() + "第二段用的是GBK编码。\n".encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb18030")
    put(bare_workspace, "mixed.txt", data)
    assert "mixed encodings: line 1 is UTF-8 but line 3 is not" in extract_refused(bare_workspace, "mixed.txt")


@pytest.mark.parametrize(
    "text,newline,where",
    [
        ("第一行。\n第二\x1b行。\n", "\n", "2:3: control character U+001B"),
        ("第一行。\n第二行\x85。\n", "\n", "2:4: control character U+0085"),  # C1 (NEL)
        ("标题\n\n正文\x00第一句。\n", "\n", "3:3: control character U+0000"),  # NUL in UTF-16 is text, not binary
        ("第一行。\n\n第三行\x07。\n", "\r\n", "3:4: control character U+0007"),  # CRLF counts as one line end
        ("第一行\u202e。\n", "\n", "1:4: bidirectional control U+202E"),  # shows text in another order
        ("他说\u2068مرحبا\u2069。\n", "\n", "1:3: bidirectional control U+2068"),
    ],
)
def test_control_character_is_refused_with_line_and_column(bare_workspace, text, newline, where):
    if "\x00" in text:
        data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    else:
        data = text.replace("\n", newline).encode("utf-8")
    path = put(bare_workspace, "ctrl.txt", data)
    expected = f"seeds/ctrl.txt:{where} in text"
    assert extract_refused(bare_workspace, "ctrl.txt") == expected
    assert read_refused(path) == expected


def test_invalid_utf16_after_a_bom(bare_workspace):
    path = put(
        bare_workspace, "u16.txt", codecs.BOM_UTF16_LE + "宁波".encode("utf-16-le") + b"\x00\xd8"
    )  # lone surrogate
    message = extract_refused(bare_workspace, "u16.txt")
    assert message.startswith("seeds/u16.txt: invalid utf-16 at line 1, byte ")
    assert read_refused(path) == message


# --- Works --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(" \t\n\u3000\u3000\r\n\n\f\n".encode(), id="whitespace-only"),
    ],
)
def test_nothing_to_translate_gives_an_empty_catalog_and_a_warning(bare_workspace, data):
    put(bare_workspace, "blank.txt", data)
    result = succeeds("extract", "-w", bare_workspace)
    assert "warning: blank: no text to translate" in result.stderr
    assert msgids(bare_workspace, "blank") == []
    succeeds("build", "-w", bare_workspace)
    assert (bare_workspace / "build" / "blank.en.txt").read_text(encoding="utf-8").strip() == ""


def test_only_punctuation_is_copied_verbatim(bare_workspace):
    lines = ["。，、；：？！“”……", "——《》（）", "1"]
    put(bare_workspace, "punct.txt", "\n\n".join(lines).encode())
    result = succeeds("extract", "-w", bare_workspace)
    assert "no text to translate" in result.stderr
    assert msgids(bare_workspace, "punct") == []
    succeeds("build", "-w", bare_workspace)
    paragraphs = (bare_workspace / "build" / "punct.en.txt").read_text(encoding="utf-8").strip().split("\n\n")
    # Every mark kept, in order; segments of a paragraph are joined with spaces.
    assert ["".join(p.split()) for p in paragraphs] == lines


@pytest.mark.parametrize("bom,encoding", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_utf16_with_bom_extracts_like_utf8(tmp_path, bom, encoding):
    text = "宁波打出一张“王牌”。\r\n\r\n崔平很忙。第二句话。\r\n"
    entries = {}
    for name, data in (("utf8", text.encode("utf-8")), ("utf16", bom + text.encode(encoding))):
        ws = tmp_path / name
        put_dir = ws / "seeds"
        put_dir.mkdir(parents=True)
        (put_dir / "doc.txt").write_bytes(data)
        result = succeeds("extract", "-w", ws)
        entries[name] = msgids(ws, "doc")
    assert "(utf-16)" in result.stderr
    assert entries["utf16"] == entries["utf8"] == ["宁波打出一张“王牌”。", "崔平很忙。", "第二句话。"]


@pytest.mark.parametrize(
    "text,expected",
    [
        pytest.param(
            "Привет, мир. Это тест.\n\nمرحبا بالعالم.\n",
            ["Привет, мир. Это тест.", "مرحبا بالعالم."],
            id="cyrillic-and-arabic",
        ),
        pytest.param(
            "他说：“Всё хорошо.”然后离开了。\n\nΑθήνα\n",
            ["他说：“Всё хорошо.”然后离开了。", "Αθήνα"],
            id="quoted-in-chinese",
        ),
    ],
)
def test_another_script_is_extracted(bare_workspace, text, expected):
    put(bare_workspace, "foreign.txt", text.encode())
    result = succeeds("extract", "-w", bare_workspace)
    assert "no text to translate" not in result.stderr
    assert msgids(bare_workspace, "foreign") == expected
    # ...so the edition marks it untranslated instead of claiming full coverage.
    build = succeeds("build", "-w", bare_workspace)
    assert f"coverage 0.0% (0/{len(expected)} segments translated" in build.stderr


def test_one_megabyte_line_of_chinese(bare_workspace):
    sentences = []
    size = 0
    while size < 1_000_000:  # bytes of UTF-8, without a single line break
        sentence = (
            f"第{len(sentences)}段：甬江实验室不负众望，不到三年时间，就已取得累累硕果，"
            "正朝着“高起点、高层次、高水平”实验室坚实迈进。"
        )
        sentences.append(sentence)
        size += len(sentence.encode())
    put(bare_workspace, "long.txt", "".join(sentences).encode())
    result = succeeds("extract", "-w", bare_workspace)
    assert f"long: {len(sentences)} entries from 1 blocks" in result.stderr
    assert msgids(bare_workspace, "long") == sentences


# --- Shapes that used to take quadratic time ----------------------------------------
# No timing here (benchmarks/reliability_long_line.py prints figures). At these
# sizes each shape took a minute or more before the segmenter was made linear
# (the chain of parentheses about half an hour), so a regression shows as a
# test run that does not finish.

REPEATS = 30_000


def test_unclosed_quotes():
    text = "“宁波。" * REPEATS  # every quote opens, none closes
    (block,) = segment_document("doc", text).blocks
    assert [s.text for s in block.segments] == ["“宁波。"] * REPEATS


def test_chain_of_parentheses_made_full_width_one_by_one():
    # Each pair is in Chinese context only once its right neighbour is.
    line = "(x)" * REPEATS + "人"
    assert normalize(line) == "（x）" * REPEATS + "人"


def test_long_run_of_blocks_broken_by_page_breaks():
    # A paragraph of several sentences that stops mid-word (毋庸置|疑), so each
    # block continues the one above (issue #11: page breaks need evidence).
    piece = (
        "疑。宁波推进新型工业化的冲锋号已经吹响，并不断演进升级，"
        "而另一条隐藏的发展暗线是核心科技对工业化起到了决定性的推动作用，这一点毋庸置"
    )
    assert len(piece) > 60  # a body block, not a title or a heading
    text = "正文开始。\n\n" + "\n\n".join([piece] * (REPEATS // 10)) + "\n\n结束。\n"
    blocks = segment_document("doc", text).blocks
    assert [b.text for b in blocks] == ["正文开始。", piece * (REPEATS // 10) + "结束。"]


def test_one_block_of_many_lines_keeps_line_numbers():
    text = "".join(f"第{n}行。\n" for n in range(1, REPEATS + 1))
    (block,) = segment_document("doc", text).blocks
    assert [(s.line, s.text) for s in block.segments] == [(n, f"第{n}行。") for n in range(1, REPEATS + 1)]
