"""Another program saves a catalog while pipeline writes it: no save of
theirs is ever lost (issue 12, finding 3).

A separate process (:mod:`tests.reliability.concurrent_writer`) saves the
catalog every few milliseconds, as Poedit does, each time giving a
reviewed entry a new translation, while ``translate`` flushes drafts after
every batch, a reviewer accepts drafts, or ``extract`` merges the catalog
again. The writer saves in the ways editors do: a temporary file renamed
over the catalog, a delete and re-create, a new line wrapping at every
save, or a truncate-and-write through the same inode. At the end every
entry the writer edited must hold the last text the writer gave it, the
catalog must load with our reader and pass ``msgfmt -c``, and the entries
that were reviewed before the run and that the writer left alone must be
as they were.

(The writer itself reads, edits and saves without any lock, as Poedit
does: a draft of ours that it read before we saved it can be reverted by
its next save. That is its lost update, not ours, and it loses no person's
work; the test does not count drafts.)

Figures from a longer run: ``PIPELINE_SOAK=1`` (see BENCHMARKS.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.catalog import State, load_catalog, save_catalog, state_of
from pipeline.catalog.states import find, set_machine_draft, set_reviewed
from pipeline.extract import extract
from pipeline.review.session import ReviewConflict, ReviewSession
from pipeline.translate import translate_documents
from pipeline.workspace import Workspace
from tests.conftest import REPO
from tests.reliability.support import SOAK, fuzz_settings
from tests.support.fake_engine import FakeEngine

MODES = ("replace", "recreate", "rewrap", "inplace")
SENTENCES = 40


def make_workspace(root: Path) -> tuple[Workspace, str, dict[str, str], list[str]]:
    """A catalog of SENTENCES entries: the even ones reviewed, the odd ones
    untranslated. Returns the workspace, the document, the reviewed texts by
    msgid, and the untranslated msgids."""
    (root / "seeds").mkdir(parents=True)
    text = "\n\n".join(f"宁波第{i}项行动方案已经正式发布。" for i in range(SENTENCES)) + "\n"
    (root / "seeds" / "doc.txt").write_text(text, encoding="utf-8")
    ws = Workspace(root)
    extract(ws, root / "seeds" / "doc.txt")
    path = ws.catalog_path("doc")
    catalog = load_catalog(path)
    reviewed, untranslated = {}, []
    for i, message in enumerate(m for m in catalog if m.id):
        if i % 2 == 0:
            set_reviewed(message, f"Reviewed {i}.")
            reviewed[message.id] = message.string
        else:
            untranslated.append(message.id)
    save_catalog(path, catalog)
    return ws, "doc", reviewed, untranslated


@contextmanager
def concurrent_writer(path: Path, mode: str, interval_ms: int, msgids: list[str]):
    """Run the writer process on ``path`` for the duration of the block;
    yields a dict that receives the writer's log when it has stopped."""
    work = Path(tempfile.mkdtemp(prefix="writer-"))
    stop, log = work / "stop", work / "log.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.concurrent_writer",
            str(path),
            mode,
            str(interval_ms),
            str(stop),
            str(log),
            *msgids,
        ],
        cwd=REPO,
    )
    result: dict = {}
    try:
        deadline = time.monotonic() + 30
        while not Path(str(log) + ".started").exists():  # the writer has saved once
            assert proc.poll() is None, f"the writer exited with {proc.returncode}"
            assert time.monotonic() < deadline, "the writer did not start"
            time.sleep(0.01)
        yield result
    finally:
        stop.write_text("stop")
        assert proc.wait(timeout=30) == 0, "the writer failed"
    result.update(json.loads(log.read_text(encoding="utf-8")))


def assert_nothing_lost(path: Path, reviewed: dict[str, str], log: dict, msgfmt_check) -> None:
    catalog = load_catalog(path)
    msgfmt_check(path)
    assert log["saves"] > 0
    lost = {m: (t, catalog[m].string) for m, t in log["expected"].items() if catalog[m].string != t}
    assert not lost, f"{len(lost)} of the writer's edits lost (of {log['saves']} saves): {lost}"
    for msgid in log["expected"]:
        assert state_of(catalog[msgid]) is State.REVIEWED
    for msgid, text in reviewed.items():
        if msgid not in log["expected"]:
            assert catalog[msgid].string == text and state_of(catalog[msgid]) is State.REVIEWED


SETTINGS = fuzz_settings(scale=0.3 if SOAK else 0.06, deadline=None)


