"""DOCX: reading Word files made by other tools, the identity test, the
English and bilingual packages read back by python-docx and pandoc, and
refusals of packages we must not open."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace

import pytest
from lxml import etree

from pipeline.editions.model import Shown
from pipeline.errors import SourceError
from pipeline.formats import docx as D
from pipeline.formats import get_format, read_document
from pipeline.segment import BlockType
from pipeline.testing.docx_files import external_links, ruby_run

from .docx_support import FIXTURES, ctx, docx_with_body, edition_of, formatted_text, members, pandoc

FEATURES = FIXTURES / "word-features.docx"  # LibreOffice 7.4 from word-features.fodt (see README there)


def read(data: bytes, where: str = "seeds/doc.docx"):
    return read_document(get_format("docx"), data, ctx(where))


def msgids(document) -> list[str]:
    return [seg.text for _, seg in document.segments()]


# --- reading -------------------------------------------------------------------------------


def test_a_libreoffice_document_reads_as_blocks_with_codes():
    document = read(FEATURES.read_bytes())
    assert msgids(document) == [
        "新型工业化，宁波底气从何而来",
        # four runs, split mid-word by LibreOffice's edit sessions, are one segment;
        # the bold run and the hyperlink are paired codes
        "据<1>新华社</1>报道，宁波市加快推进新型工业化。",
        "今年<1>行动纲要</1>正式印发。",
        "甬江实验室主任崔平<1/>接受了专访。",  # the footnote reference
        "工业是宁波发展的底座<1/>，是宁波的根基所在。",  # the comment's mark, kept
        "单位面积产值达到10<1>6</1>元，<2>楷体强调</2>在句中。",  # superscript, another font
        "正文在文本框旁边。",
        "文本框里的说明文字。",  # the text box, read once (not its VML copy)
        "指标",
        "目标",
        "产业规模",
        "突破三万亿元。",
        "嵌套表格单元。",  # a table in a table cell
        "宁波日报 第二版",  # header
        "第<1/>页",  # footer: the PAGE field is one standalone code
        "崔平，甬江实验室主任。",  # the footnote
    ]
    assert document.blocks[0].type is BlockType.TITLE  # Heading 1, as h1 and # are


def test_runs_split_mid_word_with_editing_marks_are_one_segment():
    # Word's own noise between runs: edit-session ids, a spelling mark, a
    # language tag, the last rendered page break and the _GoBack bookmark.
    body = (
        '<w:p><w:r w:rsidR="001"><w:t>宁波市加快推</w:t></w:r><w:proofErr w:type="spellStart"/>'
        '<w:r w:rsidR="002"><w:rPr><w:lang w:eastAsia="zh-CN"/></w:rPr><w:t>进新</w:t></w:r>'
        '<w:bookmarkStart w:id="0" w:name="_GoBack"/><w:bookmarkEnd w:id="0"/><w:proofErr w:type="spellEnd"/>'
        '<w:r w:rsidR="003"><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr><w:lastRenderedPageBreak/><w:t>型工</w:t></w:r>'
        '<w:r w:rsidR="004"><w:t>业化</w:t></w:r><w:r w:rsidR="005"><w:t>。</w:t></w:r></w:p>'
    )
    document = read(docx_with_body(body))
    assert msgids(document) == ["宁波市加快推进新型工业化。"]


def test_heading_styles_type_blocks():
    body = (
        '<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>新型工业化</w:t></w:r></w:p>'
        '<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>记者手记</w:t></w:r></w:p>'
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>宁波底气</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>记者 成良田</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>崔平很忙。</w:t></w:r></w:p>"
    )
    types = [b.type for b in read(docx_with_body(body)).blocks]
    assert types == [BlockType.TITLE, BlockType.HEADING, BlockType.TITLE, BlockType.BYLINE, BlockType.BODY]


def test_complex_field_across_paragraphs_is_kept_whole():
    # A table of contents: begin in one paragraph, end in a later one; its
    # result is Word's to update, never a segment.
    body = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> TOC \\o "1-3" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>目录第一行</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>目录第二行</w:t></w:r></w:p>"
        '<w:p><w:r><w:t>目录第三行</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
        "<w:r><w:t>正文开始。</w:t></w:r></w:p>"
        '<w:p><w:r><w:t>见</w:t></w:r><w:fldSimple w:instr=" REF x "><w:r><w:t>第二节</w:t></w:r></w:fldSimple>'
        "<w:r><w:t>的说明。</w:t></w:r></w:p>"
    )
    assert msgids(read(docx_with_body(body))) == ["正文开始。", "见<1/>的说明。"]


def test_text_that_looks_like_a_tag_stays_text():
    document = read(docx_with_body("<w:p><w:r><w:t>输入&lt;1&gt;即可。</w:t></w:r></w:p>"))
    assert msgids(document) == ["输入<1/>即可。"]  # a literal code: the writer writes "<1>" back
    out = D.write_english(document, edition_of(document, lambda s: "Type <1/> to go."))
    assert formatted_text(out)[0][5][0] == "<"
    assert "".join(ch for ch, _, _ in formatted_text(out)[0]) == "Type <1> to go."


# --- writing -------------------------------------------------------------------------------


def test_identity_gives_back_the_same_text_and_run_formatting(tmp_path):
    source = FEATURES.read_bytes()
    document = read(source)
    out = D.write_english(document, edition_of(document))
    assert formatted_text(out) == formatted_text(source)
    assert pandoc(out, "docx", tmp=tmp_path) == pandoc(source, "docx", tmp=tmp_path)
    # Only the story parts were rewritten; styles, numbering, comments… are the source's bytes.
    before, after = members(source), members(out)
    assert list(after) == list(before)
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= {"word/document.xml", "word/header1.xml", "word/footer1.xml", "word/footnotes.xml"}


ENGLISH = {
    "新型工业化，宁波底气从何而来": "New industrialization: where Ningbo's confidence comes from",
    "据<1>新华社</1>报道，宁波市加快推进新型工业化。": (
        "Ningbo is accelerating new industrialization, <1>Xinhua</1> reported."
    ),
    "今年<1>行动纲要</1>正式印发。": "This year the <1>action plan</1> was issued.",
    "甬江实验室主任崔平<1/>接受了专访。": "Cui Ping<1/>, director of Yongjiang Laboratory, gave an interview.",
    "单位面积产值达到10<1>6</1>元，<2>楷体强调</2>在句中。": (
        "Output reached 10<1>6</1> yuan, <2>stressed in Kaiti</2> mid-sentence."
    ),
    "文本框里的说明文字。": "The note in the text box.",
    "第<1/>页": "Page <1/>",
    "崔平，甬江实验室主任。": "Cui Ping, director of Yongjiang Laboratory.",
}


def test_english_package_keeps_formatting_links_footnotes_and_fields(tmp_path):
    document = read(FEATURES.read_bytes())
    out = D.write_english(document, edition_of(document, lambda s: ENGLISH.get(s, s)))
    markdown = pandoc(out, "docx", "markdown", tmp=tmp_path)
    assert "Ningbo is accelerating new industrialization, **Xinhua** reported." in markdown
    assert "[action plan](https://example.org/plan)" in markdown
    assert "Cui Ping[^1], director of Yongjiang Laboratory" in markdown
    assert "[^1]: Cui Ping, director of Yongjiang Laboratory." in markdown
    assert "10^6^ yuan" in markdown
    paragraphs = formatted_text(out)
    kaiti = [ch for p in paragraphs for ch, fmt, _ in p if fmt[5] == "KaiTi"]
    assert "".join(kaiti) == "stressed in Kaiti"
    xml = members(out)["word/document.xml"].decode("utf-8")
    # the text box is translated in the drawing and in its VML fallback
    assert xml.count("The note in the text box.") == 2 and "文本框里的说明文字" not in xml
    footer = members(out)["word/footer1.xml"].decode("utf-8")
    assert "Page " in footer and "PAGE" in footer and footer.count('w:fldCharType="end"') == 1
    assert "<w:commentReference" in xml  # the comment stays anchored


def test_untranslated_text_is_highlighted_in_the_english_package():
    from pipeline.editions.model import Shown

    document = read(docx_with_body("<w:p><w:r><w:t>宁波。</w:t></w:r></w:p>"))
    out = D.write_english(document, edition_of(document, shown=Shown.UNTRANSLATED))
    assert '<w:highlight w:val="yellow"/>' in members(out)["word/document.xml"].decode("utf-8")


def test_bilingual_package_is_a_two_column_table_read_by_pandoc(tmp_path):
    document = read(FEATURES.read_bytes())
    out = D.write_bilingual(document, edition_of(document, lambda s: ENGLISH.get(s, s)))
    table = __import__("docx").Document(io.BytesIO(out)).tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert len(rows) == len(msgids(document))
    assert rows[1] == [
        "据新华社报道，宁波市加快推进新型工业化。",
        "Ningbo is accelerating new industrialization, Xinhua reported.",
    ]
    assert "Page 1" not in pandoc(out, "docx", tmp=tmp_path)  # codes are not text
    assert "Cui Ping, director of Yongjiang Laboratory." in pandoc(out, "docx", tmp=tmp_path)


def test_a_pandoc_docx_of_the_seed_round_trips(tmp_path, seed_path):
    import subprocess

    from .docx_support import needs_pandoc

    needs_pandoc()
    made = tmp_path / "seed.docx"
    subprocess.run(["pandoc", "-f", "markdown", "-t", "docx", str(seed_path), "-o", str(made)], check=True)
    source = made.read_bytes()
    document = read(source)
    assert len(msgids(document)) > 50
    assert any(b.type is BlockType.BYLINE for b in document.blocks)  # 记者 成良田, typed by its text
    out = D.write_english(document, edition_of(document))
    assert pandoc(out, "docx", tmp=tmp_path) == pandoc(source, "docx", tmp=tmp_path)
    assert formatted_text(out) == formatted_text(source)


# --- phonetic guides (ruby) ----------------------------------------------------------------

RUBY = FIXTURES / "word-ruby.docx"  # LibreOffice 7.4 from word-ruby.fodt (see README there)
RUBY_MSGIDS = [
    "宁波新闻",  # Heading 1, a guide over its first word
    "据新华社报道，宁波市加快推进新型工业化。",
    "甬江实验室成立。",  # a guide per character
    "崔平在<1>甬江</1>实验室工作。",  # the guide's base is bold
    "详见<1>宁波日报</1>。",  # a guide in a hyperlink
]
WORD_RUBY_MSGIDS = ["我来自宁波，家在江北。", "欢迎做客！", "走进<1>甬城</1>。"]
RUBY_ENGLISH = {
    "宁波新闻": "Ningbo News",
    "据新华社报道，宁波市加快推进新型工业化。": "Ningbo is speeding up new industrialization, Xinhua reports.",
    "甬江实验室成立。": "Yongjiang Laboratory was founded.",
    "崔平在<1>甬江</1>实验室工作。": "Cui Ping works at <1>Yongjiang</1> Laboratory.",
    "详见<1>宁波日报</1>。": "See the <1>Ningbo Daily</1>.",
    "我来自宁波，家在江北。": "I come from Ningbo; my home is in Jiangbei.",
    "走进<1>甬城</1>。": "Into <1>Yong City</1>.",
}
PINYIN = ("níng", "bō", "yǒng", "jiāng", "chéng")


def word_ruby() -> bytes:
    """Guides as Word writes them: one per character, one over a bold word;
    the runs around carry Word's East Asian font hint, as the bases do."""
    hint = '<w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr>'
    return docx_with_body(
        f"<w:p><w:r>{hint}<w:t>我来自</w:t></w:r>{ruby_run('宁', 'níng')}{ruby_run('波', 'bō')}"
        f"<w:r>{hint}<w:t>，家在江北。</w:t></w:r><w:r>{hint}<w:t>欢迎做客！</w:t></w:r></w:p>"
        f"<w:p><w:r>{hint}<w:t>走进</w:t></w:r>{ruby_run('甬城', 'yǒng chéng', '<w:b/>')}<w:r><w:t>。</w:t></w:r></w:p>"
    )


