"""``pipeline jobs``: what the distributed runs of a workspace are doing,
read from their records in Redis (:class:`.state.RunBook`)."""

from __future__ import annotations

import time

from ..config import load_config
from ..errors import PipelineError
from .state import STATES, RunBook, broker_url, connect


def broker_for(ws, option: str | None) -> str:
    return broker_url(option, load_config(ws.root)["distributed.broker"])


def cancel(url: str, run_id: str) -> None:
    book = RunBook(connect(url), run_id)
    if not book.exists():
        raise PipelineError(f"no run {run_id} on this broker")
    book.cancel()


def describe(url: str, ws, run_id: str | None = None, limit: int = 10) -> list[str]:
    """One line per recent run of ``ws``; with ``run_id``, that run's
    documents, one line each, and the message of each failure."""
    client = connect(url)
    if run_id is None:
        books = RunBook.recent(client, ws.root, limit)
        if not books:
            return ["no distributed runs of this workspace on this broker"]
        lines = [f"{'run':<26} {'started':<20} " + " ".join(f"{s:>9}" for s in STATES)]
        for book in books:
            meta = book.meta()
            if "created" not in meta:
                continue
            counts = book.counts()
            started = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(float(meta.get("created", 0))))
            flag = "  (cancelled)" if "cancelled" in meta else ""
            lines.append(f"{book.run_id:<26} {started:<20} " + " ".join(f"{counts[s]:>9}" for s in STATES) + flag)
        return lines
    book = RunBook(client, run_id)
    meta = book.meta()
    if "created" not in meta:
        raise PipelineError(f"no run {run_id} on this broker (runs are kept 7 days)")
    counts = book.counts()
    lines = [
        f"run {run_id}: {meta.get('total', '?')} documents, "
        + ", ".join(f"{counts[s]} {s}" for s in STATES if counts[s])
        + f"; {meta.get('segments', 0)} segments translated, {meta.get('cache_hits', 0)} drafts from the cache"
        + (" (cancelled)" if "cancelled" in meta else "")
    ]
    errors = book.errors()
    for doc, state in sorted(book.states().items()):
        lines.append(f"{state:<10} {doc}" + (f": {errors[doc]}" if doc in errors and state == "failed" else ""))
    return lines
