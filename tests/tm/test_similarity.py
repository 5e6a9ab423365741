"""Match keys, the Levenshtein distance and the similarity measure."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.tm.similarity import levenshtein, match_key, similarity


def textbook_levenshtein(a: str, b: str) -> int:
    """The dynamic-programming table, as a reference."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


# A small alphabet makes repeated characters, the hard case for bit vectors.
_texts = st.text(alphabet="宁波工业化新型ab。，", max_size=40)


@settings(max_examples=200, deadline=None)
@given(_texts, _texts)
def test_levenshtein_equals_the_textbook_table(a, b):
    assert levenshtein(a, b) == textbook_levenshtein(a, b)


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=200), st.text(max_size=200))
def test_levenshtein_on_long_and_arbitrary_text(a, b):
    assert levenshtein(a, b) == textbook_levenshtein(a, b)


@pytest.mark.parametrize(
    "a,b,distance",
    [("kitten", "sitting", 3), ("", "宁波", 2), ("宁波", "", 2), ("宁波工业", "宁波工业", 0), ("1100万", "1200万", 1)],
)
def test_levenshtein_examples(a, b, distance):
    assert levenshtein(a, b) == distance


def test_similarity_counts_characters():
    # One character of 19 differs: 1 - 1/19.
    a = "宁波推进新型工业化的冲锋号已经吹响。"
    b = "宁波推进新型工业化的冲锋号已经吹响了。"
    assert similarity(a, b) == pytest.approx(1 - 1 / len(b))
    assert similarity(a, a) == 1.0
    assert similarity("宁波", "北京") == 0.0


@pytest.mark.parametrize(
    "a,b",
    [
        ("新型工业化, 宁波底气从何而来", "新型工业化，宁波底气从何而来"),  # OCR-style punctuation
        ("２０２４年，宁波", "2024年，宁波"),  # full-width digits
        ("宁波 发展", "宁波发展"),  # spaces between Chinese characters
        ("  宁波发展。 ", "宁波发展。"),
        ("AI  for Science赋能", "AI for Science 赋能"),
    ],
)
def test_match_key_ignores_what_is_not_a_different_sentence(a, b):
    assert match_key(a) == match_key(b)
    assert similarity(a, b) == 1.0


@pytest.mark.parametrize(
    "a,b",
    [
        ("AI for Science", "AIforScience"),  # spaces between Latin words are kept
        ("宁波发展。", "宁波发展！"),
        ("Apple", "apple"),
    ],
)
def test_match_key_keeps_real_differences(a, b):
    assert match_key(a) != match_key(b)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30))
def test_similarity_is_symmetric_and_bounded(a, b):
    s = similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == similarity(b, a)
