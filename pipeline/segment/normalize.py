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

import heapq
import re
from bisect import bisect_left, bisect_right

from ..zh.script import CJK_CONTEXT_RE, HAN_RE
from .rules import FULL_PAREN_PAIR, HALF_TO_FULL, PAREN_PAIR

_SPACES = " \t\u3000"


def _is_cjk(ch: str | None) -> bool:
    return ch is not None and bool(CJK_CONTEXT_RE.match(ch))


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


#: The marks the rule may convert: half-width punctuation and parentheses.
_MARKS_RE = re.compile("[" + re.escape("".join(HALF_TO_FULL) + "".join(PAREN_PAIR)) + "]")


def _matched_parens(marks: list[tuple[int, str]]) -> list[tuple[int, int]]:
    """Innermost-first pairs of matching ASCII parentheses among ``marks``."""
    open_, close = PAREN_PAIR
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i, ch in marks:
        if ch == open_:
            stack.append(i)
        elif ch == close and stack:
            pairs.append((stack.pop(), i))
    return pairs


def normalize(line: str) -> str:
    """Return ``line`` with half-width punctuation in Chinese context made full-width."""
    # The rule is a fixpoint: a conversion can put a character in Chinese
    # context that was not before (``(AI), 人工`` → ``(AI)，人工``, whose
    # ``)`` now touches ``，``). It is defined by passes over the line, each
    # converting matched parentheses (innermost first) and then punctuation
    # from left to right, until a pass changes nothing. Running those passes
    # literally costs a pass per link of a chain such as ``(a)(b)(c)…人``,
    # quadratic time, so the conversions are made here in the same order,
    # ``(pass, phase, position)``, from a priority queue: a conversion
    # queues only the marks whose context it changed.
    marks = [(m.start(), m.group()) for m in _MARKS_RE.finditer(line)]
    if not marks:
        return line
    chars = list(line)
    n = len(chars)
    han = [m.start() for m in HAN_RE.finditer(line)]

    # Spaces only ever become "" (removed), which still counts as a space, so
    # the nearest non-space neighbours of a position never change.
    def before(pos: int) -> int:
        pos -= 1
        while pos >= 0 and chars[pos] in _SPACES:
            pos -= 1
        return pos

    def after(pos: int) -> int:
        pos += 1
        while pos < n and chars[pos] in _SPACES:
            pos += 1
        return pos

    def cjk_at(pos: int) -> bool:
        return 0 <= pos < n and _is_cjk(chars[pos])

    # Candidates: matched parenthesis pairs, keyed (0, close) as a pass meets
    # them innermost first, then punctuation marks, keyed (1, position).
    pairs = _matched_parens(marks)
    keys: list[tuple[int, int]] = [(0, close) for _, close in pairs]
    owner: dict[int, int] = {}  # position -> candidate
    for c, (open_, close) in enumerate(pairs):
        owner[open_] = owner[close] = c
    for i, ch in marks:
        if ch in HALF_TO_FULL:
            owner[i] = len(keys)
            keys.append((1, i))

    def holds(c: int) -> bool:
        phase, pos = keys[c]
        if phase == 0:
            open_, close = pairs[c]
            han_inside = bisect_left(han, close) > bisect_right(han, open_)
            return han_inside or cjk_at(before(open_)) or cjk_at(after(close))
        nxt = after(pos)
        return cjk_at(before(pos)) or (nxt < n and bool(HAN_RE.match(chars[nxt])))

    def context_changed(changed: tuple[int, ...]):
        """The candidates whose condition reads a ``changed`` position: a mark
        or an opening parenthesis right after it (they look back), a closing
        parenthesis right before it (it looks ahead). Punctuation looks ahead
        only for a Han character, which no conversion makes."""
        for p in changed:
            nxt, prev = after(p), before(p)
            d = owner.get(nxt)
            if d is not None and (d >= len(pairs) or pairs[d][0] == nxt):
                yield d
            d = owner.get(prev)
            if d is not None and d < len(pairs) and pairs[d][1] == prev:
                yield d

    best: dict[int, tuple[int, int, int]] = {}  # candidate -> (pass, phase, position)
    queue: list[tuple[tuple[int, int, int], int]] = []

    def offer(c: int, when: tuple[int, int, int]) -> None:
        if c not in best or when < best[c]:
            best[c] = when
            heapq.heappush(queue, (when, c))

    for c, key in enumerate(keys):
        if holds(c):
            offer(c, (1, *key))

    done: set[int] = set()
    while queue:
        when, c = heapq.heappop(queue)
        if c in done or best[c] != when:
            continue
        done.add(c)
        phase, pos = keys[c]
        if phase == 0:
            open_, close = pairs[c]
            chars[open_], chars[close] = FULL_PAREN_PAIR
            left, right = before(open_), after(close)
            _strip_spaces_around(chars, open_, left=left < 0 or cjk_at(left), right=False)
            _strip_spaces_around(chars, close, left=False, right=right >= n or cjk_at(right))
            changed: tuple[int, ...] = (open_, close)
        else:
            chars[pos] = HALF_TO_FULL[chars[pos]]
            _strip_spaces_around(chars, pos, left=True, right=True)
            changed = (pos,)
        for d in context_changed(changed):
            if d not in done:
                # Its turn comes later in this pass, or in the next one.
                offer(d, (when[0] if keys[d] > keys[c] else when[0] + 1, *keys[d]))
    return "".join(chars)
