"""A catalog or template swapped for a link out of the workspace between the
workspace's check of its path and the read: the read itself refuses it.

Someone who can write into the workspace while a command runs can replace
``locales/en/LC_MESSAGES/<doc>.po`` with a link to a private file right
after :meth:`Workspace.regular_file` looked at it. Every read of a catalog
or template goes through one open that is checked on the file actually
opened (``read_regular(..., inside=ws.root)``, the store's ``snapshot``), so
the private file is never read, published or written, and the command
stops with one line.

The race is made to happen every time: each check of the catalog's path
sees the real file, and the link is swapped in right after it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.catalog import load_catalog, save_catalog
from pipeline.errors import UnsafePathError
from pipeline.workspace import Workspace
from tests.conftest import SEED_NAME
from tests.reliability.support import hang_guard, refused

MARKER = "TOPSECRET-race-41c9"


@pytest.fixture
def private_catalog(extracted, tmp_path) -> Path:
    """A valid catalog outside the workspace, holding a private translation:
    a command that read it would succeed and show it."""
    catalog = load_catalog(Workspace(extracted).catalog_path(SEED_NAME))
    first = next(m for m in catalog if m.id)
    first.string = MARKER
    path = tmp_path / "private" / f"{SEED_NAME}.po"
    path.parent.mkdir()
    save_catalog(path, catalog)
    return path


def _same(a: Path, b: Path) -> bool:
    return a.name == b.name and os.path.realpath(a.parent) == os.path.realpath(b.parent)


def race_after_every_check(monkeypatch, target: Path, link_to: Path) -> None:
    """Each time the workspace checks ``target``'s path, the check sees the
    real file; a link to ``link_to`` is swapped in right after it."""
    original = target.read_bytes()
    real_check = Workspace.regular_file

    def check_then_swap(self, path, display=None):
        if not _same(Path(path), target):
            return real_check(self, path, display)
        if target.is_symlink():
            target.unlink()
            target.write_bytes(original)
        result = real_check(self, path, display)
        target.unlink()
        target.symlink_to(link_to)
        return result

    monkeypatch.setattr(Workspace, "regular_file", check_then_swap)


def _refused_without_leaking(*args) -> str:
    with hang_guard(60):
        message = refused(*args)
    assert MARKER not in message
    return message


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["status"], id="status"),
        pytest.param(["check"], id="check"),
        pytest.param(["build"], id="build"),
        pytest.param(["translate"], id="translate"),
        pytest.param(["extract"], id="extract"),
        pytest.param(["tm", "export", "-o", "{out}/memory.tmx"], id="tm-export"),
        pytest.param(["xliff", "export", SEED_NAME, "-o", "{out}/doc.xlf"], id="xliff-export"),
    ],
)
def test_a_catalog_swapped_for_a_link_after_its_check_is_refused_by_the_read(
    extracted, private_catalog, tmp_path, monkeypatch, command
):
    before = private_catalog.read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    race_after_every_check(monkeypatch, Workspace(extracted).catalog_path(SEED_NAME), private_catalog)
    args = [a.format(out=out) for a in command]
    message = _refused_without_leaking(*args, "-w", extracted)
    assert "outside the workspace" in message
    assert private_catalog.read_bytes() == before  # never written through
    assert all(MARKER not in p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file())


def test_a_template_swapped_for_a_link_after_its_check_is_refused_by_the_read(extracted, private_catalog, monkeypatch):
    before = private_catalog.read_bytes()
    (extracted / "seeds" / f"{SEED_NAME}.txt").write_text("新的内容。\n", encoding="utf-8")  # extract again
    race_after_every_check(monkeypatch, Workspace(extracted).template_path(SEED_NAME), private_catalog)
    assert "outside the workspace" in _refused_without_leaking("extract", "-w", extracted)
    assert private_catalog.read_bytes() == before


def test_load_catalog_refuses_a_link_out_in_one_line(extracted, private_catalog):
    """The read on its own: a catalog path that is a link out of the workspace."""
    ws = Workspace(extracted)
    po = ws.catalog_path(SEED_NAME)
    po.unlink()
    po.symlink_to(private_catalog)
    with pytest.raises(UnsafePathError) as refusal:
        load_catalog(po, ws.relative(po), inside=ws.root)
    message = str(refusal.value)
    assert "\n" not in message and MARKER not in message
    assert message.startswith(f"{ws.relative(po)}: leads outside the workspace") and message.endswith("; refused")
