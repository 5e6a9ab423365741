"""The per-entry history: every decision, the machine draft kept, written with the
catalog as one transaction and recovered after a kill between the two."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from pipeline.catalog import State, load_catalog, state_of
from pipeline.errors import PipelineError
from pipeline.review.history import history_path, pending, post_edits, read_history
from pipeline.review.session import ReviewConflict, ReviewSession
from tests.conftest import REPO
from tests.review.conftest import PLAIN, plain_ids, run_killed


def test_translate_records_each_machine_draft(team):
    ws, doc = team
    records = read_history(ws, doc)
    segments = len(ReviewSession(ws, doc, "x").messages())
    assert len(records) == segments and {r.action for r in records} == {"draft"}
    first = records[0]
    assert first.who == "machine" and first.state_before == "untranslated" and first.state_after == "machine-draft"
    assert first.text_after.startswith("fake-en ") and first.draft_signature.startswith("fake:fake-zh_en@0")
    assert not pending(ws, doc)
    # The file sits beside the catalog and is not taken for one.
    assert history_path(ws, doc).parent == ws.catalog_path(doc).parent and ws.documents() == [doc]


def test_the_machine_draft_survives_an_edit_and_a_reject(team):
    ws, doc = team
    session = ReviewSession(ws, doc, "Li Hua")
    first, second = plain_ids(session)[:2]
    draft = session.version(first).string
    decision = session.accept(first, PLAIN)
    assert decision.action == "edit" and load_catalog(ws.catalog_path(doc))[first].string == PLAIN
    session.reject(second, reason="meaningless")
    records = read_history(ws, doc)
    edit = records[-2]
    assert (edit.action, edit.who, edit.text_before, edit.text_after) == ("edit", "Li Hua", draft, PLAIN)
    assert (edit.state_before, edit.state_after) == ("machine-draft", "translated")
    assert edit.draft_signature.startswith("fake:")
    reject = records[-1]
    assert reject.action == "reject" and reject.text_before.startswith("fake-en") and reject.reason == "meaningless"
    [pair] = post_edits(records)
    assert (pair.msgid, pair.draft, pair.final, pair.who) == (first, draft, PLAIN, "Li Hua")
    # Accepting a draft as it is: action accept, distance nothing.
    third = plain_ids(session)[2]
    assert session.accept(third).action == "accept"
    assert post_edits(read_history(ws, doc))[-1].draft == post_edits(read_history(ws, doc))[-1].final


def test_undo_is_recorded(team):
    ws, doc = team
    session = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(session)[0]
    session.accept(msgid, PLAIN)
    session.undo()
    last = read_history(ws, doc)[-1]
    assert (last.action, last.state_after, last.text_before) == ("undo", "machine-draft", PLAIN)


def test_hand_edited_and_torn_lines_are_skipped_and_appending_goes_on(team, caplog):
    ws, doc = team
    path = history_path(ws, doc)
    good = len(read_history(ws, doc))
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("<<<<<<< HEAD\n")  # a merge conflict left in
        fh.write('{"v":1,"phase":"intent","id":"x","action":"accept"}\n')  # fields missing
        fh.write('{"v": 1, "phase": "intent", "id": 5, "who": ["not", "a", "name"]}\n')
        fh.write("not json at all\n")
        fh.write('{"v":1,"phase":"intent","id":"torn","time":"2026-12')  # a kill mid-append: no newline
    with caplog.at_level(logging.WARNING):
        assert len(read_history(ws, doc)) == good
    assert "unreadable history lines skipped" in caplog.text
    session = ReviewSession(ws, doc, "Li Hua")
    session.accept(plain_ids(session)[0], PLAIN)
    records = read_history(ws, doc)
    assert len(records) == good + 1 and records[-1].text_after == PLAIN  # started on a line of its own


def test_a_link_at_the_history_path_is_refused_and_nothing_is_decided(team, tmp_path):
    ws, doc = team
    path = history_path(ws, doc)
    outside = tmp_path / "elsewhere.jsonl"
    outside.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(outside)
    before = ws.catalog_path(doc).read_bytes()
    with pytest.raises(PipelineError, match="history.jsonl: leads outside the workspace"):
        session = ReviewSession(ws, doc, "Li Hua")
        session.accept(plain_ids(session)[0], PLAIN)
    assert ws.catalog_path(doc).read_bytes() == before and outside.read_bytes() == path.read_bytes()


# --- kills between the history and the catalog ---------------------------------------------

_KILLED_DECISION = """
root, doc, msgid, text, point = sys.argv[1:]
kill_at(point)
ReviewSession(Workspace(Path(root)), doc, "Killed Reviewer").accept(msgid, text)
print("not killed")
"""


def _killed(ws, doc, msgid, point):
    run_killed(_KILLED_DECISION, str(ws.root), doc, msgid, PLAIN, point)


# --- a refused decision is never recorded, whatever the catalog holds --------------------------------


@pytest.mark.parametrize("action", ["approve", "accept", "edit", "import"])
def test_a_conflict_is_not_recorded_when_another_writer_saved_the_same_result(team, action):
    """Two tabs (or an XLIFF import and a tab) that saw the same version make the same
    decision: the second is refused as a conflict, and the history holds one decision, not
    the first one's result committed again under the second one's id."""
    ws, doc = team
    msgid = plain_ids(ReviewSession(ws, doc, "x"))[0]
    who = "Li Hua"
    if action == "approve":
        ReviewSession(ws, doc, "Li Hua").accept(msgid, PLAIN)
        who = "Bo Wang"
    first, second = ReviewSession(ws, doc, who), ReviewSession(ws, doc, who)
    seen = second.version(msgid).tag

    def decide(session):
        if action == "approve":
            return session.approve(msgid, expected=seen)
        if action == "accept":  # the draft as it is (the fake engine's draft needs an override)
            return session.accept(msgid, expected=seen, override="kept as drafted")
        if action == "edit":
            return session.accept(msgid, PLAIN, expected=seen)
        return session.import_translation(msgid, PLAIN)  # against the session's own, older, read

    assert decide(first).action == action
    result = ws.catalog_path(doc).read_bytes()
    with pytest.raises(ReviewConflict):
        decide(second)
    assert ws.catalog_path(doc).read_bytes() == result
    assert [r.action for r in read_history(ws, doc) if r.msgid == msgid][-1] == action
    assert sum(r.action == action for r in read_history(ws, doc) if r.msgid == msgid) == 1
    assert not pending(ws, doc)
    last = json.loads(history_path(ws, doc).read_text(encoding="utf-8").splitlines()[-1])
    assert last["phase"] == "abort"


def test_a_transaction_that_raises_after_its_swap_commits_what_it_wrote(team):
    """The other side of the rule above: an error after the catalog was swapped (a kill, a
    failure after the write) leaves a decision that happened, and it is committed."""
    from pipeline.catalog import annotations, history
    from pipeline.catalog.states import set_translated
    from pipeline.catalog.store import update_catalog

    ws, doc = team
    msgid = plain_ids(ReviewSession(ws, doc, "x"))[0]
    path = ws.catalog_path(doc)
    before = load_catalog(path)[msgid]
    with pytest.raises(RuntimeError):
        with history.transaction(ws, doc) as tx:

            def change(catalog):
                set_translated(catalog[msgid], PLAIN)
                annotations.set_review(catalog[msgid], "Li Hua", "2026-12-04T22:00Z")
                return catalog

            after = change(load_catalog(path))[msgid]
            tx.intend([history.record_for(doc, before, after, "Li Hua", "edit")])
            update_catalog(path, change, lock=None)
            raise RuntimeError("after the swap")
    assert read_history(ws, doc)[-1].text_after == PLAIN and not pending(ws, doc)


def test_killed_before_the_catalog_the_intent_is_aborted_on_the_next_start(team):
    ws, doc = team
    msgid = plain_ids(ReviewSession(ws, doc, "x"))[0]
    catalog_before = ws.catalog_path(doc).read_bytes()
    _killed(ws, doc, msgid, "before-catalog")
    assert ws.catalog_path(doc).read_bytes() == catalog_before
    assert len(pending(ws, doc)) == 1  # the intent, with no marker
    assert all(r.action == "draft" for r in read_history(ws, doc))  # not a decision that happened
    ReviewSession(ws, doc, "Next Reviewer")  # the next start reconciles
    assert not pending(ws, doc)
    assert all(r.action == "draft" for r in read_history(ws, doc))
    lines = [json.loads(line) for line in history_path(ws, doc).read_text(encoding="utf-8").splitlines()]
    assert lines[-1]["phase"] == "abort"


def test_killed_after_the_catalog_the_decision_is_committed_on_the_next_start(team):
    ws, doc = team
    msgid = plain_ids(ReviewSession(ws, doc, "x"))[0]
    _killed(ws, doc, msgid, "after-catalog")
    message = load_catalog(ws.catalog_path(doc))[msgid]
    assert message.string == PLAIN and state_of(message) is State.TRANSLATED  # the decision landed
    assert len(pending(ws, doc)) == 1
    session = ReviewSession(ws, doc, "Next Reviewer")
    assert not pending(ws, doc)
    last = read_history(ws, doc)[-1]
    assert (last.action, last.who, last.text_after, last.recovered) == ("edit", "Killed Reviewer", PLAIN, True)
    # And work goes on: the next decision is recorded after it.
    session.accept(plain_ids(session)[1], PLAIN)
    assert read_history(ws, doc)[-1].who == "Next Reviewer"


def test_translate_killed_after_the_catalog_keeps_its_drafts_history(workspace):
    from click.testing import CliRunner

    from pipeline.cli import main
    from pipeline.workspace import Workspace

    assert CliRunner().invoke(main, ["extract", "-w", str(workspace)]).exit_code == 0
    ws = Workspace(workspace)
    doc = ws.documents()[0]
    script = textwrap.dedent(
        """
        import os, signal, sys
        from pathlib import Path
        sys.path.insert(0, sys.argv[2])
        from pipeline.workspace import Workspace
        from pipeline.translate import translate_documents
        import pipeline.catalog.history as history
        from tests.support.fake_engine import FakeEngine
        history._markers = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
        ws = Workspace(Path(sys.argv[1]))
        translate_documents(ws, ws.documents(), FakeEngine, flush_seconds=3600)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(ws.root), str(REPO)], cwd=REPO, capture_output=True, timeout=120
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    drafted = [m for m in load_catalog(ws.catalog_path(doc)) if m.id and state_of(m) is State.MACHINE_DRAFT]
    assert drafted and not read_history(ws, doc)
    ReviewSession(ws, doc, "Reviewer")
    records = read_history(ws, doc)
    assert len(records) == len(drafted) and all(r.recovered and r.action == "draft" for r in records)


