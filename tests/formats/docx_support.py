"""Helpers for the DOCX and Markdown tests: contexts, editions, Word files
made from raw XML, and independent readers (python-docx, pandoc)."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from pipeline.editions.model import Coverage, Edition, EditionBlock, EditionSegment, Shown
from pipeline.formats import ReadContext
from pipeline.testing.docx_files import docx_with_body  # noqa: F401 (the tests import it from here)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "formats"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def ctx(where: str, config=None) -> ReadContext:
    return ReadContext(Path(where).stem, where, config=config)


def edition_of(document, translate=lambda text: text, shown=Shown.REVIEWED) -> Edition:
    """An edition of ``document`` whose every segment shows ``translate(msgid)``."""
    blocks = [
        EditionBlock(b.type, b.text, [EditionSegment(s.text, translate(s.text), shown, s.part) for s in b.segments])
        for b in document.blocks
    ]
    n = sum(len(b.segments) for b in blocks)
    return Edition(document.name, blocks, Coverage(n, n, n if shown is Shown.REVIEWED else 0, 0))


def needs_pandoc() -> str:
    path = shutil.which("pandoc")
    if path is None:
        pytest.fail("pandoc is required (Debian package pandoc; .ci/run installs it)")
    return path


def pandoc(data: bytes, source_format: str, target_format: str = "plain", tmp: Path | None = None) -> str:
    """``data`` converted by pandoc (an independent reader)."""
    needs_pandoc()
    suffix = {"docx": ".docx", "commonmark": ".md", "markdown": ".md"}.get(source_format, ".txt")
    path = (tmp or Path("/tmp")) / f"pandoc-input{suffix}"
    path.write_bytes(data)
    done = subprocess.run(
        ["pandoc", "-f", source_format, "-t", target_format, "--wrap=none", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _run_format(run) -> tuple:
    rpr = run._element.rPr
    east_asia = rpr.rFonts.get(f"{{{W_NS}}}eastAsia") if rpr is not None and rpr.rFonts is not None else None
    return (
        run.bold,
        run.italic,
        run.underline,
        run.font.superscript,
        run.font.name,
        east_asia,
        run.style.name if run.style is not None else None,
    )


def _paragraph_chars(paragraph) -> list[tuple]:
    out = []
    for item in paragraph.iter_inner_content():
        if isinstance(item, docx.text.hyperlink.Hyperlink):
            for run in item.runs:
                out.extend((ch, _run_format(run), item.address) for ch in run.text)
        else:
            out.extend((ch, _run_format(item), None) for ch in item.text)
    return out


def _cells(table):
    for row in table.rows:
        for cell in row.cells:
            yield cell
            for inner in cell.tables:
                yield from _cells(inner)


def formatted_text(data: bytes) -> list[list[tuple]]:
    """Every paragraph of the body, tables (nested), headers and footers as
    python-docx reads it: characters with their run formatting and link."""
    document = docx.Document(io.BytesIO(data))
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for cell in _cells(table):
            paragraphs.extend(cell.paragraphs)
    for section in document.sections:
        paragraphs.extend(section.header.paragraphs)
        paragraphs.extend(section.footer.paragraphs)
    return [_paragraph_chars(p) for p in paragraphs]


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {info.filename: z.read(info) for info in z.infolist()}
