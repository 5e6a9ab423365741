"""XLIFF 1.2 out and in (``pipeline xliff export/import``): states, inline
codes, notes, what never leaks, the round trip through the review session
and its history, refusals entry by entry, and hostile files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from click.testing import CliRunner
from lxml import etree

from pipeline import xliff
from pipeline.catalog import State, load_catalog, save_catalog, state_of
from pipeline.catalog.states import set_machine_draft
from pipeline.cli import main
from pipeline.review.history import read_history
from pipeline.review.roles import roles_for
from pipeline.review.session import ReviewSession
from pipeline.terms import Term, Termbase, save_termbase
from pipeline.workspace import Workspace

NS = {"x": xliff.XLIFF_NS}
TAGGED = "据<1>新华社</1>报道，<2/>宁波加快推进新型工业化。"
OLD_SOURCE = "旧的来源句子，不应出现在导出文件中。"
TRANSLATOR, APPROVER = "Li Hua", "Bo Wang"


@pytest.fixture
def team(workspace):
    """A workspace with drafts, a translated, an approved, a fuzzy and a tagged entry: ``ws, doc, ids``.

    ids[0] approved, ids[1] translated, ids[2] fuzzy (with ``#|``), ids[3..] machine drafts,
    ids[-1] untranslated, and TAGGED a draft with inline codes."""
    assert CliRunner().invoke(main, ["extract", "-w", str(workspace)]).exit_code == 0
    (workspace / "pipeline.toml").write_text(f'[review]\napprovers = ["{APPROVER}"]\n', encoding="utf-8")
    ws = Workspace(workspace)
    save_termbase(ws.glossary, Termbase([Term("宁波", "Ningbo", "place")]))
    doc = ws.documents()[0]
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    ids = [m.id for m in catalog if m.id]
    for i, message in enumerate(m for m in catalog if m.id):
        set_machine_draft(message, f"Draft {i}.", "fake:test@0")
    catalog[ids[-1]].string = ""
    catalog[ids[-1]].flags = set()
    catalog[ids[-1]].user_comments = []
    catalog[ids[2]].previous_id = [OLD_SOURCE]
    catalog[ids[2]].user_comments = []  # fuzzy without a draft stamp: a translation of an older source
    catalog[ids[2]].string = "Translation of an older source."
    tagged = Message(TAGGED, "Xinhua <1>reports</1> draft.", locations=[(f"seeds/{doc}.txt", 99)], flags={"fuzzy"})
    set_machine_draft(tagged, "<1>Xinhua</1> reports: <2/>Ningbo speeds up.", "fake:test@0")
    catalog[TAGGED] = tagged
    catalog.obsolete["废弃的句子。"] = Message("废弃的句子。", "An obsolete sentence.")
    save_catalog(path, catalog)
    ReviewSession(ws, doc, TRANSLATOR).accept(ids[0], "To win the future, Ningbo plays its trump card.")
    ReviewSession(ws, doc, TRANSLATOR).accept(ids[1], "Cui Ping: everyone is part of new industrialization")
    ReviewSession(ws, doc, APPROVER).approve(ids[0])
    return ws, doc, ids


def _export(ws, doc, tmp_path, *args) -> tuple[Path, etree._Element]:
    out = tmp_path / "out.xlf"
    result = CliRunner().invoke(main, ["xliff", "export", doc, "-w", str(ws.root), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return out, etree.parse(str(out)).getroot()


def _unit(root, msgid):
    return root.find(f".//x:trans-unit[@id='{xliff.unit_id(msgid)}']", NS)


def _import(ws, path, *args) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["xliff", "import", str(path), "-w", str(ws.root), "--json", *args])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def test_export_maps_states_codes_and_notes(team, tmp_path):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    file_ = root.find("x:file", NS)
    assert root.get("version") == "1.2"
    assert (file_.get("source-language"), file_.get("target-language"), file_.get("original")) == ("zh-Hans", "en", doc)

    approved, translated, fuzzy, draft, empty = (_unit(root, m) for m in (ids[0], ids[1], ids[2], ids[3], ids[-1]))
    assert approved.get("approved") == "yes" and approved.find("x:target", NS).get("state") == "final"
    assert translated.get("approved") is None and translated.find("x:target", NS).get("state") == "translated"
    target = draft.find("x:target", NS)
    assert (target.get("state"), target.get("state-qualifier"), target.text) == (
        "needs-review-translation",
        "mt-suggestion",
        "Draft 3.",
    )
    assert fuzzy.find("x:target", NS).get("state-qualifier") == "fuzzy-match"
    assert empty.find("x:target", NS).get("state") == "new" and not empty.find("x:target", NS).text

    # Inline codes are <g>/<x/>, in the source and in the target.
    tagged = _unit(root, TAGGED)
    source = tagged.find("x:source", NS)
    assert source.text == "据" and source.find("x:g", NS).get("id") == "1"
    assert source.find("x:g", NS).text == "新华社" and source.find("x:g", NS).tail == "报道，"
    assert source.find("x:x", NS).get("id") == "2" and source.find("x:x", NS).tail == "宁波加快推进新型工业化。"
    assert tagged.find("x:target/x:g", NS).text == "Xinhua"

    # Notes: context, glossary hits, the draft's origin, the checks.
    notes = [n.text for n in draft.findall("x:note", NS)]
    assert any(re.match(r"body · seeds/.*:\d+", n) for n in notes), notes
    assert any(n.startswith("machine translation: fake:test@0") for n in notes)
    assert any(n.startswith("check ") for n in notes)
    assert "glossary: 宁波 = Ningbo (place)" in [n.text for n in tagged.findall("x:note", NS)]

    # Obsolete entries and the previous source of a fuzzy entry never leak.
    text = out.read_text(encoding="utf-8")
    assert "废弃的句子" not in text and OLD_SOURCE not in text
    assert len(root.findall(".//x:trans-unit", NS)) == len(ids) + 1


def test_for_omegat_every_target_is_a_copy_of_the_source(team, tmp_path):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path, "--omegat")
    for unit in root.iterfind(".//x:trans-unit", NS):
        target, source = unit.find("x:target", NS), unit.find("x:source", NS)
        assert target.get("state") == "new"
        assert xliff._inline_text(target) == xliff._inline_text(source)
    draft = _unit(root, ids[3])
    assert draft.get(f"{{{xliff.PIPELINE_NS}}}target") == "note"
    assert "draft: Draft 3." in [n.text for n in draft.findall("x:note", NS)]


def _set_target(root, msgid, text, state="translated"):
    unit = _unit(root, msgid)
    target = unit.find("x:target", NS)
    for child in list(target):
        target.remove(child)
    target.text = text
    if state:
        target.set("state", state)
    target.attrib.pop("state-qualifier", None)


def _write(root, path: Path) -> Path:
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return path


def test_round_trip_takes_translations_through_the_session_and_history(team, tmp_path):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    _set_target(root, ids[3], "To win the future, Ningbo has played its trump card.")  # an edit of the draft
    _set_target(root, ids[4], "Draft 4.", state="translated")  # the draft, confirmed
    _set_target(root, ids[-1], "The bugle has sounded.", state=None)  # untranslated, now translated
    # ids[5]: the draft as exported, needs-review-translation: skipped. ids[0]: approved, unchanged: skipped.
    tagged = _unit(root, TAGGED).find("x:target", NS)
    tagged.clear()
    tagged.set("state", "translated")
    tagged.text = "Ningbo speeds up, "
    g = etree.SubElement(tagged, f"{{{xliff.XLIFF_NS}}}g", id="1")
    g.text = "Xinhua"
    g.tail = " reports."
    etree.SubElement(tagged, f"{{{xliff.XLIFF_NS}}}x", id="2")
    path = _write(root, tmp_path / "back.xlf")
    before = load_catalog(ws.catalog_path(doc))

    code, report = _import(ws, path, "--translator", "Agency Zhang")
    assert code == 0, report
    by_msgid = {u["msgid"]: u for u in report["units"]}
    assert report["took"] == 4 and report["refused"] == 0, report
    assert by_msgid[ids[5]]["result"] == "skipped" and "not confirmed" in by_msgid[ids[5]]["reason"]
    assert by_msgid[ids[0]]["result"] == "skipped"

    catalog = load_catalog(ws.catalog_path(doc))
    assert catalog[ids[3]].string == "To win the future, Ningbo has played its trump card."
    assert catalog[ids[4]].string == "Draft 4." and catalog[ids[-1]].string == "The bugle has sounded."
    assert catalog[TAGGED].string == "Ningbo speeds up, <1>Xinhua</1> reports.<2/>"
    for msgid in (ids[3], ids[4], ids[-1], TAGGED):
        assert state_of(catalog[msgid]) is State.TRANSLATED
        assert any(c.startswith("reviewed-by: Agency Zhang, ") for c in catalog[msgid].user_comments)
    # Nothing else touched: the approved, the translated and the skipped entries are as they were.
    for msgid in (ids[0], ids[1], ids[2], ids[5]):
        assert catalog[msgid].string == before[msgid].string
        assert catalog[msgid].user_comments == before[msgid].user_comments
    records = [r for r in read_history(ws, doc) if r.action == "import"]
    assert {r.msgid for r in records} == {ids[3], ids[4], ids[-1], TAGGED}
    assert all(r.who == "Agency Zhang" for r in records)
    draft_edit = next(r for r in records if r.msgid == ids[3])
    assert (draft_edit.text_before, draft_edit.state_before) == ("Draft 3.", "machine-draft")

    # The same file again: everything it took is now unchanged, or changed since that export.
    code, again = _import(ws, path, "--translator", "Agency Zhang")
    assert again["took"] == 0


def test_changed_sources_other_documents_and_changes_since_export_are_refused_entry_by_entry(team, tmp_path):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    _set_target(root, ids[3], "A translation of a source we changed.")
    _unit(root, ids[3]).find("x:source", NS).text = "被改动的来源。"
    _set_target(root, ids[4], "A translation of an entry reviewed meanwhile.")
    _set_target(root, ids[6], "Fine.")
    path = _write(root, tmp_path / "back.xlf")
    ReviewSession(ws, doc, TRANSLATOR).accept(ids[4], "Reviewed in the workspace meanwhile.")
    catalog_bytes = ws.catalog_path(doc).read_bytes()

    # For another document: every unit refused, nothing written.
    code, report = _import(ws, path, "--translator", "Agency Zhang", "--doc", "another-doc")
    assert code == 1 and report["took"] == 0 and report["refused"] == len(ids) + 1
    assert all("not 'another-doc'" in u["reason"] for u in report["units"])
    assert ws.catalog_path(doc).read_bytes() == catalog_bytes

    code, report = _import(ws, path, "--translator", "Agency Zhang")
    assert code == 1
    reasons = {u["msgid"]: (u["result"], u["reason"]) for u in report["units"]}
    assert reasons["被改动的来源。"][0] == "refused" and "not a segment" in reasons["被改动的来源。"][1]
    assert reasons[ids[4]][0] == "refused" and "changed in the workspace since the export" in reasons[ids[4]][1]
    assert reasons[ids[6]][0] == "took"
    catalog = load_catalog(ws.catalog_path(doc))
    assert catalog[ids[4]].string == "Reviewed in the workspace meanwhile."
    assert catalog[ids[3]].string == "Draft 3."


def test_error_level_checks_refuse_the_entry_and_the_approver_rule_holds(team, tmp_path):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    _set_target(root, ids[3], "宁波 plays its trump card.")  # Chinese left in: an error-level finding
    _set_target(root, ids[0], "An approved entry, changed by a translator.")
    path = _write(root, tmp_path / "back.xlf")
    code, report = _import(ws, path, "--translator", "Agency Zhang")
    reasons = {u["msgid"]: (u["result"], u["reason"]) for u in report["units"]}
    assert code == 1
    assert reasons[ids[3]][0] == "refused" and "error-level" in reasons[ids[3]][1]
    assert reasons[ids[0]][0] == "refused" and "approved" in reasons[ids[0]][1]
    catalog = load_catalog(ws.catalog_path(doc))
    assert catalog[ids[3]].string == "Draft 3." and state_of(catalog[ids[0]]) is not State.TRANSLATED


def test_the_translator_comes_from_the_file_or_the_option(team, tmp_path):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    _set_target(root, ids[3], "Edited by the agency.")
    path = _write(root, tmp_path / "back.xlf")
    result = CliRunner().invoke(main, ["xliff", "import", str(path), "-w", str(ws.root)])
    assert result.exit_code == 1 and "give --translator NAME" in result.output and "Traceback" not in result.output
    phase = root.find(".//x:phase", NS)
    phase.set("contact-name", "Wang Fang")
    _write(root, path)
    code, report = _import(ws, path)
    assert code == 0 and report["translator"] == "Wang Fang" and report["took"] == 1
    phase.set("contact-name", "Evil\nName")
    _write(root, path)
    result = CliRunner().invoke(main, ["xliff", "import", str(path), "-w", str(ws.root)])
    assert result.exit_code == 1 and "reviewer name" in result.output


HOSTILE = {
    "entity expansion": (
        '<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="d" '
        'source-language="zh-Hans" target-language="en"><body><trans-unit id="1"><source>&b;</source>'
        "</trans-unit></body></file></xliff>",
        "entity declarations are refused",
    ),
    "external entity": (
        '<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<xliff version="1.2"><file original="d"><body><trans-unit id="1"><source>&x;</source>'
        "</trans-unit></body></file></xliff>",
        "refusing",
    ),
    "undefined entity": ('<xliff version="1.2"><file original="d"><body>&nbsp;</body></file></xliff>', "entity"),
    "not XML": ("<xliff version='1.2'><file>", "not well-formed"),
    "another format": ('<tmx version="1.4"><body/></tmx>', "not an XLIFF file"),
    "XLIFF 2": ('<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0"/>', "not an XLIFF file"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_refused_with_one_line(team, tmp_path, name):
    ws, doc, ids = team
    text, why = HOSTILE[name]
    path = tmp_path / "hostile.xlf"
    path.write_text(text, encoding="utf-8")
    before = ws.catalog_path(doc).read_bytes()
    result = CliRunner().invoke(main, ["xliff", "import", str(path), "-w", str(ws.root), "--translator", "X Y"])
    assert result.exit_code == 1 and why in result.output, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert "root:" not in result.output  # no file content leaks into the message
    assert ws.catalog_path(doc).read_bytes() == before


def test_huge_files_and_unsafe_text_are_refused(team, tmp_path, monkeypatch):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    _set_target(root, ids[3], "Bidi \u202e override")
    _set_target(root, ids[4], "<script>alert(1)</script> is just text here.")
    path = _write(root, tmp_path / "back.xlf")
    code, report = _import(ws, path, "--translator", "Agency Zhang")
    reasons = {u["msgid"]: (u["result"], u["reason"]) for u in report["units"]}
    assert reasons[ids[3]][0] == "refused" and "bidi" in reasons[ids[3]][1]
    assert reasons[ids[4]][0] == "took"
    assert load_catalog(ws.catalog_path(doc))[ids[3]].string == "Draft 3."

    monkeypatch.setattr(xliff, "MAX_XLIFF_BYTES", 1000)
    with pytest.raises(xliff.XliffError, match="over 0 MiB are refused"):
        xliff.read_xliff(path)
    monkeypatch.setattr(xliff, "MAX_XLIFF_BYTES", 64 * 2**20)
    monkeypatch.setattr(xliff, "MAX_UNITS", 3)
    with pytest.raises(xliff.XliffError, match="more than 3 units"):
        xliff.read_xliff(path)


def test_unknown_inline_markup_refuses_the_unit_only(team, tmp_path):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    _set_target(root, ids[3], "Bold ")
    etree.SubElement(_unit(root, ids[3]).find("x:target", NS), "{http://www.w3.org/1999/xhtml}b").text = "text"
    _set_target(root, ids[4], "Fine.")
    path = _write(root, tmp_path / "back.xlf")
    code, report = _import(ws, path, "--translator", "Agency Zhang")
    reasons = {u["msgid"]: (u["result"], u["reason"]) for u in report["units"]}
    assert reasons[ids[3]] == ("refused", "<b> inside a segment is not read")
    assert reasons[ids[4]][0] == "took"


def test_inline_codes_round_trip_as_msgid_tags():
    for text in (TAGGED, "<1>全部</1>", "无标签", "a <1><2/>b</1> c <3/>", "不成对<1>的标签", "</1>先关后开<1>"):
        element = etree.Element(f"{{{xliff.XLIFF_NS}}}source")
        xliff._append_inline(element, text)
        assert xliff._inline_text(element) == text
    element = etree.fromstring(
        f'<target xmlns="{xliff.XLIFF_NS}">A <bpt id="1">&lt;b&gt;</bpt>b<ept id="1">&lt;/b&gt;</ept>'
        '<ph id="2">{0}</ph> <mrk mtype="seg">c</mrk></target>'
    )
    assert xliff._inline_text(element) == "A <1>b</1><2/> c"


def test_the_report_never_prints_a_units_raw_text(team, tmp_path):
    """A hostile unit id or source (C1 controls and bidi overrides are legal XML) is shown escaped, on one line."""
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    _set_target(root, ids[3], "Text.")
    unit = _unit(root, ids[3])
    unit.set("id", "evil\u009b31m\u202eid")
    unit.find("x:source", NS).text = "改过\u202e的来源"
    path = _write(root, tmp_path / "back.xlf")
    result = CliRunner().invoke(main, ["xliff", "import", str(path), "-w", str(ws.root), "--translator", "X Y"])
    assert result.exit_code == 1
    line = next(line for line in result.stdout.splitlines() if line.startswith("refused"))
    assert "\u009b" not in result.stdout and "\u202e" not in result.stdout
    assert "evil\\x9b31m\\u202eid" in line and "bidi" in line


@pytest.mark.parametrize("bad", ["\ufffe", "\x0b", "\u202e"])
def test_a_catalog_xml_cannot_carry_is_refused_with_one_line(team, tmp_path, bad):
    ws, doc, ids = team
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    catalog[ids[3]].string = f"Draft{bad}3."
    save_catalog(path, catalog)
    out = tmp_path / "out.xlf"
    result = CliRunner().invoke(main, ["xliff", "export", doc, "-w", str(ws.root), "-o", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output and len(result.output.splitlines()) == 1
    assert "the translation of an entry" in result.output and not out.exists()


# --- Under attack: each hostile unit refused on its own, nothing else touched --------------------

X = f"{{{xliff.XLIFF_NS}}}"


def _snapshot(ws, doc):
    return ws.catalog_path(doc).read_bytes(), len(read_history(ws, doc))


def _msgfmt_ok(ws, doc, tmp_path):
    if shutil.which("msgfmt") is None:
        return
    result = subprocess.run(
        ["msgfmt", "-c", "-o", str(tmp_path / "x.mo"), str(ws.catalog_path(doc))], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("omegat", [False, True])
def test_an_unchanged_round_trip_changes_nothing(team, tmp_path, omegat):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path, *(["--omegat"] if omegat else []))
    before = _snapshot(ws, doc)
    code, report = _import(ws, out, "--translator", "Agency Zhang")
    assert report["took"] == 0 and report["refused"] == 0, report
    assert _snapshot(ws, doc) == before


def test_an_unchanged_round_trip_of_text_with_odd_whitespace_changes_nothing(team, tmp_path):
    """A translation edited outside review with a double space, a no-break space, a line break or a
    trailing space comes back as it was sent: it is not rewritten (nor its history added to)."""
    ws, doc, ids = team
    ReviewSession(ws, doc, TRANSLATOR).accept(ids[5], "Spaced words here.")
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    catalog[ids[1]].string = "Two  spaces, 10\u00a0km\nand a trailing one "
    save_catalog(path, catalog)
    out, root = _export(ws, doc, tmp_path)
    before = _snapshot(ws, doc)
    code, report = _import(ws, out, "--translator", "Agency Zhang")
    assert report["took"] == 0 and report["refused"] == 0, report
    assert _snapshot(ws, doc) == before


def test_duplicate_units_for_one_source_are_all_refused(team, tmp_path):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    _set_target(root, ids[3], "First version.")
    twin = etree.fromstring(etree.tostring(_unit(root, ids[3])))
    twin.find("x:target", NS).text = "Second version."
    _unit(root, ids[3]).addnext(twin)
    _set_target(root, ids[4], "Fine.")
    path = _write(root, tmp_path / "dup.xlf")
    before = load_catalog(ws.catalog_path(doc))
    code, report = _import(ws, path, "--translator", "Agency Zhang")
    results = [(u["result"], u["reason"]) for u in report["units"] if u["msgid"] == ids[3]]
    assert [r for r, _ in results] == ["refused", "refused"], results
    assert load_catalog(ws.catalog_path(doc))[ids[3]].string == before[ids[3]].string
    assert load_catalog(ws.catalog_path(doc))[ids[4]].string == "Fine."


def test_a_unit_whose_id_is_not_its_sources_is_refused(team, tmp_path):
    """Units with swapped sources (ids exported for other sources) are refused, not taken."""
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    a, b = _unit(root, ids[3]), _unit(root, ids[4])
    _set_target(root, ids[3], "Translation of three.")
    _set_target(root, ids[4], "Translation of four.")
    a.find("x:source", NS).text, b.find("x:source", NS).text = ids[4], ids[3]
    path = _write(root, tmp_path / "swap.xlf")
    before = _snapshot(ws, doc)
    code, report = _import(ws, path, "--translator", "Agency Zhang")
    assert code == 1 and report["took"] == 0, report
    assert _snapshot(ws, doc) == before


def test_sources_differing_by_whitespace_or_normalisation_are_refused(team, tmp_path):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    for msgid, variant in ((ids[3], " " + ids[3]), (ids[4], ids[4].replace("，", ","))):
        _set_target(root, msgid, "A translation.")
        _unit(root, msgid).find("x:source", NS).text = variant
    path = _write(root, tmp_path / "ws.xlf")
    before = _snapshot(ws, doc)
    code, report = _import(ws, path, "--translator", "Agency Zhang")
    assert report["took"] == 0, report
    assert _snapshot(ws, doc) == before


def test_targets_with_tags_the_source_lacks_are_refused(team, tmp_path):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    _set_target(root, ids[3], "Tagged ")
    etree.SubElement(_unit(root, ids[3]).find("x:target", NS), X + "g", id="7").text = "text"
    _set_target(root, ids[4], "Standalone ")
    etree.SubElement(_unit(root, ids[4]).find("x:target", NS), X + "x", id="3")
    _set_target(root, ids[5], "Half ")
    etree.SubElement(_unit(root, ids[5]).find("x:target", NS), X + "bpt", id="1").text = "<b>"
    _set_target(root, TAGGED, "Codes lost entirely.")
    path = _write(root, tmp_path / "tags.xlf")
    before = load_catalog(ws.catalog_path(doc))
    code, report = _import(ws, path, "--translator", "Agency Zhang")
    reasons = {u["msgid"]: (u["result"], u["reason"]) for u in report["units"]}
    for msgid in (ids[3], ids[4], ids[5], TAGGED):
        assert reasons[msgid][0] == "refused", (msgid, reasons[msgid])
    after = load_catalog(ws.catalog_path(doc))
    for msgid in (ids[3], ids[4], ids[5], TAGGED):
        assert after[msgid].string == before[msgid].string
    _msgfmt_ok(ws, doc, tmp_path)


def test_zh_target_language_is_refused_whole(team, tmp_path):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    _set_target(root, ids[3], "A translation.")
    root.find("x:file", NS).set("target-language", "zh")
    path = _write(root, tmp_path / "zh.xlf")
    before = _snapshot(ws, doc)
    code, report = _import(ws, path, "--translator", "Agency Zhang")
    assert code == 1 and report["took"] == 0 and all(u["result"] == "refused" for u in report["units"])
    assert _snapshot(ws, doc) == before


def test_a_file_claiming_an_approvers_name_cannot_change_approved_entries(team, tmp_path):
    """The contact-name in a file is a claim by whoever wrote it, not an approver's signature."""
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    root.find(".//x:phase", NS).set("contact-name", APPROVER)
    _set_target(root, ids[0], "Overwritten by an agency that wrote the approver's name.")
    _set_target(root, ids[3], "Fine.")
    path = _write(root, tmp_path / "forged.xlf")
    before = load_catalog(ws.catalog_path(doc))
    code, report = _import(ws, path)
    reasons = {u["msgid"]: (u["result"], u["reason"]) for u in report["units"]}
    assert reasons[ids[0]][0] == "refused", reasons[ids[0]]
    after = load_catalog(ws.catalog_path(doc))
    assert after[ids[0]].string == before[ids[0]].string
    assert state_of(after[ids[0]], roles_for(ws)) is State.APPROVED
    # The approver named on the command line vouches for the file: then it is taken.
    code, report = _import(ws, path, "--translator", APPROVER)
    reasons = {u["msgid"]: (u["result"], u["reason"]) for u in report["units"]}
    assert reasons[ids[0]][0] == "took", reasons[ids[0]]


def test_targets_with_nul_or_bidi_refuse_the_unit_or_the_file(team, tmp_path):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    _set_target(root, ids[3], "Isolate \u2067here\u2069.")
    _set_target(root, ids[4], "Fine.")
    path = _write(root, tmp_path / "bidi.xlf")
    code, report = _import(ws, path, "--translator", "Agency Zhang")
    reasons = {u["msgid"]: (u["result"], u["reason"]) for u in report["units"]}
    assert reasons[ids[3]][0] == "refused" and reasons[ids[4]][0] == "took"
    data = path.read_bytes().replace(b"Fine.", b"Fi&#0;ne.")
    path.write_bytes(data)
    before = _snapshot(ws, doc)
    result = CliRunner().invoke(main, ["xliff", "import", str(path), "-w", str(ws.root), "--translator", "X Y"])
    assert result.exit_code == 1 and "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert _snapshot(ws, doc) == before
    _msgfmt_ok(ws, doc, tmp_path)


def _plain_drafts(ws, doc, ids, text: str) -> list[str]:
    """Drafted entries (ids[3..-2]) on which ``text`` fires no error-level check."""
    from pipeline.checks import Severity, check_message

    catalog = load_catalog(ws.catalog_path(doc))
    return [
        msgid
        for msgid in ids[3:-1]
        if not any(f.severity is Severity.ERROR for f in check_message(catalog[msgid], text, None, doc))
    ]


def test_an_import_writes_the_catalog_once_and_one_history_transaction(team, tmp_path, monkeypatch):
    """All the units taken go in ONE compare-and-swap of the catalog and one history transaction."""
    import pipeline.review.history as history_module
    import pipeline.review.session as session_module

    ws, doc, ids = team
    chosen = _plain_drafts(ws, doc, ids, "Plain words, unit a.")[:4]
    assert len(chosen) == 4
    out, root = _export(ws, doc, tmp_path)
    for n, msgid in enumerate(chosen):
        _set_target(root, msgid, f"Plain words, unit {'abcd'[n]}.")
    path = _write(root, tmp_path / "back.xlf")
    calls = {"update": 0, "transaction": 0}
    real_update, real_transaction = session_module.update_catalog, history_module.transaction

    def counting_update(*args, **kwargs):
        calls["update"] += 1
        return real_update(*args, **kwargs)

    def counting_transaction(*args, **kwargs):
        calls["transaction"] += 1
        return real_transaction(*args, **kwargs)

    monkeypatch.setattr(session_module, "update_catalog", counting_update)
    monkeypatch.setattr(session_module.history, "transaction", counting_transaction)
    report = xliff.import_xliff(ws, path, translator="Agency Zhang")
    assert report.took == 4 and report.refused == 0, report.as_dict()
    assert calls == {"update": 1, "transaction": 1}
    catalog = load_catalog(ws.catalog_path(doc))
    assert [catalog[m].string for m in chosen] == [f"Plain words, unit {c}." for c in "abcd"]
    assert [r.msgid for r in read_history(ws, doc) if r.action == "import"] == chosen


def test_an_entry_saved_elsewhere_during_an_import_is_a_conflict_and_the_others_are_taken(team, tmp_path, monkeypatch):
    """Another program saves one entry between the import's checks and its write — even with
    the very text and record the import would have written: that unit is refused as a conflict
    (its history intent aborted, not committed), every other unit is taken."""
    import pipeline.review.session as session_module
    from pipeline.catalog import annotations
    from pipeline.catalog.states import set_translated

    ws, doc, ids = team
    chosen = _plain_drafts(ws, doc, ids, "Plain words, unit a.")[:3]
    out, root = _export(ws, doc, tmp_path)
    for n, msgid in enumerate(chosen):
        _set_target(root, msgid, f"Plain words, unit {'abc'[n]}.")
    path = _write(root, tmp_path / "back.xlf")
    raced = chosen[1]
    real_update = session_module.update_catalog

    def another_program_saves_first(*args, **kwargs):
        catalog = load_catalog(ws.catalog_path(doc))
        set_translated(catalog[raced], "Plain words, unit b.")  # the import's own result, saved by hand
        annotations.set_review(catalog[raced], "Agency Zhang", "2026-12-04T23:00Z")
        save_catalog(ws.catalog_path(doc), catalog)
        return real_update(*args, **kwargs)

    monkeypatch.setattr(session_module, "update_catalog", another_program_saves_first)
    report = xliff.import_xliff(ws, path, translator="Agency Zhang")
    by_msgid = {o.msgid: o for o in report.outcomes}
    assert by_msgid[raced].result == "refused" and "changed elsewhere" in by_msgid[raced].reason
    assert [by_msgid[m].result for m in chosen if m != raced] == ["took", "took"]
    catalog = load_catalog(ws.catalog_path(doc))
    assert [catalog[m].string for m in chosen] == [f"Plain words, unit {c}." for c in "abc"]
    imports = [r.msgid for r in read_history(ws, doc) if r.action == "import"]
    assert imports == [chosen[0], chosen[2]]  # the raced entry's intent is aborted, not committed


# --- Comments by people: notes out and back ---------------------------------------------------

QUERY = "Dropped a garbled fragment after the second clause; please check the source."
FROM = "from"


def _notes_of(unit) -> list[tuple[str | None, str | None, str]]:
    return [(n.get(FROM), n.get("annotates"), n.text) for n in unit.findall("x:note", NS)]


def _commented(ws, doc, ids) -> dict[str, list[str]]:
    """Comments by people on an approved, a translated and a drafted entry (two on the draft)."""
    comments = {ids[0]: ["The desk asked for the short title."], ids[1]: [QUERY], ids[3]: ["Check the name.", QUERY]}
    session = ReviewSession(ws, doc, TRANSLATOR)
    for msgid, texts in comments.items():
        for text in texts:
            session.comment(msgid, text)
    return comments


def _add_note(root, msgid, text, origin=None, annotates=None):
    note = etree.SubElement(_unit(root, msgid), X + "note")
    note.text = text
    if origin is not None:
        note.set(FROM, origin)
    if annotates is not None:
        note.set("annotates", annotates)
    return note


def _people(ws, doc, msgid) -> list[str]:
    from pipeline.catalog import annotations

    return annotations.people_comments(load_catalog(ws.catalog_path(doc))[msgid])


@pytest.mark.parametrize("omegat", [False, True])
def test_comments_are_exported_as_translator_notes_apart_from_ours(team, tmp_path, omegat):
    ws, doc, ids = team
    comments = _commented(ws, doc, ids)
    out, root = _export(ws, doc, tmp_path, *(["--omegat"] if omegat else []))
    for msgid, texts in comments.items():
        notes = _notes_of(_unit(root, msgid))
        assert [(o, a, t) for o, a, t in notes if o == "translator"] == [("translator", "general", t) for t in texts]
        assert notes[: len(texts)] == [("translator", "general", t) for t in texts]  # the people's first
        assert {o for o, _, _ in notes[len(texts) :]} == {"pipeline"}, notes
    assert all(n.get(FROM) == "pipeline" for n in _unit(root, ids[4]).findall("x:note", NS))
    assert root.find("x:file/x:header/x:note", NS).get(FROM) == "pipeline"


@pytest.mark.parametrize("strip_from", [False, True])
@pytest.mark.parametrize("omegat", [False, True])
def test_a_round_trip_with_comments_changes_nothing(team, tmp_path, omegat, strip_from):
    """Exported comments come back as they went and are not added twice; ours neither, even from a
    tool that dropped every note's ``from``."""
    ws, doc, ids = team
    _commented(ws, doc, ids)
    out, root = _export(ws, doc, tmp_path, *(["--omegat"] if omegat else []))
    if strip_from:
        for note in root.iterfind(".//x:note", NS):
            note.attrib.pop(FROM)
        out = _write(root, tmp_path / "no-from.xlf")
    before = _snapshot(ws, doc)
    code, report = _import(ws, out, "--translator", "Agency Zhang")
    assert code == 0 and report["took"] == 0 and report["refused"] == 0, report
    assert report["notes"] == [] and report["comments_added"] == 0
    assert _snapshot(ws, doc) == before


def test_an_added_note_becomes_a_comment_with_its_history_record(team, tmp_path):
    ws, doc, ids = team
    comments = _commented(ws, doc, ids)
    out, root = _export(ws, doc, tmp_path)
    _add_note(root, ids[4], "Is 新型工业化\n  'new industrialization'  here?")  # as Trados or memoQ writes one
    _add_note(root, ids[3], "A second query from the agency.", origin="translator", annotates="target")
    _add_note(root, ids[0], "Approved, but the desk may want to look again.", origin="Wang Fang")
    _set_target(root, ids[4], "A translation taken with its note.")
    for note in _unit(root, ids[1]).findall("x:note", NS):  # a comment's note removed: not a decision
        _unit(root, ids[1]).remove(note)
    path = _write(root, tmp_path / "back.xlf")
    history_before = len(read_history(ws, doc))

    code, report = _import(ws, path, "--translator", "Agency Zhang")
    assert code == 0 and report["took"] == 1 and report["comments_added"] == 3, report
    assert _people(ws, doc, ids[4]) == ["Is 新型工业化 'new industrialization' here?"]  # one line
    assert _people(ws, doc, ids[3]) == [*comments[ids[3]], "A second query from the agency."]
    assert _people(ws, doc, ids[0]) == [*comments[ids[0]], "Approved, but the desk may want to look again."]
    assert _people(ws, doc, ids[1]) == comments[ids[1]]
    catalog = load_catalog(ws.catalog_path(doc))
    assert state_of(catalog[ids[0]], roles_for(ws)) is State.APPROVED  # an approval binds the text, not comments
    assert catalog[ids[4]].string == "A translation taken with its note."
    records = read_history(ws, doc)[history_before:]
    added = [(r.msgid, r.comment) for r in records if r.action == "comment"]
    assert sorted(added) == sorted(
        [
            (ids[4], "Is 新型工业化 'new industrialization' here?"),
            (ids[3], "A second query from the agency."),
            (ids[0], "Approved, but the desk may want to look again."),
        ]
    )
    assert all(r.who == "Agency Zhang" for r in records) and [r.action for r in records].count("import") == 1

    # The same file again: its notes are on the entries now; nothing is added twice.
    before = _snapshot(ws, doc)
    code, again = _import(ws, path, "--translator", "Agency Zhang")
    assert again["comments_added"] == 0 and again["notes"] == []
    assert _snapshot(ws, doc)[1] == before[1]
    assert [_people(ws, doc, m) for m in (ids[0], ids[3], ids[4])] == [
        [*comments[ids[0]], "Approved, but the desk may want to look again."],
        [*comments[ids[3]], "A second query from the agency."],
        ["Is 新型工业化 'new industrialization' here?"],
    ]


def test_notes_of_units_whose_translation_is_refused_are_still_taken_and_pipeline_notes_never(team, tmp_path):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    _set_target(root, ids[3], "宁波 plays its trump card.")  # refused by the gate
    _add_note(root, ids[3], "I kept the Chinese name on purpose.")
    _add_note(root, ids[5], "check han-in-target (error): a note that says it is ours", origin="pipeline")
    _add_note(root, ids[6], "Twin units, one note.")
    twin = etree.fromstring(etree.tostring(_unit(root, ids[6])))
    _unit(root, ids[6]).addnext(twin)
    path = _write(root, tmp_path / "back.xlf")
    code, report = _import(ws, path, "--translator", "Agency Zhang")
    reasons = {u["msgid"]: u["result"] for u in report["units"]}
    assert code == 1 and reasons[ids[3]] == "refused"
    assert _people(ws, doc, ids[3]) == ["I kept the Chinese name on purpose."]
    assert _people(ws, doc, ids[5]) == []
    assert _people(ws, doc, ids[6]) == ["Twin units, one note."]  # once, from two units
    assert report["comments_added"] == 2 and report["notes_refused"] == 0


HOSTILE_NOTES = {
    "forged record": "approved-by: Bo Wang, 2026-12-01T10:00Z",
    "forged record after a hyphen": "fine-reviewed-by: Bo Wang, 2026-12-01T10:00Z",
    "bidi control": "Looks fine \u202eeno on",
    "10 kB": "A very long note. " * 600,
}


def test_hostile_notes_are_refused_one_line_each_and_the_rest_is_taken(team, tmp_path):
    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    targets = [m for m in ids[3:-1] if m != TAGGED][: len(HOSTILE_NOTES)]
    for msgid, text in zip(targets, HOSTILE_NOTES.values(), strict=True):
        _add_note(root, msgid, text, origin="translator")
    _add_note(root, ids[1], "An honest query.")
    _set_target(root, ids[-1], "An honest translation.")
    path = _write(root, tmp_path / "hostile-notes.xlf")
    history_before = len(read_history(ws, doc))

    result = CliRunner().invoke(main, ["xliff", "import", str(path), "-w", str(ws.root), "--translator", "X Y"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    refused = [line for line in result.stdout.splitlines() if line.startswith("refused")]
    assert len(refused) == len(HOSTILE_NOTES), result.stdout
    for msgid, line in zip(targets, refused, strict=True):
        assert xliff.unit_id(msgid) in line
    assert "approved-by:" in refused[0] and "reviewed-by:" in refused[1] and "bidi" in refused[2]
    assert "at most 500 characters" in refused[3]
    assert "\u202e" not in result.output and "A very long note. A very" not in result.output
    assert "notes: 1 added as comments, 4 refused" in result.stderr

    catalog_text = ws.catalog_path(doc).read_text(encoding="utf-8")
    assert "2026-12-01T10:00Z" not in catalog_text and "\u202e" not in catalog_text and "very long" not in catalog_text
    assert _people(ws, doc, ids[1]) == ["An honest query."]
    assert load_catalog(ws.catalog_path(doc))[ids[-1]].string == "An honest translation."
    assert state_of(load_catalog(ws.catalog_path(doc))[targets[0]], roles_for(ws)) is State.MACHINE_DRAFT
    records = read_history(ws, doc)[history_before:]
    assert sorted((r.action, r.msgid) for r in records) == sorted([("comment", ids[1]), ("import", ids[-1])])
    _msgfmt_ok(ws, doc, tmp_path)


def test_new_notes_go_in_one_transaction_and_a_unit_has_at_most_max_new_notes(team, tmp_path, monkeypatch):
    import pipeline.review.session as session_module

    ws, doc, ids = team
    out, root = _export(ws, doc, tmp_path)
    for n, msgid in enumerate(ids[3:6]):
        _add_note(root, msgid, f"Query {n}.")
    path = _write(root, tmp_path / "notes.xlf")
    calls = []
    real_update = session_module.update_catalog
    monkeypatch.setattr(session_module, "update_catalog", lambda *a, **k: calls.append(1) or real_update(*a, **k))
    report = xliff.import_xliff(ws, path, translator="Agency Zhang")
    assert report.comments_added == 3 and len(calls) == 1

    monkeypatch.setattr(xliff, "MAX_NEW_NOTES", 2)
    out, root = _export(ws, doc, tmp_path)
    for n in range(4):
        _add_note(root, ids[6], f"Many notes, {n}.")
    path = _write(root, tmp_path / "many.xlf")
    report = xliff.import_xliff(ws, path, translator="Agency Zhang")
    assert [o.result for o in report.notes] == ["took", "took", "refused", "refused"]
    assert "more than 2 new notes" in report.notes[-1].reason and report.failed
    assert _people(ws, doc, ids[6]) == ["Many notes, 0.", "Many notes, 1."]


def test_translate_toolkit_reads_our_notes_and_its_added_note_comes_back(team, tmp_path):
    """Translate Toolkit's XLIFF store, an independent reader and writer: it tells our notes from the
    translator's by ``from``, and a note it adds (as a tool outside would) becomes a comment."""
    ttxliff = pytest.importorskip("translate.storage.xliff")
    ws, doc, ids = team
    comments = _commented(ws, doc, ids)
    out, _ = _export(ws, doc, tmp_path)
    store = ttxliff.xlifffile.parsefile(str(out))
    units = {unit.source: unit for unit in store.units}
    assert units[ids[3]].getnotes("translator") == "\n".join(comments[ids[3]])
    assert "machine translation: fake:test@0" in units[ids[3]].getnotes("pipeline")
    assert units[ids[4]].getnotes("translator") == ""
    units[ids[4]].addnote("Added in Translate Toolkit.", origin="translator")
    back = tmp_path / "tt.xlf"
    store.savefile(str(back))
    code, report = _import(ws, back, "--translator", "Agency Zhang")
    assert code == 0 and report["comments_added"] == 1 and report["took"] == 0, report
    assert _people(ws, doc, ids[4]) == ["Added in Translate Toolkit."]
    assert _people(ws, doc, ids[3]) == comments[ids[3]]


def test_a_comment_xml_cannot_carry_refuses_the_export_with_one_line(team, tmp_path):
    """A comment written outside review (Poedit) with a bidi control is refused like a translation."""
    ws, doc, ids = team
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    catalog[ids[3]].user_comments = ["Looks \u202e fine", *catalog[ids[3]].user_comments]
    save_catalog(path, catalog)
    out = tmp_path / "out.xlf"
    result = CliRunner().invoke(main, ["xliff", "export", doc, "-w", str(ws.root), "-o", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output and len(result.output.splitlines()) == 1
    assert "a comment on an entry" in result.output and not out.exists()
