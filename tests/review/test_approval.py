"""States, roles and gates of team review: translated, approved, who may do what."""

from __future__ import annotations

import json
import subprocess

import pytest
from click.testing import CliRunner

from pipeline.catalog import State, annotations, load_catalog, save_catalog, state_of
from pipeline.catalog.roles import Roles, roles_for
from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.review.history import read_history
from pipeline.review.session import GateRefused, ReviewConflict, ReviewSession, RoleRefused
from pipeline.workspace import Workspace
from tests.conftest import REPO
from tests.review.conftest import PLAIN, plain_ids

SEED_PO = next((REPO / "locales" / "en" / "LC_MESSAGES").glob("*.po"))


def _disk(ws, doc):
    return load_catalog(ws.catalog_path(doc))


# --- states in the file ---------------------------------------------------------------------


def test_the_seed_catalog_reads_as_approved_and_without_approvals_as_translated(tmp_path):
    catalog = load_catalog(SEED_PO)
    entries = [m for m in catalog if m.id]
    assert {state_of(m) for m in entries} == {State.APPROVED}  # the desk edit, signed off
    assert State.REVIEWED is State.TRANSLATED and State("reviewed") is State.TRANSLATED
    assert State.APPROVED.reviewed and State.TRANSLATED.reviewed and not State.MACHINE_DRAFT.reviewed
    # Without its approvals the same catalog reads as translated, and nothing
    # about approval is written into a catalog that has none.
    for message in entries:
        annotations.clear_approval(message)
    assert {state_of(m) for m in entries} == {State.TRANSLATED}
    save_catalog(tmp_path / "seed.po", catalog)
    assert b"approved-by" not in (tmp_path / "seed.po").read_bytes()


def test_approved_is_hash_bound_and_kept_by_gettext(team, tmp_path):
    ws, doc = team
    session = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(session)[0]
    session.accept(msgid, PLAIN)
    ReviewSession(ws, doc, "Bo Wang").approve(msgid)
    path = ws.catalog_path(doc)
    assert state_of(_disk(ws, doc)[msgid]) is State.APPROVED
    text = path.read_text(encoding="utf-8")
    assert "# approved-by: Bo Wang, " in text and f"msgstr={annotations.review_digest(PLAIN)}" in text
    # msgcat keeps the record byte for byte (a translator comment).
    out = tmp_path / "cat.po"
    subprocess.run(["msgcat", str(path), "-o", str(out)], check=True)
    assert out.read_bytes() == path.read_bytes()
    # Edited outside review (Poedit): the approval is void.
    catalog = _disk(ws, doc)
    catalog[msgid].string = "Plain words, changed in Poedit."
    save_catalog(path, catalog)
    assert state_of(_disk(ws, doc)[msgid]) is State.EDITED_OUTSIDE_REVIEW


def test_a_forged_approval_does_not_count_under_the_roles(team):
    ws, doc = team
    session = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(session)[0]
    session.accept(msgid, PLAIN)
    path = ws.catalog_path(doc)
    catalog = _disk(ws, doc)
    annotations.set_approval(catalog[msgid], "Mallory", "2026-12-01T00:00Z")  # typed into a cloned catalog
    save_catalog(path, catalog)
    message = _disk(ws, doc)[msgid]
    roles = Roles(frozenset({"Bo Wang", "Ann Li"}))
    assert state_of(message) is State.APPROVED  # the file alone says so...
    assert state_of(message, roles) is State.TRANSLATED  # ...the workspace's roles do not
    status = CliRunner().invoke(main, ["status", "-w", str(ws.root), "--json"])
    assert '"approved": 0' in status.output
    # Self-approval written by hand: the translator's own name.
    annotations.set_approval(catalog[msgid], "Li Hua", "2026-12-01T00:00Z")
    assert state_of(catalog[msgid], Roles(frozenset({"Li Hua"}))) is State.TRANSLATED
    assert state_of(catalog[msgid], Roles(frozenset({"Li Hua"}), allow_self_approval=True)) is State.APPROVED


# --- roles ---------------------------------------------------------------------------------


def test_nobody_approves_their_own_translation(team):
    ws, doc = team
    ann = ReviewSession(ws, doc, "Ann Li")
    msgid = plain_ids(ann)[0]
    ann.accept(msgid, PLAIN)
    with pytest.raises(RoleRefused, match="may not approve their own translation"):
        ann.approve(msgid)
    assert state_of(_disk(ws, doc)[msgid]) is State.TRANSLATED
    ReviewSession(ws, doc, "Bo Wang").approve(msgid)
    assert state_of(_disk(ws, doc)[msgid]) is State.APPROVED


