"""No reviewed translation is ever lost.

A hypothesis state machine works on a workspace whose catalog was built
from the seed, machine-translated and partly reviewed. Its steps are what
happens to such a workspace over years: the source is edited (paragraphs
and sentences inserted and deleted, a character changed inside a
sentence), re-extracted, machine-translated (fake engine), reviewed (a
draft or a fuzzy entry accepted, sometimes edited; one rejected back to
untranslated) and built.

The machine keeps its own model of what was reviewed (msgid → text) and
of the sentences of the last extraction, and after every step checks the
catalog against it:

* a reviewed sentence that is still in the source is still an active,
  reviewed entry with exactly its reviewed text;
* a reviewed sentence that left the source is kept: as an obsolete entry
  with its reviewed text, or carried as a fuzzy entry (``#| msgid`` = the
  old sentence) onto the sentence that replaced it;
* a sentence changed by one character, similar enough to be matched, is
  fuzzy on its new text with the old source in ``previous_id``;
* the catalog passes ``msgfmt -c``; its active entries are exactly the
  sentences of the last extraction; a build never writes the catalog, and
  its English edition shows each reviewed sentence's translation.

CI runs a bounded number of short histories; ``PIPELINE_SOAK=1`` runs
many more and longer ones.
"""

from __future__ import annotations

import difflib
import io
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from pipeline.catalog import State, load_catalog, read_po, save_catalog, state_of
from pipeline.catalog.merge import FUZZY_CUTOFF
from pipeline.catalog.states import set_reviewed, set_untranslated
from pipeline.segment import segment_document
from pipeline.workspace import Workspace
from pipeline.zh.script import HAN_RE
from tests.reliability.support import SOAK, fuzz_settings, succeeds

DOC = "doc"
REVIEW_EVERY = 4


def paragraphs_of(text: str) -> list[str]:
    return [p for p in re.split(r"\n[ \t]*\n", text.strip()) if p.strip()]


def render(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs) + "\n"


def sentences_of(source: str) -> set[str]:
    """The translatable segments of a source: what an extraction makes entries of."""
    return {seg.text for _, seg in segment_document(DOC, source).segments() if seg.translatable}


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


_SENTENCE = re.compile(r"[^。！？]*[。！？]+[”’」』）》]*")


