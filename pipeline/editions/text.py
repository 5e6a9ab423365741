"""``<doc>.en.txt``: the English edition as plain text."""

from __future__ import annotations

from .model import Edition


def render_text(edition: Edition) -> str:
    """One paragraph per source block, in order, separated by one blank line."""
    return "\n\n".join(block.english for block in edition.blocks) + "\n"