def rubies(data: bytes) -> list[tuple]:
    """Each guide of the main document: its run's formatting, its properties
    and annotation as XML, its base as (formatting, text) of the runs with text."""
    root = D.parse_xml(members(data)["word/document.xml"], "test")
    out = []
    for ruby in root.iter(D.w("ruby")):
        guide = [etree.tostring(c, method="c14n") for c in ruby if c.tag != D.w("rubyBase")]
        base = [(D.format_key(r.find(D.w("rPr"))), "".join(r.itertext())) for r in ruby.find(D.w("rubyBase"))]
        out.append((D.format_key(ruby.getparent().find(D.w("rPr"))), guide, [b for b in base if b[1]]))
    return out


def partly_translated(document):
    """Each segment in RUBY_ENGLISH reviewed, the others untranslated."""
    edition = edition_of(document, lambda s: RUBY_ENGLISH.get(s, s))
    for block in edition.blocks:
        block.segments = [
            replace(s, shown=Shown.REVIEWED if s.target != s.source else Shown.UNTRANSLATED) for s in block.segments
        ]
    return edition


def english_of(source: bytes, tmp_path) -> tuple[bytes, list[list[tuple]], str]:
    """The English document, its paragraphs with text as python-docx reads
    them, and its text as pandoc reads it; no guide, no pinyin in any."""
    document = read(source)
    out = D.write_english(document, partly_translated(document))
    xml = members(out)["word/document.xml"].decode("utf-8")
    assert rubies(source) and not rubies(out)
    assert "<w:rt>" not in xml and not [p for p in PINYIN if p in xml]
    plain = " ".join(pandoc(out, "docx", "plain", tmp=tmp_path).split())
    assert not [p for p in PINYIN if p in plain]
    return out, [p for p in formatted_text(out) if p], plain