class History(RuleBasedStateMachine):
    """One history of a workspace. The test sets the class attributes below
    on a subclass before running it; each history starts from a copy."""

    prepared: Path  # the workspace to copy
    initial_reviewed: dict[str, str]  # msgid -> reviewed text in it
    han_pool: list[str]  # characters for new text (the seed's own)
    msgfmt_check: Callable[[Path], None]

    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="pipeline-history-"))
        shutil.copytree(self.prepared, self.tmp / "ws")
        self.ws = Workspace(self.tmp / "ws")
        self.source = self.ws.seeds / f"{DOC}.txt"
        self.po = self.ws.catalog_path(DOC)
        self.paragraphs = paragraphs_of(self.source.read_text(encoding="utf-8"))
        # The model: decisions made by people, and what the last extraction saw.
        self.reviewed: dict[str, str] = dict(self.initial_reviewed)
        self.extracted: set[str] = sentences_of(self.source.read_text(encoding="utf-8"))
        self.ever_extracted: set[str] = set(self.extracted)
        self.renamed: list[tuple[str, str]] = []  # (old sentence, new sentence) since the last extraction

    def teardown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- helpers ----------------------------------------------------------------------

    def sentence(self, data, label: str) -> str:
        chars = data.draw(st.lists(st.sampled_from(self.han_pool), min_size=4, max_size=14), label=label)
        return "".join(chars) + data.draw(st.sampled_from("。。。！？"), label=f"{label} end")

    def write_source(self, paragraphs: list[str]) -> None:
        self.paragraphs = paragraphs
        self.source.write_text(render(paragraphs), encoding="utf-8")

    def catalog(self):
        return load_catalog(self.po)

    # --- source edits -----------------------------------------------------------------

    @rule(data=st.data())
    def insert_paragraph(self, data):
        at = data.draw(st.integers(0, len(self.paragraphs)), label="at")
        count = data.draw(st.integers(1, 3), label="sentences")
        paragraph = "".join(self.sentence(data, f"sentence {n}") for n in range(count))
        self.write_source(self.paragraphs[:at] + [paragraph] + self.paragraphs[at:])

    @precondition(lambda self: len(self.paragraphs) > 1)
    @rule(data=st.data())
    def delete_paragraph(self, data):
        at = data.draw(st.integers(0, len(self.paragraphs) - 1), label="at")
        self.write_source(self.paragraphs[:at] + self.paragraphs[at + 1 :])

    @rule(data=st.data())
    def change_a_character(self, data):
        spots = [(p, i) for p, text in enumerate(self.paragraphs) for i, ch in enumerate(text) if HAN_RE.match(ch)]
        if not spots:
            return
        p, i = data.draw(st.sampled_from(spots), label="where")
        old = self.paragraphs[p]
        new = old[:i] + data.draw(st.sampled_from([c for c in self.han_pool if c != old[i]]), label="by") + old[i + 1 :]
        before = sentences_of(render(self.paragraphs))
        self.write_source(self.paragraphs[:p] + [new] + self.paragraphs[p + 1 :])
        after = sentences_of(render(self.paragraphs))
        gone, came = before - after, after - before
        if len(gone) == 1 and len(came) == 1:  # one sentence became another
            self.renamed.append((gone.pop(), came.pop()))

    @rule(data=st.data())
    def add_a_sentence(self, data):
        p = data.draw(st.integers(0, len(self.paragraphs) - 1), label="paragraph")
        sentence = self.sentence(data, "sentence")
        text = self.paragraphs[p]
        text = sentence + text if data.draw(st.booleans(), label="at the start") else text + sentence
        self.write_source(self.paragraphs[:p] + [text] + self.paragraphs[p + 1 :])

    @rule(data=st.data())
    def remove_a_sentence(self, data):
        candidates = [(p, m.span()) for p, text in enumerate(self.paragraphs) for m in _SENTENCE.finditer(text)]
        candidates = [
            (p, span) for p, span in candidates if self.paragraphs[p][: span[0]] + self.paragraphs[p][span[1] :]
        ]
        if not candidates:
            return
        p, (a, b) = data.draw(st.sampled_from(candidates), label="sentence")
        text = self.paragraphs[p]
        self.write_source(self.paragraphs[:p] + [text[:a] + text[b:]] + self.paragraphs[p + 1 :])

    # --- the pipeline -----------------------------------------------------------------

    @rule()
    def extract(self):
        succeeds("extract", "-w", self.ws.root)
        previously = self.ever_extracted
        self.extracted = sentences_of(self.source.read_text(encoding="utf-8"))
        self.ever_extracted = previously | self.extracted
        catalog = self.catalog()
        for old, new in self.renamed:
            if old not in self.reviewed or new not in self.extracted or new in previously or old in self.extracted:
                continue
            if similarity(old, new) < FUZZY_CUTOFF:
                continue
            # A reviewed sentence changed a little: its new text must be fuzzy,
            # carrying the translation of the most similar old sentence.
            entry = catalog[new]
            assert state_of(entry) is State.FUZZY, (old, new, entry.string, entry.flags)
            assert entry.previous_id, (old, new)
            if entry.previous_id == [old]:
                assert entry.string == self.reviewed[old]
        self.renamed = []

    @rule()
    def translate(self):
        succeeds("translate", "-w", self.ws.root)

    def draw_waiting(self, data):
        """The catalog and an entry waiting for review drawn from it, or None."""
        catalog = self.catalog()
        waiting = [m for m in catalog if m.id and state_of(m) in (State.MACHINE_DRAFT, State.FUZZY)]
        if not waiting:
            return None
        return catalog, data.draw(st.sampled_from(waiting), label="entry")

    @rule(data=st.data())
    def review(self, data):
        drawn = self.draw_waiting(data)
        if drawn is None:
            return
        catalog, message = drawn
        edit = data.draw(st.sampled_from(["accept", "edit", "rewrite"]), label="decision")
        text = {
            "accept": message.string,
            "edit": f"{message.string} (checked)",
            "rewrite": "A reviewer's own sentence.",
        }[edit]
        set_reviewed(message, text)
        save_catalog(self.po, catalog)
        self.reviewed[message.id] = text

    @rule(data=st.data())
    def reject(self, data):
        drawn = self.draw_waiting(data)
        if drawn is None:
            return
        catalog, message = drawn
        set_untranslated(message)
        save_catalog(self.po, catalog)

    @rule()
    def build(self):
        before = self.po.read_bytes()
        succeeds("build", "-w", self.ws.root)
        assert self.po.read_bytes() == before, "a build wrote the catalog"
        english = (self.ws.default_build / f"{DOC}.en.txt").read_text(encoding="utf-8")
        for msgid in sentences_of(self.source.read_text(encoding="utf-8")) & self.extracted:
            if msgid in self.reviewed:
                assert self.reviewed[msgid] in english, msgid

    # --- after every step -------------------------------------------------------------

    @invariant()
    def no_reviewed_translation_is_lost(self):
        catalog = self.catalog()
        active = {m.id: m for m in catalog if m.id}
        assert set(active) == self.extracted, "the active entries are not the sentences of the last extraction"
        for msgid, text in self.reviewed.items():
            if msgid in self.extracted:
                entry = active[msgid]
                assert state_of(entry) is State.REVIEWED and entry.string == text, (msgid, entry.string, entry.flags)
                continue
            kept = catalog.obsolete.get(msgid)
            obsolete = kept is not None and kept.string == text and not kept.fuzzy
            carried = any(m.previous_id == [msgid] and m.string == text and m.fuzzy for m in active.values())
            assert obsolete or carried, f"the reviewed translation of {msgid!r} is gone"

    @invariant()
    def catalog_passes_msgfmt(self):
        self.msgfmt_check(self.po)


