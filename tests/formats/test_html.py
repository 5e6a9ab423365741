"""HTML sources (pipeline/formats/html.py): reading a real-looking news page
in GBK, the English page and the bilingual page written back, the identity
test, and what independent readers (lxml, pandoc) make of our output."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from click.testing import CliRunner
from lxml import etree
from lxml import html as lxml_html

from pipeline.catalog import load_catalog, save_catalog
from pipeline.cli import main
from pipeline.editions import assemble
from pipeline.errors import PipelineError
from pipeline.formats import ReadContext, get_format, load_document, sniff
from pipeline.formats.html import write_html
from pipeline.inline import tag_problems
from pipeline.segment import BlockType

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "formats"
NEWS = FIXTURES / "news-gbk.html"


def _pandoc_plain(path) -> str:
    """The page as pandoc, an independent reader, reads it: plain text."""
    return subprocess.run(
        ["pandoc", "-f", "html", "-t", "plain", str(path)], capture_output=True, check=True, text=True
    ).stdout


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def news_ws(tmp_path) -> Path:
    ws = tmp_path / "ws"
    (ws / "seeds").mkdir(parents=True)
    shutil.copy(NEWS, ws / "seeds" / "news.html")
    return ws


def read(path: Path):
    return load_document(path, path.name, name=path.stem)


def all_msgids(document) -> list[str]:
    return [seg.text for _, seg in document.segments() if seg.translatable]


# --- Reading ----------------------------------------------------------------------------


def test_news_page_in_gbk_is_read_with_its_structure():
    doc = read(NEWS)
    assert doc.encoding == "gb18030"  # declared gb2312, read as its superset
    ids = all_msgids(doc)
    # 镕 is GBK, not GB2312: the declared charset alone would fail on it.
    assert "镕铸匠心：甬城制造业的转型之路" in ids
    # Inline links and emphasis are numbered tags.
    assert (
        "上个月，<1>《宁波市加快推进新型工业化行动纲要》</1>正式印发，为产业发展绘就新蓝图，"
        "为发展新质生产力、夯实宁波发展根基提供了<2>有力支撑</2>。"
    ) in ids
    assert "我们实验室正在推进<1/>平台建设，欢迎更多企业参与。" in ids  # <code> is a standalone code
    # Translatable attributes and the page's title and description.
    for text in ("甬江实验室外景", "请输入关键词", "宁波市加快推进新型工业化行动纲要全文", "中国宁波网"):
        assert text in ids
    assert "宁波出台加快推进新型工业化行动纲要，甬江实验室主任崔平接受本报专访。" in ids
    # Left alone: scripts, styles, comments, pre, code, translate="no", keywords.
    joined = "\n".join(ids)
    for text in ("手机版", "首行缩进", "顶部导航", "不翻译", "Y-space", "NB-2024", "甬江实验室,"):
        assert text not in joined


def test_block_types_come_from_markup_and_text():
    doc = read(NEWS)
    types = {b.segments[0].text: b.type for b in doc.blocks}
    assert types["新型工业化，宁波底气何来"] is BlockType.TITLE  # h1
    assert types["新型工业化，宁波底气何来_宁波日报_中国宁波网"] is BlockType.TITLE  # <title>
    assert types["崔平：新型工业化，人人都是参与者"] is BlockType.SUBTITLE  # h2 class="subtitle"
    assert types["记者 程良田"] is BlockType.BYLINE  # class="author"
    assert types["甬江实验室外景。"] is BlockType.CAPTION  # figcaption
    assert types["宁波规上工业主要指标"] is BlockType.CAPTION  # table caption
    assert types["相关新闻"] is BlockType.HEADING  # h3
    assert types["记者："] is BlockType.QA_TURN  # an interview, by its speaker labels
    caption = next(b for b in doc.blocks if b.segments[0].text == "甬江实验室外景。")
    assert [s.part.value for s in caption.segments] == ["sentence", "photo-credit"]


def test_whitespace_collapses_as_a_browser_shows_it():
    doc = read(NEWS)
    # The source breaks this paragraph after 印发，: nothing between Chinese characters.
    assert any(m.startswith("上个月，") and "印发，为产业" in m for m in all_msgids(doc))
    assert "Copyright © 2024 中国宁波网 版权所有 <1>浙ICP备05001234号</1>" in all_msgids(doc)


def test_literal_tag_text_becomes_a_literal_code(tmp_path):
    page = tmp_path / "t.html"
    page.write_text("<p>请在框中输入&lt;1&gt;和&lt;/2&gt;即可。</p>", encoding="utf-8")
    doc = read(page)
    assert all_msgids(doc) == ["请在框中输入<1/>和<2/>即可。"]


# --- Writing ----------------------------------------------------------------------------


def translate_all(po: Path, translate) -> None:
    catalog = load_catalog(po)
    for message in catalog:
        if message.id:
            message.string = translate(message.id)
            message.flags.discard("fuzzy")
    save_catalog(po, catalog)


def dom_signature(root, normalise_space: bool = False) -> list:
    """Every node's tag, attributes (less lang and charset), text and tail."""

    def norm(text):
        text = text or ""
        if normalise_space:
            # The reader collapses white space as a browser does, a line break
            # between Chinese characters (maybe across a tag) to nothing.
            text = re.sub(r"[ \t\r\n\f]*\n[ \t\r\n\f]*", "", text)
            text = re.sub(r"[ \t\r\f]+", " ", text)
        return text

    out = []
    for el in root.iter():
        attrib = {k: v for k, v in el.attrib.items() if k != "lang" and k != "charset"}
        if el.tag == "meta" and "http-equiv" in attrib:
            attrib.pop("content", None)
        out.append((str(el.tag), attrib, norm(el.text), norm(el.tail)))
    return out


