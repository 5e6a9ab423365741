"""The checks for words said again (``pipeline.checks.repetition``):
repetition (MT loops) and doubled-word."""

from __future__ import annotations

import pytest

from pipeline.checks.repetition import check_doubled_word
from tests.checks.contexts import BODY, problems

# --- repetition -------------------------------------------------------------------


@pytest.mark.parametrize(
    "target, loop",
    [
        ("This is the the the key.", '"the" repeated 3 times in a row'),
        (
            "It is the heart of the city of the city of the city of the city.",
            '"of the city" repeated 4 times in a row',
        ),
        ("Ningbo Ningbo, Ningbo.", '"ningbo" repeated 3 times in a row'),
        ("we need a new new new new industrial base", '"new" repeated 4 times in a row'),
    ],
)
def test_repetition_fires_on_loops(target, loop):
    assert problems("repetition", "宁波需要新的工业基础。", target) == [loop]


@pytest.mark.parametrize(
    "target",
    [
        "It is the city that the city needs.",  # twice is English
        "Planning, building, recruiting, researching and serving all at once.",
        "It had had enough.",
    ],
)
def test_repetition_is_quiet_on_ordinary_english(target):
    assert problems("repetition", "边规划、边建设。", target) == []


def test_repetition_is_allowed_when_the_source_repeats_itself():
    assert problems("repetition", "加油！加油！加油！", "Go! Go! Go!") == []


# --- doubled-word ----------------------------------------------------------------

CONTEXT = BODY


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
