"""Batch planning for engines that decode many sentences at once.

Segments go to the decoder sorted by length and cut into batches bounded
twice: by padded source tokens (``batch_size``) and by decoder positions
(sentences × beam × cap, ``cache_positions``), which bound the memory of
one batch whatever the catalog's size (see :mod:`.settings`).
"""

from __future__ import annotations

from collections.abc import Sequence

from .settings import DecodingSettings


def plan_batches(lengths: Sequence[int], settings: DecodingSettings) -> list[list[int]]:
    """Indices of segments of token ``lengths``, longest first, cut into
    batches within ``settings.tokens_per_batch`` padded tokens and
    ``settings.positions_per_batch`` decoder positions; a segment too long for
    either gets a batch of its own. Longest first, so that the short batches
    at the end fill the workers while the last long one finishes."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    for i in order:
        current = batches[-1] if batches else None
        if current:
            longest, n = lengths[current[0]], len(current) + 1
            if (
                n * longest <= settings.tokens_per_batch
                and n * settings.beam_size * settings.cap_for(longest) <= settings.positions_per_batch
            ):
                current.append(i)
                continue
        batches.append([i])
    return batches
