"""Attacks on the file-safety code itself (pipeline.atomicfile and
Workspace's checks): a link swapped between a check and an open, hard
links, loops of links, FIFOs where locks go, names too long to write.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline import atomicfile
from pipeline.atomicfile import atomic_write, read_regular
from pipeline.errors import PipelineError, UnsafePathError
from pipeline.workspace import Workspace
from tests.reliability.support import hang_guard, refused, succeeds


def test_a_link_swapped_in_while_a_source_is_opened_cannot_lead_out(tmp_path, monkeypatch):
    """The check is made on the file actually opened: a link that points out
    when the file is opened and back inside when it is checked is caught."""
    root = tmp_path / "ws"
    (root / "seeds").mkdir(parents=True)
    inner = root / "seeds" / "inner.txt"
    inner.write_text("里面。\n", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET\n", encoding="utf-8")
    seed = root / "seeds" / "doc.txt"
    seed.symlink_to(secret)  # out, at the moment of the open...
    real_open = os.open

    def open_then_swap(path, *args, **kwargs):
        fd = real_open(path, *args, **kwargs)
        if Path(path) == seed:
            seed.unlink()
            seed.symlink_to(inner)  # ...and back inside for any check made by path
        return fd

    monkeypatch.setattr(atomicfile.os, "open", open_then_swap)
    with pytest.raises(UnsafePathError, match="changed while it was being opened"):
        read_regular(seed, "seeds/doc.txt", inside=root)


def test_a_link_swapped_the_other_way_is_caught_too(tmp_path, monkeypatch):
    root = tmp_path / "ws"
    (root / "seeds").mkdir(parents=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET\n", encoding="utf-8")
    seed = root / "seeds" / "doc.txt"
    seed.write_text("里面。\n", encoding="utf-8")
    real_realpath = os.path.realpath

    def swap_then_resolve(path, *args, **kwargs):
        if Path(path) == seed and not seed.is_symlink():
            seed.unlink()
            seed.symlink_to(secret)
        return real_realpath(path, *args, **kwargs)

    monkeypatch.setattr(atomicfile.os.path, "realpath", swap_then_resolve)
    with pytest.raises(UnsafePathError, match="outside the workspace"):
        read_regular(seed, "seeds/doc.txt", inside=root)


def test_atomic_write_never_writes_through_a_hard_link(tmp_path):
    other = tmp_path / "other-name.txt"
    other.write_bytes(b"shared inode\n")
    target = tmp_path / "catalog.po"
    os.link(other, target)
    atomic_write(target, b"new\n")
    assert other.read_bytes() == b"shared inode\n" and target.read_bytes() == b"new\n"


def test_a_fifo_where_the_lock_goes_is_refused_without_hanging(workspace):
    (workspace / "locales").mkdir()
    os.mkfifo(workspace / "locales" / ".pipeline.lock")
    with hang_guard(60):
        assert "a FIFO" in refused("extract", "-w", workspace)


def test_a_lock_file_full_of_junk_is_not_echoed(extracted):
    lock = extracted / "locales" / ".pipeline.lock"
    with Workspace(extracted).lock():
        lock.write_text("1\nError: forged second line \x1b[31m")
        message = refused("extract", "-w", extracted)
    assert "forged" not in message and "\x1b" not in message and "(pid ?)" in message


def test_a_loop_of_links_named_like_a_seed_is_one_line(bare_workspace):
    (bare_workspace / "seeds" / "loop.txt").symlink_to("loop.txt")
    with hang_guard(60):
        assert "seeds/loop.txt" in refused("extract", "-w", bare_workspace)


def test_a_loop_of_links_named_like_a_catalog_is_one_line(extracted):
    (extracted / "locales" / "en" / "LC_MESSAGES" / "loop.po").symlink_to("loop.po")
    with hang_guard(60):
        assert "loop.po" in refused("status", "-w", extracted)


def test_a_name_too_long_to_write_is_one_line(bare_workspace):
    name = "长" * 80 + ".txt"  # 244 bytes: the seed fits, its catalog's temporary file does not
    (bare_workspace / "seeds" / name).write_text("宁波。\n", encoding="utf-8")
    message = refused("extract", "-w", bare_workspace)
    assert "File name too long" in message


def test_a_catalog_link_inside_the_workspace_is_replaced_not_followed_on_write(extracted):
    """A link that stays inside may be read, but a write replaces the link:
    the file it pointed to is never changed behind the user's back."""
    ws = Workspace(extracted)
    po = ws.catalog_path("000_a24ceba1f548592f")
    kept = extracted / "kept.po"
    po.rename(kept)
    po.symlink_to(Path("..") / ".." / ".." / "kept.po")
    before = kept.read_bytes()
    (extracted / "seeds" / "000_a24ceba1f548592f.txt").write_text("宁波。\n", encoding="utf-8")
    succeeds("extract", "-w", extracted)
    assert kept.read_bytes() == before and not po.is_symlink()


def test_outside_refusals_are_pipeline_errors():
    assert issubclass(UnsafePathError, PipelineError)
