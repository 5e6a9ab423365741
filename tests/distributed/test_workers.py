"""Real `pipeline worker` processes on a real Redis, with the tiny
random-weight model: the same catalogs as the local executor, and the
faults of docs/scaling.md, each one provoked."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from pipeline.catalog import State, load_catalog, state_of
from pipeline.catalog.states import set_reviewed
from pipeline.catalog.store import update_catalog
from pipeline.distributed.celery_app import QUEUE, TASK_NAME, make_app
from pipeline.distributed.state import Lease, RunBook, workspace_id
from pipeline.workspace import Workspace

from .conftest import DECODING, PASSWORD, SEED, Submitter, Workers, _env, make_corpus, run_pipeline, wait_for

#: Slow decoding for the fault tests: every sentence runs to 128 tokens,
#: batches of a few sentences, drafts saved after every batch.
SLOW = ["--beam-size", "2", "--max-decoding-length", "128", "--batch-size", "64", "--flush-seconds", "0"]
VOLATILE = re.compile(rb'^"(PO-Revision-Date|POT-Creation-Date): .*\\n"$', re.M)


def _masked(path: Path) -> bytes:
    return VOLATILE.sub(b"", path.read_bytes())


def _catalogs(root: Path) -> dict[str, bytes]:
    return {p.name: _masked(p) for p in sorted((root / "locales").rglob("*.po*"))}


def _no_password(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text


def _long_document(root: Path, marks: tuple[int, ...], lease_seconds: float = 2.0) -> Path:
    """A workspace with one document of ~150 distinct sentences (a few
    seconds of slow decoding), and a short lease. Each of ``marks`` makes
    one copy of the seed's sentences of its own (the draft cache must not
    know them from another test)."""
    (root / "seeds").mkdir(parents=True)
    text = SEED.read_text(encoding="utf-8")
    long = "\n\n".join(text.replace("。", f"（{k}）。") for k in marks)
    (root / "seeds" / "long.txt").write_text(long, encoding="utf-8")
    (root / "pipeline.toml").write_text(f"[distributed]\nlease_seconds = {lease_seconds}\n", encoding="utf-8")
    return root


def _drafts(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n# mt:")
    except FileNotFoundError:
        return 0


def test_workers_give_the_catalogs_of_the_local_executor(tmp_path, workers, model_dir, redis_server, msgfmt_check):
    local, remote = make_corpus(tmp_path / "local"), make_corpus(tmp_path / "remote")
    env = _env(model_dir, redis_server)
    here = run_pipeline("run", "-w", local, "--jobs", "2", *DECODING, env=env)
    assert here.returncode == 0, here.stderr
    there = run_pipeline("run", "-w", remote, "--executor", "celery", *DECODING, env=env)
    assert there.returncode == 0, there.stderr
    assert "20/20 documents" in there.stderr
    assert len(re.findall(r"^doc\d\d: coverage 100\.0%", there.stderr, re.M)) == 20  # the usual summary
    assert sorted(there.stdout.split()) == sorted(here.stdout.replace(str(local), str(remote)).split())

    mine, theirs = _catalogs(local), _catalogs(remote)
    assert len(mine) == 40 and mine == theirs  # byte for byte, the volatile dates masked
    for path in (remote / "locales").rglob("*.po"):
        msgfmt_check(path)
    for name in ("doc00.en.txt", "doc07.bilingual.html", "doc19.en.md"):
        assert (local / "build" / name).read_bytes() == (remote / "build" / name).read_bytes()
    _no_password(there.stdout, there.stderr, workers.output())

    # Sentences shared between documents were decoded once: the run record says how many came from the cache.
    run_id = re.search(r"run (\S+): documents go to", there.stderr).group(1)
    meta = RunBook(redis_server.client(), run_id).meta()
    assert int(meta["cache_hits"]) > 0 and int(meta["decoded"]) < int(meta["segments"])

    # A second run finds every document's records: nothing is decoded, nothing rewritten.
    before = {p: p.stat().st_mtime_ns for p in (remote / "locales").rglob("*.po")}
    again = run_pipeline("run", "-w", remote, "--executor", "celery", *DECODING, env=env)
    assert again.returncode == 0 and "0 segments translated" in again.stderr, again.stderr
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_a_document_with_a_pipeline_error_fails_once_and_the_run_exits_1(tmp_path, workers, model_dir, redis_server):
    root = make_corpus(tmp_path / "ws", documents=3)
    (root / "seeds" / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    env = _env(model_dir, redis_server)
    result = run_pipeline("run", "-w", root, "--executor", "celery", *DECODING, env=env)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "broken.txt" in last and "Traceback" not in result.stderr
    assert len(list((root / "build").glob("*.en.txt"))) == 3  # the others were done
    run_id = re.search(r"run (\S+): documents go to", result.stderr).group(1)
    jobs = run_pipeline("jobs", "-w", root, run_id, env=env)
    assert jobs.returncode == 0
    assert re.search(r"^failed +broken: .*broken\.txt", jobs.stdout, re.M), jobs.stdout
    assert "3 done, 1 failed" in jobs.stdout
    # Not retried: the task was received once.
    assert workers.output().count(f"pipeline.document[{run_id}:broken] received") == 1
    listing = run_pipeline("jobs", "-w", root, env=env)
    assert run_id in listing.stdout


def test_a_worker_killed_mid_document_is_redelivered_and_completes_once(
    tmp_path, workers, model_dir, redis_server, msgfmt_check
):
    root = _long_document(tmp_path / "ws", (1, 2))
    env = _env(model_dir, redis_server)
    extracted = run_pipeline("extract", "-w", root, env=env)
    assert extracted.returncode == 0, extracted.stderr
    ws = Workspace(root)
    path = ws.catalog_path("long")
    reviewed = {}

    def review(catalog):  # a translator has reviewed three entries
        for message in [m for m in catalog if m.id][5:8]:
            set_reviewed(message, f"Reviewed: {message.id[:4]}")
            reviewed[message.id] = message.string
        return catalog

    update_catalog(path, review, lock=ws.catalog_lock_for("long"))
    total = len([m for m in load_catalog(path) if m.id])

    submitter = Submitter(root, *SLOW, env=env)
    # Kill the pool process that runs the document once some drafts are saved.
    wait_for(lambda: 3 <= _drafts(path) < total - len(reviewed) - 20, 60, "the first drafts")
    book = submitter.run(redis_server.client(), 5)
    run_id = book.run_id
    os.kill(int(book.where()["long"].split(":")[1]), signal.SIGKILL)
    code, out, err = submitter.finish()
    assert code == 0, err
    assert "1/1 documents" in err and "long: coverage 100.0%" in err

    log = workers.output()
    assert "SIGKILL" in log  # Celery saw its process die ...
    assert log.count(f"pipeline.document[{run_id}:long] succeeded") == 1  # ... and the document completed once
    msgfmt_check(path)
    catalog = load_catalog(path)  # strict reader: a duplicate entry would be refused
    data = path.read_bytes()
    drafts = [m for m in catalog if m.id and state_of(m) is State.MACHINE_DRAFT]
    assert len(drafts) == total - len(reviewed) and data.count(b"\n# mt:") == len(drafts)  # no draft twice
    for message in catalog:
        if message.id in reviewed:
            assert message.string == reviewed[message.id] and state_of(message) is State.REVIEWED


def test_a_worker_machine_killed_whole_is_redelivered_after_the_visibility_timeout(
    tmp_path, redis_server, model_dir, msgfmt_check
):
    """The whole worker (main process and pool) SIGKILLed, as a machine that
    dies: the broker delivers the unacknowledged task again once the
    visibility timeout has passed, to a worker started afterwards."""
    root = _long_document(tmp_path / "ws", (5, 6), lease_seconds=2.0)
    (root / "pipeline.toml").write_text(
        "[distributed]\nlease_seconds = 2.0\nvisibility_timeout = 4\n", encoding="utf-8"
    )
    env = {**_env(model_dir, redis_server), "PIPELINE_BROKER": redis_server.url[:-1] + "1"}  # a queue of its own
    pool = Workers(env, tmp_path)
    try:
        first = pool.start(1, workspace=root)
        submitter = Submitter(root, *SLOW, env=env, cwd=root)
        path = Workspace(root).catalog_path("long")
        wait_for(lambda: _drafts(path) >= 3, 60, "the first drafts")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        pool.start(1, name="after", workspace=root)
        code, out, err = submitter.finish()
        assert code == 0, err
        assert "long: coverage 100.0%" in err
    finally:
        pool.stop()
    msgfmt_check(path)
    catalog = load_catalog(path)
    total = len([m for m in catalog if m.id])
    assert path.read_bytes().count(b"\n# mt:") == total  # every entry drafted once
    assert all(state_of(m) is State.MACHINE_DRAFT for m in catalog if m.id)


def test_a_lease_that_lapses_mid_document_hands_it_over_without_a_draft_twice(
    tmp_path, workers, model_dir, redis_server, msgfmt_check
):
    """A worker whose lease lapsed mid-document (its renewals did not reach
    Redis in time) while another run's task took the document over: both
    draft the catalog for a while; the first finds its lease gone at its
    next renewal, stops at its next batch and, asked again later, finds
    the document done. No entry is drafted twice."""
    root = _long_document(tmp_path / "ws", (7, 8), lease_seconds=2.0)
    env = _env(model_dir, redis_server)
    client = redis_server.client()
    first = run_pipeline("run", "-w", root, "--executor", "celery", "--detach", *SLOW, env=env)
    assert first.returncode == 0, first.stderr
    first_run = RunBook(client, first.stdout.strip())
    path = Workspace(root).catalog_path("long")
    wait_for(lambda: _drafts(path) >= 3, 60, "the first drafts")
    assert first_run.states()["long"] == "running"
    client.delete(f"pipeline:ws:{workspace_id(root)}:lease:long")  # the lease lapses
    second = run_pipeline("run", "-w", root, "--executor", "celery", *SLOW, env=env, timeout=90)
    assert second.returncode == 0, second.stderr
    assert "long: coverage 100.0%" in second.stderr
    wait_for(lambda: first_run.states().get("long") == "done", 60, "the first run to find the document done")
    assert "its lease lapsed and another worker took it" in workers.output()
    msgfmt_check(path)
    catalog = load_catalog(path)
    total = len([m for m in catalog if m.id])
    assert path.read_bytes().count(b"\n# mt:") == total
    assert all(state_of(m) is State.MACHINE_DRAFT for m in catalog if m.id)


def test_a_translator_saving_while_a_worker_fills_the_catalog_loses_nothing(
    tmp_path, workers, model_dir, redis_server, msgfmt_check
):
    root = _long_document(tmp_path / "ws", (3, 4))
    env = _env(model_dir, redis_server)
    assert run_pipeline("extract", "-w", root, env=env).returncode == 0
    ws = Workspace(root)
    path = ws.catalog_path("long")
    ids = [m.id for m in load_catalog(path) if m.id]
    saved: dict[str, str] = {}
    during_run: list[bool] = []  # for each save: was the run still going?
    stop = threading.Event()

    def translator():  # saves one decision at a time, as the review session does, from the end of the catalog
        for msgid in reversed(ids):
            if stop.is_set():
                return

            def decide(catalog, msgid=msgid):
                message = next(m for m in catalog if m.id == msgid)
                if state_of(message) is not State.UNTRANSLATED:
                    return None  # the worker got there first: the translator reviews its draft later
                set_reviewed(message, f"Human {len(saved)}")
                return catalog

            if update_catalog(path, decide, lock=ws.catalog_lock_for(path.stem)).written:
                saved[msgid] = f"Human {len(saved)}"
                during_run.append(submitter.running())
            time.sleep(0.01)

    thread = threading.Thread(target=translator)
    submitter = Submitter(root, *SLOW, env=env)
    wait_for(lambda: _drafts(path) >= 1, 60, "the first drafts")
    thread.start()
    code, out, err = submitter.finish()
    stop.set()
    thread.join()
    assert code == 0, err
    # The race under test: saves that land while the worker is still filling
    # the catalog (flushing after every batch). How many depends on the
    # machine's load; at least one must, or the test proved nothing.
    assert any(during_run), "the run ended before the translator saved anything"
    msgfmt_check(path)
    catalog = load_catalog(path)
    for message in catalog:
        if message.id in saved:
            assert message.string == saved[message.id] and state_of(message) is State.REVIEWED
        elif message.id:
            assert state_of(message) is State.MACHINE_DRAFT


def test_a_document_whose_lease_is_held_waits_and_a_duplicate_delivery_changes_nothing(
    tmp_path, workers, model_dir, redis_server
):
    root = make_corpus(tmp_path / "ws", documents=2)
    (root / "pipeline.toml").write_text("[distributed]\nlease_seconds = 1.0\n", encoding="utf-8")
    env = _env(model_dir, redis_server)
    client = redis_server.client()
    held = Lease(client, f"pipeline:ws:{workspace_id(root)}:lease:doc00", ttl=60)
    assert held.acquire()  # another worker is running doc00
    submitter = Submitter(root, *DECODING, env=env)
    book = submitter.run(client)
    run_id = book.run_id
    wait_for(lambda: book.states().get("doc00") == "waiting" and book.states().get("doc01") == "done", 60, "a wait")
    assert not (root / "build" / "doc00.en.txt").exists()
    held.release()
    code, out, err = submitter.finish(60)
    assert code == 0, err
    assert "2/2 documents" in err and (root / "build" / "doc00.en.txt").exists()

    # The same task delivered once more (a broker redelivering, a client retrying): no catalog or
    # edition is written again (the stage records may settle: extract saw the catalog before its drafts).
    files = sorted(p for p in root.rglob("*") if p.is_file() and ".pipeline-cache.d" not in p.parts)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files}
    app = make_app(redis_server.url)
    kwargs = {
        "run": run_id,
        "workspace": str(root),
        "source": str(root / "seeds" / "doc00.txt"),
        "options": {"out_dir": str(root / "build"), "reviewed_only": False, "retranslate_fuzzy": False,
                    "flush_seconds": 10.0},
        "settings": {"beam_size": 2, "max_decoding_length": 8},
        "translate": {"use_memory": True, "accept_exact": False, "tm_threshold": 75, "retranslate_fuzzy": False},
        "engine": {},
        "lease_seconds": 1.0,
    }  # fmt: skip
    book.set_state("doc00", "queued")
    app.send_task(TASK_NAME, kwargs=kwargs, task_id=f"{run_id}:doc00", queue=QUEUE)
    wait_for(lambda: book.states().get("doc00") == "done", 30, "the duplicate")
    app.close()
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files} == before


def test_a_cancelled_run_starts_no_more_documents(tmp_path, workers, model_dir, redis_server):
    root = _long_document(tmp_path / "ws", (9,))
    for k in range(10, 16):  # documents of their own, so the draft cache knows none of them
        text = SEED.read_text(encoding="utf-8").replace("。", f"（{k}）。")
        (root / "seeds" / f"more{k}.txt").write_text(text, encoding="utf-8")
    env = _env(model_dir, redis_server)
    submitted = run_pipeline("run", "-w", root, "--executor", "celery", "--detach", *SLOW, env=env)
    assert submitted.returncode == 0, submitted.stderr
    run_id = submitted.stdout.strip()
    cancelled = run_pipeline("jobs", "-w", root, run_id, "--cancel", env=env)
    assert cancelled.returncode == 0 and "cancelled" in cancelled.stderr
    book = RunBook(redis_server.client(), run_id)
    wait_for(lambda: all(s in ("done", "cancelled") for s in book.states().values()), 60, "the run to settle")
    counts = book.counts()
    assert counts["cancelled"] >= 4 and counts["done"] + counts["cancelled"] == 7
    shown = run_pipeline("jobs", "-w", root, run_id, env=env).stdout
    assert "(cancelled)" in shown and re.search(r"^cancelled +more\d+$", shown, re.M)


def test_the_worker_masks_the_password_in_whatever_prints_it(model_dir, redis_server):
    """What a library might print (a URL in a log line, an error) goes
    through the worker's redactor first."""
    code = (
        "import sys, logging; from pipeline.distributed.worker import hide_password; "
        f"url = {redis_server.url!r}; hide_password(url); "
        "print('connecting to', url); print(url, file=sys.stderr); "
        "logging.basicConfig(); logging.getLogger('kombu').error('cannot connect to %s', url)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(model_dir))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("***") == 1 and result.stderr.count("***") == 2
    _no_password(result.stdout, result.stderr)
    # A worker given an unreachable broker refuses in one line, masked.
    wrong = redis_server.url.replace(str(redis_server.port), "1")
    refused = run_pipeline("worker", "--broker", wrong, env=_env(model_dir), timeout=30)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1].startswith("Error: cannot reach the broker at redis://:***@")
    _no_password(refused.stdout, refused.stderr)