# --- two writers at once ---------------------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from pipeline.workspace import Workspace
    from pipeline.review.session import ReviewSession
    root, doc, name, *ids = sys.argv[1:]
    for msgid in ids:
        session = ReviewSession(Workspace(Path(root)), doc, name)
        session.accept(msgid, "Words of " + name.lower() + " here.")
    """
)


def test_two_reviewers_in_two_processes_lose_no_decision_and_no_line(team):
    ws, doc = team
    ids = plain_ids(ReviewSession(ws, doc, "x"))[:24]
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(ws.root), doc, name, *ids[i::2]], cwd=REPO)
        for i, name in enumerate(["Ann", "Bo"])
    ]
    assert [w.wait(timeout=300) for w in writers] == [0, 0]
    records = [r for r in read_history(ws, doc) if r.action != "draft"]
    assert sorted(r.msgid for r in records) == sorted(ids)
    catalog = load_catalog(ws.catalog_path(doc))
    for record in records:
        assert catalog[record.msgid].string == record.text_after == f"Words of {record.who.lower()} here."
    raw = history_path(ws, doc).read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line) for line in raw) and not pending(ws, doc)
    assert os.stat(history_path(ws, doc)).st_nlink == 1


# --- re-extraction: why an entry became fuzzy ------------------------------------------------


def _change_source(ws, msgid: str) -> str:
    """Edit the sentence ``msgid`` in the seed (one character added before its end); the new source."""
    seed = next((ws.root / "seeds").iterdir())
    text = seed.read_text(encoding="utf-8")
    assert text.count(msgid) == 1, "the sentence is not verbatim in the seed"
    changed = msgid[:-1] + "啊" + msgid[-1]
    seed.write_text(text.replace(msgid, changed), encoding="utf-8")
    return changed


def _verbatim(ws, session) -> list[str]:
    """plain_ids whose sentence stands verbatim, once, in the seed (punctuation not normalised)."""
    text = next((ws.root / "seeds").iterdir()).read_text(encoding="utf-8")
    return [m for m in plain_ids(session) if text.count(m) == 1]


def _extract(ws):
    from click.testing import CliRunner

    from pipeline.cli import main

    result = CliRunner().invoke(main, ["extract", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output


def test_a_re_extraction_that_makes_entries_fuzzy_is_in_the_history(team):
    from pipeline.report import report

    ws, doc = team
    session = ReviewSession(ws, doc, "Li Hua")
    translated, drafted, untouched = _verbatim(ws, session)[:3]
    session.accept(translated, PLAIN)
    new_translated, new_drafted = _change_source(ws, translated), _change_source(ws, drafted)
    draft = session.version(drafted).string
    _extract(ws)
    catalog = load_catalog(ws.catalog_path(doc))
    assert state_of(catalog[new_translated]) is State.FUZZY and catalog[new_translated].previous_id == [translated]
    changed = {r.msgid: r for r in read_history(ws, doc) if r.action == "source-changed"}
    assert set(changed) == {new_translated, new_drafted}  # the untouched entry is not in it
    record = changed[new_translated]
    assert (record.who, record.state_before, record.state_after) == ("extract", "translated", "fuzzy")
    assert (record.text_before, record.text_after, record.source_before) == (PLAIN, PLAIN, translated)
    assert changed[new_drafted].state_before == "machine-draft" and changed[new_drafted].text_after == draft
    assert changed[new_drafted].source_before == drafted and changed[new_drafted].draft_signature.startswith("fake:")
    assert not pending(ws, doc)
    assert [r.reviewer for r in report(ws, [doc]).reviewers] == ["Li Hua"]  # extract is not a reviewer
    # Extracting again changes no state: nothing more in the history.
    count = len(read_history(ws, doc))
    _extract(ws)
    assert len(read_history(ws, doc)) == count
    assert state_of(load_catalog(ws.catalog_path(doc))[untouched]) is State.MACHINE_DRAFT


def test_a_re_extraction_retried_after_another_save_records_each_change_once(team, monkeypatch):
    """Another program saves the catalog while extract merges it: the merge is done again on the
    new file (compare-and-swap), and the first attempt's history intents are aborted."""
    import pipeline.extract as extract_module

    ws, doc = team
    session = ReviewSession(ws, doc, "Li Hua")
    msgid = _verbatim(ws, session)[0]
    session.accept(msgid, PLAIN)
    new_source = _change_source(ws, msgid)
    real_merge, calls = extract_module.merge, []

    def merge_while_another_program_saves(old, template):
        calls.append(1)
        if len(calls) == 1:  # the file is saved again (new inode) after extract read it
            path = ws.catalog_path(doc)
            data = path.read_bytes()
            path.unlink()
            path.write_bytes(data)
        return real_merge(old, template)

    monkeypatch.setattr(extract_module, "merge", merge_while_another_program_saves)
    _extract(ws)
    assert len(calls) == 2
    changed = [r for r in read_history(ws, doc) if r.action == "source-changed"]
    assert [r.msgid for r in changed] == [new_source]
    assert not pending(ws, doc)


