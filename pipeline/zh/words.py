"""Chinese word boundaries, defined once: jieba's dictionary, loaded quietly.

Chinese writes no spaces, so "is this a word here?" needs a dictionary:
三 is a number in 三年 but a letter of the word 三明治 (sandwich), and the
name 安那 is not in 路易斯安那州 (Louisiana). Two questions are answered here:

* :func:`words`: jieba's segmentation of a text (dictionary and HMM), for
  reading what a character belongs to;
* :func:`word_spans`: the most probable segmentation over jieba's
  dictionary plus some extra words (a termbase's terms), without HMM
  guesses, so that a term occurrence counts only where the text, read with
  the term in the dictionary, has a word boundary at both of its ends;
  :func:`word_spans_around` gives the same words around a few places only.

jieba loads its dictionary (about 0.6 s, cached in the temp directory by
jieba) on first use; nothing is loaded at import.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
from collections.abc import Iterable
from functools import lru_cache

#: Characters a word may hold: Han characters (jieba's own range).
_HAN_LOW, _HAN_HIGH = "\u4e00", "\u9fd5"


def quiet_jieba():
    """The jieba module, initialised, with its progress messages silenced."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


#: Runs of Han characters at least this long are segmented in pieces of
#: this length: jieba's HMM is quadratic on one long run of characters it
#: does not know (20,000 take a second, 200,000 two minutes), while a real
#: sentence is far shorter.
LONG_HAN_RUN = 500
_LONG_HAN_RUN_RE = re.compile(f"[{_HAN_LOW}-{_HAN_HIGH}]{{{LONG_HAN_RUN},}}")


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """jieba's words of ``text`` (dictionary and HMM), in order; they join
    back into ``text``. A run of :data:`LONG_HAN_RUN` Han characters or
    more is segmented :data:`LONG_HAN_RUN` characters at a time."""
    lcut = quiet_jieba().lcut
    if len(text) < LONG_HAN_RUN or not _LONG_HAN_RUN_RE.search(text):
        return tuple(lcut(text))
    out: list[str] = []
    at = 0
    for m in _LONG_HAN_RUN_RE.finditer(text):
        out.extend(lcut(text[at : m.start()]))
        for k in range(m.start(), m.end(), LONG_HAN_RUN):
            out.extend(lcut(text[k : min(k + LONG_HAN_RUN, m.end())]))
        at = m.end()
    out.extend(lcut(text[at:]))
    return tuple(out)


def word_starts(text: str) -> list[int]:
    """The start offset of each of :func:`words`."""
    starts, at = [], 0
    for word in words(text):
        starts.append(at)
        at += len(word)
    return starts


def _is_han(ch: str) -> bool:
    return _HAN_LOW <= ch <= _HAN_HIGH


