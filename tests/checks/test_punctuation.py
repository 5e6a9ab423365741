"""The checks of English punctuation and typography
(``pipeline.checks.punctuation``): end-punctuation, capitalisation and
whitespace; each stays quiet on correct zh→en translations that other
tools flag."""

from __future__ import annotations

import pytest

from tests.checks.contexts import BODY, CREDIT, HEADING, LABEL, TITLE, problems

# --- end-punctuation -------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, target, context",
    [
        ("崔平很忙。", "Cui Ping is busy.", BODY),
        ("正如崔平所言，“每一个人都是一份子”。", 'As Cui Ping put it, "everyone is part of it".', BODY),
        ("正如崔平所言，“每一个人都是一份子。”", 'As Cui Ping put it, "everyone is part of it."', BODY),
        ("新型工业化有何规律？", "What laws govern new industrialization?", BODY),
        # A request phrased as a question in Chinese may be a statement in English.
        ("请您谈谈工业化发展有何规律？", "Please tell us about the laws of industrial development.", BODY),
        ("我对宁波充满信心 and 期待！", "I am full of confidence in Ningbo!", BODY),
        ("我对宁波充满信心 and 期待！", "I am full of confidence in Ningbo.", BODY),
        ("记者：", "Reporter:", LABEL),
        ("这怎么可能？！", "How can this be?", BODY),
        ("这怎么可能？！", "How can this be!", BODY),
        ("边规划、边建设……", "Planning, building...", BODY),
        # Headings and titles drop the stop, and may end in a question mark.
        ("记者手记", "Reporter's Notes", HEADING),
        ("崔平很忙。", "Cui Ping Is Busy", HEADING),
        ("新型工业化，宁波底气从何而来", "New Industrialization: Where Does Ningbo's Confidence Come From?", TITLE),
        ("“新型工业化是必由之路”", '"New Industrialization Is the Only Way Forward"', HEADING),
        ("（严龙 摄）", "(Photo by Yan Long)", CREDIT),
        # Body text without final punctuation (a fragment) is not judged.
        ("宁波的新型工业化", "Ningbo's new industrialization.", BODY),
        ("公司名为宁波某某有限公司。", "The company is Ningbo XYZ Co.", BODY),
    ],
)
def test_end_punctuation_accepts_equivalent_endings(source, target, context):
    assert problems("end-punctuation", source, target, context) == []


@pytest.mark.parametrize(
    "source, target, context, problem",
    [
        (
            "崔平很忙。",
            "Cui Ping is busy",
            BODY,
            'the source ends with "。" but the translation ends with no final punctuation',
        ),
        ("崔平很忙。", "Is Cui Ping busy?", BODY, 'the source ends with "。" but the translation ends with "?"'),
        (
            "新型工业化有何规律？",
            "What laws govern new industrialization",
            BODY,
            'the source ends with "？" but the translation ends with no final punctuation',
        ),
        ("记者：", "Reporter", LABEL, 'the source ends with "：" but the translation ends with no final punctuation'),
        (
            "记者手记",
            "Reporter's notes.",
            HEADING,
            "the source has no final punctuation but the translation ends with a full stop",
        ),
        ("新型工业化有何规律？", "What laws govern it?", HEADING.__class__(block_types=("heading",)), None),
    ],
)
def test_end_punctuation_fires_on_real_mismatches(source, target, context, problem):
    found = problems("end-punctuation", source, target, context)
    assert found == ([problem] if problem else [])


# --- capitalisation --------------------------------------------------------------------


@pytest.mark.parametrize(
    "target, context",
    [
        ("Cui Ping is busy.", BODY),
        ('"new industrialization" is the way forward.', BODY),  # starts with a quote
        ("2027 is the year of the goal.", BODY),
        ("iPhone sales in Ningbo rose.", BODY),
        ("eBay opened an office in Ningbo.", BODY),
        ("(photo by Yan Long)", CREDIT),
        ("reporter:", LABEL),
        ("The U.S. and China met. It was cordial.", BODY),
        ("Output rose, e.g. in cars and ships.", BODY),
        ("It rose by 5.5 percent. The rest fell.", BODY),
        ('"Why?" he asked.', BODY),
        ("Planning, building... and serving.", BODY),
        ("The meeting starts at 3 p.m. on Monday.", BODY),
    ],
)
def test_capitalisation_is_quiet_on_correct_english(target, context):
    assert problems("capitalisation", "崔平很忙。", target, context) == []


@pytest.mark.parametrize(
    "target, problem",
    [
        ("cui Ping is busy.", 'the translation starts with a lowercase letter: "cui"'),
        ("(cui Ping is busy.)", 'the translation starts with a lowercase letter: "cui"'),
        ("Cui Ping is busy. he works hard.", 'a sentence starts with a lowercase letter: ". he"'),
        ("Is he busy? yes, he is.", 'a sentence starts with a lowercase letter: "? yes"'),
    ],
)
def test_capitalisation_fires_on_a_lowercase_sentence_start(target, problem):
    assert problems("capitalisation", "崔平很忙。", target) == [problem]


# --- whitespace ------------------------------------------------------------------------


def test_whitespace_is_quiet_on_clean_text():
    assert problems("whitespace", "崔平很忙。", "Cui Ping is busy... very busy (and happy), at 0.5 pace.") == []


@pytest.mark.parametrize(
    "target, problem",
    [
        (" Cui Ping is busy.", "the translation starts with a space"),
        ("Cui Ping is busy. ", "the translation ends with a space"),
        ("Cui Ping is  busy.", 'double space: "Cui Ping is  busy."'),
        ("Cui Ping is busy .", 'a space before "."'),
        ("Cui Ping , the director.", 'a space before ","'),
        ("Is Cui Ping busy ?", 'a space before "?"'),
    ],
)
def test_whitespace_fires(target, problem):
    assert problems("whitespace", "崔平很忙。", target) == [problem]
