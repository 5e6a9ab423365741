"""Stage 3: fill catalogs with drafts: translation memory first, then MT.

The translation memory answers first: an exact match fills an entry (a
draft to confirm, or reviewed with ``--accept-exact``), fuzzy matches are
kept as suggestions for the reviewer. The entries still pending in all
requested catalogs go to the engine in one call, so the engine can sort
and batch them across documents; a sentence that stands in several
catalogs is translated once. Completed drafts are saved every few seconds,
atomically, so an interrupted run keeps them and the next run resumes with
what is left.

Each save goes through :func:`pipeline.catalog.store.update_catalog`: the
catalog is read as it is on disk at that moment (a translator may be
working in Poedit meanwhile), drafts only fill entries that still hold
what they held when their work was decided, and the file is replaced only
if nobody saved it in between (a compare-and-swap, retried), so nobody's
edit is overwritten.
"""

from __future__ import annotations

import copy
import functools
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from babel.messages.catalog import Message

from .cache import StageCache, file_signature
from .catalog import Catalog, State, history, state_of
from .catalog.states import Key, find, is_segment, set_machine_draft, translation_text
from .catalog.store import load_snapshot, update_catalog
from .engines.base import Draft, Engine
from .errors import CatalogError, NoModelError
from .progress import Progress
from .tm import DEFAULT_THRESHOLD, Reuse, TranslationMemory, reuse_from_memory
from .workspace import Workspace

#: Completed drafts are written at least this often (seconds).
FLUSH_SECONDS = 10.0


def eligible(message: Message, retranslate_fuzzy: bool) -> bool:
    """Whether ``message`` gets a machine draft. Reviewed entries never do;
    fuzzy ones (source changed) keep their old translation unless asked;
    entries that are not segments (a msgctxt, a plural) are left alone."""
    if not is_segment(message):
        return False
    state = state_of(message)
    return state is State.UNTRANSLATED or (retranslate_fuzzy and state is State.FUZZY)


#: What an engine yields: the indices of the segments and their drafts.
Batch = tuple[list[int], list[Draft]]

#: A change to apply to a catalog entry when it is saved.
Operation = Callable[[Message], object]


@dataclass
class _Pending:
    seen: str  # the translation the entry had when its work was decided
    operations: list[Operation] = field(default_factory=list)


@dataclass
class _CatalogFile:
    doc: str
    path: Path
    display: str
    catalog: Catalog
    pending: dict[Key, _Pending] = field(default_factory=dict)
    written: int = 0

    def add(self, key: Key, operation: Operation) -> None:
        if key not in self.pending:
            # An entry that the catalog as last read lacks (another program's
            # save of the moment had removed it) is looked for again when saved.
            message = find(self.catalog, key)
            self.pending[key] = _Pending(translation_text(message) if message is not None else "")
        self.pending[key].operations.append(operation)

    def flush(self, retranslate_fuzzy: bool, ws: Workspace) -> None:
        """Save the pending work through :func:`update_catalog`: each entry
        is filled only if, in the file as it is on disk at that moment, it
        is still eligible and still holds the translation it had when its
        work was decided; an edit made meanwhile (Poedit, a reviewer) wins."""
        if not self.pending:
            return
        filled = 0

        def change(catalog: Catalog | None) -> Catalog | None:
            nonlocal filled
            if catalog is None:
                lost = len(self.pending)
                self.pending.clear()
                raise CatalogError(
                    f"{self.display}: the catalog was removed while it was being translated; "
                    f"{lost} drafts for it were not saved"
                )
            filled = applied = 0
            for key, work in self.pending.items():
                message = find(catalog, key)
                if message is None or not eligible(message, retranslate_fuzzy):
                    continue
                if translation_text(message) != work.seen:
                    continue  # somebody typed a translation meanwhile
                for operation in work.operations:
                    operation(message)
                applied += 1
                filled += state_of(message) is not State.UNTRANSLATED
            return catalog if applied else None

        with history.transaction(ws, self.doc) as tx:
            # The drafts' history first (pipeline.catalog.history): worked out on the
            # catalog as last read; a draft the update then skips is aborted.
            tx.intend(self._draft_records(retranslate_fuzzy))
            update = update_catalog(self.path, change, self.display, lock=None, wait_if_missing=True, inside=ws.root)
            tx.settled(update.catalog)
        self.catalog = update.catalog
        self.written += filled
        self.pending.clear()

    def _draft_records(self, retranslate_fuzzy: bool) -> list[history.HistoryRecord]:
        """The history records of the pending drafts, on a copy of the entries as last read."""
        records = []
        for key, work in self.pending.items():
            message = find(self.catalog, key)
            if message is None or not eligible(message, retranslate_fuzzy) or translation_text(message) != work.seen:
                continue
            after = copy.deepcopy(message)
            for operation in work.operations:
                operation(after)
            if translation_text(after) != work.seen:
                records.append(history.record_for(self.doc, message, after, history.MACHINE, "draft"))
        return records


