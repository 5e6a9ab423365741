"""Update a catalog on disk: the one read-modify-write of a PO file.

``translate`` saving drafts, a reviewer's decision and ``extract``'s merge
all change a catalog that a person may be editing in another program at
the same moment (Poedit, a text editor, a second review tab). They all go
through :func:`update_catalog`, which never writes over a save it has not
seen:

1. read the file and its identity (device, inode, size, mtime and a
   SHA-256 of the bytes, taken from one read through one descriptor; a
   file that changes while it is read is read again);
2. parse it and hand it to the caller's ``change``, which decides entry
   by entry against *this* version (a reviewed entry or a translator's
   edit is never overwritten: that rule is each caller's ``change``);
3. write the result to a temporary file (fsync), then, immediately before
   putting it in place, read the identity of the file again: if it is not
   the one read in step 1, somebody saved meanwhile, and everything starts
   again from step 1 (a compare-and-swap, retried);
4. put it in place with ``renameat2(RENAME_EXCHANGE)``: the old file is not
   deleted but swapped to the temporary name, and its identity is checked
   once more. If a save slipped in between step 3's check and the swap,
   that save is what was swapped out: it is swapped straight back, and
   the update starts again from step 1.

Our own writers also hold the document's catalog lock (``lock``), so
they never race each other; the compare-and-swap is for the programs that
do not take our lock.

Just before the swap the temporary file is renamed
``.<name>.pipeline-<8>.<read><written>.swp`` (:func:`~pipeline.atomicfile.swap_path`):
a write killed between the swap and the swap back leaves the other
program's save under that name, and the next command's cleanup of killed
writes keeps it beside the catalog as ``<name>.conflict-<ns>`` with a
warning instead of deleting it; it deletes such a file only when its bytes
are the version read or written (the digests in its name) or the
catalog's own.

What remains, honestly: without ``RENAME_EXCHANGE`` (not Linux, or a file
system without it) step 4 is a plain ``os.replace`` and a save that lands
in the microseconds between step 3's check and the rename is overwritten.
With it, a save lost needs two other saves inside those microseconds (the
second one's file is kept beside the catalog as ``<name>.conflict-…``) or
a program that writes through an already open descriptor without
truncating it.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import io
import logging
import os
import random
import stat
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..atomicfile import atomic_write, check_opened_within, conflict_name, not_regular, swap_path
from ..errors import CatalogError, UnsafePathError
from .pofile import Catalog, po_bytes, read_po

log = logging.getLogger(__name__)

#: How long an update is retried against a file that keeps changing (an
#: update takes a few milliseconds, an editor saves when a person asks).
RETRY_SECONDS = 30.0
#: How long a catalog that vanished is waited for (an editor that deletes
#: and re-creates the file on save), when the caller expects one.
MISSING_WAIT_SECONDS = 1.0
#: How long a catalog that does not parse is given to settle (an editor
#: writing it in place) before it is reported as broken.
SETTLE_SECONDS = 0.05


@dataclass(frozen=True)
class Identity:
    """What a file is: where it lives (device, inode) and what it holds."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    sha256: bytes


@dataclass(frozen=True)
class Snapshot:
    """The bytes of a file and its identity, from one read (None: no file)."""

    data: bytes | None
    identity: Identity | None


@dataclass
class Update:
    """The outcome of :func:`update_catalog`: the catalog as it is on disk
    now (None: no file), its bytes, and whether this update wrote it."""

    catalog: Catalog | None
    data: bytes | None
    written: bool
    attempts: int


class _Raced(Exception):
    """The file changed between our read and our write: read it again."""


def touch(catalog: Catalog, now: datetime | None = None) -> None:
    """Record a change in the PO-Revision-Date header."""
    catalog.revision_date = now or datetime.now(timezone.utc)


_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


