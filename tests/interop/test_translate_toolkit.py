"""Interchange with Translate Toolkit (issue 13, deliverable 4), with the real
tools of the ``translate-toolkit`` package (test extra).

* Our TMX (``pipeline tm export``, ``build/<doc>.tmx``), read by
  ``translate.storage.tmx``: Simplified Chinese → English, spelled ``zh-Hans``
  and ``en``, and only the pairs of the document as it is: no obsolete entry,
  no sentence the source no longer has.
* Its ``po2xliff`` → ``xliff2po`` round trip on our catalog, recorded as
  facts: what survives and what it loses or gets wrong. We cannot fix their
  tools; what we make sure of is that a catalog that went through them does
  not bring obsolete entries back into our exchange files, and that the next
  ``pipeline extract`` makes them obsolete again (msgmerge's rule: an entry
  the template does not have is obsolete).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner

from pipeline.catalog import load_catalog, state_of
from pipeline.cli import main
from pipeline.languages import SOURCE, TARGET
from pipeline.tm import read_tmx
from pipeline.workspace import Workspace
from tests.conftest import REPO, SEED_NAME

CHANGED = ("决胜未来发展，宁波打出一张“王牌”。", "决胜未来发展，宁波打出一张“好牌”。")  # old, new
REMOVED = "记者 成良田"  # the byline, a line of its own
XLIFF_NS = "{urn:oasis:names:tc:xliff:document:1.1}"


def toolkit_command(name: str) -> str:
    """A Translate Toolkit command of this environment; fail, never skip."""
    exe = Path(sys.executable).parent / name
    if not exe.exists():
        found = shutil.which(name)
        if found is None:
            pytest.fail(f"{name} not found: install the test extra (pip install -e '.[test]')")
        return found
    return str(exe)


def run_toolkit(name: str, source: Path, target: Path) -> None:
    proc = subprocess.run(
        [toolkit_command(name), "--progress=none", "-i", str(source), "-o", str(target)], capture_output=True, text=True
    )
    assert proc.returncode == 0 and target.exists(), f"{name} failed:\n{proc.stderr}"


def invoke(*args) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def edited(tmp_path) -> Workspace:
    """The seed with the team's reviewed catalog, after the source changed:
    one sentence edited (fuzzy, ``#| msgid``; its reviewed translation kept
    as obsolete) and the byline removed (obsolete)."""
    root = tmp_path / "ws"
    (root / "seeds").mkdir(parents=True)
    (root / "locales" / "en" / "LC_MESSAGES").mkdir(parents=True)
    catalog = f"locales/en/LC_MESSAGES/{SEED_NAME}.po"
    shutil.copyfile(REPO / catalog, root / catalog)
    text = (REPO / "seeds" / f"{SEED_NAME}.txt").read_text(encoding="utf-8")
    assert text.count("王牌") == 1 and text.count(REMOVED + "\n") == 1
    text = text.replace("王牌", "好牌").replace(REMOVED + "\n", "")
    (root / "seeds" / f"{SEED_NAME}.txt").write_text(text, encoding="utf-8")
    invoke("extract", "-w", root)
    ws = Workspace(root)
    po = polib.pofile(str(ws.catalog_path(SEED_NAME)))
    assert {e.msgid for e in po.obsolete_entries()} == {REMOVED, CHANGED[0]}
    changed = po.find(CHANGED[1])
    assert changed.fuzzy and changed.previous_msgid == CHANGED[0]
    return ws


def _tmx_pairs(data: bytes) -> set[str]:
    return {u.source for u in read_tmx(io.BytesIO(data)).units}


def _live_reviewed(ws: Workspace) -> set[str]:
    catalog = load_catalog(ws.catalog_path(SEED_NAME))
    return {m.id for m in catalog if m.id and state_of(m).reviewed}  # translated or approved


# --- our TMX, read by Translate Toolkit ------------------------------------------


def test_translate_toolkit_reads_our_tmx_without_stale_pairs(edited, tmp_path):
    from translate.storage import tmx

    exported = tmp_path / "export.tmx"
    invoke("tm", "export", "-w", edited.root, "-o", exported)
    invoke("build", "-w", edited.root)
    built = edited.default_build / f"{SEED_NAME}.tmx"
    live = _live_reviewed(edited)
    for path in (exported, built):
        with open(path, "rb") as fh:
            store = tmx.tmxfile(fh)
        assert store.sourcelanguage == "zh-Hans" == SOURCE.bcp47
        sources = {unit.source for unit in store.units}
        assert sources == live, path.name
        # Neither the removed byline nor the old wording of the edited sentence
        # (both obsolete), nor the edited sentence (fuzzy: not reviewed).
        assert not sources & {REMOVED, *CHANGED}, path.name
        langs = {
            tuv.get("{http://www.w3.org/XML/1998/namespace}lang")
            for unit in store.units
            for tuv in unit.xmlelement.iter("tuv")
        }
        assert langs == {"zh-Hans", "en"} == {SOURCE.bcp47, TARGET.bcp47}, path.name


def test_our_catalog_names_the_pair_in_gettext_spelling(edited):
    po = polib.pofile(str(edited.catalog_path(SEED_NAME)))
    assert (po.metadata["X-Source-Language"], po.metadata["Language"]) == ("zh_Hans", "en")
    assert (SOURCE.gettext, TARGET.gettext) == ("zh_Hans", "en")
    assert edited.catalog_path(SEED_NAME).parent.parent.name == TARGET.gettext


# --- po2xliff → xliff2po on our catalog -------------------------------------------


@pytest.fixture
def round_trip(edited, tmp_path):
    """Our catalog through ``po2xliff`` and back through ``xliff2po``.
    Returns ``(ws, xliff_path, po_path)``."""
    xliff, back = tmp_path / "doc.xlf", tmp_path / "back.po"
    run_toolkit("po2xliff", edited.catalog_path(SEED_NAME), xliff)
    run_toolkit("xliff2po", xliff, back)
    return edited, xliff, back


def test_toolkit_round_trip_facts(round_trip):
    """What Translate Toolkit's round trip does to our catalog (3.x). If one of
    these changes, update the README's catalog section."""
    ws, xliff, back = round_trip
    ours = polib.pofile(str(ws.catalog_path(SEED_NAME)))
    theirs = polib.pofile(str(back))

    # The XLIFF calls the source language en-US: po2xliff has no option for it.
    file = ET.parse(xliff).getroot().find(f"{XLIFF_NS}file")
    assert (file.get("source-language"), file.get("target-language")) == ("en-US", "en")

    # States and comments survive: translations, fuzzy flags, translator and
    # extracted comments, locations.
    for entry in ours:
        other = theirs.find(entry.msgid)
        assert other is not None and other.msgstr == entry.msgstr and other.fuzzy == entry.fuzzy, entry.msgid
        assert other.tcomment == entry.tcomment and other.comment == entry.comment, entry.msgid
        assert other.occurrences == entry.occurrences, entry.msgid

    # The #| msgid of the fuzzy entry is lost (the XLIFF has it, as alt-trans).
    assert ours.find(CHANGED[1]).previous_msgid == CHANGED[0]
    assert theirs.find(CHANGED[1]).previous_msgid is None
    # Obsolete entries come back live, translated and not fuzzy.
    assert theirs.obsolete_entries() == []
    for msgid in (REMOVED, CHANGED[0]):
        revived = theirs.find(msgid)
        assert revived is not None and revived.msgstr and not revived.fuzzy and not revived.obsolete
    # The header is marked fuzzy.
    assert theirs.metadata_is_fuzzy and not ours.metadata_is_fuzzy


