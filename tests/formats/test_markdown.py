"""Markdown: blocks and codes, the source written back byte for byte where
nothing is translated, translations that markdown-it parses to the same
structure, the pandoc-made seed, front matter from the workspace
configuration, and hostile inputs."""

from __future__ import annotations

import random
import re
import subprocess

import pytest

from pipeline.config import load_config
from pipeline.editions.model import Shown
from pipeline.errors import SourceError
from pipeline.formats import get_format, read_document
from pipeline.formats import markdown as M
from pipeline.segment import BlockType

from .docx_support import ctx, edition_of, needs_pandoc

SAMPLE = """\
---
title: 宁波底气从何而来
description: "新型工业化的宁波样本"
tags: [工业, 宁波]
---

# 新型工业化，宁波底气从何而来

记者 成良田

据**新华社**报道，宁波市加快推进*新型*工业化。详见[行动纲要](https://example.org/plan "纲要")。

> 工业是宁波发展的底座，
> 是宁波的根基所在。  
> 命令 `pipeline run` 不翻译。

- 三个全覆盖
- 三个新突破，见 ![产业地图](map.png)

| 指标 | 目标 |
| --- | --- |
| 产业规模 | 突破三万亿元 \\| 预计 |

```
代码块：不翻译
```

<div>HTML 块：不翻译</div>

访问 <https://example.org> 了解更多。
"""


def read(text: str, where: str = "seeds/doc.md", config=None):
    return read_document(get_format("markdown"), text.encode("utf-8"), ctx(where, config))


def msgids(document) -> list[str]:
    return [seg.text for _, seg in document.segments()]


def write(document, translate=lambda s: s, shown=Shown.REVIEWED) -> str:
    return M.write_english(document, edition_of(document, translate, shown)).decode("utf-8")


def skeleton(text: str) -> list[tuple]:
    """markdown-it's token structure: block tokens, and inline tokens but
    their text (which a translation changes) and soft breaks (where a
    translated paragraph is one line)."""
    out = []
    for token in M.parser().parse(text):
        out.append((token.type, token.tag, token.info if token.type == "fence" else ""))
        if token.type in ("fence", "code_block", "html_block"):
            out.append(token.content)
        for child in token.children or []:
            if child.type in ("text", "softbreak"):
                continue
            keep = child.content if child.type in ("code_inline", "html_inline") else ""
            out.append((child.type, child.markup, keep, tuple(sorted((child.attrs or {}).items()))))
    return out


def test_blocks_codes_and_what_is_left_alone():
    document = read(SAMPLE)
    assert msgids(document) == [
        "宁波底气从何而来",
        "新型工业化的宁波样本",
        "新型工业化，宁波底气从何而来",
        "记者 成良田",
        "据<1>新华社</1>报道，宁波市加快推进<2>新型</2>工业化。",
        "详见<1>行动纲要</1>。",
        "工业是宁波发展的底座，是宁波的根基所在。",  # a soft break between Chinese is no space
        "命令 <1/> 不翻译。",
        "三个全覆盖",
        "三个新突破，见",
        "产业地图",  # image alt text, a block of its own
        "指标",
        "目标",
        "产业规模",
        "突破三万亿元 | 预计",
        "访问 <1/> 了解更多。",
    ]
    types = {b.text: b.type for b in document.blocks}
    assert types["宁波底气从何而来"] is BlockType.TITLE
    assert types["新型工业化，宁波底气从何而来"] is BlockType.TITLE
    assert types["记者 成良田"] is BlockType.BYLINE
    assert types["产业地图"] is BlockType.CAPTION
    assert "代码块" not in "".join(msgids(document)) and "HTML 块" not in "".join(msgids(document))


def test_identity_gives_back_the_source_byte_for_byte():
    document = read(SAMPLE)
    assert write(document) == SAMPLE
    crlf = SAMPLE.replace("\n", "\r\n")
    assert M.write_english(read(crlf), edition_of(read(crlf))) == crlf.encode("utf-8")


