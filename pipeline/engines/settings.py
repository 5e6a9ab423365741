"""Decoding settings, the same for every neural engine: threads, beam,
batch size in tokens, and the cap on output length.

The CLI's ``--threads``, ``--beam-size``, ``--batch-size`` and
``--max-decoding-length`` fill :class:`DecodingSettings`; an engine decides
what each means for its backend (the Argos engine: CTranslate2 workers of
one thread each) and plans its batches with :mod:`.batching`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace

#: Default cap on output length, proportional to the longest source in the
#: batch: RATIO × source tokens + SLACK, at most MAX. English SentencePiece
#: output for Chinese input runs to about 1–1.5 tokens per source token;
#: the cap only stops runaway (looping) output.
MAX_LENGTH_RATIO = 2.0
MAX_LENGTH_SLACK = 10
MAX_LENGTH_CEILING = 512

#: Decoder positions per batch: sentences × beam × cap. CTranslate2 keeps,
#: per decoder layer, a key and a value cache of positions × d_model floats
#: and reallocates them at every step; at d_model 512 (Argos's packages)
#: 8192 positions are 16 MiB, under the 32 MiB up to which
#: :mod:`.allocator` keeps freed memory for reuse. Larger batches gain
#: little once the cache no longer fits (``BENCHMARKS.md``), and this bounds
#: the memory of one batch whatever the catalog's size.
CACHE_POSITIONS = 8192


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class DecodingSettings:
    """Decoding settings. ``threads`` is the total CPU threads; the Argos
    engine runs them as that many workers of one thread each, which measured
    best on small machines (see BENCHMARKS.md). Argos's default of 0 intra
    threads means CTranslate2's default of 4 per worker, which oversubscribes
    2 cores. A batch holds at most ``batch_size`` source tokens (padded) and
    ``cache_positions`` decoder positions (sentences × beam × cap)."""

    threads: int | None = None
    beam_size: int = 4
    batch_size: int = 1024  # source tokens per batch, padding included
    max_decoding_length: int | None = None  # None: proportional to the source
    cache_positions: int = CACHE_POSITIONS

    @property
    def workers(self) -> int:
        return max(1, self.threads or available_cores())

    def cap_for(self, longest_source: int) -> int:
        """The cap on output tokens for a batch whose longest source has
        ``longest_source`` tokens."""
        if self.max_decoding_length:
            return self.max_decoding_length
        return min(MAX_LENGTH_CEILING, math.ceil(MAX_LENGTH_RATIO * longest_source) + MAX_LENGTH_SLACK)

    @property
    def cap_label(self) -> str:
        """The cap as a draft's signature spells it: ``12``, or ``2x+10``
        when it is proportional to the source."""
        if self.max_decoding_length:
            return str(self.max_decoding_length)
        return f"{MAX_LENGTH_RATIO:g}x+{MAX_LENGTH_SLACK}"

    def shared_by(self, jobs: int) -> DecodingSettings:
        """These settings for one of ``jobs`` processes: the CPU threads
        shared out between them (at least one each)."""
        return replace(self, threads=max(1, self.workers // jobs))