LONG = (
    "同时，AI for Science将作为本实验室融入实验室的管理和研发活动中，"
    "如前瞻技术洞察、实验数据分析与管理、材料预测模型与创制、规模放大数字孪生等。"
)


def test_a_long_reviewed_sentence_that_changed_stays_fuzzy(workspace):
    """Found by the soak: a previous msgid long enough to wrap was written
    as ``#| msgid "" "..."``, which the reader skipped. The entry lost its
    old source and, with the engine comment its draft left, read back as a
    machine draft: the old sentence's translation shown in the edition."""
    source = next(workspace.joinpath("seeds").glob("*.txt"))
    assert source.read_text(encoding="utf-8").count("融入实验室的管理") == 1
    succeeds("extract", "-w", workspace)
    succeeds("translate", "-w", workspace)
    ws = Workspace(workspace)
    po = ws.catalog_path(source.stem)
    catalog = load_catalog(po)
    set_reviewed(catalog[LONG], "Meanwhile, AI for Science will be part of the laboratory.")
    save_catalog(po, catalog)

    changed = LONG.replace("融入实验室的管理", "融入实验严的管理")  # one character, in the raw text too
    source.write_text(
        source.read_text(encoding="utf-8").replace("融入实验室的管理", "融入实验严的管理"), encoding="utf-8"
    )
    succeeds("extract", "-w", workspace)
    succeeds("translate", "-w", workspace)  # reads and writes the catalog once more

    entry = load_catalog(po)[changed]
    assert state_of(entry) is State.FUZZY
    assert entry.previous_id == [LONG]
    assert entry.string == "Meanwhile, AI for Science will be part of the laboratory."
    succeeds("build", "-w", workspace)
    english = (ws.default_build / f"{source.stem}.en.txt").read_text(encoding="utf-8")
    assert "Meanwhile, AI for Science" not in english  # waits for a reviewer


def test_previous_source_in_the_layout_older_versions_wrote_is_read():
    """Catalogs written before the fix carry ``#| msgid "" "first part"``
    (GNU gettext accepts it); reading them must give the old source back."""
    changed = LONG.replace("融入实验室的管理", "融入实验严的管理")
    first, rest = LONG.split(" ", 1)
    po = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        "# mt:argos:translate-zh_en@1.9\n#, fuzzy\n"
        f'#| msgid "" "{first} "\n#| "{rest}"\n'
        f'msgid ""\n"{first} "\n"{changed.split(" ", 1)[1]}"\nmsgstr "An old reviewed translation."\n'
    )
    entry = read_po(io.BytesIO(po.encode("utf-8")), "old.po")[changed]
    assert entry.previous_id == [LONG]
    assert state_of(entry) is State.FUZZY


def prepare(root: Path, seed_text: str) -> tuple[Path, dict[str, str]]:
    """The seed (blank-line runs collapsed), extracted, machine-translated and
    every REVIEW_EVERY-th entry reviewed."""
    ws = Workspace(root)
    ws.seeds.mkdir(parents=True)
    (ws.seeds / f"{DOC}.txt").write_text(render(paragraphs_of(seed_text)), encoding="utf-8")
    succeeds("extract", "-w", root)
    succeeds("translate", "-w", root)
    catalog = load_catalog(ws.catalog_path(DOC))
    reviewed = {}
    for n, message in enumerate([m for m in catalog if m.id][::REVIEW_EVERY]):
        set_reviewed(message, f"Reviewed translation {n}.")
        reviewed[message.id] = message.string
    save_catalog(ws.catalog_path(DOC), catalog)
    return root, reviewed


def test_no_reviewed_translation_is_ever_lost(tmp_path, seed_text, msgfmt_check):
    prepared, reviewed = prepare(tmp_path / "prepared", seed_text)

    class Machine(History):
        pass

    Machine.prepared = prepared
    Machine.initial_reviewed = reviewed
    Machine.han_pool = sorted(set(HAN_RE.findall(seed_text)))
    Machine.msgfmt_check = staticmethod(msgfmt_check)
    steps = 60 if SOAK else 25
    run_state_machine_as_test(
        Machine, settings=fuzz_settings(scale=0.08 if not SOAK else 0.04, stateful_step_count=steps, deadline=None)
    )
