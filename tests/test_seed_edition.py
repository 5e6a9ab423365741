"""The published English edition of the seed document: fully reviewed, built
from the catalog alone, and safe against edits of the source."""

from __future__ import annotations

import re
import shutil

from click.testing import CliRunner

from pipeline.catalog import State, load_catalog, state_of
from pipeline.cli import main
from pipeline.segment import segment_document
from pipeline.workspace import Workspace
from pipeline.zh.script import HAN_RE
from tests.conftest import REPO, SEED_NAME


def _repo_copy(tmp_path):
    """The repository's seed, glossary and reviewed catalog, in a fresh workspace."""
    root = tmp_path / "ws"
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copytree(REPO / "locales", root / "locales", ignore=shutil.ignore_patterns(".pipeline*", ".catalogs.lock"))
    return Workspace(root)


def _run(ws, *args):
    result = CliRunner().invoke(main, [*args, "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    return result


def test_every_entry_is_reviewed_with_a_reviewer_record():
    catalog = load_catalog(REPO / "locales" / "en" / "LC_MESSAGES" / f"{SEED_NAME}.po")
    entries = [m for m in catalog if m.id]
    assert entries and all(state_of(m) is State.REVIEWED for m in entries)
    assert all(any(c.startswith("reviewed-by: ") for c in m.user_comments) for m in entries)


def test_the_edition_builds_without_a_model_and_is_all_english(tmp_path):
    ws = _repo_copy(tmp_path)
    result = _run(ws, "run")  # no model installed in the test's home
    assert "coverage 100.0%" in result.output
    english = (ws.root / "build" / f"{SEED_NAME}.en.txt").read_text(encoding="utf-8")
    assert not HAN_RE.search(english)
    source = (ws.seeds / f"{SEED_NAME}.txt").read_text(encoding="utf-8")
    blocks = segment_document(SEED_NAME, source).blocks
    paragraphs = english.rstrip("\n").split("\n\n")
    assert len(paragraphs) == len(blocks)  # every source paragraph, captions and credits included
    credits = [p for p in paragraphs if re.fullmatch(r".*\((Photo by [A-Z][a-z]+ [A-Z][a-z]+|File photo)\)", p)]
    assert len(credits) == 4
    assert _run(ws, "check", "--strict")


def test_editing_the_source_makes_entries_fuzzy_and_lowers_coverage(tmp_path):
    ws = _repo_copy(tmp_path)
    seed = ws.seeds / f"{SEED_NAME}.txt"
    text = seed.read_text(encoding="utf-8")
    edited_old = "工业对宁波有特殊意义。"
    assert edited_old in text
    seed.write_text(text.replace(edited_old, "工业对宁波有极其特殊的意义。"), encoding="utf-8")

    result = _run(ws, "run")
    assert "1 fuzzy" in result.output
    coverage = float(re.search(r"coverage ([0-9.]+)%", result.output).group(1))
    assert coverage < 100.0
    catalog = load_catalog(ws.catalog_path(SEED_NAME))
    changed = catalog["工业对宁波有极其特殊的意义。"]
    assert state_of(changed) is State.FUZZY and changed.previous_id == [edited_old]
    assert changed.string == "Industry holds special significance for Ningbo."  # the old translation, to review
    assert sum(state_of(m) is State.REVIEWED for m in catalog if m.id) == len([m for m in catalog if m.id]) - 1
    english = (ws.root / "build" / f"{SEED_NAME}.en.txt").read_text(encoding="utf-8")
    assert "工业对宁波有极其特殊的意义。" in english  # shown untranslated until reviewed again
