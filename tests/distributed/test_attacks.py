"""Attacks on distributed runs with real `pipeline worker` processes and a
real Redis: a submitter killed mid-run, two submitters of one workspace at
once, a wrong password, a password that a URL parser would split, and a
document deleted or renamed between its submission and its execution."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest

from pipeline.catalog import State, load_catalog, state_of
from pipeline.distributed.state import RunBook
from pipeline.workspace import Workspace

from .conftest import (
    DECODING,
    PASSWORD,
    SEED,
    RedisServer,
    Submitter,
    Workers,
    _env,
    make_corpus,
    run_pipeline,
    wait_for,
)
from .test_workers import SLOW, _drafts, _long_document

#: A password with every character a URL takes for the end of its user part.
ODD_PASSWORD = "f8Kx/Odd7#Qzv9?Wr4t@Mn8p%Lq2z"


def _no_secret(*texts: str, secret: str = PASSWORD) -> None:
    spellings = {secret, quote(secret, safe=""), *(p for p in re.split(r"[/#?@%]", secret) if len(p) >= 4)}
    for text in texts:
        for spelling in spellings:
            assert spelling not in text, spelling


def _one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: "), result.stderr
    return last


def _all_drafted_once(root: Path) -> None:
    """Every catalog of ``root``: valid, every entry a machine draft, and one
    draft history record per entry (no document was drafted twice)."""
    for path in sorted((root / "locales" / "en" / "LC_MESSAGES").glob("*.po")):
        catalog = load_catalog(path)
        entries = [m for m in catalog if m.id]
        assert entries and all(state_of(m) is State.MACHINE_DRAFT for m in entries), path.name
        history = path.with_name(path.stem + ".history.jsonl")
        lines = [json.loads(line) for line in history.read_text(encoding="utf-8").splitlines()]
        committed = {line["id"] for line in lines if line.get("phase") == "commit"}
        drafted = Counter(
            line["msgid"] for line in lines if line.get("phase") == "intent" and line["id"] in committed
            and line.get("action") == "draft"
        )  # fmt: skip
        assert drafted and max(drafted.values()) == 1, (path.name, drafted.most_common(3))


# --- Own Redis servers (the module's one is shared by the other tests) --------------------


class OddPasswordRedis(RedisServer):
    """A Redis whose password holds '/', '#', '?', '@' and '%'."""

    password = ODD_PASSWORD

    def __init__(self, directory: Path):
        super().__init__(directory)
        self.url = f"redis://:{quote(ODD_PASSWORD, safe='')}@127.0.0.1:{self.port}/0"


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; .ci/run installs it)")
    servers = []

    def start(kind=RedisServer):
        server = kind(tmp_path / f"redis-{len(servers)}")
        server.directory.mkdir()
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def own_workers(tmp_path):
    pools = []

    def start(env: dict) -> Workers:
        logs = tmp_path / f"logs-{len(pools)}"
        logs.mkdir()
        pool = Workers(env, logs)
        pools.append(pool)
        return pool

    yield start
    for pool in pools:
        pool.stop()


# --- The submitter ------------------------------------------------------------------------


def test_a_submitter_killed_mid_run_then_run_again_finishes_every_document_once(
    tmp_path, workers, model_dir, redis_server, msgfmt_check
):
    root = make_corpus(tmp_path / "ws", documents=6)
    shutil.copyfile(SEED, root / "seeds" / "zz-long.txt")
    env = _env(model_dir, redis_server)
    submitter = Submitter(root, *SLOW, env=env, output=False)
    book = submitter.run(redis_server.client())
    run_id = book.run_id
    wait_for(lambda: book.counts()["done"] >= 1, 60, "a document done")
    submitter.kill()

    again = run_pipeline("run", "-w", root, "--executor", "celery", *SLOW, env=env, timeout=180)
    assert again.returncode == 0, again.stderr
    assert "7/7 documents" in again.stderr
    assert len(list((root / "build").glob("*.en.txt"))) == 7
    _all_drafted_once(root)
    for path in (root / "locales").rglob("*.po"):
        msgfmt_check(path)
    listing = run_pipeline("jobs", "-w", root, env=env)
    assert listing.returncode == 0 and run_id in listing.stdout
    _no_secret(again.stdout, again.stderr, listing.stdout, listing.stderr)


def test_two_submitters_of_one_workspace_at_once_both_finish_and_nothing_runs_twice_at_once(
    tmp_path, workers, model_dir, redis_server, msgfmt_check
):
    root = make_corpus(tmp_path / "ws", documents=6)
    (root / "pipeline.toml").write_text("[distributed]\nlease_seconds = 2.0\n", encoding="utf-8")
    env = _env(model_dir, redis_server)
    command = [sys.executable, "-m", "pipeline", "run", "-w", str(root), "--executor", "celery", *DECODING]
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outputs = [first.communicate(timeout=180), second.communicate(timeout=180)]
    for proc, (_, err) in zip((first, second), outputs, strict=True):
        assert proc.returncode == 0, err
        assert "6/6 documents" in err and "Traceback" not in err
    assert len(list((root / "build").glob("*.en.txt"))) == 6
    _all_drafted_once(root)
    for path in (root / "locales").rglob("*.po"):
        msgfmt_check(path)


# --- The broker's password ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "secret", "split"),
    [
        ("redis://:Ab9/Cd8#Ef7?Gh6@10.0.0.5:6379/0", "Ab9/Cd8#Ef7?Gh6", True),  # a URL parser cuts it at '/'
        ("redis://:Ab9%2FCd8@10.0.0.5:6379/0", "Ab9/Cd8", False),
        ("redis://user:Ab9@Cd8@10.0.0.5/1", "Ab9@Cd8", False),
        ("redis://10.0.0.5:6379/0?db=1&password=Ab9%2FCd8", "Ab9/Cd8", False),  # redis-py reads it there too
        ("unix://:Ab9Cd8@/run/redis.sock?db=0", "Ab9Cd8", False),
    ],
)
def test_every_spelling_of_a_password_is_masked_and_redacted(url, secret, split):
    from pipeline.distributed.state import BrokerError, Redactor, broker_url, mask_url

    masked = mask_url(url)
    assert "***" in masked
    for piece in [secret, quote(secret, safe=""), *re.split(r"[/#?@]", secret)]:
        assert piece not in masked and piece not in Redactor(url)(f"connecting to {url} ({secret})")
    if split:  # refused, in one masked line
        with pytest.raises(BrokerError, match="percent-encoded") as info:
            broker_url(url)
        assert secret.split("/")[0] not in str(info.value)
    else:
        assert broker_url(url) == url


def test_a_wrong_password_is_one_line_in_every_command_and_never_shown(tmp_path, model_dir, redis_server):
    root = make_corpus(tmp_path / "ws", documents=1)
    wrong = redis_server.url.replace(PASSWORD, "Wrong-Guess-Pa55")
    env = {**_env(model_dir), "PIPELINE_BROKER": wrong}
    for args in (("run", "-w", root, "--executor", "celery"), ("jobs", "-w", root), ("worker", "-w", root)):
        result = run_pipeline(*args, env=env, timeout=60)
        last = _one_line_error(result)
        assert "redis://:***@127.0.0.1" in last, last
        _no_secret(result.stdout, result.stderr, secret="Wrong-Guess-Pa55")
    assert not (root / "build").exists()


def test_a_password_in_pipeline_toml_never_shows_in_jobs_or_worker_logs(
    tmp_path, model_dir, own_redis, own_workers, msgfmt_check
):
    server = own_redis(OddPasswordRedis)
    root = make_corpus(tmp_path / "ws", documents=3)
    (root / "pipeline.toml").write_text(f'[distributed]\nbroker = "{server.url}"\n', encoding="utf-8")
    env = _env(model_dir)  # no $PIPELINE_BROKER: the URL comes from pipeline.toml
    env.pop("PIPELINE_BROKER", None)
    pool = own_workers(env)
    pool.start(1, workspace=root)
    ran = run_pipeline("run", "-w", root, "--executor", "celery", *DECODING, env=env, timeout=120)
    assert ran.returncode == 0, ran.stderr
    run_id = re.search(r"run (\S+): documents go to", ran.stderr).group(1)
    listing = run_pipeline("jobs", "-w", root, env=env)
    detail = run_pipeline("jobs", "-w", root, run_id, env=env)
    assert listing.returncode == 0 and detail.returncode == 0 and "3 done" in detail.stdout
    pool.stop()
    _no_secret(
        ran.stdout, ran.stderr, listing.stdout, listing.stderr, detail.stdout, detail.stderr, pool.output(),
        secret=ODD_PASSWORD,
    )  # fmt: skip

    # The same password written unencoded: a URL parser would cut it at '/', take the rest for
    # a host and a path, and show it. Refused in one line, masked.
    (root / "pipeline.toml").write_text(
        f'[distributed]\nbroker = "redis://:{ODD_PASSWORD}@127.0.0.1:{server.port}/0"\n', encoding="utf-8"
    )
    for args in (("run", "-w", root, "--executor", "celery"), ("jobs", "-w", root), ("worker", "-w", root)):
        result = run_pipeline(*args, env=env, timeout=60)
        last = _one_line_error(result)
        assert "percent-encoded" in last and "redis://:***@127.0.0.1" in last, last
        _no_secret(result.stdout, result.stderr, secret=ODD_PASSWORD)


class SocketRedis(RedisServer):
    """A Redis on a Unix socket only, with a password; the URL names database 2."""

    def __init__(self, directory: Path):
        super().__init__(directory)
        self.socket = directory / "redis.sock"
        self.url = f"unix://:{PASSWORD}@{self.socket}?db=2"

    def listen(self) -> list[str]:
        return ["--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700"]


def test_a_broker_on_a_unix_socket_serves_workers_and_runs_in_the_database_the_url_names(
    tmp_path, model_dir, own_redis, own_workers
):
    """kombu has no ``unix://`` transport (the worker died with a traceback):
    it is given the socket as ``redis+socket://``, database and all, so its
    queue and our run records share the one database of the URL."""
    import redis

    server = own_redis(SocketRedis)
    root = make_corpus(tmp_path / "ws", documents=2)
    env = _env(model_dir, server)
    pool = own_workers(env)
    pool.start(1)
    ran = run_pipeline("run", "-w", root, "--executor", "celery", *DECODING, env=env, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert "2/2 documents" in ran.stderr and f"unix://:***@{server.socket}?db=2" in ran.stderr
    databases = {
        db: {k.decode() for k in redis.Redis(unix_socket_path=str(server.socket), password=PASSWORD, db=db).keys()}
        for db in (0, 2)
    }
    assert not databases[0]
    assert "_kombu.binding.pipeline" in databases[2] and any(k.startswith("pipeline:run:") for k in databases[2])
    _no_secret(ran.stdout, ran.stderr, pool.output())


# --- The workspace changing under a run ------------------------------------------------------


def test_a_document_deleted_or_renamed_after_submission_fails_in_one_line_and_the_rest_completes(
    tmp_path, model_dir, own_redis, own_workers
):
    server = own_redis()
    root = make_corpus(tmp_path / "ws", documents=4)
    env = _env(model_dir, server)
    submitted = run_pipeline("run", "-w", root, "--executor", "celery", "--detach", *DECODING, env=env)
    assert submitted.returncode == 0, submitted.stderr
    run_id = submitted.stdout.strip()
    (root / "seeds" / "doc01.txt").unlink()  # no worker has taken anything yet
    (root / "seeds" / "doc02.txt").rename(root / "seeds" / "renamed.txt")
    pool = own_workers(env)
    pool.start(1)
    book = RunBook(server.client(), run_id)
    wait_for(lambda: all(s in ("done", "failed") for s in book.states().values()), 60, "the run to settle")
    states = book.states()
    assert states == {"doc00": "done", "doc01": "failed", "doc02": "failed", "doc03": "done"}, states
    errors = book.errors()
    for doc in ("doc01", "doc02"):
        assert "\n" not in errors[doc] and f"seeds/{doc}.txt" in errors[doc], errors[doc]
    shown = run_pipeline("jobs", "-w", root, run_id, env=env)
    assert re.search(r"^failed +doc01: ", shown.stdout, re.M), shown.stdout
    assert "Traceback" not in pool.output()
    assert not (root / "build" / "doc01.en.txt").exists() and not (root / "build" / "doc02.en.txt").exists()


# --- Redis stalled --------------------------------------------------------------------------------


def test_a_redis_stalled_past_the_client_timeouts_sends_the_tasks_back_and_the_documents_complete_once(
    tmp_path, model_dir, own_redis, own_workers, msgfmt_check
):
    """Redis stopped (SIGSTOP: a stalled VM, a long fork) for 45 s, longer than
    a worker's Redis call waits with its retries, then resumed with its data:
    the documents cut off used to be failed ("TimeoutError: Timeout reading
    from ...", never retried). Redis out of reach is not the document's
    fault: each task goes back to the queue and its document completes."""
    server = own_redis()
    env = _env(model_dir, server)
    root = _long_document(tmp_path / "ws", (41, 42), lease_seconds=2.0)
    text = SEED.read_text(encoding="utf-8").replace("。", "（43）。")
    (root / "seeds" / "other.txt").write_text(text, encoding="utf-8")
    pool = own_workers(env)
    pool.start(1, workspace=root)
    pool.start(1, workspace=root)
    submitted = run_pipeline("run", "-w", root, "--executor", "celery", "--detach", *SLOW, env=env, cwd=root)
    assert submitted.returncode == 0, submitted.stderr  # detached: no submitter gives up on the stall
    book = RunBook(server.client(), submitted.stdout.strip())
    ws = Workspace(root)
    wait_for(lambda: min(_drafts(ws.catalog_path(d)) for d in ("long", "other")) >= 3, 90, "both running")
    os.kill(server.proc.pid, signal.SIGSTOP)
    try:
        time.sleep(45)
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)
    wait_for(lambda: set(book.states().values()) <= {"done", "failed"}, 120, "the run to settle")
    assert book.states() == {"long": "done", "other": "done"}, book.errors()
    assert "the task goes back to the queue" in pool.output()
    _all_drafted_once(root)
    for path in (root / "locales").rglob("*.po"):
        msgfmt_check(path)
