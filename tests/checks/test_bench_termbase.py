"""The benchmark's mined termbase (benchmarks/bench_checks.py): a mined
pair whose English is another name is a termbase error that the glossary
check then reports on correct translations (issue #11: 里德 "Reid" mined as
"Eilidh", 河南省 as "Xinxiang", 希瑟 as "Dewey-Hagborg").

Made-up lines, not corpus lines."""

import pytest

from benchmarks.bench_checks import Pair, _could_be, mine_termbase


def _mine(lines):
    return {t.zh: t.en for t in mine_termbase([Pair("made-up", i, zh, en) for i, (zh, en) in enumerate(lines, 1)])}


def test_a_phrase_belongs_to_the_name_most_associated_with_it():
    # The province is always said with the county, and "Henan" also stands
    # elsewhere: by Dice alone 河南省 would be "Xinxiang" (0.67 against 0.6).
    lines = [
        ("河南省新乡县一家工厂昨天发生火灾。", "A fire broke out yesterday at a factory in Xinxiang, Henan."),
        ("河南省新乡县的居民被疏散。", "Residents of Xinxiang, Henan were evacuated."),
        ("河南省新乡县政府召开了发布会。", "The government of Xinxiang, Henan held a press conference."),
        ("新乡县的消防员很快赶到。", "Firefighters in Xinxiang arrived quickly."),
        ("新乡县今天下雨。", "It rained in Xinxiang today."),
        ("新乡县的学校停课了。", "Schools in Xinxiang were closed."),
        ("河南的小麦丰收了。", "Wheat in Henan had a good harvest."),
        ("河南的游客增多。", "Visitors to Henan increased."),
        ("河南的高铁通车了。", "High-speed rail in Henan opened."),
        ("河南的冬天很冷。", "Winters in Henan are cold."),
    ]
    mined = _mine(lines)
    assert mined["新乡县"] == "Xinxiang"
    # a name inside another (河南 in 河南省) shares its phrase
    assert mined["河南省"] == mined["河南"] == "Henan"


def test_names_that_always_come_together_do_not_share_one_phrase():
    # Two names said only together, with one English name: which is which
    # cannot be told, so neither is mined (both were "Auto").
    lines = [
        ("珠海和中兴通讯签约。", "Smart Auto signed a deal."),
        ("珠海和中兴通讯合作造车。", "Smart Auto will build cars."),
        ("珠海和中兴通讯的新车上市。", "The new car of Smart Auto is on sale."),
    ]
    assert _mine(lines) == {}


@pytest.mark.parametrize(
    "name, kind, phrase, could",
    [
        ("默克尔", "person", "Merkel", True),
        ("特朗普", "person", "Donald Trump", True),
        ("伊丽莎白", "person", "Elizabeth", True),
        ("穆里尼奥", "person", "Mourinho", True),
        # a piece of a longer transliteration: 扎克 of 扎克伯格, 普拉 of 查亚普拉
        ("扎克", "person", "Zuckerberg", False),
        ("普拉", "person", "Jayapura", False),
        # Chinese names and places are not transliterations syllable by syllable
        ("崔平", "person", "Cui Ping", True),
        ("加州", "place", "California", True),
    ],
)
def test_a_transliterated_name_has_a_character_per_syllable(name, kind, phrase, could):
    assert _could_be(name, kind, phrase) is could