@SETTINGS
@given(mode=st.sampled_from(MODES), interval_ms=st.integers(10, 30), batch=st.integers(1, 3))
def test_translate_never_loses_a_save_made_by_another_program(mode, interval_ms, batch):
    from tests.conftest import _msgfmt_check

    with tempfile.TemporaryDirectory() as tmp:
        ws, doc, reviewed, _ = make_workspace(Path(tmp) / "ws")
        path = ws.catalog_path(doc)
        slow = FakeEngine(batch=batch, after_batch=lambda n: time.sleep(0.002))
        with concurrent_writer(path, mode, interval_ms, list(reviewed)[:8]) as log:
            translate_documents(ws, [doc], lambda: slow, flush_seconds=0)
        assert_nothing_lost(path, reviewed, log, _msgfmt_check)


@pytest.mark.parametrize("mode", MODES)
def test_review_decisions_never_lose_a_save_made_by_another_program(tmp_path, mode, msgfmt_check):
    ws, doc, reviewed, untranslated = make_workspace(tmp_path / "ws")
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    for msgid in untranslated:
        set_machine_draft(catalog[msgid], "Draft.", "fake:test@0")
    save_catalog(path, catalog)
    session = ReviewSession(ws, doc, "Tester")
    with concurrent_writer(path, mode, 10, list(reviewed)[:8]) as log:
        for msgid in untranslated:
            try:
                session.accept(msgid, f"Accepted {msgid}", override="a marker text for this test")
            except ReviewConflict:  # the writer reverted our draft meanwhile: shown, never overwritten
                pass
    assert_nothing_lost(path, reviewed, log, msgfmt_check)


@pytest.mark.parametrize("mode", MODES)
def test_extract_never_loses_a_save_made_by_another_program(tmp_path, mode, msgfmt_check):
    ws, doc, reviewed, _ = make_workspace(tmp_path / "ws")
    path = ws.catalog_path(doc)
    with concurrent_writer(path, mode, 10, list(reviewed)[:8]) as log:
        for _ in range(15):
            extract(ws, ws.seeds / "doc.txt")
    assert_nothing_lost(path, reviewed, log, msgfmt_check)


# --- our own lock held, and kills in the middle of an update ----------------------------------

_HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def test_a_decision_while_another_process_holds_the_catalog_lock_is_refused_with_one_line(tmp_path, monkeypatch):
    from pipeline.errors import WorkspaceBusy

    ws, doc, reviewed, untranslated = make_workspace(tmp_path / "ws")
    path = ws.catalog_path(doc)
    before = path.read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(ws.locales / ".locks" / f"{doc}.lock")], stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout.readline() == b"held\n"
        real = Workspace.catalog_lock
        monkeypatch.setattr(Workspace, "catalog_lock", lambda self, doc, timeout=30.0: real(self, doc, timeout=0.3))
        with pytest.raises(WorkspaceBusy) as info:
            ReviewSession(ws, doc, "Tester").accept(untranslated[0], "Accepted.")
        assert "\n" not in str(info.value)
    finally:
        holder.kill()
        holder.wait()
    assert path.read_bytes() == before


_HOLD_DOCUMENT_LOCK = """
import sys
from pathlib import Path
from pipeline.workspace import Workspace
with Workspace(Path(sys.argv[1])).catalog_lock(sys.argv[2]):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes it
"""


