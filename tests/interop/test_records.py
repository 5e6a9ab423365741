"""Records that survive other tools (issue 13, deliverable 2).

Our catalog, with every kind of record the pipeline writes (engine
signatures, memory stamps and suggestions, termbase hits, reviewers, a
silenced check, comments by people), is re-saved by polib (which wraps
comment lines longer than 78 columns), msgcat and Translate Toolkit's PO
store, and read back: every state and record is what it was, and the next
``pipeline extract`` gives back our exact bytes. A translation changed
outside the pipeline under a ``reviewed-by`` record is recognised as
"edited outside review".
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner

from pipeline.catalog import State, annotations, load_catalog, state_of
from pipeline.catalog.annotations import Suggestion
from pipeline.catalog.pofile import save_catalog
from pipeline.cli import main
from pipeline.engines.base import Signature
from pipeline.review.session import ReviewSession
from pipeline.status import document_status
from pipeline.workspace import Workspace
from tests.conftest import REPO, SEED_NAME
from tests.support.fake_engine import FakeEngine

CATALOG = f"locales/en/LC_MESSAGES/{SEED_NAME}.po"
LONG_TERM = ("宁波市加快推进新型工业化行动纲要", "Ningbo Action Plan for Accelerating New Industrialization")


class ArgosLikeEngine(FakeEngine):
    """A fake engine with a signature as long as Argos's."""

    def signature(self) -> Signature:
        settings = (("ctranslate2", "4.8.5"), ("beam", "4"), ("max_len", "2x+10"), ("length_penalty", "0.2"))
        return Signature("argos", "translate-zh_en", "1.9", settings)


def invoke(*args) -> None:
    engine = ArgosLikeEngine()
    result = CliRunner().invoke(main, [str(a) for a in args], obj={"engine_factory": lambda settings: engine})
    assert result.exit_code == 0, result.output


@pytest.fixture
def recorded(tmp_path) -> Workspace:
    """The seed drafted by an engine with a long signature, then: entries
    reviewed by someone with a long name, memory stamps and long
    suggestions, a silenced check, comments by people."""
    root = tmp_path / "ws"
    (root / "seeds").mkdir(parents=True)
    (root / "locales").mkdir()
    shutil.copyfile(REPO / "seeds" / f"{SEED_NAME}.txt", root / "seeds" / f"{SEED_NAME}.txt")
    shutil.copyfile(REPO / "locales" / "glossary.tsv", root / "locales" / "glossary.tsv")
    invoke("extract", "-w", root)
    invoke("translate", "-w", root)
    ws = Workspace(root)
    path = ws.catalog_path(SEED_NAME)
    catalog = load_catalog(path)
    entries = [m for m in catalog if m.id]
    for message in entries[10:14]:
        annotations.set_suggestions(
            message,
            [
                Suggestion(
                    82,
                    "partner memory 2024.tmx",
                    "Last month, the Ningbo Action Plan for Accelerating New "
                    "Industrialization was officially issued, drawing a new blueprint.",
                    numbers_differ=True,
                ),
                Suggestion(76, "doc", "Short."),
            ],
        )
    annotations.put(entries[15], annotations.NO_CHECK, ["numbers"])
    entries[15].user_comments.insert(0, "The source rounds the figure; the editor wants the exact one.")
    annotations.order(entries[15])
    memory = entries[16]
    annotations.set_draft_stamp(memory, annotations.TM, annotations.format_tm("partner memory 2024.tmx", 100))
    save_catalog(path, catalog)
    session = ReviewSession(ws, SEED_NAME, "Maria-Magdalena Papadopoulou-Schmidt (freelance reviewer, Athens office)")
    for message in entries[:6]:
        session.accept(message.id, override="the drafts of this test are placeholders")
    session.reject(entries[6].id)
    invoke("extract", "-w", root)  # what the team commits
    return ws


def snapshot(path: Path) -> list[tuple]:
    """Every entry's state and records, as the pipeline reads them."""
    out = []
    catalog = load_catalog(path)
    for message in [*catalog, *catalog.obsolete.values()]:
        if not message.id:
            continue
        records = annotations.records(message.user_comments)
        out.append(
            (
                message.id,
                message.string,
                state_of(message),
                sorted(message.flags),
                list(message.previous_id),
                annotations.machine_signature(message),
                annotations.memory_stamp(message),
                annotations.review_of(message),
                annotations.suggestions_of(message),
                annotations.terms_of(message),
                annotations.silenced_checks(message),
                [r.text for r in records if r.kind is None],
                annotations.block_types(message),
            )
        )
    return out


def test_the_records_are_there_and_no_line_is_long_enough_to_wrap(recorded):
    path = recorded.catalog_path(SEED_NAME)
    text = path.read_text(encoding="utf-8")
    assert "\n# mt:argos:translate-zh_en@1.9;ctranslate2=4.8.5;beam=4;max_len=2x+10;\n# mt+length_penalty=0.2;" in text
    assert "# term+ Industrialization" in text
    states = {state_of(m) for m in load_catalog(path) if m.id}
    assert {State.REVIEWED, State.MACHINE_DRAFT, State.UNTRANSLATED} <= states
    for line in text.splitlines():
        if line.startswith("# "):
            assert len(line) <= 76, line