@dataclass
class TranslateSummary:
    documents: int = 0
    segments: int = 0  # distinct source texts sent to the engine
    entries: int = 0  # catalog entries filled (memory and engine)
    memory_exact: int = 0  # entries filled from the translation memory
    memory_suggested: int = 0  # entries given fuzzy-match suggestions
    reviewed: int = 0  # reviewed entries left alone
    fuzzy_kept: int = 0
    seconds: float = 0.0
    model_loaded: bool = False
    #: Without a model: why (the engine's message), and how many entries
    #: still wait for one (what the memory filled is saved all the same).
    no_model: str | None = None
    need_model: int = 0

    @property
    def rate(self) -> float:
        return self.segments / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class MemoryPolicy:
    """How the translation memory answers before the engine (see pipeline.tm.reuse)."""

    load: Callable[[], TranslationMemory]
    accept_exact: bool = False
    threshold: float = DEFAULT_THRESHOLD

    def apply(self, memory: TranslationMemory) -> Operation:
        return functools.partial(
            reuse_from_memory, memory=memory, accept_exact=self.accept_exact, threshold=self.threshold
        )


def _draft(draft: Draft) -> Operation:
    return lambda message: set_machine_draft(message, draft.text, str(draft.signature), draft.notes)


def translate_documents(
    ws: Workspace,
    docs: list[str],
    engine_factory: Callable[[], Engine],
    retranslate_fuzzy: bool = False,
    stream: TextIO | None = None,
    flush_seconds: float = FLUSH_SECONDS,
    cache: StageCache | None = None,
    on_batch: Callable[[int], None] | None = None,
    memory: MemoryPolicy | None = None,
) -> TranslateSummary:
    """Give every pending entry of ``docs`` a draft: from the translation
    memory first (``memory``), then from the engine.

    With a ``cache``, a catalog unchanged since a run that left nothing to
    translate in it is not even read. ``on_batch`` hears how many segments
    each finished batch held (``run --jobs`` combines workers' progress)."""
    summary = TranslateSummary(documents=len(docs))
    files: list[_CatalogFile] = []
    waiting: dict[str, list[_CatalogFile]] = {}  # source text → catalogs that need it
    for doc in docs:
        path = ws.catalog_path(doc)
        record = cache.get("translate", doc) if cache is not None else None
        if record and record["po"] == file_signature(path) and _nothing_to_do(record, retranslate_fuzzy):
            summary.reviewed += record.get(State.TRANSLATED.value, 0) + record.get(State.APPROVED.value, 0)
            summary.fuzzy_kept += record[State.FUZZY.value]
            continue
        display = ws.relative(path)
        catalog, _ = load_snapshot(path, display, inside=ws.root)
        entry = _CatalogFile(doc, path, display, catalog)
        pending = False
        for message in catalog:
            if eligible(message, retranslate_fuzzy):
                waiting.setdefault(message.id, []).append(entry)
                pending = True
            elif is_segment(message) and state_of(message).reviewed:
                summary.reviewed += 1
            elif is_segment(message) and state_of(message) is State.FUZZY:
                summary.fuzzy_kept += 1
        if pending:
            files.append(entry)
        else:
            _remember(cache, [entry])  # nothing to do here: not kept in memory
    if not waiting:
        _remember(cache, files)
        return summary  # nothing new: neither memory nor model is loaded

    if memory is not None:
        waiting = _from_memory(ws, files, waiting, memory, summary, retranslate_fuzzy)
    if not waiting:
        summary.entries = sum(entry.written for entry in files)
        _remember(cache, files)
        return summary  # the memory had it all: no model is loaded

    texts = list(waiting)
    started = time.monotonic()
    try:
        batches = _first_computed(engine_factory().translate_batches(texts))
    except NoModelError as exc:  # the memory's work is saved: say what is left
        summary.no_model = str(exc)
        summary.need_model = sum(len(entries) for entries in waiting.values())
        summary.entries = sum(entry.written for entry in files)
        _remember(cache, files)
        return summary
    progress = Progress(len(texts), stream=stream)
    last_flush = started
    try:
        for indices, drafts in batches:
            summary.model_loaded = True
            for i, draft in zip(indices, drafts, strict=True):
                if draft.text.strip():
                    for entry in waiting[texts[i]]:
                        entry.add((None, texts[i]), _draft(draft))
            progress.update(len(indices))
            if on_batch is not None:
                on_batch(len(indices))
            summary.segments += len(indices)
            if time.monotonic() - last_flush >= flush_seconds:
                _flush_all(files, retranslate_fuzzy, ws)
                last_flush = time.monotonic()
    finally:
        progress.close()
        _flush_all(files, retranslate_fuzzy, ws)
        summary.seconds = time.monotonic() - started
        summary.entries = sum(entry.written for entry in files)
        _remember(cache, files)
    return summary