def text_of(paragraph: list[tuple], bold: bool = False) -> str:
    return "".join(ch for ch, fmt, _ in paragraph if fmt[0] or not bold)


@pytest.mark.parametrize("source, expected", [(RUBY, RUBY_MSGIDS), (None, WORD_RUBY_MSGIDS)], ids=["lo", "word"])
def test_a_guides_base_joins_the_sentence_and_its_pinyin_is_not_read(source, expected):
    document = read(source.read_bytes() if source else word_ruby())
    assert msgids(document) == expected
    assert not [p for m in msgids(document) for p in PINYIN if p in m]
    if source:
        assert document.blocks[0].type is BlockType.TITLE  # Heading 1, its guide no obstacle


def test_the_english_document_has_no_guides(tmp_path):
    _, paragraphs, plain = english_of(RUBY.read_bytes(), tmp_path)
    assert [text_of(p) for p in paragraphs] == [
        "Ningbo News",
        "Ningbo is speeding up new industrialization, Xinhua reports.",
        "Yongjiang Laboratory was founded.",
        "Cui Ping works at Yongjiang Laboratory.",
        "See the Ningbo Daily.",
    ]
    assert text_of(paragraphs[3], bold=True) == "Yongjiang"
    assert {link for _, _, link in paragraphs[4][8:20]} == {"https://example.org/nb"}
    # pandoc (2.17) shows a guide as nothing: the English it reads is all in plain runs.
    for sentence in ("Ningbo News", "Ningbo is speeding up", "Yongjiang Laboratory was", "See the Ningbo Daily."):
        assert sentence in plain
    assert "Cui Ping works at Yongjiang Laboratory." in plain


