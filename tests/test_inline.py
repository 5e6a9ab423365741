"""Inline codes as numbered tags in msgids (pipeline.inline) and the
``placeholders`` check."""

from __future__ import annotations

import pytest

from pipeline.checks import CHECKS_BY_CODE, CheckContext, Severity, check_entry
from pipeline.editions.model import EditionBlock, EditionSegment, Shown
from pipeline.inline import (
    Begin,
    Close,
    End,
    InlineBuilder,
    Open,
    Single,
    Text,
    is_well_formed,
    make_block,
    plain_text,
    rebuild,
    strip_tags,
    tag_problems,
)
from pipeline.segment import BlockType


def block_of(*items):
    """A block from items: text, ("b", text...) nested pairs, ("img",) standalone, ("lit", "<1>")."""
    builder = InlineBuilder()

    def add(item):
        if isinstance(item, str):
            builder.text(item)
        elif item[0] == "img":
            builder.standalone(item[0])
        elif item[0] == "lit":
            builder.literal_text(item[1])
        else:
            k = builder.open(item[0])
            for inner in item[1:]:
                add(inner)
            builder.close(k)

    for item in items:
        add(item)
    return make_block(builder, BlockType.BODY, 1)


def msgids(block):
    return [seg.text for seg in block.segments]


def test_tags_are_numbered_per_segment_from_one():
    block = block_of("据", ("a", "新华社"), "报道，今天天气很好。", ("b", "明天"), "下雨。")
    assert msgids(block) == ["据<1>新华社</1>报道，今天天气很好。", "<1>明天</1>下雨。"]
    # The second sentence's own number does not depend on the first's tags.
    alone = block_of(("b", "明天"), "下雨。")
    assert msgids(alone) == ["<1>明天</1>下雨。"]


def test_a_pair_crossing_a_sentence_boundary_is_closed_and_reopened():
    block = block_of("第一句", ("i", "还没完。第二"), "句。")
    assert msgids(block) == ["第一句<1>还没完。</1>", "<1>第二</1>句。"]
    assert block.segments[0].codes == block.segments[1].codes == (0,)


def test_a_pair_around_whole_sentences_stays_outside_the_msgids():
    block = block_of(("b", "第一句。第二句。"))
    assert msgids(block) == ["第一句。", "第二句。"]
    nested = block_of(("b", "甲说", ("i", "乙"), "。"))
    assert msgids(nested) == ["甲说<1>乙</1>。"]


def test_standalone_codes_between_sentences_stay_between_them():
    block = block_of("第一句。", ("img",), "第二句", ("img",), "话。")
    assert msgids(block) == ["第一句。", "第二句<1/>话。"]


def test_text_that_looks_like_a_tag_becomes_a_literal_code():
    block = block_of("输入", ("lit", "<1>"), "即可。")
    assert msgids(block) == ["输入<1/>即可。"]
    seg = block.segments[0]
    assert plain_text(block, seg.codes, seg.text) == "输入<1>即可。"
    assert plain_text(block, seg.codes, "Type <1/> to go.") == "Type <1> to go."


def test_tag_problems_each_kind():
    msgid = "据<1>新华社</1>报道，<2/>今天。"
    assert tag_problems(msgid, "According to <1>Xinhua</1>, <2/>today.") == []
    assert tag_problems(msgid, "<2/>Today, <1>Xinhua</1> reported.") == []  # reordered: fine
    assert tag_problems(msgid, "According to Xinhua</1>, <2/>today.") == ["missing tag <1>"]
    assert tag_problems(msgid, "According to <1>Xinhua</1>, <2/><3/>today.") == ["extra tag <3/> (not in the source)"]
    assert tag_problems(msgid, "<1>Xinhua</1> <2/>today <2/>.") == ["duplicated tag <2/> ×2"]
    assert tag_problems(msgid, "</1>Xinhua<1> <2/>today.") == ["badly nested tags: </1> comes before <1>"]
    crossing = "<1>甲<2>乙</2></1>"
    assert tag_problems(crossing, "<1>A<2>B</1></2>") == ["badly nested tags: </1> closes across <2>"]
    assert tag_problems("没有标签。", "No tags.") == []
    assert tag_problems("没有标签。", "No <1/>tags.") == ["extra tag <1/> (not in the source)"]
    # A msgid whose tag-like text is no valid structure (plain text) has no codes.
    assert tag_problems("a</1>b", "x") == []


def test_well_formed_and_strip():
    assert is_well_formed("<1>a<2/>b</1><3>c</3>")
    assert not is_well_formed("<1>a</1><1>b</1>")
    assert not is_well_formed("<1/>a<1/>")
    assert strip_tags("据<1>新华社</1>报道<2/>。") == "据新华社报道。"


@pytest.mark.parametrize(
    ("translation", "fires"),
    [
        ("According to <1>Xinhua</1>, 3 things.", False),
        ("According to Xinhua, 3 things.", True),  # missing
        ("According to <1>Xinhua</1>, <2/>3 things.", True),  # extra
        ("According to <1>Xinhua</1> <1>Xinhua</1>, 3 things.", True),  # duplicated
        ("According to </1>Xinhua<1>, 3 things.", True),  # badly nested
    ],
)
def test_the_placeholders_check_is_an_error_and_the_others_do_not_see_tags(translation, fires):
    check = CHECKS_BY_CODE["placeholders"]
    assert check.severity is Severity.ERROR
    found = check_entry("据<1>新华社</1>报道了3件事。", translation, CheckContext())
    codes = [c.code for c, _ in found]
    assert ("placeholders" in codes) is fires
    assert "numbers" not in codes  # the tag numbers are no figures


