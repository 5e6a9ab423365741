"""TMX 1.4b: writing, reading what other tools write, and refusing broken files."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import PipelineError
from pipeline.textsafety import first_unsafe, printable
from pipeline.tm import tmx as tmx_module
from pipeline.tm.tmx import (
    TmxError,
    exportable,
    format_tmx_date,
    parse_tmx_date,
    read_tmx,
    refusal,
    tmx_bytes,
    write_tmx,
)
from pipeline.tm.units import Unit

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
UNIT = Unit(
    "宁波推进新型工业化的冲锋号已经吹响。",
    "Ningbo has sounded the bugle for new industrialization.",
    "000_a24ceba1f548592f",
    created_by="Li Hua <li@example.org>",
    created_at=datetime(2024, 3, 1, 8, 30, 15, tzinfo=timezone.utc),
    properties=(("x-block-type", "body"),),
)


def tmx(
    body: str,
    header: str = '<header srclang="zh-CN" datatype="plaintext"/>',
    decl: str = '<?xml version="1.0" encoding="UTF-8"?>\n',
) -> bytes:
    return f'{decl}<tmx version="1.4">\n{header}\n<body>\n{body}\n</body>\n</tmx>\n'.encode()


def tu(
    zh: str, en: str, zh_lang: str = "zh-CN", en_lang: str = "en-US", attr: str = "xml:lang", extra: str = ""
) -> str:
    return f'<tu{extra}><tuv {attr}="{zh_lang}"><seg>{zh}</seg></tuv><tuv {attr}="{en_lang}"><seg>{en}</seg></tuv></tu>'


def pairs(data: bytes) -> list[tuple[str, str]]:
    return [(u.source, u.target) for u in read_tmx(io.BytesIO(data), "memory.tmx").units]


# --- Writing ------------------------------------------------------------------


def test_written_tmx_is_standard_tmx_14b():
    root = ET.fromstring(tmx_bytes([UNIT]))
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    assert header.attrib == {
        "creationtool": "pipeline",
        "creationtoolversion": header.get("creationtoolversion"),
        "segtype": "sentence",
        "o-tmf": "PO",
        "adminlang": "en",
        "srclang": "zh-Hans",
        "datatype": "plaintext",
    }
    assert re.fullmatch(r"\d+\.\d+\.\d+", header.get("creationtoolversion"))
    (unit,) = root.find("body")
    assert unit.get("creationdate") == "20240301T083015Z"
    assert unit.get("creationid") == "Li Hua <li@example.org>"
    assert [(p.get("type"), p.text) for p in unit.findall("prop")] == [
        ("x-document", "000_a24ceba1f548592f"),
        ("x-block-type", "body"),
    ]
    tuvs = unit.findall("tuv")
    assert [t.get(XML_LANG) for t in tuvs] == ["zh-Hans", "en"]
    assert [t.find("seg").text for t in tuvs] == [UNIT.source, UNIT.target]


def test_read_tmx_and_write_tmx_take_file_objects():
    """Babel's signatures, ``read_tmx(fileobj)`` and ``write_tmx(fileobj,
    units)``; the caller's file object is left open."""
    other = Unit("宁波", "Ningbo", "doc")
    out = io.BytesIO()
    assert write_tmx(out, [UNIT, other]) == 2
    assert not out.closed
    assert out.getvalue() == tmx_bytes([UNIT, other])
    out.seek(0)
    content = read_tmx(out, "memory.tmx")
    assert content.units == [UNIT, other] and content.skipped == 0
    assert not out.closed


def test_writing_escapes_xml_and_is_utf8():
    unit = Unit("<b>“宁波”</b> & 甬江", 'R&D <lab> "Yongjiang"', "doc&<1>")
    data = tmx_bytes([unit])
    assert "“宁波”".encode() in data  # UTF-8, not character references
    assert b"&lt;b&gt;" in data and b"R&amp;D &lt;lab&gt;" in data
    assert read_tmx(io.BytesIO(data)).units == [unit]


