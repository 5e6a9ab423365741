"""One XML policy (pipeline/xmlsafe.py) for every XML file we read: TMX and
TBX refuse the same hostile constructs, with the same one-line message, and
never read a file a document names."""

from __future__ import annotations

import io

import pytest

from pipeline.errors import PipelineError
from pipeline.terms.tbx import TbxError, read_tbx
from pipeline.tm.tmx import TmxError, read_tmx
from pipeline.xmlsafe import unrepresentable


def _tmx(doctype: str, zh: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<tmx version="1.4"><header/><body>'
        f'<tu><tuv xml:lang="zh"><seg>{zh}</seg></tuv><tuv xml:lang="en"><seg>x</seg></tuv></tu>'
        "</body></tmx>\n"
    ).encode()


def _tbx(doctype: str, zh: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<martif type="TBX"><text><body><termEntry>'
        f'<langSet xml:lang="zh"><tig><term>{zh}</term></tig></langSet>'
        '<langSet xml:lang="en"><tig><term>x</term></tig></langSet>'
        "</termEntry></body></text></martif>\n"
    ).encode()


def _read_tmx(data: bytes, name: str) -> list[str]:
    return [unit.source for unit in read_tmx(io.BytesIO(data), name).units]


def _read_tbx(data: bytes, name: str) -> list[str]:
    return [term.zh for term in read_tbx(io.BytesIO(data), name).termbase]


FORMATS = {
    "tmx": ("tmx", _tmx, _read_tmx, TmxError),
    "tbx": ("martif", _tbx, _read_tbx, TbxError),
}


@pytest.fixture(params=sorted(FORMATS))
def fmt(request):
    return FORMATS[request.param]


LAUGHS = "\n".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "lol"}">' for i in range(10))


def test_entity_declarations_are_refused_alike_before_any_expands(fmt):
    root, build, read, error = fmt
    with pytest.raises(error) as info:
        read(build(f"<!DOCTYPE {root} [\n{LAUGHS}\n]>", "&lol9;"), "bomb.xml")
    message = str(info.value)
    assert message.startswith("bomb.xml:2: refusing a <!DOCTYPE> with declarations: entity declarations are refused")
    assert "\n" not in message and "lollol" not in message
    assert isinstance(info.value, PipelineError)


def test_an_external_entity_is_refused_and_its_file_never_read(fmt, tmp_path):
    root, build, read, error = fmt
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    data = build(f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>', "&xxe;")
    with pytest.raises(error) as info:
        read(data, "xxe.xml")
    assert str(info.value).startswith("xxe.xml:2: refusing a <!DOCTYPE>")
    assert "TOP-SECRET" not in str(info.value)


def test_an_external_dtd_is_accepted_and_never_loaded(fmt, tmp_path):
    """A DTD that would define the entity exists on disk; it is not read, so
    the entity stays undefined and is refused with its name and line."""
    root, build, read, error = fmt
    dtd = tmp_path / "defines.dtd"
    dtd.write_text('<!ENTITY name "FROM-THE-DTD">\n', encoding="utf-8")
    doctype = f'<!DOCTYPE {root} SYSTEM "{dtd.as_uri()}">'
    assert read(build(doctype, "宁波"), "plain.xml") == ["宁波"]
    with pytest.raises(error) as info:
        read(build(doctype, "&name;"), "plain.xml")
    assert str(info.value).startswith("plain.xml:3: undefined entity &name;")


def test_malformed_xml_is_one_line_with_the_line_number(fmt):
    root, build, read, error = fmt
    with pytest.raises(error) as info:
        read(build("", "宁波 & 甬江"), "broken.xml")
    assert str(info.value).startswith("broken.xml:3: not well-formed XML: ")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "text, bad",
    [
        ("宁波 Ningbo\t\n\r 😀", None),
        ("a\x00b", "\x00"),
        ("a\x1bb\x07", "\x1b"),
        ("lone \ud800 surrogate", "\ud800"),
        ("\ufffe", "\ufffe"),
        ("\uffff", "\uffff"),
        ("\x85 and \x7f are allowed by XML 1.0", None),
    ],
)
def test_unrepresentable_names_the_first_character_xml_cannot_carry(text, bad):
    assert unrepresentable(text) == bad
