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

Distributed runs (:mod:`pipeline.distributed`) keep **one record per
document** instead (:class:`DocumentRecords`,
``locales/.pipeline-cache.d/<doc>.json``, each written atomically by the
worker that ran the document), so that workers on many machines never
rewrite one shared file. The first distributed run migrates the records
of the single file (:meth:`DocumentRecords.migrate`); a local command
reads the per-document records over the single file's (they are newer:
a local command that changes a document's records removes its
per-document file), so what a distributed run did is skipped locally too.
"""

from __future__ import annotations

import hashlib
import json
import os
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
        from_disk = data is None
        if data is None:
            try:  # never through a link: a planted one could lead anywhere
                data = json.loads(read_regular(path, str(path), follow_links=False))
            except (ValueError, RecursionError, OSError, PipelineError):
                data = {}
        if isinstance(data, dict) and data.get("version") == __version__:
            self.data = data
        self.data["version"] = __version__
        self.dirty = False
        self._changed: set[str] = set()  # documents whose records this command changed
        self.records = DocumentRecords.beside(path)
        if from_disk and self.records.usable():  # a distributed run wrote per-document records: newer
            for doc, records in self.records.load_all().items():
                for stage, record in records.items():
                    self.data.setdefault(stage, {})[doc] = record

    def __enter__(self) -> StageCache:
        return self

    def __exit__(self, *exc_info) -> None:
        self.save()

    def get(self, stage: str, doc: str) -> dict | None:
        return self.data.get(stage, {}).get(doc)

    def put(self, stage: str, doc: str, record: dict) -> None:
        self.data.setdefault(stage, {})[doc] = record
        self.dirty = True
        self._changed.add(doc)

    def forget(self, stage: str, doc: str) -> None:
        if self.data.get(stage, {}).pop(doc, None) is not None:
            self.dirty = True
            self._changed.add(doc)

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
            else:  # the single file is the newest record of these documents now
                self.records.discard(self._changed)
            self.dirty = False
            self._changed.clear()


#: The directory of per-document records, beside the single file.
RECORDS_SUFFIX = ".d"
#: The stages that keep records, in the order they run.
STAGES = ("extract", "translate", "build")


class DocumentRecords:
    """One JSON file per document, ``{"version": ..., "<stage>": record}``:
    the stage cache of distributed runs. Each file is written atomically
    by the one worker that holds the document's lease; a file that cannot
    be read (garbage, a link, another version) counts as no record."""

    def __init__(self, directory: Path):
        self.directory = directory

    @classmethod
    def beside(cls, cache_path: Path) -> DocumentRecords:
        """The records that stand beside the single file at ``cache_path``
        (``locales/.pipeline-cache.d/``)."""
        return cls(cache_path.with_name(cache_path.stem + RECORDS_SUFFIX))

    def path(self, doc: str) -> Path:
        return self.directory / f"{doc}.json"

    def usable(self) -> bool:
        """Whether the directory exists and is a plain directory where it
        stands (a link planted in its place could lead anywhere)."""
        real = os.path.realpath(self.directory)
        return os.path.isdir(real) and real == os.path.join(
            os.path.realpath(self.directory.parent), self.directory.name
        )

    def load(self, doc: str) -> dict | None:
        """``{stage: record}`` of ``doc``, or None when there is no usable file."""
        return self._read(self.path(doc))

    def load_all(self) -> dict[str, dict]:
        found = {}
        if not self.usable():
            return found
        try:
            paths = sorted(self.directory.glob("*.json"))
        except OSError:
            return found
        for path in paths:
            records = self._read(path)
            if records is not None:
                found[path.stem] = records
        return found

    def save(self, doc: str, records: dict) -> None:
        """Write ``doc``'s records; a failure is a warning (it only costs time)."""
        data = {"version": __version__, **{s: r for s, r in records.items() if s in STAGES and r is not None}}
        try:
            self.directory.mkdir(exist_ok=True)
            if not self.usable():
                raise OSError(f"{self.directory} is not a directory of its own")
            atomic_write_text(self.path(doc), json.dumps(data, ensure_ascii=False, sort_keys=True))
        except (OSError, WriteError) as exc:
            print(
                f"warning: {self.path(doc)}: stage record not saved ({exc}); the next run redoes its work",
                file=sys.stderr,
            )

    def migrate(self, cache: StageCache, docs) -> int:
        """Give each of ``docs`` that has records in the single file and no
        file of its own one (the first distributed run over a workspace
        that local runs filled). Returns how many were written."""
        written = 0
        for doc in docs:
            if self.path(doc).exists():
                continue
            records = {stage: cache.get(stage, doc) for stage in STAGES}
            if any(records.values()):
                self.save(doc, records)
                written += 1
        return written

    def discard(self, docs) -> None:
        if not docs or not self.usable():
            return
        for doc in docs:
            try:
                self.path(doc).unlink()
            except FileNotFoundError:
                pass
            except OSError:
                pass

    @staticmethod
    def _read(path: Path) -> dict | None:
        try:  # never through a link, as the single file
            data = json.loads(read_regular(path, str(path), follow_links=False))
        except (ValueError, RecursionError, OSError, PipelineError):
            return None
        if not isinstance(data, dict) or data.get("version") != __version__:
            return None
        return {stage: data[stage] for stage in STAGES if isinstance(data.get(stage), dict)}