#: One person, spelled as people and programs spell names: case, doubled, trailing and
#: no-break spaces, full-width letters (an IME), an ideographic space between the words.
RESPELLINGS = (
    "bo wang",
    "BO WANG",
    "Bo  Wang",
    "Bo Wang ",
    " Bo Wang",
    "Bo\u00a0Wang",
    "Ｂｏ Ｗａｎｇ",
    "Bo\u3000Wang",
)


def test_one_key_for_a_persons_name():
    from pipeline.catalog.roles import display_name, name_key, same_person

    assert {name_key(n) for n in RESPELLINGS} == {name_key("Bo Wang")} == {"bo wang"}
    assert not same_person("Bo Wang", "Bo Wan") and not same_person("Bo Wang", "BoWang")
    assert not same_person(None, "Bo Wang") and not same_person(None, None)
    assert name_key("STRASSE") == name_key("Straße")  # casefold, not lower
    assert display_name("  Bo \u00a0 Wang ") == "Bo Wang" and display_name("Ｂｏ") == "Ｂｏ"  # spelling kept
    roles = Roles(frozenset({"Bo Wang"}))
    assert all(roles.is_approver(n) for n in RESPELLINGS) and not roles.is_approver("Bo Wan")


@pytest.mark.parametrize("alias", RESPELLINGS)
def test_no_self_approval_through_a_respelled_name(team, alias):
    """Translating as ``bo wang`` and approving as ``Bo Wang`` is approving one's own text."""
    ws, doc = team
    msgid, other = plain_ids(ReviewSession(ws, doc, "x"))[:2]
    ReviewSession(ws, doc, alias).accept(msgid, PLAIN)
    with pytest.raises(RoleRefused, match="may not approve their own translation"):
        ReviewSession(ws, doc, "Bo Wang").approve(msgid)
    # And the other way round: translated as listed, approved under the alias.
    ReviewSession(ws, doc, "Bo Wang").accept(other, PLAIN)
    with pytest.raises(RoleRefused, match="may not approve their own translation"):
        ReviewSession(ws, doc, alias).approve(other)
    assert state_of(_disk(ws, doc)[msgid]) is State.TRANSLATED
    assert state_of(_disk(ws, doc)[other]) is State.TRANSLATED
    # A respelled approver is an approver: Ann's text, approved by "bo wang" under any spelling.
    ReviewSession(ws, doc, "Ann Li").accept(msgid, "Ann's words here.")
    ReviewSession(ws, doc, alias).approve(msgid)
    assert state_of(_disk(ws, doc)[msgid], roles_for(ws)) is State.APPROVED


def test_a_hand_written_self_approval_under_another_spelling_does_not_count(team):
    ws, doc = team
    session = ReviewSession(ws, doc, "Bo Wang")
    msgid = plain_ids(session)[0]
    session.accept(msgid, PLAIN)
    catalog = _disk(ws, doc)
    annotations.set_approval(catalog[msgid], "BO  WANG", "2026-12-01T00:00Z")  # typed into the file
    roles = Roles(frozenset({"Bo Wang"}))
    assert state_of(catalog[msgid]) is State.APPROVED  # the file alone says so...
    assert state_of(catalog[msgid], roles) is State.TRANSLATED  # ...not the roles: it is his own text
    annotations.set_approval(catalog[msgid], "ann li", "2026-12-01T00:00Z")
    assert state_of(catalog[msgid], Roles(frozenset({"Bo Wang", "Ann Li"}))) is State.APPROVED


def test_an_xliff_contact_name_respelling_the_approver_is_still_the_approver(team, tmp_path):
    """The file's ``contact-name`` is recorded as the translator through the same name rule:
    the approver it respells may not approve what the file brought in."""
    from lxml import etree

    from pipeline import xliff

    ws, doc = team
    msgid = plain_ids(ReviewSession(ws, doc, "x"))[0]
    out = tmp_path / "out.xlf"
    xliff.export_xliff(ws, doc, out)
    root = etree.parse(str(out)).getroot()
    ns = {"x": xliff.XLIFF_NS}
    root.find(".//x:phase", ns).set("contact-name", " ＢＯ  wang ")
    target = root.find(f".//x:trans-unit[@id='{xliff.unit_id(msgid)}']/x:target", ns)
    for child in list(target):
        target.remove(child)
    target.text, target.attrib["state"] = PLAIN, "translated"
    target.attrib.pop("state-qualifier", None)
    out.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    report = xliff.import_xliff(ws, out)
    assert report.translator == "ＢＯ wang"  # whitespace normalised, the spelling kept
    assert annotations.review_of(_disk(ws, doc)[msgid]).reviewer == "ＢＯ wang"
    with pytest.raises(RoleRefused, match="may not approve their own translation"):
        ReviewSession(ws, doc, "Bo Wang").approve(msgid)
    ReviewSession(ws, doc, "Ann Li").approve(msgid)