def test_a_frozen_writer_of_one_document_does_not_hold_up_another_documents_saves(tmp_path, monkeypatch):
    """A worker frozen (SIGSTOP) while it holds document A's catalog lock:
    a review decision and a merge of document B complete meanwhile; A's own
    saves still wait for A's lock (refused here after a short wait), and
    go through once it is released."""
    import signal

    from pipeline.errors import WorkspaceBusy

    ws, doc, reviewed, untranslated = make_workspace(tmp_path / "ws")
    (ws.seeds / "other.txt").write_text("宁波另一份文件已经正式发布。\n\n第二段也已经发布。\n", encoding="utf-8")
    extract(ws, ws.seeds / "other.txt")
    other_ids = [m.id for m in load_catalog(ws.catalog_path("other")) if m.id]
    before = ws.catalog_path(doc).read_bytes()
    real = Workspace.catalog_lock
    # A bound for failure only: with one lock for the workspace, B's save would wait this long, then fail.
    monkeypatch.setattr(Workspace, "catalog_lock", lambda self, d, timeout=30.0: real(self, d, min(timeout, 10)))
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_DOCUMENT_LOCK, str(ws.root), doc],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=REPO,
    )
    try:
        assert holder.stdout.readline() == b"held\n"
        holder.send_signal(signal.SIGSTOP)  # frozen mid-flush, its lock held
        ReviewSession(ws, "other", "Tester").accept(other_ids[0], "Another document, saved.")
        (ws.seeds / "other.txt").write_text("宁波另一份文件已经正式发布。\n\n第三段替换了第二段。\n", encoding="utf-8")
        extract(ws, ws.seeds / "other.txt")
        assert holder.poll() is None  # B's saves completed while A's lock was held
        monkeypatch.setattr(Workspace, "catalog_lock", lambda self, d, timeout=30.0: real(self, d, timeout=0.3))
        with pytest.raises(WorkspaceBusy) as info:  # the same document still waits for its lock
            ReviewSession(ws, doc, "Tester").accept(untranslated[0], "Accepted.")
        assert "\n" not in str(info.value) and f".locks/{doc}.lock" in str(info.value)
        assert ws.catalog_path(doc).read_bytes() == before
    finally:
        holder.send_signal(signal.SIGCONT)
        holder.stdin.close()
        holder.wait(timeout=30)
    catalog = load_catalog(ws.catalog_path("other"))
    assert find(catalog, (None, other_ids[0])).string == "Another document, saved."
    assert find(catalog, (None, "第三段替换了第二段。")) is not None
    ReviewSession(ws, doc, "Tester").accept(untranslated[0], "Accepted.")  # released: it goes through
    assert find(load_catalog(ws.catalog_path(doc)), (None, untranslated[0])).string == "Accepted."
    assert not (ws.locales / ".catalogs.lock").exists()  # the old workspace-wide lock is not created


@pytest.mark.parametrize("doc", [".", "..", "新闻稿", "-rf", "x" * 254, "a/../../escape"])
def test_every_document_name_gets_a_lock_file_of_its_own_inside_locks(tmp_path, doc):
    """A name that is one file's name locks as ``<doc>.lock``; one that could
    not be (too long with ``.lock``, a separator) by its digest, still in
    ``locales/.locks/`` and nowhere else."""
    ws = Workspace(tmp_path / "ws")
    with ws.catalog_lock(doc), ws.catalog_lock("other"):
        pass
    made = sorted(p.relative_to(ws.root).as_posix() for p in ws.root.rglob("*") if p.is_file())
    assert len(made) == 2 and all(p.startswith("locales/.locks/") and p.count("/") == 2 for p in made), made
    assert "locales/.locks/other.lock" in made


_UPDATER = """
import sys
from pathlib import Path
from pipeline.catalog.states import find, set_machine_draft
from pipeline.catalog.store import update_catalog
from pipeline.workspace import Workspace
ws, path = Workspace(Path(sys.argv[1])), Path(sys.argv[2])
msgids = sys.argv[3:]
print("ready", flush=True)
for round in range(10**6):
    def change(catalog, round=round):
        for i, msgid in enumerate(msgids):
            set_machine_draft(find(catalog, (None, msgid)), f"round {round} {i}", "fake:test@0")
        return catalog
    update_catalog(path, change, lock=ws.catalog_lock_for(path.stem))
"""


def test_updates_killed_at_random_moments_leave_the_old_or_the_new_catalog(tmp_path, msgfmt_check):
    """SIGKILL during a stream of updates (read, parse, write, check, swap):
    after every kill the catalog loads, holds every entry with its reviewed
    text, and holds one whole update (every draft of the same round)."""
    import random
    import signal

    ws, doc, reviewed, untranslated = make_workspace(tmp_path / "ws")
    path = ws.catalog_path(doc)
    rng = random.Random(20_240_607)
    kills = 40 if SOAK else 12
    rounds = set()
    for _ in range(kills):
        proc = subprocess.Popen(
            [sys.executable, "-c", _UPDATER, str(ws.root), str(path), *untranslated], cwd=REPO, stdout=subprocess.PIPE
        )
        assert proc.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        catalog = load_catalog(path)
        assert len([m for m in catalog if m.id]) == SENTENCES
        for msgid, text in reviewed.items():
            assert catalog[msgid].string == text and state_of(catalog[msgid]) is State.REVIEWED
        drafts = {catalog[m].string.rsplit(" ", 1)[0] for m in untranslated}
        assert len(drafts) == 1, f"a catalog with parts of two updates: {drafts}"
        rounds |= drafts
    msgfmt_check(path)
    assert len(rounds) > 1  # the kills did land between updates and during them