def test_revived_entries_stay_out_of_our_exchange_files_and_extract_retires_them(round_trip, tmp_path):
    ws, _, back = round_trip
    path = ws.catalog_path(SEED_NAME)
    before = load_catalog(path)
    shutil.copyfile(back, path)  # the translator hands the round-tripped catalog back
    revived = {REMOVED, CHANGED[0]}
    assert revived <= _live_reviewed(ws)  # as the file now says

    # Before any extract: neither tm export nor the build passes them on.
    exported = tmp_path / "export.tmx"
    invoke("tm", "export", "-w", ws.root, "-o", exported)
    invoke("build", "-w", ws.root)
    for data in (exported.read_bytes(), (ws.default_build / f"{SEED_NAME}.tmx").read_bytes()):
        sources = _tmx_pairs(data)
        assert sources and not sources & revived

    # extract makes them obsolete again and leaves every live entry as it was.
    invoke("extract", "-w", ws.root)
    after = load_catalog(path)
    assert set(after.obsolete) == set(before.obsolete) == revived
    assert [(m.id, m.string, sorted(m.flags), m.user_comments) for m in after if m.id] == [
        (m.id, m.string, sorted(m.flags), m.user_comments) for m in before if m.id
    ]
    # What extract cannot bring back: the #| msgid that xliff2po dropped.
    assert before[CHANGED[1]].previous_id == [CHANGED[0]]
    assert after[CHANGED[1]].previous_id == []