def snapshot(path: Path | str, display: str | None = None, inside: Path | None = None) -> Snapshot:
    """Read ``path`` with its identity; a file that changed while it was
    being read (size or mtime moved) is read again. Something that is not
    a regular file (a FIFO, a directory) is refused, without blocking; with
    ``inside`` (the workspace), so is a file that does not lie inside it,
    checked on the file actually opened (:func:`~pipeline.atomicfile.check_opened_within`)."""
    display = display or str(path)
    data = after = None
    for _ in range(1000):
        try:
            fd = os.open(path, _READ_FLAGS)
        except FileNotFoundError:
            return Snapshot(None, None)
        except IsADirectoryError:
            raise not_regular(display, stat.S_IFDIR) from None
        try:
            before = os.fstat(fd)
            if not stat.S_ISREG(before.st_mode):
                raise not_regular(display, before.st_mode)
            if inside is not None and not _opened_within(fd, path, inside, display):
                continue  # replaced since the open (an editor saving): read it again
            with io.FileIO(fd, "rb", closefd=False) as fh:
                data = fh.readall()
            after = os.fstat(fd)
        finally:
            os.close(fd)
        if before.st_size == after.st_size == len(data) and before.st_mtime_ns == after.st_mtime_ns:
            break
    # (A file still changing after that many reads gets the identity of the
    # last one: a compare-and-swap against it fails, as it should.)
    if data is None:
        raise UnsafePathError(f"{display}: kept being replaced while it was being opened; refused")
    digest = hashlib.sha256(data).digest()
    return Snapshot(data, Identity(after.st_dev, after.st_ino, after.st_size, after.st_mtime_ns, digest))


def _opened_within(fd: int, path: Path | str, inside: Path, display: str) -> bool:
    """Whether ``path`` still names the file open as ``fd``, refusing one
    that does not lie inside ``inside``."""
    try:
        return check_opened_within(fd, path, inside, display)
    except FileNotFoundError:
        return False


# --- renameat2(RENAME_EXCHANGE) -------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _load_renameat2():
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # not glibc ≥ 2.28, or not Linux
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_renameat2 = _load_renameat2()


