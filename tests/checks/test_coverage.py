"""The omission check by content (pipeline/checks/coverage.py): CC-CEDICT
glosses, the stemmer, coverage of source words and the check itself."""

from __future__ import annotations

import pytest

from pipeline.checks import coverage
from pipeline.checks.coverage import (
    check_omission,
    dangling_end,
    gloss_stems,
    lexicon,
    omission_features,
    stem,
)
from pipeline.checks.length import MAX_SHORT_Z
from pipeline.checks.model import CheckContext

# Sentences written for these tests (not from the dev corpus).
GRAIN = "国家统计局周三公布的数据显示，今年前三个季度全国粮食产量稳步增长，农民收入明显提高，农村消费市场持续扩大。"
GRAIN_EN = (
    "Data released by the National Bureau of Statistics on Wednesday showed that national grain output grew steadily"
    " in the first three quarters of this year, farmers' incomes rose markedly and the rural consumer market continued"
    " to expand."
)
GRAIN_CUT = (
    "Data released by the National Bureau of Statistics on Wednesday showed that national grain output grew steadily"
    " in the first three quarters of this year."
)
CITY = "市政府决定在老城区新建三所学校和两家医院，同时改造供水管网，提升居民生活质量。"
CITY_EN = (
    "The city government has decided to build three schools and two hospitals in the old town, while renovating the"
    " water supply network to improve residents' quality of life."
)
CITY_CUT = "The city government has decided to build three schools and two hospitals in the old town."


def omission(source: str, target: str) -> list[str]:
    return list(check_omission(source, target, CheckContext()))


def test_cedict_is_read_with_its_glosses():
    assert "development" in lexicon()["发展"].split("/")
    assert {stem("car"), stem("automobile")} <= gloss_stems("汽车")


def test_the_stemmer_keeps_the_forms_of_a_word_together():
    assert stem("China") == stem("Chinese")
    assert stem("economy") == stem("economic")
    assert stem("arrive") == stem("arriving") == stem("arrived")
    assert stem("Italy") == stem("Italian")  # -ly is not stripped from a short word
    assert stem("said") == stem("say") and stem("stopped") == stem("stop")
    assert stem("investors") == stem("invest")
    assert stem("China") != stem("chair")


def test_an_acronym_is_not_a_function_word():
    """ "US" and "U.S." say 美国; "us" is a pronoun."""
    for english in ("The U.S. economy grew.", "The US economy grew."):
        assert dict(coverage.coverage("美国经济增长。", english).words)["美国"] is True
    assert dict(coverage.coverage("美国经济增长。", "Tell us how the economy grew.").words)["美国"] is False


def test_a_source_word_is_covered_once_per_english_word():
    """中国 twice against "China" once: the second is not covered."""
    cov = coverage.coverage("中国经济和中国文化都在发展。", "China is developing its economy and culture.")
    assert [c for w, c in cov.words if w == "中国"] == [True, False]


def test_a_compound_is_glossed_by_its_pieces():
    cov = coverage.coverage("农民收入明显提高。", "Farmers earn more.")
    assert dict(cov.words)["农民收入"] is True


def test_a_transliterated_name_missed_says_nothing():
    """A foreign name in Chinese characters has no English form to look for
    when the lexicon lacks it: neither covered nor uncovered."""
    cov = coverage.coverage("普拉迪斯表示，公司已经投资。", "Pladis said the company had invested.")
    assert dict(cov.words).get("普拉") is None


def test_a_truncated_translation_is_caught():
    (problem,) = omission(GRAIN, GRAIN_CUT)
    assert problem.startswith("part of the source seems untranslated, its end above all: ")
    assert "农村" in problem and "扩大" in problem
    (problem,) = omission(CITY, CITY_CUT)
    # 改造 counts as said: "build" is a gloss of its 造 (a two-character
    # word is covered by one of its characters' glosses too).
    assert "提升" in problem and "居民" in problem


def test_the_complete_translations_are_not_flagged():
    assert omission(GRAIN, GRAIN_EN) == []
    assert omission(CITY, CITY_EN) == []


def test_the_truncations_are_not_short_enough_for_length_alone():
    """What the content adds: these cuts pass the length model's bound."""
    for source, target in ((GRAIN, GRAIN_CUT), (CITY, CITY_CUT)):
        assert omission_features(source, target).z > -MAX_SHORT_Z


def test_a_translation_that_stops_mid_phrase_is_caught():
    assert omission("崔平说他很忙。", "Cui Ping said that the.") == [
        'the translation stops mid-phrase: it ends with "the" where the source ends a sentence'
    ]
    assert dangling_end("崔平说他很忙。", "He expressed their") == "their"


@pytest.mark.parametrize(
    "source, target",
    [
        ("崔平说他很忙", "Cui Ping said that the"),  # the source stops mid-sentence too
        ("他们服用维生素。", "They take vitamin A."),  # a letter, not an article
        ("他说‘啊’。", "He said 'n---a.'"),  # not a word of its own
        ("名单上有十二家公司。", "It is among the 12."),
    ],
)
def test_a_final_article_only_counts_as_a_word_at_a_sentence_end(source, target):
    assert dangling_end(source, target) is None


def test_short_sources_are_left_alone():
    assert omission("崔平很忙。", "Busy.") == []


def test_without_the_lexicon_the_content_check_finds_nothing(monkeypatch):
    monkeypatch.setattr(coverage, "CEDICT_RESOURCE", ("no_such_package_for_cedict", "x.gz"))
    for cached in (coverage.lexicon, coverage.gloss_stems, coverage.word_stems, coverage._pieces):
        cached.cache_clear()
    try:
        assert coverage.lexicon() == {}
        assert omission(GRAIN, GRAIN_CUT) == []
    finally:
        monkeypatch.undo()
        for cached in (coverage.lexicon, coverage.gloss_stems, coverage.word_stems, coverage._pieces):
            cached.cache_clear()
    assert omission(GRAIN, GRAIN_CUT)


def test_a_long_run_of_unknown_characters_is_segmented_in_pieces():
    """jieba's HMM is quadratic on one long run of characters it does not
    know; such a run is segmented a piece at a time, and the words still
    join back into the text (the check then finishes in seconds on 200,000
    characters, where it took minutes)."""
    from pipeline.zh.words import LONG_HAN_RUN, words

    text = "鍪" * (3 * LONG_HAN_RUN + 7) + "。我们的国家发展很快"
    assert "".join(words(text)) == text
    assert words(text)[-5:] == ("我们", "的", "国家", "发展", "很快")
    assert omission(text, "x " * 3000) == []
