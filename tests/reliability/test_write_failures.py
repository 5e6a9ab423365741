"""Writes that fail, and writes that were killed.

Issue 12, Low items. A full disk, a read-only ``locales/`` or a directory
where a catalog should be gives one line and exit 1, never a traceback, and
every file is left as it was. A cache that cannot be written is a warning:
the outputs it describes were written. Temporary files left by a killed
write are removed the next time a command takes the workspace lock, and
nothing else is.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipeline import atomicfile
from pipeline.errors import PipelineError
from pipeline.workspace import Workspace
from tests.conftest import REPO, SEED_NAME
from tests.reliability.support import refused, succeeds, tree_bytes

CHANGED_SEED = "宁波打出一张王牌。\n\n崔平很忙。\n"


def _no_temp_files(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in root.rglob("*.tmp")]


# --- a full disk -----------------------------------------------------------------


def test_a_full_disk_is_one_line_and_leaves_every_file_as_it_was(extracted, monkeypatch):
    (extracted / "seeds" / f"{SEED_NAME}.txt").write_text(CHANGED_SEED, encoding="utf-8")
    before = tree_bytes(extracted / "locales")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    message = refused("extract", "-w", extracted)
    assert "No space left on device" in message
    after = tree_bytes(extracted / "locales")
    assert {k: v for k, v in after.items() if not k.endswith(".lock")} == {
        k: v for k, v in before.items() if not k.endswith(".lock")
    }
    assert _no_temp_files(extracted) == []


def test_atomic_write_failing_is_a_pipeline_error_naming_the_file(tmp_path, monkeypatch):
    target = tmp_path / "file.txt"
    target.write_bytes(b"old")

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(PipelineError) as info:
        atomicfile.atomic_write(target, b"new content")
    assert str(target) in str(info.value) and "No space left on device" in str(info.value)
    assert target.read_bytes() == b"old" and _no_temp_files(tmp_path) == []


def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@contextmanager
def _mounted(kind_args: list[str], where: Path):
    where.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", *kind_args, str(where)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount here: {proc.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _pipeline(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


@pytest.mark.skipif(not _can_mount(), reason="needs root to mount a small tmpfs (a real full disk)")
def test_a_real_full_disk_in_a_subprocess(tmp_path, seed_path):
    with _mounted(["-t", "tmpfs", "-o", "size=4m", "tmpfs"], tmp_path / "disk") as disk:
        ws = disk / "ws"
        (ws / "seeds").mkdir(parents=True)
        shutil.copyfile(seed_path, ws / "seeds" / seed_path.name)
        first = _pipeline("extract", "-w", ws)
        assert first.returncode == 0, first.stderr
        before = tree_bytes(ws / "locales")
        (ws / "seeds" / seed_path.name).write_text(CHANGED_SEED, encoding="utf-8")
        with open(disk / "filler", "wb") as filler:  # fill the disk to the last block
            try:
                while True:
                    filler.write(b"\0" * 65536)
                    filler.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        for command in ("extract", "build"):
            result = _pipeline(command, "-w", ws)
            assert "Traceback" not in result.stderr, result.stderr
            if command == "extract":
                assert result.returncode == 1
                lines = result.stderr.strip().splitlines()
                assert len(lines) == 1 and "No space left on device" in lines[0], result.stderr
        after = tree_bytes(ws / "locales")
        assert {k: v for k, v in after.items() if k.endswith((".po", ".pot"))} == {
            k: v for k, v in before.items() if k.endswith((".po", ".pot"))
        }
        assert _no_temp_files(ws) == []


# --- a read-only locales/ ----------------------------------------------------------


@contextmanager
def _read_only(directory: Path):
    """``directory`` (and what is under it) read-only for this process: by
    mode bits for a user, by a read-only bind mount for root."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [directory, *directory.rglob("*")] if p.is_dir()}
        for p in modes:
            p.chmod(0o555)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    if not _can_mount():
        pytest.skip("root without mount cannot make a directory read-only")
    with _mounted(["--bind", str(directory)], directory):
        proc = subprocess.run(["mount", "-o", "remount,bind,ro", str(directory)], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot remount read-only: {proc.stderr.strip()}")
        yield


def test_build_with_a_read_only_locales_writes_the_editions_and_warns_about_the_cache(extracted):
    locales = extracted / "locales"
    (locales / ".pipeline-cache.json").unlink()
    with _read_only(locales):
        result = succeeds("build", "-w", extracted)
    assert "warning:" in result.stderr and ".pipeline-cache.json" in result.stderr
    assert (extracted / "build" / f"{SEED_NAME}.en.txt").is_file()


def test_extract_with_a_read_only_locales_is_one_line(extracted):
    (extracted / "seeds" / f"{SEED_NAME}.txt").write_text(CHANGED_SEED, encoding="utf-8")
    before = tree_bytes(extracted / "locales")
    with _read_only(extracted / "locales"):
        message = refused("extract", "-w", extracted)
    assert "read-only" in message.lower() or "permission denied" in message.lower()
    assert tree_bytes(extracted / "locales") == before


# --- a directory where a catalog should be -----------------------------------------


def test_a_directory_named_like_a_catalog_is_one_line(extracted):
    (extracted / "locales" / "en" / "LC_MESSAGES" / "x.po").mkdir()
    for command in ("status", "build", "check"):
        assert "x.po" in refused(command, "-w", extracted)


def test_a_directory_where_a_new_catalog_goes_is_one_line(bare_workspace):
    (bare_workspace / "seeds" / "x.txt").write_text(CHANGED_SEED, encoding="utf-8")
    (bare_workspace / "locales" / "en" / "LC_MESSAGES" / "x.po").mkdir(parents=True)
    assert "x.po" in refused("extract", "-w", bare_workspace)


# --- temporary files of killed writes ----------------------------------------------

_KILLED_WRITE = """
import os, sys, time
from pathlib import Path
from pipeline import atomicfile
def stop(*args, **kwargs):
    print("writing", flush=True)
    time.sleep(300)
atomicfile.os.fsync = stop  # killed between the write and the rename
atomicfile.atomic_write(Path(sys.argv[1]), b"half of a new catalog")
"""


def _old(path: Path) -> Path:
    past = time.time() - 3600
    os.utime(path, (past, past))
    return path


def test_temporary_files_of_a_killed_write_are_removed_by_the_next_writer(extracted):
    catalog = Workspace(extracted).catalog_path(SEED_NAME)
    writer = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITE, str(catalog)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert writer.stdout.readline().strip() == "writing"
        (left,) = catalog.parent.glob(".*.tmp")
        # While the writer lives, its temporary file is its own.
        succeeds("extract", "-w", extracted)
        assert left.exists()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    _old(left)
    succeeds("extract", "-w", extracted)
    assert not left.exists()


def _stale(path: Path, data: bytes = b"partial") -> Path:
    path.write_bytes(data)
    return _old(path)


def test_only_our_own_stale_temporary_files_are_removed(extracted):
    catalogs = extracted / "locales" / "en" / "LC_MESSAGES"
    ours = [
        _stale(catalogs / f".{SEED_NAME}.po.pipeline-k3j2h1g0.tmp"),
        _stale(extracted / "locales" / f".{SEED_NAME}.pot.pipeline-abcd_123.tmp"),
        _stale(catalogs / f".{SEED_NAME}.po.x7y6z5w4.tmp"),  # older versions' name, beside its catalog
    ]
    theirs = [
        _stale(catalogs / "notes.tmp"),
        _stale(catalogs / ".mine.tmp"),
        _stale(catalogs / ".unrelated.po.abcdefgh.tmp"),  # no unrelated.po beside it
        _stale(extracted / "seeds" / f".{SEED_NAME}.txt.pipeline-k3j2h1g0.tmp"),  # seeds/ is never written
    ]
    fresh = catalogs / f".{SEED_NAME}.po.pipeline-fresh000.tmp"  # a write may be starting right now
    fresh.write_bytes(b"partial")
    outside = _stale(extracted.parent / "outside.po.pipeline-aaaaaaaa.tmp", b"not ours to remove")
    (catalogs / ".linked.po.pipeline-bbbbbbbb.tmp").symlink_to(outside)
    (catalogs / ".dir.po.pipeline-cccccccc.tmp").mkdir()
    succeeds("extract", "-w", extracted)
    assert [p.name for p in ours if p.exists()] == []
    assert [p.name for p in theirs if not p.exists()] == []
    assert fresh.exists() and outside.read_bytes() == b"not ours to remove"
    assert (catalogs / ".dir.po.pipeline-cccccccc.tmp").is_dir()


def test_a_locked_temporary_file_is_never_removed(extracted):
    catalogs = extracted / "locales" / "en" / "LC_MESSAGES"
    busy = _stale(catalogs / f".{SEED_NAME}.po.pipeline-busy0000.tmp", b"being written")
    fd = os.open(busy, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        succeeds("extract", "-w", extracted)
        assert busy.exists()
    finally:
        os.close(fd)