def test_redis_restarted_mid_run_then_a_rerun_finishes_the_rest(tmp_path, workers, model_dir, redis_server):
    """Last in the module: the other tests share this Redis.

    Redis stops while the workers run documents: their Redis calls fail,
    each task cut off goes back to the queue, and that fails too ("Couldn't
    reject"; a task ending then: "Couldn't ack").
    It comes back empty (persistence off): the submitter says to run the
    command again, and every worker takes documents of the re-run (a
    worker whose acknowledgement failed used to take nothing, ever)."""
    root = make_corpus(tmp_path / "ws", documents=8)
    shutil.copyfile(SEED, root / "seeds" / "zz-long.txt")  # the last one runs long enough to be cut off
    env = _env(model_dir, redis_server)
    submitter = Submitter(root, *SLOW, env=env)
    book = submitter.run(redis_server.client())
    wait_for(lambda: book.counts()["done"] >= 2, 60, "two documents done")

    def unanswered() -> int:  # a task's acknowledgement, or its return to the queue, that Redis never got
        output = workers.output()
        return output.count("Couldn't ack") + output.count("Couldn't reject")

    lost = unanswered()
    redis_server.stop()  # persistence off: the queue and the run's record go with it
    wait_for(lambda: unanswered() > lost, 60, "a task's acknowledgement to fail")
    redis_server.start()
    code, out, err = submitter.finish()
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "run the command again" in last and "Traceback" not in err, err
    _no_password(out, err)
    done_before = {p: p.stat().st_mtime_ns for p in (root / "build").glob("*.en.txt")}
    assert len(done_before) >= 2

    again = run_pipeline("run", "-w", root, "--executor", "celery", *SLOW, env=env)  # the workers reconnected
    assert again.returncode == 0, again.stderr
    assert "9/9 documents" in again.stderr
    assert len(list((root / "build").glob("*.en.txt"))) == 9
    # What was done before the restart was skipped (stage records): its editions were not rewritten.
    assert {p: p.stat().st_mtime_ns for p in done_before} == done_before
    rerun = re.search(r"run (\S+): documents go to", again.stderr).group(1)
    for log in workers.each_output():
        assert f"pipeline.document[{rerun}:" in log, "a worker took no document after Redis came back"
    _no_password(again.stdout, again.stderr, workers.output())


