"""``<doc>.en.md`` (the English edition) and ``<doc>.bilingual.md``."""

from __future__ import annotations

import html
import re

from ..languages import SOURCE
from ..segment import BlockType, Part
from .model import Edition, EditionBlock, EditionSegment, Shown

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")
_LINE_START = re.compile(r"^(\s*)([-+]|\d+[.)]|>|=+|-+)(?=\s|$)")


def escape_md(text: str) -> str:
    """Escape ``text`` so Markdown shows it literally."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _segment(seg: EditionSegment) -> str:
    if seg.shown is Shown.UNTRANSLATED:
        return f'<span class="untranslated" lang="{SOURCE.bcp47}">{html.escape(seg.target)}</span>'
    text = escape_md(seg.target)
    if seg.part is Part.SPEAKER_LABEL:
        return f"**{text}**"
    return text


_HEADING_PREFIX = {
    BlockType.TITLE: "# ",
    BlockType.SUBTITLE: "## ",
    BlockType.SECTION_NUMBER: "### ",
    BlockType.HEADING: "### ",
}


def _inline(block: EditionBlock) -> str:
    body = " ".join(_segment(seg) for seg in block.segments)
    if block.type in (BlockType.CAPTION, BlockType.BYLINE):
        return f"*{body}*"
    return body


def render_markdown(edition: Edition) -> str:
    """Title and headings as headings, captions in italics, speaker labels in bold."""
    return "\n\n".join(_HEADING_PREFIX.get(b.type, "") + _inline(b) for b in edition.blocks) + "\n"


def render_bilingual_markdown(edition: Edition) -> str:
    """Each source paragraph followed by its English paragraph."""
    out = []
    for block in edition.blocks:
        out.append(escape_md(block.source))
        out.append(_inline(block))
    return "\n\n".join(out) + "\n"
