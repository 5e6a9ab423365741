"""The termbase (``locales/glossary.tsv``) or its candidates file swapped for
a link out of the workspace between the workspace's check of its path and
the read: the read itself refuses it, as it does for catalogs
(tests/security/test_catalog_link_race.py).

Someone who can write into the workspace while a command runs can replace
the glossary with a link to a private TSV file right after
:meth:`Workspace.regular_file` looked at it. Every read of a workspace's
glossary goes through one open checked on the file actually opened
(``load_termbase(..., inside=ws.root)``, ``load_candidates`` likewise), so
the private terms never reach a catalog, a draft, an XLIFF or TBX file or
the termbase, and the command stops with one line.

The race is made to happen every time: each check of the glossary's path
sees the real file, and the link is swapped in right after it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import UnsafePathError
from pipeline.terms import load_termbase
from pipeline.terms.suggest import load_candidates
from pipeline.terms.tbx import save_tbx
from pipeline.terms.termbase import Term, Termbase, save_termbase
from pipeline.workspace import Workspace
from tests.conftest import SEED_NAME
from tests.reliability.support import succeeds
from tests.security.test_catalog_link_race import _refused_without_leaking, race_after_every_check

MARKER = "TOPSECRET-race-41c9"


def _glossary_with(en: str) -> Termbase:
    # Terms of the seed: a command that read the file would use them.
    return Termbase([Term("崔平", en, "person"), Term("甬江实验室", f"{en} Laboratory", "organisation")])


@pytest.fixture
def private_glossary(tmp_path) -> Path:
    """A valid glossary outside the workspace, holding private English forms."""
    path = tmp_path / "private" / "glossary.tsv"
    path.parent.mkdir()
    save_termbase(path, _glossary_with(MARKER))
    return path


@pytest.fixture
def with_glossary(extracted) -> Path:
    """The extracted seed workspace with a glossary of its own."""
    save_termbase(Workspace(extracted).glossary, _glossary_with("Cui Ping"))
    return extracted


def _nothing_leaked(root: Path, *more: Path) -> None:
    for directory in (root, *more):
        for path in directory.rglob("*"):
            if path.is_file() and not path.is_symlink():
                assert MARKER not in path.read_text(encoding="utf-8", errors="replace"), path


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["check"], id="check"),
        pytest.param(["translate"], id="translate"),
        pytest.param(["extract"], id="extract"),
        pytest.param(["run", "--out", "{out}"], id="run"),
        pytest.param(["evaluate", "--engine", "argos", "--sample", "1"], id="evaluate"),
        pytest.param(["review", SEED_NAME, "--reviewer", "Li Hua"], id="review"),
        pytest.param(["terms", "suggest"], id="terms-suggest"),
        pytest.param(["terms", "export", "{out}/glossary.tbx"], id="terms-export"),
        pytest.param(["terms", "import", "{out}/incoming.tbx"], id="terms-import"),
        pytest.param(["xliff", "export", SEED_NAME, "-o", "{out}/doc.xlf"], id="xliff-export"),
        pytest.param(["xliff", "import", "{out}/doc.xlf", "--translator", "Li Hua"], id="xliff-import"),
    ],
)
def test_a_glossary_swapped_for_a_link_after_its_check_is_refused_by_the_read(
    with_glossary, private_glossary, tmp_path, monkeypatch, command
):
    ws = Workspace(with_glossary)
    out = tmp_path / "out"
    out.mkdir()
    save_tbx(out / "incoming.tbx", Termbase([Term("宁波", "Ningbo", "place")]))
    succeeds("xliff", "export", SEED_NAME, "-o", out / "doc.xlf", "-w", with_glossary)  # before the race
    before = private_glossary.read_bytes()
    race_after_every_check(monkeypatch, ws.locales / "glossary.tsv", private_glossary)
    message = _refused_without_leaking(*[a.format(out=out) for a in command], "-w", with_glossary)
    assert "glossary.tsv: leads outside the workspace" in message and message.endswith("; refused")
    assert private_glossary.read_bytes() == before  # never written through
    _nothing_leaked(with_glossary, out)


def test_a_candidates_file_swapped_for_a_link_after_its_check_is_refused_by_the_read(
    with_glossary, tmp_path, monkeypatch
):
    ws = Workspace(with_glossary)
    succeeds("terms", "suggest", "-w", with_glossary)  # the candidates file exists: its check sees it
    private = tmp_path / "private-candidates.tsv"
    save_termbase(private, _glossary_with(MARKER))
    before = private.read_bytes()
    race_after_every_check(monkeypatch, ws.locales / "glossary-candidates.tsv", private)
    message = _refused_without_leaking("terms", "suggest", "-w", with_glossary)
    assert "glossary-candidates.tsv: leads outside the workspace" in message
    assert private.read_bytes() == before
    _nothing_leaked(with_glossary)


@pytest.mark.parametrize(
    "read", [pytest.param(load_termbase, id="termbase"), pytest.param(load_candidates, id="candidates")]
)
def test_the_glossary_readers_refuse_a_link_out_in_one_line(with_glossary, private_glossary, read):
    """The read on its own: a glossary path that is a link out of the
    workspace; without ``inside``, a file anywhere is read as before."""
    ws = Workspace(with_glossary)
    glossary = ws.locales / "glossary.tsv"
    glossary.unlink()
    glossary.symlink_to(private_glossary)
    with pytest.raises(UnsafePathError) as refusal:
        read(glossary, "locales/glossary.tsv", inside=ws.root)
    message = str(refusal.value)
    assert "\n" not in message and MARKER not in message
    assert message.startswith("locales/glossary.tsv: leads outside the workspace") and message.endswith("; refused")
    assert MARKER in str(list(read(glossary)))  # the same file, read by path without a workspace
    assert len(read(ws.locales / "missing.tsv", inside=ws.root)) == 0  # no file: nothing, as before
