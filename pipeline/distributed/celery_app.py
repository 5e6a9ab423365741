"""The Celery application and its one task: a document's whole job.

A task message names a document, never carries its state: the run id,
the workspace (a path every worker mounts), the source, and the options
of the run. The worker that takes it

1. skips it if the run was cancelled;
2. takes the document's lease in Redis (:class:`.state.Lease`); if another
   worker holds it (a duplicate delivery, a dead worker's lease not yet
   lapsed), the task is retried once the lease could have lapsed, and then
   finds the document done: its stage records say so;
3. calls :func:`pipeline.runner.run_document` with the engine its process
   made once (one CTranslate2 thread per process), behind the global draft
   cache, and the document's own stage records
   (:class:`pipeline.cache.DocumentRecords`);
4. writes the document's records, then its state in the run's record:
   done, or failed with the one-line message of its PipelineError (the
   document's own fault: never retried). One PipelineError is not the
   document's fault: its catalog lock held past the wait
   (``catalog_lock_wait``, 30 s) by another writer, such as a worker
   frozen (SIGSTOP, a stalled VM) while it flushed the same document. The
   document waits and the task is retried ``lease_seconds`` later, up to
   ``catalog_lock_tries`` times in all; then it fails with that line.

Each pool process of ``pipeline worker -c N`` knows its index in the pool
(billiard numbers them 0..N-1, and a process that replaces a dead one
takes its number): its engine is made with
``DecodingSettings.for_process(index)`` of N processes, the rule of
``run --jobs N``, so on CUDA the N processes share the GPUs out instead
of each loading the model on every GPU.

``acks_late`` with ``task_reject_on_worker_lost``: a task whose worker
process dies (SIGKILL, out of memory) goes back to the queue; if the whole
machine dies, the broker delivers it again after the visibility timeout
(``distributed.visibility_timeout``, above the longest document). A task
run twice does no harm: catalogs are only ever updated through the
compare-and-swap of :mod:`pipeline.catalog.store`, which fills only entries
still untranslated, and a document whose records match does nothing.

The broker is reached through :mod:`.transport`: kombu's Redis transport,
save that an acknowledgement Redis never got (Redis restarting as a
document ends) gives the worker's prefetch credit back instead of
leaving the worker deaf.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
from pathlib import Path

from celery import Celery
from celery.signals import worker_process_init

from ..engines.settings import DecodingSettings
from ..runner import WorkerContext
from ..workspace import CATALOG_LOCK_WAIT_SECONDS, catalog_lock_waits
from . import transport
from .state import CacheCounts, CachingEngine, DraftCache, Lease, RunBook, connect, kombu_url, workspace_id

log = logging.getLogger(__name__)

TASK_NAME = "pipeline.document"
QUEUE = "pipeline"
#: How many times in all a worker tries a document whose catalog lock stays
#: held past the wait (``catalog_lock_wait`` of the message, by default the
#: wait of every writer: :data:`pipeline.workspace.CATALOG_LOCK_WAIT_SECONDS`).
CATALOG_LOCK_TRIES = 5


def make_app(broker: str, visibility_timeout: int = 3600) -> Celery:
    """The Celery application on ``broker`` (a Redis URL)."""
    transport.install()  # an acknowledgement Redis never got must not stop the worker
    app = Celery("pipeline", broker=kombu_url(broker), set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a document is ~30 s: no worker hoards them
        task_ignore_result=True,  # results live in the run's record (RunBook)
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=QUEUE,
        broker_transport_options={
            "visibility_timeout": visibility_timeout,
            # Look for tasks of dead workers (unacknowledged past the visibility
            # timeout) every few seconds; kombu's default scans every ~100 s.
            "unacked_restore_interval": max(1, min(10, visibility_timeout // 4)),
            "unacked_restore_throttle": 1,
            # A worker killed while it held the restore mutex blocks restores this long.
            "unacked_mutex_expire": 30,
        },
        broker_connection_retry_on_startup=True,
        # A task running when the broker connection drops can never be
        # acknowledged on the new connection (its channel is gone), and it
        # would keep a pool process busy while the reconnected worker waits:
        # cancel it; its document is left as a re-run finds it (catalog
        # writes are atomic, the history recovers, the stage records skip
        # what was done). Celery 6 makes this the default.
        worker_cancel_long_running_tasks_on_connection_loss=True,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        task_send_sent_event=False,
        worker_enable_remote_control=False,  # no pidbox queues: our run record answers `pipeline jobs`
    )
    app.task(name=TASK_NAME, bind=True, max_retries=None)(document_task)
    return app


class LeaseLost(Exception):
    """Our lease lapsed while the document ran and another worker took it."""


class Cancelled(Exception):
    """The run was cancelled while the document ran."""


class _Retry(Exception):
    """Ask for the task again later, with these keyword arguments."""

    def __init__(self, kwargs: dict):
        super().__init__()
        self.kwargs = kwargs


# --- Per worker process ------------------------------------------------------------------

_client = None
_contexts: dict = {}
#: The pool processes of this worker (``pipeline worker -c N``), inherited by each.
pool_processes = 1


@worker_process_init.connect
def _fresh_process(**_) -> None:
    """A forked pool process starts with no connection and no engine of its own."""
    global _client
    _client = None
    _contexts.clear()
    index, processes = pool_place()
    if processes > 1:
        log.info("pool process %d of %d", index + 1, processes)


def pool_place() -> tuple[int, int]:
    """``(index, processes)``: this pool process's number (from 0) among the
    ``processes`` of its worker's pool (:data:`pool_processes`, set by
    :func:`.worker.run_worker`); ``(0, 1)`` outside a pool."""
    from billiard.process import current_process

    index = getattr(current_process(), "index", None)
    if index is None or pool_processes < 2:
        return 0, 1
    return index % pool_processes, pool_processes


def process_settings(settings: DecodingSettings, index: int, processes: int) -> DecodingSettings:
    """``settings`` for pool process ``index`` of ``processes``: one
    CTranslate2 thread, and its share of the GPUs by the rule of
    ``run --jobs`` (:meth:`DecodingSettings.for_process`)."""
    return dataclasses.replace(settings, threads=1, processes=processes).for_process(index)


def _redis(app: Celery):
    global _client
    if _client is None:
        _client = connect(app.conf.broker_url)
    return _client


def _context(ws_root: Path, message: dict, client, place: tuple[int, int]) -> tuple[WorkerContext, CacheCounts]:
    """This process's WorkerContext for the workspace and options, and what
    its draft cache did: made once, so the engine (and its model) and the
    memory load once per process. ``place``: :func:`pool_place`."""
    from ..config import load_config
    from ..engines import EngineRequest, engine_maker
    from ..runner import TranslateOptions, _engine_factory, _memory_policy
    from ..workspace import Workspace

    ws = Workspace(ws_root)
    known = {f.name for f in dataclasses.fields(DecodingSettings)}
    settings = DecodingSettings(**{k: v for k, v in message["settings"].items() if k in known})
    settings = process_settings(settings, *place)  # one CTranslate2 thread, this process's GPUs
    glossary = ws.glossary
    try:
        terms_seen = glossary.stat().st_mtime_ns
    except FileNotFoundError:
        terms_seen = None
    key = (str(ws_root), repr(settings), repr(message["translate"]), repr(message["engine"]), terms_seen)
    if key in _contexts:
        return _contexts[key]
    config = load_config(ws.root)
    engine = message["engine"]
    name = engine.get("name") or config["engine.name"]
    request = EngineRequest(
        settings,
        model=engine.get("model") or config["engine.model"],
        device=engine.get("device") or config["engine.device"],
        config=config,
        options=engine.get("options") or {},
        workspace=ws.root,
    )
    maker = engine_maker(name, request)
    counts = CacheCounts()
    if message.get("draft_cache", True):
        drafts = DraftCache(client)

        def make(s):
            return CachingEngine(maker(s), drafts, counts)
    else:
        make = maker
    translate = message["translate"]
    options = TranslateOptions(
        settings,
        use_memory=translate["use_memory"],
        accept_exact=translate["accept_exact"],
        tm_threshold=translate["tm_threshold"],
    )
    context = WorkerContext(_engine_factory(ws, make, settings), _memory_policy(ws, options))
    _contexts.clear()  # one workspace's engine at a time per process
    _contexts[key] = context, counts
    return context, counts


def document_task(self, run: str, workspace: str, source: str, options: dict, **message) -> str:
    """One document's whole job (see the module docstring); returns what became of it.

    Redis out of reach (stalled past the client's timeouts, restarting,
    loading its data) is neither the document's fault nor a bug: the
    message goes back to the queue, where Redis still holds it, and the
    document runs again from what it saved (the lease, if it could not be
    released, lapses first)."""
    from celery.exceptions import Reject
    from redis.exceptions import ConnectionError, TimeoutError

    try:
        return _document(self, run, workspace, source, options, **message)
    except (ConnectionError, TimeoutError) as exc:
        log.warning("%s: Redis out of reach (%s); the task goes back to the queue", Path(source).stem, exc)
        raise Reject(exc, requeue=True) from None


def _document(self, run: str, workspace: str, source: str, options: dict, **message) -> str:
    from redis.exceptions import ConnectionError, TimeoutError

    from ..cache import DocumentRecords
    from ..runner import DocumentOptions, run_document
    from ..workspace import Workspace

    client = _redis(self.app)
    book = RunBook(client, run)
    retry_kwargs = None  # the same message, unless said otherwise
    ws_root, path = Path(workspace), Path(source)
    doc = path.stem
    if book.cancelled():
        book.set_state(doc, "cancelled")
        return "cancelled"
    lease_seconds = float(message.get("lease_seconds", 60.0))
    lease = Lease(client, f"pipeline:ws:{workspace_id(ws_root)}:lease:{doc}", lease_seconds)
    if not lease.acquire():
        book.set_state(doc, "waiting")
        log.info("%s: another worker holds its lease; trying again in %.0fs", doc, lease_seconds)
        raise self.retry(countdown=lease_seconds)
    book.set_state(doc, "running", where=f"{socket.gethostname()}:{os.getpid()}")
    lease.keep_renewed()
    try:
        context, counts = _context(ws_root, message, client, pool_place())
        hits, decoded = counts.hits, counts.decoded

        def on_batch(n: int) -> None:
            book.add_segments(n)
            if lease.lost.is_set():
                raise LeaseLost(doc)
            if book.cancelled():
                raise Cancelled(doc)

        context.on_batch = on_batch
        records = DocumentRecords.beside(Workspace(ws_root).cache_path)
        fields = {**options, "out_dir": Path(options["out_dir"])}
        result = None
        try:
            seen = records.load(doc)
            with catalog_lock_waits(float(message.get("catalog_lock_wait", CATALOG_LOCK_WAIT_SECONDS))):
                result = run_document(ws_root, path, DocumentOptions(**fields), context, seen)
        except LeaseLost:
            pass
        except Cancelled:
            book.set_state(doc, "cancelled")
            return "cancelled"
        finally:
            book.add_counts(counts.hits - hits, counts.decoded - decoded)
        if result is not None and not lease.lost.is_set():
            if result.cache and result.cache != seen:  # a document found done writes nothing
                records.save(doc, result.cache)
            if result.error:
                tries = int(message.get("catalog_lock_tries", CATALOG_LOCK_TRIES))
                tried = int(message.get("catalog_lock_tried", 0)) + 1
                if result.lock_busy and tried < tries:
                    # Another writer holds the catalog (a frozen worker): not the document's fault.
                    book.set_state(doc, "waiting")
                    log.warning("%s; trying again in %.0fs (%d of %d)", result.error, lease_seconds, tried + 1, tries)
                    retry = {**self.request.kwargs, "catalog_lock_tried": tried}
                    raise _Retry(retry)
                book.fail(doc, result.error)
                return "failed"
            book.finish(doc, summary_of(result))
            return "done"
        # Our lease lapsed (this process was paused past it) and another worker
        # took the document: stop, and ask again once that one could be done
        # (then the records say the document is done, or the lease is free).
        log.warning("%s: its lease lapsed and another worker took it; trying again in %.0fs", doc, lease_seconds)
        book.set_state(doc, "waiting")
    except (ConnectionError, TimeoutError):
        raise  # Redis out of reach: the task goes back to the queue (document_task)
    except _Retry as again:
        retry_kwargs = again.kwargs
    except Exception as exc:  # a bug: the document is failed with one line, the worker goes on
        try:
            book.fail(doc, f"{type(exc).__name__}: {' '.join(str(exc).split())}")
        except Exception:
            pass
        raise
    finally:
        try:
            lease.release()
        except Exception:  # Redis gone: the lease lapses by itself
            pass
    raise self.retry(countdown=lease_seconds, kwargs=retry_kwargs)


def summary_of(result) -> dict:
    """What the submitter needs to report a finished document."""
    summary = {
        "doc": result.doc,
        "coverage": dataclasses.asdict(result.built.coverage),
        "paths": [os.fspath(p) for p in result.built.paths],
        "skipped": result.built.skipped,
    }
    if result.translated is not None:
        summary["translated"] = {
            "entries": result.translated.entries,
            "segments": result.translated.segments,
            "no_model": result.translated.no_model,
            "need_model": result.translated.need_model,
        }
    return summary
