"""Where GNU gettext may break a line of a PO string, and where it does.

GNU gettext (``msgcat``, ``msgmerge``, ``xgettext``) wraps strings with
libunistring: the break opportunities of Unicode's line-breaking algorithm
(UAX #14, libunistring's pair-table version of it) and a greedy fill by
display width (``uc_width``: 2 columns for a Han character or full-width
punctuation, 1 for Latin letters and for ambiguous-width characters such as
“ ” and …, 0 for combining marks). This module is that algorithm, on the
tables that :mod:`pipeline.catalog.linebreak_data` copies from libunistring
(``scripts/gen_linebreak_data.py`` regenerates and checks them), so that our
catalogs wrap as gettext's own tools wrap them, on any machine.

:func:`width_breaks` is linear in the length of the text. Text made of the
common classes (letters, digits, Han, punctuation, spaces) is handled run by
run: a run of equal characters costs one step, and the greedy fill jumps
from line to line by bisection. Text with combining marks, joiners,
regional indicators, Hebrew letters or mandatory breaks goes character by
character, as libunistring does.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection

from . import linebreak_data as _data

_N = _data.CLASSES
_PAIRS = _data.PAIRS
_DIRECT, _INDIRECT = 1, 2
# Classes (libunistring's numbering) that the run-by-run path does not handle.
_HL, _RI, _ZWJ, _BK, _CR, _LF, _CM, _ZW, _SP = 28, 29, 30, 33, 34, 35, 36, 37, 38
_HY, _BA, _AL = 5, 3, 20
_HL_BA = 100
_BASE = 0x100  # a key k is written chr(_BASE + k), k = class * 3 + width


class _Keys(dict):
    """Code point -> key character, filled on first use (str.translate asks
    for each distinct character once)."""

    def __missing__(self, code: int) -> str:
        key = chr(_BASE + _data.KEYS[bisect_right(_data.STARTS, code) - 1])
        self[code] = key
        return key


_KEYS = _Keys()
_SPECIAL = re.compile(
    "[" + "".join(chr(_BASE + c * 3 + w) for c in (_HL, _RI, _ZWJ, _BK, _CR, _LF, _CM, _ZW) for w in range(3)) + "]"
)
_RUNS = re.compile(r"(.)\1*", re.DOTALL)


class _Info(dict):
    """Key character -> (class, width, whether two of them in a row may break)."""

    def __missing__(self, key: str) -> tuple[int, int, bool]:
        cls, width = divmod(ord(key) - _BASE, 3)
        info = (cls, width, cls < _N and _PAIRS[cls * _N + cls] == _DIRECT)
        self[key] = info
        return info


_INFO = _Info()


def display_width(text: str) -> int:
    """Columns ``text`` takes, as gettext counts them."""
    return sum(_INFO[k][1] for k in text.translate(_KEYS))


class Prepared:
    """The break opportunities of a text, ready to be filled to a width."""

    def __init__(self, text: str, no_break: Collection[int] = ()):
        keys = text.translate(_KEYS)
        self._slow = _SPECIAL.search(keys) is not None
        if self._slow:
            self._keys, self._possible = keys, _possible_slow(keys)
            self._no_break = no_break
            return
        opportunities: list[int] = []
        columns: list[int] = []  # the column (from the text's start) of each opportunity
        last = -1  # class of the last non-space character; -1: none yet
        seen_space = False
        column = 0
        info = _INFO
        for run in _RUNS.finditer(keys):
            cls, w, self_direct = info[run.group(1)]
            begin = run.start()
            count = run.end() - begin
            if cls == _SP:
                seen_space = True
                column += count * w
                continue
            if last >= 0:
                rule = _PAIRS[last * _N + cls]
                if rule == _DIRECT or (rule == _INDIRECT and seen_space):
                    opportunities.append(begin)
                    columns.append(column)
            if count > 1 and self_direct:
                opportunities.extend(range(begin + 1, begin + count))
                columns.extend(range(column + w, column + count * w, w) if w else [column] * (count - 1))
            column += count * w
            last, seen_space = cls, False
        if no_break:
            kept = [i for i, at in enumerate(opportunities) if at not in no_break]
            opportunities = [opportunities[i] for i in kept]
            columns = [columns[i] for i in kept]
        self._opportunities, self._columns, self._total = opportunities, columns, column

    def fill(self, width: int, start: int = 0) -> list[int]:
        """The positions before which a line starts when the text is filled
        to ``width`` columns, its first line beginning at column ``start``."""
        if self._slow:
            return _fill_slow(self._keys, self._possible, width, start, self._no_break)
        return _fill(self._opportunities, self._columns, self._total, width, start)


def width_breaks(text: str, width: int, start: int = 0, no_break: Collection[int] = ()) -> list[int]:
    """The positions of ``text`` before which gettext starts a new line when
    ``text`` is filled to ``width`` columns, the first line beginning at
    column ``start`` (libunistring's ``u8_width_linebreaks``, no columns
    reserved at the end). ``no_break`` holds positions where a break is
    forbidden whatever the rules say (gettext forbids it inside an escape
    sequence such as ``\\n``)."""
    return Prepared(text, no_break).fill(width, start)


def _fill(opportunities: list[int], columns: list[int], total: int, width: int, start: int) -> list[int]:
    """libunistring's greedy fill over the break opportunities, a line at a
    time: a line takes pieces (text between opportunities) until one would
    end past ``width``; the line then breaks before that piece, which starts
    the next line, however long it is."""
    breaks: list[int] = []
    n = len(opportunities)
    line_start = -start  # column of the current line's start, as counted in ``columns``
    first = 1  # the first opportunity whose piece end is checked on this line
    while True:
        q = bisect_right(columns, width + line_start, first)
        if q >= n:
            if n and total - line_start > width and first <= n:
                breaks.append(opportunities[n - 1])
            return breaks
        breaks.append(opportunities[q - 1])
        line_start = columns[q - 1]
        first = q + 1


def _possible_slow(keys: str) -> list[int]:
    """For each character, whether a line may break before it (1), must break
    after it (2, a line break character) or may not break before it (0):
    libunistring's ``u8_possible_linebreaks_loop``, character by character."""
    possible: list[int] = []  # 0 prohibited, 1 possible, 2 mandatory
    prev = last = _BK
    seen_space = False
    ri_count = 0
    for key in keys:
        cls = (ord(key) - _BASE) // 3
        if cls in (_BK, _LF, _CR):
            possible.append(2)
            prev, last, seen_space = cls, _BK, False
        else:
            if cls == _SP:
                possible.append(0)
                seen_space = True
            elif cls == _ZW:
                possible.append(0)
                last, seen_space = _ZW, False
            elif cls in (_CM, _ZWJ):
                if last == _BK:
                    possible.append(0)
                    last, seen_space = _AL, False
                elif last == _ZW or seen_space:
                    possible.append(1)
                    last, seen_space = _AL, False
                else:
                    possible.append(0)
            else:
                if last == _BK:
                    brk = False
                elif last == _ZW:
                    brk = True
                elif prev == _ZWJ:
                    brk = False
                elif last == _RI and cls == _RI:
                    brk = seen_space or ri_count % 2 == 0
                elif prev == _HL_BA:
                    brk = False
                else:
                    rule = _PAIRS[last * _N + cls]
                    brk = rule == _DIRECT or (rule == _INDIRECT and seen_space)
                possible.append(1 if brk else 0)
                last, seen_space = cls, False
            prev = _HL_BA if prev == _HL and cls in (_HY, _BA) else cls
        ri_count = ri_count + 1 if cls == _RI else 0
    return possible


def _fill_slow(keys: str, possible: list[int], width: int, start: int, no_break: Collection[int]) -> list[int]:
    """libunistring's ``u8_width_linebreaks``, character by character."""
    breaks: list[int] = []
    last_p = -1
    column, piece = start, 0
    for i, key in enumerate(keys):
        kind = 0 if i in no_break else possible[i]
        if kind and last_p >= 0 and column + piece > width:
            breaks.append(last_p)
            column = 0
        if kind == 2:
            last_p, column, piece = -1, 0, 0
            continue
        if kind == 1:
            last_p = i
            column += piece
            piece = 0
        piece += _INFO[key][1]
    if last_p >= 0 and column + piece > width:
        breaks.append(last_p)
    return breaks
