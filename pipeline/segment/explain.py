"""What the segmenter decided and why: the text of ``pipeline extract --explain``.

One line per block (first source line, type, the reason for the type and
the start of its text), then one line per page break repaired inside it,
and, for a block that stops mid-clause but was kept apart, why.
"""

from __future__ import annotations

from .model import Document

#: Characters of a block's text shown after its reason.
PREVIEW_CHARS = 24


def _preview(text: str) -> str:
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"


def explain(document: Document) -> str:
    """Every block type and every page-break decision of ``document``, with
    its reason, as lines of text."""
    joins = sum(len(block.joins) for block in document.blocks)
    repair = "" if document.repair else "; page-break repair off"
    out = [f"{document.name}: {len(document.blocks)} blocks, {joins} page-break joins{repair}"]
    for block in document.blocks:
        out.append(f"  L{block.line:<5} {block.type.value:<14} {block.reason}  | {_preview(block.text)}")
        for join in block.joins:
            moved = ", ".join(f"L{line}" for line in join.moved)
            after = f"; caption {moved} moved after the paragraph" if moved else ""
            out.append(f"  {'':<6} {'join':<14} L{join.line} continues this paragraph: {join.reason}{after}")
        if block.kept_apart:
            out.append(f"  {'':<6} {'not joined':<14} {block.kept_apart}")
    return "\n".join(out) + "\n"
