"""Stage 4: catalogs → editions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .atomicfile import atomic_write, read_regular
from .cache import StageCache, content_hash, file_signature
from .catalog import load_catalog
from .catalog.template import SOURCE_HEADER, repairs_page_breaks
from .editions import RENDERERS, Coverage, assemble, save_editions
from .errors import PipelineError
from .segment import segment_document
from .sources import SUPPORTED_SUFFIXES, read_source
from .tm.store import exchanged_units
from .tm.tmx import tmx_bytes
from .workspace import Workspace

TMX_SUFFIX = ".tmx"


@dataclass
class BuildResult:
    doc: str
    coverage: Coverage
    paths: list[Path]
    skipped: bool = False  # sources, catalog and editions as the last build left them


def source_of(ws: Workspace, doc: str, recorded: str | None, display: str) -> Path:
    """The source document a catalog was extracted from: the one its
    ``X-Pipeline-Source`` header records, else ``seeds/<doc>.txt``. Either
    must be a regular file inside the workspace (a cloned catalog may name
    any file on the machine); ``display`` names the catalog in a refusal."""
    if recorded:
        path = ws.recorded_source(recorded, f"{display}: {SOURCE_HEADER} {recorded!r}")
        if path.exists():
            return path
    for suffix in SUPPORTED_SUFFIXES:
        path = ws.regular_file(ws.seeds / f"{doc}{suffix}")
        if path.exists():
            return path
    raise PipelineError(f"{doc}: source document {recorded or ws.relative(ws.seeds / (doc + '.txt'))} not found")


def build(
    ws: Workspace, doc: str, out_dir: Path, reviewed_only: bool = False, cache: StageCache | None = None
) -> BuildResult:
    """Rebuild ``doc`` from its source and catalog; write its editions.

    With a ``cache``, a document whose source, catalog, options and written
    editions are unchanged since the last build is not rebuilt."""
    out_dir = ws.output_dir(out_dir)
    po_path = ws.catalog_path(doc)
    paths = [out_dir / f"{doc}{suffix}" for suffix in RENDERERS] + [out_dir / f"{doc}{TMX_SUFFIX}"]
    record = cache.get("build", doc) if cache is not None else None
    if record is not None:
        inputs = _inputs(ws, record["source_path"], po_path, reviewed_only, paths)
        if inputs is not None and inputs == record["inputs"]:
            return BuildResult(doc, Coverage(**record["coverage"]), paths, skipped=True)

    display = ws.relative(po_path)
    catalog = load_catalog(po_path, display)
    path = source_of(ws, doc, catalog.extra_headers.get(SOURCE_HEADER), display)
    source = read_source(path, ws.relative(path), inside=ws.root)
    document = segment_document(doc, source.text, repair=repairs_page_breaks(catalog))
    edition = assemble(document, catalog, reviewed_only)
    written = save_editions(out_dir, edition)
    # The document's reviewed pairs, for other tools' translation memories:
    # only sentences the document still has.
    segments = {seg.text for _, seg in document.segments() if seg.translatable}
    tmx_path = out_dir / f"{doc}{TMX_SUFFIX}"
    atomic_write(tmx_path, tmx_bytes(exchanged_units(catalog, doc, segments)))
    written.append(tmx_path)
    if cache is not None:
        ref = ws.relative(path)
        cache.put(
            "build",
            doc,
            {
                "source_path": ref,
                "inputs": _inputs(ws, ref, po_path, reviewed_only, written),
                "coverage": vars(edition.coverage),
            },
        )
    return BuildResult(doc, edition.coverage, written)


def require_coverage(results: Iterable[BuildResult], min_coverage: float | None) -> None:
    """``--min-coverage``: a PipelineError naming every document less
    translated than ``min_coverage`` percent."""
    if min_coverage is None:
        return
    short = [f"{r.doc} {r.coverage.percent:.1f}%" for r in results if r.coverage.percent < min_coverage]
    if short:
        raise PipelineError(f"coverage below {min_coverage:g}%: {', '.join(short)}")


def _inputs(ws: Workspace, source_ref: str, po_path: Path, reviewed_only: bool, outputs: list[Path]) -> dict | None:
    """What a build depends on; None when the source cannot be read safely
    (the full build then says why)."""
    try:
        source_hash = content_hash(read_regular(ws.resolve(source_ref), source_ref, inside=ws.root))
    except (OSError, PipelineError):
        return None
    return {
        "source": source_hash,
        "po": file_signature(po_path),
        "reviewed_only": reviewed_only,
        "outputs": {str(p.resolve()): file_signature(p) for p in outputs},
    }
