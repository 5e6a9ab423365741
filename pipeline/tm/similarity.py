"""How alike two Chinese sources are: the match key and the similarity.

**Match key.** Sources are compared after a light normalisation that only
removes differences a reader would not call a different sentence:

1. the segmenter's own normalisation (:func:`pipeline.segment.normalize`):
   half-width punctuation in Chinese context becomes full-width, so OCR-style
   ``宁波, 发展`` and ``宁波，发展`` agree;
2. full-width ASCII forms become ASCII (``２０２４`` = ``2024``, ``ＡＩ`` =
   ``AI``, ``，`` = ``,``) after Unicode NFC; other characters, such as
   ``……`` or ``①``, stay as they are (:func:`pipeline.zh.width.fold_width`);
3. white space is dropped next to Chinese characters and punctuation
   (Chinese does not separate words with spaces) and collapsed to one space
   between Latin words.

Two sources with the same key are an *exact* match.

**Similarity** is ``1 - d / max(len(a), len(b))``, where ``d`` is the
Levenshtein distance between the two keys counted in characters (code
points): for Chinese a character is the unit of meaning, and one changed
character (1100万 → 1200万) is one edit. It is 1.0 for equal keys and 0.0
for keys with nothing in common.
"""

from __future__ import annotations

import re
import unicodedata

from ..segment.normalize import normalize
from ..segment.rules import HALF_TO_FULL, PAREN_PAIR
from ..zh.script import CJK_CONTEXT_RE
from ..zh.width import fold_width

_SPACES_RE = re.compile(r"\s+")
#: The characters the segmenter's normalisation may change; most sentences
#: have none, and then it need not run.
_HALF_WIDTH_RE = re.compile("[" + re.escape("".join(HALF_TO_FULL) + "".join(PAREN_PAIR)) + "]")


def match_key(text: str) -> str:
    """``text`` as the memory compares it (see the module docstring)."""
    text = unicodedata.normalize("NFC", text)
    if _HALF_WIDTH_RE.search(text):
        text = normalize(text)
    text = fold_width(text)
    parts = _SPACES_RE.split(text.strip())
    out = parts[0]
    for part in parts[1:]:
        if not part:
            continue
        # A space survives only between two non-Chinese characters (AI for Science).
        if not (CJK_CONTEXT_RE.match(out[-1:]) or CJK_CONTEXT_RE.match(part[0])):
            out += " "
        out += part
    return out


def levenshtein(a: str, b: str) -> int:
    """The Levenshtein distance between ``a`` and ``b``, in characters.

    Myers' bit-parallel algorithm (Hyyrö's formulation): each character of
    the longer string costs a handful of integer operations on a bit vector
    as long as the shorter one, so a pair of sentences takes microseconds in
    pure Python instead of the ``len(a) * len(b)`` steps of the textbook
    table.
    """
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    pattern: dict[str, int] = {}
    for i, ch in enumerate(b):
        pattern[ch] = pattern.get(ch, 0) | (1 << i)
    full = (1 << m) - 1
    last = 1 << (m - 1)
    positive, negative = full, 0  # vertical deltas +1 / -1 of the current column
    distance = m
    for ch in a:
        eq = pattern.get(ch, 0)
        xv = eq | negative
        xh = (((eq & positive) + positive) ^ positive) | eq
        hp = (negative | ~(xh | positive)) & full
        hn = positive & xh
        if hp & last:
            distance += 1
        elif hn & last:
            distance -= 1
        hp = ((hp << 1) | 1) & full
        hn = (hn << 1) & full
        positive = (hn | ~(xv | hp)) & full
        negative = hp & xv
    return distance


def key_similarity(a: str, b: str) -> float:
    """Similarity of two match keys (already normalised)."""
    longest = max(len(a), len(b))
    if longest == 0:
        return 1.0
    return 1.0 - levenshtein(a, b) / longest


def similarity(a: str, b: str) -> float:
    """Similarity (0–1) of two sources: ``1 - Levenshtein / max length`` over
    the characters of their match keys."""
    return key_similarity(match_key(a), match_key(b))
