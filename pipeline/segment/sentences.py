"""Split Chinese running text into sentences (rules in :mod:`.rules`)."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from itertools import pairwise

from ..zh.script import CLOSERS, ELLIPSIS, SENTENCE_ENDS
from . import rules

_ENDS = SENTENCE_ENDS + ("\uff1b" if rules.SEMICOLON_ENDS_SENTENCE else "")
_WS = " \t\u3000\n"


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """(open, close) positions of matched quotes/brackets short enough to keep whole."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    # How many quotes on the stack wait for each closer: a text full of
    # unclosed quotes must not make every closer scan the whole stack.
    waiting: Counter[str] = Counter()
    for i, ch in enumerate(text):
        if ch in rules.QUOTE_PAIRS:
            stack.append((rules.QUOTE_PAIRS[ch], i))
            waiting[rules.QUOTE_PAIRS[ch]] += 1
        elif waiting[ch]:
            # A closer for an outer quote pops the inner ones, never closed.
            while True:
                closer, start = stack.pop()
                waiting[closer] -= 1
                if closer == ch:
                    break
            if i - start <= rules.MAX_UNSPLIT_QUOTE:
                spans.append((start, i))
    return spans


def _merged_quote_ends(quoted: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The positions ``j`` with ``a < j <= b`` for some quoted span, as sorted,
    disjoint ranges ``(starts[k], ends[k])`` (both inclusive), for bisection."""
    starts: list[int] = []
    ends: list[int] = []
    for a, b in sorted(quoted):
        if starts and a + 1 <= ends[-1] + 1:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a + 1)
            ends.append(b)
    return starts, ends


def boundaries(text: str) -> list[int]:
    """Positions where a new sentence starts (exclusive of 0 and len(text))."""
    starts, ends = _merged_quote_ends(_quoted_spans(text))
    n = len(text)
    last_text = len(text.rstrip(_WS))  # nothing but white space from here on
    out: list[int] = []
    i = 0
    while i < n:
        ch = text[i]
        if ch not in _ENDS and ch != ELLIPSIS:
            i += 1
            continue
        j = i
        while j < n and (text[j] in _ENDS or text[j] == ELLIPSIS):
            j += 1
        only_ellipsis = all(c == ELLIPSIS for c in text[i:j])
        while j < n and text[j] in CLOSERS:
            j += 1
        rest = j < last_text
        k = bisect_left(ends, j)  # the first quoted range that ends at or after j
        inside_quote = k < len(ends) and starts[k] <= j
        if rest and not inside_quote and not only_ellipsis:
            out.append(j)
        i = j
    return out


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """``(start, end)`` spans of the sentences of ``text``, without the
    surrounding white space, shifted by ``offset``."""
    cuts = [0, *boundaries(text), len(text)]
    spans = []
    for a, b in pairwise(cuts):
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip(_WS))
        trail = len(piece) - len(piece.rstrip(_WS))
        if b - trail > a + lead:
            spans.append((offset + a + lead, offset + b - trail))
    return spans
