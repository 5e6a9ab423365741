"""glibc's allocator keeps freed decoder-cache memory for the next step."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.engines import allocator

glibc = pytest.mark.skipif(allocator.glibc() is None, reason="glibc's mallopt")

# The C library's malloc and free, for the scripts below.
LIBC = """
import ctypes
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = (ctypes.c_void_p,)
"""

# What CTranslate2 does at every decoding step: allocate a cache a little
# larger than the last, fill it, free the old one. Prints the page faults.
CHURN = (
    LIBC
    + """
import resource, sys
from pipeline.engines.allocator import keep_freed_memory
applied = keep_freed_memory() if sys.argv[1] == "tuned" else None
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for step in range(100):
    size = (8 << 20) + step * 4096
    block = libc.malloc(size)
    ctypes.memset(block, 1, size)
    libc.free(block)
print(applied, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""
)


def _faults(mode: str, env: dict) -> tuple[str, int]:
    out = subprocess.run([sys.executable, "-c", CHURN, mode], capture_output=True, text=True, check=True, env=env)
    applied, faults = out.stdout.split()
    return applied, int(faults)


@glibc
def test_freed_blocks_are_reused_instead_of_faulted_in_again():
    applied, tuned = _faults("tuned", env=_clean_env())
    _, default = _faults("default", env=_clean_env())
    assert applied == "True"
    pages = (8 << 20) // 4096
    assert default > 50 * pages  # glibc's default unmaps each block: its pages fault in every time
    assert tuned < 5 * pages  # tuned: the pages of the first blocks are reused


@glibc
def test_user_settings_are_kept(monkeypatch):
    for name in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES"):
        monkeypatch.delenv(name, raising=False)
    assert not allocator.user_tuned()
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
    assert allocator.user_tuned() and allocator.keep_freed_memory() is False
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_")
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=1048576")
    assert allocator.user_tuned() and allocator.keep_freed_memory() is False


def _clean_env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if not (k.startswith("MALLOC_") or k == "GLIBC_TUNABLES")}


RELEASE = (
    LIBC
    + """
from pipeline.engines.allocator import keep_freed_memory, release_free_memory
def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS:")).split()[1]) // 1024
assert keep_freed_memory()
blocks = [libc.malloc(1 << 20) for _ in range(200)]
for b in blocks:
    ctypes.memset(b, 1, 1 << 20)
base = rss()
for b in blocks[:-1]:  # the last block pins the top of the heap: no plain trim
    libc.free(b)
kept = rss()
release_free_memory()
print(base, kept, rss())
"""
)


@glibc
def test_free_memory_is_released_between_batches():
    out = subprocess.run([sys.executable, "-c", RELEASE], capture_output=True, text=True, check=True, env=_clean_env())
    base, kept, released = map(int, out.stdout.split())
    assert kept > base - 20  # kept for reuse: freeing alone gives nothing back
    assert released < kept - 150  # malloc_trim hands the ~199 MiB back