@pytest.mark.parametrize("width", [78, 76], ids=["polib", "babel-width"])
def test_polib_save_changes_no_record_and_extract_restores_our_bytes(recorded, width):
    """polib's save (78 columns; 76 is where Babel-based tools wrap)."""
    path = recorded.catalog_path(SEED_NAME)
    before, records = path.read_bytes(), snapshot(path)
    po = polib.pofile(str(path), wrapwidth=width)
    po.save()
    assert path.read_bytes() != before  # polib wraps and lays out on its own
    assert snapshot(path) == records
    invoke("extract", "-w", recorded.root)
    assert path.read_bytes() == before


def test_msgcat_and_translate_toolkit_keep_every_record(recorded):
    path = recorded.catalog_path(SEED_NAME)
    before, records = path.read_bytes(), snapshot(path)
    subprocess.run(["msgcat", str(path), "-o", str(path)], check=True)
    assert path.read_bytes() == before
    from translate.storage import po as ttk_po

    store = ttk_po.pofile.parsefile(str(path))
    path.write_bytes(bytes(store))
    assert snapshot(path) == records
    invoke("extract", "-w", recorded.root)
    assert path.read_bytes() == before


def test_a_wrapped_legacy_record_leaves_no_stray_line_after_extract(tmp_path):
    """A catalog written before records were cut (one long ``# term:``
    line), saved by polib: the record is split at a space and its tail
    stands alone (``# Industrialization``). The next extract writes the
    record whole again and keeps no stray line."""
    root = tmp_path / "ws"
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copytree(REPO / "locales", root / "locales", ignore=shutil.ignore_patterns(".pipeline*", ".catalogs.lock"))
    path = root / CATALOG
    text = path.read_text(encoding="utf-8")
    record = f"# term: {LONG_TERM[0]} = {LONG_TERM[1]}"
    legacy = text.replace(
        f"# term: {LONG_TERM[0]} = Ningbo Action Plan for Accelerating New\n# term+ Industrialization", record
    )
    assert legacy != text
    path.write_text(legacy, encoding="utf-8")
    polib.pofile(str(path)).save()
    assert "\n# Industrialization\n" in path.read_text(encoding="utf-8")
    invoke("extract", "-w", root)
    # Every entry with the term has its record whole again, and nothing else.
    # (polib also wraps a person's comment longer than 78 columns, which no
    # tool can tell from two comments: its words stay, on two lines.)
    after, committed = load_catalog(path), load_catalog(REPO / CATALOG)
    with_term = [m.id for m in committed if m.id and LONG_TERM in annotations.terms_of(m)]
    assert len(with_term) == 2
    for msgid in with_term:
        assert after[msgid].user_comments == committed[msgid].user_comments
    for message in after:
        assert "Industrialization" not in [r.text for r in annotations.records(message.user_comments) if r.kind is None]


def test_an_entry_edited_outside_review_is_not_trusted_until_reviewed_again(recorded):
    path = recorded.catalog_path(SEED_NAME)
    reviewed = [m.id for m in load_catalog(path) if m.id and state_of(m) is State.REVIEWED]
    assert document_status(recorded, SEED_NAME).edited_outside_review == 0
    # A translator changes a reviewed translation in Poedit (here: polib), and
    # the reviewed-by line stays.
    po = polib.pofile(str(path))
    po.find(reviewed[0]).msgstr = "A better translation, typed in Poedit."
    po.save()
    catalog = load_catalog(path)
    message = catalog[reviewed[0]]
    assert annotations.review_of(message).reviewer.startswith("Maria-Magdalena")
    assert state_of(message) is State.EDITED_OUTSIDE_REVIEW
    status = document_status(recorded, SEED_NAME)
    assert (status.edited_outside_review, status.reviewed) == (1, len(reviewed) - 1)
    result = CliRunner().invoke(main, ["status", "-w", str(recorded.root)])
    assert result.exit_code == 0 and "1 entries edited outside review" in result.output
    # The review queue offers it again; accepting it records the new text.
    session = ReviewSession(recorded, SEED_NAME, "Li Hua")
    session.accept(reviewed[0])
    message = load_catalog(path)[reviewed[0]]
    assert state_of(message) is State.REVIEWED and annotations.review_of(message).reviewer == "Li Hua"
    assert message.string == "A better translation, typed in Poedit."


def test_a_legacy_reviewed_by_record_without_a_hash_is_read_as_reviewed():
    catalog = load_catalog(REPO / CATALOG)
    # An entry of the seed reviewed before records carried hashes (its approval, which always does, removed).
    message = next(m for m in catalog if m.id and annotations.review_of(m).digest is None)
    annotations.clear_approval(message)
    review = annotations.review_of(message)
    assert review is not None and review.digest is None
    assert state_of(message) is State.REVIEWED
    message.string = "Changed."
    assert state_of(message) is State.REVIEWED  # nothing to compare with: taken as it is


def test_a_no_check_comment_survives_msgmerge_where_the_flag_does_not(tmp_path):
    from babel.messages.catalog import Message

    from pipeline.catalog.template import new_catalog

    catalog = new_catalog("doc", "seeds/doc.txt", "en")
    catalog["到2027年。"] = Message("到2027年。", "By 2028.", flags={"no-check-numbers"})
    catalog["第二句。"] = Message("第二句。", "By 2028 too.")
    annotations.put(catalog["第二句。"], annotations.NO_CHECK, ["numbers"])
    path = tmp_path / "doc.po"
    save_catalog(path, catalog)
    subprocess.run(["msgcat", str(path), "-o", str(path)], check=True)
    after = load_catalog(path)
    assert annotations.silenced_checks(after["第二句。"]) == {"numbers"}
    assert annotations.silenced_checks(after["到2027年。"]) == set()  # gettext dropped the flag