def test_a_translation_keeps_the_structure_and_everything_untranslatable():
    # (A translator may reorder tags; then the order of the codes changes,
    # which test_reordered_tags_move_their_markup checks.)
    document = read(SAMPLE)
    english = {
        "据<1>新华社</1>报道，宁波市加快推进<2>新型</2>工业化。": (
            "<1>Xinhua</1> says Ningbo speeds up <2>new</2> industry."
        ),
        "详见<1>行动纲要</1>。": "See the <1>action plan</1>.",
        "命令 <1/> 不翻译。": "The command <1/> is not translated.",
        "产业地图": "Industry map [2025]",
        "突破三万亿元 | 预计": "Over 3 trillion yuan | expected",
        "宁波底气从何而来": 'Ningbo\'s "confidence"',
    }
    out = write(document, lambda s: english.get(s, s.replace("宁波", "Ningbo")))
    assert skeleton(out) == skeleton(SAMPLE)
    assert "**Xinhua** says Ningbo speeds up *new* industry." in out
    assert 'See the [action plan](https://example.org/plan "纲要").' in out
    assert "`pipeline run`" in out and "代码块：不翻译" in out and "<div>HTML 块：不翻译</div>" in out
    assert "![Industry map \\[2025\\]](map.png)" in out
    assert "Over 3 trillion yuan \\| expected" in out
    assert 'title: "Ningbo\'s \\"confidence\\""' in out and "tags: [工业, 宁波]" in out
    # read back, the English text is what the catalog said
    again = msgids(read(out))
    assert any(m.startswith("<1>Xinhua</1> says Ningbo speeds up <2>new</2> industry.") for m in again)
    assert "Industry map [2025]" in again and "Over 3 trillion yuan | expected" in again


def test_reordered_tags_move_their_markup():
    document = read("据**新华社**报道，宁波*加快*推进。\n")
    out = write(document, lambda s: "Ningbo is <2>speeding up</2>, <1>Xinhua</1> reported.")
    assert out == "Ningbo is *speeding up*, **Xinhua** reported.\n"


@pytest.mark.parametrize(
    "english",
    [
        "1. First",
        "     indented",
        "- not a list",
        "# not a heading",
        "a *b* _c_ `d` <e> [f](g) &amp; \\ | h",
        "+ x",
        "=== y",
        "10) z",
    ],
)
def test_translated_text_is_escaped_to_stay_text(english):
    document = read("宁波。\n\n> 工业。\n")
    out = write(document, lambda s: english)
    assert skeleton(out) == skeleton("宁波。\n\n> 工业。\n")
    assert msgids(read(out)) == [english.strip()] * 2


def test_untranslated_segments_are_marked_as_in_the_english_edition():
    out = write(read("# 宁波\n\n据**新华社**报道。\n"), shown=Shown.UNTRANSLATED)
    assert out == (
        '# <span class="untranslated" lang="zh-Hans">宁波</span>\n\n'
        '<span class="untranslated" lang="zh-Hans">据**新华社**报道。</span>\n'
    )


def test_front_matter_keys_come_from_the_workspace_configuration(tmp_path):
    (tmp_path / "pipeline.toml").write_text('[formats.markdown]\nfront_matter = ["summary"]\n', encoding="utf-8")
    text = "---\ntitle: 标题\nsummary: |\n  第一行\n  第二行\n---\n\n正文。\n"
    document = read(text, config=load_config(tmp_path))
    assert msgids(document) == ["第一行\n第二行", "正文。"]
    out = write(document, lambda s: {"正文。": "Body."}.get(s, "Line one, line two"))
    assert out == '---\ntitle: 标题\nsummary: "Line one, line two"\n---\n\nBody.\n'
    yaml = pytest.importorskip("yaml")
    assert yaml.safe_load(out.split("---\n")[1]) == {"title": "标题", "summary": "Line one, line two"}


def test_a_pandoc_markdown_of_the_seed_round_trips(tmp_path, seed_path):
    needs_pandoc()
    made = tmp_path / "seed.md"
    for target in ("commonmark", "gfm"):
        subprocess.run(["pandoc", "-f", "markdown", "-t", target, str(seed_path), "-o", str(made)], check=True)
        text = made.read_text(encoding="utf-8")
        document = read(text)
        assert len(msgids(document)) > 50
        assert write(document) == text
        out = write(document, lambda s: "Sentence <b>*" + s[:1] + "*</b>.")
        assert skeleton(out) == skeleton(text)


def test_pandoc_reads_our_markdown_as_it_reads_the_source(tmp_path):
    needs_pandoc()
    document = read(SAMPLE)
    out = write(document, lambda s: "".join(ch for ch in s))  # every block rewritten
    (tmp_path / "a.md").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "b.md").write_text(out, encoding="utf-8")

    def native(name):
        args = ["pandoc", "-f", "commonmark_x", "-t", "native", str(tmp_path / name)]
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout

    assert native("a.md") == native("b.md")


# --- hostile input -------------------------------------------------------------------------