def test_a_paragraph_partly_translated_has_no_guides_its_untranslated_sentence_highlighted(tmp_path):
    out, paragraphs, plain = english_of(word_ruby(), tmp_path)
    assert [text_of(p) for p in paragraphs] == [
        "I come from Ningbo; my home is in Jiangbei. 欢迎做客！",
        "Into Yong City.",
    ]
    assert text_of(paragraphs[1], bold=True) == "Yong City"
    assert "I come from Ningbo; my home is in Jiangbei. 欢迎做客！ Into Yong City." == plain
    xml = members(out)["word/document.xml"].decode("utf-8")
    assert '<w:highlight w:val="yellow"/></w:rPr><w:t>欢迎做客！</w:t>' in xml


@pytest.mark.parametrize("source", [RUBY, None], ids=["lo", "word"])
@pytest.mark.parametrize("shown", [Shown.REVIEWED, Shown.UNTRANSLATED])
def test_the_identity_build_keeps_the_guides_as_they_were(source, shown, tmp_path):
    data = source.read_bytes() if source else word_ruby()
    document = read(data)
    out = D.write_english(document, edition_of(document, shown=shown))
    before, after = rubies(data), rubies(out)
    assert len(before) == (6 if source else 3)
    if shown is Shown.REVIEWED:
        assert after == before
        assert formatted_text(out) == formatted_text(data)
        assert pandoc(out, "docx", tmp=tmp_path) == pandoc(data, "docx", tmp=tmp_path)
    else:  # untranslated: the base is highlighted with the sentence around it, its pinyin as it was
        assert [(r, g, [t for _, t in b]) for r, g, b in after] == [(r, g, [t for _, t in b]) for r, g, b in before]
        root = D.parse_xml(members(out)["word/document.xml"], "test")
        bases = [r for ruby in root.iter(D.w("rubyBase")) for r in ruby.iter(D.w("r"))]
        assert bases and all(r.find(f"{D.w('rPr')}/{D.w('highlight')}") is not None for r in bases)
        assert not [r for ruby in root.iter(D.w("rt")) for r in ruby.iter(D.w("highlight"))]


def test_a_guide_over_no_text_and_one_in_a_fields_result_are_kept_whole():
    field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> REF x </w:instrText></w:r>'
        f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>{ruby_run("甬江", "yǒng jiāng")}'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    body = (
        f"<w:p><w:r><w:t>宁波</w:t></w:r>{ruby_run('', 'kōng')}<w:r><w:t>新闻。</w:t></w:r></w:p>"
        f"<w:p><w:r><w:t>见</w:t></w:r>{field}<w:r><w:t>一节。</w:t></w:r></w:p>"
    )
    source = docx_with_body(body)
    document = read(source)
    assert msgids(document) == ["宁波<1/>新闻。", "见<1/>一节。"]
    english = {"宁波<1/>新闻。": "Ningbo<1/> news.", "见<1/>一节。": "See section <1/>."}
    out = D.write_english(document, edition_of(document, lambda s: english[s]))
    assert rubies(out) == rubies(source) and len(rubies(source)) == 2
    assert ["".join(ch for ch, _, _ in p) for p in formatted_text(out) if p] == ["Ningbo news.", "See section ."]