def _first_computed(batches: Iterator[Batch]) -> Iterator[Batch]:
    """``batches`` with the first one already computed: an engine loads its
    model on the first batch, so a missing model is raised here."""
    first = next(batches, None)
    return batches if first is None else itertools.chain([first], batches)


def _from_memory(
    ws: Workspace,
    files: list[_CatalogFile],
    waiting: dict[str, list[_CatalogFile]],
    policy: MemoryPolicy,
    summary: TranslateSummary,
    retranslate_fuzzy: bool,
) -> dict[str, list[_CatalogFile]]:
    """Let the memory answer first; return what is still waiting for the engine.

    Exact matches fill entries; fuzzy matches become suggestions beside the
    machine draft to come. The results are saved before any model loads."""
    memory = policy.load()
    if not len(memory):
        return waiting
    operation = policy.apply(memory)
    still: dict[str, list[_CatalogFile]] = {}
    for text, entries in waiting.items():
        for entry in entries:
            # Decide on a copy; the operation is replayed on the entry when saved.
            outcome = operation(find(entry.catalog, (None, text)).clone())
            entry.add((None, text), operation)
            if outcome.kind is Reuse.EXACT:
                summary.memory_exact += 1
            else:
                summary.memory_suggested += outcome.kind is Reuse.SUGGESTED
                still.setdefault(text, []).append(entry)
    _flush_all(files, retranslate_fuzzy, ws)
    return still


def _flush_all(files: list[_CatalogFile], retranslate_fuzzy: bool, ws: Workspace) -> None:
    """Save every catalog's finished work; a catalog that cannot be saved does
    not stop the others from being saved (its error is raised afterwards)."""
    failure: CatalogError | None = None
    for entry in files:
        try:
            entry.flush(retranslate_fuzzy, ws)
        except CatalogError as exc:
            failure = failure or exc
    if failure is not None:
        raise failure


def _nothing_to_do(record: dict, retranslate_fuzzy: bool) -> bool:
    return record[State.UNTRANSLATED.value] == 0 and not (retranslate_fuzzy and record[State.FUZZY.value])


def _remember(cache: StageCache | None, files: list[_CatalogFile]) -> None:
    """Record each catalog's state counts, keyed to the file as it is now."""
    if cache is None:
        return
    for entry in files:
        counts = {state.value: 0 for state in State}
        for message in entry.catalog:
            if is_segment(message):
                counts[state_of(message).value] += 1
        cache.put("translate", entry.doc, {"po": file_signature(entry.path), **counts})
