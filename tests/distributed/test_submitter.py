"""What `pipeline run --executor celery` tells its user: options of a local
run refused in one line, a hint when no worker takes the documents; and
the transport under it: a worker whose acknowledgement Redis never got
goes on taking tasks."""

from __future__ import annotations

import threading
import time

import pytest
from click.testing import CliRunner
from kombu import Connection, Exchange, Queue

from pipeline import runner
from pipeline.cli import main
from pipeline.distributed import jobs, state
from pipeline.distributed.celery_executor import CeleryExecutor
from pipeline.distributed.jobs import ABANDONED
from pipeline.distributed.transport import Transport
from pipeline.engines.settings import DecodingSettings
from pipeline.workspace import Workspace

from .conftest import SEED, RedisServer, Workers, _env, make_corpus, run_pipeline, wait_for


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--jobs", "2"], "--jobs is"),
        (["-j", "1"], "--jobs is"),  # given, even at its default value
        (["--threads", "4"], "--threads is"),
        (["-j", "2", "--threads", "4"], "--jobs and --threads are"),
    ],
)
def test_options_of_a_local_run_are_refused_with_the_celery_executor(workspace, monkeypatch, options, named):
    monkeypatch.setenv("PIPELINE_BROKER", "redis://127.0.0.1:1/0")  # never reached: refused before
    result = CliRunner().invoke(main, ["run", "-w", str(workspace), "--executor", "celery", *options])
    assert result.exit_code == 2
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"Error: {named} for --executor local; ") and "pipeline worker -c N" in last
    # Without them the run goes on to the broker (here: none), as before.
    plain = CliRunner().invoke(main, ["run", "-w", str(workspace), "--executor", "celery"])
    assert plain.exit_code == 1 and "cannot reach the broker" in plain.output