def test_writing_refuses_what_xml_cannot_carry_and_writes_nothing():
    out = io.BytesIO()
    with pytest.raises(
        TmxError, match=r"^unit 2 \(from doc\): English segment: line 1, column 5: control character U\+0001 is not"
    ):
        write_tmx(out, [UNIT, Unit("宁波", "Ning\x01bo", "doc")])
    assert out.getvalue() == b""
    with pytest.raises(TmxError, match=r"^unit 1 \(from doc\): English segment: U\+000C, which XML cannot represent"):
        write_tmx(out, [Unit("宁波", "Ning\x0cbo", "doc")])  # a form feed: the text rule tolerates it, XML does not


# C1 controls (NEL, CSI) and the bidi controls: XML carries them, but the
# reader refuses them (pipeline.textsafety), so a file holding one would not
# import back, here or in a workspace that receives it.
REFUSED_ON_READING = [
    pytest.param(Unit("宁波", "Ning\u202ebo", "doc"), "English segment: line 1, column 5: bidirectional", id="RLO"),
    pytest.param(Unit("宁\u2066波", "Ningbo", "doc"), "Chinese segment: line 1, column 2: bidirectional", id="LRI"),
    pytest.param(Unit("宁波", "Ning\x85bo", "doc"), "English segment: line 1, column 5: control character", id="NEL"),
    pytest.param(Unit("宁波", "Ningbo", "doc", notes=("a\x9b31m",)), "<note>: line 1, column 2: control", id="CSI"),
    pytest.param(Unit("宁波", "Ningbo", "do\u202ec"), "document (x-document): line 1, column 3: bidi", id="doc"),
    pytest.param(Unit("宁波", "Ningbo", "doc", created_by="Li\nHua"), "creationid: line 1, column 3: control", id="LF"),
    pytest.param(
        Unit("宁波", "Ningbo", "doc", properties=(("x-block-type", "body\x80"),)),
        "<prop type='x-block-type'>: line 1, column 5: control character U+0080",
        id="prop",
    ),
]


@pytest.mark.parametrize(("unit", "why"), REFUSED_ON_READING)
def test_writing_refuses_what_reading_refuses(unit, why, monkeypatch):
    assert refusal(unit).startswith(why)
    with pytest.raises(TmxError, match=r"^unit 2 \(from "):
        tmx_bytes([UNIT, unit])
    # Written all the same (as before the writer checked), the file is refused on reading.
    monkeypatch.setattr(tmx_module, "refusal", lambda unit: None)
    with pytest.raises(TmxError, match="translation unit 2, .* is not allowed; the whole file is refused"):
        read_tmx(io.BytesIO(tmx_bytes([UNIT, unit])))


# What a unit itself holds: its creator alone is no reason to leave it out.
REFUSED_IN_THE_UNIT = [p for p in REFUSED_ON_READING if not p.values[1].startswith("creationid")]


@pytest.mark.parametrize(("unit", "why"), REFUSED_IN_THE_UNIT)
def test_exportable_leaves_out_a_refused_unit_with_one_line_and_the_rest_round_trips(unit, why):
    other = Unit("甬江实验室不负众望。", "Yongjiang Laboratory has lived up to expectations.", "doc")
    kept, skipped, uncredited = exportable([UNIT, unit, other])
    assert kept == [UNIT, other] and uncredited == []
    (line,) = skipped
    assert "\n" not in line and first_unsafe(line, name=True) is None  # one printable line
    entry = printable(f"{unit.origin}: entry {unit.source!r} left out of the TMX: ", one_line=True)
    assert line.startswith(entry)
    assert line.endswith(" is not allowed")
    assert read_tmx(io.BytesIO(tmx_bytes(kept))).units == [UNIT, other]


def test_exportable_names_a_long_source_by_its_beginning():
    long = "宁波" * 40
    _, (line,), _ = exportable([Unit(long, "Ning\u202ebo", "doc")])
    assert f"entry '{long[:30]}…' left out" in line and "U+202E" in line


