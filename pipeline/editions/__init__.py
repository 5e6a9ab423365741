"""Editions: the English text, Markdown and the bilingual HTML and Markdown,
rebuilt from the source document and its catalog.

Each renderer is a pure function ``render_x(edition) -> str``;
:func:`save_editions` is the one that writes files (atomically)."""

from __future__ import annotations

from pathlib import Path

from ..atomicfile import atomic_write_text
from .html import render_html
from .markdown import render_bilingual_markdown, render_markdown
from .model import Coverage, Edition, assemble
from .text import render_text

#: File name suffix → renderer. The file layout of a build, defined once.
RENDERERS = {
    ".en.txt": render_text,
    ".en.md": render_markdown,
    ".bilingual.html": render_html,
    ".bilingual.md": render_bilingual_markdown,
}

__all__ = ["Coverage", "Edition", "RENDERERS", "assemble", "save_editions"]


def save_editions(out_dir: Path, edition: Edition) -> list[Path]:
    """Write every edition of ``edition`` into ``out_dir``; return the paths."""
    paths = []
    for suffix, render in RENDERERS.items():
        path = out_dir / f"{edition.name}{suffix}"
        atomic_write_text(path, render(edition))
        paths.append(path)
    return paths