def word_spans(text: str, extra: Iterable[str] = ()) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each word of the most probable segmentation
    of ``text`` over jieba's dictionary and the ``extra`` words.

    An extra word the dictionary lacks gets the frequency that makes it
    just beat its own pieces (jieba's ``suggest_freq``), so a term is read
    as one word wherever the dictionary has no longer word across it. Only
    runs of Han characters are segmented; every other character is a word
    of its own."""
    return _Segmenter(text, extra).spans(0, len(text))


#: Texts up to this length are segmented whole by :func:`word_spans_around`
#: (a sentence): finding the windows pays only on a long line.
WHOLE_TEXT_UP_TO = 2000


def word_spans_around(text: str, extra: Iterable[str], places: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The words of :func:`word_spans` ``(text, extra)`` around each
    ``(start, end)`` of ``places``: the words holding it and the word
    before and after, enough for :func:`is_word_at`, without segmenting
    the rest of ``text`` (a line of a million characters with a few
    thousand term occurrences).

    Each place is widened to the nearest *cuts* on either side: points no
    word of the dictionary or of ``extra`` crosses (and the ends of Han
    runs). Every segmentation passes through a cut, and the best one after
    it does not depend on the text before it, so the words between two cuts
    are those of the whole text's segmentation."""
    seg = _Segmenter(text, extra)
    if len(text) <= WHOLE_TEXT_UP_TO:
        return seg.spans(0, len(text))
    windows = sorted((seg.cut_before(start), seg.cut_after(end)) for start, end in places)
    spans: list[tuple[int, int]] = []
    lo = hi = -1
    for a, b in windows + [(len(text) + 1, len(text) + 1)]:
        if a > hi:  # a new window: segment the previous one
            if hi > lo:
                spans.extend(seg.spans(lo, hi))
            lo, hi = a, b
        else:
            hi = max(hi, b)
    return spans


class _Segmenter:
    """:func:`word_spans` of ``text`` between any two cuts."""

    def __init__(self, text: str, extra: Iterable[str]):
        tokenizer = quiet_jieba().dt
        self.text = text
        self.freq, self.total = tokenizer.FREQ, tokenizer.total
        self.extra_freq = {w: _frequency(w) for w in set(extra) if w}
        self.by_first: dict[str, list[str]] = {}
        for w in self.extra_freq:
            self.by_first.setdefault(w[0], []).append(w)
        self.extra_pairs = {w[i : i + 2] for w in self.extra_freq for i in range(len(w) - 1)}

    def spans(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The words between the cuts ``lo`` and ``hi``."""
        text, spans, i = self.text, [], lo
        while i < hi:
            if not _is_han(text[i]):
                spans.append((i, i + 1))
                i += 1
                continue
            j = i
            while j < hi and _is_han(text[j]):
                j += 1
            spans.extend(_segment_run(text, i, j, self.freq, self.total, self.extra_freq, self.by_first))
            i = j
        return spans

    def is_cut(self, p: int) -> bool:
        """Whether no word crosses ``p``: an end of the text or of a run of
        Han characters, or a pair of characters ``text[p - 1 : p + 1]`` that
        no word of the dictionary or of the extra words holds."""
        text = self.text
        if p <= 0 or p >= len(text) or not (_is_han(text[p - 1]) and _is_han(text[p])):
            return True
        pair = text[p - 1 : p + 1]
        return pair not in _word_pairs() and pair not in self.extra_pairs

    def cut_before(self, start: int) -> int:
        """The last cut before ``start`` (0 at the latest)."""
        p = start - 1
        while p > 0 and not self.is_cut(p):
            p -= 1
        return max(p, 0)

    def cut_after(self, end: int) -> int:
        """The first cut after ``end`` (the text's end at the latest)."""
        p = end + 1
        while p < len(self.text) and not self.is_cut(p):
            p += 1
        return min(p, len(self.text))


@lru_cache(maxsize=1)
def _word_pairs() -> frozenset[str]:
    """Every pair of neighbouring characters in a word of jieba's
    dictionary (300,000 pairs, 0.25 s): a point between two characters
    that make no such pair is crossed by no dictionary word."""
    return frozenset(w[i : i + 2] for w, n in quiet_jieba().dt.FREQ.items() if n for i in range(len(w) - 1))


def _frequency(word: str) -> int:
    """The dictionary frequency of ``word``, or the one that just makes it
    beat its own pieces."""
    tokenizer = quiet_jieba().dt
    known = tokenizer.FREQ.get(word)
    if known:
        return known
    share = 1.0
    for piece in tokenizer.cut(word, HMM=False):
        share *= (tokenizer.FREQ.get(piece) or 1) / tokenizer.total
    return int(share * tokenizer.total) + 1


def _segment_run(text, start, end, freq, total, extra_freq, by_first) -> list[tuple[int, int]]:
    """jieba's dynamic programme (maximum product of word probabilities)
    over ``text[start:end]``, with the extra words in its dictionary."""
    log_total = math.log(total)
    best = [(0.0, end)] * (end - start + 1)  # best[k]: (score, end of first word) from start + k
    for k in range(end - 1, start - 1, -1):
        options = []
        i, fragment = k, text[k]
        while i < end and fragment in freq:  # jieba's prefix dictionary
            if freq[fragment]:
                options.append((fragment, i + 1))
            i += 1
            fragment = text[k : i + 1]
        for w in by_first.get(text[k], ()):
            if text.startswith(w, k) and k + len(w) <= end:
                options.append((w, k + len(w)))
        if not options:
            options.append((text[k], k + 1))
        best[k - start] = max(
            (math.log(extra_freq.get(w) or freq.get(w) or 1) - log_total + best[stop - start][0], stop)
            for w, stop in options
        )
    spans, k = [], start
    while k < end:
        stop = best[k - start][1]
        spans.append((k, stop))
        k = stop
    return spans


#: jieba's part-of-speech tag of transliterated foreign names (路易斯, 默克尔).
_TRANSLITERATION_TAG = "nrt"


@lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    quiet_jieba()
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab


def is_word_at(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``text[start:end]`` stands as a word in the segmentation
    ``spans`` (from :func:`word_spans`, or :func:`word_spans_around` with
    this place among its places).

    Both its ends must be word boundaries, or the word holding it must be
    it plus one Han character (宁波市, 浙江省, 宁波人: a name and a one-character
    suffix, the commonest compound of Chinese names). And it must not run
    on from or into a transliterated foreign name
    (:func:`_continues_transliteration`): transliterations are written
    without spaces, so a name right next to one is a piece of a longer name
    (路易斯|安娜州: Louisiana, written with 娜; 雷|布尔: Rebull)."""
    # ``spans`` tile the text in order: the words around the occurrence are
    # found by bisection (a scan per occurrence is quadratic on a long line).
    first = bisect.bisect_right(spans, (start, math.inf)) - 1  # the word holding ``start``
    last = bisect.bisect_right(spans, (end - 1, math.inf)) - 1  # the word holding ``end - 1``
    if first < 0 or last < 0:
        return False
    if not (spans[first][0] == start and spans[last][1] == end):
        if spans[first] != (start, end + 1) or not _is_han(text[end : end + 1] or "a"):
            return False
    before = spans[first - 1] if spans[first][0] == start and first > 0 else None
    if spans[last][1] == end:
        after = spans[last + 1] if last + 1 < len(spans) else None
    else:  # the one-character suffix is the neighbour: 瓦尔 + 迪 is no suffix
        after = (end, end + 1)
    return not any(_continues_transliteration(text[start:end], text[s:e]) for s, e in filter(None, (before, after)))


#: jieba's tags of the words that stand between names without being part of
#: them: prepositions (比, 对), conjunctions (和), particles (的), adverbs
#: (都), pronouns, localisers (里, 西) and numerals and measure words (多).
_FUNCTION_TAGS = frozenset({"p", "c", "u", "uj", "ul", "uz", "ug", "uv", "ud", "d", "r", "f", "m", "q"})


def _continues_transliteration(word: str, neighbour: str) -> bool:
    """Whether the word ``neighbour``, right before or after the occurrence
    ``word``, carries one transliterated foreign name on, so that ``word``
    is a piece of it and no word of its own:

    * a word of two characters or more that jieba's dictionary tags as a
      transliterated name (路易斯|安娜: Louisiana), whatever ``word`` is;
    * where ``word`` is itself a transliterated name
      (:func:`pipeline.terms.romanise.is_transliterated_name`, the one rule
      for that): a single Han character that is a syllable of
      transliterations (:func:`pipeline.terms.romanise.is_transliteration_character`)
      and not a function word (雷|布尔 Rebull, 吉利|德 Gilead, 艾|里德 Eilidh;
      not 布尔|在, 比|梅赛德斯, 西|巴布亚), or an unknown word (one jieba's
      dictionary lacks: another term) that is a transliterated name itself
      (特恩|布尔 Turnbull). A word of the dictionary next to it is a word of
      its own: 吉利|德国 (Geely in Germany), 美国|加州. The character after
      a name read with a one-character suffix (宁波 + 市) is its neighbour
      too: 瓦尔 + 迪 of 瓦尔迪兹 (Valdez) is no suffix.

    A Chinese name (崔平) next to one character is left alone: that character
    is a word of the sentence (崔平说), and the transliteration tables hold
    many common characters."""
    tags = _word_tags()
    if not all(map(_is_han, neighbour)):
        return False
    if len(neighbour) >= 2 and tags.get(neighbour) == _TRANSLITERATION_TAG:
        return True
    tag = tags.get(neighbour)
    if len(neighbour) == 1:
        if tag in _FUNCTION_TAGS or not _is_transliteration_character(neighbour):
            return False
    elif tag is not None or not _is_transliterated_name(neighbour):
        return False
    # A term without Han characters (iPhone, 5G) is no transliteration.
    return any(map(_is_han, word)) and _is_transliterated_name(word)


@lru_cache(maxsize=8192)
def _is_transliterated_name(word: str) -> bool:
    from ..terms.romanise import is_transliterated_name

    return is_transliterated_name(word)


@lru_cache(maxsize=8192)
def _is_transliteration_character(ch: str) -> bool:
    from ..terms.romanise import is_transliteration_character

    return is_transliteration_character(ch)


def word_tag(word: str) -> str | None:
    """jieba's dictionary part-of-speech tag of ``word`` (``n``, ``v``,
    ``nr``, ``u``…), or None for a word its dictionary lacks (an HMM guess,
    usually a name)."""
    return _word_tags().get(word)
