"""An entry is named by (msgctxt, msgid), everywhere (issue 12, finding 1),
and a plural entry never crashes a command (finding 4).

A catalog may hold an entry with a ``msgctxt`` beside the entry with the
same msgid and none (``msgfmt -c`` accepts it), and a plural entry
(``msgid_plural``), added by another tool or by hand. Neither is a segment
of ours: both are kept exactly as they are, re-extraction treats them as
any entry (by their own key), and translate, review, status, the web
dashboard, check and build leave them alone, never a crash, and never
mistake one entry for another.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.catalog import State, load_catalog, save_catalog, state_of
from pipeline.catalog.states import is_segment, set_machine_draft, set_reviewed
from pipeline.cli import main
from pipeline.review.queue import build_queue
from pipeline.review.session import ReviewSession
from pipeline.review.web import create_app
from pipeline.workspace import Workspace
from tests.reliability.support import succeeds

SEED = "宁波发布行动方案。\n\n新型工业化人人有责。\n\n崔平说，未来可期。\n"
HEADLINE, SECOND, THIRD = "宁波发布行动方案。", "新型工业化人人有责。", "崔平说，未来可期。"
REVIEWED = "Ningbo issues an action plan."


def _workspace(tmp_path: Path) -> tuple[Workspace, Path]:
    root = tmp_path / "ws"
    (root / "seeds").mkdir(parents=True)
    (root / "seeds" / "a.txt").write_text(SEED, encoding="utf-8")
    succeeds("extract", "-w", root)
    ws = Workspace(root)
    path = ws.catalog_path("a")
    catalog = load_catalog(path)
    set_reviewed(catalog[HEADLINE], REVIEWED)
    save_catalog(path, catalog)
    return ws, path


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n" + text)


CONTEXT_TWIN = f'msgctxt "headline"\nmsgid "{HEADLINE}"\nmsgstr ""\n'
TRANSLATED_TWIN = (
    f'# a translator note\nmsgctxt "subtitle"\nmsgid "{SECOND}"\nmsgstr "Everyone has a part (subtitle)."\n'
)
PLURAL = 'msgid "一个文件"\nmsgid_plural "%d个文件"\nmsgstr[0] "one file"\nmsgstr[1] "%d files"\n'


# --- finding 1: msgctxt --------------------------------------------------------------


def test_re_extraction_keeps_a_reviewed_translation_beside_a_msgctxt_twin(tmp_path, msgfmt_check):
    ws, path = _workspace(tmp_path)
    _append(path, CONTEXT_TWIN)
    _append(path, TRANSLATED_TWIN)
    msgfmt_check(path)
    result = succeeds("extract", "-w", ws.root)
    assert "3 kept" in result.stderr, result.stderr
    msgfmt_check(path)
    catalog = load_catalog(path)
    assert catalog[HEADLINE].string == REVIEWED and state_of(catalog[HEADLINE]) is State.REVIEWED
    # The twin with a translation is not in the document: obsolete, under its own key.
    obsolete = {(m.context, m.id): m for m in catalog.obsolete.values()}
    assert obsolete[("subtitle", SECOND)].string == "Everyone has a part (subtitle)."
    assert obsolete[("subtitle", SECOND)].user_comments == ["a translator note"]
    assert catalog.get(SECOND) is not None and catalog.get(SECOND).context is None
    # And a second run changes nothing.
    before = path.read_bytes()
    succeeds("extract", "-w", ws.root)
    assert path.read_bytes() == before


def test_translate_fills_the_segment_and_leaves_its_msgctxt_twin_alone(tmp_path):
    ws, path = _workspace(tmp_path)
    _append(path, CONTEXT_TWIN)
    _append(path, f'msgctxt "caption"\nmsgid "{SECOND}"\nmsgstr ""\n')
    succeeds("translate", "-w", ws.root)
    catalog = load_catalog(path)
    assert catalog[HEADLINE].string == REVIEWED
    assert state_of(catalog[SECOND]) is State.MACHINE_DRAFT
    assert catalog.get(HEADLINE, context="headline").string == ""
    assert catalog.get(SECOND, context="caption").string == ""


def test_review_decides_on_the_segment_never_on_its_msgctxt_twin(tmp_path):
    ws, path = _workspace(tmp_path)
    catalog = load_catalog(path)
    set_machine_draft(catalog[SECOND], "Draft.", "fake:test@0")
    save_catalog(path, catalog)
    # The twin comes after the segment and looks exactly like it (same draft,
    # same comments): only its key tells them apart.
    _append(path, f'#, fuzzy\n# mt:fake:test@0\nmsgctxt "caption"\nmsgid "{SECOND}"\nmsgstr "Draft."\n')
    session = ReviewSession(ws, "a", "Tester")
    queue = build_queue(session, states=None)
    assert [item.msgid for item in queue] == [HEADLINE, SECOND, THIRD]
    session.accept(SECOND, "Everyone has a part.")
    catalog = load_catalog(path)
    assert catalog[SECOND].string == "Everyone has a part." and state_of(catalog[SECOND]) is State.REVIEWED
    twin = catalog.get(SECOND, context="caption")
    assert twin.string == "Draft." and twin.fuzzy


def test_status_counts_entries_that_are_not_segments_apart(tmp_path):
    ws, path = _workspace(tmp_path)
    _append(path, CONTEXT_TWIN)
    _append(path, PLURAL)
    rows = __import__("json").loads(succeeds("status", "-w", ws.root, "--json").stdout)
    assert rows[0]["segments"] == 3 and rows[0]["reviewed"] == 1 and rows[0]["untouched"] == 2


def test_build_uses_the_segment_not_its_msgctxt_twin(tmp_path):
    ws, path = _workspace(tmp_path)
    _append(path, f'msgctxt "headline"\nmsgid "{HEADLINE}"\nmsgstr "WRONG ENTRY"\n')
    succeeds("build", "-w", ws.root)
    text = (ws.default_build / "a.en.txt").read_text(encoding="utf-8")
    assert REVIEWED in text and "WRONG ENTRY" not in text


# --- finding 4: plural entries ---------------------------------------------------------


@pytest.fixture
def with_plural(tmp_path):
    ws, path = _workspace(tmp_path)
    _append(path, PLURAL)
    return ws, path


def test_status_review_check_and_build_do_not_crash_on_a_plural_entry(with_plural):
    ws, path = with_plural
    succeeds("status", "-w", ws.root)
    succeeds("check", "-w", ws.root)
    succeeds("build", "-w", ws.root)
    result = CliRunner().invoke(main, ["review", "-w", str(ws.root), "a"], input="s\nq\n")
    assert result.exit_code == 0 and result.exception is None, result.output
    assert HEADLINE in result.output or SECOND in result.output
    queue = build_queue(ReviewSession(ws, "a", "Tester"), states=None)
    assert [item.msgid for item in queue] == [HEADLINE, SECOND, THIRD]


def test_the_web_dashboard_and_document_page_serve_a_catalog_with_a_plural_entry(with_plural):
    ws, _ = with_plural
    client = create_app(ws, "Web Tester", None).test_client()
    for url in ("/", "/doc/a"):
        response = client.get(url, headers={"Host": "localhost"})
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])


def test_re_extraction_keeps_a_plural_entry_untouched_and_readable(with_plural, msgfmt_check):
    ws, path = with_plural
    succeeds("extract", "-w", ws.root)
    msgfmt_check(path)
    catalog = load_catalog(path)  # our own reader takes what we wrote
    plural = next(m for m in catalog.obsolete.values() if m.pluralizable)
    assert plural.id == ("一个文件", "%d个文件") and plural.string == ("one file", "%d files")


def test_a_plural_entry_on_a_segment_key_is_kept_untouched_and_reported(tmp_path, msgfmt_check):
    ws, path = _workspace(tmp_path)
    text = path.read_text(encoding="utf-8")
    singular = f'msgid "{SECOND}"\nmsgstr ""\n'
    assert singular in text
    path.write_text(
        text.replace(singular, f'msgid "{SECOND}"\nmsgid_plural "{SECOND}们"\nmsgstr[0] "one"\nmsgstr[1] "many"\n'),
        encoding="utf-8",
    )
    msgfmt_check(path)
    result = succeeds("extract", "-w", ws.root)
    assert "1 untouched" in result.stderr, result.stderr
    msgfmt_check(path)
    catalog = load_catalog(path)
    entry = catalog.get(SECOND)
    assert entry.id == (SECOND, f"{SECOND}们") and entry.string == ("one", "many")
    assert not any(m.pluralizable for m in catalog.obsolete.values())
    assert not is_segment(entry)
    # Every other command leaves it alone, and none crashes on it.
    succeeds("translate", "-w", ws.root)
    for command in (("status",), ("check",), ("build",)):
        succeeds(*command, "-w", ws.root)
    catalog = load_catalog(path)
    assert catalog.get(SECOND).string == ("one", "many")
    assert state_of(catalog[THIRD]) is State.MACHINE_DRAFT
