"""Repair sentences that a printed page broke across blocks.

A body block that does not end a sentence continues in the next body
block. Captions and photo credits printed between the two halves stay
separate blocks and move after the joined paragraph. Titles, headings,
bylines and section numbers end without punctuation by nature; they are
never joined.
"""

from __future__ import annotations

from .blocks import block_text, ends_sentence, join_text
from .model import Block, BlockType
from .rules import CLOSERS

#: Blocks that may be the first half of a broken sentence.
CONTINUABLE = frozenset({BlockType.BODY, BlockType.QA_TURN})
#: Blocks printed in the middle of a sentence, moved after it.
INTERRUPTING = frozenset({BlockType.CAPTION})


def repair_page_breaks(blocks: list[Block]) -> list[Block]:
    """Join broken sentences; return the repaired list of blocks."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        i += 1
        moved: list[Block] = []
        joined = [block]
        # Whether the joined paragraph ends a sentence depends on its end
        # only: the last piece, and the one before when the last is nothing
        # but closing quotes. The paragraph is joined once, at the end, so a
        # long run of broken blocks costs linear time.
        tail = block.text
        while block.type in CONTINUABLE and not ends_sentence(tail):
            j = i
            while j < len(blocks) and blocks[j].type in INTERRUPTING:
                j += 1
            if j >= len(blocks) or blocks[j].type is not BlockType.BODY:
                break
            moved.extend(blocks[i:j])
            joined.append(blocks[j])
            piece = blocks[j].text
            tail = piece if piece.rstrip(CLOSERS + " ") else join_text(tail, piece)
            i = j + 1
        if len(joined) > 1:
            lines = [line for b in joined for line in b.lines]
            block = Block(block.type, lines, block_text(lines))
        out.append(block)
        out.extend(moved)
    return out
