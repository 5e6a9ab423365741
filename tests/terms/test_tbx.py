"""TBX export and import: round trip, Translate Toolkit interoperability,
TBX 2019, language codes, and refusal of unsafe or broken files."""

from __future__ import annotations

import io

import pytest

from pipeline.errors import PipelineError
from pipeline.terms.tbx import TbxError, load_tbx, read_tbx, save_tbx, tbx_bytes, write_tbx
from pipeline.terms.termbase import TERM_TYPES, Term, Termbase

TERMS = Termbase(
    [
        Term("崔平", "Cui Ping", "person", "Director of Yongjiang Laboratory"),
        Term("甬江实验室", "Yongjiang Laboratory", "organisation"),
        Term("宁波市", "Ningbo", "place", 'not "Ningbo City" <ever> & never'),
        Term("新型工业化", "new industrialisation", "term", "C:\\path; 4×"),
        Term("主任", "director", "title"),
    ]
)


def test_export_then_import_is_lossless(tmp_path):
    path = tmp_path / "terms.tbx"
    save_tbx(path, TERMS)
    result = load_tbx(path)
    assert result.termbase.terms == TERMS.terms
    assert result.skipped == []
    assert {t.type for t in TERMS} == set(TERM_TYPES)  # every type went through


def test_read_tbx_and_write_tbx_take_file_objects():
    """Babel's signatures, ``read_tbx(fileobj)`` and ``write_tbx(fileobj,
    termbase)``; the caller's file object is left open."""
    out = io.BytesIO()
    write_tbx(out, TERMS)
    assert not out.closed
    assert out.getvalue() == tbx_bytes(TERMS)
    out.seek(0)
    result = read_tbx(out, "terms.tbx")
    assert result.termbase.terms == TERMS.terms and result.skipped == []
    assert not out.closed


def test_export_is_tbx_basic_martif_with_properties_where_they_belong():
    data = tbx_bytes(TERMS).decode("utf-8")
    assert data.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<martif type="TBX" xml:lang="en">')
    assert '<langSet xml:lang="zh-Hans">' in data and '<langSet xml:lang="en">' in data
    assert '<termNote type="partOfSpeech">properNoun</termNote>' in data
    assert '<descrip type="entityClass">person</descrip>' in data
    assert "subjectField" not in data
    assert "&lt;ever&gt; &amp; never" in data
    assert tbx_bytes(TERMS) == tbx_bytes(Termbase(list(TERMS)))  # deterministic, stable ids


def test_translate_toolkit_reads_our_export():
    tbx = pytest.importorskip("translate.storage.tbx", reason="translate-toolkit is a test dependency")
    store = tbx.tbxfile.parsestring(tbx_bytes(TERMS))
    units = [u for u in store.units if not u.isheader()]
    assert [(u.source, u.target) for u in units] == [(t.zh, t.en) for t in TERMS]
    assert units[0].getnotes() == "Director of Yongjiang Laboratory"
    explicit = tbx.tbxfile(io.BytesIO(tbx_bytes(TERMS)), sourcelanguage="zh-Hans", targetlanguage="en")
    assert explicit.units[1].source == "甬江实验室" and explicit.units[1].target == "Yongjiang Laboratory"
    assert len({u.getid() for u in units}) == len(units)


TRANSLATE_TOOLKIT_STYLE = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE martif PUBLIC "ISO 12200:1999A//DTD MARTIF core (DXFcdV04)//EN" "TBXcdv04.dtd">
<martif type="TBX" xml:lang="en">
  <martifHeader><fileDesc><sourceDesc><p>Translate Toolkit</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry>
      <langSet xml:lang="zh-CN"><tig><term>彭佳学</term></tig></langSet>
      <langSet xml:lang="en-US"><tig><term>Peng Jiaxue</term></tig></langSet>
      <note>Party secretary of Ningbo</note>
    </termEntry>
    <termEntry id="e2">
      <langSet xml:lang="zh_Hans"><ntig><termGrp><term>宁波</term></termGrp></ntig></langSet>
      <langSet xml:lang="EN-gb"><tig><term>  Ningbo\n </term></tig></langSet>
    </termEntry>
  </body></text>