@pytest.mark.parametrize("creator", ["Li\u202eHua <li@example.org>", "Li\x85Hua", "Li\nHua", "Li\x9b31mHua"])
def test_a_refused_creator_is_dropped_with_one_line_per_document_and_the_units_kept(creator):
    """A catalog's Last-Translator is every unit's creator: one bad character
    in it costs the document its creationid, never its translations."""
    second = Unit("甬江实验室不负众望。", "Yongjiang Laboratory has lived up to expectations.", "doc")
    units = [replace(UNIT, origin="doc"), second, replace(UNIT, origin="other")]
    bad = [replace(u, created_by=creator) for u in units]
    kept, skipped, uncredited = exportable([UNIT, *bad])
    assert kept == [UNIT, *(replace(u, created_by=None) for u in units)]  # in order, only the creator gone
    assert skipped == []
    assert len(uncredited) == 2  # one per document, not one per unit
    for line, doc, count in zip(uncredited, ["doc", "other"], [2, 1], strict=True):
        assert "\n" not in line and first_unsafe(line, name=True) is None  # one printable line
        assert line.startswith(f"{doc}: {count} {'entries' if count > 1 else 'entry'} exported without their creator ")
        assert "creationid: line 1, column 3: " in line and line.endswith(" is not allowed")
    units_back = read_tmx(io.BytesIO(tmx_bytes(kept))).units
    assert units_back == kept and units_back[0].created_by == UNIT.created_by
    assert b'creationid="Li' in tmx_bytes(kept).split(b"</tu>")[0]  # the good creator stays
    assert tmx_bytes(kept).count(b"creationid=") == 1


def test_a_unit_refused_for_its_own_text_is_left_out_whoever_made_it():
    text_and_creator = Unit("宁波", "Ning\u202ebo", "doc", created_by="Li\u202eHua")
    kept, (line,), uncredited = exportable([UNIT, text_and_creator])
    assert kept == [UNIT] and uncredited == []
    assert "English segment: line 1, column 5: bidirectional" in line  # the unit's fault, not the name's


def test_writing_refuses_an_attribute_tmx_does_not_define():
    with pytest.raises(TmxError, match="'colour' is not a TMX 1.4b attribute"):
        tmx_bytes([Unit("宁波", "Ningbo", "doc", attributes=(("colour", "red"),))])


def test_writing_is_deterministic():
    assert tmx_bytes([UNIT, UNIT]) == tmx_bytes([UNIT, UNIT])
    assert tmx_bytes([]).count(b"<tu") == 0


def test_tmx_dates():
    assert format_tmx_date(datetime(2024, 1, 31, 12, 0, 0)) == "20240131T120000Z"  # naive is UTC
    assert format_tmx_date(datetime(2024, 1, 31, 20, 0, 0, tzinfo=timezone(timedelta(hours=8)))) == "20240131T120000Z"
    assert parse_tmx_date("20240131T120000Z") == datetime(2024, 1, 31, 12, tzinfo=timezone.utc)
    assert parse_tmx_date("2024-01-31T12:00:00Z") == datetime(2024, 1, 31, 12, tzinfo=timezone.utc)
    assert parse_tmx_date("20241331T120000Z") is None
    assert parse_tmx_date("yesterday") is None
    assert parse_tmx_date(None) is None


# --- Round trip ---------------------------------------------------------------

