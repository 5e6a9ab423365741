"""Hostile HTML pages and hostile translations through the CLI (an attack
on pipeline/formats/html.py, pipeline/inline.py and the build): what
broke, kept broken no more."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner
from lxml import etree
from lxml import html as lxml_html

from pipeline.build import build
from pipeline.cache import StageCache
from pipeline.cli import main
from pipeline.formats import load_document
from pipeline.formats.html import decode_html
from pipeline.workspace import Workspace

PO = Path("locales/en/LC_MESSAGES")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def workspace(tmp_path: Path, name: str, data: bytes | str) -> Path:
    ws = tmp_path / "ws"
    (ws / "seeds").mkdir(parents=True, exist_ok=True)
    path = ws / "seeds" / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return ws


def msgids(path: Path) -> list[str]:
    doc = load_document(path, path.name, name=path.stem)
    return [seg.text for _, seg in doc.segments() if seg.translatable]


def one_line_refusal(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.output
    assert "Traceback" not in result.output


# --- found by the Markdown and DOCX work ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".docm", ".dotm", ".DOCM"])
def test_a_macro_enabled_word_document_is_refused_by_name(tmp_path, suffix):
    ws = workspace(tmp_path, f"memo{suffix}", b"PK\x03\x04whatever")
    result = run("extract", "-w", ws, ws / "seeds" / f"memo{suffix}")
    one_line_refusal(result, f"a macro-enabled Word document ({suffix.lower()}) is refused; save it as .docx")
    assert not (ws / PO / "memo.po").exists() and not (ws / "locales" / "memo.pot").exists()


def test_a_markdown_build_lists_its_english_markdown_once(tmp_path):
    ws = workspace(tmp_path, "r.md", "# 标题\n\n宁波**很好**。\n")
    assert run("extract", "-w", ws).exit_code == 0
    workspace_ = Workspace(ws)
    for skipped in (False, True):  # the first build, then the one the cache skips
        with StageCache(workspace_.cache_path) as cache:
            result = build(workspace_, "r", workspace_.root / "build", cache=cache)
        assert result.skipped is skipped
        names = [Path(p).name for p in result.paths]
        assert len(names) == len(set(names)) and "r.en.md" in names, names
    out = run("build", "-w", ws, "r").output
    assert out.count("build/r.en.md") == 1, out


# --- Encodings ------------------------------------------------------------------------------

GB_PAGE = "<html><head><meta charset='{}'></head><body><p>宁波很好，制造业转型升级。</p></body></html>"
BIG5_PAGE = "<html><head>{}</head><body><p>寧波很好，製造業轉型升級。</p></body></html>"


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        # GBK bytes that Big5 decodes too, under a Big5 declaration: mojibake before.
        (GB_PAGE.format("big5").encode("gbk"), "gb18030", "宁波很好，制造业转型升级。"),
        # Big5 bytes declared GB2312, or not declared: GB18030 decodes them too.
        (BIG5_PAGE.format("<meta charset='gb2312'>").encode("big5"), "big5hkscs", "寧波很好，製造業轉型升級。"),
        (BIG5_PAGE.format("").encode("big5"), "big5hkscs", "寧波很好，製造業轉型升級。"),
        # What was right stays right.
        (BIG5_PAGE.format("<meta charset='big5'>").encode("big5"), "big5hkscs", "寧波很好，製造業轉型升級。"),
        (GB_PAGE.format("gb2312").encode("gbk"), "gb18030", "宁波很好，制造业转型升级。"),
        (GB_PAGE.format("shift_jis").encode("gbk"), "gb18030", "宁波很好，制造业转型升级。"),
    ],
)
def test_a_charset_that_lies_between_gbk_and_big5_loses_to_the_text(data, encoding, text):
    decoded, found = decode_html(data, "p.html")
    assert found == encoding and text in decoded


# --- What is left alone, what is read -----------------------------------------------------


def test_translate_yes_inside_translate_no_is_translated(tmp_path):
    page = tmp_path / "t.html"
    page.write_text(
        '<html><body><div translate="no"><p>不译。<span translate="yes">要译。</span></p>'
        '<p class="x"><b translate="yes">也要译。</b></p></div><p>普通。</p></body></html>'
    )
    assert msgids(page) == ["要译。", "也要译。", "普通。"]


def test_raw_text_elements_are_left_alone(tmp_path):
    page = tmp_path / "x.html"
    page.write_text("<html><body><p>甲<xmp><b>原样</b></xmp>乙。</p><listing>清单</listing><plaintext>后面全部")
    ids = msgids(page)
    assert not any("原样" in m or "清单" in m or "后面" in m for m in ids), ids


def test_a_page_without_a_doctype_gets_none(tmp_path):
    ws = workspace(tmp_path, "p.html", "<html><body><p>宁波很好。</p></body></html>")
    (ws / "seeds" / "q.html").write_text("<!-- x -->\n<!doctype html><html><body><p>宁波很好。</p></body></html>")
    (ws / "seeds" / "x.html").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html><body><p>宁波很好。</p></body></html>'
    )
    assert run("extract", "-w", ws).exit_code == 0
    assert run("build", "-w", ws).exit_code == 0
    assert b"<!DOCTYPE" not in (ws / "build" / "p.en.html").read_bytes().upper()
    assert (ws / "build" / "q.en.html").read_bytes().upper().count(b"<!DOCTYPE HTML>") == 1
    assert b"XHTML 1.0 Strict" in (ws / "build" / "x.en.html").read_bytes()


# --- Hostile translations -------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>宁波新闻</title></head>
<body><h1>宁波<em>制造业</em>转型</h1>
<p>据<a href="https://xinhua.net">新华社</a>报道，宁波<b>今天</b>发布<img src="a.png" alt="图表">新规划。</p>
<p>他说：<i>“<b>我们</b>很高兴。”</i></p>
<p>第四段很<b>重要</b>。</p>
<p>第五段很<b>好</b>。</p>
<p>第六段有<span>跨度</span>。</p>
</body></html>
"""

