"""word_spans_around: the words around a few places of a long line are
those of the whole line's segmentation (issue #11: a line of a million
characters with a termbase)."""

import pytest

from pipeline.zh import words
from pipeline.zh.words import is_word_at, word_spans, word_spans_around


def _places(text, terms):
    places = []
    for term in terms:
        start = text.find(term)
        while start != -1:
            places.append((start, start + len(term)))
            start = text.find(term, start + 1)
    return places


@pytest.mark.parametrize(
    "text, terms",
    [
        # a term at the start and at the end of the text
        ("宁波推进新型工业化的冲锋号已经吹响宁波", ["宁波"]),
        # overlapping candidates: 实验室 inside 甬江实验室, 江实 across them
        ("甬江实验室不负众望实验室坚实迈进甬江实验室", ["甬江实验室", "实验室", "江实"]),
        # a term inside a longer dictionary word: 安那 in 路易斯安那州, 三 in 三明治
        ("他在路易斯安那州吃三明治三年安那", ["安那", "三", "明治"]),
        # a term next to non-Han characters and a run of one character
        ("A宁波B宁C宁波人。宁波市", ["宁波", "宁"]),
    ],
)
def test_windows_equal_the_whole_text(monkeypatch, text, terms):
    monkeypatch.setattr(words, "WHOLE_TEXT_UP_TO", 0)  # windows even on a short text
    long_text = text * 50 + "实验" + text  # cut points far from the ends too
    for sample in (text, long_text):
        places = _places(sample, terms)
        whole = word_spans(sample, terms)
        around = word_spans_around(sample, terms, places)
        assert set(around) <= set(whole)
        for start, end in places:
            assert is_word_at(sample, start, end, around) == is_word_at(sample, start, end, whole), (start, end)


def test_windows_skip_the_text_between_places(monkeypatch):
    monkeypatch.setattr(words, "WHOLE_TEXT_UP_TO", 0)
    text = "宁波推进新型工业化的冲锋号已经吹响" * 200 + "甬江实验室"
    around = word_spans_around(text, ["甬江实验室"], _places(text, ["甬江实验室"]))
    assert around[-1] == (len(text) - 5, len(text))
    assert len(around) < 20  # not the 200 sentences before it
