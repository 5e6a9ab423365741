"""Executors: where :func:`pipeline.runner.run_document` runs.

An executor takes documents (:meth:`Executor.submit`, one future per
document, resolved to its :class:`~pipeline.runner.DocumentRun`), tells
how far the run is (:meth:`Executor.progress`) and can be cancelled
(:meth:`Executor.cancel`). The runner drives any executor the same way:
submit every document, print one progress line over the whole run while
the futures resolve, then report the documents in source order.

Two implementations:

- :class:`LocalPool`, ``pipeline run --jobs N``: a pool of N forked
  processes on this machine, each loading the engine once, on its first
  document that needs it. The parent holds the workspace lock and keeps
  the stage cache: workers get its snapshot and send their records back.
- :class:`~pipeline.distributed.celery_executor.CeleryExecutor`,
  ``pipeline run --executor celery``: one Celery task per document, run
  by ``pipeline worker`` processes on any machine that mounts the
  workspace; the state they share lives in Redis.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import queue
import signal
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PipelineError

if TYPE_CHECKING:
    from ..engines.base import Engine
    from ..runner import DocumentOptions, DocumentRun
    from ..translate import MemoryPolicy


@dataclass
class RunProgress:
    """How far a run is: documents finished (done or failed), of ``total``,
    and segments translated so far; ``hint``: a line for the user when the
    run seems stuck (the runner shows it once)."""

    finished: int = 0
    total: int = 0
    segments: int = 0
    hint: str | None = None


class Executor(ABC):
    """Runs documents somewhere; see the module docstring."""

    #: Whether the runner merges the stage-cache records that come back in
    #: each DocumentRun (the local pool), or the workers keep their own
    #: per-document records (a distributed executor).
    returns_records = True
    #: How many worker processes run documents (for the report).
    jobs = 1

    @abstractmethod
    def submit(self, source: Path) -> Future:
        """Run ``source``'s whole job; the future resolves to its DocumentRun."""

    @abstractmethod
    def progress(self) -> RunProgress:
        """How far the documents submitted so far are."""

    @abstractmethod
    def cancel(self) -> None:
        """Run no document that has not started; the futures of those are cancelled."""

    @abstractmethod
    def close(self) -> None:
        """Wait for what was submitted, then release what the executor holds."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc_info) -> None:
        if exc_info[0] is not None:
            self.cancel()
        self.close()


# --- The local pool -----------------------------------------------------------------------

#: The one line of a local run whose worker process died.
WORKER_DIED = (
    "a worker process died (killed, out of memory, or a crash in the engine); "
    "the documents finished so far are kept: run the command again to do the rest"
)

# Per worker process of the local pool: what it keeps between documents,
# and the stage cache as the parent read it (once).
_context = None
_snapshot: dict | None = None


#: Linux's prctl option: a signal for this process when its parent dies.
_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """End this worker process when ``parent`` dies: a parent killed by
    SIGTERM or SIGKILL runs no cleanup, and its workers would wait on the
    pool's queue forever. The kernel tells the worker (Linux); elsewhere a
    thread watches the parent."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        prctl = None
    if prctl is not None and prctl(_PR_SET_PDEATHSIG, signal.SIGTERM) == 0:
        if os.getppid() != parent:  # it died before the kernel was told
            os._exit(1)
        return

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _init_worker(
    factory: Callable[[], Engine], memory: MemoryPolicy | None, updates, snapshot: dict, parent: int
) -> None:
    from ..runner import WorkerContext

    # Ctrl-C reaches the whole process group: the parent stops the run
    # (cancel() ends its workers), each worker does not stop on its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked by the parent for the fork
    _die_with(parent)
    global _context, _snapshot
    _context = WorkerContext(factory, memory, updates.put)
    _snapshot = snapshot


def _records(doc: str) -> dict:
    """``doc``'s records in the parent's snapshot (no file read per document)."""
    from ..cache import STAGES

    snapshot = _snapshot or {}
    return {stage: snapshot[stage][doc] for stage in STAGES if doc in snapshot.get(stage, {})}


def _run_task(task: tuple[Path, Path, DocumentOptions]) -> DocumentRun:
    from ..runner import run_document

    ws_root, source, options = task
    return run_document(ws_root, source, options, _context, _records(source.stem))


def _nothing() -> None:
    """The task that starts the pool's processes (see LocalPool.__init__)."""


class LocalPool(Executor):
    """``jobs`` forked processes on this machine (``pipeline run --jobs``).

    A worker process that dies (SIGKILL, the out-of-memory killer, a crash
    in native code) fails the run with one line, :data:`WORKER_DIED`, and
    never hangs it: the documents finished so far are kept, and running the
    command again does the rest. Ctrl-C stops the run here and ends the
    workers (they ignore it themselves); a worker ends when this process
    dies, however it dies. Objects this process holds when it forks are
    frozen out of the children's garbage collector: a CTranslate2 model left
    over here, collected in a child that has none of its threads, would
    abort the child."""

    def __init__(
        self,
        ws_root: Path,
        options: DocumentOptions,
        jobs: int,
        engine_factory: Callable[[], Engine],
        memory: MemoryPolicy | None,
        cache_snapshot: dict,
    ):
        self.ws_root = ws_root
        self.options = options
        self.jobs = jobs
        context = multiprocessing.get_context("fork")  # workers inherit the engine factory
        self._updates = context.Queue()
        self._pool = ProcessPoolExecutor(
            jobs,
            mp_context=context,
            initializer=_init_worker,
            initargs=(engine_factory, memory, self._updates, cache_snapshot, os.getpid()),
        )
        # The processes fork now, all of them (a pool on fork starts every
        # process on its first task, and never another): from a frozen
        # heap, so each child keeps this state out of its collector (see the
        # class docstring), and with SIGINT blocked until _init_worker
        # ignores it. The freeze is this process's only until they forked.
        gc.collect()
        gc.freeze()
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self._pool.submit(_nothing)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            gc.unfreeze()
        self._processes = list(self._pool._processes.values())
        self._manager = self._pool._executor_manager_thread
        self._lock = threading.Lock()
        self._progress = RunProgress()
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while not self._stop.is_set():
            try:
                n = self._updates.get(timeout=0.2)
            except queue.Empty:
                continue
            with self._lock:
                self._progress.segments += n

    def submit(self, source: Path) -> Future:
        future: Future = Future()
        future.set_running_or_notify_cancel()

        def settle(task: Future) -> None:
            with self._lock:
                self._progress.finished += 1
            if task.cancelled():
                future.set_exception(RuntimeError("cancelled"))
            elif isinstance(task.exception(), BrokenProcessPool):
                future.set_exception(PipelineError(WORKER_DIED))
            elif task.exception() is not None:
                future.set_exception(task.exception())
            else:
                future.set_result(task.result())

        self._pool.submit(_run_task, (self.ws_root, source, self.options)).add_done_callback(settle)
        with self._lock:
            self._progress.total += 1
        return future

    def progress(self) -> RunProgress:
        with self._lock:
            return RunProgress(self._progress.finished, self._progress.total, self._progress.segments)

    def cancel(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        # Documents already running stop now (ProcessPoolExecutor has no
        # terminate(), and its shutdown forgets its processes: ours were
        # kept when they started). A catalog is saved atomically.
        for process in self._processes:
            if process.is_alive():
                process.terminate()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for process in self._processes:
            process.join()
        if self._manager is not None:  # cancel()'s shutdown(wait=False) left it to finish
            self._manager.join()
        self._stop.set()
        self._reader.join()
        while True:  # updates still in flight
            try:
                self._progress.segments += self._updates.get_nowait()
            except queue.Empty:
                break
