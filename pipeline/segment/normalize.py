"""Normalise OCR-style half-width punctuation in Chinese text.

Newspaper text that went through OCR or a web page often carries ASCII
punctuation with a trailing space (``新型工业化, 宁波``). In Chinese context
such punctuation is turned into its full-width form and the spaces around
it, which full-width punctuation does not need, are dropped:

* ``,`` ``:`` ``;`` ``?`` ``!`` become ``，：；？！`` when the character before
  them (spaces skipped) is a Han character or CJK punctuation, or the
  character after them is a Han character (``2027, 宁波``);
* a matched pair ``( )`` becomes ``（ ）`` when it encloses Han text or sits
  against Chinese text on either side.

ASCII words, numbers and Latin names are left as they are (``Y-space``,
``AI for Science``, ``6吋``, ``3:2``, ``http://``). The transformation is a
pure function of the line, and applying it twice changes nothing, so
re-extraction is stable.
"""

from __future__ import annotations

from .rules import CJK_CONTEXT_RE, FULL_PAREN_PAIR, HALF_TO_FULL, HAN_RE, PAREN_PAIR

_SPACES = " \t\u3000"


def _is_cjk(ch: str | None) -> bool:
    return ch is not None and bool(CJK_CONTEXT_RE.match(ch))


def _prev_nonspace(chars: list[str], i: int) -> str | None:
    i -= 1
    while i >= 0 and chars[i] in _SPACES:
        i -= 1
    return chars[i] if i >= 0 else None


def _next_nonspace(chars: list[str], i: int) -> str | None:
    i += 1
    while i < len(chars) and chars[i] in _SPACES:
        i += 1
    return chars[i] if i < len(chars) else None


def _strip_spaces_around(chars: list[str], i: int, left: bool, right: bool) -> None:
    """Blank the spaces next to position ``i`` (they are removed at the end)."""
    if left:
        j = i - 1
        while j >= 0 and chars[j] in _SPACES:
            chars[j] = ""
            j -= 1
    if right:
        j = i + 1
        while j < len(chars) and chars[j] in _SPACES:
            chars[j] = ""
            j += 1


def _matched_parens(chars: list[str]) -> list[tuple[int, int]]:
    """Innermost-first pairs of matching ASCII parentheses."""
    open_, close = PAREN_PAIR
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i, ch in enumerate(chars):
        if ch == open_:
            stack.append(i)
        elif ch == close and stack:
            pairs.append((stack.pop(), i))
    return pairs


def normalize(line: str) -> str:
    """Return ``line`` with half-width punctuation in Chinese context made full-width."""
    # One pass can put a character in Chinese context that was not before
    # (``(AI), 人工`` → ``(AI)，人工``, whose ``)`` now touches ``，``), so
    # repeat until nothing changes. Each pass that changes anything converts
    # at least one character, so this ends.
    while True:
        out = _normalize_once(line)
        if out == line:
            return out
        line = out


def _normalize_once(line: str) -> str:
    chars = list(line)

    for start, end in _matched_parens(chars):
        inner = "".join(chars[start + 1 : end])
        before = _prev_nonspace(chars, start)
        after = _next_nonspace(chars, end)
        if HAN_RE.search(inner) or _is_cjk(before) or _is_cjk(after):
            chars[start], chars[end] = FULL_PAREN_PAIR
            _strip_spaces_around(chars, start, left=_is_cjk(before) or before is None, right=False)
            _strip_spaces_around(chars, end, left=False, right=_is_cjk(after) or after is None)

    for i, ch in enumerate(chars):
        full = HALF_TO_FULL.get(ch)
        if full is None:
            continue
        before = _prev_nonspace(chars, i)
        after = _next_nonspace(chars, i)
        if not (_is_cjk(before) or (after is not None and HAN_RE.match(after))):
            continue
        chars[i] = full
        _strip_spaces_around(chars, i, left=True, right=True)

    return "".join(chars)
