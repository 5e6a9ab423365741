"""A write killed inside the compare-and-swap never costs another program
its save (pipeline.catalog.store, pipeline.atomicfile).

The store swaps its finished file with the catalog (RENAME_EXCHANGE); if
somebody saved between its last check and the swap, what it swapped out is
their save, and it swaps it straight back. A SIGKILL between those two
renames leaves their save under our temporary name. The next command that
takes the workspace lock cleans up after killed writes: it must keep that
file (as ``<catalog>.conflict-<ns>``, with one warning line), never delete
it, and still delete what it can prove is ours or saved elsewhere.

The kills are real: a child process runs ``update_catalog`` and SIGKILLs
itself at the exact step (a wrapper around the store's ``exchange``).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline import atomicfile
from pipeline.atomicfile import STALE_AFTER_SECONDS, clean_stale_temp_files, swap_path
from pipeline.catalog import load_catalog, save_catalog, store
from pipeline.catalog.template import new_catalog
from pipeline.workspace import Workspace
from tests.conftest import REPO

DOC = "doc"

#: The child: update the catalog (a machine draft for 甲。) and die by SIGKILL
#: at ``moment``: ``before-swap`` (renamed, not yet swapped), ``after-swap``
#: (swapped, nothing else saved), ``after-their-swap`` (somebody saved just
#: before the swap, so the file swapped out is their save).
CHILD = r"""
import os, signal, sys
from pathlib import Path
from pipeline.catalog import store
from pipeline.catalog.states import find, set_machine_draft

path, moment, theirs = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
real = store.exchange

def exchange_then_die(a, b):
    if moment == "before-swap":
        os.kill(os.getpid(), signal.SIGKILL)
    if moment == "after-their-swap":  # Poedit saves between the check and the swap
        tmp = path.with_name("poedit-save.tmp")
        tmp.write_bytes(theirs.read_bytes())
        os.replace(tmp, path)
    real(a, b)
    os.kill(os.getpid(), signal.SIGKILL)

def change(catalog):
    set_machine_draft(find(catalog, (None, "甲。")), "Machine draft.", "fake:test@0")
    return catalog

store.exchange = exchange_then_die
store.update_catalog(path, change)
"""


def _catalog(**strings: str):
    catalog = new_catalog(DOC, f"seeds/{DOC}.txt", locale="en")
    for msgid in ("甲。", "乙。"):
        catalog.add(msgid, strings.get(msgid, ""))
    return catalog


@pytest.fixture
def ws(tmp_path) -> Workspace:
    if not store.exchange(tmp_path, tmp_path):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available here")
    ws = Workspace(tmp_path / "ws")
    save_catalog(ws.catalog_path(DOC), _catalog())
    return ws


@pytest.fixture
def theirs(tmp_path) -> Path:
    """Another program's save: a translator's own translation of 乙。."""
    path = tmp_path / "theirs.po"
    save_catalog(path, _catalog(**{"乙。": "Typed in Poedit."}))
    return path


def _killed_at(ws: Workspace, moment: str, theirs: Path) -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(ws.catalog_path(DOC)), moment, str(theirs)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr


def _leftovers(ws: Workspace) -> list[Path]:
    return sorted(p for p in ws.catalog_dir().iterdir() if p.name != f"{DOC}.po")


def _later(monkeypatch, seconds: float = 2 * STALE_AFTER_SECONDS) -> None:
    """The cleanup runs ``seconds`` from now (the clock it reads; a file's
    ctime cannot be set back, its mtime is set back as well)."""
    now = time.time()
    monkeypatch.setattr(atomicfile, "time", SimpleNamespace(time=lambda: now + seconds, time_ns=time.time_ns))


def _age(path: Path, seconds: float = 2 * STALE_AFTER_SECONDS) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_their_save_left_by_a_kill_between_the_swap_and_the_swap_back_is_kept(ws, theirs, monkeypatch, caplog):
    their_bytes = theirs.read_bytes()
    _killed_at(ws, "after-their-swap", theirs)

    po = ws.catalog_path(DOC)
    assert load_catalog(po)["甲。"].string == "Machine draft."  # ours went in; theirs was swapped out
    [swapped_out] = _leftovers(ws)
    assert swapped_out.read_bytes() == their_bytes

    # Stale by its mtime but just renamed (a live swap looks like this): left alone.
    _age(swapped_out)
    clean_stale_temp_files(ws.catalog_dir(), ws.root)
    assert [p.read_bytes() for p in _leftovers(ws)] == [their_bytes], "their save was deleted"
    assert _leftovers(ws) == [swapped_out]  # not even moved: a live swap may be about to put it back

    # The next command that takes the workspace lock, well after the threshold.
    _later(monkeypatch)
    with caplog.at_level(logging.WARNING), ws.lock():
        pass
    [aside] = _leftovers(ws)
    assert aside.name.startswith(f"{DOC}.po.conflict-")
    assert aside.read_bytes() == their_bytes  # every byte of their save survives
    assert load_catalog(aside)["乙。"].string == "Typed in Poedit."
    assert load_catalog(po)["甲。"].string == "Machine draft."  # the catalog itself is not touched
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert f"{DOC}.po" in warnings[0] and aside.name in warnings[0]

    with ws.lock():  # and it stays: nothing is ever deleted twice over
        pass
    assert _leftovers(ws) == [aside]


@pytest.mark.parametrize("moment", ["after-swap", "before-swap"])
def test_what_a_kill_leaves_that_is_provably_ours_is_still_cleaned_up(ws, theirs, moment, monkeypatch, caplog):
    """Swapped out with nobody else saving: the version the write read (and
    replaced by one made from it). Killed before the swap: the write's own
    file. Neither is anybody's save: deleted, without a warning."""
    before = ws.catalog_path(DOC).read_bytes()
    _killed_at(ws, moment, theirs)
    [left] = _leftovers(ws)
    assert (left.read_bytes() == before) == (moment == "after-swap")
    _later(monkeypatch)
    with caplog.at_level(logging.WARNING), ws.lock():
        pass
    assert _leftovers(ws) == []
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]


def test_a_swap_file_is_deleted_only_when_its_bytes_are_kept_elsewhere(ws, monkeypatch):
    """By the digests in its name, or by the catalog's own bytes (a name too
    long for the digests has only the latter); anything else is kept."""
    po = ws.catalog_path(DOC)
    catalog_bytes = po.read_bytes()
    read, wrote = b"\x01" * 32, b"\x02" * 32  # digests of bytes that are nowhere
    tmp = str(ws.catalog_dir() / f".{DOC}.po.pipeline-abcd1234.tmp")
    with_digests = Path(swap_path(tmp, read, wrote))
    without = Path(tmp.removesuffix(".tmp") + ".swp")
    assert with_digests != without and len(with_digests.name) > len(without.name)
    with_digests.write_bytes(b"somebody's save\n")
    without.write_bytes(catalog_bytes)  # the catalog's own bytes: nothing to lose
    _age(with_digests)
    _age(without)
    _later(monkeypatch)
    removed = clean_stale_temp_files(ws.catalog_dir(), ws.root)
    assert removed == [without.name]
    [aside] = _leftovers(ws)
    assert aside.name.startswith(f"{DOC}.po.conflict-") and aside.read_bytes() == b"somebody's save\n"
    assert po.read_bytes() == catalog_bytes
