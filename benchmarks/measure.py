"""What the benchmarks measure with, written once.

Every script in ``benchmarks/`` runs from the repository root as a module
(``python -m benchmarks.bench_translate``) and takes its measuring tools
from here:

* **paths**: :data:`REPO`, :data:`SEED_DOCUMENT` (the repository's seed);
* **progress**: :func:`log`, to stderr (results go to stdout);
* **timing**: :func:`stopwatch` (wall and CPU time of a short span, at
  nanosecond resolution), :class:`Meter` (wall, own CPU time of all threads,
  and the CPU time *other* processes used meanwhile, from ``/proc/stat``:
  what a shared machine adds to wall time), :func:`wait_for_quiet`;
* **memory**: :func:`rss_mb`, :func:`peak_rss_mb` (``VmHWM``),
  :func:`ru_maxrss_mb`; :class:`Sampler` (any reading, GPU memory say,
  sampled on a thread over a run) and :class:`RssSampler` (RSS so);
* **a command in its own process**: :func:`measure_child` (wall, CPU time and
  peak RSS of that process alone, read by a fresh wrapper process);
* **repetitions**: :func:`best_of`, :func:`median`, :func:`p95`;
* **reporting**: :func:`markdown_table`, :func:`machine_info`;
* **the development corpus** (``../shared/corpora/wmt-news-dev``, WMT news,
  ``zh<TAB>en``): :data:`CORPUS`, :data:`CORPUS_SETS`, :func:`read_corpus`,
  and :func:`require_corpus`, which stops a benchmark with one line saying
  where the corpus was looked for when it is not there.

Only the standard library is imported here: ``bench_translate`` must set up
its environment before anything imports ``pipeline`` or argostranslate.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED_DOCUMENT = REPO / "seeds" / "000_a24ceba1f548592f.txt"


def log(message: str) -> None:
    """Progress, to stderr."""
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------


@dataclass
class Span:
    """Wall and CPU seconds of one span; filled in when it ends."""

    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def stopwatch() -> Iterator[Span]:
    """``with stopwatch() as span: ...`` then ``span.wall``, ``span.cpu``
    (``perf_counter`` and ``process_time``: fine-grained, for short spans)."""
    span = Span()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield span
    finally:
        span.wall = time.perf_counter() - wall
        span.cpu = time.process_time() - cpu


def best_of(runs: int, func: Callable[[], object]) -> float:
    """The fastest wall time of ``runs`` calls of ``func``."""
    best = float("inf")
    for _ in range(runs):
        with stopwatch() as span:
            func()
        best = min(best, span.wall)
    return best


def median(values) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    """The 95th percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


_HZ = os.sysconf("SC_CLK_TCK")


