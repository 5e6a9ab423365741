"""``pipeline jobs``: what the distributed runs of a workspace are doing,
read from their records in Redis (:class:`.state.RunBook`); a run whose
submitter died between recording a document and sending its task is
shown as abandoned (never submitted), not as queued for ever."""

from __future__ import annotations

import time

from ..config import load_config
from ..errors import PipelineError
from .state import STATES, RunBook, broker_url, connect

#: How ``pipeline jobs`` flags a run whose submitter died before sending a
#: document it had recorded (:meth:`.state.RunBook.unsent`).
ABANDONED = "abandoned (never submitted)"


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
            states = book.states()
            counts = book.counts(states)
            started = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(float(meta.get("created", 0))))
            flag = "  (cancelled)" if "cancelled" in meta else ""
            if book.unsent(meta, states) is not None:
                flag += f"  {ABANDONED}"
            lines.append(f"{book.run_id:<26} {started:<20} " + " ".join(f"{counts[s]:>9}" for s in STATES) + flag)
        return lines
    book = RunBook(client, run_id)
    meta = book.meta()
    if "created" not in meta:
        raise PipelineError(f"no run {run_id} on this broker (runs are kept 7 days)")
    states = book.states()
    counts = book.counts(states)
    unsent = book.unsent(meta, states)
    lines = [
        f"run {run_id}: {meta.get('total', '?')} documents, "
        + ", ".join(f"{counts[s]} {s}" for s in STATES if counts[s])
        + f"; {meta.get('segments', 0)} segments translated, {meta.get('cache_hits', 0)} drafts from the cache"
        + (" (cancelled)" if "cancelled" in meta else "")
        + (f" {ABANDONED}: its submitter stopped before sending {unsent}; run the command again" if unsent else "")
    ]
    errors = book.errors()
    for doc, state in sorted(states.items()):
        if doc == unsent:
            lines.append(f"{'unsent':<10} {doc}: never sent to the workers")
            continue
        lines.append(f"{state:<10} {doc}" + (f": {errors[doc]}" if doc in errors and state == "failed" else ""))
    return lines
