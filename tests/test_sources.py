"""Reading source documents: encodings, line ends and refusals."""

from __future__ import annotations

import codecs

import pytest

from pipeline.errors import PipelineError, SourceError
from pipeline.segment import segment_document
from pipeline.sources import decode, read_source

SAMPLE = "新型工业化, 宁波底气从何而来\n\n崔平: 每个人都是新型工业化一份子。\n"


def write(tmp_path, data: bytes, name: str = "doc.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def shape(text: str):
    """What segmentation makes of ``text``: types, lines and segments."""
    doc = segment_document("doc", text)
    return [(b.type, [(s.line, s.part, s.text) for s in b.segments]) for b in doc.blocks]


def test_utf8(tmp_path):
    source = read_source(write(tmp_path, SAMPLE.encode("utf-8")))
    assert (source.text, source.encoding, source.name) == (SAMPLE, "utf-8", "doc")


def test_utf8_with_bom(tmp_path):
    source = read_source(write(tmp_path, codecs.BOM_UTF8 + SAMPLE.encode("utf-8")))
    assert source.text == SAMPLE  # no U+FEFF left at the start
    assert source.encoding == "utf-8-sig"


def test_gb18030_seed_segments_like_utf8(tmp_path, seed_text):
    data = seed_text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # so the detection has something to do
    source = read_source(write(tmp_path, data))
    assert source.encoding == "gb18030"
    assert source.text == seed_text
    assert shape(source.text) == shape(seed_text)


def test_gbk(tmp_path):
    source = read_source(write(tmp_path, SAMPLE.encode("gbk")))
    assert source.text == SAMPLE
    assert source.encoding == "gb18030"  # GBK is a subset


def test_gb18030_only_characters(tmp_path):
    text = "𠀀字与€符号。\n"  # outside GBK: four-byte GB18030 sequences
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    assert read_source(write(tmp_path, text.encode("gb18030"))).text == text


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_lone_cr(tmp_path, newline, seed_text):
    data = seed_text.replace("\n", newline).encode("utf-8")
    source = read_source(write(tmp_path, data))
    assert "\r" not in source.text
    assert source.text == seed_text
    assert shape(source.text) == shape(seed_text)


@pytest.mark.parametrize("encoding,bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)])
def test_utf16_with_bom(tmp_path, encoding, bom):
    source = read_source(write(tmp_path, bom + SAMPLE.encode(encoding)))
    assert source.text == SAMPLE
    assert source.encoding == "utf-16"


def test_form_feed_is_allowed(tmp_path):
    source = read_source(write(tmp_path, "第一页。\f第二页。\n".encode()))
    assert [b.text for b in segment_document("doc", source.text).blocks] == ["第一页。", "第二页。"]


# --- Refusals: one-line SourceError messages -----------------------------------


def refusal(path) -> str:
    with pytest.raises(SourceError) as info:
        read_source(path, display="seeds/" + path.name)
    message = str(info.value)
    assert "\n" not in message
    assert isinstance(info.value, PipelineError)  # the CLI shows it as one line
    assert message.startswith("seeds/" + path.name)
    return message


def test_binary_file_is_refused(tmp_path):
    message = refusal(write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
    assert "binary" in message and "NUL" in message


def test_bytes_in_neither_encoding_are_refused(tmp_path):
    data = "宁波。\n".encode() + b"\xff\xfe\xff\n"
    message = refusal(write(tmp_path, data))
    assert "neither UTF-8 nor GB18030" in message
    assert "0xff" in message and "line 2" in message


def test_invalid_utf16_is_refused(tmp_path):
    data = codecs.BOM_UTF16_LE + "宁波".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate
    assert "invalid utf-16" in refusal(write(tmp_path, data))


@pytest.mark.parametrize("name", ["doc.docx", "doc.pdf", "doc"])
def test_unsupported_suffix_is_refused(tmp_path, name):
    message = refusal(write(tmp_path, b"PK\x03\x04", name=name))
    assert "unsupported format" in message and ".txt" in message


def test_control_character_is_refused_with_line_and_column(tmp_path):
    data = "第一行。\n第二\x07行。\n".encode()
    message = refusal(write(tmp_path, data))
    assert message.startswith("seeds/doc.txt:2:3:")
    assert "U+0007" in message


def test_directory_is_refused(tmp_path):
    directory = tmp_path / "folder.txt"
    directory.mkdir()
    assert "is a directory" in refusal(directory)


def test_missing_file_is_refused(tmp_path):
    assert "cannot read" in refusal(tmp_path / "missing.txt")


def test_decode_prefers_utf8_over_gb18030():
    # These bytes are valid in both encodings; UTF-8 wins.
    data = "宁波".encode()
    data.decode("gb18030")
    assert decode(data, "x") == ("宁波", "utf-8")
