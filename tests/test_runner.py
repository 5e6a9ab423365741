"""``pipeline run --jobs N``: documents in parallel workers, one engine per worker."""

from __future__ import annotations

import os
import shutil

from click.testing import CliRunner

from pipeline import runner
from pipeline.catalog import State, load_catalog, state_of
from pipeline.cli import main
from pipeline.engines.settings import DecodingSettings
from pipeline.workspace import Workspace
from tests.support.fake_engine import FakeEngine


def _workspace_with_docs(workspace, seed_path, n):
    for i in range(1, n):
        text = seed_path.read_text(encoding="utf-8").replace("2027", str(2030 + i))
        (workspace / "seeds" / f"copy{i}.txt").write_text(text, encoding="utf-8")
    return Workspace(workspace)


def _translations(ws):
    return {
        doc: {m.id: (m.string, state_of(m)) for m in load_catalog(ws.catalog_path(doc)) if m.id}
        for doc in ws.documents()
    }


def test_parallel_run_matches_the_serial_run(workspace, seed_path, tmp_path):
    ws = _workspace_with_docs(workspace, seed_path, 4)
    serial_root = tmp_path / "serial"
    shutil.copytree(workspace, serial_root)
    serial = Workspace(serial_root)
    created = tmp_path / "engines.log"

    def factory(settings):
        with open(created, "a") as fh:  # one line per engine, with the worker's pid
            fh.write(f"{os.getpid()} {settings.workers}\n")
        return FakeEngine()

    result = CliRunner().invoke(
        main, ["run", "-w", str(workspace), "--jobs", "2", "--threads", "2"], obj={"engine_factory": factory}
    )
    assert result.exit_code == 0, result.output
    assert "4/4 documents" in result.output
    engines = created.read_text().split("\n")[:-1]
    pids = [line.split()[0] for line in engines]
    assert len(pids) == len(set(pids)) <= 2  # the model is loaded once per worker, not per document
    assert all(line.split()[1] == "1" for line in engines)  # 2 threads shared by 2 workers
    assert os.getpid() not in {int(p) for p in pids}

    serial_result = CliRunner().invoke(
        main, ["run", "-w", str(serial_root)], obj={"engine_factory": lambda s: FakeEngine()}
    )
    assert serial_result.exit_code == 0, serial_result.output
    parallel_translations = _translations(ws)
    assert parallel_translations == _translations(serial)
    assert all(state is State.MACHINE_DRAFT for doc in parallel_translations.values() for _, state in doc.values())
    for doc in ws.documents():
        name = f"{doc}.en.txt"
        assert (workspace / "build" / name).read_text() == (serial_root / "build" / name).read_text()

    # The parent merged the workers' stage-cache records: a re-run does no work.
    again = CliRunner().invoke(main, ["run", "-w", str(workspace), "--jobs", "2"], obj={"engine_factory": factory})
    assert again.exit_code == 0
    assert len(created.read_text().split("\n")[:-1]) == len(engines)  # no engine created


