"""Plain text (``.txt``): today's path, unchanged.

Decoding (UTF-8, GB18030, BOMs; mixed encodings refused), control
characters refused with line and column, then :func:`segment_document`:
blank-line blocks typed by their text, page-break repair (a rule of
plain-text sources, typically OCR'd newspaper pages, only), sentences.
Plain text has no inline codes and no output of its own: its editions are
today's (``.en.txt``, ``.en.md``, ``.bilingual.html``, ``.bilingual.md``).
"""

from __future__ import annotations

from ..segment import Document, segment_document
from ..sources import decode_text
from . import Format, ReadContext

KINDS = frozenset({"zip", "ole", "pdf", "binary", "html", "text", "empty"})


def read_text(data: bytes, ctx: ReadContext) -> Document:
    """Decode and segment a plain-text source, exactly as before formats existed."""
    text, encoding = decode_text(data, ctx.where)
    document = segment_document(ctx.name, text, repair=ctx.repair)
    document.encoding = encoding
    return document


FORMAT = Format(name="text", label="plain text", suffixes=(".txt",), kinds=KINDS, read=read_text)
