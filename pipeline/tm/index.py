"""An inverted index of character bigrams, for finding fuzzy-match candidates.

Every match key is padded (``\\x02`` + key + ``\\x03``, so that even a
one-character key has bigrams and the ends of a sentence count) and cut
into its distinct character bigrams; bigrams suit Chinese, where two
characters are the typical word. The index maps each bigram to the sorted
ids of the keys that contain it, as NumPy arrays (CSR layout), built in a
few vectorised passes.

For a query, one ``bincount`` over the postings of its bigrams gives the
number of bigrams every key shares with it. That count bounds the edit
distance from below: one edit destroys at most two bigram occurrences, so
a key within ``d`` edits of the query keeps all but at most ``2d`` of the
query's distinct bigrams (and the query all but ``2d`` of the key's)::

    d >= max(|len(q) - len(k)|, ceil((max(G(q), G(k)) - shared) / 2))

which gives an upper bound on the similarity of every key at once. Only
keys whose bound reaches the threshold are candidates, and they are
verified best bound first, so the search stops as soon as no remaining
bound can beat the matches found. The result is exact: the same as
comparing the query with every key, in a fraction of the time.
"""

from __future__ import annotations

import numpy as np

_PAD_START, _PAD_END = "\x02", "\x03"
_CODE_BITS = 21  # every Unicode code point fits in 21 bits


def _padded_codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _bigram_codes(key: str) -> np.ndarray:
    """The distinct padded bigrams of ``key``, as sorted integers."""
    codes = _padded_codes(_PAD_START + key + _PAD_END)
    return np.unique((codes[:-1] << _CODE_BITS) | codes[1:])


def _sorted_distinct_pairs(grams: np.ndarray, owners: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``(gram, owner)`` pairs, sorted by gram, then owner."""
    if not len(grams):
        return grams, owners
    owner_bits = max(1, (count - 1).bit_length())
    if 2 * _CODE_BITS + owner_bits <= 64:
        # One sort of a packed 64-bit integer is several times faster than a lexsort.
        packed = np.sort((grams << np.uint64(owner_bits)) | owners.astype(np.uint64))
        packed = packed[np.r_[True, packed[1:] != packed[:-1]]]
        return packed >> np.uint64(owner_bits), (packed & np.uint64((1 << owner_bits) - 1)).astype(np.int64)
    order = np.lexsort((owners, grams))
    grams, owners = grams[order], owners[order]
    distinct = np.r_[True, (grams[1:] != grams[:-1]) | (owners[1:] != owners[:-1])]
    return grams[distinct], owners[distinct]


class BigramIndex:
    """Bigram postings and the per-key figures the similarity bound needs."""

    def __init__(self, keys: list[str]):
        count = len(keys)
        self.size = count
        self.lengths = np.fromiter(map(len, keys), dtype=np.int64, count=count)
        codes = _padded_codes("".join(_PAD_START + key + _PAD_END for key in keys))
        owner = np.repeat(np.arange(count, dtype=np.int64), self.lengths + 2)
        inside = owner[:-1] == owner[1:]  # no bigram spans two keys
        grams = ((codes[:-1] << _CODE_BITS) | codes[1:])[inside]
        owners = owner[:-1][inside]
        grams, owners = _sorted_distinct_pairs(grams, owners, count)
        self.postings = owners.astype(np.int32)
        self.gram_counts = np.bincount(self.postings, minlength=count).astype(np.int64)
        starts = np.flatnonzero(np.r_[True, grams[1:] != grams[:-1]]) if len(grams) else np.zeros(0, np.int64)
        self.grams = grams[starts]
        self.offsets = np.r_[starts, len(grams)].astype(np.int64)

    def nbytes(self) -> int:
        """Memory held by the index arrays."""
        return sum(a.nbytes for a in (self.lengths, self.postings, self.gram_counts, self.grams, self.offsets))

    def upper_bounds(self, key: str) -> np.ndarray:
        """For every indexed key, an upper bound on its similarity to ``key``."""
        query = _bigram_codes(key)
        found = np.searchsorted(self.grams, query)
        inside = found < len(self.grams)
        found, query_inside = found[inside], query[inside]
        found = found[self.grams[found] == query_inside]
        if len(found):
            postings = np.concatenate([self.postings[self.offsets[i] : self.offsets[i + 1]] for i in found.tolist()])
            shared = np.bincount(postings, minlength=self.size)
        else:
            shared = np.zeros(self.size, dtype=np.int64)
        length = len(key)
        longest = np.maximum(self.lengths, length)
        min_edits = np.maximum(
            np.abs(self.lengths - length),
            (np.maximum(self.gram_counts, len(query)) - shared + 1) // 2,
        )
        return 1.0 - min_edits / np.maximum(longest, 1)

    def candidates(self, key: str, threshold: float) -> tuple[list[int], list[float]]:
        """Ids of the keys whose similarity to ``key`` may reach ``threshold``,
        best bound first (ties in id order), with their bounds."""
        bounds = self.upper_bounds(key)
        ids = np.flatnonzero(bounds >= threshold - 1e-9)
        ids = ids[np.argsort(-bounds[ids], kind="stable")]
        return ids.tolist(), bounds[ids].tolist()
