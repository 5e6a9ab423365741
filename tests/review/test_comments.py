"""A person's reason with each change, and translator comments written in review:
what lands in the catalog and in the history, and what is refused."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from pipeline.catalog import State, annotations, load_catalog, state_of
from pipeline.catalog.history import applied, record_for
from pipeline.errors import PipelineError
from pipeline.review.history import read_history
from pipeline.review.session import REASON_LIMIT, ReviewConflict, ReviewSession
from tests.review.conftest import PLAIN, plain_ids, run_killed

QUERY = "Dropped a garbled fragment after the second clause; please check the source."


def _disk(ws, doc):
    return load_catalog(ws.catalog_path(doc))


def _last(ws, doc, msgid):
    return [r for r in read_history(ws, doc) if r.msgid == msgid][-1]


# --- a reason with an edit ------------------------------------------------------------------


def test_an_edit_carries_its_reason_into_the_history(team):
    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(li)[0]
    decision = li.accept(msgid, PLAIN, reason="  the draft\nlost the subject ")
    record = _last(ws, doc, msgid)
    assert record.action == "edit" and record.who == "Li Hua"
    assert record.reason == "the draft lost the subject" == decision.record.reason  # one line
    assert record.override_reason is None and record.overrides == ()
    # The reason is the history's: nothing of it is written into the catalog.
    assert "lost the subject" not in ws.catalog_path(doc).read_text(encoding="utf-8")


def test_an_edit_reason_and_an_override_reason_are_kept_apart(team):
    from tests.review.test_approval import HAN_LEFT

    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(li)[0]
    li.accept(msgid, HAN_LEFT, override="the name stays in Chinese", reason="the desk asked for the original name")
    record = _last(ws, doc, msgid)
    assert record.reason == "the desk asked for the original name"
    assert record.override_reason == "the name stays in Chinese" and record.overrides == ("han-in-target",)
    [override] = annotations.overrides_of(_disk(ws, doc)[msgid])
    assert override.reason == "the name stays in Chinese"  # the entry keeps the override's reason


@pytest.mark.parametrize("reason", ["bidi \u202e reason", "bell\x07", "unit\x1fseparator"])
def test_an_unsafe_reason_is_refused_and_nothing_is_saved(team, reason):
    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(li)[0]
    before, history_before = ws.catalog_path(doc).read_bytes(), len(read_history(ws, doc))
    for decide in (
        lambda: li.accept(msgid, PLAIN, reason=reason),
        lambda: li.reject(msgid, reason=reason),
        lambda: li.uncomment(msgid, "anything", reason=reason),
    ):
        with pytest.raises(PipelineError, match=r"the reason: .* is not allowed"):
            decide()
    assert ws.catalog_path(doc).read_bytes() == before and len(read_history(ws, doc)) == history_before


def test_a_reason_past_the_limit_is_refused(team):
    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(li)[0]
    with pytest.raises(PipelineError, match=f"at most {REASON_LIMIT} characters"):
        li.accept(msgid, PLAIN, reason="x" * (REASON_LIMIT + 1))
    li.accept(msgid, PLAIN, reason="x" * REASON_LIMIT)
    assert _last(ws, doc, msgid).reason == "x" * REASON_LIMIT


def test_approve_and_import_take_a_reason_too(team):
    ws, doc = team
    ids = plain_ids(ReviewSession(ws, doc, "x"))
    ReviewSession(ws, doc, "Li Hua").import_translation(ids[0], PLAIN, reason="from the desk's XLIFF")
    assert _last(ws, doc, ids[0]).reason == "from the desk's XLIFF"
    ReviewSession(ws, doc, "Bo Wang").approve(ids[0], reason="checked against the print edition")
    record = _last(ws, doc, ids[0])
    assert (record.action, record.reason) == ("approve", "checked against the print edition")


# --- translator comments ---------------------------------------------------------------------


def test_a_comment_is_a_translator_comment_and_a_history_line(team):
    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(li)[0]
    before = _disk(ws, doc)[msgid]
    decision = li.comment(msgid, f"  {QUERY} ")
    assert decision.action == "comment"
    message = _disk(ws, doc)[msgid]
    assert message.user_comments[0] == QUERY  # people's comments first
    assert f"\n# {QUERY}\n" in ws.catalog_path(doc).read_text(encoding="utf-8")
    assert annotations.people_comments(message) == [QUERY] == li.comments(msgid)
    # The entry's text and state are what they were.
    assert message.string == before.string and state_of(message) is state_of(before) is State.MACHINE_DRAFT
    record = _last(ws, doc, msgid)
    assert (record.action, record.who, record.comment, record.reason) == ("comment", "Li Hua", QUERY, None)
    assert record.state_before == record.state_after == "machine-draft"
    # The same comment twice is refused; another one goes after it.
    with pytest.raises(PipelineError, match="already on the entry"):
        li.comment(msgid, QUERY)
    li.comment(msgid, "Second note.")
    assert annotations.people_comments(_disk(ws, doc)[msgid]) == [QUERY, "Second note."]


def test_uncomment_resolves_a_query_with_a_reason(team):
    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(li)[0]
    li.comment(msgid, QUERY)
    bo = ReviewSession(ws, doc, "Bo Wang")  # anyone reviewing may resolve it
    decision = bo.uncomment(msgid, QUERY, reason="the fragment is a typesetting error; dropping it is right")
    assert decision.action == "uncomment" and annotations.people_comments(_disk(ws, doc)[msgid]) == []
    record = _last(ws, doc, msgid)
    assert (record.action, record.who, record.comment) == ("uncomment", "Bo Wang", QUERY)
    assert record.reason == "the fragment is a typesetting error; dropping it is right"
    with pytest.raises(PipelineError, match="no such comment"):
        bo.uncomment(msgid, QUERY)


def test_a_comment_never_voids_an_approval_and_needs_no_role(team):
    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(li)[0]
    li.accept(msgid, PLAIN)
    ReviewSession(ws, doc, "Bo Wang").approve(msgid)
    li.reload()
    li.comment(msgid, QUERY)  # Li Hua is no approver: commenting on an approved entry is still hers to do
    message = _disk(ws, doc)[msgid]
    assert state_of(message, li.roles) is State.APPROVED and annotations.approval_holds(message)
    li.uncomment(msgid, QUERY)
    assert state_of(_disk(ws, doc)[msgid], li.roles) is State.APPROVED


FORGED = [
    "approved-by: Bo Wang, 2026-12-05T09:00Z, msgstr={digest}",
    "reviewed-by: Bo Wang, 2026-12-05T09:00Z, msgstr={digest}",
    "no-check: han-in-target",
    "mt:fake;model=x",
    "mt-note: nothing to see",
    "tm:desk.tmx;similarity=100",
    "tm-suggestion: 99% desk.tmx: text",
    "term: 崔平 = Cui Ping",
    "approved-by+ continuation",
    # What a wrapping tool (polib cuts at 78 columns, at spaces and after hyphens) would put on a line of its own.
    "Fine, and see " + "x" * 60 + " approved-by: Bo Wang, 2026-12-05T09:00Z, msgstr={digest}",
    "re-approved-by: Bo Wang, 2026-12-05T09:00Z, msgstr={digest}",
    "   approved-by: Bo Wang, 2026-12-05T09:00Z, msgstr={digest}",
    # A line break of any kind is white space: folded, the record still starts a word.
    *(f"Query{br}approved-by: Bo Wang, 2026-12-05T09:00Z, msgstr={{digest}}" for br in "\n\r\x0c\u2028\u2029\u3000"),
    "Query --approved-by: Bo Wang, 2026-12-05T09:00Z, msgstr={digest}",  # Babel and polib cut after an em-dash
]


@pytest.mark.parametrize("forged", FORGED)
def test_a_comment_that_would_read_as_a_record_is_refused(team, forged):
    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(li)[0]
    li.accept(msgid, PLAIN)
    bo = ReviewSession(ws, doc, "Bo Wang")
    before, history_before = ws.catalog_path(doc).read_bytes(), len(read_history(ws, doc))
    with pytest.raises(PipelineError, match="would read as a record"):
        bo.comment(msgid, forged.format(digest=annotations.review_digest(PLAIN)))
    assert ws.catalog_path(doc).read_bytes() == before and len(read_history(ws, doc)) == history_before
    assert state_of(_disk(ws, doc)[msgid], bo.roles) is State.TRANSLATED


@pytest.mark.parametrize(
    "text, error",
    [
        ("", "cannot be empty"),
        (" \n\t ", "cannot be empty"),
        ("x" * (annotations.COMMENT_LIMIT + 1), "at most"),
        ("esc \x1b[2J", "control character"),
        ("bidi \u202e", "bidirectional control"),
        ("next line\x85approved-by: Bo Wang, 2026-12-05T09:00Z, msgstr=00000000", "control character U\\+0085"),
        ("tab\x0bapproved-by: Bo Wang, 2026-12-05T09:00Z, msgstr=00000000", "control character U\\+000B"),
    ],
)
def test_bad_comments_are_refused(team, text, error):
    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(li)[0]
    before = ws.catalog_path(doc).read_bytes()
    with pytest.raises(PipelineError, match=error):
        li.comment(msgid, text)
    assert ws.catalog_path(doc).read_bytes() == before


def test_a_comment_on_a_changed_entry_is_a_conflict(team):
    ws, doc = team
    li, bo = ReviewSession(ws, doc, "Li Hua"), ReviewSession(ws, doc, "Bo Wang")
    msgid = plain_ids(li)[0]
    seen = li.version(msgid).tag
    bo.accept(msgid, PLAIN)
    with pytest.raises(ReviewConflict):
        li.comment(msgid, QUERY, expected=seen)
    assert annotations.people_comments(_disk(ws, doc)[msgid]) == []
    assert _last(ws, doc, msgid).action == "edit"  # the refused comment is not in the history
    # And a comment changes the entry's version: a tab that saw it before is told.
    seen = bo.version(msgid).tag
    li.reload()
    li.comment(msgid, QUERY)
    with pytest.raises(ReviewConflict):
        bo.accept(msgid, "Another text.", expected=seen)


def test_undo_takes_a_comment_back(team):
    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(li)[0]
    li.comment(msgid, QUERY)
    assert li.undo().action == "comment"
    assert annotations.people_comments(_disk(ws, doc)[msgid]) == []
    # The history says which comment was taken away (an entry's text and state do not).
    assert (_last(ws, doc, msgid).action, _last(ws, doc, msgid).comment) == ("uncomment", QUERY)
    li.comment(msgid, "Second note.")
    li.uncomment(msgid, "Second note.", reason="answered")
    assert li.undo().action == "uncomment"
    assert annotations.people_comments(_disk(ws, doc)[msgid]) == ["Second note."]
    assert (_last(ws, doc, msgid).action, _last(ws, doc, msgid).comment) == ("comment", "Second note.")


_KILLED_UNDO = """
root, doc, msgid, query, point = sys.argv[1:]
session = ReviewSession(Workspace(Path(root)), doc, "Killed Reviewer")
session.comment(msgid, query)
kill_at(point)
session.undo()
print("not killed")
"""


@pytest.mark.parametrize("point", ["before-catalog", "after-catalog"])
def test_an_undone_comment_killed_mid_write_is_recovered_as_what_the_catalog_holds(team, point):
    """The undo of a comment leaves the entry's text and state as they were: its record says
    which comment it took away, so that after a kill the history agrees with the catalog."""
    ws, doc = team
    msgid = plain_ids(ReviewSession(ws, doc, "x"))[0]
    run_killed(_KILLED_UNDO, str(ws.root), doc, msgid, QUERY, point)
    ReviewSession(ws, doc, "Next Reviewer")  # the next start reconciles
    still_there = QUERY in annotations.people_comments(_disk(ws, doc)[msgid])
    assert still_there == (point == "before-catalog")
    last = _last(ws, doc, msgid)
    if still_there:  # the undo never happened: the history ends with the comment
        assert (last.action, last.comment, last.recovered) == ("comment", QUERY, False)
    else:
        assert (last.action, last.comment, last.who, last.recovered) == ("uncomment", QUERY, "Killed Reviewer", True)


def test_a_comment_intent_is_committed_only_when_the_catalog_holds_it(team):
    """After a kill between the history and the catalog, a comment's intent is decided by
    whether the comment is there: its text and state alone do not change."""
    ws, doc = team
    catalog = _disk(ws, doc)
    msgid = plain_ids(ReviewSession(ws, doc, "x"))[0]
    before = catalog[msgid]
    import copy

    after = copy.deepcopy(before)
    annotations.add_comment(after, QUERY)
    added = record_for(doc, before, after, "Li Hua", "comment", comment=QUERY)
    removed = record_for(doc, after, before, "Li Hua", "uncomment", comment=QUERY)
    assert not applied(added, catalog) and applied(removed, catalog)
    catalog[msgid].user_comments = list(after.user_comments)
    assert applied(added, catalog) and not applied(removed, catalog)


# --- other tools keep the comment ------------------------------------------------------------


@pytest.mark.skipif(shutil.which("msgmerge") is None, reason="GNU gettext is not installed")
def test_msgcat_msgmerge_and_re_extraction_keep_the_comment(team, tmp_path):
    from tests.review.test_history import _change_source, _extract, _verbatim

    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    kept, changed = _verbatim(ws, li)[:2]
    li.accept(kept, PLAIN)
    ReviewSession(ws, doc, "Bo Wang").approve(kept)
    li.reload()
    li.comment(kept, QUERY)
    li.comment(changed, "A query on an entry whose source will change.")
    path = ws.catalog_path(doc)
    # msgcat: byte for byte; msgmerge against the template: the comment stays on its entry.
    out = tmp_path / "cat.po"
    subprocess.run(["msgcat", str(path), "-o", str(out)], check=True)
    assert out.read_bytes() == path.read_bytes()
    merged = tmp_path / "merged.po"
    subprocess.run(["msgmerge", "--quiet", "-o", str(merged), str(path), str(ws.template_path(doc))], check=True)
    message = load_catalog(merged)[kept]
    assert annotations.people_comments(message) == [QUERY] and annotations.approval_holds(message)
    # Re-extraction: the unchanged entry keeps it, and so does the fuzzy entry of the changed source.
    new_source = _change_source(ws, changed)
    _extract(ws)
    disk = _disk(ws, doc)
    assert annotations.people_comments(disk[kept]) == [QUERY]
    assert state_of(disk[kept], li.roles) is State.APPROVED
    assert annotations.people_comments(disk[new_source]) == ["A query on an entry whose source will change."]


#: Comments that only look like records (another case, full-width forms, no space after the
#: colon, a record's words inside other words, the marks of other comment lines): taken as a
#: person's, long enough that polib (78) and Babel (76) wrap them.
LOOK_ALIKES = [
    "ａｐｐｒｏｖｅｄ-by： Bo Wang, 2026-12-05T09:00Z, msgstr={digest} (full-width, as NFKC would fold it)",
    "Approved-By: Bo Wang, 2026-12-05T09:00Z, msgstr={digest} and APPROVED-BY: Bo Wang too, in capitals",
    "approved-by:Bo Wang, 2026-12-05T09:00Z, msgstr={digest} with no space after the colon of the record",
    'Please check: #, fuzzy #. type: caption #| msgid "x" #~ msgid "y" # kept ' + "pad " * 10,
    "unapproved-by: Bo Wang, 2026-12-05T09:00Z, msgstr={digest}; preterm: x; submt:y; atm:z; " + "pad " * 8,
]


@pytest.mark.skipif(shutil.which("msgmerge") is None, reason="GNU gettext is not installed")
def test_look_alike_comments_never_read_as_records_after_other_tools(team, tmp_path):
    """Through msgcat, msgmerge --previous, polib's load and save and Babel's read and write,
    no comment reads back as a record, the approval still holds, and no other entry changes state."""
    import io

    import polib
    from babel.messages.pofile import read_po, write_po

    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    ids = plain_ids(li)
    li.accept(ids[0], PLAIN)
    ReviewSession(ws, doc, "Bo Wang").approve(ids[0])
    li.reload()
    digest = annotations.review_digest(PLAIN)
    for i, text in enumerate(LOOK_ALIKES):
        li.comment(ids[i % 2], text.format(digest=digest))  # on the approved entry, and on a draft
    path = ws.catalog_path(doc)
    states = {m.id: state_of(m, li.roles) for m in _disk(ws, doc) if m.id}
    outputs = {}
    outputs["msgcat"] = tmp_path / "msgcat.po"
    subprocess.run(["msgcat", str(path), "-o", str(outputs["msgcat"])], check=True)
    outputs["msgmerge"] = tmp_path / "msgmerge.po"
    template = str(ws.template_path(doc))
    merge = ["msgmerge", "--quiet", "--previous", "-o", str(outputs["msgmerge"]), str(path), template]
    subprocess.run(merge, check=True)
    outputs["polib"] = tmp_path / "polib.po"
    polib.pofile(str(path)).save(str(outputs["polib"]))
    outputs["babel"] = tmp_path / "babel.po"
    buffer = io.BytesIO()
    write_po(buffer, read_po(io.BytesIO(path.read_bytes())))
    outputs["babel"].write_bytes(buffer.getvalue())
    for tool, out in outputs.items():
        for message in load_catalog(out):
            if not message.id:
                continue
            assert state_of(message, li.roles) is states[message.id], (tool, message.id)
            approvals = annotations.get(message, annotations.APPROVED_BY)
            reviews = annotations.get(message, annotations.REVIEWED_BY)
            assert len(approvals) == (message.id == ids[0]), (tool, message.user_comments)
            assert len(reviews) == (message.id == ids[0]), (tool, message.user_comments)
            assert annotations.approval_holds(message) == (message.id == ids[0]), tool
            wrapped = " ".join(annotations.people_comments(message))
            assert all(annotations.records([line])[0].kind is None for line in annotations.people_comments(message))
            if message.id in ids[:2] and tool in ("polib", "babel"):
                assert len(annotations.people_comments(message)) > 3, (tool, wrapped)  # they did wrap