def test_self_approval_when_the_workspace_allows_it(team):
    ws, doc = team
    (ws.root / "pipeline.toml").write_text(
        '[review]\napprovers = ["Ann Li"]\nallow_self_approval = true\n', encoding="utf-8"
    )
    ann = ReviewSession(ws, doc, "Ann Li")
    msgid = plain_ids(ann)[0]
    ann.accept(msgid, PLAIN)
    ann.approve(msgid)
    assert state_of(_disk(ws, doc)[msgid]) is State.APPROVED


def test_only_approvers_approve_and_none_without_approvers(team):
    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(li)[0]
    li.accept(msgid, PLAIN)
    with pytest.raises(RoleRefused, match="Li Hua may not approve: not in review.approvers"):
        ReviewSession(ws, doc, "Li Hua").approve(msgid)
    (ws.root / "pipeline.toml").unlink()
    with pytest.raises(RoleRefused, match="no approvers in pipeline.toml"):
        ReviewSession(ws, doc, "Bo Wang").approve(msgid)


def test_only_a_translated_entry_can_be_approved(team):
    ws, doc = team
    bo = ReviewSession(ws, doc, "Bo Wang")
    with pytest.raises(PipelineError, match="only a translated entry can be approved; this one is machine-draft"):
        bo.approve(bo.messages()[0].id)


def test_an_approved_entry_is_changed_only_by_an_approver_and_a_change_demotes_it(team):
    ws, doc = team
    li, bo, ann = (ReviewSession(ws, doc, name) for name in ("Li Hua", "Bo Wang", "Ann Li"))
    msgid = plain_ids(li)[0]
    li.accept(msgid, PLAIN)
    bo.reload()  # a session shows what it read: reload to see Li's decision
    bo.approve(msgid)
    li.reload()
    with pytest.raises(RoleRefused, match="this entry is approved; only an approver"):
        li.accept(msgid, "Translator's later thought.")
    with pytest.raises(RoleRefused):
        li.reject(msgid)
    assert state_of(_disk(ws, doc)[msgid]) is State.APPROVED
    # Accepting it unchanged is no change at all.
    before = ws.catalog_path(doc).read_bytes()
    li.accept(msgid)
    assert ws.catalog_path(doc).read_bytes() == before
    # An approver's edit demotes it: someone else must approve the new text.
    ann.reload()
    ann.accept(msgid, "Approver's better sentence.")
    message = _disk(ws, doc)[msgid]
    assert state_of(message) is State.TRANSLATED and "approved-by" not in "".join(message.user_comments)
    with pytest.raises(RoleRefused):
        ann.approve(msgid)  # her own text now
    bo.reload()
    bo.approve(msgid)
    bo.unapprove(msgid, reason="the desk wants another look")
    assert state_of(_disk(ws, doc)[msgid]) is State.TRANSLATED
    actions = [r.action for r in read_history(ws, doc) if r.msgid == msgid]
    assert actions == ["draft", "edit", "approve", "edit", "approve", "unapprove"]


def test_two_approvers_racing_on_one_entry_one_wins_the_other_gets_a_conflict(team):
    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(li)[0]
    li.accept(msgid, PLAIN)
    bo, ann = ReviewSession(ws, doc, "Bo Wang"), ReviewSession(ws, doc, "Ann Li")
    seen = bo.version(msgid).tag
    assert ann.version(msgid).tag == seen
    bo.approve(msgid, expected=seen)
    with pytest.raises(ReviewConflict):
        ann.approve(msgid, expected=seen)
    approvals = [r for r in read_history(ws, doc) if r.action == "approve"]
    assert [r.who for r in approvals] == ["Bo Wang"]
    assert annotations.approval_of(_disk(ws, doc)[msgid]).reviewer == "Bo Wang"


# --- gates ---------------------------------------------------------------------------------


#: Chinese left in the English: the han-in-target check (error) fires on any entry.
HAN_LEFT = "Plain words 工业 here."


