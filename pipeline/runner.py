"""Running the stages for one command: extract → translate → build.

:func:`run` is ``pipeline run``. With one worker it runs the stages in
turn over all documents: the engine gets every document's pending
segments in one call, so it batches across documents and translates a
sentence shared by several documents once. With ``jobs`` workers, whole
documents go to worker processes: each document's work is a pure function
of its source, its catalog and the model, so documents can go to
different processes (or, at archive scale, different machines: see
docs/scaling.md). Every worker loads the MT model once, on its first
document that needs it, and keeps it for the rest. Workers report
translated segments through a queue, so the parent shows one combined
progress line. The parent holds the workspace lock; workers send their
stage-cache records back to it.

:func:`run_document` is a document's whole job, wherever it runs: an
executor (:mod:`pipeline.distributed.executor`) takes documents and
resolves each to its :class:`DocumentRun`; :func:`run_on` drives any
executor. The local pool is one; Celery workers on Redis
(``run --executor celery``, :func:`run_distributed`) are the other.

:func:`extract_documents`, :func:`translate` and :func:`build_documents`
are the stages on their own (``pipeline extract``, ``translate``,
``build``). Each command opens the stage cache once and saves it once.
What happens is told to a :class:`Report` as it happens; the CLI prints it.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from concurrent.futures import wait
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .build import BuildResult, build, require_approved, require_coverage
from .cache import STAGES, StageCache
from .engines import default_engine
from .engines.base import Engine
from .engines.settings import DecodingSettings
from .errors import NoModelError, PipelineError
from .extract import ExtractResult, extract
from .terms import Termbase, load_termbase
from .terms.protect import ProtectingEngine
from .tm import TranslationMemory, load_memory
from .translate import FLUSH_SECONDS, MemoryPolicy, TranslateSummary, translate_documents
from .workspace import CatalogLockBusy, Workspace

#: Makes the machine translation engine for some decoding settings (tests
#: substitute a fake one).
EngineMaker = Callable[[DecodingSettings], Engine]


@dataclass(frozen=True)
class TranslateOptions:
    """The translate stage's options (``pipeline translate`` and ``run``)."""

    settings: DecodingSettings = field(default_factory=DecodingSettings)
    retranslate_fuzzy: bool = False
    use_memory: bool = True
    accept_exact: bool = False
    tm_threshold: int = 75  # percent: fuzzy memory matches at or above it become suggestions
    flush_seconds: float = FLUSH_SECONDS
    require_model: bool = False  # entries left for a missing model are an error


@dataclass(frozen=True)
class BuildOptions:
    """The build stage's options (``pipeline build`` and ``run``)."""

    out_dir: Path | None = None  # None: the workspace's build/
    reviewed_only: bool = False
    min_coverage: float | None = None  # percent
    approved_only: bool = False  # only approved translations in the editions (``build``)
    min_approved: float | None = None  # percent of segments approved (``build``)


class Report:
    """What a command hears as its stages go; the CLI prints it. Every
    method here does nothing, for callers that want silence."""

    def extracted(self, result: ExtractResult) -> None:
        """A document was extracted, or found unchanged."""

    def engine_made(self, engine: Engine) -> None:
        """The translate stage made its engine (the model loads next)."""

    def translated(self, summary: TranslateSummary) -> None:
        """The translate stage is done."""

    def built(self, result: BuildResult, out_dir: Path) -> None:
        """A document's editions were written to ``out_dir``."""

    def started(self, documents: int, jobs: int, settings: DecodingSettings) -> None:
        """A run on ``jobs`` workers began; ``settings`` are each worker's."""

    def progress(self, line: str) -> None:
        """How far a run on several workers is."""

    def finished(self, result: DocumentRun) -> None:
        """A document of a run on several workers is done (in source order)."""


@dataclass
class DocumentRun:
    """What happened to one document in a worker."""

    source: Path
    doc: str = ""
    extracted: ExtractResult | None = None
    translated: TranslateSummary | None = None
    built: BuildResult | None = None
    error: str | None = None  # a PipelineError: reported, the other documents go on
    #: The error is another writer holding the catalog's lock (CatalogLockBusy):
    #: not the document's fault; the same run may succeed later.
    lock_busy: bool = False
    cache: dict = field(default_factory=dict)


# --- The stages ----------------------------------------------------------------------