def test_an_acknowledgement_redis_never_got_gives_the_prefetch_credit_back(tmp_path):
    """kombu's Redis QoS kept the credit of a message whose ack raised: with
    one credit per pool process the worker never asked for a task again."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        queue = Queue("q", Exchange("q", type="direct"), routing_key="q")
        with Connection(server.url, transport=Transport) as conn:
            with conn.Producer() as producer:
                producer.publish({"n": 1}, exchange=queue.exchange, routing_key="q", declare=[queue])
            channel = conn.channel()
            channel.basic_qos(0, 1, False)
            message = channel.basic_get("q")
            assert message is not None and not channel.qos.can_consume()  # the one credit is taken
            server.stop()  # Redis goes away as the task ends
            with pytest.raises(conn.connection_errors):
                message.ack()
            assert channel.qos.can_consume()  # the worker asks for the next task once Redis is back
    finally:
        server.stop()


def _executor(root, broker, idle_hint_seconds=0.5) -> CeleryExecutor:
    return CeleryExecutor(
        root,
        broker,
        runner.DocumentOptions(root / "build", False, False, 10.0),
        DecodingSettings(beam_size=2, max_decoding_length=8),
        {"use_memory": True, "accept_exact": False, "tm_threshold": 75, "retranslate_fuzzy": False},
        idle_hint_seconds=idle_hint_seconds,
    )


class _Lines(runner.Report):
    def __init__(self):
        self.lines: list[str] = []

    def progress(self, line: str) -> None:
        self.lines.append(line)


def test_with_no_worker_the_submitter_says_so_once_and_a_worker_started_later_finishes_the_run(
    tmp_path, redis_server, model_dir
):
    root = make_corpus(tmp_path / "ws", documents=1)
    broker = redis_server.url[:-1] + "3"  # a database no worker listens on
    executor = _executor(root, broker)
    report = _Lines()
    outcome: list = []

    def submit():
        try:
            outcome.append(runner.run_on(executor, [root / "seeds" / "doc00.txt"], runner.BuildOptions(), report))
        except BaseException as exc:  # the assertions below say what went wrong
            outcome.append(exc)

    thread = threading.Thread(target=submit, daemon=True)
    thread.start()

    def hints():
        return [line for line in report.lines if line.startswith("no worker has taken a document of this run for ")]

    wait_for(hints, 30, "the hint")
    time.sleep(1.0)  # a while longer with no worker: still one hint
    (hint,) = hints()
    assert "start one with `pipeline worker`" in hint and "redis://:***@" in hint
    pool = Workers({**_env(model_dir), "PIPELINE_BROKER": broker}, tmp_path)
    try:
        pool.start(1)
        thread.join(60)
    finally:
        pool.stop()
    assert not thread.is_alive() and len(outcome) == 1, outcome
    assert not isinstance(outcome[0], BaseException), outcome[0]
    assert [b.doc for b in outcome[0]] == ["doc00"]
    assert len(hints()) == 1 and report.lines[-1].startswith("1/1 documents")


def test_with_the_workers_busy_on_another_run_the_hint_says_so_and_not_that_none_is_running(
    tmp_path, redis_server, model_dir
):
    broker = redis_server.url[:-1] + "4"  # a queue of its own
    env = {**_env(model_dir), "PIPELINE_BROKER": broker}
    other = tmp_path / "other"
    (other / "seeds").mkdir(parents=True)
    (other / "seeds" / "long.txt").write_text(SEED.read_text(encoding="utf-8").replace("。", "（busy）。"), "utf-8")
    pool = Workers(env, tmp_path)
    try:
        pool.start(1)
        slow = ["--beam-size", "2", "--max-decoding-length", "128", "--batch-size", "64"]
        busy = run_pipeline("run", "-w", other, "--executor", "celery", "--detach", *slow, env=env)
        assert busy.returncode == 0, busy.stderr
        wait_for(lambda: "long] received" in pool.output(), 30, "the worker to take the other run's document")
        root = make_corpus(tmp_path / "ws", documents=1)
        executor = _executor(root, broker)
        try:
            executor.submit(root / "seeds" / "doc00.txt")
            hint = wait_for(lambda: executor.progress().hint, 10, "the hint")
        finally:
            executor.cancel()
            executor.close()
    finally:
        pool.stop()
    assert hint.startswith("no worker has taken a document of this run for ")
    assert "the workers hold 1 unfinished task(s)" in hint and "start one" not in hint, hint


class _Killed(BaseException):
    """The submitting process dies here: nothing after it runs."""


def test_a_submitter_killed_between_queueing_and_sending_leaves_a_run_jobs_calls_abandoned(
    tmp_path, redis_server, monkeypatch
):
    root = make_corpus(tmp_path / "ws", documents=2)
    broker = redis_server.url[:-1] + "5"  # a database no worker listens on
    executor = _executor(root, broker)
    try:
        executor.submit(root / "seeds" / "doc00.txt")  # sent: it waits in the queue for a worker

        def killed(*args, **kwargs):
            raise _Killed

        monkeypatch.setattr(executor.app, "send_task", killed)
        with pytest.raises(_Killed):
            executor.submit(root / "seeds" / "doc01.txt")
    finally:
        executor.close()
    ws = Workspace(root)
    listing = jobs.describe(broker, ws)
    assert ABANDONED not in "\n".join(listing)  # within the minute, the submitter may still be sending
    detail = jobs.describe(broker, ws, executor.run_id)
    assert "queued     doc01" in detail and "queued     doc00" in detail

    monkeypatch.setattr(state, "UNSENT_SECONDS", 0.0)  # a minute later
    (line,) = [line for line in jobs.describe(broker, ws) if line.startswith(executor.run_id)]
    assert line.endswith(f"  {ABANDONED}")
    detail = jobs.describe(broker, ws, executor.run_id)
    assert ABANDONED in detail[0] and "before sending doc01" in detail[0]
    assert "unsent     doc01: never sent to the workers" in detail and "queued     doc00" in detail

    # A run whose every document was sent is never called abandoned, however old.
    sent = _executor(root, broker)
    try:
        sent.submit(root / "seeds" / "doc00.txt")
    finally:
        sent.close()
    assert ABANDONED not in "\n".join(jobs.describe(broker, ws, sent.run_id))
