"""The shared review model: decisions, reviewer record, undo, conflicts."""

from __future__ import annotations

import hashlib
import re

import pytest

from pipeline.catalog import State, load_catalog, save_catalog, state_of
from pipeline.checks import Severity, run_checks
from pipeline.errors import PipelineError
from pipeline.review.history import read_history
from pipeline.review.queue import PENDING, build_queue
from pipeline.review.session import REVIEWED_BY, ReviewConflict, ReviewSession, reviewer_name
from pipeline.terms.termbase import Term, Termbase


def test_accept_edit_reject_are_saved_at_once_with_the_reviewer(drafted):
    ws, doc = drafted
    session = ReviewSession(ws, doc, "Li Hua")
    first, second, third = [m.id for m in session.messages()][:3]
    session.accept(first)
    session.accept(second, "  Edited   by hand. ")
    session.reject(third)

    disk = load_catalog(ws.catalog_path(doc))  # what another program sees now
    assert state_of(disk[first]) is State.REVIEWED and disk[first].string == "Draft 0."
    assert disk[second].string == "Edited   by hand." and state_of(disk[second]) is State.REVIEWED
    assert state_of(disk[third]) is State.UNTRANSLATED
    stamp = [c for c in disk[first].user_comments if c.startswith(REVIEWED_BY)]
    # The record names the reviewer, the time and the hash of the text accepted.
    digest = hashlib.sha256(b"Draft 0.").hexdigest()[:8]
    assert len(stamp) == 1 and re.fullmatch(
        rf"reviewed-by: Li Hua, \d{{4}}-\d\d-\d\dT\d\d:\d\dZ, msgstr={digest}", stamp[0]
    )
    assert any("(rejected)" in c for c in disk[third].user_comments)
    assert session.progress() == (2, len(session.messages()))


def test_undo_restores_the_entry_on_disk(drafted):
    ws, doc = drafted
    session = ReviewSession(ws, doc, "Li Hua")
    msgid = session.messages()[0].id
    before = ws.catalog_path(doc).read_bytes()
    session.accept(msgid, "Something else.")
    assert session.undo().msgid == msgid
    disk = load_catalog(ws.catalog_path(doc))
    assert disk[msgid].string == "Draft 0." and state_of(disk[msgid]) is State.MACHINE_DRAFT
    assert session.undo() is None
    assert load_catalog(ws.catalog_path(doc))[msgid].user_comments == load_catalog_bytes(before)[msgid].user_comments


def load_catalog_bytes(data):
    import io

    from pipeline.catalog import read_po

    return read_po(io.BytesIO(data))


def test_two_writers_on_the_same_entry_conflict(drafted):
    ws, doc = drafted
    tab_one = ReviewSession(ws, doc, "One")
    tab_two = ReviewSession(ws, doc, "Two")
    msgid = tab_one.messages()[4].id  # a sentence without numbers: no check gates these texts
    seen_by_two = tab_two.version(msgid).tag
    tab_one.accept(msgid, "First writer wins.")
    with pytest.raises(ReviewConflict) as conflict:
        tab_two.accept(msgid, "Second writer, stale.", expected=seen_by_two)
    assert conflict.value.current.string == "First writer wins."
    assert load_catalog(ws.catalog_path(doc))[msgid].string == "First writer wins."


def test_changes_elsewhere_in_the_file_are_kept(drafted):
    ws, doc = drafted
    session = ReviewSession(ws, doc, "Li Hua")
    ids = [m.id for m in session.messages()]
    catalog = load_catalog(ws.catalog_path(doc))  # meanwhile, in Poedit...
    catalog[ids[10]].string = "Typed in Poedit."
    catalog[ids[10]].flags.discard("fuzzy")
    save_catalog(ws.catalog_path(doc), catalog)
    session.accept(ids[0])
    disk = load_catalog(ws.catalog_path(doc))
    assert disk[ids[10]].string == "Typed in Poedit." and state_of(disk[ids[0]]) is State.REVIEWED


def test_an_entry_removed_by_re_extraction_is_a_conflict(drafted):
    ws, doc = drafted
    session = ReviewSession(ws, doc, "Li Hua")
    msgid = session.messages()[3].id
    catalog = load_catalog(ws.catalog_path(doc))
    del catalog[msgid]
    save_catalog(ws.catalog_path(doc), catalog)
    with pytest.raises(ReviewConflict):
        session.accept(msgid)


def test_empty_translation_cannot_be_accepted(drafted):
    ws, doc = drafted
    session = ReviewSession(ws, doc, "Li Hua")
    with pytest.raises(PipelineError):
        session.accept(session.messages()[0].id, "   ")


