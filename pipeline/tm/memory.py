"""The translation memory: reviewed pairs, looked up exactly or fuzzily."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..zh.numbers import numbers_in
from .similarity import key_similarity, match_key
from .units import Unit

if TYPE_CHECKING:
    from .index import BigramIndex

#: Fuzzy matches below this similarity are not worth a reviewer's time.
DEFAULT_THRESHOLD = 0.75
DEFAULT_LIMIT = 3


@dataclass(frozen=True)
class Match:
    """A unit whose source resembles the one looked up.

    ``similarity`` is ``1 - Levenshtein / max length`` over the characters
    of the two match keys (:mod:`pipeline.tm.similarity`); ``numbers_differ``
    is True when the two sources do not mention the same numbers
    (:mod:`pipeline.zh.numbers`), so the match must not be reused as is.
    """

    unit: Unit
    similarity: float
    numbers_differ: bool

    @property
    def percent(self) -> int:
        """The similarity in whole percent, rounded down: a 74.9% match never
        shows as 75%."""
        return int(self.similarity * 100 + 1e-9)


class TranslationMemory:
    """Units indexed by match key, for exact and fuzzy lookup.

    Units with the same match key share one index entry; of several units
    with the same key and target only the first is returned. Ties are
    broken by the order units were added (``load_memory`` adds the
    workspace's catalogs first, then the imported TMX files by name). The
    bigram index is built on the first fuzzy lookup after units were added.
    """

    def __init__(self, units: Iterable[Unit] = ()):
        self._units: list[Unit] = []
        self._keys: list[str] = []
        self._key_ids: dict[str, int] = {}
        self._by_key: list[list[Unit]] = []  # distinct targets per key, in order added
        self._index: BigramIndex | None = None
        self.extend(units)

    def __len__(self) -> int:
        return len(self._units)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self._units)

    @property
    def distinct_sources(self) -> int:
        """Number of distinct match keys (what the index holds)."""
        return len(self._keys)

    def add(self, unit: Unit) -> None:
        """Add ``unit``. A unit with an empty source or target is ignored:
        there is nothing to match or nothing to reuse."""
        key = match_key(unit.source)
        if not key or not unit.target.strip():
            return
        self._units.append(unit)
        key_id = self._key_ids.get(key)
        if key_id is None:
            key_id = self._key_ids[key] = len(self._keys)
            self._keys.append(key)
            self._by_key.append([])
            self._index = None
        same_key = self._by_key[key_id]
        if all(other.target != unit.target for other in same_key):
            same_key.append(unit)

    def extend(self, units: Iterable[Unit]) -> None:
        for unit in units:
            self.add(unit)

    def exact(self, source: str) -> list[Unit]:
        """Units whose source has the same match key as ``source``, one per
        distinct translation, in the order they were added.

        The stored source can still differ from ``source`` in ways the key
        ignores (width, spacing, half-width punctuation): compare numbers
        before reusing one (:func:`pipeline.tm.reuse.reuse_from_memory` does).
        """
        key_id = self._key_ids.get(match_key(source))
        return [] if key_id is None else list(self._by_key[key_id])

    def fuzzy(self, source: str, threshold: float = DEFAULT_THRESHOLD, limit: int = DEFAULT_LIMIT) -> list[Match]:
        """The ``limit`` most similar units with similarity >= ``threshold``,
        best first; exact matches (similarity 1.0) included."""
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], not {threshold}")
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        key = match_key(source)
        if not key or not self._keys:
            return []
        ids, bounds = self.build_index().candidates(key, threshold)

        best: list[tuple[float, int, int]] = []  # (-similarity, key id, rank within key)
        for key_id, bound in zip(ids, bounds, strict=True):
            if len(best) >= limit and bound < -best[limit - 1][0] - 1e-12:
                break  # no remaining candidate can beat (or tie) the matches kept
            score = key_similarity(key, self._keys[key_id])
            if score < threshold:
                continue
            for rank in range(len(self._by_key[key_id])):
                bisect.insort(best, (-score, key_id, rank))
            del best[limit:]

        numbers = numbers_in(source)
        matches = []
        for negative, key_id, rank in best:
            unit = self._by_key[key_id][rank]
            matches.append(Match(unit, -negative, numbers_in(unit.source) != numbers))
        return matches

    def build_index(self) -> BigramIndex:
        """The bigram index, built now if units were added since the last one
        (fuzzy lookups call this; call it early to pay the cost up front)."""
        if self._index is None:
            from .index import BigramIndex  # NumPy is imported only when fuzzy lookup needs it

            self._index = BigramIndex(self._keys)
        return self._index

    def index_nbytes(self) -> int:
        """Memory held by the bigram index arrays (0 before the first fuzzy lookup)."""
        return self._index.nbytes() if self._index is not None else 0
