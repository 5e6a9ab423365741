"""``pipeline review`` driven with real keystrokes through click's test runner."""

from __future__ import annotations

from click.testing import CliRunner

from pipeline.catalog import State, load_catalog, state_of
from pipeline.cli import main

from .test_session import drafted  # noqa: F401  (fixture)


def _review(ws, doc, keys, *args):
    return CliRunner().invoke(main, ["review", doc, "-w", str(ws.root), "--reviewer", "Tester", *args], input=keys)


def test_keys_accept_edit_reject_skip_and_quit(drafted):
    ws, doc = drafted
    ids = [m.id for m in load_catalog(ws.catalog_path(doc)) if m.id]
    # accept, edit (inline prompt) then confirm despite findings, reject, skip, quit
    result = _review(ws, doc, "aeA fresh translation of the subtitle\ny" + "rsq")
    assert result.exit_code == 0, result.output
    assert "0/85 reviewed" in result.output  # the progress line of the first entry
    disk = load_catalog(ws.catalog_path(doc))
    assert state_of(disk[ids[0]]) is State.REVIEWED and disk[ids[0]].string == "Draft 0."
    assert disk[ids[1]].string == "A fresh translation of the subtitle" and state_of(disk[ids[1]]) is State.REVIEWED
    assert state_of(disk[ids[2]]) is State.UNTRANSLATED
    assert state_of(disk[ids[3]]) is State.MACHINE_DRAFT  # skipped
    assert "2/85 reviewed" in result.output  # the summary line


def test_resumes_where_it_left_off(drafted):
    ws, doc = drafted
    ids = [m.id for m in load_catalog(ws.catalog_path(doc)) if m.id]
    _review(ws, doc, "aaq")
    result = _review(ws, doc, "q")
    assert f"source  {ids[2]}" in result.output.split("[a]ccept")[0]


def test_undo_key_takes_back_the_last_decision(drafted):
    ws, doc = drafted
    ids = [m.id for m in load_catalog(ws.catalog_path(doc)) if m.id]
    result = _review(ws, doc, "auq")
    assert result.exit_code == 0
    assert state_of(load_catalog(ws.catalog_path(doc))[ids[0]]) is State.MACHINE_DRAFT


def test_nothing_to_review(drafted):
    ws, doc = drafted
    result = _review(ws, doc, "q", "--state", "reviewed")
    assert "nothing to review" in result.output


def test_unknown_document_is_a_one_line_error(drafted):
    ws, _ = drafted
    result = _review(ws, "nope", "q")
    assert result.exit_code == 1 and "Traceback" not in result.output