# --- a batch (XLIFF import) killed between the history and the catalog -------------------------

_KILLED_BATCH = _KILLED_DECISION.replace(
    'ReviewSession(Workspace(Path(root)), doc, "Killed Reviewer").accept(msgid, text)',
    'ReviewSession(Workspace(Path(root)), doc, "Killed Reviewer").import_translations('
    '[(m, text, None) for m in msgid.split("|")])',
)


@pytest.mark.parametrize("point", ["before-catalog", "after-catalog"])
def test_a_batch_killed_between_history_and_catalog_is_recovered_whole(team, point):
    ws, doc = team
    msgids = plain_ids(ReviewSession(ws, doc, "x"))[:3]
    before = len(read_history(ws, doc))
    assert "import_translations" in _KILLED_BATCH
    run_killed(_KILLED_BATCH, str(ws.root), doc, "|".join(msgids), PLAIN, point)
    assert len(pending(ws, doc)) == 3
    ReviewSession(ws, doc, "Li Hua")  # the next start reconciles
    assert not pending(ws, doc)
    records = read_history(ws, doc)[before:]
    catalog = load_catalog(ws.catalog_path(doc))
    if point == "before-catalog":
        assert records == [] and all(catalog[m].string != PLAIN for m in msgids)
    else:
        assert [(r.msgid, r.action, r.recovered) for r in records] == [(m, "import", True) for m in msgids]
        assert all(catalog[m].string == PLAIN for m in msgids)


