"""The workspace layout, defined once, and which files a workspace may use.

A workspace is a directory holding ``seeds/`` (source documents) and
``locales/`` (catalogs, in Babel's layout)::

    seeds/<doc>.txt
    locales/<doc>.pot                      the template
    locales/en/LC_MESSAGES/<doc>.po        the English catalog
    locales/glossary.tsv                   the termbase (zh, en, type, note)
    locales/glossary-candidates.tsv        suggested terms, not yet confirmed
    locales/tm/*.tmx                       imported translation memories
    build/<doc>.en.txt ...                 editions (``--out``)

A workspace may come from someone else (a clone, a tarball) and sit where
other users can write. So every path of this layout, and every source a
catalog names, must lie inside the workspace once links are followed
(:meth:`Workspace.inside`), and a file must be a regular file
(:meth:`Workspace.regular_file`); otherwise it is refused with one line.
Links that stay inside the workspace are followed; the workspace itself
may be reached through a link.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .atomicfile import clean_stale_temp_files, is_under, not_regular, open_lock_file, outside
from .errors import PipelineError, UnsafePathError, WorkspaceBusy, WriteError
from .languages import TARGET
from .sources import SUPPORTED_SUFFIXES, document_name
from .textsafety import first_unsafe

# Machine-local files in locales/: never committed (pipeline.scaffold ignores them).
LOCK_FILE = ".pipeline.lock"
#: One lock file per document, ``locales/.locks/<doc>.lock``, held around
#: each read-modify-write of that document's catalog and history.
CATALOG_LOCKS_DIR = ".locks"
#: The one workspace-wide catalog lock of earlier versions: no longer
#: created nor taken; one left by them is harmless (and still ignored).
OLD_CATALOG_LOCK_FILE = ".catalogs.lock"
CACHE_FILE = ".pipeline-cache.json"
#: How long a writer waits for a document's catalog lock before it gives up
#: with one line (:class:`CatalogLockBusy`).
CATALOG_LOCK_WAIT_SECONDS = 30.0


class CatalogLockBusy(WorkspaceBusy):
    """A document's catalog lock stayed held past the wait: another writer
    holds it (a long save, or a process frozen while holding it). Nothing
    was written; the same write may succeed later."""

    def __init__(self, message: str, doc: str):
        super().__init__(message)
        self.doc = doc


_wait_seconds: float | None = None


@contextmanager
def catalog_lock_waits(seconds: float) -> Iterator[None]:
    """Within this block, this process's catalog locks wait ``seconds``
    instead of :data:`CATALOG_LOCK_WAIT_SECONDS` (a Celery worker's setting
    for a document held up by another writer; it tries the document again
    later: :mod:`pipeline.distributed.celery_app`)."""
    global _wait_seconds
    outer, _wait_seconds = _wait_seconds, seconds
    try:
        yield
    finally:
        _wait_seconds = outer


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
        return self.output_dir(self.root / "build")

    @property
    def cache_path(self) -> Path:
        """Machine-local record of what each stage last saw (see pipeline.cache).

        Its directory is checked here; the cache itself is read without
        following a link and replaced, never written through one."""
        return self.inside(self.locales) / CACHE_FILE

    @property
    def glossary(self) -> Path:
        return self.regular_file(self.locales / "glossary.tsv")

    @property
    def glossary_candidates(self) -> Path:
        """Suggested terms waiting for a person to confirm them."""
        return self.regular_file(self.locales / "glossary-candidates.tsv")

    @property
    def translation_memory(self) -> Path:
        """Imported TMX files live here; reviewed catalogs are read directly."""
        return self.inside(self.locales / "tm")

    def template_path(self, doc: str) -> Path:
        return self.regular_file(self.locales / f"{doc}.pot")

    def catalog_dir(self, lang: str = TARGET.gettext) -> Path:
        return self.inside(self.locales / lang / "LC_MESSAGES")

    def catalog_path(self, doc: str, lang: str = TARGET.gettext) -> Path:
        return self.regular_file(self.locales / lang / "LC_MESSAGES" / f"{doc}.po")

    # --- which paths may be used ---------------------------------------------------

    def inside(self, path: Path, display: str | None = None) -> Path:
        """``path``, unchanged, once it is known to lie inside the workspace
        with every link followed (it need not exist yet). Otherwise
        :class:`UnsafePathError`, one line naming ``display`` (default: the
        path as the workspace names it) and never quoting the file."""
        if not is_under(os.path.realpath(path), self._real_root):
            raise outside(display or self.display(path))
        return path

    @cached_property
    def _real_root(self) -> str:
        return os.path.realpath(self.root)

    def regular_file(self, path: Path, display: str | None = None) -> Path:
        """:meth:`inside`, and a regular file or nothing yet: a directory,
        FIFO, device or socket in its place is refused with one line."""
        display = display or self.display(path)
        self.inside(path, display)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return path
        except OSError as exc:  # a loop of links, a permission
            raise UnsafePathError(f"{display}: cannot be used ({exc.strerror})") from None
        if not stat.S_ISREG(st.st_mode):
            raise not_regular(display, st.st_mode)
        return path

    def output_dir(self, path: Path) -> Path:
        """Where editions go: any directory the user names, but one that is
        inside the workspace by name (``build``, the default) must not lead
        out of it through a link."""
        if _lexically_within(path, self.root):
            self.inside(path)
        return path

    def source_ref(self, path: Path) -> str:
        """How a catalog records the source at ``path`` (relative to the
        workspace). The source must be a regular file inside the workspace."""
        self.regular_file(path)
        return self.relative(path)

    def recorded_source(self, written: str, display: str) -> Path:
        """The source a catalog records (``X-Pipeline-Source``), checked
        like any other: inside the workspace, a regular file."""
        return self.regular_file(self.resolve(written), display)

    def display(self, path: Path) -> str:
        """``path`` for a message: as the workspace names it when it lies
        inside by name, on one line whatever characters it holds."""
        if _lexically_within(path, self.root):
            text = Path(os.path.relpath(os.path.abspath(path), os.path.abspath(self.root))).as_posix()
        else:
            text = str(path)
        return repr(text) if first_unsafe(text, name=True) is not None else text

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
        """Every supported source document under ``seeds/``, by name.

        Subdirectories are skipped; a link out of the workspace, a FIFO or
        a device named like a source is refused."""
        if not self.seeds.is_dir():
            raise PipelineError(f"no source documents given and no {self.seeds} directory")
        seeds = self.inside(self.seeds)
        sources = []
        for path in sorted(seeds.iterdir()):
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            self.inside(path)
            if not path.is_dir():
                sources.append(self.regular_file(path))
        return sources

    def documents(self) -> list[str]:
        """Names of the documents that have an English catalog."""
        directory = self.catalog_dir()
        if not directory.is_dir():
            return []
        return sorted(document_name(p) for p in directory.glob("*.po"))

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
                raise PipelineError(
                    f"{doc}: no catalog at {self.relative(self.catalog_path(doc))}; run 'pipeline extract' first"
                )
            docs.append(doc)
        return docs

    @contextmanager
    def catalog_lock(self, doc: str, timeout: float | None = None):
        """Hold the short lock around one read-modify-write of ``doc``'s
        catalog (and its history), ``locales/.locks/<doc>.lock``; one that
        stays held past ``timeout`` (default: :data:`CATALOG_LOCK_WAIT_SECONDS`,
        or what :func:`catalog_lock_waits` says) is :class:`CatalogLockBusy`.

        Batch commands hold :meth:`lock` for their whole run; review decisions,
        translation flushes and merges also take this one around each write,
        so a reviewer's decision and a flush never interleave. One lock per
        document: a writer of one document (a worker frozen mid-flush) never
        holds up another document's saves.

        The lock files stay: a lock file is never unlinked, since a writer
        that opened it just before would then lock a file no longer in
        the directory while the next one locks a new file (docs/scaling.md)."""
        if timeout is None:
            timeout = _wait_seconds if _wait_seconds is not None else CATALOG_LOCK_WAIT_SECONDS
        fd = self._catalog_lock_file(doc)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise CatalogLockBusy(
                            f"{self.display(self.locales / CATALOG_LOCKS_DIR / _lock_name(doc))}: "
                            f"the catalog of {doc!r} stayed locked for {timeout:g}s; try again",
                            doc,
                        ) from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(fd)

    def catalog_lock_for(self, doc: str):
        """:meth:`catalog_lock` of ``doc`` as a callable taking no argument
        (``update_catalog``'s ``lock=``)."""
        return functools.partial(self.catalog_lock, doc)

    @contextmanager
    def lock(self):
        """Hold the workspace's write lock; refuse if another command holds it.

        Once it holds the lock, a command removes the temporary files that
        killed writes left in the directories we write."""
        fd = self._lock_file(LOCK_FILE)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
                raise WorkspaceBusy(
                    f"{self.root}: another pipeline command (pid {holder if holder.isdecimal() else '?'}) "
                    "is writing this workspace; wait for it to finish"
                ) from None
            try:  # who holds it, for the message above; a full disk must not stop the command here
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            except OSError:
                pass
            self._clean_stale_temp_files()
            yield
        finally:
            os.close(fd)

    def _catalog_lock_file(self, doc: str) -> int:
        directory = self.inside(self.locales / CATALOG_LOCKS_DIR)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(f"{self.display(directory)}: cannot be created ({exc.strerror})", exc.strerror) from None
        name = _lock_name(doc)
        return open_lock_file(directory, name, self.root, self.display(directory / name))

    def _lock_file(self, name: str) -> int:
        locales = self.inside(self.locales)
        try:
            locales.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(f"{self.display(locales)}: cannot be created ({exc.strerror})", exc.strerror) from None
        return open_lock_file(locales, name, self.root, self.display(locales / name))

    def _clean_stale_temp_files(self) -> None:
        for directory in (
            self.locales,
            self.locales / TARGET.gettext / "LC_MESSAGES",
            self.locales / "tm",
            self.root / "build",
        ):
            clean_stale_temp_files(directory, self.root)


def _lock_name(doc: str) -> str:
    """The lock file of ``doc`` in ``locales/.locks/``: ``<doc>.lock``, a
    document's name being a file's stem; a name that could not be one file's
    name there (a separator, too long once ``.lock`` is added) locks by its
    digest instead."""
    name = f"{doc}.lock"
    if "/" in doc or "\0" in doc or len(os.fsencode(name)) > 255:
        name = hashlib.sha256(os.fsencode(doc)).hexdigest() + ".lock"
    return name


def _lexically_within(path: Path, root: Path) -> bool:
    """Whether ``path`` names something under ``root`` without following links."""
    return is_under(os.path.abspath(path), os.path.abspath(root))
