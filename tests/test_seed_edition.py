"""The published English edition of the seed document: translated, desk-edited
and approved by a second person through the approval workflow, built from the
catalog alone, and safe against edits of the source."""

from __future__ import annotations

import re
import shutil

from click.testing import CliRunner

from pipeline.catalog import State, load_catalog, state_of
from pipeline.catalog.annotations import approval_of, people_comments, review_of
from pipeline.catalog.history import read_history
from pipeline.catalog.roles import is_listed, same_person
from pipeline.cli import main
from pipeline.config import load_config
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


def test_every_entry_is_approved_by_a_listed_approver_who_did_not_translate_it():
    catalog = load_catalog(REPO / "locales" / "en" / "LC_MESSAGES" / f"{SEED_NAME}.po")
    entries = [m for m in catalog if m.id]
    approvers = load_config(REPO)["review.approvers"]
    assert entries and approvers
    for message in entries:
        assert state_of(message) is State.APPROVED, message.id  # an approval bound to this very msgstr
        translator, approval = review_of(message), approval_of(message)
        assert is_listed(approval.reviewer, approvers), message.id
        assert not same_person(approval.reviewer, translator.reviewer), message.id


def test_the_desk_edit_is_in_the_history_with_a_reason_for_every_change():
    ws = Workspace(REPO)
    records = read_history(ws, SEED_NAME)
    edits = [r for r in records if r.action == "edit"]
    approvals = [r for r in records if r.action == "approve"]
    assert edits and approvals
    assert all(r.reason for r in edits)  # every change says why
    catalog = load_catalog(ws.catalog_path(SEED_NAME))
    current = {m.id: m.string for m in catalog if m.id}
    # The history holds each entry's current text: the last edit, or the text it was approved as.
    for record in edits + approvals:
        assert record.msgid in current
    last = {}
    for record in records:
        if record.action in ("edit", "approve"):
            last[record.msgid] = record.text_after
    assert all(current[msgid] == text for msgid, text in last.items())
    assert {r.msgid for r in approvals} == set(current)
    # A choice the translator made about a flaw of the source is kept on its entry, as a query to the desk.
    queries = [c for m in catalog if m.id for c in people_comments(m) if c.startswith("query to the desk")]
    assert queries and any(r.action == "comment" for r in records)


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
    assert sum(state_of(m) is State.APPROVED for m in catalog if m.id) == len([m for m in catalog if m.id]) - 1
    english = (ws.root / "build" / f"{SEED_NAME}.en.txt").read_text(encoding="utf-8")
    assert "工业对宁波有极其特殊的意义。" in english  # shown untranslated until reviewed again
