"""The glossary check (``pipeline.checks.terms``): a termbase term said in
the English as the termbase says."""

from __future__ import annotations

import pytest

from pipeline.checks.model import CheckContext
from pipeline.checks.terms import english_form_pattern
from pipeline.terms.termbase import Term, Termbase
from tests.checks.contexts import BODY, problems

# --- glossary -----------------------------------------------------------------------

TERMS = CheckContext(
    block_types=("body",),
    termbase=Termbase(
        [
            Term("崔平", "Cui Ping", "person"),
            Term("甬江实验室", "Yongjiang Laboratory", "organisation"),
            Term("宁波", "Ningbo", "place"),
            Term("新型工业化", "new industrialization", "term"),
        ]
    ),
)


@pytest.mark.parametrize(
    "source, target",
    [
        ("宁波打出一张王牌。", "Ningbo's trump card."),
        ("宁波打出一张王牌。", "NINGBO PLAYS ITS TRUMP CARD"),
        ("新型工业化有何规律？", "What laws govern New Industrialization?"),
        ("新型工业化有何规律？", "What laws govern new industrialisation?"),
        ("甬江实验室主任崔平。", "Cui Ping, director of Yongjiang Laboratory."),
        ("宁波舟山港", "Ningbo-Zhoushan Port"),
        # The longest term wins: 甬江实验室 is not also 实验室.
        ("甬江实验室的成长。", "The growth of the Yongjiang Laboratory."),
    ],
)
def test_glossary_accepts_the_english_form(source, target):
    assert problems("glossary", source, target, TERMS) == []


def test_glossary_fires_on_a_broken_name():
    (problem,) = problems("glossary", "本报记者专访了崔平。", "Our reporter interviewed Cui Pin.", TERMS)
    assert problem == '"崔平" should be translated "Cui Ping" (person)'


def test_glossary_fires_once_per_term_and_per_missing_term():
    found = problems("glossary", "宁波，宁波！甬江实验室。", "The city! The lab.", TERMS)
    assert found == [
        '"宁波" should be translated "Ningbo" (place)',
        '"甬江实验室" should be translated "Yongjiang Laboratory" (organisation)',
    ]


def test_glossary_needs_a_whole_word():
    assert problems("glossary", "宁波打出一张王牌。", "Ningbolia plays its trump card.", TERMS) != []


def test_without_a_termbase_the_glossary_check_finds_nothing():
    assert problems("glossary", "本报记者专访了崔平。", "Our reporter interviewed Cui Pin.", BODY) == []


def test_english_form_pattern_allows_plural_and_possessive():
    pattern = english_form_pattern("Yongjiang Laboratory")
    assert pattern.search("Yongjiang Laboratory's campus")
    assert pattern.search("the Yongjiang laboratories")
    assert not pattern.search("Yongjiang Lab")


# --- glossary: how news names a person ---------------------------------------------

PEOPLE = CheckContext(
    block_types=("body",),
    termbase=Termbase(
        [
            Term("习近平", "Xi Jinping", "person"),
            Term("默克尔", "Angela Merkel", "person"),
            Term("崔平", "Cui Ping", "person"),
        ]
    ),
)


@pytest.mark.parametrize(
    "source, target",
    [
        ("习近平主席表示欢迎。", "President Xi welcomed it."),
        ("习近平的讲话", "Xi's speech"),
        ("习近平的讲话", "Xi Jinping's speech"),
        ("默克尔表示。", "Merkel said."),
        ("默克尔表示。", "Chancellor Merkel's office said."),
    ],
)
def test_glossary_accepts_one_part_of_a_person_name(source, target):
    assert problems("glossary", source, target, PEOPLE) == []


@pytest.mark.parametrize("source, target", [("崔平表示。", "Cui Pin said."), ("默克尔表示。", "Angela Merkle said.")])
def test_glossary_still_fires_on_a_wrong_name(source, target):
    assert len(problems("glossary", source, target, PEOPLE)) == 1


def test_termbase_matches_respect_word_boundaries():
    termbase = Termbase(
        [Term("安那", "Anna", "person"), Term("安娜", "Anna", "person"), Term("宁波", "Ningbo", "place")]
    )
    # 路易斯安那州 is one word (Louisiana); 路易斯安娜 runs on from a transliteration.
    assert termbase.matches("他去了路易斯安那州。") == []
    assert termbase.matches("他去了路易斯安娜州。") == []
    assert [t.zh for _, _, t in termbase.matches("安娜说她去了路易斯安那州。")] == ["安娜"]
    # A name with a one-character suffix is still the name: 宁波市, 宁波人.
    assert [t.zh for _, _, t in termbase.matches("宁波市政府")] == ["宁波"]
