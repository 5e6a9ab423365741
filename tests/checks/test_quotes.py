"""The brackets-quotes check (``pipeline.checks.quotes``)."""

from __future__ import annotations

import pytest

from tests.checks.contexts import BODY, CREDIT, problems

# --- brackets-quotes ----------------------------------------------------------------


@pytest.mark.parametrize(
    "source, target",
    [
        ("宁波打出一张“王牌”。", 'Ningbo plays its "trump card".'),
        ("宁波打出一张“王牌”。", "Ningbo plays its “trump card”."),
        ("宁波打出一张“王牌”。", "Ningbo plays its 'trump card'."),
        ("宁波打出一张“王牌”。", "Ningbo plays its *trump card*."),
        ("以人工智能（AI）为代表", "represented by artificial intelligence (AI)"),
        # A title may become plain text: 《》 alone never fires.
        ("《行动纲要》提出了目标。", "The Action Outline sets a goal."),
        # Apostrophes are not quotes.
        ("工人的权利", "the workers' rights, Ningbo's and the '90s"),
        # A photo credit may lose its brackets.
        ("（严龙 摄）", "Photo: Yan Long"),
    ],
)
def test_brackets_quotes_accepts_correct_renderings(source, target):
    context = CREDIT if source.startswith("（严龙") else BODY
    assert problems("brackets-quotes", source, target, context) == []


@pytest.mark.parametrize(
    "target, problem",
    [
        ('Ningbo plays its "trump card.', 'unbalanced quotation marks: an odd number of "'),
        ("Ningbo plays its “trump card.", "unbalanced quotation marks: “ without a closing ”"),
        ("Ningbo plays its trump card”.", "unbalanced quotation marks: ” without an opening “"),
        ("Ningbo plays its ‘trump card.", "unbalanced quotation marks: ‘ without a closing ’"),
        ("Ningbo plays its 'trump card.", "unbalanced quotation marks: ' without a closing '"),
        ('Ningbo plays its "trump card" (at last.', 'unbalanced brackets: "(" without a closing ")"'),
        ('Ningbo plays its "trump card" at last).', 'unbalanced brackets: ")" without an opening "("'),
    ],
)
def test_brackets_quotes_fires_on_unbalanced_english(target, problem):
    assert problem in problems("brackets-quotes", "宁波打出一张“王牌”。", target)


QUOTATION = "正如崔平所言，“每一个人都是新型工业化的一份子”。"


def test_brackets_quotes_fires_when_a_quotation_loses_its_quotes():
    (problem,) = problems(
        "brackets-quotes", QUOTATION, "As Cui Ping put it, everyone is part of new industrialization."
    )
    assert problem == "the source quotes “每一个人都是新型工业化…” but the translation has no quotation marks"


@pytest.mark.parametrize(
    "source",
    [
        "崔平说：“很忙。”",  # after a verb of saying, however short
        "“新型工业化是必由之路”",  # long enough to be a sentence
        "“倍感荣幸，也深感责任重大”",  # punctuated like a sentence
    ],
)
def test_quotations_must_stay_quoted(source):
    assert problems("brackets-quotes", source, "Translated without quotes.") != []


@pytest.mark.parametrize(
    "source, target",
    [
        ("宁波打出一张“王牌”。", "Ningbo plays its trump card."),
        ("推进“一带一路”建设。", "Advance the Belt and Road Initiative."),
        ("“十四五”时期", "the 14th Five-Year Plan period"),
        ("《“十四五”数字经济发展规划》", "the 14th Five-Year Plan for the Digital Economy"),
        (QUOTATION, "As Cui Ping put it, *everyone is part of new industrialization*."),
    ],
)
def test_slogans_and_titles_may_lose_their_quotes(source, target):
    assert problems("brackets-quotes", source, target) == []


ASIDE = "是核心科技（如蒸汽机、电力、计算机）对工业化起到了决定性的推动作用。"


def test_an_aside_may_become_a_clause():
    """Issue 11: professional news translations turn （…） asides into
    clauses (35 of 36 such findings on the WMT dev corpus were false)."""
    target = "core technologies such as the steam engine, electricity and the computer played a decisive role."
    assert problems("brackets-quotes", ASIDE, target) == []
    assert (
        problems(
            "brackets-quotes",
            "印尼总统佐科·维多多（人们常称其为佐科维）发誓。",
            "President Joko Widodo, popularly known as Jokowi, vowed.",
        )
        == []
    )


@pytest.mark.parametrize(
    "source, target",
    [
        # A quotation that runs over several entries: open here, closed later,
        # or closed here after opening earlier; English does as the source does.
        ("他说：“这是抗击艾滋病的关键时刻。", "He said: 'This is a pivotal moment in the fight against HIV."),
        ("他说：“这是抗击艾滋病的关键时刻。", 'He said: "This is a pivotal moment in the fight against HIV.'),
        ("所以我们的精油含量更少。”", 'So we have fewer parts with essential oil."'),
        ("无论情况如何，这都是极其辉煌的。“", "Whatever the circumstances, it's absolutely brilliant.\""),
        # A closing single quote before a dash.
        ("与“宿敌”——监管风险有关。", "It has to do with the 'sworn enemy'—regulation."),
    ],
)
def test_a_quotation_over_several_entries_may_stay_open(source, target):
    assert problems("brackets-quotes", source, target) == []


def test_a_balanced_source_needs_balanced_english():
    found = problems(
        "brackets-quotes", "为“一带一路”沿线国家提供服务。", 'Services for countries along "the Belt and Road”.'
    )
    assert found == [
        "unbalanced quotation marks: ” without an opening “",
        'unbalanced quotation marks: an odd number of "',
    ]


def test_a_quotation_continued_from_another_entry_counts_as_quoted():
    found = problems("brackets-quotes", "她表示“我感觉好多了。", 'This feels so much better," she said.')
    assert found == []


@pytest.mark.parametrize(
    "source, target",
    [
        (ASIDE, "core technologies — such as the steam engine, electricity and the computer — played a decisive role."),
        (ASIDE, "core technologies (such as the steam engine, electricity and the computer) played a decisive role."),
        ("以人工智能（AI）为代表的新技术", "new technologies led by AI"),
    ],
)
def test_asides_may_use_dashes_and_abbreviations_may_lose_their_brackets(source, target):
    assert problems("brackets-quotes", source, target) == []
