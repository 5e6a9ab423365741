"""The bigram index: its similarity bound never undercuts the true similarity."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.tm.index import BigramIndex, _sorted_distinct_pairs
from pipeline.tm.similarity import key_similarity

_keys = st.text(alphabet="宁波甬江工业ab", min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(_keys, min_size=1, max_size=25, unique=True), _keys)
def test_the_bound_is_never_below_the_similarity(keys, query):
    bounds = BigramIndex(keys).upper_bounds(query)
    for key, bound in zip(keys, bounds.tolist(), strict=True):
        assert bound >= key_similarity(query, key) - 1e-12, (query, key)


def test_the_bound_is_tight_for_a_single_substitution():
    # 宁波工业 / 宁波商业: 2 of 5 padded bigrams lost, one edit, similarity 3/4.
    (bound,) = BigramIndex(["宁波商业"]).upper_bounds("宁波工业").tolist()
    assert bound == key_similarity("宁波工业", "宁波商业") == 0.75


def test_candidates_come_best_bound_first():
    index = BigramIndex(["完全不同", "宁波工业化", "宁波工业"])
    ids, bounds = index.candidates("宁波工业", 0.5)
    assert ids == [2, 1] and bounds[0] == 1.0 > bounds[1]


def test_postings_list_each_key_once_per_bigram():
    index = BigramIndex(["哈哈哈哈", "哈哈"])
    # Padded bigrams: ^哈 哈哈 哈$ for both keys.
    assert index.gram_counts.tolist() == [3, 3]
    assert len(index.grams) == 3 and index.postings.tolist() == [0, 1] * 3


def test_the_lexsort_path_for_huge_memories_agrees_with_the_packed_one():
    rng = np.random.default_rng(0)
    grams = rng.integers(0, 2**42, size=500, dtype=np.uint64)[rng.integers(0, 50, size=2000)]
    owners = rng.integers(0, 300, size=2000).astype(np.int64)
    packed = _sorted_distinct_pairs(grams, owners, 300)
    general = _sorted_distinct_pairs(grams, owners, 2**23)  # too many keys to pack into 64 bits
    assert all(np.array_equal(a, b) for a, b in zip(packed, general, strict=True))
    assert len(packed[0]) == len(set(zip(grams.tolist(), owners.tolist(), strict=True)))
