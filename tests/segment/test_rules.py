"""Unit tests for the segmenter's rules: sentences, normalisation, block
classification, joining, and the losslessness of the cut."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.segment import BlockType, Part, segment_document
from pipeline.segment.blocks import join_text
from pipeline.segment.normalize import normalize
from pipeline.segment.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def blocks(text: str) -> list[tuple[str, str]]:
    return [(b.type.value, b.text) for b in segment_document("t", text).blocks]


def block_type(text: str, before: str = "正文第一句。") -> BlockType:
    """The type of ``text`` as a block in the middle of a document."""
    doc = segment_document("t", f"{before}\n\n{text}\n\n正文最后一句。")
    assert len(doc.blocks) == 3, [b.text for b in doc.blocks]
    return doc.blocks[1].type


# --- Sentences -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("今天下雨。明天晴。", ["今天下雨。", "明天晴。"]),
        ("真的吗！我不信。", ["真的吗！", "我不信。"]),
        ("谁来了？他来了。", ["谁来了？", "他来了。"]),
        ("真的吗？！我不信。", ["真的吗？！", "我不信。"]),
        ("真的吗！？我不信。", ["真的吗！？", "我不信。"]),
        ("好。。再见。", ["好。。", "再见。"]),
        ("只有一句。", ["只有一句。"]),
        ("没有句号", ["没有句号"]),
    ],
)
def test_sentence_ends(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("他说：“好。”然后走了。", ["他说：“好。”", "然后走了。"]),
        ("她说：‘行。’好。", ["她说：‘行。’", "好。"]),
        ("「好。」再见。", ["「好。」", "再见。"]),
        ("『好。』再见。", ["『好。』", "再见。"]),
        ("（见上文。）再见。", ["（见上文。）", "再见。"]),
        ("他读完了《论语》。再见。", ["他读完了《论语》。", "再见。"]),
        ("他喊：“快跑！”", ["他喊：“快跑！”"]),
    ],
)
def test_closing_quotes_stay_with_their_sentence(text, expected):
    assert sentences(text) == expected


def test_quotation_is_kept_whole():
    assert sentences("“你好。我很好。你呢？”他问。") == ["“你好。我很好。你呢？”", "他问。"]
    assert sentences("书名《一。二》很怪。") == ["书名《一。二》很怪。"]


def test_a_long_quotation_is_split_like_running_text():
    quote = "“" + "这是很长的一句话。" * 20 + "”"
    assert len(quote) > 160
    assert len(sentences(quote)) == 20


def test_ellipsis_mid_text_does_not_split():
    text = "“三个全覆盖”“三个新突破”……目标计划，让人振奋。"
    assert sentences(text) == [text]
    assert sentences("边规划、边建设……这几年很忙。") == ["边规划、边建设……这几年很忙。"]


def test_ellipsis_at_the_end_makes_no_empty_segment():
    assert sentences("如此等等……") == ["如此等等……"]
    assert sentences("如此等等……  ") == ["如此等等……"]
    assert sentences("第一句。如此等等……") == ["第一句。", "如此等等……"]


def test_ellipsis_before_a_sentence_end_ends_the_sentence():
    assert sentences("如此等等……。下一句。") == ["如此等等……。", "下一句。"]


@pytest.mark.parametrize(
    "text",
    [
        "增长3.5个百分点。",
        "网址是http://a.cn/x?y=1，请访问。",
        "他说 Hello. World! How are you? 然后走了。",
        "版本v2.0.1已发布。",
    ],
)
def test_no_split_inside_numbers_latin_words_and_urls(text):
    assert sentences(text) == [text]


def test_semicolon_does_not_split():
    text = "道阻且长，行则将至；行而不辍，未来可期。"
    assert sentences(text) == [text]


def test_spans_skip_surrounding_white_space():
    text = "  第一句。 　第二句。  "
    spans = split_sentences(text, offset=10)
    assert [text[a - 10 : b - 10] for a, b in spans] == ["第一句。", "第二句。"]


def test_empty_and_blank_text_have_no_sentences():
    assert split_sentences("") == []
    assert split_sentences("   ") == []


# --- Normalisation -------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("新型工业化, 宁波底气", "新型工业化，宁波底气"),
        ("崔平: 每个人", "崔平：每个人"),
        ("记者:《行动纲要》", "记者：《行动纲要》"),
        ("行则将至; 行而不辍", "行则将至；行而不辍"),
        ("有何规律? 新型", "有何规律？新型"),
        ("充满信心!", "充满信心！"),
        ("到2027年, 宁波", "到2027年，宁波"),
        ("2027, 宁波", "2027，宁波"),  # the character after is Han
        ("“王牌”, 宁波", "“王牌”，宁波"),  # after CJK punctuation
        ("人工智能(AI)为代表", "人工智能（AI）为代表"),
        ("核心科技(如蒸汽机、电力)对", "核心科技（如蒸汽机、电力）对"),
        ("(资料图片)", "（资料图片）"),  # Han inside
        ("(严龙 摄)", "（严龙 摄）"),  # the space inside is kept
        ("中心 (一期) 。", "中心（一期）。"),
        ("(AI), 人工智能", "（AI），人工智能"),
    ],
)
def test_normalisation_fires_in_chinese_context(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "AI for Science",
        "Y-space",
        "6吋研发线",
        "比例3:2",
        "http://a.cn/x?y=1",
        "1,200万",
        "Hello, world! How are you?",
        "x; y",
        "f(x) = y",
        "(a, b)",
        "CEO、CTO",
        "2027",
    ],
)
def test_normalisation_leaves_latin_context_alone(text):
    assert normalize(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "新型工业化, 宁波底气从何而来",
        "(AI), 人工智能",
        "AI for Science (AFS), 将作为",
        "宁波(AI),ok",
        "中心 (一期) 。 (资料图片)",
        "a , b中",
        "中,,a",
        "((中)), x",
    ],
)
def test_normalisation_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


_ALPHABET = st.sampled_from(list("宁波ab1 ,:;?!()（）“”。，"))


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.text(_ALPHABET, max_size=16))
def test_normalisation_is_idempotent_property(text):
    once = normalize(text)
    assert normalize(once) == once


# --- Block classification ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "记者 成良田",
        "本报记者 张三 李四",
        "通讯员 王五",
        "记者 张三、李四",
        "记者 张三 通讯员 李四",
        "文／图 赵六",
        "实习生 欧阳娜娜",
    ],
)
def test_bylines(text):
    doc = segment_document("t", f"标题\n\n{text}\n\n正文。")
    assert [b.type for b in doc.blocks] == [BlockType.TITLE, BlockType.BYLINE, BlockType.BODY]


@pytest.mark.parametrize("text", ["记者手记", "记者观察"])
def test_reporters_column_names_are_not_bylines(text):
    assert block_type(text) is BlockType.HEADING


@pytest.mark.parametrize(
    "text,credit",
    [
        ("甬江实验室主任崔平。（严龙 摄）", "（严龙 摄）"),
        ("崔平和科研人员交流。(严龙 摄)", "（严龙 摄）"),
        ("宁波人工智能超算中心（一期）。（资料图片）", "（资料图片）"),
        ("会场一角。（新华社发）", "（新华社发）"),
        ("展品。（图片由宁波博物馆提供）", "（图片由宁波博物馆提供）"),
        ("展品。（资料照片）", "（资料照片）"),
        ("示意图。（李四 制图）", "（李四 制图）"),
    ],
)
def test_captions_end_in_a_photo_credit(text, credit):
    doc = segment_document("t", f"正文。\n\n{text}\n\n正文。")
    caption = doc.blocks[1]
    assert caption.type is BlockType.CAPTION
    assert caption.segments[-1].part is Part.PHOTO_CREDIT
    assert caption.segments[-1].text == credit
    assert all(s.part is Part.SENTENCE for s in caption.segments[:-1])


def test_a_parenthesis_that_is_no_credit_makes_no_caption():
    assert block_type("宁波人工智能超算中心（一期）。") is BlockType.BODY
    assert block_type("他说（大意如此）。") is BlockType.BODY


@pytest.mark.parametrize("text", ["1", "4", "２", "4.", "12"])
def test_section_numbers_in_digits_are_left_untranslated(text):
    doc = segment_document("t", f"正文。\n\n{text}\n\n正文。")
    block = doc.blocks[1]
    assert block.type is BlockType.SECTION_NUMBER
    assert [(s.text, s.translatable) for s in block.segments] == [(text, False)]


@pytest.mark.parametrize("text", ["三", "十二", "一、"])
def test_section_numbers_in_chinese_numerals_are_translated(text):
    # A Chinese numeral needs an English form (三 → 3), so it goes to the catalog.
    doc = segment_document("t", f"正文。\n\n{text}\n\n正文。")
    block = doc.blocks[1]
    assert block.type is BlockType.SECTION_NUMBER
    assert [(s.text, s.translatable) for s in block.segments] == [(text, True)]


@pytest.mark.parametrize("text", ["1234", "第一", "1.5"])
def test_not_section_numbers(text):
    assert block_type(text) is not BlockType.SECTION_NUMBER


@pytest.mark.parametrize("text", ["“新型工业化是必由之路”", "“倍感荣幸，也深感责任重大”", "记者手记", "一张王牌"])
def test_headings(text):
    assert block_type(text) is BlockType.HEADING


@pytest.mark.parametrize(
    "text",
    [
        "很长的一段正文没有句号" * 4,  # longer than 30 characters
        "新能源汽车：一季度销量增长三成",  # a colon
        "新型工业化，宁波底气从何而来",  # a comma
        "再也不用找代购了！这8000多种产品零关税",  # ！ separates the parts of a headline
    ],
)
def test_a_block_without_a_full_stop_is_a_heading_whatever_its_length(text):
    # Issue #11: headlines with ：/， or over 30 characters were body text.
    doc = segment_document("t", f"正文。\n\n{text}\n\n1\n\n正文。")
    assert doc.blocks[1].type is BlockType.HEADING


def test_title_subtitle_then_byline():
    doc = segment_document("t", "大标题\n\n副标题：说明\n\n记者 张三\n\n正文。\n\n小标题\n\n正文。")
    assert [b.type for b in doc.blocks] == [
        BlockType.TITLE,
        BlockType.SUBTITLE,
        BlockType.BYLINE,
        BlockType.BODY,
        BlockType.HEADING,
        BlockType.BODY,
    ]


def test_known_and_repeated_speaker_labels():
    doc = segment_document("t", "正文。\n\n问：你好吗？\n\n答：很好。\n\n张三：你好。\n\n李四：好。\n\n张三：再见。")
    types = [b.type for b in doc.blocks]
    assert types == [
        BlockType.BODY,
        BlockType.QA_TURN,
        BlockType.QA_TURN,
        BlockType.QA_TURN,  # 张三 opens two blocks
        BlockType.BODY,  # 李四 only one
        BlockType.QA_TURN,
    ]
    turn = doc.blocks[1]
    assert [(s.part, s.text) for s in turn.segments] == [(Part.SPEAKER_LABEL, "问："), (Part.SENTENCE, "你好吗？")]


# --- Joining and page-break repair ---------------------------------------------


@pytest.mark.parametrize(
    "left,right,joined",
    [
        ("并不", "断演进升级。", "并不断演进升级。"),
        ("新型工业", "化，宁波", "新型工业化，宁波"),
        ("“潜力”变", "成“实力”", "“潜力”变成“实力”"),
        ("信心", "and 期待", "信心and 期待"),
        ("AI for", "Science", "AI for Science"),
        ("Y-", "space", "Y- space"),
        ("6", "吋", "6吋"),
        ("", "宁波", "宁波"),
        ("宁波", "", "宁波"),
    ],
)
def test_join_text(left, right, joined):
    assert join_text(left, right) == joined


def test_lines_of_one_block_are_joined():
    doc = segment_document("t", "第一行接着\n第二行。\nAI for\nScience works.")
    (block,) = doc.blocks
    assert block.text == "第一行接着第二行。AI for Science works."
    assert [(s.text, s.line) for s in block.segments] == [("第一行接着第二行。", 1), ("AI for Science works.", 3)]


def test_page_break_repair_moves_an_interrupting_caption():
    text = (
        "导语。\n\n第一段的第一句写完了。第二句还没有写完，后面要继续写很多的字但是被"
        "\n\n图一。（张三 摄）\n\n分页打断了。\n\n下一段。"
    )
    assert blocks(text) == [
        ("body", "导语。"),
        ("body", "第一段的第一句写完了。第二句还没有写完，后面要继续写很多的字但是被分页打断了。"),
        ("caption", "图一。（张三 摄）"),
        ("body", "下一段。"),
    ]


def test_page_break_repair_never_joins_headings_or_section_numbers():
    text = "导语。\n\n第一段的第一句写完了。第二句没有写完就被\n\n2\n\n小标题\n\n正文。"
    assert [t for t, _ in blocks(text)] == ["body", "body", "section-number", "heading", "body"]


def test_form_feed_separates_blocks():
    assert blocks("第一段。\f第二段。") == [("body", "第一段。"), ("body", "第二段。")]


# --- Losslessness ---------------------------------------------------------------


def _rebuild(block) -> str:
    gaps = block.gaps()
    return "".join(g + s.text for g, s in zip(gaps[:-1], block.segments, strict=True)) + gaps[-1]


@pytest.mark.parametrize(
    "text",
    [
        "记者： 请谈谈。  好吗？",
        "崔平：我来宁波刚好20年。\n\n崔平：好。",
        "甬江实验室主任崔平。\n(严龙 摄)",
        "第一句。 第二句！ 第三句？ ",
        "AI for\nScience works. 好。",
        "“你好。我很好。”他说。如此等等……",
        "1\n\n“小标题”",
    ],
)
def test_block_text_is_gaps_and_segments(text):
    doc = segment_document("t", text)
    assert doc.blocks
    for block in doc.blocks:
        assert block.segments
        assert _rebuild(block) == block.text
        assert "".join(block.gaps()).strip(" \t\u3000") == ""


def test_seed_blocks_are_gaps_and_segments(seed_text):
    for block in segment_document("seed", seed_text).blocks:
        assert _rebuild(block) == block.text
        assert "".join(block.gaps()).strip() == ""


_TEXT = st.text(st.sampled_from(list("宁波ab1 ,:?!()（）“”‘’《》。，！？；…\n")), max_size=40)


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(_TEXT)
def test_losslessness_property(text):
    for block in segment_document("t", text).blocks:
        assert _rebuild(block) == block.text
        # Segments are in order, do not overlap and are not empty.
        pos = 0
        for seg in block.segments:
            assert pos <= seg.start < seg.end
            assert block.text[seg.start : seg.end] == seg.text
            pos = seg.end
