"""Stage 1: source document → template (POT) → English catalog (PO)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .atomicfile import read_regular
from .cache import StageCache, content_hash, file_signature
from .catalog import Catalog, history, load_catalog, save_catalog
from .catalog.merge import MergeReport, merge
from .catalog.pofile import po_bytes
from .catalog.store import update_catalog
from .catalog.template import build_template, record_repair, repairs_page_breaks
from .config import load_config
from .errors import UnsafePathError
from .formats import load_document
from .segment import Document
from .sources import document_name
from .terms import Termbase, load_termbase
from .terms.protect import glossary_hits, set_glossary_hits
from .workspace import Workspace


@dataclass
class ExtractResult:
    doc: str
    encoding: str
    blocks: int
    entries: int
    report: MergeReport
    template_changed: bool
    catalog_changed: bool
    skipped: bool = False  # nothing changed since the last extraction
    document: Document | None = None  # the segmentation, when not skipped

    @property
    def empty(self) -> bool:
        return self.entries == 0


def _write_if_changed(path: Path, catalog: Catalog, previous: Catalog | None, date_attr: str, inside: Path) -> bool:
    """Write ``catalog`` unless it equals ``previous`` but for its date header;
    a no-op re-extraction leaves files (and git) untouched. (The file is
    compared only if it lies ``inside`` the workspace.)"""
    now = datetime.now(timezone.utc)
    if previous is not None:
        setattr(catalog, date_attr, getattr(previous, date_attr))
        if path.exists() and po_bytes(catalog) == read_regular(path, str(path), inside=inside):
            return False
    setattr(catalog, date_attr, now)
    save_catalog(path, catalog)
    return True


def _inputs(source_path: Path, pot_path: Path, po_path: Path, ws: Workspace) -> dict | None:
    """What an extraction depends on: the source's bytes, the two catalogs
    and the termbase (whose hits are recorded on the entries)."""
    try:
        source = content_hash(read_regular(source_path, str(source_path), inside=ws.root))
    except (OSError, UnsafePathError):
        return None  # read_source explains the problem
    return {
        "source": source,
        "pot": file_signature(pot_path),
        "po": file_signature(po_path),
        "glossary": file_signature(ws.glossary),
    }


def record_glossary_hits(catalog: Catalog, termbase: Termbase) -> None:
    """Write the termbase terms each entry's source contains into its
    translator comments (``# term: 崔平 = Cui Ping``), for the reviewer."""
    for message in catalog:
        if message.id:
            set_glossary_hits(message, glossary_hits(message.id, termbase))


def extract(
    ws: Workspace,
    source_path: Path,
    cache: StageCache | None = None,
    termbase: Termbase | None = None,
    repair: bool | None = None,
) -> ExtractResult:
    """Segment ``source_path`` and update its template and English catalog.

    With a ``cache``, a source whose bytes, template and catalog are as the
    last extraction left them is not processed again. ``repair`` turns
    page-break repair on or off; None keeps what the template records
    (on for a new document)."""
    ref = ws.source_ref(source_path)  # a regular file inside the workspace, or refused
    doc = document_name(source_path, ref)
    pot_path, po_path = ws.template_path(doc), ws.catalog_path(doc)
    inputs = _inputs(source_path, pot_path, po_path, ws) if cache is not None else None
    requested = repair  # the option asked for: another one extracts again
    if inputs is not None:
        inputs["repair"] = requested
    record = cache.get("extract", doc) if cache is not None else None
    if inputs and record and record["inputs"] == inputs:
        return ExtractResult(
            doc,
            record["encoding"],
            record["blocks"],
            record["entries"],
            MergeReport(),
            template_changed=False,
            catalog_changed=False,
            skipped=True,
        )
    old_template = load_catalog(pot_path, ws.relative(pot_path), inside=ws.root) if pot_path.exists() else None
    if repair is None:
        repair = repairs_page_breaks(old_template)
    # Read and segmented in its format (plain text, HTML, …), whole or not at
    # all: nothing is written before the document is read.
    document = load_document(source_path, ref, inside=ws.root, name=doc, repair=repair, config=load_config(ws.root))
    template = build_template(document, ref)
    record_repair(template, repair)

    template_changed = _write_if_changed(pot_path, template, old_template, "creation_date", ws.root)

    terms = termbase if termbase is not None else load_termbase(ws.glossary, inside=ws.root)
    merged: list[MergeReport] = []

    def change(old: Catalog | None) -> Catalog | None:
        # The catalog as it is on disk now: a reviewer or Poedit may have
        # saved it a moment ago. Merged anew on every attempt.
        catalog, report = merge(old, template)
        merged[:] = [report]
        record_repair(catalog, repair)  # the old catalog's header may say otherwise
        record_glossary_hits(catalog, terms)
        if old is not None:
            catalog.revision_date = old.revision_date
        # Why an entry became fuzzy (its source changed), in the history (intents of this attempt only).
        tx.restart()
        tx.intend(history.source_changes(doc, old, catalog))
        return catalog

    # A no-op re-extraction leaves the file (and git) alone: compare bytes.
    # A document extracted before has a catalog: one missing for a moment
    # (an editor deleting and re-creating it on save) is waited for, never
    # replaced by a fresh one.
    with history.transaction(ws, doc) as tx:  # holds the document's catalog lock
        update = update_catalog(
            po_path,
            change,
            ws.relative(po_path),
            lock=None,
            wait_if_missing=old_template is not None,
            skip_same_bytes=True,
            inside=ws.root,
        )
        tx.settled(update.catalog)
    report, catalog_changed = merged[0], update.written
    entries = len([m for m in template if m.id])
    if cache is not None:
        outputs = {"encoding": document.encoding, "blocks": len(document.blocks), "entries": entries}
        done = _inputs(source_path, pot_path, po_path, ws)
        if done is not None:
            done["repair"] = requested
        cache.put("extract", doc, {"inputs": done, **outputs})
    return ExtractResult(
        doc=doc,
        encoding=document.encoding,
        blocks=len(document.blocks),
        entries=entries,
        report=report,
        template_changed=template_changed,
        catalog_changed=catalog_changed,
        document=document,
    )
