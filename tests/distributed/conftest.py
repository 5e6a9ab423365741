"""Fixtures for distributed runs: a real ``redis-server`` (loopback, a free
port, a password, persistence off), real ``pipeline worker`` processes,
the tiny random-weight model installed where they find it, and a corpus
of 20 small documents that share sentences."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.testing.random_model import build_random_argos_package

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "000_a24ceba1f548592f.txt"
PASSWORD = "h8-Test-Pa55word-never-printed"
#: Fast decoding for the tests: beam 2, at most 8 output tokens.
DECODING = ["--beam-size", "2", "--max-decoding-length", "8"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """``redis-server`` on 127.0.0.1:<port> with a password and no persistence."""

    #: The password redis-server asks for (subclasses: another).
    password = PASSWORD

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = _free_port()
        self.url = f"redis://:{PASSWORD}@127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def listen(self) -> list[str]:
        """Where redis-server listens (subclasses: a Unix socket)."""
        return ["--port", str(self.port), "--bind", "127.0.0.1"]

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server"),
                *self.listen(),
                "--requirepass", self.password,
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.directory),
                "--loglevel", "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; .ci/run installs it)")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """An Argos packages directory holding the tiny random-weight model,
    installed the way `pipeline models install` installs it."""
    directory = tmp_path_factory.mktemp("argos-packages")
    archive = build_random_argos_package(tmp_path_factory.mktemp("model"))
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(directory)}
    subprocess.run(
        [sys.executable, "-m", "pipeline", "models", "install", str(archive)], env=env, check=True, capture_output=True
    )
    return directory


def _env(model_dir: Path, redis_server: RedisServer | None = None) -> dict:
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(model_dir), "PYTHONUNBUFFERED": "1"}
    if redis_server is not None:
        env["PIPELINE_BROKER"] = redis_server.url
    return env


class Workers:
    """Real ``pipeline worker`` processes, each in its own process group."""

    def __init__(self, env: dict, logs: Path):
        self.env = env
        self.logs = logs
        self.procs: list[tuple[subprocess.Popen, Path]] = []

    def start(self, concurrency: int = 1, name: str | None = None, workspace: Path | None = None) -> subprocess.Popen:
        """A worker of ``concurrency`` pool processes (its settings from ``workspace``'s pipeline.toml)."""
        log = self.logs / f"worker-{len(self.procs)}.log"
        name = name or f"w{len(self.procs)}"
        settings = ["--workspace", str(workspace)] if workspace is not None else []
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "worker", "-c", str(concurrency), "--name", name, *settings],
            env=self.env,
            stdout=open(log, "wb"),  # noqa: SIM115 (closed with the process)
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append((proc, log))
        deadline = time.monotonic() + 30
        while b" ready." not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)
        return proc

    def each_output(self) -> list[str]:
        """Each worker's output so far."""
        return [log.read_text(errors="replace") for _, log in self.procs]

    def output(self) -> str:
        return "\n".join(self.each_output())

    def stop(self) -> None:
        for proc, _ in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc, _ in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()


@pytest.fixture(scope="module")
def workers(redis_server, model_dir, tmp_path_factory):
    """Two `pipeline worker` processes of one pool process each (on our 2 cores)."""
    pool = Workers(_env(model_dir, redis_server), tmp_path_factory.mktemp("worker-logs"))
    pool.start(1)
    pool.start(1)
    yield pool
    pool.stop()


def make_corpus(root: Path, documents: int = 20) -> Path:
    """A workspace of ``documents`` small documents cut from the seed: each
    holds a headline of its own and three of the seed's paragraphs, so that
    neighbours share sentences (as an archive's bylines and quotes do)."""
    blocks = [b for b in SEED.read_text(encoding="utf-8").split("\n\n") if len(b.strip()) > 20]
    seeds = root / "seeds"
    seeds.mkdir(parents=True)
    for i in range(documents):
        chosen = [blocks[(3 * i + k) % len(blocks)] for k in range(3)]
        text = f"第{i + 1}号稿件：宁波新型工业化调查\n\n" + "\n\n".join(chosen) + "\n"
        (seeds / f"doc{i:02d}.txt").write_text(text, encoding="utf-8")
    return root


def wait_for(predicate, timeout: float, what: str):
    """``predicate()``'s first true value, asked every 50 ms for ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Submitter:
    """``pipeline run -w ROOT --executor celery OPTIONS`` in the background, as
    a user starts it: :meth:`run` is its run's record once it made it,
    :meth:`finish` waits for it."""

    def __init__(self, root: Path, *options, env: dict, cwd: Path | None = None, output: bool = True):
        self.root = root
        pipe = subprocess.PIPE if output else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "run", "-w", str(root), "--executor", "celery", *map(str, options)],
            env=env,
            stdout=pipe,
            stderr=pipe,
            text=True,
            cwd=cwd,
        )

    def run(self, client, timeout: float = 30):
        """The run's record in Redis (:class:`RunBook`), once the submitter has made it."""
        from pipeline.distributed.state import RunBook

        found = wait_for(lambda: next(iter(RunBook.recent(client, self.root, 1)), None), timeout, "the run")
        return RunBook(client, found.run_id)

    def running(self) -> bool:
        return self.proc.poll() is None

    def finish(self, timeout: float = 90) -> tuple[int, str, str]:
        """Its exit status, stdout and stderr, once it ends."""
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def run_pipeline(*args, env: dict, timeout: float = 120, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
    )