# Text XML 1.0 can carry: no C0 controls but tab, line feed, carriage return.
_xml_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters=[chr(c) for c in range(32) if c not in (9, 10, 13)] + ["\ufffe", "\uffff"],
    ),
)
_dates = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(timezone.utc)
).map(lambda d: d.replace(microsecond=0))
# What reading accepts (pipeline.textsafety): text, and one-line names.
_safe_text = _xml_text.filter(lambda s: first_unsafe(s) is None)
_safe_name = _xml_text.filter(lambda s: first_unsafe(s, name=True) is None)
_units = st.builds(
    Unit,
    source=_safe_text.filter(lambda s: s.strip()),
    target=_safe_text.filter(lambda s: s.strip()),
    origin=_safe_name,
    created_by=st.none() | _safe_name.filter(bool),
    created_at=st.none() | _dates,
    properties=st.lists(
        st.tuples(st.sampled_from(["x-block-type", "x-context", "x-document"]), _safe_text), max_size=2
    ).map(tuple),
    notes=st.lists(_safe_text, max_size=2).map(tuple),
    attributes=st.lists(
        st.tuples(st.sampled_from(["tuid", "changeid", "usagecount"]), _safe_name), max_size=2, unique_by=lambda p: p[0]
    ).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_units, max_size=4))
def test_export_then_import_is_lossless(units):
    assert read_tmx(io.BytesIO(tmx_bytes(units))).units == units


def test_round_trip_keeps_spaces_line_ends_and_supplementary_han():
    unit = Unit("  𠀋宁波\r\n甬江\t ", " Ningbo\r\nline two  ", "doc one")
    assert read_tmx(io.BytesIO(tmx_bytes([unit]))).units == [unit]


# --- Reading what other tools write -------------------------------------------


@pytest.mark.parametrize("zh_lang", ["zh-CN", "zh", "ZH-HANS", "zh_Hans", "zh-Hans-CN", "zh-SG"])
@pytest.mark.parametrize("en_lang", ["en", "en-US", "EN-GB", "en_GB"])
def test_language_codes_match_by_primary_language(zh_lang, en_lang):
    assert pairs(tmx(tu("宁波", "Ningbo", zh_lang, en_lang))) == [("宁波", "Ningbo")]


def test_the_old_lang_attribute_and_any_tuv_order():
    data = tmx(
        '<tu><tuv lang="EN-US"><seg>Ningbo</seg></tuv><tuv lang="ZH-CN"><seg>宁波</seg></tuv></tu>',
        header='<header srclang="EN-US"/>',
    )
    assert pairs(data) == [("宁波", "Ningbo")]


def test_simplified_chinese_is_preferred_over_traditional():
    data = tmx(
        '<tu><tuv xml:lang="zh-TW"><seg>寧波</seg></tuv><tuv xml:lang="zh-Hans"><seg>宁波</seg></tuv>'
        '<tuv xml:lang="en"><seg>Ningbo</seg></tuv></tu>'
    )
    assert pairs(data) == [("宁波", "Ningbo")]


def test_units_without_both_languages_are_skipped_and_counted():
    data = tmx(
        tu("宁波", "Ningbo")
        + tu("宁波", "Ningbo", en_lang="de-DE")
        + tu("宁波", "   ")
        + '<tu><tuv xml:lang="zh"><seg>宁波</seg></tuv></tu>'
    )
    content = read_tmx(io.BytesIO(data), "memory.tmx")
    assert [(u.source, u.target) for u in content.units] == [("宁波", "Ningbo")]
    assert content.skipped == 3
    assert content.languages == {"zh": 4, "en": 2, "de": 1}


def test_inline_codes_are_dropped_and_highlighted_text_kept():
    data = tmx(
        tu(
            '宁波<bpt i="1" x="1">&lt;b&gt;</bpt>甬江<ept i="1">&lt;/b&gt;</ept>实验室<ph x="2">{0}</ph>',
            'The <hi type="b">Yongjiang</hi> <ph x="1">&lt;img src="a.png"/&gt;</ph> '
            '<it pos="begin">&lt;i&gt;</it>Laboratory'
            "<ph><sub>alt text</sub></ph>",
        )
    )
    assert pairs(data) == [("宁波甬江实验室", "The Yongjiang Laboratory")]


