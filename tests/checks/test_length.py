"""The length-ratio check (``pipeline.checks.length``)."""

from __future__ import annotations

from tests.checks.contexts import problems

# --- length-ratio ---------------------------------------------------------------------

LONG_SOURCE = "当前，宁波正奋力争创国家新型工业化示范区，不断巩固宁波工业发展的优势地位。"


def test_length_ratio_quiet_on_a_normal_translation():
    target = (
        "Ningbo is striving to become a national demonstration zone for new industrialization "
        "and to consolidate the leading position of its industry."
    )
    assert problems("length-ratio", LONG_SOURCE, target) == []


def test_length_ratio_fires_on_a_truncated_translation():
    (problem,) = problems("length-ratio", LONG_SOURCE, "Ningbo is striving.")
    assert (
        problem
        == "the translation is short: 0.6 characters per Chinese character (expected about 4.1 for a source this long)"
    )


def test_length_ratio_bound_narrows_as_the_source_grows():
    """The length model, not a fixed bound: correct lengths spread less on
    long sources, so 1.9 characters per Han character is short for a long
    sentence but within reach for a ten-character headline."""
    long_source = "宁" * 90
    short_source = "宁" * 10
    assert problems("length-ratio", long_source, "x" * 171)[0].startswith("the translation is short: 1.9")
    assert problems("length-ratio", short_source, "x" * 19) == []


def test_length_ratio_fires_on_a_runaway_translation():
    target = "Ningbo is striving to become a national demonstration zone. " * 8
    (problem,) = problems("length-ratio", LONG_SOURCE, target)
    assert problem.startswith("the translation is long:")


def test_length_ratio_ignores_short_sources():
    assert problems("length-ratio", "崔平很忙。", "Busy.") == []
    assert problems("length-ratio", "记者：", "Our reporter asks the director a question:") == []


def test_length_ratio_does_not_count_latin_letters_passed_through():
    source = "同时，AI for Science将作为本实验室融入实验室的管理和研发活动中。"
    target = "AI for Science will also become part of how the laboratory manages its work and its research."
    assert problems("length-ratio", source, target) == []