def _edition_block(block, targets, shown=Shown.REVIEWED):
    return EditionBlock(
        block.type,
        block.text,
        [EditionSegment(seg.text, t, shown, seg.part) for seg, t in zip(block.segments, targets, strict=True)],
    )


def _render(pieces):
    out = []
    for p in pieces:
        if isinstance(p, Text):
            out.append(p.text)
        elif isinstance(p, Open):
            out.append(f"[{p.code.data}]")
        elif isinstance(p, Close):
            out.append(f"[/{p.code.data}]")
        elif isinstance(p, Single):
            out.append(f"[{p.code.data}/]")
        elif isinstance(p, Begin):
            out.append("{")
        elif isinstance(p, End):
            out.append("}")
    return "".join(out)


def test_rebuild_maps_reordered_tags_back_to_the_block_codes():
    block = block_of("据", ("a", "新华社"), "报道，", ("b", "宁波"), "很好。")
    eb = _edition_block(block, ["<2>Ningbo</2> is fine, <1>Xinhua</1> reports."])
    assert _render(rebuild(block, eb)) == "[b]Ningbo[/b] is fine, [a]Xinhua[/a] reports."


def test_rebuild_identity_merges_reopened_pairs_and_keeps_outside_codes():
    block = block_of(("u", "整段。"), "第一句", ("i", "还没完。第二"), "句。", ("img",))
    eb = _edition_block(block, msgids(block))
    assert _render(rebuild(block, eb)) == "[u]整段。[/u]第一句[i]还没完。第二[/i]句。[img/]"


def test_rebuild_falls_back_to_the_source_on_bad_tags_and_marks_it():
    block = block_of("据", ("a", "新华社"), "报道。")
    eb = _edition_block(block, ["According to Xinhua</1>."])
    assert _render(rebuild(block, eb)) == "{据[a]新华社[/a]报道。}"


def test_rebuild_spaces_english_sentences():
    block = block_of("第一句。第二句。")
    eb = _edition_block(block, ["One.", "Two."])
    assert _render(rebuild(block, eb)) == "One. Two."


def _source_render(items) -> str:
    """What _render shows for the source ``items`` of block_of (the identity)."""
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif item[0] == "img":
            out.append("[img/]")
        else:
            out.append(f"[{item[0]}]" + _source_render(item[1:]) + f"[/{item[0]}]")
    return "".join(out)


@pytest.mark.parametrize(
    "items",
    [
        # Markdown `- **`code` rebuilds the memory** in each process.`
        [("b", ("img",), " rebuilds the memory"), " in each process."],
        # the same in Chinese, with no space
        [("b", ("img",), "重建记忆"), "，每个进程一次。"],
        # a code after a sentence end, inside a bold that goes on into the next sentence
        ["甲", ("b", "乙说完了。", ("img",), "丙"), "接着说。"],
        # a code at the end of a bold that closes in the next segment's gap
        ["甲", ("b", "乙说完了。", ("img",)), "丙接着说。"],
        ["甲", ("b", "乙说完了。 ", ("img",)), " 丙接着说。"],
        # two codes, the first not enclosed
        [("img",), ("b", ("img",), " rebuilds"), " it."],
    ],
)
def test_a_code_at_a_segment_edge_inside_a_pair_of_the_msgid_stays_inside_it(items):
    block = block_of(*items)
    eb = _edition_block(block, msgids(block))
    assert _render(rebuild(block, eb)) == _source_render(items)
    for seg in block.segments:
        assert is_well_formed(seg.text)


def test_a_code_enclosed_by_a_msgid_pair_is_in_the_msgid():
    block = block_of(("b", ("img",), " rebuilds the memory"), " in each process.")
    assert msgids(block) == ["<1><2/> rebuilds the memory</1> in each process."]
    eb = _edition_block(block, ["<1><2/> baut den Speicher neu</1> in jedem Prozess."])
    assert _render(rebuild(block, eb)) == "[b][img/] baut den Speicher neu[/b] in jedem Prozess."
    # A code between sentences, in no pair of a msgid, stays between them.
    assert msgids(block_of("第一句。", ("img",), "第二句。")) == ["第一句。", "第二句。"]


def test_nested_pairs_reopened_in_the_next_sentence_are_merged_from_the_outermost_in():
    # 前<b>甲<i>乙。丙</i>丁</b>后。 (the Markdown `前**甲*乙。丙*丁**后。`)
    block = block_of("前", ("b", "甲", ("i", "乙。丙"), "丁"), "后。")
    assert msgids(block) == ["前<1>甲<2>乙。</2></1>", "<1><2>丙</2>丁</1>后。"]
    eb = _edition_block(block, ["Before <1>A <2>B.</2></1>", "<1><2>C</2> D</1> after."])
    assert _render(rebuild(block, eb)) == "Before [b]A [i]B. C[/i] D[/b] after."
    # Only as far as the closes and the opens mirror each other.
    eb = _edition_block(block, ["Before <1>A <2>B.</2></1>", "<1>D <2>C</2></1> after."])
    assert _render(rebuild(block, eb)) == "Before [b]A [i]B.[/i] D [i]C[/i][/b] after."
