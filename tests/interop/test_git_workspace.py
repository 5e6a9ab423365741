"""A workspace kept in git: ``pipeline init`` ignores what must not be
committed, and re-running the stages over unchanged files changes nothing
git tracks (issue 13, deliverable 3). Runs the real ``git``."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.atomicfile import TEMP_MARK
from pipeline.cli import main
from tests.conftest import REPO, SEED_NAME
from tests.support.fake_engine import FakeEngine

CATALOG = f"locales/en/LC_MESSAGES/{SEED_NAME}.po"
TEMPLATE = f"locales/{SEED_NAME}.pot"


def git(root: Path, *args: str) -> str:
    exe = shutil.which("git")
    if exe is None:  # fail, never skip: what git sees is the point of this file
        pytest.fail("git not found: install git to run the workspace interop tests")
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    config = [
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@example.org",
        "-c",
        "commit.gpgsign=false",
        "-c",
        "core.autocrlf=false",
        "-c",
        "init.defaultBranch=main",
    ]
    proc = subprocess.run([exe, *config, *args], cwd=root, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, f"git {' '.join(args)} failed:\n{proc.stderr}"
    return proc.stdout


def changes(root: Path) -> list[str]:
    """``git status --porcelain``, every untracked file listed on its own."""
    return git(root, "status", "--porcelain", "--untracked-files=all").splitlines()


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def pipeline(root: Path, *args: str) -> None:
    engine = FakeEngine()
    result = CliRunner().invoke(main, [*args, "-w", str(root)], obj={"engine_factory": lambda settings: engine})
    assert result.exit_code == 0, result.output


class CommentOrderChurn(AssertionError):
    """The catalog changed, and only in the order of its lines."""


def assert_clean(root: Path, after: str) -> None:
    """git sees no change; a change that only reorders lines of the catalog
    (its comments) raises :class:`CommentOrderChurn`, anything else fails."""
    changed = changes(root)
    if changed == [f" M {CATALOG}"]:
        old = git(root, "show", f"HEAD:{CATALOG}").splitlines()
        new = (root / CATALOG).read_text(encoding="utf-8").splitlines()
        if sorted(old) == sorted(new):
            raise CommentOrderChurn(f"{after} reordered comments of the catalog:\n{git(root, 'diff')}")
    assert changed == [], f"{after} changed what git tracks:\n{git(root, 'diff')}"


# Issue 13: extract after translate swapped `# term:` and `# mt:`. The
# comment order of an entry is now defined once
# (pipeline/catalog/annotations.py); the termbase variant checks it.
WITH_TERMBASE = pytest.param(True, id="termbase")


def make_repo(root: Path, termbase: bool) -> Path:
    """A git repository made a workspace by ``pipeline init``, with the seed
    document and, with ``termbase``, the team's termbase (entries then carry
    ``# term:`` records)."""
    root.mkdir()
    git(root, "init", "-q")
    result = CliRunner().invoke(main, ["init", str(root)])
    assert result.exit_code == 0, result.output
    shutil.copyfile(REPO / "seeds" / f"{SEED_NAME}.txt", root / "seeds" / f"{SEED_NAME}.txt")
    if termbase:
        shutil.copyfile(REPO / "locales" / "glossary.tsv", root / "locales" / "glossary.tsv")
    commit(root, "workspace")
    return root


@pytest.fixture
def repo(tmp_path) -> Path:
    return make_repo(tmp_path / "team", termbase=True)


def test_git_sees_only_the_catalogs_that_extract_writes(repo):
    pipeline(repo, "extract")
    # Locks and the stage cache exist now, and git does not see them.
    assert (repo / "locales" / ".pipeline.lock").exists() and (repo / "locales" / ".pipeline-cache.json").exists()
    assert sorted(changes(repo)) == [f"?? {TEMPLATE}", f"?? {CATALOG}"]


def test_build_and_compiled_catalogs_are_not_seen(repo, msgfmt_check):
    pipeline(repo, "extract")
    commit(repo, "extract")
    pipeline(repo, "build")
    assert (repo / "build" / f"{SEED_NAME}.tmx").exists()
    # Poedit compiles a .mo beside each catalog it saves.
    subprocess.run(["msgfmt", "-o", str(repo / CATALOG[:-3]) + ".mo", str(repo / CATALOG)], check=True)
    # A write that a kill interrupted leaves its temporary file.
    (repo / "locales" / f".{SEED_NAME}.pot.{TEMP_MARK}abcd1234.tmp").write_bytes(b"half")
    assert changes(repo) == []


def _rerun_changes_nothing(repo: Path, command: str) -> None:
    """Run ``command`` again, as on a fresh clone (no stage cache, so no
    stage skips its work): git must see no change."""
    (repo / "locales" / ".pipeline-cache.json").unlink(missing_ok=True)
    pipeline(repo, command)
    assert_clean(repo, f"pipeline {command} (again)")


@pytest.mark.parametrize("termbase", [False, WITH_TERMBASE])
def test_extract_translate_extract_build_leave_git_clean(tmp_path, termbase):
    repo = make_repo(tmp_path / "team", termbase)
    pipeline(repo, "extract")
    commit(repo, "extract")
    _rerun_changes_nothing(repo, "extract")

    pipeline(repo, "translate")
    # The catalog, and the history that keeps each machine draft (committed with it).
    assert sorted(changes(repo)) == [f" M {CATALOG}", f"?? {CATALOG[:-3]}.history.jsonl"]
    commit(repo, "machine drafts")
    _rerun_changes_nothing(repo, "translate")

    # The first extract after translate: the issue saw `# term:` and `# mt:` swap here.
    pipeline(repo, "extract")
    assert_clean(repo, "pipeline extract after translate")
    _rerun_changes_nothing(repo, "extract")

    pipeline(repo, "build")
    assert_clean(repo, "pipeline build")
    _rerun_changes_nothing(repo, "build")


@pytest.mark.parametrize("termbase", [False, WITH_TERMBASE])
def test_a_fresh_clone_runs_every_stage_without_changes(tmp_path, termbase):
    repo = make_repo(tmp_path / "team", termbase)
    pipeline(repo, "extract")
    pipeline(repo, "translate")
    commit(repo, "drafts")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    assert not (clone / "locales" / ".pipeline-cache.json").exists()  # machine-local: not in the clone
    for command in ("extract", "translate", "extract", "build"):
        pipeline(clone, command)
        assert_clean(clone, f"pipeline {command} on a fresh clone")
