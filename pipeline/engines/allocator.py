"""glibc's allocator, set up for CTranslate2's decoding on the CPU.

At every decoding step CTranslate2 allocates each decoder layer's key and
value cache afresh, one position longer, copies the old one in and frees it
(``posix_memalign``/``free``, no cache of its own on the CPU). With glibc's
defaults, blocks of a few MiB are mapped with ``mmap`` and unmapped again on
``free``, or trimmed off the top of the heap, so every step the kernel
zero-fills the same pages again. Measured on the Transformer-base shape
(beam 4, 256 steps, 16 sentences per batch, one thread): 1.84 s user +
2.68 s system CPU per sentence with the defaults, 1.74 s + 0.03 s with the
settings below (``BENCHMARKS.md``).

The settings: allocations up to 32 MiB (the largest threshold glibc allows
on 64-bit) come from the heap, and freed memory up to 1 GiB stays in the
process for the next step. The engine's batch plan keeps each cache tensor
under 32 MiB (:data:`pipeline.engines.settings.CACHE_POSITIONS`).

Keeping freed memory has a price: blocks freed while one batch decodes are
not all reused by the next (fragmentation), so the heap would creep up over
a long job. :func:`release_free_memory` (``malloc_trim``) hands the free
pages back once per batch, a cost of a few page faults per batch instead of
per step, so peak memory stays the model plus the batches in progress.

Users who tune glibc themselves (``MALLOC_*_`` variables or
``glibc.malloc`` tunables) keep their settings.
"""

from __future__ import annotations

import ctypes
import functools
import os
import platform
import sys

# mallopt(3) parameters
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3

SETTINGS = (
    (M_MMAP_THRESHOLD, 32 << 20),
    (M_TRIM_THRESHOLD, 1 << 30),
    (M_TOP_PAD, 256 << 20),
)

#: The environment variables with which a user sets the same parameters.
USER_VARIABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")


def user_tuned() -> bool:
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    return any(name in os.environ for name in USER_VARIABLES) or any(
        f"glibc.malloc.{name}" in tunables for name in ("mmap_threshold", "trim_threshold", "top_pad")
    )


@functools.cache
def glibc():
    """The C library, if it is glibc (looked up once: ``platform.libc_ver``
    reads the interpreter's binary); otherwise None."""
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    libc.mallopt.restype = ctypes.c_int
    return libc


def keep_freed_memory() -> bool:
    """Apply :data:`SETTINGS` with ``mallopt``; True if they were applied.
    Elsewhere than glibc, or when the user tuned glibc, nothing changes."""
    libc = glibc()
    if libc is None or user_tuned():
        return False
    return all(libc.mallopt(param, value) == 1 for param, value in SETTINGS)


def release_free_memory() -> None:
    """Return free heap pages to the kernel (``malloc_trim``); glibc only."""
    libc = glibc()
    if libc is not None:
        libc.malloc_trim(0)