def source_paths(ws: Workspace, sources: tuple[Path, ...] | list[Path]) -> list[Path]:
    """``sources``, or the workspace's seeds; refused when there are none or
    two would share a catalog."""
    paths = list(sources) or ws.default_sources()
    if not paths:
        raise PipelineError(f"no source documents in {ws.seeds}")
    seen: dict[str, Path] = {}
    for path in paths:
        if path.stem in seen and seen[path.stem] != path:
            raise PipelineError(f"{path} and {seen[path.stem]} would share the catalog '{path.stem}'; rename one")
        seen[path.stem] = path
    return paths


def extract_documents(
    ws: Workspace,
    sources: tuple[Path, ...] | list[Path],
    report: Report,
    repair: bool | None = None,
    explain: bool = False,
) -> list[str]:
    """Extract ``sources`` (default: the seeds); the names of their documents."""
    with StageCache(ws.cache_path) as cache:
        return _extract(ws, sources, cache, report, load_termbase(ws.glossary, inside=ws.root), repair, explain)


def translate(
    ws: Workspace, docs: list[str], options: TranslateOptions, report: Report, make_engine: EngineMaker | None = None
) -> TranslateSummary:
    """Fill the pending entries of ``docs``: translation memory, then the
    engine ``make_engine`` makes (default: :func:`.engines.default_engine`)."""
    with StageCache(ws.cache_path) as cache:
        return _translate(ws, docs, options, cache, report, _engine_factory(ws, make_engine, options.settings, report))


def build_documents(ws: Workspace, docs: list[str], options: BuildOptions, report: Report) -> list[BuildResult]:
    """Write the editions of ``docs``; then refuse a coverage below ``options.min_coverage``."""
    with StageCache(ws.cache_path) as cache:
        return _build(ws, docs, options, cache, report)


def run(
    ws: Workspace,
    sources: tuple[Path, ...] | list[Path],
    translating: TranslateOptions,
    building: BuildOptions,
    report: Report,
    jobs: int = 1,
    make_engine: EngineMaker | None = None,
) -> list[BuildResult]:
    """Extract, translate and build ``sources`` (default: the seeds), on
    ``jobs`` workers. Without a model, what the translation memory filled
    is saved and the editions are built all the same."""
    with StageCache(ws.cache_path) as cache:
        if jobs > 1:
            return _run_parallel(ws, sources, translating, building, report, jobs, make_engine, cache)
        termbase = load_termbase(ws.glossary, inside=ws.root)
        docs = _extract(ws, sources, cache, report, termbase)
        engine_factory = _engine_factory(ws, make_engine, translating.settings, report, termbase)
        _translate(ws, docs, translating, cache, report, engine_factory)
        return _build(ws, docs, building, cache, report)


def _extract(
    ws: Workspace,
    sources: tuple[Path, ...] | list[Path],
    cache: StageCache,
    report: Report,
    termbase: Termbase,
    repair: bool | None = None,
    explain: bool = False,
) -> list[str]:
    docs = []
    for path in source_paths(ws, sources):
        # --explain segments every document, changed or not.
        result = extract(ws, path, None if explain else cache, termbase, repair=repair)
        report.extracted(result)
        docs.append(result.doc)
    return docs


def _engine_factory(
    ws: Workspace,
    make_engine: EngineMaker | None,
    settings: DecodingSettings,
    report: Report | None = None,
    termbase: Termbase | None = None,
) -> Callable[[], Engine]:
    """A function that makes the engine: the MT engine, with the workspace's
    termbase protecting its terms."""
    terms = termbase if termbase is not None else load_termbase(ws.glossary, inside=ws.root)
    make_engine = make_engine or default_engine

    def make() -> Engine:
        engine = make_engine(settings)
        engine = with_termbase(engine, terms)
        if report is not None:
            report.engine_made(engine)
        return engine

    return make


def with_termbase(engine: Engine, terms: Termbase) -> Engine:
    """``engine`` with the workspace's termbase: given to the engine when it
    follows one itself (:meth:`Engine.follow_termbase`), else its terms
    protected by placeholders around it. Inline tags (``<1>``, ``<2/>``) are
    protected the same way, with or without a termbase; an engine that
    follows a termbase itself keeps them itself (the ``openai`` engine
    refuses an answer that loses or repeats one)."""
    if engine.follow_termbase(terms):
        return engine
    return ProtectingEngine(engine, terms)


def _memory_policy(ws: Workspace, options: TranslateOptions) -> MemoryPolicy | None:
    """The translation memory, loaded at most once per process, on first need."""
    if not options.use_memory:
        return None
    loaded: list[TranslationMemory] = []

    def load() -> TranslationMemory:
        if not loaded:
            loaded.append(load_memory(ws))
        return loaded[0]

    return MemoryPolicy(load, options.accept_exact, options.tm_threshold / 100)