def test_parallel_run_without_model_still_builds(workspace, seed_path):
    _workspace_with_docs(workspace, seed_path, 2)
    result = CliRunner().invoke(main, ["run", "-w", str(workspace), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "no zh→en translation model is installed" in result.output
    assert len(list((workspace / "build").glob("*.en.txt"))) == 2


def test_parallel_run_reports_a_bad_document_in_one_line(workspace, seed_path):
    _workspace_with_docs(workspace, seed_path, 2)
    (workspace / "seeds" / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    result = CliRunner().invoke(
        main, ["run", "-w", str(workspace), "--jobs", "2"], obj={"engine_factory": lambda s: FakeEngine()}
    )
    assert result.exit_code == 1
    assert "broken.txt" in result.output and "Traceback" not in result.output
    assert len(list((workspace / "build").glob("*.en.txt"))) == 2  # the good documents were done


class _Recorder(runner.Report):
    def __init__(self):
        self.events = []

    def extracted(self, result):
        self.events.append(("extracted", result.doc))

    def engine_made(self, engine):
        self.events.append(("engine", str(engine.signature())))

    def translated(self, summary):
        self.events.append(("translated", summary.entries))

    def built(self, result, out_dir):
        self.events.append(("built", result.doc))

    def started(self, documents, jobs, settings):
        self.events.append(("started", documents, jobs, settings.workers))

    def finished(self, result):
        self.events.append(("finished", result.doc))


def test_run_is_one_function_for_one_worker_or_many(workspace, seed_path):
    """The runner, without the CLI: the stages report as they go; one worker
    runs them in turn over all documents, several run whole documents."""
    ws = _workspace_with_docs(workspace, seed_path, 2)
    docs = sorted(ws.default_sources(), key=lambda p: p.name)
    serial = _Recorder()
    fake = lambda settings: FakeEngine()  # noqa: E731
    results = runner.run(ws, docs, runner.TranslateOptions(), runner.BuildOptions(), serial, make_engine=fake)
    assert [r.doc for r in results] == [p.stem for p in docs]
    kinds = [event[0] for event in serial.events]
    assert kinds == ["extracted", "extracted", "engine", "translated", "built", "built"]
    assert serial.events[2] == ("engine", "fake:fake-zh_en@0;batch=8")  # made once, for both documents

    for path in (workspace / "build").iterdir():
        path.unlink()
    parallel = _Recorder()
    options = runner.TranslateOptions(DecodingSettings(threads=2))
    results = runner.run(ws, docs, options, runner.BuildOptions(), parallel, jobs=2, make_engine=fake)
    assert [r.doc for r in results] == [p.stem for p in docs]
    assert parallel.events == [("started", 2, 2, 1), *(("finished", p.stem) for p in docs)]
    assert len(list((workspace / "build").glob("*.en.txt"))) == 2


def test_min_coverage_fails_the_same_way_on_one_worker_or_many(workspace, seed_path):
    _workspace_with_docs(workspace, seed_path, 2)
    messages = []
    for jobs in ("1", "2"):
        result = CliRunner().invoke(
            main,
            ["run", "-w", str(workspace), "--jobs", jobs, "--reviewed-only", "--min-coverage", "50"],
            obj={"engine_factory": lambda s: FakeEngine()},
        )
        assert result.exit_code == 1
        messages.append(result.output.splitlines()[-1])
    assert messages[0] == messages[1]
    assert messages[0].startswith("Error: coverage below 50%: ") and ", " in messages[0]  # both documents named


class _DiesOnACopy(FakeEngine):
    """Kills its own worker process (SIGKILL, as the out-of-memory killer does)
    when it meets the sentence that only the copies of the seed hold."""

    def translate_batches(self, segments):
        import signal

        if any("2031" in s for s in segments):
            os.kill(os.getpid(), signal.SIGKILL)
        return super().translate_batches(segments)


def test_a_worker_process_that_dies_fails_the_run_in_one_line_and_never_hangs_it(workspace, seed_path):
    import threading

    from pipeline.distributed.executor import WORKER_DIED

    _workspace_with_docs(workspace, seed_path, 3)  # the seed, copy1 (2031: the worker dies), copy2
    outcome = {}

    def run():
        outcome["result"] = CliRunner().invoke(
            main, ["run", "-w", str(workspace), "--jobs", "2"], obj={"engine_factory": lambda s: _DiesOnACopy()}
        )

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "the run hung after its worker process died"
    result = outcome["result"]
    assert result.exit_code == 1, result.output
    assert result.output.rstrip().splitlines()[-1] == f"Error: {WORKER_DIED}"
    assert "Traceback" not in result.output
    # As the line says: the command run again does the rest.
    again = CliRunner().invoke(
        main, ["run", "-w", str(workspace), "--jobs", "2"], obj={"engine_factory": lambda s: FakeEngine()}
    )
    assert again.exit_code == 0, again.output
    assert len(list((workspace / "build").glob("*.en.txt"))) == 3


class _Stalls(FakeEngine):
    """Writes its worker's pid under ``pids`` and stalls (a long document)."""

    def __init__(self, pids):
        super().__init__()
        self.pids = pids

    def translate_batches(self, segments):
        import time

        (self.pids / str(os.getpid())).touch()
        time.sleep(120)
        return super().translate_batches(segments)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not reaped by its new parent, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def _wait_for(predicate, seconds: float) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def _run_stalling(workspace, pids):
    """``pipeline run --jobs 2`` in a process group of its own, its workers stalled."""
    import subprocess
    import sys

    from tests.conftest import REPO

    script = (
        "import sys; from pathlib import Path; from pipeline.cli import main; from tests.test_runner import _Stalls\n"
        "main(['run', '-w', sys.argv[1], '--jobs', '2'], obj={'engine_factory': lambda s: _Stalls(Path(sys.argv[2]))})"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(workspace), str(pids)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert _wait_for(lambda: len(list(pids.iterdir())) == 2, 60), "the workers never started"
    return process, [int(p.name) for p in pids.iterdir()]


def _end(process, workers):
    import signal

    for pid in [process.pid, *workers]:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    process.communicate()


def test_ctrl_c_stops_a_parallel_run_at_once_in_one_line_and_ends_its_workers(workspace, seed_path, tmp_path):
    import signal

    _workspace_with_docs(workspace, seed_path, 3)
    pids = tmp_path / "pids"
    pids.mkdir()
    process, workers = _run_stalling(workspace, pids)
    try:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole process group
        output, _ = process.communicate(timeout=30)
        assert process.returncode == 1
        assert "Traceback" not in output and output.rstrip().splitlines()[-1] == "Aborted!"
        assert not any(_alive(pid) for pid in workers)
    finally:
        _end(process, workers)


def test_the_workers_of_a_parallel_run_end_with_their_parent_however_it_dies(workspace, seed_path, tmp_path):
    import signal

    _workspace_with_docs(workspace, seed_path, 3)
    for n, how in enumerate((signal.SIGTERM, signal.SIGKILL)):
        pids = tmp_path / f"pids{n}"
        pids.mkdir()
        process, workers = _run_stalling(workspace, pids)
        try:
            os.kill(process.pid, how)
            process.communicate(timeout=30)
            assert _wait_for(lambda w=workers: not any(_alive(pid) for pid in w), 10), f"orphans left by {how.name}"
        finally:
            _end(process, workers)


def test_a_local_pool_leaves_the_garbage_collector_unfrozen(workspace):
    import gc

    import pytest

    from pipeline.distributed.executor import LocalPool

    options = runner.DocumentOptions(workspace / "build", False, False, 1.0)
    with pytest.raises(ValueError):
        LocalPool(workspace, options, 0, lambda: FakeEngine(), None, {})
    assert gc.get_freeze_count() == 0
    pool = LocalPool(workspace, options, 2, lambda: FakeEngine(), None, {})
    try:
        assert gc.get_freeze_count() == 0  # the workers forked from a frozen heap; this process's is not
    finally:
        pool.close()
    assert gc.get_freeze_count() == 0
