"""Safe file access: atomic replacement, reads that refuse what is not a
plain file, and the cleanup after writes that were killed.

- A reader, or a crash, sees the old file or the new one, never half of
  each: every write goes through a temporary file, fsync and rename.
- The temporary file is created with ``O_EXCL | O_NOFOLLOW`` (never through
  a planted link) and held under ``flock`` while it exists, so that a later
  command can tell a killed write's leftover from a write in progress.
- The rename replaces a link at the target, never the file it points to.
- A failed write (full disk, read-only directory) is one :class:`WriteError`
  and leaves the old file as it was.
- A temporary file that may hold another program's save (the swap of
  :mod:`pipeline.catalog.store`) is never deleted by the cleanup unless its
  bytes are proven to be saved elsewhere: otherwise it is kept beside the
  catalog as ``<name>.conflict-<ns>``, with a warning.
- Reads open without blocking and refuse FIFOs, devices and directories,
  so ``/dev/zero`` or a FIFO named like a catalog cannot hang a command.

Which paths a workspace may use at all is decided in
:mod:`pipeline.workspace`, with :func:`lies_within` from here.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import logging
import os
import re
import secrets
import stat
import time
from pathlib import Path

from .errors import UnsafePathError, WriteError

log = logging.getLogger(__name__)

#: Our temporary files: ``.<target name>.pipeline-<8 characters>.tmp``
#: beside the target.
TEMP_MARK = "pipeline-"
_TEMP_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_"
_OURS = re.compile(r"\..+\." + TEMP_MARK + r"[a-z0-9_]{8}\.tmp")
# What versions before the mark left (tempfile.mkstemp's names), recognised
# only beside the file they were replacing.
_LEGACY = re.compile(r"\.(?P<target>.+)\.[a-z0-9_]{8}\.tmp")
#: The compare-and-swap's temporary file while it is being swapped with the
#: catalog (:func:`swap_path`): ``.<target>.pipeline-<8>.<R><W>.swp``, R and W
#: the first 16 hex digits of the SHA-256 of the version read and of the one
#: written (both left out where the name would be too long).
_SWAP = re.compile(
    r"\.(?P<target>.+)\." + TEMP_MARK + r"[a-z0-9_]{8}(?:\.(?P<read>[0-9a-f]{16})(?P<wrote>[0-9a-f]{16}))?\.swp"
)
_DIGITS = 16
#: A temporary file younger than this may belong to a write that is just
#: starting (created, not yet locked); it is left alone.
STALE_AFTER_SECONDS = 60.0

_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


def atomic_write(path: Path, data: bytes, install=os.replace) -> bool:
    """Write ``data`` to ``path`` through a temporary file, fsync and rename.

    ``install(tmp, path)`` puts the finished temporary file in place
    (default :func:`os.replace`); :mod:`pipeline.catalog.store` passes a
    compare-and-swap.

    A file that already holds ``data`` is left alone (no write, no new
    mtime); returns whether the file was written. A file that cannot be
    written raises :class:`WriteError` and is left as it was."""
    if _holds(path, data):
        return False
    mode = _regular_mode(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_temp(path, private=mode is not None)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # in use: see clean_stale_temp_files
        _write_all(fd, data)
        os.fsync(fd)
        if mode is not None:
            os.fchmod(fd, mode)  # the replaced file's mode, exactly
        install(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        os.close(fd)
        if isinstance(exc, OSError):
            raise _cannot_write(path, exc) from None
        raise
    os.close(fd)
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        raise WriteError(f"{path}: written, but not yet safe on disk ({_reason(exc)})", _reason(exc)) from None
    return True


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _cannot_write(path: Path, exc: OSError) -> WriteError:
    return WriteError(f"{path}: cannot write ({_reason(exc)}); the file was left as it was", _reason(exc))


def atomic_write_text(path: Path, text: str) -> bool:
    return atomic_write(path, text.encode("utf-8"))


def _create_temp(path: Path, private: bool) -> tuple[int, str]:
    """A new temporary file beside ``path``: never an existing file, never
    through a link. Created with the default mode (0o666 less the umask,
    applied by the kernel), or ``private`` (0o600) when the caller will give
    it the replaced file's mode once written."""
    for _ in range(100):
        suffix = "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(8))
        tmp = os.path.join(path.parent, f".{path.name}.{TEMP_MARK}{suffix}.tmp")
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            return os.open(tmp, flags, 0o600 if private else 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(path.parent))


