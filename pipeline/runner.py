"""``pipeline run --jobs N``: whole documents in parallel worker processes.

Each document's work (extract → translate → build) is a pure function of
its source, its catalog and the model, so documents can go to different
processes (or, at archive scale, different machines: see docs/scaling.md).
Every worker loads the MT model once, on its first document that needs
it, and keeps it for the rest. Workers report translated segments through
a queue, so the parent shows one combined progress line. The parent holds
the workspace lock; workers send their stage-cache records back to it.
"""

from __future__ import annotations

import io
import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .build import BuildResult, build
from .cache import StageCache
from .engines.argos import DecodingSettings
from .engines.base import Engine
from .errors import PipelineError
from .extract import ExtractResult, extract
from .translate import FLUSH_SECONDS, MemoryPolicy, TranslateSummary, translate_documents
from .workspace import Workspace

STAGES = ("extract", "translate", "build")


@dataclass(frozen=True)
class RunOptions:
    out_dir: Path
    reviewed_only: bool = False
    retranslate_fuzzy: bool = False
    flush_seconds: float = FLUSH_SECONDS


@dataclass
class DocumentRun:
    """What happened to one document."""

    source: Path
    doc: str = ""
    extracted: ExtractResult | None = None
    translated: TranslateSummary | None = None
    built: BuildResult | None = None
    error: str | None = None  # a PipelineError: reported, the other documents go on
    cache: dict = field(default_factory=dict)


# Per worker process: the engine factory it was started with, the one engine
# it creates (the model is loaded once per worker), the translation-memory
# policy (its memory, too, is loaded once per worker) and the progress queue.
_factory: Callable[[], Engine] | None = None
_engine: Engine | None = None
_memory: MemoryPolicy | None = None
_updates = None
_cache_snapshot: dict | None = None  # the stage cache as the parent read it, once


def _init_worker(factory: Callable[[], Engine], memory: MemoryPolicy | None, updates, cache_snapshot: dict) -> None:
    global _factory, _engine, _memory, _updates, _cache_snapshot
    _factory, _engine, _memory, _updates, _cache_snapshot = factory, None, memory, updates, cache_snapshot


def _worker_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = _factory()
    return _engine


def run_document(ws_root: Path, source: Path, options: RunOptions) -> DocumentRun:
    """Extract, translate and build one document (in a worker)."""
    ws = Workspace(ws_root)
    # This document's records from the parent's snapshot (no file read per
    # document); the records made here go back to the parent.
    snapshot = _cache_snapshot or {}
    view = {"version": snapshot.get("version")}
    for stage in STAGES:
        record = snapshot.get(stage, {}).get(source.stem)
        if record is not None:
            view[stage] = {source.stem: record}
    cache = StageCache(ws.cache_path, view)
    result = DocumentRun(source)
    try:
        result.extracted = extract(ws, source, cache)
        result.doc = result.extracted.doc
        # Without a model, the summary says so (no_model) and the memory's
        # entries are saved: the document is still built.
        result.translated = translate_documents(
            ws, [result.doc], _worker_engine, options.retranslate_fuzzy, stream=io.StringIO(),
            flush_seconds=options.flush_seconds, cache=cache, on_batch=_updates.put if _updates else None,
            memory=_memory,
        )  # fmt: skip
        result.built = build(ws, result.doc, options.out_dir, options.reviewed_only, cache)
    except PipelineError as exc:
        result.error = str(exc)
    doc = result.doc or source.stem
    result.cache = {stage: cache.get(stage, doc) for stage in STAGES if cache.get(stage, doc) is not None}
    return result


def _run_task(task: tuple[Path, Path, RunOptions]) -> DocumentRun:
    return run_document(*task)


def run_parallel(
    ws: Workspace,
    sources: list[Path],
    options: RunOptions,
    jobs: int,
    engine_factory: Callable[[], Engine],
    report: Callable[[str], None],
    memory: MemoryPolicy | None = None,
    progress_every: float = 2.0,
) -> list[DocumentRun]:
    """Run every document in a pool of ``jobs`` processes; results in source order."""
    context = multiprocessing.get_context("fork")  # workers inherit the engine factory
    updates = context.Queue()
    results: dict[Path, DocumentRun] = {}
    counts = {"segments": 0}
    started = time.monotonic()
    stop = threading.Event()

    def line() -> str:
        elapsed = time.monotonic() - started
        rate = counts["segments"] / elapsed if elapsed > 0 else 0.0
        return f"{len(results)}/{len(sources)} documents, {counts['segments']} segments translated, {rate:.1f} seg/s"

    def drain() -> None:
        last = 0.0
        while not stop.is_set():
            try:
                counts["segments"] += updates.get(timeout=0.2)
            except queue.Empty:
                pass
            if time.monotonic() - last >= progress_every:
                report(line())
                last = time.monotonic()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    snapshot = StageCache(ws.cache_path).data
    try:
        with context.Pool(jobs, initializer=_init_worker, initargs=(engine_factory, memory, updates, snapshot)) as pool:
            tasks = [(ws.root, source, options) for source in sources]
            for result in pool.imap_unordered(_run_task, tasks):
                results[result.source] = result
    finally:
        stop.set()
        reader.join()
        while True:  # updates still in flight
            try:
                counts["segments"] += updates.get_nowait()
            except queue.Empty:
                break
    report(line())
    cache = StageCache(ws.cache_path)
    for result in results.values():
        for stage, record in result.cache.items():
            cache.put(stage, result.doc, record)
    cache.save()
    return [results[s] for s in sources]


def worker_settings(settings: DecodingSettings, jobs: int) -> DecodingSettings:
    """Share the CPU threads out between the workers (at least one each)."""
    return replace(settings, threads=max(1, settings.workers // jobs))
