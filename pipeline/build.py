"""Stage 4: catalogs → editions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .cache import StageCache, content_hash, file_signature
from .atomicfile import atomic_write
from .catalog import load_catalog
from .catalog.template import SOURCE_HEADER
from .editions import RENDERERS, Coverage, assemble, write_editions
from .errors import PipelineError
from .segment import segment_document
from .sources import SUPPORTED_SUFFIXES, read_source
from .tm.store import units_from_catalog
from .tm.tmx import tmx_bytes
from .workspace import Workspace

TMX_SUFFIX = ".tmx"


@dataclass
class BuildResult:
    doc: str
    coverage: Coverage
    paths: list[Path]
    skipped: bool = False  # sources, catalog and editions as the last build left them


def source_of(ws: Workspace, doc: str, recorded: str | None) -> Path:
    """The source document a catalog was extracted from."""
    if recorded:
        path = ws.resolve(recorded)
        if path.exists():
            return path
    for suffix in SUPPORTED_SUFFIXES:
        path = ws.seeds / f"{doc}{suffix}"
        if path.exists():
            return path
    raise PipelineError(f"{doc}: source document {recorded or ws.relative(ws.seeds / (doc + '.txt'))} not found")


def build(ws: Workspace, doc: str, out_dir: Path, reviewed_only: bool = False, cache: StageCache | None = None) -> BuildResult:
    """Rebuild ``doc`` from its source and catalog; write its editions.

    With a ``cache``, a document whose source, catalog, options and written
    editions are unchanged since the last build is not rebuilt."""
    po_path = ws.catalog_path(doc)
    paths = [out_dir / f"{doc}{suffix}" for suffix in RENDERERS] + [out_dir / f"{doc}{TMX_SUFFIX}"]
    record = cache.get("build", doc) if cache is not None else None
    if record is not None:
        path = ws.resolve(record["source_path"])
        inputs = _inputs(path, po_path, reviewed_only, paths)
        if inputs is not None and inputs == record["inputs"]:
            return BuildResult(doc, Coverage(**record["coverage"]), paths, skipped=True)

    catalog = load_catalog(po_path, ws.relative(po_path))
    path = source_of(ws, doc, catalog.extra_headers.get(SOURCE_HEADER))
    source = read_source(path, ws.relative(path))
    edition = assemble(segment_document(doc, source.text), catalog, reviewed_only)
    written = write_editions(edition, out_dir)
    # The document's reviewed pairs, for other tools' translation memories.
    tmx_path = out_dir / f"{doc}{TMX_SUFFIX}"
    atomic_write(tmx_path, tmx_bytes(units_from_catalog(catalog, doc)))
    written.append(tmx_path)
    if cache is not None:
        cache.put("build", doc, {
            "source_path": ws.relative(path),
            "inputs": _inputs(path, po_path, reviewed_only, written),
            "coverage": vars(edition.coverage),
        })  # fmt: skip
    return BuildResult(doc, edition.coverage, written)


def _inputs(source: Path, po_path: Path, reviewed_only: bool, outputs: list[Path]) -> dict | None:
    try:
        source_hash = content_hash(source.read_bytes())
    except OSError:
        return None
    return {
        "source": source_hash,
        "po": file_signature(po_path),
        "reviewed_only": reviewed_only,
        "outputs": {str(p.resolve()): file_signature(p) for p in outputs},
    }
