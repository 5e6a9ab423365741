"""Stage 4: catalogs → editions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .catalog import load_catalog
from .catalog.template import SOURCE_HEADER
from .editions import Coverage, assemble, write_editions
from .errors import PipelineError
from .segment import segment_document
from .sources import SUPPORTED_SUFFIXES, read_source
from .workspace import Workspace


@dataclass
class BuildResult:
    doc: str
    coverage: Coverage
    paths: list[Path]


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


def build(ws: Workspace, doc: str, out_dir: Path, reviewed_only: bool = False) -> BuildResult:
    """Rebuild ``doc`` from its source and catalog; write its editions."""
    po_path = ws.catalog_path(doc)
    catalog = load_catalog(po_path, ws.relative(po_path))
    path = source_of(ws, doc, catalog.extra_headers.get(SOURCE_HEADER))
    source = read_source(path, ws.relative(path))
    edition = assemble(segment_document(doc, source.text), catalog, reviewed_only)
    return BuildResult(doc, edition.coverage, write_editions(edition, out_dir))
