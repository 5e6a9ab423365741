"""Stage 3: fill catalogs with machine drafts.

All pending entries of all requested catalogs go to the engine in one
call, so the engine can sort and batch them across documents; a sentence
that stands in several catalogs is translated once. Completed drafts are
saved every few seconds, atomically, so an interrupted run keeps them and
the next run resumes with what is left.

Before each save the catalog is re-read if it changed on disk (a
translator working in Poedit meanwhile): drafts only ever fill entries
that are still untranslated, so nobody's edit is overwritten.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TextIO

from babel.messages.catalog import Message

from .cache import StageCache, file_signature
from .catalog import Catalog, State, load_catalog, save_catalog, state_of
from .catalog.merge import touch
from .catalog.states import set_machine_draft
from .engines.base import Draft, Engine
from .progress import Progress
from .workspace import Workspace

#: Completed drafts are written at least this often (seconds).
FLUSH_SECONDS = 10.0


def eligible(message: Message, retranslate_fuzzy: bool) -> bool:
    """Whether ``message`` gets a machine draft. Reviewed entries never do;
    fuzzy ones (source changed) keep their old translation unless asked."""
    if not message.id:
        return False
    state = state_of(message)
    return state is State.UNTRANSLATED or (retranslate_fuzzy and state is State.FUZZY)


@dataclass
class _CatalogFile:
    doc: str
    path: Path
    display: str
    catalog: Catalog
    loaded: bytes
    pending: dict[str, Draft] = field(default_factory=dict)
    written: int = 0

    def flush(self, retranslate_fuzzy: bool, ws: Workspace) -> None:
        if not self.pending:
            return
        with ws.catalog_lock():
            self._flush(retranslate_fuzzy)

    def _flush(self, retranslate_fuzzy: bool) -> None:
        current = self.path.read_bytes()
        if current != self.loaded:  # edited meanwhile: apply drafts to the new version
            self.catalog = load_catalog(self.path, self.display)
        for msgid, draft in self.pending.items():
            message = self.catalog.get(msgid)
            if message is not None and eligible(message, retranslate_fuzzy):
                set_machine_draft(message, draft.text, str(draft.signature), draft.notes)
                self.written += 1
        touch(self.catalog)
        save_catalog(self.path, self.catalog)
        self.loaded = self.path.read_bytes()
        self.pending.clear()


@dataclass
class TranslateSummary:
    documents: int = 0
    segments: int = 0  # distinct source texts sent to the engine
    entries: int = 0  # catalog entries filled
    reviewed: int = 0  # reviewed entries left alone
    fuzzy_kept: int = 0
    seconds: float = 0.0
    model_loaded: bool = False

    @property
    def rate(self) -> float:
        return self.segments / self.seconds if self.seconds > 0 else 0.0


def translate_documents(
    ws: Workspace,
    docs: list[str],
    engine_factory: Callable[[], Engine],
    retranslate_fuzzy: bool = False,
    stream: TextIO | None = None,
    flush_seconds: float = FLUSH_SECONDS,
    cache: StageCache | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> TranslateSummary:
    """Give every pending entry of ``docs`` a machine draft.

    With a ``cache``, a catalog unchanged since a run that left nothing to
    translate in it is not even read. ``on_batch`` hears how many segments
    each finished batch held (``run --jobs`` combines workers' progress)."""
    summary = TranslateSummary(documents=len(docs))
    files: list[_CatalogFile] = []
    jobs: dict[str, list[_CatalogFile]] = {}
    for doc in docs:
        path = ws.catalog_path(doc)
        record = cache.get("translate", doc) if cache is not None else None
        if record and record["po"] == file_signature(path) and _nothing_to_do(record, retranslate_fuzzy):
            summary.reviewed += record[State.REVIEWED.value]
            summary.fuzzy_kept += record[State.FUZZY.value]
            continue
        display = ws.relative(path)
        data = path.read_bytes() if path.exists() else b""
        catalog = load_catalog(path, display)
        entry = _CatalogFile(doc, path, display, catalog, data)
        files.append(entry)
        for message in catalog:
            if eligible(message, retranslate_fuzzy):
                jobs.setdefault(message.id, []).append(entry)
            elif message.id and state_of(message) is State.REVIEWED:
                summary.reviewed += 1
            elif message.id and state_of(message) is State.FUZZY:
                summary.fuzzy_kept += 1
    if not jobs:
        _remember(cache, files)
        return summary  # nothing new: no model is loaded

    engine = engine_factory()
    texts = list(jobs)
    started = time.monotonic()
    progress = Progress(len(texts), stream=stream)
    last_flush = started
    try:
        for indices, drafts in engine.translate_batches(texts):
            summary.model_loaded = True
            for i, draft in zip(indices, drafts):
                if draft.text.strip():
                    for entry in jobs[texts[i]]:
                        entry.pending[texts[i]] = draft
            progress.update(len(indices))
            if on_batch is not None:
                on_batch(len(indices))
            summary.segments += len(indices)
            if time.monotonic() - last_flush >= flush_seconds:
                for entry in files:
                    entry.flush(retranslate_fuzzy, ws)
                last_flush = time.monotonic()
    finally:
        progress.close()
        for entry in files:
            entry.flush(retranslate_fuzzy, ws)
        summary.seconds = time.monotonic() - started
        summary.entries = sum(entry.written for entry in files)
        _remember(cache, files)
    return summary


def _nothing_to_do(record: dict, retranslate_fuzzy: bool) -> bool:
    return record[State.UNTRANSLATED.value] == 0 and not (retranslate_fuzzy and record[State.FUZZY.value])


def _remember(cache: StageCache | None, files: list[_CatalogFile]) -> None:
    """Record each catalog's state counts, keyed to the file as it is now."""
    if cache is None:
        return
    for entry in files:
        counts = {state.value: 0 for state in State}
        for message in entry.catalog:
            if message.id:
                counts[state_of(message).value] += 1
        cache.put("translate", entry.doc, {"po": file_signature(entry.path), **counts})