HOSTILE = {
    "宁波新闻": "Ningbo news<script>alert(1)</script>",
    "宁波<1>制造业</1>转型": "Ningbo </1><1>manufacturing transformation",
    "据<1>新华社</1>报道，宁波<2>今天</2>发布<3/>新规划。": (
        "According to <1>Xinhua</1>, Ningbo <2>today</2> released <99/> a plan."
    ),
    "图表": 'Chart" onerror="alert(1)',
    "他说：<1>“<2>我们</2>很高兴。”</1>": "He said: <1><1>“We</1></1> are happy.”",
    "第四段很<1>重要</1>。": "Paragraph four is \u202eimportant<1></1>.",
    "第五段很<1>好</1>。": "Paragraph five is <1>good</1>.",
    "第六段有<1>跨度</1>。": "Paragraph <b onclick=x>six</b> has a <1>span</1> &lt;i&gt;.",
}


def _with_hostile_translations(tmp_path):
    """The page extracted, its catalog holding HOSTILE's translations (written with polib)."""
    ws = workspace(tmp_path, "p.html", PAGE)
    assert run("extract", "-w", ws).exit_code == 0
    po_path = ws / PO / "p.po"
    po = polib.pofile(str(po_path))
    for entry in po:
        entry.msgstr = HOSTILE[entry.msgid]
    po.save()
    return ws, po_path


def test_hostile_translations_fall_back_marked_and_inject_nothing(tmp_path, msgfmt_check):
    ws, po_path = _with_hostile_translations(tmp_path)
    msgfmt_check(po_path)  # gettext takes it: tags are text to gettext

    checked = run("check", "-w", ws, "--strict", "--json")
    assert checked.exit_code == 1
    findings, _ = json.JSONDecoder().raw_decode(checked.output)  # then the summary line (stderr)
    found = {(f["code"], f["message"]) for f in findings}
    codes = [c for c, _ in found]
    assert codes.count("placeholders") >= 5, found
    refused = "line 1, column 19: bidirectional control U+202E (the build shows the source)"
    assert ("refused-character", refused) in found

    assert run("build", "-w", ws).exit_code == 0
    out = ws / "build"
    page = etree.fromstring((out / "p.en.html").read_bytes(), lxml_html.HTMLParser(encoding="utf-8"))
    assert page.xpath("//script") == [] and page.xpath("//@onclick") == [] and page.xpath("//@onerror") == []
    assert page.findtext(".//title") == "Ningbo news<script>alert(1)</script>"  # text, not markup
    assert page.xpath("//img/@alt") == ['Chart" onerror="alert(1)']
    marked = ["".join(s.itertext()) for s in page.xpath("//span[@class='untranslated']")]
    # Bad tags and the bidi override: the source, marked; the good ones translated.
    assert marked == ["宁波制造业转型", "据新华社报道，宁波今天发布新规划。", "他说：“我们很高兴。”", "第四段很重要。"]
    assert page.xpath("//p/b[.='good']") and page.xpath("//p/span[.='span']")
    for name in ("p.en.html", "p.en.txt", "p.bilingual.html", "p.en.md", "p.bilingual.md", "p.tmx"):
        text = (out / name).read_text(encoding="utf-8")
        assert "\u202e" not in text, name
        assert "</1><1>" not in text and "<99/>" not in text and "&lt;99/&gt;" not in text, name
    assert "Paragraph five is good." in (out / "p.en.txt").read_text(encoding="utf-8")
    status = run("build", "-w", ws).output
    assert "(4/8 segments translated" in status, status  # usable: the title, the alt, paragraphs five and six


def test_a_source_gaining_or_losing_a_bold_word_keeps_the_work_as_fuzzy(tmp_path, msgfmt_check):
    ws, po_path = _with_hostile_translations(tmp_path)
    html = (ws / "seeds" / "p.html").read_text()
    html = html.replace("第五段很<b>好</b>。", "第五段很好。").replace("第六段有<span>", "第六段<i>有</i><span>")
    (ws / "seeds" / "p.html").write_text(html)
    assert run("extract", "-w", ws).exit_code == 0
    po = polib.pofile(str(po_path))
    lost = po.find("第五段很好。")
    gained = po.find("第六段<1>有</1><2>跨度</2>。")
    assert lost.fuzzy and lost.previous_msgid == "第五段很<1>好</1>。" and lost.msgstr == HOSTILE["第五段很<1>好</1>。"]
    assert gained.fuzzy and gained.previous_msgid == "第六段有<1>跨度</1>。"
    msgfmt_check(po_path)
    if shutil.which("msgfmt"):
        assert subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po_path)]).returncode == 0


