"""The Chinese script's character classes."""

from __future__ import annotations

import pytest

from pipeline.zh.script import CJK_CONTEXT_RE, CLOSERS, ELLIPSIS, FULL_STOP, HAN, SENTENCE_ENDS, count_han, is_han


@pytest.mark.parametrize(
    "ch",
    [
        "宁",  # CJK Unified Ideographs
        "〇",  # the ideographic zero, a numeral of 二〇二七
        "\u3400",  # Extension A
        "\U00020000",  # Extension B, outside the Basic Multilingual Plane
        "\uf900",  # a compatibility ideograph
    ],
)
def test_han_characters(ch):
    assert is_han(ch)
    assert count_han(ch) == 1


@pytest.mark.parametrize("ch", ["A", "3", "３", "，", "、", "。", "“", "·", "\u3000", "ー", "가"])
def test_not_han(ch):
    assert not is_han(ch)


def test_count_han_counts_only_han():
    assert count_han("宁波2027年，AI for Science的“甬江”实验室。") == 9


@pytest.mark.parametrize("ch", ["宁", "，", "。", "“", "”", "…", "—", "·", "（", "\u3000"])
def test_chinese_context(ch):
    assert CJK_CONTEXT_RE.match(ch)


@pytest.mark.parametrize("ch", [",", ".", "(", "a", "3", " ", "-"])
def test_not_chinese_context(ch):
    assert not CJK_CONTEXT_RE.match(ch)


def test_sentence_punctuation():
    assert set(SENTENCE_ENDS) == set("。！？")
    assert FULL_STOP in SENTENCE_ENDS and ELLIPSIS not in SENTENCE_ENDS
    for closer in "”’」』）》〉】〕":
        assert closer in CLOSERS
    assert not set("“‘「『（《") & set(CLOSERS)


def test_han_is_a_regex_class():
    import re

    assert re.fullmatch(f"[{HAN}·]{{2,5}}", "凯文·卓鲍")
