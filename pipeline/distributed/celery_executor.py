"""``pipeline run --executor celery``: one Celery task per document.

The submitter does not hold the workspace lock (each document's lease in
Redis stands in for it, :mod:`.celery_app`) and keeps no stage cache: the
workers write one record per document. It records the run in Redis
(:class:`.state.RunBook`), sends one task per document (noting each
until the broker has it: a submitter killed in between leaves a run
``pipeline jobs`` calls abandoned), and, unless it
detaches, follows the run's record to resolve each document's future,
with one progress line over the whole run. If Redis goes away, the
submitter waits for it to come back; if it comes back without the run's
record (restarted without persistence: its queue is gone too), the
submitter stops with one line saying to run the command again, which
finishes the rest (the stage records skip what is done).
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from concurrent.futures import Future
from pathlib import Path

from ..editions import Coverage
from .executor import Executor, RunProgress
from .state import BrokerError, RunBook, connect, mask_url

#: How long the submitter waits for a Redis that went away.
RECONNECT_SECONDS = 30.0
#: After this long with no document of the run taken, the submitter says
#: that no worker seems to be listening (once).
IDLE_HINT_SECONDS = 30.0
#: kombu's Redis hash of the messages delivered to workers and not yet
#: acknowledged: tasks running, or reserved by a worker that runs another.
UNACKED = "unacked"


class CeleryExecutor(Executor):
    """Documents as Celery tasks on the broker at ``broker``."""

    returns_records = False

    def __init__(
        self,
        ws_root: Path,
        broker: str,
        options,
        settings,
        translate: dict,
        engine: dict | None = None,
        lease_seconds: float = 60.0,
        draft_cache: bool = True,
        visibility_timeout: int = 3600,
        poll_seconds: float = 0.25,
        idle_hint_seconds: float = IDLE_HINT_SECONDS,
    ):
        from .celery_app import make_app

        self.ws_root = Path(os.path.abspath(ws_root))
        self.broker = broker
        self.client = connect(broker)  # one clear line if Redis cannot be reached
        self.app = make_app(broker, visibility_timeout)
        self.message = {
            "options": {**dataclasses.asdict(options), "out_dir": os.path.abspath(options.out_dir)},
            "settings": dataclasses.asdict(settings),
            "translate": translate,
            "engine": engine or {},
            "lease_seconds": lease_seconds,
            "draft_cache": draft_cache,
        }
        try:
            self.book = RunBook.create(self.client, self.ws_root, [])
        except Exception as exc:
            raise BrokerError(f"cannot record the run on the broker at {mask_url(broker)}: {_line(exc)}") from None
        self.poll_seconds = poll_seconds
        self.idle_hint_seconds = idle_hint_seconds
        self._first_submitted: float | None = None
        self._taken = False  # has a worker taken any document of the run?
        self._in_hand = 0  # tasks the workers hold (running or reserved) while none of ours is taken
        self._futures: dict[str, tuple[Path, Future]] = {}
        self._progress = RunProgress()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None

    @property
    def run_id(self) -> str:
        return self.book.run_id

    @property
    def masked_broker(self) -> str:
        return mask_url(self.broker)

    def submit(self, source: Path) -> Future:
        from kombu.exceptions import OperationalError
        from redis import RedisError

        from .celery_app import QUEUE, TASK_NAME

        doc = source.stem
        try:
            self.book.sending(doc)
            self.app.send_task(
                TASK_NAME,
                kwargs={
                    "run": self.book.run_id,
                    "workspace": str(self.ws_root),
                    "source": os.path.abspath(source),
                    **self.message,
                },
                task_id=f"{self.book.run_id}:{doc}",
                queue=QUEUE,
                retry=True,
                retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 2},
            )
            self.book.sent(doc)
        except (OperationalError, RedisError, OSError) as exc:
            raise BrokerError(f"cannot submit {doc} to the broker at {mask_url(self.broker)}: {_line(exc)}") from None
        future: Future = Future()
        future.set_running_or_notify_cancel()
        with self._lock:
            self._futures[doc] = (source, future)
            self._progress.total += 1
            if self._first_submitted is None:
                self._first_submitted = time.monotonic()
        if self._poller is None:
            self._poller = threading.Thread(target=self._poll, name="run record", daemon=True)
            self._poller.start()
        return future

    def progress(self) -> RunProgress:
        with self._lock:
            hint = None
            idle = time.monotonic() - self._first_submitted if self._first_submitted is not None else 0.0
            if not self._taken and idle >= self.idle_hint_seconds:
                hint = f"no worker has taken a document of this run for {idle:.0f}s; " + (
                    f"the workers hold {self._in_hand} unfinished task(s) (other runs: `pipeline jobs`), "
                    "and this run's documents wait in the queue behind them"
                    if self._in_hand
                    else f"is one running on the broker at {self.masked_broker}? start one with `pipeline worker`"
                )
            return RunProgress(self._progress.finished, self._progress.total, self._progress.segments, hint)

    def cancel(self) -> None:
        try:
            self.book.cancel()
        except Exception:  # Redis gone: nothing more can be told to the workers
            pass
        self._stop.set()

    def detach(self) -> str:
        """Leave the documents to the workers; the run's id, for ``pipeline jobs``."""
        self._stop.set()
        return self.run_id

    def close(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.join()
        self.app.close()
        self.client.close()

    # --- Following the run's record ------------------------------------------------------

    def _poll(self) -> None:
        from redis import RedisError

        lost_since = None
        while not self._stop.is_set():
            try:
                self._update()
                lost_since = None
            except _RunLost as exc:
                self._fail_all(BrokerError(str(exc)))
                return
            except RedisError as exc:
                lost_since = lost_since or time.monotonic()
                if time.monotonic() - lost_since > RECONNECT_SECONDS:
                    self._fail_all(
                        BrokerError(
                            f"lost the broker at {mask_url(self.broker)} for {RECONNECT_SECONDS:g}s ({_line(exc)}); "
                            "run the command again once it is back: documents already done are skipped"
                        )
                    )
                    return
            # (Never done while documents may still be submitted: close() stops it.)
            self._stop.wait(self.poll_seconds)

    def _update(self) -> None:
        from ..build import BuildResult
        from ..runner import DocumentRun
        from ..translate import TranslateSummary

        meta = self.book.meta()
        if "created" not in meta:  # (a worker's late write may have made a new, partial record)
            raise _RunLost(
                f"the broker at {mask_url(self.broker)} lost run {self.book.run_id} (Redis restarted without "
                "persistence?): its queue is gone; run the command again: documents already done are skipped"
            )
        states = self.book.states()
        if any(state != "queued" for state in states.values()):
            self._taken = True  # running, waiting for a lease, or over
        elif not self._taken:
            self._in_hand = self.client.hlen(UNACKED)  # busy workers, not absent ones
        finished = {doc for doc, state in states.items() if state in ("done", "failed", "cancelled")}
        with self._lock:
            waiting = [doc for doc in finished if doc in self._futures and not self._futures[doc][1].done()]
        errors = self.book.errors() if any(states[d] == "failed" for d in waiting) else {}
        results = self.book.results() if any(states[d] == "done" for d in waiting) else {}
        for doc in waiting:
            source, future = self._futures[doc]
            run = DocumentRun(source, doc=doc)
            if states[doc] == "done":
                summary = results[doc]
                run.built = BuildResult(
                    doc, Coverage(**summary["coverage"]), [Path(p) for p in summary["paths"]], summary["skipped"]
                )
                if "translated" in summary:
                    run.translated = TranslateSummary(**summary["translated"])
            elif states[doc] == "failed":
                run.error = errors.get(doc, f"{doc}: failed")
            else:
                run.error = f"{doc}: cancelled"
            future.set_result(run)
        with self._lock:
            self._progress.finished = sum(
                1 for doc, (_, future) in self._futures.items() if future.done() or doc in finished
            )
            self._progress.segments = int(meta.get("segments", 0))

    def _fail_all(self, exc: BaseException) -> None:
        with self._lock:
            for _, future in self._futures.values():
                if not future.done():
                    future.set_exception(exc)


class _RunLost(Exception):
    pass


def _line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def for_workspace(ws, broker_option: str | None, translating, building, engine: str, request) -> CeleryExecutor:
    """The executor of ``pipeline run --executor celery`` for the workspace
    ``ws``: the broker from ``--broker``, ``$PIPELINE_BROKER`` or
    pipeline.toml, the lease, visibility timeout and draft cache from
    pipeline.toml, the engine ``engine`` as ``request`` describes it."""
    from ..config import load_config
    from ..runner import document_options
    from .state import broker_url

    config = load_config(ws.root)
    broker = broker_url(broker_option, config["distributed.broker"])
    model = str(request.model_path()) if request.model and request.model_path().exists() else request.model
    return CeleryExecutor(
        ws.root,
        broker,
        document_options(ws, translating, building),
        translating.settings,
        {
            "use_memory": translating.use_memory,
            "accept_exact": translating.accept_exact,
            "tm_threshold": translating.tm_threshold,
            "retranslate_fuzzy": translating.retranslate_fuzzy,
        },
        {"name": engine, "model": model, "device": request.device, "options": dict(request.options)},
        lease_seconds=config["distributed.lease_seconds"],
        draft_cache=config["distributed.draft_cache"],
        visibility_timeout=config["distributed.visibility_timeout"],
    )
