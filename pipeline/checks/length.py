"""The ``length-ratio`` check: a translation far shorter or longer than
the length model of :mod:`pipeline.zh.length` expects for its source (the
model, its data and its bounds are described there). The model's names are
re-exported here for the checks that use it too (:mod:`.coverage`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from ..zh.length import (
    LENGTH_VARIANCE_FLOOR,
    LENGTH_VARIANCE_PER_HAN,
    LOG_CHARS_PER_HAN,
    MAX_LONG_Z,
    MAX_SHORT_Z,
    MIN_HAN_FOR_RATIO,
    TRANSLITERATION_WEIGHT,
    chars_per_han,
    length_z,
    weighted_han,
)
from .model import CheckContext

__all__ = [
    "LENGTH_VARIANCE_FLOOR",
    "LENGTH_VARIANCE_PER_HAN",
    "LOG_CHARS_PER_HAN",
    "MAX_LONG_Z",
    "MAX_SHORT_Z",
    "MIN_HAN_FOR_RATIO",
    "TRANSLITERATION_WEIGHT",
    "chars_per_han",
    "check_length_ratio",
    "length_z",
    "weighted_han",
]


def check_length_ratio(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """A translation far shorter or longer than the length model expects."""
    z = length_z(source, target)
    if z is None:
        return
    ratio = chars_per_han(source, target)
    expected = math.exp(LOG_CHARS_PER_HAN)
    if z < -MAX_SHORT_Z:
        yield (
            f"the translation is short: {ratio:.1f} characters per Chinese character "
            f"(expected about {expected:.1f} for a source this long)"
        )
    elif z > MAX_LONG_Z:
        yield (
            f"the translation is long: {ratio:.1f} characters per Chinese character "
            f"(expected about {expected:.1f} for a source this long)"
        )
