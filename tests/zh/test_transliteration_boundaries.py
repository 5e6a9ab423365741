"""is_word_at: a transliterated name does not match inside a longer
transliterated name (issue #11: 吉利 "Geely" was found in 吉利德 "Gilead",
布尔 in 雷布尔 "Rebull", 里德 "Reid" in 艾里德 "Eilidh").

Made-up sentences, not corpus lines."""

import pytest

from pipeline.terms import Term, Termbase
from pipeline.zh.words import is_word_at, word_spans


def _is_word(text: str, term: str) -> bool:
    start = text.index(term)
    return is_word_at(text, start, start + len(term), word_spans(text, [term]))


@pytest.mark.parametrize(
    "text, term",
    [
        # a transliteration character jieba leaves as a word of its own, after or before
        ("这家名叫吉利德的药企今天起诉了对手。", "吉利"),
        ("研究员雷布尔说恒星转得很慢。", "布尔"),
        ("记者问艾里德为什么退出比赛。", "里德"),
    ],
)
def test_a_transliterated_name_inside_a_longer_one_is_no_word(text, term):
    assert not _is_word(text, term)


@pytest.mark.parametrize(
    "text, term",
    [
        # the neighbour is a word of the dictionary: 吉利 + 德国 (Geely in Germany)
        ("吉利德国工厂明年投产。", "吉利"),
        # a word of the sentence, not a syllable of a name
        ("布尔在会上发言。", "布尔"),
        ("里德昨天退出比赛。", "里德"),
        # function words that are transliteration characters too: 比, 和, 西 (west)
        ("特朗普比他年长。", "特朗普"),
        ("布尔和他的同事写了三篇论文。", "布尔"),
        ("西巴布亚的首府很小。", "巴布亚"),
        # a term without Han characters is no transliterated name
        ("他把iPhone拉到桌边。", "iPhone"),
    ],
)
def test_a_transliterated_name_next_to_a_word_of_the_sentence_matches(text, term):
    assert _is_word(text, term)


@pytest.mark.parametrize(
    "text",
    [
        "崔平说他明天到。",
        "记者和崔平谈了很久。",
        # 拉 is a transliteration character; after a Chinese name it is a verb
        "崔平拉他一把。",
    ],
)
def test_a_chinese_name_next_to_one_character_still_matches(text):
    assert _is_word(text, "崔平")


def test_a_name_next_to_another_term_unknown_to_the_dictionary():
    # 特恩 and 布尔 as two terms: jieba knows neither as one name, and the
    # term before 布尔 carries the transliteration on (特恩布尔, one name).
    termbase = Termbase([Term("特恩", "Turn", "person"), Term("布尔", "Bull", "person")])
    assert [t.zh for _, _, t in termbase.matches("总理特恩布尔表示反对。")] == ["特恩"]
    assert [t.zh for _, _, t in termbase.matches("布尔表示反对。")] == ["布尔"]


def test_the_glossary_check_ignores_a_term_inside_a_longer_foreign_name():
    from pipeline.checks.model import CheckContext
    from pipeline.checks.terms import check_glossary

    termbase = Termbase([Term("吉利", "Geely", "organisation")])
    context = CheckContext(termbase=termbase)
    assert list(check_glossary("吉利德今年推出了新药。", "Gilead launched a new drug this year.", context)) == []
    assert list(check_glossary("吉利德国工厂明年投产。", "The plant will open next year.", context)) != []


def test_a_transliteration_character_is_no_one_character_suffix():
    # 瓦尔迪 is read as one word (a term), so 瓦尔 inside it would count as
    # 瓦尔 + a suffix, as 宁波 in 宁波市; 迪 carries the name on instead.
    termbase = Termbase([Term("瓦尔迪", "Valdi", "person"), Term("瓦尔", "Var", "person")])
    assert termbase.matches("记者瓦尔迪兹昨天遇害。") == []
    assert [t.zh for _, _, t in termbase.matches("记者瓦尔昨天遇害。")] == ["瓦尔"]
    assert [t.zh for _, _, t in Termbase([Term("宁波", "Ningbo", "place")]).matches("宁波市")] == ["宁波"]
