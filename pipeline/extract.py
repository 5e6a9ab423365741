"""Stage 1: source document → template (POT) → English catalog (PO)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .cache import StageCache, content_hash, file_signature
from .catalog import Catalog, load_catalog, save_catalog
from .catalog.merge import MergeReport, merge, touch
from .catalog.pofile import catalog_bytes
from .catalog.template import build_template
from .segment import segment_document
from .terms import Termbase, load_termbase
from .terms.protect import glossary_hits, set_glossary_hits
from .sources import read_source
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

    @property
    def empty(self) -> bool:
        return self.entries == 0


def _write_if_changed(path: Path, catalog: Catalog, previous: Catalog | None, date_attr: str) -> bool:
    """Write ``catalog`` unless it equals ``previous`` but for its date header;
    a no-op re-extraction leaves files (and git) untouched."""
    now = datetime.now(timezone.utc)
    if previous is not None:
        setattr(catalog, date_attr, getattr(previous, date_attr))
        if path.exists() and catalog_bytes(catalog) == path.read_bytes():
            return False
    setattr(catalog, date_attr, now)
    save_catalog(path, catalog)
    return True


def _inputs(source_path: Path, pot_path: Path, po_path: Path, glossary: Path) -> dict | None:
    """What an extraction depends on: the source's bytes, the two catalogs
    and the termbase (whose hits are recorded on the entries)."""
    try:
        source = content_hash(source_path.read_bytes())
    except OSError:
        return None  # read_source explains the problem
    return {
        "source": source,
        "pot": file_signature(pot_path),
        "po": file_signature(po_path),
        "glossary": file_signature(glossary),
    }


def record_glossary_hits(catalog: Catalog, termbase: Termbase) -> None:
    """Write the termbase terms each entry's source contains into its
    translator comments (``# term: 崔平 = Cui Ping``), for the reviewer."""
    for message in catalog:
        if message.id:
            set_glossary_hits(message, glossary_hits(message.id, termbase))


def extract(
    ws: Workspace, source_path: Path, cache: StageCache | None = None, termbase: Termbase | None = None
) -> ExtractResult:
    """Segment ``source_path`` and update its template and English catalog.

    With a ``cache``, a source whose bytes, template and catalog are as the
    last extraction left them is not processed again."""
    ref = ws.relative(source_path)
    doc = source_path.stem
    pot_path, po_path = ws.template_path(doc), ws.catalog_path(doc)
    inputs = _inputs(source_path, pot_path, po_path, ws.glossary) if cache is not None else None
    record = cache.get("extract", doc) if cache is not None else None
    if inputs and record and record["inputs"] == inputs:
        return ExtractResult(
            doc, record["encoding"], record["blocks"], record["entries"], MergeReport(),
            template_changed=False, catalog_changed=False, skipped=True,
        )  # fmt: skip
    source = read_source(source_path, display=ref)
    document = segment_document(source.name, source.text)
    template = build_template(document, ref)

    old_template = load_catalog(pot_path, ws.relative(pot_path)) if pot_path.exists() else None
    template_changed = _write_if_changed(pot_path, template, old_template, "creation_date")

    with ws.catalog_lock():  # a reviewer may be saving a decision right now
        old = load_catalog(po_path, ws.relative(po_path)) if po_path.exists() else None
        catalog, report = merge(old, template)
        record_glossary_hits(catalog, termbase if termbase is not None else load_termbase(ws.glossary))
        if old is not None:
            catalog.revision_date = old.revision_date
        catalog_changed = old is None or catalog_bytes(catalog) != po_path.read_bytes()
        if catalog_changed:
            touch(catalog)
            save_catalog(po_path, catalog)
    entries = len([m for m in template if m.id])
    if cache is not None:
        outputs = {"encoding": source.encoding, "blocks": len(document.blocks), "entries": entries}
        cache.put("extract", doc, {"inputs": _inputs(source_path, pot_path, po_path, ws.glossary), **outputs})
    return ExtractResult(
        doc=source.name,
        encoding=source.encoding,
        blocks=len(document.blocks),
        entries=entries,
        report=report,
        template_changed=template_changed,
        catalog_changed=catalog_changed,
    )