def _translate(
    ws: Workspace,
    docs: list[str],
    options: TranslateOptions,
    cache: StageCache,
    report: Report,
    engine_factory: Callable[[], Engine],
) -> TranslateSummary:
    summary = translate_documents(
        ws,
        docs,
        engine_factory,
        options.retranslate_fuzzy,
        flush_seconds=options.flush_seconds,
        cache=cache,
        memory=_memory_policy(ws, options),
    )
    report.translated(summary)
    if summary.no_model and options.require_model:
        raise NoModelError(
            f"{summary.need_model} entries left untranslated (--require-model); the "
            f"{summary.entries} entries filled from the translation memory are saved"
        )
    return summary


def _build(
    ws: Workspace, docs: list[str], options: BuildOptions, cache: StageCache, report: Report
) -> list[BuildResult]:
    out_dir = options.out_dir or ws.default_build
    results = [build(ws, doc, out_dir, options.reviewed_only, cache, options.approved_only) for doc in docs]
    for result in results:
        report.built(result, out_dir)
    require_coverage(results, options.min_coverage)
    require_approved(results, options.min_approved)
    return results


# --- Whole documents in worker processes ------------------------------------------------


@dataclass(frozen=True)
class DocumentOptions:
    """What :func:`run_document` needs besides the document (it travels to
    worker processes, and in Celery task messages)."""

    out_dir: Path
    reviewed_only: bool
    retranslate_fuzzy: bool
    flush_seconds: float


@dataclass
class WorkerContext:
    """What a worker process keeps from one document to the next: the
    engine factory (the engine is made once per process, on first need,
    so the model loads once), the translation-memory policy (its memory,
    too, loads once per process) and whom to tell about finished batches."""

    factory: Callable[[], Engine]
    memory: MemoryPolicy | None = None
    on_batch: Callable[[int], None] | None = None
    _engine: Engine | None = field(default=None, repr=False)

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self.factory()
        return self._engine


def run_document(
    ws_root: Path, source: Path, options: DocumentOptions, context: WorkerContext, records: dict | None = None
) -> DocumentRun:
    """Extract, translate and build one document: its whole job, wherever it
    runs (a local pool process, a Celery worker). ``records`` are its
    stage-cache records (``{stage: record}``); the records made here come
    back in the DocumentRun instead of being written."""
    ws = Workspace(ws_root)
    view = {"version": __version__}
    for stage, record in (records or {}).items():
        view[stage] = {source.stem: record}
    cache = StageCache(ws.cache_path, view)
    result = DocumentRun(source)
    try:
        result.extracted = extract(ws, source, cache)
        result.doc = result.extracted.doc
        # Without a model, the summary says so (no_model) and the memory's
        # entries are saved: the document is still built.
        result.translated = translate_documents(
            ws,
            [result.doc],
            context.engine,
            options.retranslate_fuzzy,
            stream=io.StringIO(),
            flush_seconds=options.flush_seconds,
            cache=cache,
            on_batch=context.on_batch,
            memory=context.memory,
        )
        result.built = build(ws, result.doc, options.out_dir, options.reviewed_only, cache)
    except PipelineError as exc:
        result.error = str(exc)
        result.lock_busy = isinstance(exc, CatalogLockBusy)
    doc = result.doc or source.stem
    result.cache = {stage: cache.get(stage, doc) for stage in STAGES if cache.get(stage, doc) is not None}
    return result


def _run_parallel(
    ws: Workspace,
    sources: tuple[Path, ...] | list[Path],
    translating: TranslateOptions,
    building: BuildOptions,
    report: Report,
    jobs: int,
    make_engine: EngineMaker | None,
    cache: StageCache,
) -> list[BuildResult]:
    """Every document in a local pool of ``jobs`` processes."""
    from .distributed.executor import LocalPool

    paths = source_paths(ws, sources)
    jobs = max(1, min(jobs, len(paths)))  # no idle process holding a share of the threads
    settings = translating.settings.shared_by(jobs)
    engine_factory = _engine_factory(ws, _numbered(make_engine or default_engine), settings)
    report.started(len(paths), jobs, settings)
    memory = _memory_policy(ws, translating)
    executor = LocalPool(ws.root, document_options(ws, translating, building), jobs, engine_factory, memory, cache.data)
    return run_on(executor, paths, building, report, cache)