def parse_page(data: bytes):
    return etree.fromstring(data, lxml_html.HTMLParser(encoding="utf-8", remove_comments=False))


@pytest.mark.parametrize("rebuild_all", [False, True])
def test_identity_translation_gives_back_the_same_dom(news_ws, rebuild_all):
    assert run("extract", "-w", news_ws).exit_code == 0
    translate_all(news_ws / "locales/en/LC_MESSAGES/news.po", lambda msgid: msgid)
    doc = read(news_ws / "seeds" / "news.html")
    edition = assemble(doc, load_catalog(news_ws / "locales/en/LC_MESSAGES/news.po"))
    ours = parse_page(write_html(doc, edition, rebuild_all=rebuild_all))
    source = read(news_ws / "seeds" / "news.html").native.getroot()
    # Rebuilt blocks have their white space collapsed as the reader read it.
    assert dom_signature(ours, rebuild_all) == dom_signature(source, rebuild_all)
    assert ours.get("lang") == "en"


def test_build_writes_the_english_page(news_ws, msgfmt_check):
    assert run("extract", "-w", news_ws).exit_code == 0
    po = news_ws / "locales/en/LC_MESSAGES/news.po"
    msgfmt_check(po)
    english = {
        "上个月，<1>《宁波市加快推进新型工业化行动纲要》</1>正式印发，为产业发展绘就新蓝图，"
        "为发展新质生产力、夯实宁波发展根基提供了<2>有力支撑</2>。": "Last month, the <1>Action Plan</1> was "
        "issued, giving <2>strong support</2> to development.",
        "新型工业化，宁波底气何来": "New industrialization: where Ningbo's confidence comes from",
        "甬江实验室外景": "The Yongjiang Laboratory from outside",
        "宁波出台加快推进新型工业化行动纲要，甬江实验室主任崔平接受本报专访。": "Ningbo issues its plan.",
        # Reordered tags: English word order.
        "当前位置：<1>首页</1> > <2>宁波日报</2> > 正文": "You are here: <2>Ningbo Daily</2> < <1>Home</1>",
        # A translation with a lost tag falls back to the source, marked.
        "新型工业化不是某一个部门的事情，<1>人人都是参与者</1>。": "It is not one department's business.",
    }
    catalog = load_catalog(po)
    for message in catalog:
        if message.id in english:
            message.string = english[message.id]
    save_catalog(po, catalog)
    result = run("build", "-w", news_ws)
    assert result.exit_code == 0, result.output
    assert "(5/42 segments translated" in result.output  # the one with a lost tag is shown as its source
    out = news_ws / "build"
    data = (out / "news.en.html").read_bytes()
    page = parse_page(data)
    assert page.get("lang") == "en"
    assert data.startswith(b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"')
    assert page.xpath("//meta[@http-equiv]/@content") == ["text/html; charset=utf-8"]
    p = page.xpath("//div[@class='article']/p")[1]
    link = p.find("a")
    assert link.text == "Action Plan" and link.get("href") == "/news/2024/02/plan.html"
    assert link.get("title") == "宁波市加快推进新型工业化行动纲要全文"  # its own entry, untranslated
    assert p.find("strong").text == "strong support"
    assert p.text_content().strip().startswith("Last month, the Action Plan was issued")
    assert page.xpath("//h1")[0].text_content() == "New industrialization: where Ningbo's confidence comes from"
    assert page.xpath("//figure/img/@alt") == ["The Yongjiang Laboratory from outside"]
    assert page.xpath("//meta[@name='description']/@content") == ["Ningbo issues its plan."]
    crumb = page.xpath("//div[@class='crumb']")[0]
    assert [a.text for a in crumb.findall("a")] == ["Ningbo Daily", "Home"]
    assert [a.get("href") for a in crumb.findall("a")] == ["/nbrb/", "/"]
    # The answer with a lost tag: its source, marked, with its <em>.
    untranslated = page.xpath("//span[@class='untranslated']")
    lost = [s for s in untranslated if s.text_content().startswith("新型工业化不是")]
    assert lost and lost[0].get("lang") == "zh-Hans" and lost[0].find("em").text == "人人都是参与者"
    # The <title> holds text only: an untranslated title is not marked there.
    assert page.xpath("//title")[0].text == "新型工业化，宁波底气何来_宁波日报_中国宁波网"
    # Scripts, styles, comments, pre and translate="no" as they were.
    text = data.decode("utf-8")
    for kept in (
        'document.write("<p>手机版</p>")',
        "/* 首行缩进 */",
        "<!-- 顶部导航 开始 -->",
        '<pre class="code">print("不翻译")</pre>',
        '<span translate="no">编号 NB-2024-0318</span>',
        "<code>Y-space</code>",
    ):
        assert kept in text
    # Plain editions have no tags; the bilingual page pairs the sentences.
    assert "<1>" not in (out / "news.en.txt").read_text(encoding="utf-8")
    bilingual = (out / "news.bilingual.html").read_text(encoding="utf-8")
    assert "Last month, the Action Plan was issued" in bilingual and "&lt;1&gt;" not in bilingual
    assert lxml_html.fromstring(bilingual.encode("utf-8")).get("lang") == "en"


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc (Debian package pandoc) is not installed")
def test_pandoc_reads_our_english_page(news_ws):
    assert run("extract", "-w", news_ws).exit_code == 0
    translate_all(news_ws / "locales/en/LC_MESSAGES/news.po", lambda msgid: msgid)
    po = news_ws / "locales/en/LC_MESSAGES/news.po"
    catalog = load_catalog(po)
    catalog["新型工业化，宁波底气何来"].string = "New industrialization: where Ningbo's confidence comes from"
    save_catalog(po, catalog)
    assert run("build", "-w", news_ws).exit_code == 0
    plain = _pandoc_plain(news_ws / "build" / "news.en.html")
    assert "New industrialization: where Ningbo's confidence comes from" in plain
    assert "镕铸匠心" in plain  # read as UTF-8: our meta says so


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc (Debian package pandoc) is not installed")
def test_the_seed_converted_by_pandoc(tmp_path, seed_path):
    """The seed, as pandoc writes it in HTML: every paragraph read, the
    same sentences as the plain-text source where the paragraphs agree."""
    page = tmp_path / "seed.html"
    subprocess.run(
        ["pandoc", "-f", "markdown", "-t", "html", "-s", "--metadata", "title=seed", str(seed_path), "-o", str(page)],
        check=True,
    )
    html_ids = set(all_msgids(read(page)))
    text_ids = set(all_msgids(load_document(seed_path, name="seed")))
    assert len(html_ids) > 50
    shared = html_ids & text_ids
    # Page-break repair joins some paragraphs in the plain text; the rest agree.
    assert len(shared) >= 0.8 * len(html_ids)
    assert not any("<" in m for m in html_ids)  # pandoc writes no inline markup for plain paragraphs


# --- Ruby -------------------------------------------------------------------------------

RUBY_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>宁波新闻</title></head><body>
<h1><ruby>宁<rt>níng</rt>波<rt>bō</rt></ruby>新闻</h1>
<h2>走进<ruby>甬<rp>(</rp><rt>Yǒng</rt><rp>)</rp></ruby>城</h2>
<p>我来自<ruby>宁波<rp>(</rp><rt>Níngbō</rt><rp>)</rp></ruby>，家在<ruby>宁<rt>níng</rt></ruby><ruby>波<rt>bō</rt></ruby>
江北。<b>欢迎<ruby><rb>来</rb><rtc><rt>lái</rt></rtc></ruby>做客</b>！</p>
<p><ruby>汉<rp>(<rt>hàn<rp>)</rp>字<rp>(<rt>zì<rp>)</ruby>很难学。</p>
</body></html>
"""
RUBY_MSGIDS = ["宁波新闻", "宁波新闻", "走进甬城", "我来自宁波，家在宁波江北。", "<1>欢迎来做客</1>！", "汉字很难学。"]
PINYIN = ("níng", "bō", "Níngbō", "Yǒng", "lái", "hàn", "zì")
RUBY_ENGLISH = {
    "宁波新闻": "Ningbo News",
    "走进甬城": "Into the Yong City",
    "我来自宁波，家在宁波江北。": "I come from Ningbo; my home is in Jiangbei.",
    "汉字很难学。": "Chinese characters are hard to learn.",
}


@pytest.fixture
def ruby_ws(tmp_path) -> Path:
    ws = tmp_path / "ws"
    (ws / "seeds").mkdir(parents=True)
    (ws / "seeds" / "ruby.html").write_text(RUBY_PAGE, encoding="utf-8")
    return ws


def ruby_of(root) -> list[bytes]:
    return [etree.tostring(r, encoding="utf-8", with_tail=False) for r in root.iter("ruby")]


def test_ruby_base_text_joins_the_sentence_and_its_pinyin_is_not_extracted(ruby_ws):
    doc = read(ruby_ws / "seeds" / "ruby.html")
    # Per word and per character, with rp fallbacks, an rb and an rtc, end tags
    # omitted as HTML allows (libxml2 alone would put 字 inside the <rt>).
    assert all_msgids(doc) == RUBY_MSGIDS
    types = {b.segments[0].text: b.type for b in doc.blocks}
    assert types["走进甬城"] is BlockType.HEADING  # the <h2>, its <rt> gone
    assert [b.type for b in doc.blocks[:2]] == [BlockType.TITLE, BlockType.TITLE]  # <title>, <h1>
    assert run("extract", "-w", ruby_ws).exit_code == 0
    pot = (ruby_ws / "locales" / "ruby.pot").read_text(encoding="utf-8")
    assert not [p for p in PINYIN if p in pot]


def test_the_english_page_has_no_ruby(ruby_ws, msgfmt_check):
    assert run("extract", "-w", ruby_ws).exit_code == 0
    po = ruby_ws / "locales/en/LC_MESSAGES/ruby.po"
    msgfmt_check(po)
    translate_all(po, lambda msgid: RUBY_ENGLISH.get(msgid, ""))  # <1>欢迎来做客</1>！ untranslated
    result = run("build", "-w", ruby_ws)
    assert result.exit_code == 0, result.output
    data = (ruby_ws / "build" / "ruby.en.html").read_bytes()
    page = parse_page(data)
    assert page.xpath("//ruby | //rt | //rp | //rtc | //rb") == []
    assert not [p for p in PINYIN if p in data.decode("utf-8")]
    assert page.xpath("//title")[0].text == "Ningbo News"
    assert page.xpath("//h1")[0].text_content() == "Ningbo News"
    assert page.xpath("//h2")[0].text_content() == "Into the Yong City"
    first, second = page.xpath("//p")
    # A block rebuilt in English has no ruby, its untranslated sentence neither.
    assert first.text == "I come from Ningbo; my home is in Jiangbei. "
    untranslated = first.find("span")
    assert untranslated.get("class") == "untranslated" and untranslated.text_content() == "欢迎来做客！"
    assert untranslated.find("b").text == "欢迎来做客"
    assert second.text_content() == "Chinese characters are hard to learn."
    # The bilingual page: sentences paired, the Chinese side the base text, no pinyin.
    bilingual = (ruby_ws / "build" / "ruby.bilingual.html").read_text(encoding="utf-8")
    assert not [p for p in PINYIN if p in bilingual]
    rows = lxml_html.fromstring(bilingual.encode("utf-8")).xpath("//div[contains(@class, 'row')]")
    pairs = [tuple(r.xpath(f"div[@class='{side}']")[0].text_content() for side in ("zh", "en")) for r in rows]
    english = "I come from Ningbo; my home is in Jiangbei. 欢迎来做客！"
    assert ("我来自宁波，家在宁波江北。欢迎来做客！", english) in pairs
    assert ("汉字很难学。", "Chinese characters are hard to learn.") in pairs
    if shutil.which("pandoc"):  # an independent reader of our page
        plain = _pandoc_plain(ruby_ws / "build" / "ruby.en.html")
        assert "I come from Ningbo; my home is in Jiangbei." in " ".join(plain.split())
        assert not [p for p in PINYIN if p in plain]


@pytest.mark.parametrize("rebuild_all", [False, True])
def test_identity_build_of_a_page_with_ruby(ruby_ws, rebuild_all):
    assert run("extract", "-w", ruby_ws).exit_code == 0
    po = ruby_ws / "locales/en/LC_MESSAGES/ruby.po"
    translate_all(po, lambda msgid: msgid)
    doc = read(ruby_ws / "seeds" / "ruby.html")
    ours = parse_page(write_html(doc, assemble(doc, load_catalog(po)), rebuild_all=rebuild_all))
    source = read(ruby_ws / "seeds" / "ruby.html").native.getroot()
    assert dom_signature(ours, rebuild_all) == dom_signature(source, rebuild_all)
    assert len(ruby_of(source)) == 7 and ruby_of(ours) == ruby_of(source)


def test_untranslated_text_keeps_its_ruby(ruby_ws):
    doc = read(ruby_ws / "seeds" / "ruby.html")
    ours = parse_page(write_html(doc, assemble(doc, Catalog())))
    source = read(ruby_ws / "seeds" / "ruby.html").native.getroot()
    assert ruby_of(ours) == ruby_of(source)
    assert all(r.xpath("ancestor::span[@class='untranslated']") for r in ours.iter("ruby"))


# --- Bad input ----------------------------------------------------------------------------


def refuses(ws: Path, name: str, data: bytes, message: str) -> None:
    (ws / "seeds").mkdir(parents=True, exist_ok=True)
    (ws / "seeds" / name).write_bytes(data)
    result = run("extract", "-w", ws, ws / "seeds" / name)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.output
    assert "Traceback" not in result.output
    assert not (ws / "locales" / f"{Path(name).stem}.pot").exists()
    assert not (ws / "locales" / "en" / "LC_MESSAGES" / f"{Path(name).stem}.po").exists()


def test_nesting_deeper_than_the_limit_is_refused(tmp_path):
    deep = b"<html><body>" + b"<div>" * 300 + "深".encode() + b"</div>" * 300 + b"</body></html>"
    refuses(tmp_path, "deep.html", deep, "nested deeper than")
    # Under the parser's own limit, ours still holds.
    deep = b"<html><body>" + b"<span>" * 220 + "深".encode() + b"</span>" * 220 + b"</body></html>"
    refuses(tmp_path, "deep2.html", deep, "nested deeper than 200 levels")


def test_a_zip_named_html_is_refused(tmp_path):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    refuses(tmp_path, "report.html", buf.getvalue(), "looks like a ZIP archive")


def test_text_named_html_is_refused(tmp_path):
    refuses(tmp_path, "notes.html", "这不是网页。\n".encode(), "looks like plain text, not HTML")


def test_undecodable_bytes_are_refused(tmp_path):
    data = b'<html><head><meta charset="utf-8"></head><body><p>' + b"\xff\xfe\xfa\x80" * 3 + b"</p></body></html>"
    refuses(tmp_path, "bad.html", data, "neither UTF-8 nor GB18030")


def test_mixed_encodings_are_refused(tmp_path):
    data = (
        b'<html><head><meta charset="gbk"></head><body>\n<p>'
        + "宁波发布行动纲要。".encode()
        + b"</p>\n<p>"
        + "宁波发布行动纲要。".encode("gbk")
        + b"</p>\n</body></html>"
    )
    refuses(tmp_path, "mixed.html", data, "mixed encodings")


def test_a_meta_charset_that_lies_loses_to_the_bytes(tmp_path):
    page = tmp_path / "lie.html"
    page.write_bytes(
        b'<html><head><meta charset="gbk"></head><body><p>' + "宁波很好。".encode() + b"</p></body></html>"
    )
    doc = read(page)
    assert doc.encoding == "utf-8" and all_msgids(doc) == ["宁波很好。"]
    page.write_bytes(
        b'<html><head><meta charset="iso-8859-1"></head><body><p>' + "宁波很好。".encode("gbk") + b"</p></body></html>"
    )
    doc = read(page)
    assert doc.encoding == "gb18030" and all_msgids(doc) == ["宁波很好。"]
    page.write_bytes(b"\xef\xbb\xbf<p>" + "宁波。".encode() + b"</p>")  # a BOM decides
    assert read(page).encoding == "utf-8"


def test_hostile_pages(tmp_path):
    # An entity bomb: the HTML parser expands no entities of an internal subset.
    bomb = (
        b'<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><html><body><p>&c;&c;&c;'
        + "宁波。".encode()
        + b"</p></body></html>"
    )
    page = tmp_path / "bomb.html"
    page.write_bytes(bomb)
    ids = all_msgids(read(page))
    assert all(len(m) < 100 for m in ids)
    # Script in attributes is never translated or run; a huge attribute is read.
    page.write_bytes(
        b'<html><body><p onclick="alert(\'\xe5\xae\x81\xe6\xb3\xa2\')" title="'
        + "长".encode() * 200_000
        + b'">'
        + "宁波。".encode()
        + b"</p></body></html>"
    )
    ids = all_msgids(read(page))
    assert "宁波。" in ids and not any("alert" in m for m in ids)
    assert any(len(m) == 200_000 for m in ids)
    # Attribute floods (libxml2 is quadratic in them) and values over the parser's limit.
    page.write_bytes(b"<p " + b" ".join(b'a%d="1"' % i for i in range(5000)) + b">" + "宁波。".encode() + b"</p>")
    with pytest.raises(PipelineError, match="an element with 5000 attributes"):
        load_document(page, "t.html")
    page.write_bytes(b'<p title="' + "长".encode() * 4_000_000 + b'">x</p>')
    with pytest.raises(PipelineError, match="larger than the HTML parser's limit"):
        load_document(page, "t.html")
    # A bidirectional control in text is refused with its place.
    page.write_bytes("<p>宁波\u202e很好。</p>".encode())
    with pytest.raises(PipelineError, match=r"t\.html:1: .*U\+202E"):
        load_document(page, "t.html")


def test_a_translation_cannot_inject_markup(tmp_path):
    page = tmp_path / "p.html"
    page.write_text('<html lang="zh-CN"><body><div lang="zh"><p>据<b>新华社</b>报道。</p></div></body></html>')
    doc = read(page)
    catalog = Catalog()
    catalog.add("据<1>新华社</1>报道。", '<1><script>alert("x")</script></1> says <img src=x onerror=y>.')
    out = parse_page(write_html(doc, assemble(doc, catalog)))
    assert out.xpath("//script") == [] and out.xpath("//img") == []
    assert out.xpath("//p/b")[0].text == '<script>alert("x")</script>'
    assert out.xpath("//div/@lang") == ["en"] and out.get("lang") == "en"


def test_a_docx_named_html_and_html_named_docx(tmp_path):
    fmt = get_format("html")
    assert "zip" not in fmt.kinds
    try:
        docx = get_format("docx")
    except Exception:  # the DOCX format is another module's; it may not be there yet
        pytest.skip("DOCX format not available")
    refuses(tmp_path, "page.docx", b"<!DOCTYPE html><html><body><p>\xe5\xae\x81</p></body></html>", "looks like HTML")
    assert "html" not in docx.kinds


def test_build_after_extract_reads_the_same_document(news_ws):
    """Extraction and build cut a page the same way: every segment found."""
    assert run("extract", "-w", news_ws).exit_code == 0
    catalog = load_catalog(news_ws / "locales/en/LC_MESSAGES/news.po")
    doc = get_format("html").read((news_ws / "seeds/news.html").read_bytes(), ReadContext("news", "news.html"))
    assert {m.id for m in catalog if m.id} == set(all_msgids(doc))
    for msgid in all_msgids(doc):
        assert tag_problems(msgid, msgid) == []


def test_a_second_build_of_an_unchanged_page_is_skipped(news_ws):
    assert run("extract", "-w", news_ws).exit_code == 0
    assert run("build", "-w", news_ws).exit_code == 0
    page = news_ws / "build" / "news.en.html"
    before = page.stat().st_mtime_ns
    assert run("build", "-w", news_ws).exit_code == 0
    assert page.stat().st_mtime_ns == before
    page.unlink()  # an output gone: rebuilt
    assert run("build", "-w", news_ws).exit_code == 0
    assert page.exists()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"PK\x03\x04rest", "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "ole"),
        (b"%PDF-1.7", "pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b"\xef\xbb\xbf\n  <!DOCTYPE html>", "html"),
        ("<p>宁波</p>".encode("utf-16"), "html"),  # UTF-16 is text, not binary
        (b"<!-- a comment --><p>x</p>", "html"),
        (b"<?xml version='1.0'?><html/>", "html"),
        ("宁波 <b>x</b>".encode(), "text"),
        ("# 标题\n".encode("gbk"), "text"),
        (b"<3 love", "text"),
        (b"  \n", "empty"),
    ],
)
def test_sniff(data, kind):
    assert sniff(data) == kind