def _regular_mode(path: Path) -> int | None:
    """The permission bits of ``path`` when it is a regular file (not a
    link: a link's 0o777 must not become a file's)."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file (not a link) holding ``data``."""
    try:
        fd = os.open(path, _READ_FLAGS | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return False
        return _read_all(fd) == data
    except OSError:
        return False
    finally:
        os.close(fd)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


# --- reading ---------------------------------------------------------------------


def lies_within(path: Path | str, root: Path | str) -> bool:
    """Whether ``path``, with every link followed, is ``root`` or under it."""
    return is_under(os.path.realpath(path), os.path.realpath(root))


def is_under(path: str, root: str) -> bool:
    """Whether the path ``path`` is ``root`` or under it, by name (both
    absolute and already normalised or resolved)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def outside(display: str) -> UnsafePathError:
    """The refusal of a path that leads outside the workspace."""
    return UnsafePathError(
        f"{display}: leads outside the workspace (through a link, '..' or an absolute path); refused"
    )


def file_kind(mode: int) -> str:
    """``a directory``, ``a FIFO``... for a file that is not a regular one."""
    for test, kind in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a link"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def not_regular(display: str, mode: int) -> UnsafePathError:
    return UnsafePathError(f"{display}: is {file_kind(mode)}, not a regular file; refused")


def read_regular(path: Path, display: str, inside: Path | None = None, follow_links: bool = True) -> bytes:
    """The bytes of the regular file at ``path``.

    Refuses (:class:`UnsafePathError`) a FIFO, device, directory or socket
    without blocking on it; with ``inside``, a file that does not lie inside
    that directory, checked on the file actually opened (a link swapped in
    after a check cannot lead out); with ``follow_links=False``, a link.
    Other failures raise OSError, FileNotFoundError for a missing file."""
    try:  # not even opened: opening some devices does something
        mode = (os.stat if follow_links else os.lstat)(path).st_mode
    except OSError:
        mode = None  # the open below says why
    if mode is not None and not stat.S_ISREG(mode) and (follow_links or not stat.S_ISLNK(mode)):
        raise not_regular(display, mode)
    try:
        fd = os.open(path, _READ_FLAGS | (0 if follow_links else os.O_NOFOLLOW))
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_links and os.path.islink(path):
            raise UnsafePathError(f"{display}: is a link; refused") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise not_regular(display, st.st_mode)
        if inside is not None and not check_opened_within(fd, path, inside, display):
            raise UnsafePathError(f"{display}: changed while it was being opened; refused")
        return _read_all(fd)
    finally:
        os.close(fd)


def check_opened_within(fd: int, path: Path | str, inside: Path | str, display: str) -> bool:
    """Whether the file open as ``fd``, opened by ``path``, is still the one
    ``path`` leads to (False: replaced meanwhile; FileNotFoundError: gone);
    one that leads outside ``inside`` is refused (:class:`UnsafePathError`).
    Made on the file actually opened, so that a link swapped in between a
    check by path and the open cannot lead out."""
    held = os.fstat(fd)
    real = os.path.realpath(path)
    if not lies_within(real, inside):
        raise outside(display)
    now = os.stat(real)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


# --- locks -----------------------------------------------------------------------


def open_dir_within(directory: Path, inside: Path, display: str) -> int:
    """A descriptor of ``directory``, checked on the directory actually
    opened to lie inside ``inside``: files then opened relative to it
    (``dir_fd``) cannot be led out by a link swapped in after a check."""
    dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        real = os.path.realpath(directory)
        held, now = os.fstat(dir_fd), os.stat(real)
        if not lies_within(real, inside) or (held.st_dev, held.st_ino) != (now.st_dev, now.st_ino):
            raise outside(display)
    except BaseException:
        os.close(dir_fd)
        raise
    return dir_fd


def open_lock_file(directory: Path, name: str, inside: Path, display: str) -> int:
    """A descriptor of the lock file ``name`` in ``directory``, created if
    need be.

    Only in a directory inside ``inside``; never through a link
    (``O_NOFOLLOW``: a planted link would make us create or truncate its
    target); never a file with other names (a hard link) nor anything but
    a regular file (a FIFO, a device)."""
    try:
        dir_fd = open_dir_within(directory, inside, display)
    except OSError as exc:
        raise WriteError(f"{display}: cannot open the lock file ({_reason(exc)})", _reason(exc)) from None
    try:
        fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafePathError(f"{display}: is a link; a lock file must be a plain file (remove the link)") from None
        raise WriteError(f"{display}: cannot open the lock file ({_reason(exc)})", _reason(exc)) from None
    finally:
        os.close(dir_fd)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
        os.close(fd)
        kind = "a hard link to another file" if stat.S_ISREG(st.st_mode) else file_kind(st.st_mode)
        raise UnsafePathError(f"{display}: is {kind}; a lock file must be a plain file (remove it)")
    return fd


# --- the compare-and-swap's temporary file ---------------------------------------


def swap_path(tmp: str, read: bytes, wrote: bytes) -> str:
    """The name :mod:`pipeline.catalog.store` gives its temporary file ``tmp``
    just before swapping it with the catalog: from then on it may hold
    another program's save, and :func:`clean_stale_temp_files` deletes it
    only when its bytes are the version read (digest ``read``) or written
    (``wrote``) or the catalog's own. Without the digests where the name
    would be too long (then only the last is proof)."""
    base = tmp.removesuffix(".tmp")
    named = f"{base}.{read.hex()[:_DIGITS]}{wrote.hex()[:_DIGITS]}.swp"
    return named if len(os.fsencode(os.path.basename(named))) <= 255 else f"{base}.swp"


def conflict_name(target: str) -> str:
    """The name a version of ``target`` that could not stay in place is kept
    under, beside it (``<name>.conflict-<ns>``: not a ``.po``, so that no
    command takes it for a catalog)."""
    return f"{target}.conflict-{time.time_ns()}"


# --- cleaning up after killed writes ----------------------------------------------


def clean_stale_temp_files(directory: Path, inside: Path, older_than: float = STALE_AFTER_SECONDS) -> list[str]:
    """Remove the temporary files that killed writes left in ``directory``
    (a directory inside ``inside``); return their names.

    Only our own: a regular file (not a link) named like ours, that no live
    writer holds locked and that is older than ``older_than`` seconds (a
    write that is just starting has created its file and not yet locked
    it). Everything else is left alone; a file we cannot examine too.

    A compare-and-swap's file (:func:`swap_path`) may hold another
    program's save, swapped out by a write killed before it could swap it
    back: it is deleted only when its bytes are proven to be kept elsewhere,
    otherwise kept as ``<catalog>.conflict-<ns>`` with a warning. Its age
    counts from its last rename too (the ctime): the file a live swap has
    just taken out of place keeps its old mtime and is not locked."""
    removed: list[str] = []
    try:
        dir_fd = open_dir_within(directory, inside, str(directory))
    except (OSError, UnsafePathError):
        return removed
    try:
        now = time.time()
        for entry in list(os.scandir(dir_fd)):
            swap = _SWAP.fullmatch(entry.name)
            if swap is None and not _ours(entry.name, dir_fd):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
                age = now - (max(st.st_mtime, st.st_ctime) if swap else st.st_mtime)
                if not stat.S_ISREG(st.st_mode) or age < older_than:
                    continue
                fd = os.open(entry.name, _READ_FLAGS | os.O_NOFOLLOW, dir_fd=dir_fd)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a live writer holds its own
                    held = os.fstat(fd)
                    if (held.st_dev, held.st_ino) != (st.st_dev, st.st_ino):
                        continue
                    if swap is not None and not _redundant(swap, _read_all(fd), dir_fd):
                        _set_aside(entry.name, swap["target"], directory, dir_fd)
                        continue
                    os.unlink(entry.name, dir_fd=dir_fd)
                    removed.append(entry.name)
                finally:
                    os.close(fd)
            except OSError:  # BlockingIOError included: in use
                continue
    except OSError:
        pass
    finally:
        os.close(dir_fd)
    return removed


def _ours(name: str, dir_fd: int) -> bool:
    if _OURS.fullmatch(name):
        return True
    legacy = _LEGACY.fullmatch(name)
    if not legacy or legacy["target"].endswith(".tmp"):
        return False
    try:
        os.stat(legacy["target"], dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        return False
    return True


def _redundant(swap: re.Match, data: bytes, dir_fd: int) -> bool:
    """Whether a swap file holding ``data`` holds nothing that is not kept
    elsewhere: the version its write read (and replaced by one made from
    it), the version it wrote, or the bytes its catalog holds now."""
    digest = hashlib.sha256(data).hexdigest()[:_DIGITS]
    if swap["read"] is not None and digest in (swap["read"], swap["wrote"]):
        return True
    try:
        fd = os.open(swap["target"], _READ_FLAGS | os.O_NOFOLLOW, dir_fd=dir_fd)
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode) and _read_all(fd) == data
    finally:
        os.close(fd)


def _set_aside(name: str, target: str, directory: Path, dir_fd: int) -> None:
    """Keep the swap file ``name`` as ``<target>.conflict-<ns>``, never over
    an existing file, and say so in one line."""
    while True:
        aside = conflict_name(target)
        try:
            os.stat(aside, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            break
    os.rename(name, aside, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    shown = str(Path(directory) / target)
    log.warning(
        "%s: a command killed while saving it had swapped out another program's save; "
        "kept as %s (compare it with the catalog)",
        shown if shown.isprintable() else ascii(shown),
        aside if aside.isprintable() else ascii(aside),
    )