_ATOMS = [
    "中文",
    "宁波",
    "word",
    " ",
    "*",
    "**",
    "_",
    "__",
    "`",
    "``",
    "[",
    "]",
    "(",
    ")",
    "](http://x.org)",
    "](<a b> 't')",
    "![",
    "<b>",
    "</b>",
    "<http://a.b>",
    "&amp;",
    "&#20013;",
    "&bogus;",
    "\\*",
    "\\",
    "\n",
    "\n> ",
    "\n- ",
    "  \n",
    "|",
    "\\|",
    "#",
    "1. ",
    "\t",
    "<!-- c -->",
    "!",
    "\n\n",
    "\n    code",
    "[ref]",
    "\n[ref]: http://r.org\n",
    "<1>",
    "</2>",
]


def test_random_markdown_is_read_or_refused_with_one_line_and_written_back():
    rng = random.Random(20261204)
    refused = 0
    for _ in range(800):
        text = "".join(rng.choice(_ATOMS) for _ in range(rng.randint(1, 25)))
        if rng.random() < 0.2:
            text = "| a | b |\n|---|---|\n| " + text.replace("\n", " ") + " | c |\n"
        try:
            document = read(text)
        except SourceError as exc:
            assert "\n" not in str(exc)
            refused += 1
            continue
        assert write(document) == text
        rewritten = write(document, lambda s: s + "")
        assert msgids(read(rewritten)) == msgids(document) or skeleton(rewritten) != skeleton(text)
    assert refused < 15  # a refusal is a mapping we could not prove, never a guess


def test_deep_nesting_and_long_lines_stay_linear():
    deep = "> " * 200 + "宁波。\n"
    with pytest.raises(SourceError, match=r"^seeds/doc.md:1: block quotes and lists nested deeper than 100 levels"):
        read(deep)  # markdown-it would skip the text without a word
    assert msgids(read("> " * 90 + "宁波。\n")) == ["宁波。"]
    many = "**宁波**" * 20000 + "\n"
    document = read(many)
    assert write(document) == many
    stars = "*" * 50000 + "宁波\n"
    assert write(read(stars)) == stars


def test_a_line_break_in_a_translation_does_not_end_a_heading_or_a_table_row():
    text = "# 宁波\n\n| 甲 | 乙 |\n| --- | --- |\n| 丙 | 丁 |\n"
    out = write(read(text), lambda s: "one\ntwo")
    assert skeleton(out) == skeleton(text)
    assert out.startswith("# one two\n")


def test_a_gbk_file_with_crlf_is_read_and_written_back_in_gb18030_with_crlf():
    # The same format out: a GB18030 source's tools expect GB18030 back.
    text = "# 宁波\r\n\r\n据**新华社**报道。\r\n"
    document = read_document(get_format("markdown"), text.encode("gb18030"), ctx("seeds/gbk.md"))
    assert document.encoding == "gb18030"
    assert msgids(document) == ["宁波", "据<1>新华社</1>报道。"]
    assert M.write_english(document, edition_of(document)) == text.encode("gb18030")
    out = M.write_english(document, edition_of(document, lambda s: s.replace("宁波", "Ningbo")))
    assert out == "# Ningbo\r\n\r\n据**新华社**报道。\r\n".encode("gb18030")


@pytest.mark.parametrize(
    "text, codec",
    [
        ("\ufeff# 宁波\n\n据**新华社**报道。\n", "utf-8"),  # a byte order mark
        ("\ufeff# 宁波\r\n据**新华社**报道。\r\n", "utf-16-be"),
        ("\ufeff# 宁波\r\n据**新华社**报道。\r\n", "utf-16-le"),
        ("# 宁波\r\n\n> 据**新华社\r\n> 报道**。\n\r\n[链接]\r\n\r\n[链接]: http://x.cn\r", "utf-8"),  # mixed
        ("# 宁波\r\r据**新华社**报道。\r", "utf-8"),  # classic Mac line ends
    ],
)
def test_the_byte_order_mark_encoding_and_every_line_end_are_written_back(text, codec):
    document = read_document(get_format("markdown"), text.encode(codec), ctx("seeds/doc.md"))
    assert M.write_english(document, edition_of(document)) == text.encode(codec)
    out = M.write_english(document, edition_of(document, lambda s: s.replace("宁波", "Ningbo")))
    assert out == text.replace("宁波", "Ningbo").encode(codec)


def test_spaces_just_inside_a_pair_move_outside_it():
    document = read("据**新华社**报道。\n")
    out = write(document, lambda s: "Reported by<1> Xinhua </1>today.")
    assert out == "Reported by **Xinhua** today.\n"
    assert skeleton(out) == skeleton("据**新华社**报道。\n")