def exchange(a: Path | str, b: Path | str) -> bool:
    """Swap the files at ``a`` and ``b`` in one step. False where the system
    or the file system cannot; FileNotFoundError when one of them is gone."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


class _CompareAndSwap:
    """``atomic_write``'s last step: put the finished temporary file at
    ``path`` only if ``path`` is still the file we read (``expected``;
    None: there was no file, and there must still be none)."""

    def __init__(self, expected: Identity | None, written: bytes):
        self.expected = expected
        self.written = written  # the SHA-256 of what we write

    def __call__(self, tmp: str, path: Path) -> None:
        if self.expected is None:
            try:
                os.link(tmp, path)  # creates, never replaces
            except FileExistsError:
                raise _Raced() from None
            except OSError as exc:  # a file system without hard links
                if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS):
                    raise
                if os.path.lexists(path):
                    raise _Raced() from None
                os.replace(tmp, path)
                return
            os.unlink(tmp)
            return
        ours = os.stat(tmp).st_ino
        if snapshot(path).identity != self.expected:
            raise _Raced()
        # From the swap on, the file at the temporary name may be somebody
        # else's save: a name that says so, and which bytes would be ours
        # (a write killed before the swap back leaves it to the cleanup of
        # killed writes, which then keeps it instead of deleting it).
        swap = swap_path(tmp, self.expected.sha256, self.written)
        os.rename(tmp, swap)
        try:
            swapped = exchange(swap, path)
        except FileNotFoundError:  # deleted since the check (an editor re-creating it)
            _unlink(swap)
            raise _Raced() from None
        if not swapped:
            os.replace(swap, path)  # the check above was the compare-and-swap
            return
        displaced = snapshot(swap)
        if displaced.identity == self.expected or displaced.data is None:
            # The file we read, swapped out: done. (Gone already: taken by
            # another command's cleanup of killed writes, which deletes a
            # swap file only when it holds these bytes or ours.)
            _unlink(swap)
            return
        # Somebody saved between the check and the swap: what we swapped out
        # is their save. Put it back at once, then start again from it.
        try:
            exchange(swap, path)
        except FileNotFoundError:  # ours was deleted meanwhile (an editor re-creating the file)
            try:
                os.link(swap, path)  # theirs back, unless a newer save is there already
                _unlink(swap)
            except FileExistsError:
                _keep_aside(swap, path)
            raise _Raced() from None
        if os.stat(swap).st_ino != ours:
            # And a second save landed meanwhile: keep the newest at ``path``
            # and the other beside it, for a person to look at.
            exchange(swap, path)
            _keep_aside(swap, path)
        else:
            _unlink(swap)  # ours, back at the temporary name
        raise _Raced()


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _keep_aside(tmp: str, path: Path) -> None:
    """Keep a save we could not put back beside the catalog
    (:func:`~pipeline.atomicfile.conflict_name`)."""
    aside = path.with_name(conflict_name(path.name))
    os.replace(tmp, aside)
    log.warning("%s: two other programs saved it at the same moment; one version is kept as %s", path, aside.name)


def update_catalog(
    path: Path,
    change: Callable[[Catalog | None], Catalog | None],
    display: str | None = None,
    lock: Callable[[], AbstractContextManager] | None = None,
    wait_if_missing: bool = False,
    skip_same_bytes: bool = False,
    inside: Path | None = None,
) -> Update:
    """Apply ``change`` to the catalog at ``path`` and save it, without ever
    writing over a save made since it was read (see the module docstring).

    ``change`` receives the catalog as it is on disk now (None if there is
    no file) and returns the catalog to save with a new PO-Revision-Date,
    or None when it changed nothing (nothing is written); it may be called
    several times, each time on a fresh read, so it must decide everything
    from what it is given. What it raises is raised (after the lock is
    released). With ``skip_same_bytes``, a result that would write the
    bytes already on disk is not written (nor touched). ``lock`` is
    our own writers' lock (``Workspace.catalog_lock_for(doc)``), held throughout;
    ``wait_if_missing`` gives a catalog that vanished a moment to come
    back (an editor that deletes and re-creates the file on save);
    ``inside`` (the workspace's root) refuses a catalog that leads out of
    it, checked on the file read (:func:`snapshot`)."""
    display = display or str(path)
    with lock() if lock is not None else nullcontext():
        deadline = time.monotonic() + RETRY_SECONDS
        attempt = 0
        while attempt == 0 or time.monotonic() < deadline:
            attempt += 1
            current = _read(path, display, wait_if_missing, inside)
            if current is None:  # changed while it was being parsed: again
                continue
            snap, catalog = current
            result = change(catalog)
            if result is None:
                return Update(catalog, snap.data, False, attempt)
            if skip_same_bytes and po_bytes(result) == snap.data:
                return Update(result, snap.data, False, attempt)
            touch(result)
            data = po_bytes(result)
            try:
                atomic_write(path, data, install=_CompareAndSwap(snap.identity, hashlib.sha256(data).digest()))
            except _Raced:
                time.sleep(random.uniform(0, min(0.05, 0.0005 * 2 ** min(attempt, 7))))
                continue
            return Update(result, data, True, attempt)
    raise CatalogError(
        f"{display}: another program kept saving the catalog for {RETRY_SECONDS:g}s ({attempt} attempts); "
        "nothing was written over its saves, try again"
    )


def _read(
    path: Path, display: str, wait_if_missing: bool, inside: Path | None
) -> tuple[Snapshot, Catalog | None] | None:
    """The catalog at ``path`` with its snapshot (``inside``: see
    :func:`snapshot`); None when it changed while it was being parsed. A
    file that does not parse is given SETTLE_SECONDS to change (half-written
    in place by an editor) before it is reported."""
    snap = snapshot(path, display, inside)
    if snap.data is None and wait_if_missing:
        deadline = time.monotonic() + MISSING_WAIT_SECONDS
        while snap.data is None and time.monotonic() < deadline:
            time.sleep(0.005)
            snap = snapshot(path, display, inside)
    if snap.data is None:
        return snap, None
    try:
        return snap, read_po(io.BytesIO(snap.data), display)
    except CatalogError:
        time.sleep(SETTLE_SECONDS)
        if snapshot(path).identity != snap.identity:
            return None
        raise


def load_snapshot(path: Path, display: str | None = None, inside: Path | None = None) -> tuple[Catalog, bytes]:
    """Read the catalog at ``path`` consistently (see :func:`_read`), for a
    command that reads while an editor may be saving; with ``inside`` (the
    workspace's root), only a file that lies inside it."""
    display = display or str(path)
    deadline = time.monotonic() + RETRY_SECONDS
    while time.monotonic() < deadline:
        current = _read(path, display, True, inside)
        if current is not None:
            snap, catalog = current
            if catalog is None:
                raise CatalogError(f"{display}: no such catalog")
            return catalog, snap.data
    raise CatalogError(f"{display}: the catalog kept changing while it was being read; try again")
