"""What each stage last saw, so that a re-run over unchanged files does no work.

Every stage is a pure function of its inputs (source bytes, catalog,
model, options). The cache records, per document and stage, a fingerprint
of the inputs and what the stage concluded; a stage whose inputs have the
same fingerprint skips its work. Files are fingerprinted by size and
nanosecond mtime (catalogs, which tools rewrite) or by SHA-256 (sources).
The cache is machine-local (``locales/.pipeline-cache.json``, git-ignored);
deleting it only costs time. So a cache that cannot be read (a link, a
FIFO, garbage) counts as no cache, and one that cannot be written (a full
disk, a read-only ``locales/``) is a warning: the outputs it describes were
written.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from . import __version__
from .atomicfile import atomic_write_text, read_regular
from .errors import PipelineError, WriteError


def file_signature(path: Path) -> list[int] | None:
    """``[size, mtime_ns]`` of ``path``, or None when it does not exist."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_size, st.st_mtime_ns]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class StageCache:
    """A JSON map ``stage → document → record``, tied to the pipeline version.

    A command opens it once and saves it once, as a context manager
    (``with StageCache(ws.cache_path) as cache:``): saved on the way out,
    whether the stages finished or failed, so the work that was done is
    remembered."""

    def __init__(self, path: Path, data: dict | None = None):
        """The cache at ``path``; ``data``, when given, is a snapshot already
        read (parallel workers share the parent's instead of re-reading it)."""
        self.path = path
        self.data: dict = {}
        if data is None:
            try:  # never through a link: a planted one could lead anywhere
                data = json.loads(read_regular(path, str(path), follow_links=False))
            except (ValueError, RecursionError, OSError, PipelineError):
                data = {}
        if isinstance(data, dict) and data.get("version") == __version__:
            self.data = data
        self.data["version"] = __version__
        self.dirty = False

    def __enter__(self) -> StageCache:
        return self

    def __exit__(self, *exc_info) -> None:
        self.save()

    def get(self, stage: str, doc: str) -> dict | None:
        return self.data.get(stage, {}).get(doc)

    def put(self, stage: str, doc: str, record: dict) -> None:
        self.data.setdefault(stage, {})[doc] = record
        self.dirty = True

    def forget(self, stage: str, doc: str) -> None:
        if self.data.get(stage, {}).pop(doc, None) is not None:
            self.dirty = True

    def save(self) -> None:
        """Write the cache if it changed. A cache that cannot be written is
        a warning on stderr, never an error: it only saves time."""
        if self.dirty:
            try:
                atomic_write_text(self.path, json.dumps(self.data, ensure_ascii=False, sort_keys=True))
            except WriteError as exc:
                print(
                    f"warning: {self.path}: stage cache not saved ({exc.reason}); the next run redoes its work",
                    file=sys.stderr,
                )
            self.dirty = False