# --- refusals ------------------------------------------------------------------------------


def refusal(data: bytes, where: str = "seeds/doc.docx") -> str:
    with pytest.raises(SourceError) as info:
        read(data, where)
    message = str(info.value)
    assert "\n" not in message and message.startswith(where)
    return message


def test_tracked_changes_are_refused_with_what_to_do():
    message = refusal((FIXTURES / "word-tracked.docx").read_bytes())
    assert "accept or reject tracked changes first" in message


def test_truncated_and_corrupt_packages_are_refused():
    data = FEATURES.read_bytes()
    assert "corrupt or truncated" in refusal(data[: len(data) // 2])
    assert "corrupt or truncated" in refusal(data[:-30])
    broken = bytearray(data)
    start = data.index(b"word/document.xml") + 40  # inside the member's compressed data
    broken[start : start + 20] = b"\x00" * 20
    assert "corrupt" in refusal(bytes(broken))


def test_a_zip_that_is_not_a_word_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    assert "not a DOCX package" in refusal(out.getvalue())


def test_macros_are_refused():
    data = FEATURES.read_bytes()
    assert "macro-enabled" in refusal(data, "seeds/doc.docm")
    with_macros = docx_with_body("<w:p><w:r><w:t>宁波。</w:t></w:r></w:p>", {"word/vbaProject.bin": b"\xd0\xcf"})
    assert "macros (vbaProject.bin)" in refusal(with_macros)


def test_encrypted_and_legacy_ole_files_are_refused():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    encrypted = ole + "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le")
    assert "encrypted (password-protected)" in refusal(encrypted)
    assert "Word 97-2003 .doc" in refusal(ole)


def test_a_docx_that_is_really_html_is_refused_by_the_sniffing_rule():
    assert "looks like HTML, not DOCX" in refusal(b"<html><body><p>\xe5\xae\x81\xe6\xb3\xa2</p></body></html>")


def test_a_zip_bomb_is_refused_before_decompression(monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\x00" * (8 << 20))  # 8 MiB of zeros: about 8 KiB compressed
    data = out.getvalue()
    assert len(data) < 64 << 10
    monkeypatch.setattr(D, "MAX_PACKAGE_BYTES", 4 << 20)
    assert "a zip bomb?" in refusal(data)


def test_too_many_members_and_duplicate_names_are_refused(monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for k in range(20):
            z.writestr(f"x{k}", "")
    monkeypatch.setattr(D, "MAX_MEMBERS", 10)
    assert "more than a document holds" in refusal(out.getvalue())
    out = io.BytesIO()
    with pytest.warns(UserWarning), zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("[Content_Types].xml", "<Types/>")
    assert "duplicate member names" in refusal(out.getvalue())


def test_entity_expansion_is_refused():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "宁波宁波宁波宁波宁波宁波宁波宁波">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    data = docx_with_body("<w:p><w:r><w:t>&c;</w:t></w:r></w:p>")
    parts = members(data)
    parts["word/document.xml"] = re.sub(rb"^<\?xml[^>]*\?>", laughs.encode(), parts["word/document.xml"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in parts.items():
            z.writestr(name, body)
    assert "DTD or entity declarations" in refusal(out.getvalue())


def test_control_characters_in_a_paragraph_are_refused():
    message = refusal(docx_with_body("<w:p><w:r><w:t>宁波\u202e工业</w:t></w:r></w:p>"))
    assert "paragraph 1" in message


def test_inline_content_controls_and_smart_tags_are_translated_inside():
    body = (
        "<w:p><w:r><w:t>记者</w:t></w:r>"
        '<w:sdt><w:sdtPr><w:alias w:val="作者"/></w:sdtPr>'
        "<w:sdtContent><w:r><w:t>成良田</w:t></w:r></w:sdtContent></w:sdt>"
        '<w:smartTag w:uri="urn:x" w:element="place"><w:r><w:t>在宁波</w:t></w:r></w:smartTag>'
        "<w:r><w:t>报道。</w:t></w:r></w:p>"
    )
    document = read(docx_with_body(body))
    assert msgids(document) == ["记者<1>成良田</1>在宁波报道。"]
    out = D.write_english(document, edition_of(document, lambda s: "<1>Cheng Liangtian</1> reports from Ningbo."))
    xml = members(out)["word/document.xml"].decode("utf-8")
    assert '<w:sdt><w:sdtPr><w:alias w:val="作者"/></w:sdtPr><w:sdtContent><w:r><w:t>Cheng Liangtian</w:t>' in xml
    assert "reports from Ningbo." in xml


def test_a_translation_with_a_character_xml_cannot_carry_shows_the_source():
    document = read(docx_with_body("<w:p><w:r><w:t>宁波。</w:t></w:r></w:p>"))
    # U+FFFE, which XML cannot carry, is refused by pipeline.textsafety
    # like a control character: rebuild shows the source,
    # in the English package and in the bilingual one.
    for writer in (D.write_english, D.write_bilingual):
        xml = members(writer(document, edition_of(document, lambda s: "Ningbo\ufffe.")))["word/document.xml"]
        assert "宁波。" in xml.decode("utf-8") and "\ufffe" not in xml.decode("utf-8")


def test_deeply_nested_xml_is_refused():
    deep = "<w:sdt><w:sdtContent>" * 3000 + "<w:p><w:r><w:t>宁波。</w:t></w:r></w:p>" + "</w:sdtContent></w:sdt>" * 3000
    assert "not well-formed XML" in refusal(docx_with_body(deep))


def test_a_python_docx_document_with_a_picture_header_tab_and_break(tmp_path):
    import struct
    import zlib

    import docx

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    picture = tmp_path / "dot.png"  # a 1x1 red PNG
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    made = docx.Document()
    made.sections[0].header.paragraphs[0].text = "宁波日报"
    paragraph = made.add_paragraph("甬江实验室")
    paragraph.add_run().add_picture(str(picture))
    paragraph.add_run("正式揭牌。\t全文")
    paragraph.add_run().add_break()
    paragraph.add_run("完。")
    buffer = io.BytesIO()
    made.save(buffer)
    source = buffer.getvalue()
    document = read(source)
    assert msgids(document) == ["甬江实验室<1/>正式揭牌。", "全文<1/>完。", "宁波日报"]
    out = D.write_english(document, edition_of(document))
    assert formatted_text(out) == formatted_text(source)
    before, after = members(source), members(out)
    assert [n for n in before if before[n] != after[n]] == ["word/document.xml", "word/header1.xml"]
    english = D.write_english(document, edition_of(document, lambda s: s.replace("甬江实验室", "The lab ")))
    assert "<w:drawing>" in members(english)["word/document.xml"].decode("utf-8")
    assert "The lab" in pandoc(english, "docx", tmp=tmp_path)


# --- found by attacking the reader ----------------------------------------------------


def _package(parts: dict[str, bytes], extra: list[tuple[zipfile.ZipInfo, bytes]] = ()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(name, body)
        for info, body in extra:
            z.writestr(info, body)
    return out.getvalue()


@pytest.mark.parametrize("name", ["../../evil.sh", "/etc/cron.d/x", "word/../../x", "C:/x", "word\\media\\x.png"])
def test_a_member_unzip_would_write_outside_the_package_is_refused(name):
    # Every member is copied into the English package: never pass one on.
    parts = members(docx_with_body("<w:p><w:r><w:t>宁波。</w:t></w:r></w:p>"))
    assert f"unsafe zip member {name!r}" in refusal(_package({**parts, name: b"x"}))


def test_a_symbolic_link_member_is_refused():
    parts = members(docx_with_body("<w:p><w:r><w:t>宁波。</w:t></w:r></w:p>"))
    link = zipfile.ZipInfo("word/media/image1.png")
    link.create_system, link.external_attr = 3, 0o120777 << 16
    assert "unsafe zip member 'word/media/image1.png'" in refusal(_package(parts, [(link, b"/etc/passwd")]))


def test_a_main_part_typed_by_its_extensions_default_content_type_is_read():
    # OPC: a part without an Override has its extension's Default type.
    parts = members(docx_with_body("<w:p><w:r><w:t>宁波。</w:t></w:r></w:p>"))
    types = parts["[Content_Types].xml"].decode("utf-8")
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    types = re.sub(r'<Override PartName="/word/document.xml"[^>]*/>', "", types)
    types = types.replace(
        '<Default Extension="xml" ContentType="application/xml"/>', f'<Default Extension="xml" ContentType="{main}"/>'
    )
    assert main in types and "/word/document.xml" not in types
    assert msgids(read(_package({**parts, "[Content_Types].xml": types.encode()}))) == ["宁波。"]


def test_a_field_never_ended_is_refused_rather_than_swallowing_the_text_after_it():
    body = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
        "<w:r><w:t>第一段。</w:t></w:r></w:p><w:p><w:r><w:t>第二段。</w:t></w:r></w:p>"
    )
    assert "a field (w:fldChar begin) is never ended" in refusal(docx_with_body(body))


@pytest.mark.parametrize(
    "element, said",
    [("altChunk", "an imported document (w:altChunk)"), ("subDoc", "a subdocument of a master document")],
)
def test_content_word_imports_from_another_part_is_refused_not_left_out(element, said):
    r_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    body = f'<w:p><w:r><w:t>正文。</w:t></w:r></w:p><w:{element} xmlns:r="{r_ns}" r:id="rId99"/>'
    if element == "subDoc":
        body = f'<w:p><w:subDoc xmlns:r="{r_ns}" r:id="rId99"/><w:r><w:t>正文。</w:t></w:r></w:p>'
    assert said in refusal(docx_with_body(body))


def test_an_xml_error_libxml2_words_over_two_lines_is_still_one_line():
    # libxml2's "Buffer size limit exceeded" message ends a line inside it.
    style = "x" * (11 << 20)
    message = refusal(
        docx_with_body(f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t>宁波。</w:t></w:r></w:p>')
    )
    assert "not well-formed XML" in message


def test_a_main_part_in_another_vocabulary_is_refused_not_read_as_empty():
    # Word's "Strict Open XML Document" is a .docx with the ISO namespaces:
    # read with the transitional ones, it would be a document without text.
    parts = members(docx_with_body("<w:p><w:r><w:t>宁波。</w:t></w:r></w:p>"))
    strict = parts["word/document.xml"].replace(
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        b"http://purl.oclc.org/ooxml/wordprocessingml/main",
    )
    assert "a Strict Open XML document is not supported" in refusal(_package({**parts, "word/document.xml": strict}))
    sheet = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    assert "its main part is <worksheet>" in refusal(_package({**parts, "word/document.xml": sheet}))


# --- attributes a reader sees: ScreenTips, alt text ----------------------------------------

ALT_TEXT = FIXTURES / "word-alt-text.docx"  # LibreOffice 7.4 from word-alt-text.fodt (see README there)
ALT_ENGLISH = {
    "甬江实验室新楼<1/>已经落成。": "The new building of Yongjiang Laboratory<1/> is finished.",
    "甬江实验室新楼的外景照片": "The new building of Yongjiang Laboratory from outside",
    "甬江实验室": "Yongjiang Laboratory",
    "宁波港的集装箱码头。": "The container terminal of Ningbo port.",
}


def drawing_properties(data: bytes) -> list[tuple[str | None, str | None, str | None, str | None]]:
    """(docPr descr, docPr title, pic:cNvPr descr, pic:cNvPr title) of each
    picture, as python-docx finds them (its inline shapes)."""
    out = []
    for shape in __import__("docx").Document(io.BytesIO(data)).inline_shapes:
        inline = shape._inline
        doc_pr = inline.docPr
        pic = inline.find(".//{http://schemas.openxmlformats.org/drawingml/2006/picture}cNvPr")
        out.append((doc_pr.get("descr"), doc_pr.get("title"), pic.get("descr"), pic.get("title")))
    return out


def images(html: str) -> list[tuple[str, str]]:
    """(alt, title) of each image pandoc's HTML shows."""
    tags = re.findall(r"<img\b[^>]*>", html)
    return [
        (
            m.group(1) if (m := re.search(r'alt="([^"]*)"', t)) else "",
            re.search(r'title="([^"]*)"', t).group(1) if 'title="' in t else "",
        )
        for t in tags
    ]


def test_a_pictures_alt_text_and_title_are_blocks_of_their_own_typed_as_in_html():
    document = read(ALT_TEXT.read_bytes())
    assert [(b.type, [s.text for s in b.segments]) for b in document.blocks] == [
        (BlockType.BODY, ["甬江实验室新楼<1/>已经落成。"]),
        (BlockType.CAPTION, ["甬江实验室新楼的外景照片"]),  # descr: HTML's alt
        (BlockType.HEADING, ["甬江实验室"]),  # title: HTML's title
        (BlockType.CAPTION, ["宁波港的集装箱码头。"]),  # a paragraph with a picture and no text
    ]


def test_alt_text_and_titles_are_written_in_english_read_back_by_python_docx_and_pandoc(tmp_path):
    source = ALT_TEXT.read_bytes()
    document = read(source)
    out = D.write_english(document, edition_of(document, lambda s: ALT_ENGLISH[s]))
    assert drawing_properties(out) == [
        ("The new building of Yongjiang Laboratory from outside", "Yongjiang Laboratory") * 2,
        ("The container terminal of Ningbo port.", "") * 2,
    ]
    html = pandoc(out, "docx", "html", tmp=tmp_path)
    assert images(html) == [
        ("The new building of Yongjiang Laboratory from outside", "Yongjiang Laboratory"),
        ("The container terminal of Ningbo port.", ""),
    ]
    assert "The new building of Yongjiang Laboratory<img" in html.replace("\n", " ")
    assert not re.search(r"[\u4e00-\u9fff]", html)


def test_the_identity_build_keeps_alt_text_and_titles_as_they_were(tmp_path):
    source = ALT_TEXT.read_bytes()
    document = read(source)
    out = D.write_english(document, edition_of(document))
    assert drawing_properties(out) == drawing_properties(source)
    assert drawing_properties(source)[0][:2] == ("甬江实验室新楼的外景照片", "甬江实验室")
    assert pandoc(out, "docx", "html", tmp=tmp_path) == pandoc(source, "docx", "html", tmp=tmp_path)
    assert formatted_text(out) == formatted_text(source)


def tooltip_docx(tooltip: str = "宁波市政府发布的行动纲要全文") -> bytes:
    """A hyperlink with a ScreenTip as Word writes one (Insert › Link ›
    ScreenTip; LibreOffice 7.4 writes none: it reads w:tooltip as a target
    frame), and an internal link with one in a table cell."""
    body = (
        f'<w:p><w:r><w:t>详见</w:t></w:r><w:hyperlink r:id="rId90" w:tooltip="{tooltip}" w:history="1">'
        '<w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr><w:t>行动纲要</w:t></w:r></w:hyperlink>'
        "<w:r><w:t>。</w:t></w:r></w:p>"
        '<w:tbl><w:tblGrid><w:gridCol w:w="4000"/></w:tblGrid><w:tr><w:tc><w:p>'
        '<w:hyperlink w:anchor="top" w:tooltip="回到  开头">'
        "<w:r><w:t>返回</w:t></w:r></w:hyperlink></w:p></w:tc></w:tr></w:tbl>"
    )
    return docx_with_body(body, patch=external_links({"rId90": "https://example.org/plan"}))


TOOLTIP_ENGLISH = {
    "详见<1>行动纲要</1>。": "See the <1>action plan</1>.",
    "宁波市政府发布的行动纲要全文": "The full action plan published by the Ningbo government",
    "返回": "Back",
    "回到 开头": "Back to the top",
}


def tooltips(data: bytes) -> list[tuple[str | None, str, str | None]]:
    """(tooltip, text, address) of each hyperlink of the body, tables too, as python-docx reads them."""
    document = __import__("docx").Document(io.BytesIO(data))
    paragraphs = list(document.paragraphs) + [p for t in document.tables for c in t._cells for p in c.paragraphs]
    return [
        (link._hyperlink.get(D.w("tooltip")), link.text, link.address or f"#{link.fragment}")
        for p in paragraphs
        for link in p.hyperlinks
    ]


def test_a_hyperlinks_screentip_is_a_block_after_its_paragraph_typed_as_htmls_title():
    document = read(tooltip_docx())
    assert [(b.type, [s.text for s in b.segments]) for b in document.blocks] == [
        (BlockType.BODY, ["详见<1>行动纲要</1>。"]),
        (BlockType.HEADING, ["宁波市政府发布的行动纲要全文"]),
        (BlockType.BODY, ["返回"]),
        (BlockType.HEADING, ["回到 开头"]),  # white space collapsed, as HTML's attributes are
    ]
    assert "w:tooltip" in document.blocks[1].reason


def test_screentips_are_written_in_english_and_kept_by_the_identity_build(tmp_path):
    source = tooltip_docx()
    document = read(source)
    out = D.write_english(document, edition_of(document, lambda s: TOOLTIP_ENGLISH[s]))
    assert tooltips(out) == [
        ("The full action plan published by the Ningbo government", "action plan", "https://example.org/plan"),
        ("Back to the top", "Back", "#top"),
    ]
    assert "See the action plan." in pandoc(out, "docx", tmp=tmp_path)
    identity = D.write_english(document, edition_of(document))
    assert (
        tooltips(identity)
        == tooltips(source)
        == [
            ("宁波市政府发布的行动纲要全文", "行动纲要", "https://example.org/plan"),
            ("回到  开头", "返回", "#top"),  # as it was: not even its white space collapsed
        ]
    )
    untranslated = D.write_english(document, edition_of(document, shown=Shown.UNTRANSLATED))
    assert tooltips(untranslated) == tooltips(source)


def test_a_tooltip_with_a_control_character_is_refused_with_its_paragraph():
    message = refusal(tooltip_docx("宁波\u202e工业"))
    assert "paragraph 1" in message and "w:tooltip" in message