# --- found by attacking the reader and writer ----------------------------------------


def test_a_translated_shortcut_or_collapsed_reference_still_finds_its_definition():
    # ``[新华社]`` finds its definition by its text: translated, it names the label.
    text = (
        "据[新华社]报道，[宁波][]加快推进。\n\n"
        "> 见![产业地图]和![产业地图][]。\n\n"
        "[新华社]: http://xinhua.cn\n[宁波]: http://ningbo.cn\n[产业地图]: map.png\n"
    )
    document = read(text)
    english = {
        "据<1>新华社</1>报道，<2>宁波</2>加快推进。": "<1>Xinhua</1> says <2>Ningbo</2> speeds up.",
        "见<1/>和<2/>。": "See <1/> and <2/>.",
        "产业地图": "Industry map",
    }
    out = write(document, lambda s: english[s])
    assert "[Xinhua][新华社] says [Ningbo][宁波] speeds up." in out
    assert "> See ![Industry map][产业地图] and ![Industry map][产业地图]." in out
    assert skeleton(out) == skeleton(text)  # the same links and images, to the same places
    assert write(document) == text


def test_a_paragraph_indented_with_ideographic_spaces_is_read():
    # Chinese paragraphs often open with two U+3000; markdown-it strips them
    # as white space (str.strip), and so must the mapping to the source.
    text = "\u3000\u3000首行缩进的段落。\n\n# \u3000标题\n\n| 甲 | 乙 |\n| - | - |\n|\u3000丙 | 丁 |\n"
    document = read(text)
    assert msgids(document) == ["首行缩进的段落。", "标题", "甲", "乙", "丙", "丁"]
    assert write(document) == text
    assert write(document, lambda s: "Text.").startswith("\u3000\u3000Text.\n\n# \u3000Text.\n")


def test_front_matter_comments_and_values_over_lines_stay_valid_yaml():
    front = (
        "---\n"
        'title: "宁波底气" # 标题\n'
        "description: 新型工业化的\n  宁波样本\n"
        'summary: "引号里的\n  两行"\n'
        "---\n\n正文。\n"
    )
    config = {"formats.markdown.front_matter": ["title", "description", "summary"]}

    class Config(dict):
        pass

    document = read(front, config=Config(config))
    assert msgids(document) == ["宁波底气", "新型工业化的宁波样本", "正文。"]  # a quoted value over lines: left alone
    assert write(document) == front
    out = write(document, lambda s: {"正文。": "Body."}.get(s, "A: b # c"))
    assert out.startswith('---\ntitle: "A: b # c" # 标题\ndescription: "A: b # c"\nsummary: "引号里的\n  两行"\n---\n')
    yaml = pytest.importorskip("yaml")
    assert yaml.safe_load(out.split("---\n")[1]) == {
        "title": "A: b # c",
        "description": "A: b # c",
        "summary": "引号里的 两行",
    }


def test_a_pipe_in_a_translated_setext_heading_does_not_make_it_a_table():
    # One line holding "\|" over "---" is a table of one column (GFM); the
    # source's two lines were not.
    text = "宁波|甲\n乙\n---\n\n正文。\n"
    document = read(text)
    out = write(document, lambda s: "Ningbo | A B" if s == "宁波|甲乙" else "Body.")
    assert out == "Ningbo &#124; A B\n---\n\nBody.\n"
    assert skeleton(out) == skeleton(text)
    assert msgids(read(out)) == ["Ningbo | A B", "Body."]


def test_ten_nested_lists_keep_their_text():
    # markdown-it's preset stops at 20 token levels (a list level is two)
    # and drops what is deeper without a word.
    outline = "".join("  " * k + f"- 第{k}层。\n" for k in range(15))
    assert msgids(read(outline)) == [f"第{k}层。" for k in range(15)]
    assert write(read(outline)) == outline
    assert msgids(read("- " * 12 + "宁波。\n")) == ["宁波。"]


def test_a_front_matter_key_may_be_chinese():
    document = read(
        "---\n标题: 宁波底气\nauthor: 成良田\n---\n正文。\n", config={"formats.markdown.front_matter": ["标题"]}
    )
    assert msgids(document) == ["宁波底气", "正文。"]
    assert write(document, lambda s: "Ningbo" if s == "宁波底气" else "Body.").startswith('---\n标题: "Ningbo"\n')


# --- emphasis next to what a translation puts around it ------------------------------------

