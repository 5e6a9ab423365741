"""What each stage last saw, so that a re-run over unchanged files does no work.

Every stage is a pure function of its inputs (source bytes, catalog,
model, options). The cache records, per document and stage, a fingerprint
of the inputs and what the stage concluded; a stage whose inputs have the
same fingerprint skips its work. Files are fingerprinted by size and
nanosecond mtime (catalogs, which tools rewrite) or by SHA-256 (sources).
The cache is machine-local (``locales/.pipeline-cache.json``, git-ignored);
deleting it only costs time.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import __version__
from .atomicfile import atomic_write_text


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
    """A JSON map ``stage → document → record``, tied to the pipeline version."""

    def __init__(self, path: Path, data: dict | None = None):
        """The cache at ``path``; ``data``, when given, is a snapshot already
        read (parallel workers share the parent's instead of re-reading it)."""
        self.path = path
        self.data: dict = {}
        if data is None:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (FileNotFoundError, ValueError, OSError):
                data = {}
        if isinstance(data, dict) and data.get("version") == __version__:
            self.data = data
        self.data["version"] = __version__
        self.dirty = False

    def get(self, stage: str, doc: str) -> dict | None:
        return self.data.get(stage, {}).get(doc)

    def put(self, stage: str, doc: str, record: dict) -> None:
        self.data.setdefault(stage, {})[doc] = record
        self.dirty = True

    def forget(self, stage: str, doc: str) -> None:
        if self.data.get(stage, {}).pop(doc, None) is not None:
            self.dirty = True

    def save(self) -> None:
        if self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path, json.dumps(self.data, ensure_ascii=False, sort_keys=True))
            self.dirty = False
