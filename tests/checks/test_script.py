"""The checks for Chinese script left in the English (``pipeline.checks.script``):
han-in-target, fullwidth-punctuation and source-copied."""

from __future__ import annotations

import pytest

from tests.checks.contexts import problems

# --- han-in-target ---------------------------------------------------------------


def test_han_in_target_fires_and_names_the_characters():
    (problem,) = problems(
        "han-in-target",
        "本报记者近日专访了甬江实验室主任崔平。",
        "Our reporter interviewed 崔平, director of 甬江 Laboratory.",
    )
    assert problem == "Chinese left in the translation: 崔平, 甬江"


def test_han_in_target_is_quiet_on_english():
    assert problems("han-in-target", "崔平很忙。", "Cui Ping is busy.") == []


# --- fullwidth-punctuation --------------------------------------------------------


def test_fullwidth_punctuation_fires():
    (problem,) = problems("fullwidth-punctuation", "崔平很忙。", "Cui Ping，director，is busy。")
    assert problem == "full-width punctuation in the translation: ， 。"


def test_curly_quotes_dashes_and_ellipses_are_english_too():
    target = "“Planning, building — and serving…” he said."
    assert problems("fullwidth-punctuation", "“边规划、边建设……”", target) == []


# --- source-copied ----------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "崔平很忙。",
        "崔平很忙.",  # half-width full stop
        " 崔平 很忙 ",
    ],
)
def test_a_copy_of_the_source_fires(target):
    assert problems("source-copied", "崔平很忙。", target) == ["the translation is a copy of the source"]


def test_a_translation_made_mostly_of_the_source_fires():
    (problem,) = problems("source-copied", "甬江实验室主任崔平。", "甬江实验室主任 Cui Ping.")
    assert "mostly the source" in problem and "7 of its 9" in problem


def test_a_translation_keeping_one_name_in_chinese_is_not_a_copy():
    assert problems("source-copied", "甬江实验室主任崔平。", "Cui Ping, director of 甬江实验室.") == []


@pytest.mark.parametrize("segment", ["AI for Science", "Y-space", "2027", "CEO、CTO"])
def test_segments_with_nothing_to_translate_may_stay_as_they_are(segment):
    assert problems("source-copied", segment, segment) == []