def test_accepting_an_error_needs_an_override_with_a_reason(team):
    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    msgid = plain_ids(li)[0]
    before = ws.catalog_path(doc).read_bytes()
    with pytest.raises(GateRefused, match=r"error-level checks fired \(han-in-target\); give a reason") as refused:
        li.accept(msgid, HAN_LEFT)
    assert refused.value.findings and ws.catalog_path(doc).read_bytes() == before
    with pytest.raises(GateRefused):
        li.accept(msgid, HAN_LEFT, override="   ")  # blank is no reason
    decision = li.accept(msgid, HAN_LEFT, override="the figures are in the photo caption")
    message = _disk(ws, doc)[msgid]
    assert state_of(message) is State.TRANSLATED
    overrides = annotations.overrides_of(message)
    assert [o.code for o in overrides] == list(decision.record.overrides) == ["han-in-target"]
    assert overrides[0].who == "Li Hua" and overrides[0].reason == "the figures are in the photo caption"
    assert "han-in-target" in annotations.silenced_checks(message)
    assert "# no-check: han-in-target (override by Li Hua, " in ws.catalog_path(doc).read_text(encoding="utf-8")
    record = read_history(ws, doc)[-1]
    assert record.overrides == decision.record.overrides
    # The override's reason is kept apart from the person's reason for the change (none given here).
    assert record.override_reason == "the figures are in the photo caption" and record.reason is None
    # check: shown as overridden (info), not as an error; --strict passes on it.
    result = CliRunner().invoke(main, ["check", "-w", str(ws.root), "--json"])
    mine = [f for f in json.loads(result.stdout) if f["msgid"] == msgid and f["code"] == "han-in-target"]
    assert len(mine) == 1 and mine[0]["severity"] == "info"
    assert mine[0]["message"].startswith("overridden by Li Hua, ") and "was error" in mine[0]["message"]
    strict = CliRunner().invoke(main, ["check", "-w", str(ws.root), "--strict", doc])
    assert "han-in-target" in strict.output and "overridden by Li Hua" in strict.output


def test_approving_an_error_needs_an_override_too(team):
    ws, doc = team
    msgid = plain_ids(ReviewSession(ws, doc, "x"))[0]
    path = ws.catalog_path(doc)
    catalog = _disk(ws, doc)  # translated in Poedit, checks never ran
    catalog[msgid].flags.discard("fuzzy")
    catalog[msgid].string = HAN_LEFT
    save_catalog(path, catalog)
    bo = ReviewSession(ws, doc, "Bo Wang")
    with pytest.raises(GateRefused):
        bo.approve(msgid)
    bo.approve(msgid, override="checked against the print edition")
    assert state_of(_disk(ws, doc)[msgid]) is State.APPROVED


# --- publication gates and status --------------------------------------------------------


def test_build_approved_only_and_min_approved_and_status(team):
    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    ids = plain_ids(li)
    li.accept(ids[0], "Approved sentence alpha.")
    li.accept(ids[1], "Translated sentence beta.")
    ReviewSession(ws, doc, "Bo Wang").approve(ids[0])
    runner = CliRunner()
    out = ws.root / "out"
    result = runner.invoke(main, ["build", "-w", str(ws.root), "--out", str(out), "--approved-only"])
    assert result.exit_code == 0, result.output
    english = next(out.glob("*.en.txt")).read_text(encoding="utf-8")
    assert "Approved sentence alpha." in english and "Translated sentence beta." not in english
    assert "fake-en" not in english  # no machine draft either
    result = runner.invoke(main, ["build", "-w", str(ws.root), "--out", str(out), "--min-approved", "50"])
    assert result.exit_code == 1 and "approved below 50%" in result.output and "Traceback" not in result.output
    assert runner.invoke(main, ["build", "-w", str(ws.root), "--out", str(out), "--min-approved", "1"]).exit_code == 0
    status = runner.invoke(main, ["status", "-w", str(ws.root), "--json"])
    row = json.loads(status.stdout)[0]
    assert (row["approved"], row["translated"], row["reviewed"]) == (1, 1, 2)
    assert row["machine_draft"] == row["segments"] - 2 and row["percent_approved"] > 0
    table = runner.invoke(main, ["status", "-w", str(ws.root)]).output
    assert "approved" in table.splitlines()[0] and "translated" in table.splitlines()[0]


def test_the_seed_workspace_is_unchanged_by_status_and_reads_translated(tmp_path, seed_path):
    ws_root = tmp_path / "ws"
    (ws_root / "locales" / "en" / "LC_MESSAGES").mkdir(parents=True)
    (ws_root / "seeds").mkdir()
    (ws_root / "seeds" / seed_path.name).write_bytes(seed_path.read_bytes())
    target = ws_root / "locales" / "en" / "LC_MESSAGES" / SEED_PO.name
    target.write_bytes(SEED_PO.read_bytes())
    row = json.loads(CliRunner().invoke(main, ["status", "-w", str(ws_root), "--json"]).stdout)[0]
    assert row["translated"] == row["segments"] and row["approved"] == 0
    session = ReviewSession(Workspace(ws_root), SEED_PO.stem, "Bo Wang")
    assert session.progress() == (row["segments"], row["segments"])
    assert target.read_bytes() == SEED_PO.read_bytes()