</martif>
""".encode()


def test_martif_from_other_tools_with_external_doctype_and_language_variants():
    result = read_tbx(io.BytesIO(TRANSLATE_TOOLKIT_STYLE), "tt.tbx")
    assert result.termbase.terms == [
        Term("彭佳学", "Peng Jiaxue", "term", "Party secretary of Ningbo"),
        Term("宁波", "Ningbo", "term", ""),
    ]


TBX_2019 = """<?xml version="1.0" encoding="UTF-8"?>
<?xml-model href="TBXcoreStructV03.rng" type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader><fileDesc><sourceDesc><p>termbase</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c1">
      <descrip type="entityClass">organisation</descrip>
      <descrip type="definition">A laboratory in Ningbo.</descrip>
      <langSec xml:lang="zh">
        <termSec><term>甬江实验室</term></termSec>
        <termSec><term>甬江实验室（宁波）</term></termSec>
      </langSec>
      <langSec xml:lang="zh-Hant"><termSec><term>甬江實驗室</term></termSec></langSec>
      <langSec xml:lang="en">
        <termSec><term>Yongjiang Lab</term>
          <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termSec>
        <termSec><term>Yongjiang Laboratory</term>
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
      </langSec>
    </conceptEntry>
    <conceptEntry id="c2">
      <langSec xml:lang="zh-Hans">
        <termSec><term>崔平</term><termNote type="termType">person</termNote></termSec></langSec>
      <langSec xml:lang="en"><termSec><term>Cui <hi type="bold">Ping</hi></term></termSec></langSec>
    </conceptEntry>
    <conceptEntry id="c3">
      <langSec xml:lang="en"><termSec><term>orphan</term></termSec></langSec>
    </conceptEntry>
    <conceptEntry id="c4">
      <langSec xml:lang="de"><termSec><term>Labor</term></termSec></langSec>
      <langSec xml:lang="zh"><termSec><term>实验室</term></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>