def _numbered(make_engine: EngineMaker) -> EngineMaker:
    """``make_engine`` for the processes of a local pool, each told its
    number (:meth:`DecodingSettings.for_process`), so that on CUDA each
    takes its own share of the GPUs. A process takes the next number from a
    counter in shared memory (the forked workers inherit it) when it first
    makes its engine, and keeps it."""
    import multiprocessing

    counter = multiprocessing.get_context("fork").Value("i", 0)
    taken: list[int] = []  # this process's number, once taken (each worker has its own copy)

    def make(settings: DecodingSettings) -> Engine:
        if not taken:
            with counter.get_lock():
                taken.append(counter.value)
                counter.value += 1
        return make_engine(settings.for_process(taken[0]))

    return make


def document_options(ws: Workspace, translating: TranslateOptions, building: BuildOptions) -> DocumentOptions:
    out_dir = building.out_dir or ws.default_build
    return DocumentOptions(out_dir, building.reviewed_only, translating.retranslate_fuzzy, translating.flush_seconds)


def run_on(
    executor,
    paths: list[Path],
    building: BuildOptions,
    report: Report,
    cache: StageCache | None = None,
    progress_every: float = 2.0,
) -> list[BuildResult]:
    """Run every document of ``paths`` on ``executor``
    (:class:`pipeline.distributed.executor.Executor`), with one progress
    line over the whole run; report them in source order. A document that
    fails does not stop the others; the errors are raised at the end, after
    every document was reported. ``cache`` receives the records that come
    back (the local pool; distributed workers keep their own)."""
    started = time.monotonic()

    def line() -> str:
        progress = executor.progress()
        elapsed = time.monotonic() - started
        rate = progress.segments / elapsed if elapsed > 0 else 0.0
        return f"{progress.finished}/{len(paths)} documents, {progress.segments} segments translated, {rate:.1f} seg/s"

    results: dict[Path, DocumentRun] = {}
    failure: PipelineError | None = None  # the executor's own (a worker process died): raised at the end
    with executor:
        futures = {executor.submit(source): source for source in paths}
        pending = set(futures)
        last = time.monotonic()
        hinted = False
        while pending:
            done, pending = wait(pending, timeout=0.2)
            for future in done:
                try:
                    results[futures[future]] = future.result()
                except PipelineError as exc:
                    failure = failure or exc
            hint = executor.progress().hint
            if hint and not hinted:
                report.progress(hint)
                hinted = True
            if time.monotonic() - last >= progress_every:
                report.progress(line())
                last = time.monotonic()
    report.progress(line())
    if cache is not None and executor.returns_records:
        for result in results.values():
            for stage, record in result.cache.items():
                cache.put(stage, result.doc, record)

    errors, built = [], []
    for result in (results[path] for path in paths if path in results):
        if result.error:
            errors.append(result.error)
            continue
        report.finished(result)
        built.append(result.built)
    if failure is not None:  # the documents that finished are reported and their records kept
        raise failure
    if errors:
        raise PipelineError(errors[0] + (f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""))
    require_coverage(built, building.min_coverage)
    return built


# --- Documents on a distributed executor (Celery workers) ----------------------------


def run_distributed(
    ws: Workspace,
    sources: tuple[Path, ...] | list[Path],
    building: BuildOptions,
    report: Report,
    executor,
) -> list[BuildResult]:
    """``pipeline run --executor celery``: every document as a task for the
    workers, followed to the end, reported as a local run is. No workspace
    lock: each document's lease stands in for it; the workers keep one
    stage record per document."""
    paths = _distributed_paths(ws, sources)
    return run_on(executor, paths, building, report)


def submit(ws: Workspace, sources: tuple[Path, ...] | list[Path], executor) -> int:
    """``pipeline run --executor celery --detach``: submit every document
    and return without waiting; how many were submitted."""
    paths = _distributed_paths(ws, sources)
    try:
        for path in paths:
            executor.submit(path)
    finally:
        executor.detach()
        executor.close()
    return len(paths)


def _distributed_paths(ws: Workspace, sources: tuple[Path, ...] | list[Path]) -> list[Path]:
    """The sources, with the records the single stage-cache file holds for
    them migrated to per-document records (once, on the first distributed run)."""
    from .cache import DocumentRecords

    paths = source_paths(ws, sources)
    records = DocumentRecords.beside(ws.cache_path)
    if ws.cache_path.exists():
        records.migrate(StageCache(ws.cache_path), [path.stem for path in paths])
    return paths