def _proc_stat() -> tuple[float, float, float]:
    """Seconds of (busy, steal, total) CPU time, summed over all CPUs."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = v
    return (user + nice + system + irq + softirq) / _HZ, steal / _HZ, sum(v) / _HZ


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system


def _own_sys() -> float:
    return os.times().system


class Meter:
    """Wall time, own CPU time and other processes' CPU time over a span.

    After the ``with`` block: ``wall``, ``cpu`` (this process, all threads),
    ``sys`` (the kernel's share of ``cpu``: page faults, ...),
    ``foreign_cores`` (CPU cores other processes used meanwhile) and
    ``steal_cores`` (cores the hypervisor took). Linux only (``/proc/stat``).
    """

    def __enter__(self):
        self.stat0, self.cpu0, self.sys0, self.t0 = _proc_stat(), _own_cpu(), _own_sys(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.t0
        self.cpu = _own_cpu() - self.cpu0
        self.sys = _own_sys() - self.sys0
        stat1 = _proc_stat()
        busy = stat1[0] - self.stat0[0]
        self.foreign_cores = max(0.0, busy - self.cpu) / self.wall if self.wall else 0.0
        self.steal_cores = (stat1[1] - self.stat0[1]) / self.wall if self.wall else 0.0
        return False

    def as_dict(self) -> dict:
        return {
            "wall": self.wall,
            "cpu": self.cpu,
            "sys": self.sys,
            "foreign_cores": self.foreign_cores,
            "steal_cores": self.steal_cores,
        }


def wait_for_quiet(max_wait: float, threshold: float = 0.25, window: float = 2.0) -> dict:
    """Wait until other processes use less than ``threshold`` cores over a
    ``window``, for at most ``max_wait`` seconds."""
    start = time.monotonic()
    while True:
        with Meter() as m:
            time.sleep(window)
        last = m.foreign_cores
        waited = time.monotonic() - start
        if last < threshold or waited >= max_wait:
            return {"waited": round(waited, 1), "quiet": last < threshold, "load_before": round(last, 2)}


# ---------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------


def _status_mb(field: str) -> float:
    """A ``/proc/self/status`` memory field in MB (0.0 where there is none)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def rss_mb() -> float:
    """Resident memory of this process now (VmRSS), in MB."""
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    """Peak RSS of this process image: VmHWM. (``ru_maxrss`` is not used: on
    Linux it survives fork+exec, so a worker would report at least the
    parent's RSS at spawn time, e.g. the parent's model build.)"""
    return _status_mb("VmHWM")


def ru_maxrss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


class Sampler:
    """``sample()`` called every ``interval`` seconds on a thread while the
    ``with`` block runs: ``samples`` holds ``(seconds since the start, value)``
    for each value that is not None, ``peak`` the largest (None without one)."""

    def __init__(self, sample: Callable[[], float | None], interval: float = 0.5):
        self.sample, self.interval, self.samples, self._stop = sample, interval, [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        t0 = time.perf_counter()
        while not self._stop.wait(self.interval):
            value = self.sample()
            if value is not None:
                self.samples.append((time.perf_counter() - t0, value))

    @property
    def peak(self) -> float | None:
        return max((value for _, value in self.samples), default=None)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False


class RssSampler(Sampler):
    """VmRSS sampled every ``interval`` seconds on a thread, to tell a peak
    reached early and held (the model and one batch per worker) from memory
    that keeps growing as the work goes on."""

    def __init__(self, interval: float = 0.5):
        super().__init__(rss_mb, interval)

    def halves(self) -> dict:
        """Peak RSS over the first and the second half of the run (MB)."""
        if not self.samples:
            return {}
        mid = self.samples[-1][0] / 2
        first = [r for t, r in self.samples if t <= mid] or [0.0]
        second = [r for t, r in self.samples if t > mid] or [0.0]
        return {"rss_peak_first_half_mb": max(first), "rss_peak_second_half_mb": max(second)}


# ---------------------------------------------------------------------------
# A command in its own process
# ---------------------------------------------------------------------------

# Runs one command, then reports what the child used. A fresh process per
# command, so ru_maxrss is that command's peak and nothing else's.
_WRAPPER = r"""
import json, resource, subprocess, sys, time
report, cmd = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(report, "w") as f:
    json.dump({"rc": proc.returncode, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
               "maxrss_kib": usage.ru_maxrss, "stderr": proc.stderr.decode("utf-8", "replace")}, f)
"""


def measure_child(cmd: Sequence[str], env: dict | None = None, cwd: Path | str | None = None) -> dict:
    """Run ``cmd`` (stdout discarded) under a fresh wrapper process and
    return ``{"rc", "wall", "cpu", "maxrss_kib", "stderr"}``: the command's
    wall time, CPU time and peak RSS, and nothing of this process's."""
    with tempfile.NamedTemporaryFile(dir=cwd, prefix=".measure-", suffix=".json", delete=False) as f:
        report_path = Path(f.name)
    try:
        subprocess.run([sys.executable, "-c", _WRAPPER, str(report_path), *cmd], env=env, cwd=cwd, check=True)
        return json.loads(report_path.read_text())
    finally:
        report_path.unlink(missing_ok=True)


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------


def markdown_table(head: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """A Markdown table, columns padded to their width: the first ``left``
    columns aligned left, the others right."""
    lines = [tuple(head), *(tuple(r) for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for k, line in enumerate(lines):
        cells = (c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True)))
        out.append("| " + " | ".join(cells) + " |")
        if k == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            return next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "?"


def machine_info() -> dict:
    """The machine a figure was measured on."""
    try:
        with open("/proc/meminfo") as f:
            ram_gb = round(int(f.readline().split()[1]) / 1024**2, 1)
    except OSError:
        ram_gb = None
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg": load,
    }


# ---------------------------------------------------------------------------
# The development corpus
# ---------------------------------------------------------------------------

CORPUS = REPO.parent / "shared" / "corpora" / "wmt-news-dev"
#: The corpus files by name, and their role: rules are tuned on one, the
#: other is the held-out check.
CORPUS_SETS = {"newstest2018": "tuned on", "newstest2019": "held out"}


def corpus_file(name: str, corpus: Path = CORPUS) -> Path:
    """``newstest2019`` → ``<corpus>/newstest2019-zhen.tsv``."""
    return corpus / f"{name}-zhen.tsv"


def require_corpus(corpus: Path = CORPUS) -> Path:
    """``corpus``, or exit with one line (status 1) when it is not there."""
    if not corpus.is_dir():
        raise SystemExit(
            f"the development corpus is not at {corpus} "
            "(../shared/corpora/wmt-news-dev next to the repository; see its README)"
        )
    return corpus


def read_corpus(name: str, corpus: Path = CORPUS) -> list[tuple[str, str]]:
    """Every line of one corpus file as ``(zh, en)``, split at the first tab
    (``en`` is empty on a line without one): line ``n`` is item ``n - 1``."""
    pairs = []
    with open(corpus_file(name, corpus), encoding="utf-8") as f:
        for line in f:
            zh, _, en = line.rstrip("\n").partition("\t")
            pairs.append((zh, en))
    return pairs
