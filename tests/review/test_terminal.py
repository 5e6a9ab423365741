"""``pipeline review`` driven with real keystrokes through click's test runner."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pipeline.catalog import State, annotations, load_catalog, state_of
from pipeline.cli import main
from pipeline.review.history import read_history


def _review(ws, doc, keys, *args):
    return CliRunner().invoke(main, ["review", doc, "-w", str(ws.root), "--reviewer", "Tester", *args], input=keys)


def test_keys_accept_edit_reject_skip_and_quit(drafted):
    ws, doc = drafted
    ids = [m.id for m in load_catalog(ws.catalog_path(doc)) if m.id]
    # accept, edit (inline prompt) and give the reason for the change, reject (Enter: no reason), skip, quit
    result = _review(ws, doc, "aeA fresh translation of the subtitle\n" + "the draft dropped the name\n" + "r\nsq")
    assert result.exit_code == 0, result.output
    assert "0/85 reviewed" in result.output  # the progress line of the first entry
    disk = load_catalog(ws.catalog_path(doc))
    assert state_of(disk[ids[0]]) is State.REVIEWED and disk[ids[0]].string == "Draft 0."
    assert disk[ids[1]].string == "A fresh translation of the subtitle" and state_of(disk[ids[1]]) is State.REVIEWED
    assert state_of(disk[ids[2]]) is State.UNTRANSLATED
    assert state_of(disk[ids[3]]) is State.MACHINE_DRAFT  # skipped
    assert "2/85 reviewed" in result.output  # the summary line
    assert "reason for the change (Enter: none)" in result.output
    edit = [r for r in read_history(ws, doc) if r.msgid == ids[1]][-1]
    assert edit.action == "edit" and edit.reason == "the draft dropped the name"
    accept = [r for r in read_history(ws, doc) if r.msgid == ids[0]][-1]
    assert accept.action == "accept" and accept.reason is None  # no change of text, no question
    reject = [r for r in read_history(ws, doc) if r.msgid == ids[2]][-1]
    assert reject.action == "reject" and reject.reason is None


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


# --- Control characters: refused when typed, escaped when shown ----------------------------

ESCAPES = "\x1b[2J\x1b]0;pwned\x07"  # clear the screen, set the window title, ring the bell


def _plant(ws, doc, index: int, text: str, msgid: str | None = None) -> str:
    """Write ``text`` as the draft of entry ``index``, as another tool could
    (our own writer is not asked to write it: the bytes are put in the file)."""
    from pipeline.catalog import save_catalog
    from pipeline.catalog.states import set_machine_draft

    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    message = [m for m in catalog if m.id][index]
    set_machine_draft(message, "PLANTED-DRAFT", "other-tool")
    save_catalog(path, catalog)
    path.write_bytes(path.read_bytes().replace(b"PLANTED-DRAFT", text.encode("utf-8")))
    assert load_catalog(path)[message.id].string == text
    return message.id


def test_escape_sequences_in_a_catalog_are_shown_escaped(drafted):
    ws, doc = drafted
    _plant(ws, doc, 0, f"Draft{ESCAPES} zero.")
    result = CliRunner().invoke(
        main, ["review", doc, "-w", str(ws.root), "--reviewer", "Tester"], input="q", color=True
    )
    assert result.exit_code == 0, result.output
    assert "\x1b[2J" not in result.output and "\x07" not in result.output and "\x1b]" not in result.output
    assert "Draft\\x1b[2J\\x1b]0;pwned\\x07 zero." in result.output


@pytest.mark.parametrize("typed", ["Bad\x1b[31mtext", "a\x00b", "bell\x07", "rtl\u202etxet", "c1\x9bx"])
def test_a_typed_edit_with_a_control_character_is_refused(drafted, typed):
    ws, doc = drafted
    msgid = [m.id for m in load_catalog(ws.catalog_path(doc)) if m.id][0]
    result = _review(ws, doc, f"e{typed}\nq")
    assert result.exit_code == 0, result.output
    assert "your edit: line 1, column" in result.output and "is not allowed" in result.output
    disk = load_catalog(ws.catalog_path(doc))[msgid]
    assert disk.string == "Draft 0." and state_of(disk) is State.MACHINE_DRAFT


def test_an_edit_saved_in_the_editor_with_a_control_character_is_refused(drafted, monkeypatch):
    ws, doc = drafted
    msgid = [m.id for m in load_catalog(ws.catalog_path(doc)) if m.id][0]
    monkeypatch.setattr("click.edit", lambda text, **kw: "Fine text\x1b]52;c;cGF5bG9hZA==\x07\n# comment\n")
    result = _review(ws, doc, "Eq")
    assert "your edit: line 1, column 10: control character U+001B is not allowed" in result.output
    assert load_catalog(ws.catalog_path(doc))[msgid].string == "Draft 0."


def test_a_draft_with_a_control_character_cannot_be_accepted_as_it_is(drafted):
    ws, doc = drafted
    msgid = _plant(ws, doc, 0, "Draft\x1b[2J zero.")
    result = _review(ws, doc, "aq")
    assert "the draft (press e to edit it): line 1, column 6" in result.output
    assert state_of(load_catalog(ws.catalog_path(doc))[msgid]) is State.MACHINE_DRAFT


def test_end_of_input_quits_instead_of_looping(drafted):
    ws, doc = drafted
    before = ws.catalog_path(doc).read_bytes()
    result = _review(ws, doc, "")  # no keys at all: getchar returns ''
    assert result.exit_code == 0, result.output
    assert ws.catalog_path(doc).read_bytes() == before


# --- Post-editing starts from the draft ---------------------------------------------------


def _plant_plain_draft(ws, doc, text: str = "Plain words") -> str:
    """Give the first entry the machine draft ``text`` (no check fires on it); its msgid."""
    from pipeline.catalog import save_catalog
    from pipeline.catalog.states import set_machine_draft

    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    first = next(m for m in catalog if m.id and "工业" in m.id)  # a sentence without numbers
    set_machine_draft(first, text, "fake:test@0")
    save_catalog(path, catalog)
    return first.id


def _in_pty(ws, doc, script):
    """Run ``pipeline review`` on a real terminal (a pty); ``script`` is a list of
    (text to wait for, keys to send; a line ending in "\n" is typed in line mode, anything
    else once the program reads single keys). Returns everything the terminal showed."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import termios
    import time

    main_fd, child_fd = pty.openpty()
    env = {**os.environ, "TERM": "dumb", "PIPELINE_REVIEWER": "Tester"}
    args = [sys.executable, "-m", "pipeline", "review", doc, "-w", str(ws.root), "--state", "machine-draft"]
    proc = subprocess.Popen(args, stdin=child_fd, stdout=child_fd, stderr=child_fd, env=env, close_fds=True)
    os.close(child_fd)
    seen = b""

    def wait_for(text: bytes, start: int, timeout: float = 60.0) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while text not in seen[start:]:
            assert time.monotonic() < deadline, f"waited for {text!r}; the terminal showed {seen[-2000:]!r}"
            ready, _, _ = select.select([main_fd], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(main_fd, 4096)
                except OSError:
                    break

    def wait_for_keys(timeout: float = 60.0) -> None:
        # Keys sent while the terminal is still in line mode would be flushed when the
        # program switches it to single keys (click's getchar, readline): wait for that.
        deadline = time.monotonic() + timeout
        while termios.tcgetattr(main_fd)[3] & termios.ICANON:
            assert time.monotonic() < deadline, f"the terminal stayed in line mode; it showed {seen[-2000:]!r}"
            time.sleep(0.01)

    try:
        start = 0
        for expected, keys in script:
            wait_for(expected.encode(), start)  # shown since the last keys were sent
            if not keys.endswith("\n"):  # a key, or a readline edit ending in \r; "\n": a line typed
                wait_for_keys()
            start = len(seen)
            os.write(main_fd, keys.encode())
        assert proc.wait(timeout=60) == 0, seen.decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(main_fd)
    return seen.decode(errors="replace")


def test_e_prefills_the_draft_editable_with_readline(drafted):
    ws, doc = drafted
    msgid = _plant_plain_draft(ws, doc)
    # Only " here." is typed: the draft was already on the line (Ctrl-E: end of line).
    script = [
        ("[a]ccept", "e"),
        ("english: ", "\x05 here.\r"),
        ("[y/N]", "y\n"),
        ("reason for the change", "\r"),
        ("[a]ccept", "q"),
    ]
    shown = _in_pty(ws, doc, script)
    assert "english: Plain words" in shown
    message = load_catalog(ws.catalog_path(doc))[msgid]
    assert message.string == "Plain words here." and state_of(message) is State.TRANSLATED
    # Ctrl-U clears the line: a translation typed from scratch replaces the draft.
    _plant_plain_draft(ws, doc, "Plain draft")
    script = [
        ("[a]ccept", "e"),
        ("english: ", "\x15Fresh words here.\r"),
        ("[y/N]", "y\n"),
        ("reason for the change", "\r"),
        ("[a]ccept", "q"),
    ]
    _in_pty(ws, doc, script)
    assert load_catalog(ws.catalog_path(doc))[msgid].string == "Fresh words here."


def test_editor_text_has_the_draft_the_source_and_the_checks_as_comments(drafted, monkeypatch):
    from pipeline.review.terminal import from_editor

    ws, doc = drafted
    msgid = _plant_plain_draft(ws, doc, "#Hashtag words 工业")
    opened = []

    def editor(text, **kwargs):
        opened.append(text)
        return text.replace("#Hashtag words 工业", "#Hashtag words\nand a second line")

    monkeypatch.setattr("click.edit", editor)
    result = _review(ws, doc, "E" + "the editor shows a second line\n" + "q", "--state", "machine-draft")
    assert result.exit_code == 0, result.output
    assert read_history(ws, doc)[-1].reason == "the editor shows a second line"
    [text] = opened
    lines = text.splitlines()
    assert lines[0] == "#Hashtag words 工业" and f"# Source: {msgid}" in lines
    assert any(line.startswith("# Check [error] han-in-target:") for line in lines)
    assert load_catalog(ws.catalog_path(doc))[msgid].string == "#Hashtag words and a second line"
    assert from_editor("Text\n#\n# comment\n#tag kept\n") == "Text #tag kept"


def test_approve_key_and_the_override_prompt(drafted):
    ws, doc = drafted
    (ws.root / "pipeline.toml").write_text('[review]\napprovers = ["Bo Wang"]\n', encoding="utf-8")
    msgid = _plant_plain_draft(ws, doc, "Plain words 工业 left")
    # Accepting Chinese left in: refused until a reason is given; an empty reason saves nothing.
    result = _review(ws, doc, "a\nq", "--state", "machine-draft")
    assert "give a reason to override" in result.output and "not saved" in result.output
    assert state_of(load_catalog(ws.catalog_path(doc))[msgid]) is State.MACHINE_DRAFT
    result = _review(ws, doc, "aa quoted name on purpose\nq", "--state", "machine-draft")
    assert result.exit_code == 0, result.output
    message = load_catalog(ws.catalog_path(doc))[msgid]
    assert state_of(message) is State.TRANSLATED
    assert [o.reason for o in annotations.overrides_of(message)] == ["a quoted name on purpose"]
    # The translator may not approve; the approver may.
    result = _review(ws, doc, "Aq", "--state", "translated")
    assert "Tester may not approve: not in review.approvers (Bo Wang)" in result.output
    runner = CliRunner()
    args = ["review", doc, "-w", str(ws.root), "--reviewer", "Bo Wang", "--state", "translated"]
    result = runner.invoke(main, args, input="Aq")
    assert result.exit_code == 0, result.output
    assert state_of(load_catalog(ws.catalog_path(doc))[msgid]) is State.APPROVED


def test_c_adds_a_comment_shown_with_the_entry_and_forged_records_are_refused(drafted):
    ws, doc = drafted
    ids = [m.id for m in load_catalog(ws.catalog_path(doc)) if m.id]
    query = "Dropped a garbled fragment; please check the source."
    forged = "approved-by: Tester, 2026-12-05T09:00Z, msgstr=00000000"
    # c with a comment; c with a forged record, refused and asked again, then Enter (cancelled);
    # c with nothing (cancelled); then accept the same entry.
    result = _review(ws, doc, "c" + query + "\n" + "c" + forged + "\n" + "\n" + "c\n" + "aq")
    assert result.exit_code == 0, result.output
    assert f"  comment {query}" in result.output  # the entry is shown again, with its comment
    assert "would read as a record" in result.output and "no comment" in result.output
    message = load_catalog(ws.catalog_path(doc))[ids[0]]
    assert annotations.people_comments(message) == [query]
    assert state_of(message) is State.REVIEWED  # the comment kept the entry on screen: a accepted it
    assert [r.action for r in read_history(ws, doc) if r.msgid == ids[0]] == ["comment", "accept"]
    assert "1 commented" in result.output


@pytest.mark.parametrize("bad", ["moved the cursor \x1b[D by mistake", "x" * 501])
def test_a_refused_reason_for_an_edit_is_asked_again_and_the_edit_is_kept(drafted, bad):
    """A reason the rules refuse (an arrow key typed into it, one too long) is one line and
    the question again: the edit typed before it is never lost."""
    ws, doc = drafted
    ids = [m.id for m in load_catalog(ws.catalog_path(doc)) if m.id]
    result = _review(ws, doc, "eA fresh translation of the title\n" + bad + "\n" + "the draft dropped the name\n" + "q")
    assert result.exit_code == 0, result.output
    assert "the reason: " in result.output and result.output.count("reason for the change (Enter: none)") == 2
    message = load_catalog(ws.catalog_path(doc))[ids[0]]
    assert message.string == "A fresh translation of the title" and state_of(message) is State.REVIEWED
    edit = [r for r in read_history(ws, doc) if r.msgid == ids[0]][-1]
    assert edit.action == "edit" and edit.reason == "the draft dropped the name"


def test_a_refused_override_reason_is_asked_again(drafted):
    ws, doc = drafted
    msgid = _plant_plain_draft(ws, doc, "Plain words 工业 left")
    keys = "a" + "a bell \x07 in it\n" + "the name stays on purpose\n" + "q"
    result = _review(ws, doc, keys, "--state", "machine-draft")
    assert result.exit_code == 0, result.output
    assert "the override reason: " in result.output and "not saved" not in result.output
    message = load_catalog(ws.catalog_path(doc))[msgid]
    assert state_of(message) is State.TRANSLATED
    assert [o.reason for o in annotations.overrides_of(message)] == ["the name stays on purpose"]


def test_r_asks_for_a_reason_and_a_refused_one_is_asked_again(drafted):
    ws, doc = drafted
    ids = [m.id for m in load_catalog(ws.catalog_path(doc)) if m.id]
    keys = "r" + "an arrow \x1b[D typed\n" + "the draft translates another sentence\n" + "q"
    result = _review(ws, doc, keys)
    assert result.exit_code == 0, result.output
    assert result.output.count("reason for rejecting it (Enter: none)") == 2 and "the reason: " in result.output
    assert state_of(load_catalog(ws.catalog_path(doc))[ids[0]]) is State.UNTRANSLATED
    reject = [r for r in read_history(ws, doc) if r.msgid == ids[0]][-1]
    assert reject.action == "reject" and reject.reason == "the draft translates another sentence"
    assert "1 rejected" in result.output


def test_C_removes_the_comment_picked_by_number_with_a_reason(drafted):
    ws, doc = drafted
    ids = [m.id for m in load_catalog(ws.catalog_path(doc)) if m.id]
    notes = ("Query to the desk: which Ningbo plan is this?", "Keep the title short.")
    # Two comments; C, a number not on the list (asked again), then Enter: cancelled.
    keys = "".join(f"c{note}\n" for note in notes) + "C" + "3\n" + "\n"
    # C again: pick the query by its number and give a reason; then quit.
    shown = _review(ws, doc, keys + "q")
    assert shown.exit_code == 0, shown.output
    assert "type a number from 1-2" in shown.output and "nothing removed" in shown.output
    listed = {
        line.strip()[3:]: line.strip()[0] for line in shown.output.splitlines() if line.strip()[:3] in ("1. ", "2. ")
    }
    assert set(listed) == set(notes)
    assert annotations.people_comments(load_catalog(ws.catalog_path(doc))[ids[0]]) != []
    assert len(annotations.people_comments(load_catalog(ws.catalog_path(doc))[ids[0]])) == 2  # cancelled: both kept

    result = _review(ws, doc, "C" + listed[notes[0]] + "\n" + "the desk answered: the 2025 plan\n" + "q")
    assert result.exit_code == 0, result.output
    assert "reason for removing it (Enter: none)" in result.output
    message = load_catalog(ws.catalog_path(doc))[ids[0]]
    assert annotations.people_comments(message) == [notes[1]]
    assert state_of(message) is State.MACHINE_DRAFT  # the text and state are left alone
    removal = [r for r in read_history(ws, doc) if r.msgid == ids[0]][-1]
    assert (removal.action, removal.comment, removal.reason) == (
        "uncomment",
        notes[0],
        "the desk answered: the 2025 plan",
    )
    assert "1 uncommented" in result.output


def test_C_on_an_entry_without_comments_removes_nothing(drafted):
    ws, doc = drafted
    result = _review(ws, doc, "Cq")
    assert result.exit_code == 0, result.output
    assert "no comment to remove" in result.output and "uncommented" not in result.output
    assert [r.action for r in read_history(ws, doc) if r.action == "uncomment"] == []