# --- Crowded sentences ----------------------------------------------------------------------


def test_a_sentence_with_more_codes_than_tags_can_number_is_cut_not_corrupted(tmp_path):
    ws = workspace(tmp_path, "c.html", "<p>" + "".join(f"<b>词{i}</b>" for i in range(1200)) + "。</p>")
    assert run("extract", "-w", ws).exit_code == 0
    po_path = ws / PO / "c.po"
    po = polib.pofile(str(po_path))
    assert len(po) > 1 and all("<1000>" not in e.msgid and "<251>" not in e.msgid for e in po)
    for entry in po:
        entry.msgstr = entry.msgid.replace("词", "w")
    po.save()
    assert run("build", "-w", ws).exit_code == 0
    page = etree.fromstring((ws / "build" / "c.en.html").read_bytes(), lxml_html.HTMLParser(encoding="utf-8"))
    assert [b.text for b in page.xpath("//p/b")] == [f"w{i}" for i in range(1200)]
    assert page.xpath("//span[@class='untranslated']") == []


def test_a_thousand_codes_at_one_place_are_refused_in_one_line(tmp_path):
    ws = workspace(tmp_path, "d.html", "<p>甲" + "<br>" * 1200 + "乙。</p>")
    one_line_refusal(run("extract", "-w", ws, ws / "seeds" / "d.html"), "d.html:1: more than 999 inline codes")
    assert not (ws / PO / "d.po").exists()


# --- A writer that refuses ----------------------------------------------------------------


def test_a_writer_that_refuses_leaves_build_as_it_was(tmp_path, monkeypatch):
    from pipeline.errors import SourceError
    from pipeline.formats import get_format

    def refuse(document, edition):
        raise SourceError("seeds/p.html: the writer refuses")

    ws = workspace(tmp_path, "p.html", "<p>宁波很好。</p>")
    assert run("extract", "-w", ws).exit_code == 0
    monkeypatch.setitem(get_format("html").outputs, ".en.html", refuse)
    one_line_refusal(run("build", "-w", ws), "the writer refuses")
    assert not (ws / "build").exists() or list((ws / "build").iterdir()) == []


def test_a_noncharacter_is_refused_in_a_source_and_shown_as_source_in_a_translation(tmp_path):
    # lxml cannot set U+FFFE as text: the build crashed with a traceback.
    ws = workspace(tmp_path, "f.html", "<p>宁波&#xFFFE;很好。</p>")
    one_line_refusal(run("extract", "-w", ws, ws / "seeds" / "f.html"), "f.html:1: noncharacter U+FFFE in text")
    (ws / "seeds" / "f.html").write_text("<p>宁波很好。</p><p>第二段。</p>")
    assert run("extract", "-w", ws).exit_code == 0
    po_path = ws / PO / "f.po"
    po = polib.pofile(str(po_path))
    po.find("宁波很好。").msgstr = "Ningbo\ufffe is fine."
    po.find("第二段。").msgstr = "Paragraph two."
    po.save()
    result = run("build", "-w", ws)
    assert result.exit_code == 0, result.output
    page = (ws / "build" / "f.en.html").read_text(encoding="utf-8")
    assert '<span class="untranslated" lang="zh-Hans">宁波很好。</span>' in page and "Paragraph two." in page
    assert "\ufffe" not in page


def test_text_after_the_html_end_tag_is_read_and_written(tmp_path):
    # libxml2 drops everything after </html>; a browser reads on (a CMS's appended footer).
    page = (
        "<html><body><p>宁波很好。</p><script>var s = '</html>';</script></body></html>\r\n"
        "<!-- appended --><p>版权所有。</p></HTML >\n<p>联系我们。</p>"
    )
    ws = workspace(tmp_path, "p.html", page)
    assert msgids(ws / "seeds" / "p.html") == ["宁波很好。", "版权所有。", "联系我们。"]
    assert run("extract", "-w", ws).exit_code == 0
    po_path = ws / PO / "p.po"
    po = polib.pofile(str(po_path))
    assert [e.occurrences[0][1] for e in po] == ["1", "2", "3"]  # line numbers kept
    for entry in po:
        entry.msgstr = {
            "宁波很好。": "Ningbo is fine.",
            "版权所有。": "All rights reserved.",
            "联系我们。": "Contact us.",
        }[entry.msgid]
    po.save()
    assert run("build", "-w", ws).exit_code == 0
    out = etree.fromstring((ws / "build" / "p.en.html").read_bytes(), lxml_html.HTMLParser(encoding="utf-8"))
    assert [p.text for p in out.iter("p")] == ["Ningbo is fine.", "All rights reserved.", "Contact us."]
    assert out.findtext(".//script") == "var s = '</html>';"
