"""Rules added for real news (issue 11): numerals inside words, known
equivalents, doubled words, and termbase matches at word boundaries."""

from __future__ import annotations

import pytest

from pipeline.checks.model import CheckContext
from pipeline.checks.numbers import check_numbers, check_numbers_unpaired, source_quantities
from pipeline.checks.text import check_doubled_word
from pipeline.terms import Term, Termbase

CONTEXT = CheckContext(block_types=("body",))


def numbers(source: str, target: str) -> list[str]:
    """Both numbers checks: a changed figure, and one left out or added."""
    return list(check_numbers(source, target, CONTEXT)) + list(check_numbers_unpaired(source, target, CONTEXT))


@pytest.mark.parametrize(
    "source",
    ["他早餐吃了三明治。", "心里七上八下。", "五角大楼发言人说。", "整治非法营运三轮车。", "一些人说。"],
)
def test_numerals_inside_words_are_not_required(source):
    """jieba reads the word that holds the numeral: no number to find."""
    assert all(not q.required for q in source_quantities(source))


@pytest.mark.parametrize(
    "source, target",
    [
        ("神舟十二号发射成功。", "Shenzhou 12 was launched."),
        ("由长征五号运载火箭发射。", "It will be launched by a Long March 5 rocket."),
        ("纪念5.12地震。", "In memory of the May 12 earthquake."),
        ("纪念5.12地震。", "In memory of the 5.12 earthquake."),
        ("去年“8·11”汇改。", 'Last year\'s "8.11" exchange rate reform.'),
        ("投资已达3个亿。", "Investment has reached 300 million."),
        ("为2019-20赛季做准备。", "Preparing for the 2019-20 season."),
        ("为2016/17赛季做准备。", "Preparing for the 2016-17 season."),
        ("博尔特跑出9秒58。", "Bolt ran 9.58 seconds."),
        ("用时1分57秒79。", "She swam it in 1:57.79."),
        ("罚款 8900 万英镑。", "A fine of 89 million pounds."),
        ("击毙1名受刑人。", "Killing a prisoner."),
        ("召开十九大，学习十九大精神。", "The 19th Congress was held and its spirit studied."),
        ("双方存在分歧。", "The two sides disagree."),
    ],
)
def test_known_equivalents_are_not_flagged(source, target):
    assert numbers(source, target) == []


def test_a_changed_figure_is_still_caught():
    assert numbers("投资已达3个亿。", "Investment has reached 400 million.")
    assert numbers("博尔特跑出9秒58。", "Bolt ran 9.68 seconds.")
    assert numbers("为2019-20赛季做准备。", "Preparing for the 2018-20 season.")


@pytest.mark.parametrize("target", ["the the cat sat.", "Trump Trump said so.", "It was a a test."])
def test_doubled_word_fires(target):
    (problem,) = check_doubled_word("", target, CONTEXT)
    assert "written twice" in problem


@pytest.mark.parametrize(
    "source, target",
    [
        ("", "He had had enough."),
        ("", "He said that that was wrong."),
        ("我们去了波拉波拉岛。", "We went to Bora Bora."),
        ("", "It is the theme."),
        ("杨洋表示。", "Yang Yang said so."),  # a reduplicated Chinese name
        ("魏巍走进训练场。", "Wei Wei walked into the camp."),
    ],
)
def test_doubled_word_exceptions(source, target):
    assert list(check_doubled_word(source, target, CONTEXT)) == []


def test_termbase_matches_respect_word_boundaries():
    termbase = Termbase([Term("安那", "Anna", "person"), Term("安娜", "Anna", "person"), Term("宁波", "Ningbo", "place")])
    # 路易斯安那州 is one word (Louisiana); 路易斯安娜 runs on from a transliteration.
    assert termbase.matches("他去了路易斯安那州。") == []
    assert termbase.matches("他去了路易斯安娜州。") == []
    assert [t.zh for _, _, t in termbase.matches("安娜说她去了路易斯安那州。")] == ["安娜"]
    # A name with a one-character suffix is still the name: 宁波市, 宁波人.
    assert [t.zh for _, _, t in termbase.matches("宁波市政府")] == ["宁波"]


@pytest.mark.parametrize(
    "source, target",
    [
        ("其中探明五点二亿吨原油储量。", "Of which 520 million tons are crude oil."),
        ("面积十五点二亿亩。", "The area is 1.52 billion mu."),
        ("单价从600-700万卢布起。", "Priced at RUB6-7 million or higher."),
        ("单价从600-700万卢布起。", "Priced at 6 to 7 million roubles."),
    ],
)
def test_a_scale_word_applies_to_a_chinese_decimal_and_to_both_ends_of_a_range(source, target):
    assert numbers(source, target) == []


def test_a_range_with_a_changed_end_is_still_caught():
    assert numbers("单价从600-700万卢布起。", "Priced at RUB6-8 million.")


@pytest.mark.parametrize(
    "source, target",
    [
        ("爆炸发生在上午7点50分。", "The explosion occurred at 7.50am."),
        ("决赛（晚上10点42分）举行。", "The final (10.42pm) takes place today."),
        ("剧情设置在 80 年代的罗马尼亚。", "A Romanian 1980s buddy-cop drama."),
        ("一位 18 世纪的双重特工。", "A double agent in the 1700s."),
    ],
)
def test_clock_times_and_spaced_measure_words(source, target):
    assert numbers(source, target) == []


def test_a_changed_clock_time_is_caught():
    assert numbers("爆炸发生在上午7点50分。", "The explosion occurred at 7.40am.")
