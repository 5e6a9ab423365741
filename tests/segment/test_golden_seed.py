"""The segmentation of the real seed document, golden file and targeted checks.

The golden file ``golden/000_a24ceba1f548592f.segments.txt`` holds one
paragraph (block) per group::

    [<block type>] L<first source line>
        <line> <part> <segment text>
        ...

It was checked by hand against the seed. When the segmenter changes on
purpose, regenerate it with::

    UPDATE_GOLDEN=1 /work/venv-dev/bin/python -m pytest tests/segment/test_golden_seed.py

and review the diff before committing it. The targeted tests below check
what the golden file only shows: the page-break joins, the caption that
interrupts a sentence, speaker labels, block types and normalisation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.segment import BlockType, Part, segment_document
from pipeline.zh.script import HAN

GOLDEN = Path(__file__).parent / "golden" / "000_a24ceba1f548592f.segments.txt"

#: The sentences the printed page broke across blank-line separated blocks,
#: found by reading the seed: (end of the first half, start of the second
#: half, what the joined text must contain). The fourth has a photo caption
#: printed between its halves.
PAGE_BREAK_JOINS = [
    ("并不", "断演进升级。", "并不断演进升级。"),
    ("把“潜力”变", "成“实力”", "把“潜力”变成“实力”"),
    ("的战略", "科技力量, 作为实验室负责人", "宁波新型工业化的战略科技力量，作为实验室负责人"),
    ("推进新型工业", "化, 宁波提出", "推进新型工业化，宁波提出"),
    ("管理等多", "个维度赋能", "管理等多个维度赋能"),
]


def render(doc) -> str:
    out = []
    for block in doc.blocks:
        out.append(f"[{block.type.value}] L{block.line}")
        for seg in block.segments:
            out.append(f"    {seg.line} {seg.part.value} {seg.text}")
    return "\n".join(out) + "\n"


@pytest.fixture
def doc(seed_text):
    return segment_document("000_a24ceba1f548592f", seed_text)


def _block_with(doc, fragment: str):
    found = [b for b in doc.blocks if fragment in b.text]
    assert len(found) == 1, f"{fragment!r} is in {len(found)} blocks"
    return found[0]


def _segment_with(doc, fragment: str):
    found = [(b, s) for b, s in doc.segments() if fragment in s.text]
    assert len(found) == 1, f"{fragment!r} is in {len(found)} segments: {[s.text for _, s in found]}"
    return found[0]


def test_golden_segmentation(doc, golden):
    golden(GOLDEN, render(doc))


# --- Page-break repair ---------------------------------------------------------


@pytest.mark.parametrize("left,right,joined", PAGE_BREAK_JOINS, ids=[j[2][:6] for j in PAGE_BREAK_JOINS])
def test_sentence_broken_by_a_page_break_is_joined(seed_text, doc, left, right, joined):
    # The seed really has the break: the first half ends a line and the
    # second half starts a later line, with blank line(s) between them.
    lines = seed_text.split("\n")
    ends = [i for i, line in enumerate(lines) if line.rstrip().endswith(left)]
    starts = [i for i, line in enumerate(lines) if line.startswith(right)]
    assert ends and starts and min(starts) > min(ends)
    assert joined not in seed_text

    block, seg = _segment_with(doc, joined)
    assert seg.part is Part.SENTENCE
    assert seg.text in block.text
    # The joined sentence starts on the first half's line.
    assert seg.line <= min(ends) + 1


def test_joined_blocks_have_no_space_between_han_characters(doc):
    spaced = re.compile(rf"[{HAN}]\s+[{HAN}]")
    joined = [b for b in doc.blocks if len({line.number for line in b.lines}) > 1 and b.type is not BlockType.CAPTION]
    assert len(joined) == len(PAGE_BREAK_JOINS)
    for block in joined:
        assert not spaced.search(block.text), block.text
    # No sentence anywhere has one (bylines and photo credits separate names).
    for _, seg in doc.segments():
        if seg.part is Part.SENTENCE and seg.text != "记者 成良田":
            assert not spaced.search(seg.text), seg.text


def test_interrupting_caption_follows_the_joined_paragraph(doc):
    block = _block_with(doc, "推进新型工业化，宁波提出")
    assert block.type is BlockType.QA_TURN
    assert "资料图片" not in block.text and "超算中心" not in block.text
    # The paragraph ends with the second half's sentence.
    assert block.segments[-1].text.endswith("不谋而合。")

    index = doc.blocks.index(block)
    caption = doc.blocks[index + 1]
    assert caption.type is BlockType.CAPTION
    assert caption.text == "宁波人工智能超算中心（一期）。（资料图片）"
    assert [(s.part, s.text) for s in caption.segments] == [
        (Part.SENTENCE, "宁波人工智能超算中心（一期）。"),
        (Part.PHOTO_CREDIT, "（资料图片）"),
    ]
    # ... and the paragraph after the caption is the next one of the article.
    assert doc.blocks[index + 2].text.startswith("一直以来")


def test_block_count_after_repair(seed_text, doc):
    # Independent route: the raw seed has N blank-line separated blocks; the
    # repair joins the five sentences listed in PAGE_BREAK_JOINS (found by
    # reading the seed), each join merging two raw blocks into one. Moving
    # the caption does not change the count.
    raw_blocks = [chunk for chunk in re.split(r"\n[ \t\u3000]*\n", seed_text) if chunk.strip()]
    assert len(raw_blocks) == 59
    assert len(doc.blocks) == len(raw_blocks) - len(PAGE_BREAK_JOINS)


def test_captions_are_captions_with_a_credit_segment(seed_text, doc):
    captions = [b for b in doc.blocks if b.type is BlockType.CAPTION]
    # The seed prints three photo credits with 摄 and one 资料图片.
    credits = re.findall(r"\((?:[^()]*摄|资料图片)\)", seed_text)
    assert len(captions) == len(credits) == 4
    for block in captions:
        assert block.segments[-1].part is Part.PHOTO_CREDIT
        assert block.segments[-1].text in {"（严龙 摄）", "（资料图片）", "（张超梁 摄）"}
        assert all(s.part is Part.SENTENCE for s in block.segments[:-1])
    # A credit on its own line belongs to the caption above it.
    first = captions[0]
    assert first.text == "甬江实验室主任崔平。（严龙 摄）"
    assert [s.line for s in first.segments] == [23, 24]


# --- Speaker labels ------------------------------------------------------------


def test_every_qa_turn_starts_with_a_speaker_label(seed_text, doc):
    turns = [b for b in doc.blocks if b.type is BlockType.QA_TURN]
    # Lines of the seed that open with a speaker, less the subtitle (line 5).
    opening = [line for line in seed_text.split("\n") if re.match(r"^(记者|崔平)[:：]", line)]
    assert len(turns) == len(opening) - 1 == 8
    for block in turns:
        first = block.segments[0]
        assert first.part is Part.SPEAKER_LABEL
        assert first.text in ("记者：", "崔平：")
        assert block.text.startswith(first.text)
        assert all(s.part is Part.SENTENCE for s in block.segments[1:])
        assert len(block.segments) >= 2
    labels = [b.segments[0].text for b in turns]
    assert labels == ["记者：", "崔平："] * 4


def test_subtitle_with_a_speaker_name_is_a_subtitle(doc):
    block = doc.blocks[1]
    assert block.type is BlockType.SUBTITLE
    assert block.text == "崔平：每个人都是新型工业化一份子"
    assert [s.part for s in block.segments] == [Part.SENTENCE]


# --- Block types ---------------------------------------------------------------


def test_title_and_byline(doc):
    assert doc.blocks[0].type is BlockType.TITLE
    assert doc.blocks[0].text == "新型工业化，宁波底气从何而来"
    byline = _block_with(doc, "成良田")
    assert byline.type is BlockType.BYLINE
    assert byline.text == "记者 成良田"
    assert [b.type for b in doc.blocks].count(BlockType.TITLE) == 1


def test_reporters_notes_is_a_heading(doc):
    block = _block_with(doc, "记者手记")
    assert block.type is BlockType.HEADING
    assert block.text == "记者手记"


def test_section_numbers_and_their_headings(doc):
    numbers = [(i, b) for i, b in enumerate(doc.blocks) if b.type is BlockType.SECTION_NUMBER]
    assert [b.text for _, b in numbers] == ["1", "2", "3", "4"]
    headings = []
    for i, block in numbers:
        assert len(block.segments) == 1
        assert block.segments[0].translatable is False
        following = doc.blocks[i + 1]
        assert following.type is BlockType.HEADING
        headings.append(following.text)
    assert headings == [
        "“新型工业化是必由之路”",
        "“宁波的举措与抓手是比较务实的”",
        "“倍感荣幸，也深感责任重大”",
        "“每一个人都是新型工业化的一份子”",
    ]
    # Only the section numbers have nothing to translate.
    untranslatable = [s.text for _, s in doc.segments() if not s.translatable]
    assert untranslatable == ["1", "2", "3", "4"]


# --- Normalisation -------------------------------------------------------------


def test_no_half_width_comma_left_between_han(seed_text, doc):
    assert re.search(rf"[{HAN}], [{HAN}]", seed_text)  # the seed has them
    for block in doc.blocks:
        assert not re.search(rf"[{HAN}][ ]*[,:;?!][ ]*[{HAN}]", block.text), block.text
        assert "(" not in block.text and ")" not in block.text, block.text


@pytest.mark.parametrize("kept", ["AI for Science", "Y-space", "6吋", "8吋", "2027", "IC领域", "CEO、CTO"])
def test_latin_words_and_numbers_are_kept(doc, kept):
    _segment_with(doc, kept)


def test_parentheses_around_latin_in_chinese_become_full_width(doc):
    _segment_with(doc, "以人工智能（AI）为代表")
    _segment_with(doc, "核心科技（如蒸汽机、电力、计算机）")


def test_lines_are_normalised_before_classification(doc):
    # 记者:《行动纲要》 (no space after the colon) is still a labelled turn.
    block = _block_with(doc, "到2027年")
    assert block.type is BlockType.QA_TURN
    assert block.segments[0].text == "记者："
    assert block.segments[1].text.startswith("《行动纲要》提出到2027年")
