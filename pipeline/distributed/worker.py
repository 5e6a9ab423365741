"""``pipeline worker``: a Celery worker that runs documents.

A prefork pool of ``concurrency`` processes (default: one per core); each
process makes its engine once, on its first document, with one
CTranslate2 thread (N processes × 1 thread measured best, README
"Decoding") and, on CUDA, its share of the GPUs (the rule of
``run --jobs N``: :func:`.celery_app.process_settings`), and keeps it for
the next documents. The broker URL comes
from ``--broker``, ``$PIPELINE_BROKER`` or ``pipeline.toml``
(``distributed.broker``); its password never reaches a log line: stdout
and stderr go through :class:`.state.RedactingStream` before Celery
writes its first line, and every message of ours shows the URL masked.
"""

from __future__ import annotations

import os
import socket
import sys

from .state import RedactingStream, Redactor, connect, mask_url


def hide_password(url: str) -> None:
    """Put the password redactor over this process's output streams (the
    ones Celery's logging and its banner write to, in the forked pool
    processes too)."""
    redact = Redactor(url)
    if not redact.secrets:
        return
    for name in ("stdout", "stderr", "__stdout__", "__stderr__"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, RedactingStream):
            setattr(sys, name, RedactingStream(stream, redact))


def run_worker(
    broker: str,
    concurrency: int | None = None,
    visibility_timeout: int = 3600,
    loglevel: str = "INFO",
    name: str | None = None,
    log=print,
) -> None:
    """Run the worker until it is stopped (SIGTERM: warm shutdown)."""
    hide_password(broker)
    connect(broker)  # a broker that cannot be reached is one line, before Celery retries forever
    from . import celery_app
    from .celery_app import QUEUE, make_app

    concurrency = concurrency or os.cpu_count() or 1
    celery_app.pool_processes = concurrency  # each pool process takes its share of the GPUs
    log(f"worker: {concurrency} process(es), one decoding thread each, broker {mask_url(broker)}")
    app = make_app(broker, visibility_timeout)
    argv = [
        "worker",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        f"--loglevel={loglevel}",
        f"--queues={QUEUE}",
        f"--hostname={name or 'pipeline@' + socket.gethostname()}-{os.getpid()}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    app.worker_main(argv)
