"""Decoding settings, the same for every engine: threads, beam, batch
size in tokens, and the cap on output length.

``pipeline.toml``'s ``[engine]`` keys and the CLI's ``--threads``,
``--beam-size``, ``--batch-size`` and ``--max-decoding-length`` fill
:class:`DecodingSettings`; an engine decides what each means for its
backend (the CTranslate2 engines: workers of one thread each on the CPU,
one worker per GPU on CUDA, :meth:`DecodingSettings.for_device`) and plans
its batches with :mod:`.batching`.

``run --jobs N`` runs N processes on one machine: they share the CPU
threads out (:meth:`DecodingSettings.shared_by`) and, on CUDA, the GPUs
(:func:`gpu_share`), so that no two processes load the model on every GPU.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace

# The devices and compute types are defined with the other engine choices;
# the command line reads them here.
from ..engine_choices import COMPUTE_TYPES, DEVICES  # noqa: F401

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

#: Source tokens per batch on the CPU when none is given.
BATCH_SIZE = 1024

#: On a GPU a batch is planned larger: the decoder's cache lives in GPU
#: memory (tens of GiB) and a GPU is only busy with hundreds of sentences at
#: once. 16384 source tokens and 262144 decoder positions (sentences × beam
#: × cap) are, at d_model 512 and float16, 0.5 GiB of key/value cache per
#: decoder layer: a few GiB for a Transformer-base model, far within an
#: H200's memory, and still a bound whatever the catalog's size.
GPU_BATCH_SIZE = 16384
GPU_CACHE_POSITIONS = 262144


def gpu_share(devices: int, process: int = 0, processes: int = 1) -> list[int]:
    """The GPUs (CTranslate2's ``device_index``) that process ``process`` of
    ``processes`` decodes on, on a machine with ``devices`` GPUs: round
    robin, GPU g to process g mod ``processes``, so that every GPU is used
    and, with no more processes than GPUs, none by two of them; with more
    processes than GPUs, process p has GPU p mod ``devices``. One process
    has every GPU; without a GPU, none."""
    if devices < 1:
        return []
    processes = max(1, processes)
    process %= processes
    return [gpu for gpu in range(devices) if gpu % processes == process] or [process % devices]


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class DecodingSettings:
    """Decoding settings. ``threads`` is the total CPU threads; the
    CTranslate2 engines run them on the CPU as that many workers of one
    thread each, which measured best on small machines (see BENCHMARKS.md;
    Argos's own default of 0 intra threads means CTranslate2's 4 per worker,
    which oversubscribes 2 cores). A batch holds at most ``batch_size``
    source tokens (padded) and ``cache_positions`` decoder positions
    (sentences × beam × cap); None for either is the device's default
    (:meth:`for_device`)."""

    threads: int | None = None
    beam_size: int = 4
    #: Source tokens per batch, padding included; None: the device's default
    #: (:data:`BATCH_SIZE` on the CPU, :data:`GPU_BATCH_SIZE` on CUDA).
    batch_size: int | None = None
    max_decoding_length: int | None = None  # None: proportional to the source
    #: Decoder positions per batch; None: the device's default.
    cache_positions: int | None = None
    #: This process's number among the ``processes`` of one run that share
    #: the machine (``run --jobs``): which GPUs it takes (:meth:`gpus`).
    process: int = 0
    processes: int = 1

    @property
    def workers(self) -> int:
        return max(1, self.threads or available_cores())

    @property
    def tokens_per_batch(self) -> int:
        return self.batch_size or BATCH_SIZE

    @property
    def positions_per_batch(self) -> int:
        return self.cache_positions or CACHE_POSITIONS

    def gpus(self, devices: int) -> list[int]:
        """The GPUs this process decodes on, of the machine's ``devices``
        (:func:`gpu_share`)."""
        return gpu_share(devices, self.process, self.processes)

    def for_device(self, device: str, devices: int = 1) -> DecodingSettings:
        """These settings as a CTranslate2 engine runs them on ``device``
        (``cpu`` or ``cuda``): on CUDA, one worker per GPU of this process's
        share of the ``devices`` (:meth:`gpus`) and batches planned for the
        GPU (:data:`GPU_BATCH_SIZE`, :data:`GPU_CACHE_POSITIONS`) unless
        given; on the CPU, unchanged."""
        if device != "cuda":
            return self
        return replace(
            self,
            threads=len(self.gpus(max(1, devices))),
            batch_size=self.batch_size or GPU_BATCH_SIZE,
            cache_positions=self.cache_positions or GPU_CACHE_POSITIONS,
        )

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
        shared out between them (at least one each); which one it is, for
        its share of the GPUs, :meth:`for_process` says."""
        return replace(self, threads=max(1, self.workers // jobs), processes=jobs)

    def for_process(self, number: int) -> DecodingSettings:
        """These settings for process ``number`` (from 0) of those
        :meth:`shared_by` shares them between."""
        return replace(self, process=number % self.processes)