@pytest.mark.parametrize(
    "encoding,bom", [("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")]
)
def test_byte_order_marks_and_utf16(encoding, bom):
    text = tmx(
        tu("宁波", "Ningbo"), decl=f'<?xml version="1.0" encoding="{"UTF-16" if "16" in encoding else "UTF-8"}"?>\n'
    ).decode("utf-8")
    assert pairs(bom + text.encode(encoding)) == [("宁波", "Ningbo")]


def test_a_plain_doctype_as_tools_write_it_is_accepted_and_never_fetched():
    data = tmx(
        tu("宁波", "Ningbo"), decl='<?xml version="1.0"?>\n<!DOCTYPE tmx SYSTEM "http://127.0.0.1:9/tmx14.dtd">\n'
    )
    assert pairs(data) == [("宁波", "Ningbo")]


def test_creation_info_props_notes_and_attributes_of_other_tools():
    data = tmx(
        '<tu tuid="42" creationid="ANNA" creationdate="20230102T030405Z" changedate="20230202T000000Z" srclang="zh-CN">'
        '<note>checked</note><prop type="x-client">Ningbo Daily</prop>'
        '<tuv xml:lang="zh-CN"><seg>宁波</seg></tuv><tuv xml:lang="en-US"><seg>Ningbo</seg></tuv></tu>'
    )
    (unit,) = read_tmx(io.BytesIO(data), "locales/tm/partner.tmx").units
    assert unit.origin == "partner.tmx"  # no x-document: the file is the origin
    assert unit.created_by == "ANNA"
    assert unit.created_at == datetime(2023, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert unit.properties == (("x-client", "Ningbo Daily"),)
    assert unit.notes == ("checked",)
    assert unit.attributes == (("tuid", "42"), ("changedate", "20230202T000000Z"))


def test_creation_info_on_the_target_tuv():
    data = tmx(
        '<tu><tuv xml:lang="zh"><seg>宁波</seg></tuv>'
        '<tuv xml:lang="en" creationid="BEN" creationdate="20230102T030405Z"><seg>Ningbo</seg></tuv></tu>'
    )
    (unit,) = read_tmx(io.BytesIO(data)).units
    assert (unit.created_by, unit.created_at.year) == ("BEN", 2023)


# --- Refusing broken and hostile files ----------------------------------------


@pytest.mark.parametrize(
    "data,line,message",
    [
        (
            tmx(tu("宁波", "Ningbo")).replace(b"</seg></tuv></tu>", b"</tuv></tu>", 1),
            5,
            "not well-formed XML: mismatched tag",
        ),
        (tmx(tu("宁波 & 甬江", "Ningbo")), 5, "not well-formed XML"),
        (b"", 1, "not well-formed XML: no element found"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", 1, "not well-formed XML"),
        (
            b"<?xml version='1.0'?>\n<tmx>\n<body><tu><tuv><seg>x</seg></tuv></tu></body></tmx>",
            3,
            "<tuv> without xml:lang",
        ),
        (b'<?xml version="1.0"?>\n<xliff version="1.2"/>', 2, "not a TMX file: the root element is <xliff>"),
        (b'<?xml version="1.0"?>\n<tmx version="1.4">\n<header/>\n</tmx>', 4, "not a TMX file: no <body>"),
        (tmx('<tu><tuv xml:lang="zh"><seg>a</seg><seg>b</seg></tuv></tu>'), 5, "a second <seg>"),
        (tmx(tu("宁波&nbsp;", "Ningbo")), 5, "not well-formed XML: undefined entity"),
        (
            tmx(tu("宁波&nbsp;", "Ningbo"), decl='<?xml version="1.0"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'),
            6,
            "undefined entity &nbsp;",
        ),
        (
            "<?xml version='1.0'?>\n<tmx>\n<body>\n<tu><tuv xml:lang='zh'><seg>宁波</seg></tuv>\n".encode(),
            5,
            "not well-formed XML: no element found",
        ),
    ],
)
def test_a_broken_file_is_refused_with_file_and_line(data, line, message):
    with pytest.raises(TmxError) as info:
        read_tmx(io.BytesIO(data), "locales/tm/broken.tmx")
    text = str(info.value)
    assert text.startswith(f"locales/tm/broken.tmx:{line}: "), text
    assert message in text
    assert "\n" not in text
    assert isinstance(info.value, PipelineError)


def test_entity_expansion_is_refused_before_any_entity_expands():
    laughs = "\n".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    data = tmx(tu("&lol9;", "x"), decl=f'<?xml version="1.0"?>\n<!DOCTYPE tmx [\n{laughs}\n]>\n')
    with pytest.raises(TmxError, match=r"^bomb.tmx:2: refusing a <!DOCTYPE> with declarations"):
        read_tmx(io.BytesIO(data), "bomb.tmx")


def test_an_external_entity_is_refused():
    data = tmx(
        tu("&xxe;", "x"), decl='<?xml version="1.0"?>\n<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    )
    with pytest.raises(TmxError, match="refusing a <!DOCTYPE>"):
        read_tmx(io.BytesIO(data), "xxe.tmx")


# --- Refusing characters that text must not hold (pipeline.textsafety) -----------

_BAD = {
    "c1-csi-in-english": (tu("宁波", "Ningbo\u009b2J"), "English segment", "U+009B"),
    "bidi-override-in-chinese": (tu("宁\u202e波", "Ningbo"), "Chinese segment", "bidirectional control U+202E"),
    "isolate-in-note": ("<tu><note>a\u2068b</note>" + tu("宁波", "Ningbo")[4:], "<note>", "U+2068"),
    "nel-in-prop": ('<tu><prop type="x-context">a\u0085b</prop>' + tu("宁波", "Ningbo")[4:], "x-context", "U+0085"),
    "newline-in-creationid": (tu("宁波", "Ningbo", extra=" creationid=\"Li&#10;msgstr 'x'\""), "creationid", "U+000A"),
    "newline-in-document": (
        '<tu><prop type="x-document">a&#10;b</prop>' + tu("宁波", "Ningbo")[4:],
        "x-document",
        "U+000A",
    ),
    "tab-in-tuid": (tu("宁波", "Ningbo", extra=' tuid="a&#9;b"'), "attribute tuid", "U+0009"),
}


@pytest.mark.parametrize("case", sorted(_BAD))
def test_a_unit_holding_a_refused_character_refuses_the_whole_file(case):
    """One line naming the file, the line of the <tu>, which unit and which
    field; nothing is read from the file (not even the good unit before it)."""
    unit, field, character = _BAD[case]
    data = tmx(tu("甬江", "Yongjiang") + "\n" + unit)
    with pytest.raises(TmxError) as info:
        read_tmx(io.BytesIO(data), "partner.tmx")
    text = str(info.value)
    assert text.startswith("partner.tmx:6: translation unit 2, "), text
    assert field in text and character in text and "the whole file is refused" in text
    assert "\n" not in text and first_unsafe(text, name=True) is None


def test_characters_xml_cannot_hold_are_refused_by_the_parser_already():
    """ESC, NUL, BEL and lone surrogates never reach a unit: XML 1.0 has no
    way to carry them, raw or as a character reference."""
    for body in (tu("宁波", "a\x1b[2Jb"), tu("宁波", "a&#27;b"), tu("宁波", "a&#7;b"), tu("宁波", "a&#xD800;b")):
        with pytest.raises(TmxError, match="not well-formed XML"):
            read_tmx(io.BytesIO(tmx(body)), "x.tmx")


def test_tabs_line_breaks_and_rtl_text_in_segments_are_accepted():
    """Only the controls are refused: Arabic or Hebrew text in a note, a tab
    or a line break in a segment are text."""
    data = tmx("<tu><note>ملاحظة שלום</note>" + tu("宁波\t甬江\n第二行", "Ningbo\tline\nnext")[4:])
    [unit] = read_tmx(io.BytesIO(data), "x.tmx").units
    assert unit.source == "宁波\t甬江\n第二行" and unit.notes == ("ملاحظة שלום",)
