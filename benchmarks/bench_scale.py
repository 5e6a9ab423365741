"""How the pipeline's costs grow with the corpus: 1×, 10× and 100× the seed.

For each step of the synthetic corpus (``benchmarks/make_corpus.py``), in a
fresh workspace, every command runs as its own ``python -m pipeline``
subprocess, started by a fresh wrapper process that reads the child's wall
time, CPU time and peak resident memory (``getrusage(RUSAGE_CHILDREN)``).
Each measurement runs ``--reps`` times (default 3); the table shows medians.

Measured per step:

* ``extract`` on a workspace with no catalogs;
* ``build`` of untranslated catalogs (no model: segments fall back to the
  source), then of catalogs filled with fake machine drafts through
  ``pipeline.catalog.states.set_machine_draft`` (the filling is not timed);
* ``status``, and ``check`` when the command exists;
* ``run`` when nothing changed, with the stage cache
  (``locales/.pipeline-cache.json``) and with the cache file deleted;
* ``python -m pipeline --version``: interpreter and import start-up, the
  floor under every command.

On one step (``--jobs-step``, default 10) it also compares ``run --jobs 1``
with ``run --jobs 2`` from scratch, with the tiny random-weight model of
``pipeline/testing/random_model.py`` installed in a private
``ARGOS_PACKAGES_DIR`` (``--base-model`` adds the Transformer-base-shaped
int8 model, decoding capped at ``--max-decoding-length 64``).

Usage::

    python -m benchmarks.bench_scale [--steps 1,10,100] [--reps 3] [--json]

The table goes to stdout (``--json``: one JSON document instead); progress
to stderr. Argos, HOME and XDG directories are private to the run's work
directory, so nothing installed on the machine is used or touched.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks import make_corpus
from benchmarks.measure import REPO, log, machine_info, measure_child, median

FAKE_SIGNATURE = "bench:fake-zh_en@0"
FAKE_WORDS = (
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "by",
    "new",
    "industry",
    "city",
    "science",
    "innovation",
    "lab",
)
#: A stage is called linear when its time per 1000 segments at a step is at
#: most this many times that of the previous step (start-up costs only
#: make the larger steps cheaper per segment).
LINEAR_TOLERANCE = 1.3
#: ... unless the excess over linear growth is below this (CPU seconds).
MIN_EXCESS_CPU = 1.0
#: Peak memory is called bounded when it grows by at most this factor
#: from one step to the next (10× more documents).
MEMORY_TOLERANCE = 1.25


@dataclass
class Run:
    wall: float
    cpu: float
    maxrss_kib: int
    rc: int


@dataclass
class Measurement:
    """One command at one step: every repetition and their medians."""

    stage: str
    command: list[str]
    runs: list[Run] = field(default_factory=list)
    note: str = ""

    @property
    def wall(self) -> float:
        return median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return median(r.cpu for r in self.runs)

    @property
    def maxrss_mib(self) -> float:
        return median(r.maxrss_kib for r in self.runs) / 1024

    def as_dict(self) -> dict:
        return {
            "stage": self.stage,
            "command": self.command,
            "wall_s": round(self.wall, 3),
            "cpu_s": round(self.cpu, 3),
            "maxrss_mib": round(self.maxrss_mib, 1),
            "note": self.note,
            "runs": [asdict(r) for r in self.runs],
        }


class BenchError(Exception):
    """A command failed where it must not."""


class Bench:
    """Runs ``python -m pipeline`` commands in a private environment."""

    def __init__(self, work: Path, reps: int):
        self.work = work
        self.reps = reps
        self.empty_packages = work / "argos-empty"
        self.empty_packages.mkdir(parents=True, exist_ok=True)
        home = work / "home"
        self.env = dict(os.environ)
        self.env.update(
            HOME=str(home),
            XDG_DATA_HOME=str(home / "data"),
            XDG_CACHE_HOME=str(home / "cache"),
            XDG_CONFIG_HOME=str(home / "config"),
            ARGOS_PACKAGES_DIR=str(self.empty_packages),
            PYTHONPATH=str(REPO),
        )

    def pipeline(self, *args: str, packages: Path | None = None) -> tuple[list[str], dict]:
        env = dict(self.env)
        if packages is not None:
            env["ARGOS_PACKAGES_DIR"] = str(packages)
        return [sys.executable, "-m", "pipeline", *args], env

    def once(self, cmd: list[str], env: dict, accept=(0,)) -> dict:
        """Run ``cmd`` in a fresh wrapper; return its report."""
        report = measure_child(cmd, env=env, cwd=self.work)
        if report["rc"] not in accept:
            tail = report["stderr"].strip().splitlines()[-3:]
            raise BenchError(f"{' '.join(cmd[2:])} exited {report['rc']}: {' | '.join(tail)}")
        return report

    def measure(
        self,
        stage: str,
        args: list[str],
        prepare=None,
        packages: Path | None = None,
        accept=(0,),
        after=None,
        reps: int | None = None,
    ) -> Measurement:
        """Run ``pipeline ARGS`` ``reps`` times (default: the bench's), ``prepare()``
        before each and ``after(report)`` after each."""
        cmd, env = self.pipeline(*args, packages=packages)
        result = Measurement(stage, ["pipeline", *args])
        for _ in range(reps or self.reps):
            if prepare is not None:
                prepare()
            report = self.once(cmd, env, accept)
            result.runs.append(Run(report["wall"], report["cpu"], report["maxrss_kib"], report["rc"]))
            if after is not None:
                after(report)
        log(f"  {stage:<22} {result.wall:7.2f} s wall {result.cpu:7.2f} s cpu {result.maxrss_mib:6.0f} MiB")
        return result

    def command_exists(self, name: str) -> bool:
        cmd, env = self.pipeline(name, "--help")
        return (
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False).returncode
            == 0
        )


# --- workspace helpers (not timed) ---------------------------------------------


def fresh_workspace(path: Path, seeds: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    shutil.copytree(seeds, path / "seeds")
    return path


def reset_outputs(ws: Path, cache: bytes | None = None) -> None:
    """Remove the editions and put the stage cache back as it was."""
    shutil.rmtree(ws / "build", ignore_errors=True)
    cache_path = ws / "locales" / ".pipeline-cache.json"
    if cache is None:
        cache_path.unlink(missing_ok=True)
    else:
        cache_path.write_bytes(cache)


def fake_translation(source: str) -> str:
    """Deterministic English-looking text, about as many words as a
    translation of ``source`` would have (0.6 per Han character)."""
    from pipeline.zh.script import count_han

    crc = zlib.crc32(source.encode())
    words = [FAKE_WORDS[(crc >> (i % 24) ^ i) % len(FAKE_WORDS)] for i in range(max(1, count_han(source) * 3 // 5))]
    return f"[{crc:08x}] " + " ".join(words) + "."


def fill_catalogs(ws_root: Path) -> int:
    """Give every untranslated entry a fake machine draft, through the package API."""
    from pipeline.catalog import State, load_catalog, save_catalog, state_of
    from pipeline.catalog.states import set_machine_draft
    from pipeline.workspace import Workspace

    ws = Workspace(ws_root)
    filled = 0
    for doc in ws.documents():
        path = ws.catalog_path(doc)
        catalog = load_catalog(path, ws.relative(path))
        for message in catalog:
            if message.id and state_of(message) is State.UNTRANSLATED:
                set_machine_draft(message, fake_translation(message.id), FAKE_SIGNATURE)
                filled += 1
        save_catalog(path, catalog)
    return filled


def corpus_size(ws_root: Path) -> dict:
    """Documents, catalog entries (segments) and distinct source texts."""
    from pipeline.catalog import load_catalog
    from pipeline.workspace import Workspace

    ws = Workspace(ws_root)
    entries, distinct, han = 0, set(), 0
    from pipeline.zh.script import count_han

    for doc in ws.documents():
        path = ws.catalog_path(doc)
        for message in load_catalog(path, ws.relative(path)):
            if message.id:
                entries += 1
                distinct.add(message.id)
                han += count_han(message.id)
    return {"documents": len(ws.documents()), "segments": entries, "distinct_segments": len(distinct), "han": han}


def snapshot_mtimes(ws: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in sorted(ws.rglob("*")) if p.is_file() and p.name != ".pipeline.lock"}


# --- the measurements --------------------------------------------------------------


def bench_step(bench: Bench, step: int, seeds: Path, with_check: bool) -> dict:
    """Every single-process measurement on one corpus step."""
    ws = fresh_workspace(bench.work / f"ws-{step}x", seeds)
    w = ["--workspace", str(ws)]
    rows: list[Measurement] = []

    rows.append(
        bench.measure("extract", ["extract", *w], prepare=lambda: shutil.rmtree(ws / "locales", ignore_errors=True))
    )
    size = corpus_size(ws)
    extracted_cache = (ws / "locales" / ".pipeline-cache.json").read_bytes()
    rows.append(
        bench.measure("build (untranslated)", ["build", *w], prepare=lambda: reset_outputs(ws, extracted_cache))
    )

    fill_catalogs(ws)
    filled_cache = (ws / "locales" / ".pipeline-cache.json").read_bytes()
    rows.append(bench.measure("build (filled)", ["build", *w], prepare=lambda: reset_outputs(ws, filled_cache)))
    rows.append(bench.measure("status", ["status", *w]))
    if with_check:
        # check reports problems with exit 1; the fake drafts have plenty.
        rows.append(bench.measure("check", ["check", *w], accept=(0, 1)))

    # A no-op re-run: settle once, then nothing may change.
    cmd, env = bench.pipeline("run", *w)
    bench.once(cmd, env)
    before = snapshot_mtimes(ws)

    def unchanged(_report) -> None:
        changed = [
            p for p, m in snapshot_mtimes(ws).items() if before.get(p) != m and not p.endswith(".pipeline-cache.json")
        ]
        if changed:
            raise BenchError(f"a no-op run rewrote {len(changed)} files, e.g. {changed[0]}")

    rows.append(bench.measure("run, no-op (cache)", ["run", *w], after=unchanged))
    forget_cache = (ws / "locales" / ".pipeline-cache.json").unlink
    rows.append(bench.measure("run, no-op (no cache)", ["run", *w], prepare=lambda: forget_cache(missing_ok=True)))
    return {"step": step, **size, "measurements": rows}


_RATE_J1 = re.compile(r"translate: (\d+) entries filled \((\d+) distinct segments\) in ([\d.]+)s")
_RATE_JN = re.compile(r"(\d+)/(\d+) documents, (\d+) segments translated, ([\d.]+) seg/s")


def translated_segments(stderr: str) -> int:
    """Segments sent to the engine, from ``run``'s log (either form)."""
    counts = [int(m.group(2)) for m in _RATE_J1.finditer(stderr)] or [
        int(m.group(3)) for m in _RATE_JN.finditer(stderr)
    ][-1:]
    return sum(counts)


def bench_jobs(bench: Bench, step: int, seeds: Path, model: Path, label: str, extra: list[str], reps: int) -> dict:
    """``run --jobs 1`` against ``run --jobs 2`` from scratch with ``model`` installed."""
    packages = bench.work / f"argos-{label}"
    shutil.rmtree(packages, ignore_errors=True)
    packages.mkdir()
    cmd, env = bench.pipeline("models", "install", str(model), packages=packages)
    bench.once(cmd, env)
    ws = fresh_workspace(bench.work / f"ws-jobs-{label}", seeds)
    w = ["--workspace", str(ws)]

    def scratch() -> None:
        shutil.rmtree(ws / "locales", ignore_errors=True)
        shutil.rmtree(ws / "build", ignore_errors=True)

    out = {"step": step, "model": label, "options": extra, "reps": reps, "measurements": [], "segments": {}}
    for jobs in (1, 2):
        segments: list[int] = []
        m = bench.measure(
            f"run --jobs {jobs} ({label})",
            ["run", *w, "--jobs", str(jobs), *extra],
            prepare=scratch,
            packages=packages,
            after=lambda report, seen=segments: seen.append(translated_segments(report["stderr"])),
            reps=reps,
        )
        m.note = f"{segments[-1]} segments decoded"
        out["segments"][jobs] = segments[-1]
        out["measurements"].append(m)
    j1, j2 = out["measurements"]
    out["speedup"] = round(j1.wall / j2.wall, 2) if j2.wall else None
    return out


def build_model(work: Path, label: str) -> tuple[Path, list[str]]:
    """The random-weight package for ``label`` and the run options it needs."""
    from pipeline.testing.random_model import BASE, build_random_argos_package

    if label == "tiny":
        return build_random_argos_package(work / "model-tiny"), []
    # Random weights never emit </s>: every sentence would decode to the
    # default cap (up to 512 tokens); 64 is about what a real model writes.
    path = build_random_argos_package(work / "model-base", shape=BASE, quantization="int8")
    return path, ["--max-decoding-length", "64"]


# --- reporting ---------------------------------------------------------------------


def analyse(steps: list[dict], startup: Measurement) -> list[str]:
    """Say which stages grow faster than the corpus, and whether memory is bounded.

    Linearity is judged on CPU time less the start-up floor: on a shared
    machine wall time also measures the neighbours."""
    findings = []
    by_stage: dict[str, list[tuple[dict, Measurement]]] = {}
    for s in steps:
        for m in s["measurements"]:
            by_stage.setdefault(m.stage, []).append((s, m))
    for stage, series in by_stage.items():
        for (s0, m0), (s1, m1) in itertools.pairwise(series):
            per0 = max(m0.cpu - startup.cpu, 0) / s0["segments"] * 1000
            per1 = max(m1.cpu - startup.cpu, 0) / s1["segments"] * 1000
            # Small steps sit in the start-up noise: also ask for a full
            # second of CPU beyond what the smaller step's rate predicts.
            excess = (m1.cpu - startup.cpu) - per0 * s1["segments"] / 1000
            if per1 > per0 * LINEAR_TOLERANCE and excess > MIN_EXCESS_CPU:
                findings.append(
                    f"{stage}: looks NOT linear from {s0['step']}x to {s1['step']}x: "
                    f"{per0:.3f} -> {per1:.3f} CPU s per 1000 segments above start-up "
                    f"({excess:.1f} s more than linear); "
                    "profile it in-process before believing it, the small step sits in the start-up noise"
                )
            if m1.maxrss_mib > m0.maxrss_mib * MEMORY_TOLERANCE and s0["step"] >= 10:
                findings.append(
                    f"{stage}: peak memory grows with the corpus from {s0['step']}x to {s1['step']}x: "
                    f"{m0.maxrss_mib:.0f} -> {m1.maxrss_mib:.0f} MiB"
                )
    return findings or ["every stage is linear within tolerance and peak memory is flat from step to step"]


def table(steps: list[dict], startup: Measurement, jobs: list[dict]) -> str:
    """ms/doc and s/1k seg divide the wall time; cpu ms/doc is the CPU time
    above the start-up floor per document, the figure to extrapolate from."""
    lines = []
    head = (
        f"{'stage':<24}{'step':>6}{'docs':>6}{'segments':>9}{'wall s':>9}{'cpu s':>8}{'peak MiB':>9}"
        f"{'ms/doc':>9}{'s/1k seg':>9}{'cpu ms/doc':>11}"
    )
    lines.append(head)
    lines.append("-" * len(head))
    lines.append(
        f"{'startup (--version)':<24}{'':>6}{'':>6}{'':>9}"
        f"{startup.wall:>9.2f}{startup.cpu:>8.2f}{startup.maxrss_mib:>9.0f}"
    )
    stages = []
    for s in steps:
        for m in s["measurements"]:
            if m.stage not in stages:
                stages.append(m.stage)
    for stage in stages:
        for s in steps:
            for m in s["measurements"]:
                if m.stage == stage:
                    lines.append(
                        f"{stage:<24}{str(s['step']) + 'x':>6}{s['documents']:>6}{s['segments']:>9}"
                        f"{m.wall:>9.2f}{m.cpu:>8.2f}{m.maxrss_mib:>9.0f}"
                        f"{m.wall / s['documents'] * 1000:>9.0f}{m.wall / s['segments'] * 1000:>9.3f}"
                        f"{max(m.cpu - startup.cpu, 0) / s['documents'] * 1000:>11.1f}"
                    )
    for j in jobs:
        lines.append("")
        reps = j.get("reps")
        lines.append(
            f"run from scratch, {j['step']}x corpus, {j['model']} model {' '.join(j['options'])}".rstrip()
            + (f" ({reps} run{'s' if reps != 1 else ''}, median)" if reps else "")
        )
        for m in j["measurements"]:
            seg_s = int(m.note.split()[0]) / m.wall if m.wall else 0
            lines.append(
                f"  {m.stage:<30}{m.wall:>9.2f} s wall{m.cpu:>9.2f} s cpu{m.maxrss_mib:>7.0f} MiB  {m.note}, "
                f"{seg_s:.1f} seg/s end to end"
            )
        s1, s2 = j["segments"][1], j["segments"][2]
        j1, j2 = j["measurements"]
        lines.append(
            f"  speed-up of --jobs 2 over --jobs 1: {j1.wall / j2.wall:.2f}x wall, "
            f"{j2.cpu / j1.cpu:.2f}x the CPU time; "
            f"--jobs 2 decodes {s2 / s1 - 1:+.0%} segments (a sentence repeated across documents once per document)"
        )
    return "\n".join(lines)


def _measurement(d: dict) -> Measurement:
    return Measurement(d["stage"], d["command"], [Run(**r) for r in d["runs"]], d.get("note", ""))


def render_saved(path: Path) -> str:
    """The table of a result saved with ``--json``."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    steps = [{**s, "measurements": [_measurement(m) for m in s["measurements"]]} for s in doc["steps"]]
    jobs = [
        {
            **j,
            "segments": {int(k): v for k, v in j["segments"].items()},
            "measurements": [_measurement(m) for m in j["measurements"]],
        }
        for j in doc["jobs"]
    ]
    startup = _measurement(doc["startup"])
    info = doc["machine"]
    return "\n".join(
        [
            (
                f"machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}; load {info['loadavg']}; "
                f"medians of {doc['reps']} runs; {doc['seconds']:.0f} s in all"
            ),
            table(steps, startup, jobs),
            "",
            *analyse(steps, startup),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default="1,10,100", help="corpus steps in documents; empty for none [1,10,100]")
    parser.add_argument("--reps", type=int, default=3, help="repetitions per measurement; medians are shown [3]")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of the table")
    parser.add_argument("--work", type=Path, default=None, help="work directory (kept) [a temporary one, removed]")
    parser.add_argument("--jobs-step", type=int, default=10, help="corpus step for --jobs 1 vs 2 [10]; 0 skips it")
    parser.add_argument(
        "--models",
        default="tiny",
        help="random models for the --jobs comparison: tiny, base (Transformer-base int8) or tiny,base [tiny]",
    )
    parser.add_argument("--base-reps", type=int, default=1, help="repetitions with the base model (minutes each) [1]")
    parser.add_argument(
        "--from-json",
        type=Path,
        default=None,
        metavar="FILE",
        help="print the table of a result saved with --json, measuring nothing",
    )
    args = parser.parse_args(argv)
    if args.from_json:
        print(render_saved(args.from_json))
        return 0
    steps = sorted({int(s) for s in args.steps.split(",") if s.strip()})
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if set(models) - {"tiny", "base"}:
        parser.error("--models takes tiny, base or tiny,base")

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        bench = Bench(work.resolve(), args.reps)
        wanted = steps + ([args.jobs_step] if args.jobs_step and models else [])
        docs, _ = make_corpus.generate(max(wanted, default=0))
        corpus = work / "corpus"
        with_check = bench.command_exists("check")
        log(f"pipeline check: {'measured' if with_check else 'not available, skipped'}")

        startup = bench.measure("startup", ["--version"])
        results = []
        for step in steps:
            log(f"step {step}x")
            seeds = make_corpus.write_step(corpus, step, docs) / "seeds"
            results.append(bench_step(bench, step, seeds, with_check))
        jobs = []
        if args.jobs_step and models:
            seeds = make_corpus.write_step(corpus, args.jobs_step, docs) / "seeds"
            for label in models:
                log(f"run --jobs 1 vs 2 on {args.jobs_step}x, {label} model")
                model, extra = build_model(work, label)
                reps = args.base_reps if label == "base" else args.reps
                jobs.append(bench_jobs(bench, args.jobs_step, seeds, model, label, extra, reps))
        findings = analyse(results, startup)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started

    if args.json:
        doc = {
            "machine": machine_info(),
            "reps": args.reps,
            "seconds": round(elapsed, 1),
            "startup": startup.as_dict(),
            "steps": [
                {
                    **{k: v for k, v in s.items() if k != "measurements"},
                    "measurements": [m.as_dict() for m in s["measurements"]],
                }
                for s in results
            ],
            "jobs": [
                {
                    **{k: v for k, v in j.items() if k != "measurements"},
                    "measurements": [m.as_dict() for m in j["measurements"]],
                }
                for j in jobs
            ],
            "findings": findings,
        }
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        info = machine_info()
        print(
            f"machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}; load {info['loadavg']}; "
            f"medians of {args.reps} runs; {elapsed:.0f} s in all"
        )
        print(table(results, startup, jobs))
        print()
        for finding in findings:
            print(finding)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench_scale: {exc}", file=sys.stderr)
        sys.exit(1)
