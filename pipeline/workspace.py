"""The workspace layout, defined once.

A workspace is a directory holding ``seeds/`` (source documents) and
``locales/`` (catalogs, in Babel's layout)::

    seeds/<doc>.txt
    locales/<doc>.pot                      the template
    locales/en/LC_MESSAGES/<doc>.po        the English catalog
    locales/glossary.tsv                   the termbase (zh, en, type, note)
    locales/glossary-candidates.tsv        suggested terms, not yet confirmed
    locales/tm/*.tmx                       imported translation memories
    build/<doc>.en.txt ...                 editions (``--out``)
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import PipelineError, WorkspaceBusy
from .sources import SUPPORTED_SUFFIXES

TARGET_LANGUAGE = "en"
SOURCE_LANGUAGE = "zh_Hans"


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    @property
    def default_build(self) -> Path:
        return self.root / "build"

    @property
    def cache_path(self) -> Path:
        """Machine-local record of what each stage last saw (see pipeline.cache)."""
        return self.locales / ".pipeline-cache.json"

    @property
    def glossary(self) -> Path:
        return self.locales / "glossary.tsv"

    @property
    def glossary_candidates(self) -> Path:
        """Suggested terms waiting for a person to confirm them."""
        return self.locales / "glossary-candidates.tsv"

    @property
    def translation_memory(self) -> Path:
        """Imported TMX files live here; reviewed catalogs are read directly."""
        return self.locales / "tm"

    def template_path(self, doc: str) -> Path:
        return self.locales / f"{doc}.pot"

    def catalog_path(self, doc: str, lang: str = TARGET_LANGUAGE) -> Path:
        return self.locales / lang / "LC_MESSAGES" / f"{doc}.po"

    def relative(self, path: Path) -> str:
        """``path`` as written in catalogs: relative to the workspace, with
        forward slashes, when it lies inside it."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.resolve().as_posix()

    def resolve(self, written: str) -> Path:
        path = Path(written)
        return path if path.is_absolute() else self.root / path

    def default_sources(self) -> list[Path]:
        """Every supported source document under ``seeds/``, by name."""
        if not self.seeds.is_dir():
            raise PipelineError(f"no source documents given and no {self.seeds} directory")
        return sorted(p for p in self.seeds.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)

    def documents(self) -> list[str]:
        """Names of the documents that have an English catalog."""
        directory = self.catalog_path("x").parent
        if not directory.is_dir():
            return []
        return sorted(p.stem for p in directory.glob("*.po"))

    def resolve_documents(self, names: tuple[str, ...] | list[str]) -> list[str]:
        """Document names from arguments that may be names or source paths."""
        if not names:
            docs = self.documents()
            if not docs:
                raise PipelineError(f"no catalogs in {self.locales}; run 'pipeline extract' first")
            return docs
        docs = []
        for name in names:
            doc = Path(name).stem if name.endswith(SUPPORTED_SUFFIXES + (".po", ".pot")) else name
            if not self.catalog_path(doc).exists():
                raise PipelineError(f"{doc}: no catalog at {self.relative(self.catalog_path(doc))}; run 'pipeline extract' first")
            docs.append(doc)
        return docs

    @contextmanager
    def catalog_lock(self, timeout: float = 30.0):
        """Hold the short lock around one read-modify-write of a catalog.

        Batch commands hold :meth:`lock` for their whole run; review decisions,
        translation flushes and merges also take this one around each write,
        so a reviewer's decision and a flush never interleave."""
        self.locales.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.locales / ".catalogs.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise WorkspaceBusy(f"{self.locales}: a catalog stayed locked for {timeout:g}s; try again") from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(fd)

    @contextmanager
    def lock(self):
        """Hold the workspace's write lock; refuse if another command holds it."""
        self.locales.mkdir(parents=True, exist_ok=True)
        path = self.locales / ".pipeline.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
                raise WorkspaceBusy(
                    f"{self.root}: another pipeline command (pid {holder}) is writing this workspace; "
                    "wait for it to finish"
                ) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            yield
        finally:
            os.close(fd)
