"""Distributed runs: Celery workers on Redis against the local pool.

Usage (from the repository root; needs ``redis-server``)::

    python -m benchmarks.bench_distributed [--documents 100] [--throughput-documents 6]

Starts its own ``redis-server`` (loopback, a password, persistence off),
builds the tiny random-weight model and installs it in a private Argos
directory, then measures, each with real ``pipeline`` processes:

1. **Per-task overhead**: a re-run over a corpus whose documents are all
   done (every stage skipped), ``run --jobs 2`` against ``run --executor
   celery`` with two ``pipeline worker`` processes of one pool process
   each: wall time per document. What is left is the cost of a task: the
   broker round trip, the run record, the lease, the per-document records.
2. **Throughput** with 1 and 2 worker processes on this machine's cores,
   the draft cache off (so every segment is decoded), against ``--jobs``
   1 and 2: segments per second over the run, the model loads included.
   The random model never emits ``</s>``: every segment decodes to the cap
   (64 tokens, beam 4); figures are for comparing executors, not a
   real model's speed.
3. **Decodes saved by the global draft cache** on the ``--documents``
   corpus of ``benchmarks/make_corpus.py``: segments the workers asked for,
   answered by the cache, and decoded, from the run's record; against the
   segments ``--jobs 2`` decodes (once per document) and ``--jobs 1``
   decodes (once per run, one process).

Results go to stdout as Markdown; progress to stderr.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import log, machine_info, markdown_table

PASSWORD = "bench-" + os.urandom(8).hex()
PIPELINE = [sys.executable, "-m", "pipeline"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Bench:
    def __init__(self, root: Path):
        self.root = root
        self.port = _free_port()
        self.url = f"redis://:{PASSWORD}@127.0.0.1:{self.port}/0"
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--requirepass", PASSWORD,
             "--save", "", "--appendonly", "no", "--dir", str(root)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self.packages = root / "argos-packages"
        self.env = {**os.environ, "ARGOS_PACKAGES_DIR": str(self.packages), "PIPELINE_BROKER": self.url}
        self.workers: list[subprocess.Popen] = []
        time.sleep(0.5)

    def install_model(self) -> None:
        from pipeline.testing.random_model import build_random_argos_package

        archive = build_random_argos_package(self.root / "model")
        subprocess.run([*PIPELINE, "models", "install", str(archive)], env=self.env, check=True, capture_output=True)

    def pipeline(self, *args) -> tuple[float, subprocess.CompletedProcess]:
        started = time.perf_counter()
        proc = subprocess.run([*PIPELINE, *map(str, args)], env=self.env, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"pipeline {' '.join(map(str, args))} failed:\n{proc.stderr[-3000:]}")
        return elapsed, proc

    def start_workers(self, count: int) -> None:
        self.stop_workers()
        for i in range(count):
            log_path = self.root / f"worker-{i}.log"
            proc = subprocess.Popen(
                [*PIPELINE, "worker", "-c", "1", "--name", f"bench{i}", "--loglevel", "WARNING"],
                env=self.env,
                stdout=open(log_path, "wb"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self.workers.append(proc)
        time.sleep(4)  # the workers connect (no ready line at WARNING)

    def stop_workers(self) -> None:
        for proc in self.workers:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.workers:
            proc.wait(30)
        self.workers.clear()

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushdb()

    def close(self) -> None:
        self.stop_workers()
        self.redis.terminate()
        self.redis.wait(10)


def corpus(out: Path, documents: int) -> Path:
    from benchmarks.make_corpus import generate, write_step

    docs, _ = generate(documents)
    return write_step(out, documents, docs)


def copy(workspace: Path, name: str, draft_cache: bool = True) -> Path:
    target = workspace.parent / name
    shutil.copytree(workspace / "seeds", target / "seeds")
    if not draft_cache:
        (target / "pipeline.toml").write_text("[distributed]\ndraft_cache = false\n", encoding="utf-8")
    return target


def segments(stderr: str) -> int:
    """Segments decoded, from what a local run prints: the combined progress
    line of ``--jobs N`` > 1, the translate summary of ``--jobs 1``."""
    found = re.findall(r"documents, (\d+) segments translated", stderr)
    if found:
        return int(found[-1])
    found = re.findall(r"\((\d+) distinct segments\)", stderr)
    return int(found[-1]) if found else 0


def run_record(bench: Bench, stderr: str) -> dict:
    import redis

    run_id = re.search(r"run (\S+): documents go to", stderr).group(1)
    meta = redis.Redis.from_url(bench.url).hgetall(f"pipeline:run:{run_id}")
    return {k.decode(): v.decode() for k, v in meta.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100, help="corpus for the draft cache [100]")
    parser.add_argument("--throughput-documents", type=int, default=6, help="corpus for throughput [6]")
    args = parser.parse_args(argv)
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not installed (Debian package redis-server)")
    fast = ["--beam-size", "2", "--max-decoding-length", "8"]
    slow = ["--beam-size", "4", "--max-decoding-length", "64"]
    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp:
        bench = Bench(Path(tmp))
        try:
            bench.install_model()
            base = corpus(Path(tmp) / "corpus", args.documents)
            print(f"# Distributed runs ({args.documents}-document corpus of benchmarks/make_corpus.py)\n")
            print(f"machine: {machine_info()}\n")

            # 3. The draft cache (first: it also fills the workspaces the overhead re-runs use).
            log("draft cache: --jobs 1, --jobs 2, celery with 2 workers")
            one = copy(base, "jobs1")
            t1, p1 = bench.pipeline("run", "-w", one, "--jobs", "1", *fast)
            two = copy(base, "jobs2")
            t2, p2 = bench.pipeline("run", "-w", two, "--jobs", "2", *fast)
            bench.start_workers(2)
            celery = copy(base, "celery")
            tc, pc = bench.pipeline("run", "-w", celery, "--executor", "celery", *fast)
            meta = run_record(bench, pc.stderr)
            entries = sum(
                len(re.findall(rb'^msgid "', p.read_bytes(), re.M)) - 1 for p in (celery / "locales").rglob("*.po")
            )
            rows = [
                ["`run --jobs 1` (one process, one batch over the run)", str(segments(p1.stderr)), "–", f"{t1:.1f}"],
                ["`run --jobs 2` (once per document)", str(segments(p2.stderr)), "–", f"{t2:.1f}"],
                [
                    "`run --executor celery`, 2 workers, global draft cache",
                    meta.get("decoded", "?"),
                    meta.get("cache_hits", "?"),
                    f"{tc:.1f}",
                ],
            ]
            print(f"## Decodes saved by the global draft cache ({entries} catalog entries)\n")
            print(markdown_table(["executor", "segments decoded", "answered by the cache", "wall s"], rows))
            print()

            # 1. Per-task overhead: every document done, every stage skipped.
            log("overhead: no-op re-runs")
            t_local, _ = bench.pipeline("run", "-w", two, "--jobs", "2", *fast)
            t_celery, _ = bench.pipeline("run", "-w", celery, "--executor", "celery", *fast)
            t_start, _ = bench.pipeline("status", "-w", two, "doc-0001")  # a command's own start-up
            n = args.documents
            rows = [
                ["`run --jobs 2`", f"{t_local:.2f}", f"{1000 * (t_local - t_start) / n:.1f}"],
                ["`run --executor celery`, 2 workers", f"{t_celery:.2f}", f"{1000 * (t_celery - t_start) / n:.1f}"],
                ["(`status` of one document: a command's start-up)", f"{t_start:.2f}", "–"],
            ]
            print(f"## Per-task overhead: a re-run of {n} documents, all done\n")
            print(markdown_table(["executor", "wall s", "ms per document, start-up taken off"], rows))
            print()

            # 2. Throughput, the cache off: every segment decoded.
            log("throughput: 1 and 2 processes")
            small = corpus(Path(tmp) / "small", args.throughput_documents)
            rows = []
            for jobs in (1, 2):
                ws = copy(small, f"local-{jobs}")
                t, proc = bench.pipeline("run", "-w", ws, "--jobs", str(jobs), "--threads", str(jobs), *slow)
                rows.append(
                    [f"`run --jobs {jobs}`", str(segments(proc.stderr)), f"{t:.1f}", f"{segments(proc.stderr) / t:.1f}"]
                )
            for workers in (1, 2):
                bench.start_workers(workers)
                bench.flush()
                ws = copy(small, f"celery-{workers}", draft_cache=False)
                t, proc = bench.pipeline("run", "-w", ws, "--executor", "celery", *slow)
                decoded = int(run_record(bench, proc.stderr).get("segments", 0))  # no cache: every one decoded
                rows.append(
                    [f"`run --executor celery`, {workers} worker(s)", str(decoded), f"{t:.1f}", f"{decoded / t:.1f}"]
                )
            print(f"## Throughput, {args.throughput_documents} documents, beam 4, 64-token cap, no draft cache\n")
            print(markdown_table(["executor", "segments decoded", "wall s", "segments/s"], rows))
        finally:
            bench.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
