"""Exact and fuzzy lookup, and that the index finds what a full scan finds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.tm import Match, TranslationMemory, Unit
from pipeline.tm.similarity import match_key, similarity

BUGLE = "宁波推进新型工业化的冲锋号已经吹响。"
UNITS = [
    Unit(BUGLE, "Ningbo has sounded the bugle for new industrialization.", "a"),
    Unit("宁波推进新型工业化的冲锋号已经吹响了。", "The bugle has been sounded.", "b"),
    Unit("工业对宁波有特殊意义。", "Industry has special significance for Ningbo.", "a"),
    Unit("宁波常住人口达到1100万。", "Ningbo's resident population reached 11 million.", "a"),
    Unit("甬江实验室不负众望。", "Yongjiang Laboratory has lived up to expectations.", "c"),
]


@pytest.fixture
def memory():
    return TranslationMemory(UNITS)


def test_exact_ignores_width_spacing_and_half_width_punctuation(memory):
    assert memory.exact(BUGLE) == [UNITS[0]]
    assert memory.exact(" 宁波推进新型工业化的冲锋号 已经吹响。") == [UNITS[0]]
    assert memory.exact("宁波常住人口达到１１００万。") == [UNITS[3]]
    assert memory.exact("宁波推进新型工业化的冲锋号已经吹响！") == []
    assert memory.exact("") == []


def test_exact_returns_each_distinct_translation_once():
    memory = TranslationMemory(
        [Unit(BUGLE, "One.", "a"), Unit(BUGLE, "One.", "b"), Unit(BUGLE + " ", "Two.", "c"), Unit(BUGLE, "One.", "d")]
    )
    assert [(u.target, u.origin) for u in memory.exact(BUGLE)] == [("One.", "a"), ("Two.", "c")]
    assert len(memory) == 4 and memory.distinct_sources == 1


def test_units_with_nothing_to_match_or_reuse_are_ignored():
    memory = TranslationMemory([Unit("  ", "x", "a"), Unit(BUGLE, " ", "a")])
    assert len(memory) == 0 and memory.fuzzy(BUGLE) == []


def test_fuzzy_finds_similar_sources_best_first(memory):
    query = "宁波推进新型工业化的冲锋号已吹响。"
    matches = memory.fuzzy(query)
    assert [m.unit for m in matches] == [UNITS[0], UNITS[1]]
    assert matches[0].similarity == pytest.approx(similarity(query, BUGLE))
    assert matches[0].similarity > matches[1].similarity >= 0.75
    assert not any(m.numbers_differ for m in matches)


def test_fuzzy_respects_threshold_and_limit(memory):
    query = "宁波推进新型工业化的冲锋号已吹响。"
    assert [m.unit for m in memory.fuzzy(query, limit=1)] == [UNITS[0]]
    cutoff = memory.fuzzy(query)[1].similarity
    assert [m.unit for m in memory.fuzzy(query, threshold=cutoff + 1e-6)] == [UNITS[0]]
    assert memory.fuzzy("完全不同的一句话。") == []


def test_fuzzy_includes_exact_matches(memory):
    (best, *_) = memory.fuzzy(BUGLE)
    assert best.unit == UNITS[0] and best.similarity == 1.0 and best.percent == 100


def test_fuzzy_flags_a_match_whose_numbers_differ(memory):
    (match,) = memory.fuzzy("宁波常住人口达到1200万。")
    assert match.unit == UNITS[3] and match.numbers_differ
    assert match.similarity == pytest.approx(1 - 1 / 14)


def test_ties_keep_the_order_units_were_added():
    memory = TranslationMemory([Unit("宁波甲乙", "first", "a"), Unit("宁波甲丙", "second", "b")])
    assert [m.unit.target for m in memory.fuzzy("宁波甲丁", threshold=0.5)] == ["first", "second"]


def test_a_tie_at_the_cut_is_still_decided_by_order():
    # Both score 0.6 against the query; the bigram bound is 0.8 for "宁宁宁波"
    # but exactly 0.6 for "宁波甬", so "宁宁宁波" is verified first. The
    # search must not stop before "宁波甬", added first, claims the tie.
    memory = TranslationMemory([Unit("宁波甬", "added first", "a"), Unit("宁宁宁波", "added second", "b")])
    (match,) = memory.fuzzy("宁波甬宁波", threshold=0.6, limit=1)
    assert (match.unit.target, match.similarity) == ("added first", pytest.approx(0.6))


def test_units_added_after_a_lookup_are_found(memory):
    query = "宁波舟山港吞吐量全球第一。"
    assert memory.fuzzy(query) == []
    memory.add(Unit("宁波舟山港吞吐量全球第一！", "Ningbo-Zhoushan Port leads the world!", "d"))
    assert [m.unit.origin for m in memory.fuzzy(query)] == ["d"]


def test_percent_is_rounded_down():
    unit = Unit("a", "b", "c")
    assert Match(unit, 0.7499, False).percent == 74
    assert Match(unit, 0.82, False).percent == 82  # 0.82 * 100 is 81.99999999999999 in floating point
    assert Match(unit, 1.0, False).percent == 100


@pytest.mark.parametrize("threshold,limit", [(0.0, 3), (1.01, 3), (0.75, 0)])
def test_bad_arguments(memory, threshold, limit):
    with pytest.raises(ValueError):
        memory.fuzzy(BUGLE, threshold=threshold, limit=limit)


def test_an_empty_memory():
    memory = TranslationMemory()
    assert memory.fuzzy(BUGLE) == [] and memory.exact(BUGLE) == []
    assert memory.build_index().size == 0


def brute_force(units: list[Unit], source: str, threshold: float, limit: int) -> list[tuple[float, str]]:
    """Compare ``source`` with every unit: what the index must reproduce.
    Ties go to the unit whose source key was added first, then to the unit
    added first; a repeated (key, target) pair counts once."""
    first_of_key: dict[str, int] = {}
    seen, scored = set(), []
    for number, unit in enumerate(units):
        key = match_key(unit.source)
        if not key or not unit.target.strip() or (key, unit.target) in seen:
            continue
        seen.add((key, unit.target))
        first_of_key.setdefault(key, number)
        score = similarity(source, unit.source)
        if score >= threshold:
            scored.append((-score, first_of_key[key], number, unit.target))
    return [(round(-negative, 9), target) for negative, _, _, target in sorted(scored)[:limit]]


# Few characters, short texts: many near matches, repeated bigrams, ties.
_sources = st.text(alphabet="宁波甬江工业化新型，。12", min_size=1, max_size=14)


@settings(max_examples=120, deadline=None)
@given(
    sources=st.lists(_sources, min_size=1, max_size=40),
    query=_sources,
    threshold=st.sampled_from([0.2, 0.5, 0.6, 0.75, 0.9, 1.0]),
    limit=st.integers(1, 5),
)
def test_index_lookup_equals_a_full_scan(sources, query, threshold, limit):
    units = [Unit(s, f"T{i}", "doc") for i, s in enumerate(sources)]  # distinct targets
    got = [(round(m.similarity, 9), m.unit.target) for m in TranslationMemory(units).fuzzy(query, threshold, limit)]
    assert got == brute_force(units, query, threshold, limit)


def test_fuzzy_returns_each_distinct_translation_of_a_source_once():
    # A source stored with two translations is two suggestions; stored twice
    # with the same translation, one. No unit is ever returned twice.
    query = "宁波推进新型工业化的冲锋号已吹响。"
    memory = TranslationMemory(
        [Unit(BUGLE, "One.", "a"), Unit(BUGLE, "Two.", "b"), Unit(BUGLE + " ", "One.", "c"), Unit(BUGLE, "One.", "d")]
    )
    matches = memory.fuzzy(query, limit=5)
    assert [(m.unit.target, m.unit.origin) for m in matches] == [("One.", "a"), ("Two.", "b")]
    assert matches[0].similarity == matches[1].similarity == pytest.approx(similarity(query, BUGLE))
