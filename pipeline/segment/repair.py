"""Repair sentences that a printed page broke across blocks.

A page break is repaired only where the evidence says so. The first half
must stop mid-clause (on a word or a comma; a colon, semicolon, dash or
quote mark ends a unit), the next body block must start with a word (not
with an opening quote, a dash or a speaker label), and one of these must
hold:

* the first half is a paragraph of several sentences whose last one stops
  mid-clause: the typical break, a column ending inside a paragraph;
* the break falls inside a word (并不 | 断演进升级 → 不断), read with the
  dictionary of :mod:`pipeline.zh.words`. A block that holds no
  sentence end at all must also read like running text: longer than a
  headline, with clause punctuation.

A block without any sentence end and without a split word is a headline,
standfirst, caption or dateline, never the first half of a sentence: one
paragraph per line is no evidence of a broken page. Captions printed
between the two halves stay separate blocks and move after the joined
paragraph. Titles, subtitles, bylines and section numbers never join.

Every join and every refusal carries its reason (:class:`~.model.Join`,
``Block.kept_apart``).
"""

from __future__ import annotations

from ..zh.script import is_han
from . import rules
from .blocks import block_text, holds_full_stop
from .model import Block, BlockType, Join

#: Blocks printed in the middle of a sentence, moved after it.
INTERRUPTING = frozenset({BlockType.CAPTION})
#: Blocks that may be the first half of a broken sentence; a heading only
#: when it reads like running text (and the break splits a word).
CONTINUABLE = frozenset({BlockType.BODY, BlockType.QA_TURN, BlockType.HEADING})


def stops_mid_clause(text: str) -> bool:
    """Whether ``text`` stops where a printed line could break a sentence:
    after a letter, digit or Han character, or after a comma."""
    core = text.rstrip(" \t\u3000")
    return bool(core) and (core[-1].isalnum() or core[-1] in rules.MID_CLAUSE_PUNCT)


def split_word(left: str, right: str) -> str | None:
    """The dictionary word that a break between ``left`` and ``right`` cuts
    in two (并不 | 断演进 → 不断), or None."""
    if not (left and right and is_han(left[-1]) and is_han(right[0])):
        return None
    from ..zh.words import word_spans  # loads jieba's dictionary: only when asked

    head = left[-rules.WORD_SPLIT_WINDOW :]
    window = head + right[: rules.WORD_SPLIT_WINDOW]
    cut = len(head)
    for start, end in word_spans(window):
        if start < cut < end:
            return window[start:end]
    return None


def _reads_like_running_text(text: str) -> bool:
    return len(text) > rules.MAX_HEADING_CHARS and any(ch in rules.CLAUSE_PUNCT for ch in text)


def _may_continue(block: Block) -> bool:
    """Whether ``block`` may be the first half of a broken sentence."""
    if block.type not in CONTINUABLE or not stops_mid_clause(block.text):
        return False
    return block.type is not BlockType.HEADING or _reads_like_running_text(block.text)


def _evidence(several: bool, tail: str, following: Block | None) -> tuple[bool, str]:
    """Whether a paragraph that stops mid-clause (its last piece ``tail``;
    ``several``: it holds a full stop) continues in ``following``, and why
    (not)."""
    if following is None:
        return False, "stops mid-clause, but it is the last block"
    if following.type is not BlockType.BODY:
        return False, f"stops mid-clause, but the next block is a {following.type.value}"
    start = following.text[:1]
    if not start.isalnum():
        return False, f"stops mid-clause, but the next block starts a unit of its own ({start})"
    if several:
        return True, "a paragraph of several sentences stops mid-clause and the next body block continues it"
    word = split_word(tail, following.text)  # the dictionary is loaded only when needed
    if word is None:
        return False, "stops mid-clause, but holds no full stop before it and the break splits no word"
    return True, f"running text stops mid-clause and the break splits the word {word}"


def repair_page_breaks(blocks: list[Block], enabled: bool = True) -> list[Block]:
    """Join broken sentences; return the repaired list of blocks.

    With ``enabled`` false (``--no-repair``: a source with one paragraph per
    line) nothing is joined, and blocks that stop mid-clause say so."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        i += 1
        if not _may_continue(block):
            out.append(block)
            continue
        if not enabled:
            block.kept_apart = "stops mid-clause; page-break repair is off (--no-repair)"
            out.append(block)
            continue
        # A body block that stops mid-clause holds a full stop by its type; a
        # turn may not.
        several = block.type is BlockType.BODY or (block.type is BlockType.QA_TURN and holds_full_stop(block.text))
        pieces, moved, joins = [block], [], []
        tail = block.text
        kept_apart = ""
        while stops_mid_clause(tail):
            j = i
            while j < len(blocks) and blocks[j].type in INTERRUPTING:
                j += 1
            following = blocks[j] if j < len(blocks) else None
            join, reason = _evidence(several, tail, following)
            if not join:
                kept_apart = reason
                break
            joins.append(Join(following.line, reason, tuple(b.line for b in blocks[i:j])))
            moved.extend(blocks[i:j])
            pieces.append(following)
            # The paragraph is joined once, at the end, so that a long run of
            # broken blocks costs linear time; only its last piece is read.
            tail = following.text
            several = True  # the paragraph now holds the body block's sentence end
            i = j + 1
        if joins:
            lines = [line for b in pieces for line in b.lines]
            btype, reason = block.type, block.reason
            if btype is BlockType.HEADING:
                btype, reason = BlockType.BODY, "running text continued across a page break"
            block = Block(btype, lines, block_text(lines), reason=reason, joins=joins)
        block.kept_apart = kept_apart
        out.append(block)
        out.extend(moved)
    return out