""".encode()


def test_tbx_2019_concept_entries_synonyms_status_and_skipped_entries():
    result = read_tbx(io.BytesIO(TBX_2019), "v3.tbx")
    assert result.termbase.terms == [
        Term("甬江实验室", "Yongjiang Laboratory", "organisation", "A laboratory in Ningbo."),
        Term("甬江实验室（宁波）", "Yongjiang Laboratory", "organisation", "A laboratory in Ningbo."),
        Term("崔平", "Cui Ping", "person", ""),
    ]
    assert result.skipped == [
        "v3.tbx:26: entry 'c3' has no Chinese (zh) term",
        "v3.tbx:29: entry 'c4' has no English (en) term",
    ]


def test_tbx_2019_dct_style_categories():
    data = """<tbx type="TBX-Basic" style="dct" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"
      xmlns:basic="http://www.tbxinfo.net/ns/basic"><text><body>
      <conceptEntry id="c1"><basic:definition>Head of a laboratory</basic:definition>
        <langSec xml:lang="zh-CN">
          <termSec><term>主任</term><basic:partOfSpeech>noun</basic:partOfSpeech></termSec></langSec>
        <langSec xml:lang="en"><termSec><term>director</term></termSec></langSec>
      </conceptEntry></body></text></tbx>""".encode()
    assert read_tbx(io.BytesIO(data)).termbase.terms == [Term("主任", "director", "term", "Head of a laboratory")]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE martif [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<martif type="TBX"><text><body>
<termEntry><langSet xml:lang="zh"><tig><term>&lol3;</term></tig></langSet></termEntry>
</body></text></martif>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE martif [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<martif type="TBX"><text><body>
<termEntry><langSet xml:lang="zh"><tig><term>&secret;</term></tig></langSet></termEntry>
</body></text></martif>
"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_entity_declarations_are_refused_with_a_line_number(data):
    with pytest.raises(TbxError) as error:
        read_tbx(io.BytesIO(data), "bomb.tbx")
    message = str(error.value)
    assert message.startswith("bomb.tbx:2: ") and "refused" in message
    assert "\n" not in message and "lol" * 3 not in message and "root:" not in message


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"<martif>\n<text>\n<body>\n<termEntry>\n</body>", "broken.tbx:5: not well-formed XML: mismatched tag"),
        (b"", "broken.tbx:1: not well-formed XML: no element found"),
        (b"<martif><text>&nbsp;</text></martif>", "broken.tbx:1: not well-formed XML: undefined entity"),
        (b"<?xml version='1.0'?>\n\n<tmx version='1.4'/>", "broken.tbx:3: not a TBX file (root element <tmx>"),
        (
            b'<martif><text><body>\n<termEntry><descrip type="entityClass">product</descrip>'
            b'<langSet xml:lang="zh"><tig><term>x</term></tig></langSet>'
            b'<langSet xml:lang="en"><tig><term>x</term></tig></langSet></termEntry></body></text></martif>',
            "broken.tbx:2: unknown entityClass 'product'",
        ),
        (
            b'<martif><text><body>\n<termEntry><langSet xml:lang="zh"><tig><term>x</term></tig></langSet>'
            b'<langSet xml:lang="en"><tig><term>a</term></tig></langSet></termEntry>\n'
            b'<termEntry><langSet xml:lang="zh"><tig><term>x</term></tig></langSet>'
            b'<langSet xml:lang="en"><tig><term>b</term></tig></langSet></termEntry></body></text></martif>',
            "broken.tbx:3: 'x' is already defined at line 2",
        ),
    ],
    ids=["mismatched-tag", "empty", "undefined-entity", "not-tbx", "unknown-type", "duplicate"],
)
def test_broken_files_give_one_line_with_the_line_number(data, expected):
    with pytest.raises(PipelineError) as error:
        read_tbx(io.BytesIO(data), "broken.tbx")
    assert str(error.value).startswith(expected)
    assert "\n" not in str(error.value)


def test_a_term_that_xml_cannot_hold_is_refused_on_export_and_nothing_is_written():
    out = io.BytesIO()
    with pytest.raises(TbxError, match="U\\+0001"):
        write_tbx(out, Termbase([Term("甬江", "Yongjiang"), Term("崔平", "Cui\x01Ping")]))
    assert out.getvalue() == b""


def test_load_of_a_missing_file_is_a_one_line_error(tmp_path):
    with pytest.raises(TbxError, match="cannot read"):
        load_tbx(tmp_path / "nope.tbx")


def _entry(zh: str, en: str, note: str = "", entry_id: str = "e2") -> str:
    note_xml = f"<note>{note}</note>" if note else ""
    return (
        f'<termEntry id="{entry_id}">{note_xml}<langSet xml:lang="zh"><tig><term>{zh}</term></tig></langSet>'
        f'<langSet xml:lang="en"><tig><term>{en}</term></tig></langSet></termEntry>'
    )


@pytest.mark.parametrize(
    "entry, field, character",
    [
        (_entry("崔平", "Cui\u009bPing"), "English term", "U+009B"),
        (_entry("崔\u202e平", "Cui Ping"), "Chinese term", "bidirectional control U+202E"),
        (_entry("崔平", "Cui Ping", "a\u2066b"), "note", "U+2066"),
    ],
    ids=["c1-in-english", "bidi-in-chinese", "isolate-in-note"],
)
def test_an_entry_holding_a_refused_character_refuses_the_whole_file(entry, field, character):
    data = (
        "<martif><text><body>\n" + _entry("甬江", "Yongjiang", entry_id="e1") + "\n" + entry + "</body></text></martif>"
    ).encode()
    with pytest.raises(TbxError) as error:
        read_tbx(io.BytesIO(data), "partner.tbx")
    message = str(error.value)
    assert message.startswith("partner.tbx:3: entry 'e2', " + field), message
    assert character in message and "the whole file is refused" in message and "\n" not in message


def test_controls_xml_cannot_hold_are_refused_by_the_parser():
    for term in ("Cui\x1bPing", "Cui&#7;Ping", "Cui&#xDC80;Ping"):
        data = ("<martif><text><body>" + _entry("崔平", term) + "</body></text></martif>").encode()
        with pytest.raises(TbxError, match="not well-formed XML"):
            read_tbx(io.BytesIO(data), "x.tbx")