# (source, translation, the emphasised text, the sentence as a reader sees it). Each source
# parses as emphasis; its translation puts other characters next to the delimiters (CommonMark's
# flanking rules: ``**`` after punctuation and before a letter does not close).
EMPHASIS = [
    (
        "**崔平**说。\n",
        "<1>Cui Ping (researcher)</1>said so.",
        "Cui Ping (researcher)",
        "Cui Ping (researcher) said so.",
    ),
    ("**崔平**说。\n", "<1>“Made in Ningbo”</1>products", "“Made in Ningbo”", "“Made in Ningbo” products"),
    ("**崔平**说。\n", "<1>10%</1>of it", "10%", "10% of it"),
    ("据**新华社**报道。\n", 'She said<1>"good"</1>.', '"good"', 'She said "good".'),
    ("据**新华社**报道。\n", "It cost<1>¥5</1>.", "¥5", "It cost ¥5."),
    ("据*新华社*报道。\n", "Reported by<1>(Xinhua)</1>today.", "(Xinhua)", "Reported by (Xinhua) today."),
    ("_崔平_，研究员。\n", "the<1>Xinhua</1>report", "Xinhua", "theXinhuareport"),  # _ cannot flank in a word
    ("**崔平**说。\n", "<1>崔平（研究员）</1>说。", "崔平（研究员）", "崔平（研究员）说。"),  # CJK: no space to add
    ("**崔平**说。\n", "a<1>-b-</1>c", "-b-", "a-b-c"),  # no delimiter flanks: HTML
    ("**崔平**说。\n", "<1>(Cui Ping)</1>", "(Cui Ping)", "(Cui Ping)"),  # the whole block
    ("据**新华社**报道。\n", "<1>Xinhua.</1>", "Xinhua.", "Xinhua."),
    ("据***新华社***报道。\n", "x<1><2>(Xinhua)</2></1>y", "(Xinhua)", "x (Xinhua) y"),
    ("> 据**新华社**报道。\n", "Per<1>“Xinhua”</1>, yes.", "“Xinhua”", "Per “Xinhua”, yes."),
    ("| 甲 |\n| --- |\n| 据**新华社**报道 |\n", "Per<1>(Xinhua)</1>", "(Xinhua)", "Per (Xinhua)"),
]


def _shown(html: str) -> str:
    """What a reader sees of rendered HTML: its text, entities decoded."""
    import html as html_module
    import re

    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", "", html)).split())


@pytest.mark.parametrize("source, english, emphasised, sentence", EMPHASIS)
def test_emphasis_next_to_punctuation_still_parses_as_emphasis(source, english, emphasised, sentence, tmp_path):
    needs_pandoc()
    document = read(source)
    assert [t for t in msgids(document) if "<1>" in t]  # the source's emphasis is read
    out = write(document, lambda s: english if "<1>" in s else s)
    renderings = {"markdown-it-py": M.parser().render(out)}
    done = subprocess.run(["pandoc", "-f", "commonmark", "-t", "html"], input=out, capture_output=True, text=True)
    renderings["pandoc"] = done.stdout
    for reader, html in renderings.items():
        tags = "em" if source.count("*") == 2 or "_" in source else "strong"
        assert re.search(rf"<{tags}>{re.escape(emphasised)}</{tags}>", html.replace("&quot;", '"')), (reader, out, html)
        assert sentence in _shown(html), (reader, out)
        assert "*" not in _shown(html) and "_" not in _shown(html), (reader, out)


def test_emphasis_whose_context_is_unchanged_is_written_as_the_source_wrote_it():
    document = read("__新华社__：*宁波*很忙。\n")
    assert msgids(document) == ["<1>新华社</1>：<2>宁波</2>很忙。"]
    out = write(document, lambda s: "<1>Xinhua</1>: <2>Ningbo</2> is busy.")
    assert out == "__Xinhua__: *Ningbo* is busy.\n"


@pytest.mark.parametrize(
    "source, english",
    [
        ("据***新华社**报道*。\n", "x<1>a<2></2>b</1>y"),
        ("据***新华社**报道*。\n", "<1><—<2></2>-“[</1>(("),
        ("据*新华社*和**人民网**报道。\n", "<1>a</1><2></2>"),
    ],
)
def test_emphasis_that_parses_as_other_emphasis_is_written_as_html(source, english):
    """``*a****b*`` reads as two ``em``, as many pairs as the translation has,
    where the ``**`` of an empty ``strong`` is no emphasis at all."""
    out = write(read(source), lambda s: english if "<1>" in s else s)
    html = M.parser().render(out)
    assert "*" not in _shown(html), (out, html)
    assert html.count("<strong>") == html.count("<em>") == 1, (out, html)
