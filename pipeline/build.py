"""Stage 4: catalogs → editions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .atomicfile import atomic_write, read_regular
from .cache import StageCache, content_hash, file_signature
from .catalog import load_catalog
from .catalog.roles import roles_for
from .catalog.template import SOURCE_HEADER, repairs_page_breaks
from .config import load_config
from .editions import RENDERERS, Coverage, assemble, save_editions
from .errors import PipelineError
from .formats import format_for, load_document, merge_paths, output_paths, render_outputs, write_rendered
from .inline import plain_edition, usable
from .sources import SUPPORTED_SUFFIXES
from .tm.store import exchanged_units
from .tm.tmx import exportable, tmx_bytes
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
    ws: Workspace,
    doc: str,
    out_dir: Path,
    reviewed_only: bool = False,
    cache: StageCache | None = None,
    approved_only: bool = False,
) -> BuildResult:
    """Rebuild ``doc`` from its source and catalog; write its editions
    (with ``approved_only``, only approved translations: everything else
    falls back to the source, marked).

    With a ``cache``, a document whose source, catalog, options and written
    editions are unchanged since the last build is not rebuilt."""
    out_dir = ws.output_dir(out_dir)
    po_path = ws.catalog_path(doc)
    roles = roles_for(ws)  # approvals count under the workspace's roles
    paths = [out_dir / f"{doc}{suffix}" for suffix in RENDERERS] + [out_dir / f"{doc}{TMX_SUFFIX}"]
    record = cache.get("build", doc) if cache is not None else None
    if record is not None:
        paths = merge_paths(paths, output_paths(out_dir, doc, format_for(Path(record["source_path"]))))  # .en.html
        inputs = _inputs(ws, record["source_path"], po_path, (reviewed_only, approved_only, roles), paths)
        if inputs is not None and inputs == record["inputs"]:
            return BuildResult(doc, Coverage(**record["coverage"]), paths, skipped=True)

    display = ws.relative(po_path)
    catalog = load_catalog(po_path, display, inside=ws.root)
    path = source_of(ws, doc, catalog.extra_headers.get(SOURCE_HEADER), display)
    # Read in its format (plain text, HTML, …), cut as extraction cut it.
    ref, repair = ws.relative(path), repairs_page_breaks(catalog)
    document = load_document(path, ref, inside=ws.root, name=doc, repair=repair, config=load_config(ws.root))
    edition = assemble(document, catalog, reviewed_only, approved_only, roles)
    # The plain editions for every format (inline tags removed), then the
    # format's own (.en.html, …). A translation whose tags do not match its
    # source is shown as the source, and not counted as translated.
    plain = plain_edition(edition, document)
    rendered = render_outputs(out_dir, doc, format_for(path, ref), document, edition)  # before writing anything
    written = save_editions(out_dir, plain)
    written = merge_paths(written, write_rendered(rendered))
    # The document's reviewed pairs, for other tools' translation memories:
    # only sentences the document still has, with translations an edition
    # can show (tags that match, no refused character: pipeline.inline.usable).
    segments = {seg.text: block for block, seg in document.segments() if seg.translatable}
    units = [u for u in exchanged_units(catalog, doc, segments) if usable(segments[u.source], u.source, u.target)]
    tmx_path = out_dir / f"{doc}{TMX_SUFFIX}"
    atomic_write(tmx_path, tmx_bytes(exportable(units)[0]))  # nothing a TMX reader refuses (tm export says what)
    written.append(tmx_path)
    if cache is not None:
        ref = ws.relative(path)
        cache.put(
            "build",
            doc,
            {
                "source_path": ref,
                "inputs": _inputs(ws, ref, po_path, (reviewed_only, approved_only, roles), written),
                "coverage": vars(plain.coverage),
            },
        )
    return BuildResult(doc, plain.coverage, written)


def require_approved(results: Iterable[BuildResult], min_approved: float | None) -> None:
    """``--min-approved``: a PipelineError naming every document with less
    than ``min_approved`` percent of its segments approved."""
    if min_approved is None:
        return
    short = [
        f"{r.doc} {r.coverage.percent_approved:.1f}%" for r in results if r.coverage.percent_approved < min_approved
    ]
    if short:
        raise PipelineError(f"approved below {min_approved:g}%: {', '.join(short)}")


def require_coverage(results: Iterable[BuildResult], min_coverage: float | None) -> None:
    """``--min-coverage``: a PipelineError naming every document less
    translated than ``min_coverage`` percent."""
    if min_coverage is None:
        return
    short = [f"{r.doc} {r.coverage.percent:.1f}%" for r in results if r.coverage.percent < min_coverage]
    if short:
        raise PipelineError(f"coverage below {min_coverage:g}%: {', '.join(short)}")


def _inputs(ws: Workspace, source_ref: str, po_path: Path, options: tuple, outputs: list[Path]) -> dict | None:
    """What a build depends on; None when the source cannot be read safely
    (the full build then says why)."""
    try:
        source_hash = content_hash(read_regular(ws.resolve(source_ref), source_ref, inside=ws.root))
    except (OSError, PipelineError):
        return None
    return {
        "source": source_hash,
        "po": file_signature(po_path),
        "reviewed_only": options[0],
        "approved_only": options[1],
        "approvers": sorted(options[2].approvers),
        "allow_self_approval": options[2].allow_self_approval,
        "outputs": {str(p.resolve()): file_signature(p) for p in outputs},
    }
