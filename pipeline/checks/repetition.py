"""The checks for words said again: a machine translation stuck in a loop
(``repetition``) and a word written twice in a row (``doubled-word``).
Each is a small function ``(source, target, context)`` that yields one line
per problem.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from itertools import pairwise

from ..zh.script import HAN, HAN_RUN_RE
from .model import CheckContext

# --- repetition ----------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_MAX_NGRAM = 4
_MIN_REPEATS = 3


def _loops(units: list[str], max_n: int) -> Iterator[tuple[int, int, int]]:
    """``(start, n, repeats)`` for each run of a unit of ``n`` items repeated
    at least three times in a row; at each position the shortest unit wins."""
    i = 0
    while i < len(units):
        found = None
        for n in range(1, max_n + 1):
            if i + n * _MIN_REPEATS > len(units):
                break
            unit = units[i : i + n]
            repeats = 1
            while units[i + repeats * n : i + (repeats + 1) * n] == unit:
                repeats += 1
            if repeats >= _MIN_REPEATS:
                found = (i, n, repeats)
                break
        if found:
            yield found
            i += found[1] * found[2]
        else:
            i += 1


def check_repetition(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """A word or phrase of up to four words repeated three or more times in a
    row: a machine translation stuck in a loop. Not when the source repeats
    itself (加油！加油！加油！ → "Go! Go! Go!")."""
    words = [w.casefold() for w in _WORD_RE.findall(target)]
    loops = list(_loops(words, _MAX_NGRAM))
    if not loops:
        return
    # Letters only: the zeros of 1000万 are not the source repeating itself.
    source_letters = [ch for ch in source if unicodedata.category(ch)[0] == "L"]
    if any(True for _ in _loops(source_letters, 8)):
        return
    for start, n, repeats in loops:
        yield f'"{" ".join(words[start : start + n])}" repeated {repeats} times in a row'


# --- doubled-word --------------------------------------------------------------

#: A word (with an apostrophe: hotel's, we're) written twice. A hyphen may
#: precede it: "high-temperature temperature" repeats the word too.
_DOUBLED_RE = re.compile(r"(?<![\w'’])([^\W\d_]+(?:['’][^\W\d_]+)*)\s+(\1)(?![\w'’-])", re.IGNORECASE)
#: Words that English doubles on purpose: "he had had enough", "the point
#: is that that". ("What it is is" and "we do do" are grammatical too, but
#: the 5,961 professional translations of the news corpus never write them,
#: while a slip doubles "is" as easily as any word.)
GRAMMATICAL_DOUBLES = frozenset({"had", "that"})


#: A source that repeats a word of two to four characters (波拉波拉 "Bora
#: Bora", 加油加油 "go go"): its English may repeat one too.
_SOURCE_REPEAT_RE = re.compile(f"([{HAN}]{{2,4}})\\1")


#: One syllable of Hanyu Pinyin, without tone marks.
_PINYIN_SYLLABLE_RE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ui|ao|ou|iu|ie|ve|ue|er|an|en|in|un|ia|ua|uo|a|o|e|i|u|v)"
)


def _syllable_twice(word: str, source: str) -> bool:
    """Whether the source has two Han characters in a row that both read
    ``word`` in pinyin (杨洋 for "Yang Yang"): then "Yang Yang" is a name, while
    "He He" or "In In" is a slip."""
    if not _PINYIN_SYLLABLE_RE.fullmatch(word):
        return False
    from pypinyin import Style, lazy_pinyin

    for run in HAN_RUN_RE.findall(source):
        readings = lazy_pinyin(run, style=Style.NORMAL)
        if any(a == b == word for a, b in pairwise(readings)):
            return True
    return False


def check_doubled_word(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """The same word twice in a row ("the the"), a slip of typing or of MT.
    Not the doubles of English grammar (had had, that that), and not where
    the source repeats a word itself (波拉波拉 → "Bora Bora")."""
    if _SOURCE_REPEAT_RE.search(source):
        return
    for m in _DOUBLED_RE.finditer(target):
        if m.group(1)[:1].isupper() and m.group(2)[:1].isupper() and _syllable_twice(m.group(1).lower(), source):
            continue  # a Chinese name with one syllable twice: 杨洋 Yang Yang, 魏巍 Wei Wei
        if m.group(1).lower() not in GRAMMATICAL_DOUBLES:
            yield f'"{m.group()}": a word written twice'
            return