def test_reviewer_name_sources(monkeypatch):
    assert reviewer_name("Explicit") == "Explicit"
    monkeypatch.setenv("PIPELINE_REVIEWER", "From Env")
    assert reviewer_name(None) == "From Env"


def test_reviewer_name_whitespace_is_normalised_and_a_blank_name_refused(drafted, monkeypatch):
    """Leading, trailing and repeated spaces (no-break and ideographic ones too) are made one
    space, not refused: the name recorded is the one a person reads; a blank name is refused."""
    assert reviewer_name("  Bo \u00a0Wang\u3000") == "Bo Wang"
    assert reviewer_name("Ｂｏ Ｗａｎｇ") == "Ｂｏ Ｗａｎｇ"  # the spelling is the person's (roles compare keys)
    monkeypatch.setenv("PIPELINE_REVIEWER", " From  Env ")
    assert reviewer_name(None) == "From Env"
    with pytest.raises(PipelineError, match="reviewer name: blank"):
        reviewer_name(" \u00a0 ")
    # However the session got its name, the record carries the normalised one.
    ws, doc = drafted
    session = ReviewSession(ws, doc, "Li  Hua ")
    msgid = session.messages()[0].id
    session.accept(msgid, "Plain words here.", override="test")
    assert session.reviewer == "Li Hua"
    assert read_history(ws, doc)[-1].who == "Li Hua"


def test_queue_filters_and_orders(drafted):
    ws, doc = drafted
    session = ReviewSession(ws, doc, "Li Hua")
    ids = [m.id for m in session.messages()]
    session.accept(ids[0])
    termbase = Termbase([Term("崔平", "Cui Ping", "person")])
    queue = build_queue(session, termbase)
    assert [item.msgid for item in queue] == ids[1:]  # document order, reviewed left out
    assert all(item.state in PENDING for item in queue)
    subtitle = next(item for item in queue if item.msgid.startswith("崔平："))
    assert [t.en for t in subtitle.glossary] == ["Cui Ping"]
    assert any(f.code == "glossary" for f in subtitle.findings)  # "Draft n." lacks the name
    assert subtitle.origin == "machine translation: fake:test@0"
    assert subtitle.before == ids[0] and subtitle.after == ids[2]

    only_glossary = build_queue(session, termbase, checks=frozenset({"glossary"}))
    assert only_glossary and all(any(f.code == "glossary" for f in i.findings) for i in only_glossary)
    worst = build_queue(session, termbase, worst_first=True)
    ranks = [item.worst for item in worst]
    assert ranks == sorted(ranks)
    reviewed = build_queue(session, termbase, states=frozenset({State.REVIEWED}))
    assert [i.msgid for i in reviewed] == [ids[0]]


def test_the_queue_shows_what_pipeline_check_finds_and_ranks_by_its_severity(drafted):
    """The reviewer sees exactly the findings of the checks (run_checks, what
    ``pipeline check`` reports), with the glossary hits of the termbase, and
    worst-first follows the checks' own severity order."""
    ws, doc = drafted
    session = ReviewSession(ws, doc, "Li Hua")
    termbase = Termbase([Term("崔平", "Cui Ping", "person"), Term("宁波", "Ningbo", "place")])
    queue = build_queue(session, termbase, states=None)
    from_checks = run_checks(load_catalog(ws.catalog_path(doc)), termbase, doc=doc)
    assert [f for item in queue for f in item.findings] == from_checks
    assert {f.severity for f in from_checks} >= {Severity.ERROR, Severity.WARNING}  # the ranking is exercised
    for item in queue:
        assert list(item.glossary) == termbase.terms_in(item.msgid)
        assert item.worst == min((list(Severity).index(f.severity) for f in item.findings), default=len(Severity))
    worst = build_queue(session, termbase, states=None, worst_first=True)
    assert any(f.severity is Severity.ERROR for f in worst[0].findings)


def test_an_undo_that_conflicts_does_not_block_earlier_undos(drafted):
    ws, doc = drafted
    session = ReviewSession(ws, doc, "Li Hua")
    first, second = [m.id for m in session.messages()][:2]
    session.accept(first)
    session.accept(second)
    other = ReviewSession(ws, doc, "Someone else")
    other.accept(second, "Changed by someone else.")
    with pytest.raises(ReviewConflict):
        session.undo()  # the second decision: the entry changed since
    assert session.undo().msgid == first  # the first can still be taken back
    disk = load_catalog(ws.catalog_path(doc))
    assert state_of(disk[first]) is State.MACHINE_DRAFT
    assert disk[second].string == "Changed by someone else."
