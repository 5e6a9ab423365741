"""Split Chinese running text into sentences (rules in :mod:`.rules`)."""

from __future__ import annotations

from . import rules

_ENDS = rules.SENTENCE_ENDS + ("\uff1b" if rules.SEMICOLON_ENDS_SENTENCE else "")
_WS = " \t\u3000\n"


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """(open, close) positions of matched quotes/brackets short enough to keep whole."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch in rules.QUOTE_PAIRS:
            stack.append((rules.QUOTE_PAIRS[ch], i))
        elif stack and ch == stack[-1][0]:
            _, start = stack.pop()
            if i - start <= rules.MAX_UNSPLIT_QUOTE:
                spans.append((start, i))
        elif any(closer == ch for closer, _ in stack):
            # A closer for an outer quote: the inner ones were never closed.
            while stack and stack[-1][0] != ch:
                stack.pop()
            _, start = stack.pop()
            if i - start <= rules.MAX_UNSPLIT_QUOTE:
                spans.append((start, i))
    return spans


def boundaries(text: str) -> list[int]:
    """Positions where a new sentence starts (exclusive of 0 and len(text))."""
    quoted = _quoted_spans(text)
    n = len(text)
    out: list[int] = []
    i = 0
    while i < n:
        ch = text[i]
        if ch not in _ENDS and ch != rules.ELLIPSIS:
            i += 1
            continue
        j = i
        while j < n and (text[j] in _ENDS or text[j] == rules.ELLIPSIS):
            j += 1
        only_ellipsis = all(c == rules.ELLIPSIS for c in text[i:j])
        while j < n and text[j] in rules.CLOSERS:
            j += 1
        rest = text[j:].strip(_WS)
        inside_quote = any(a < j <= b for a, b in quoted)
        if rest and not inside_quote and not only_ellipsis:
            out.append(j)
        i = j
    return out


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """``(start, end)`` spans of the sentences of ``text``, without the
    surrounding white space, shifted by ``offset``."""
    cuts = [0, *boundaries(text), len(text)]
    spans = []
    for a, b in zip(cuts, cuts[1:]):
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip(_WS))
        trail = len(piece) - len(piece.rstrip(_WS))
        if b - trail > a + lead:
            spans.append((offset + a + lead, offset + b - trail))
    return spans