#: Holds the catalog locks of documents ARGV[2:] of workspace ARGV[1] until its stdin closes.
HOLD_CATALOG_LOCKS = """
import sys
from contextlib import ExitStack
from pathlib import Path
from pipeline.workspace import Workspace
ws = Workspace(Path(sys.argv[1]))
with ExitStack() as locks:
    for doc in sys.argv[2:]:
        locks.enter_context(ws.catalog_lock(doc))
    print("locked", flush=True)
    sys.stdin.read()
"""


def test_a_catalog_lock_held_by_a_frozen_process_is_waited_out_and_the_document_completes(
    tmp_path, workers, model_dir, redis_server
):
    """A process frozen (SIGSTOP) while it holds two documents' catalog
    locks, as a worker stopped mid-flush: the workers' saves of those
    documents wait (1 s here, 30 s by default) and the tasks are tried
    again later instead of failing. One document is allowed two tries and
    fails with the one line; the other completes once the holder goes on
    (SIGCONT) and lets go, with no re-run."""
    root = make_corpus(tmp_path / "ws", documents=2)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_CATALOG_LOCKS, str(root), "doc00", "doc01"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(model_dir),
    )
    client = redis_server.client()
    app = make_app(redis_server.url)
    try:
        assert holder.stdout.readline().strip() == "locked"
        os.kill(holder.pid, signal.SIGSTOP)
        book = RunBook.create(client, root, ["doc00", "doc01"])
        for doc, tries in (("doc00", 2), ("doc01", 30)):
            kwargs = {
                "run": book.run_id,
                "workspace": str(root),
                "source": str(root / "seeds" / f"{doc}.txt"),
                "options": {"out_dir": str(root / "build"), "reviewed_only": False, "retranslate_fuzzy": False,
                            "flush_seconds": 10.0},
                "settings": {"beam_size": 2, "max_decoding_length": 8},
                "translate": {"use_memory": True, "accept_exact": False, "tm_threshold": 75,
                              "retranslate_fuzzy": False},
                "engine": {},
                "lease_seconds": 1.0,
                "catalog_lock_wait": 1.0,
                "catalog_lock_tries": tries,
            }  # fmt: skip
            app.send_task(TASK_NAME, kwargs=kwargs, task_id=f"{book.run_id}:{doc}", queue=QUEUE)
        wait_for(lambda: book.states().get("doc00") == "failed", 60, "doc00 to fail after its two tries")
        wait_for(lambda: "'doc01' stayed locked for 1s; try again; trying again in 1s (3 of 30)" in workers.output(),
                 60, "doc01 to be tried a third time")  # fmt: skip
        assert book.states()["doc01"] in ("waiting", "running")
        assert not (root / "build" / "doc01.en.txt").exists()
    finally:
        os.kill(holder.pid, signal.SIGCONT)
        holder.stdin.close()
        holder.wait(10)
        app.close()
    wait_for(lambda: book.states().get("doc01") == "done", 60, "doc01 to complete once the holder let go")
    assert (root / "build" / "doc01.en.txt").exists() and "doc01" not in book.errors()
    (error,) = book.errors().values()
    assert error == "locales/.locks/doc00.lock: the catalog of 'doc00' stayed locked for 1s; try again"
    log = workers.output()
    assert log.count(f"pipeline.document[{book.run_id}:doc00] received") == 2  # two tries, no more
    assert "'doc00' stayed locked for 1s; try again; trying again in 1s (2 of 2)" in log


def test_each_pool_process_of_a_worker_knows_its_place(tmp_path, redis_server, model_dir):
    """`pipeline worker -c 2`: billiard numbers the pool processes, and each
    says which it is (its share of the GPUs follows from it:
    tests/distributed/test_state.py)."""
    env = {**_env(model_dir, redis_server), "PIPELINE_BROKER": redis_server.url[:-1] + "6"}
    pool = Workers(env, tmp_path)
    try:
        pool.start(2)
        output = wait_for(lambda: "pool process 2 of 2" in pool.output() and pool.output(), 30, "the second one")
    finally:
        pool.stop()
    assert "pool process 1 of 2" in output