# --- two reasons, comments, and history files written before them ---------------------------


def test_a_record_written_before_the_two_reasons_were_apart_reads_as_it_meant(team):
    """An old line has no ``override_reason`` key: its ``reason`` on a gated action was the
    override's, and on a reject the person's. Both read that way; new lines keep them apart."""
    from pipeline.catalog.history import HistoryRecord

    base = {
        "v": 1,
        "id": "x",
        "time": "2026-12-01T10:00:00Z",
        "doc": "d",
        "msgctxt": None,
        "msgid": "源",
        "who": "Li Hua",
        "state_before": "machine-draft",
        "state_after": "translated",
        "text_before": "a",
        "text_after": "b",
        "draft_signature": None,
        "recovered": False,
    }
    old_accept = HistoryRecord.from_json({**base, "action": "edit", "reason": "the name", "overrides": ["han"]})
    assert (old_accept.reason, old_accept.override_reason, old_accept.overrides) == (None, "the name", ("han",))
    old_reject = HistoryRecord.from_json({**base, "action": "reject", "reason": "meaningless", "overrides": []})
    assert (old_reject.reason, old_reject.override_reason) == ("meaningless", None)
    new = HistoryRecord(**{**vars(old_accept), "reason": "why", "override_reason": "the name"})
    data = new.as_json()
    assert data["override_reason"] == "the name" and "comment" not in data
    assert HistoryRecord.from_json(data) == new
    # Even with no override, a new record says so: its reason is never taken for an override's.
    plain = HistoryRecord(**{**vars(new), "override_reason": None, "overrides": ()})
    assert "override_reason" in plain.as_json() and HistoryRecord.from_json(plain.as_json()).reason == "why"
    for bad in ({"override_reason": 3}, {"comment": ["x"]}):
        assert HistoryRecord.from_json({**data, **bad}) is None


def test_comments_and_reasons_in_the_file_and_in_the_report(team):
    from pipeline.report import report

    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(li)[0]
    li.accept(msgid, PLAIN, reason="the draft lost the subject")
    li.comment(msgid, "Query: the second clause is garbled in the source.")
    li.uncomment(msgid, "Query: the second clause is garbled in the source.", reason="answered")
    lines = [json.loads(line) for line in history_path(ws, doc).read_text(encoding="utf-8").splitlines()]
    intents = [line for line in lines if line.get("phase") == "intent" and line["msgid"] == msgid]
    assert [(i["action"], i["reason"], i.get("comment")) for i in intents[-3:]] == [
        ("edit", "the draft lost the subject", None),
        ("comment", None, "Query: the second clause is garbled in the source."),
        ("uncomment", "answered", "Query: the second clause is garbled in the source."),
    ]
    assert [r.action for r in read_history(ws, doc) if r.msgid == msgid][-3:] == ["edit", "comment", "uncomment"]
    # The report counts them as Li Hua's decisions; one entry translated, one edited.
    [figures] = report(ws, [doc]).reviewers
    assert (figures.reviewer, figures.decisions, figures.translated, figures.edited) == ("Li Hua", 3, 1, 1)
