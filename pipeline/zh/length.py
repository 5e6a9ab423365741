"""The length model: how long the English of a Chinese sentence runs,
defined once, for the ``length-ratio`` and ``omission`` checks
(:mod:`pipeline.checks.length`, :mod:`pipeline.checks.coverage`) and the
``openai`` engine, which refuses an answer far longer or shorter than it
allows (:mod:`pipeline.engines.openai`).

English characters (letters, spaces and punctuation: ``len()`` of the
translation) per Han character of the source. Latin letters and digits in
the source ("AI for Science", "6吋") pass into the English about one for
one, so they are subtracted from the English length first. Han characters
are counted as :func:`weighted_han` says: Chinese numerals, which English
writes in digits, not at all, and dotted transliterated names at 0.6.

What is known: the translation trade's rule of thumb is that 1,000 Chinese
characters become 600–700 English words; at about 6 characters per English
word with its space, that is 3.5–4.5 English characters per Han character,
more for official and political prose ("scientific and technological" for
科技, "new quality productive forces" for 新质生产力).

What we measured: the 93 correct translations in ``tests/checks/data/clean.po``
whose source has at least 8 Han characters (news and interview prose from
the seed, plus economic news with figures) run from 3.3 to 7.9, mean 4.8,
median 4.7. The shortest are headings (“每一个人都是新型工业化的一份子” →
"Every One of Us Is Part of New Industrialization", 3.3); the longest are
classical four-character lines, which English has to unfold (道阻且长，行则将至
→ "The road is long and hard, but keep walking and you will arrive", 7.9).

The bounds: log(English characters per Han character) is about normal, with
a mean and a variance fitted on the professional translations of WMT
newstest2018 (the constants below); the variance shrinks as the source
grows, since one word moves a short sentence's ratio more. A translation
more than ``MAX_SHORT_Z`` standard deviations short has lost part of the
sentence (a truncated draft, a skipped clause); more than ``MAX_LONG_Z``
long, it says far more than the source (a hallucinated continuation, two
sentences pasted together; MT loops are also caught by the repetition
check). The long side has the wider bound because classical lines and dense
terms unfold unpredictably, while condensing has its limits. Sources of
fewer than ``MIN_HAN_FOR_RATIO`` Han characters are not measured: a short
phrase may need a long one (国之大者 → "the country's most fundamental
interests", 10.0; 新华社 → "Xinhua", 2.0).
"""

from __future__ import annotations

import math
import re

from .numbers import CN_NUMERALS, is_number_word
from .script import HAN, count_han
from .words import words as jieba_words

#: The length model (see the module docstring): log(English characters per
#: Han character) is about normal with this mean, and a variance that
#: shrinks with the length of the source: LENGTH_VARIANCE_FLOOR +
#: LENGTH_VARIANCE_PER_HAN / han. Fitted on the 3,960 professional
#: translations of WMT newstest2018 (benchmarks/bench_checks.py).
LOG_CHARS_PER_HAN = 1.42
LENGTH_VARIANCE_FLOOR = 0.035
LENGTH_VARIANCE_PER_HAN = 1.1
#: How many standard deviations below (short) or above (long) the mean a
#: translation may lie; the long side has the wider bound because
#: explanations unfold, while condensing has its limits.
MAX_SHORT_Z = 2.5
MAX_LONG_Z = 4.5
MIN_HAN_FOR_RATIO = 8
_LATIN_RE = re.compile(r"[A-Za-z0-9]")


#: A Latin gloss in brackets right after Chinese text: the original form
#: of a name the source has just transliterated (米歇尔·普拉蒂尼 (Michel
#: Platini), 麦维他公司（McVitie）).
_LATIN_GLOSS_RE = re.compile(f"(?<=[{HAN}·•?？])\\s*[(（]\\s*[A-Za-z][A-Za-z .'’&-]*[)）]")


#: A transliterated foreign name, written with a middle dot (吉尔伯托·罗德里格斯):
#: a Han character per syllable, where English spends about 2.5 letters,
#: so each of its characters weighs TRANSLITERATION_WEIGHT.
_DOTTED_NAME_RE = re.compile(f"(?<![{HAN}])[{HAN}]+(?:[·•][{HAN}]+)+")  # from a run's start: linear
TRANSLITERATION_WEIGHT = 0.6


def weighted_han(source: str) -> float:
    """The Han characters of the source as the length model counts them:
    numbers in Chinese numerals (七十七号, 二〇一八年, 一千五百多名) not at all,
    since English writes them in digits, about one for one, as if they passed
    through (two numerals or more, in words jieba reads as numbers: not
    统一, 一些, 三明治); transliterated names with a middle dot at
    :data:`TRANSLITERATION_WEIGHT`."""
    numerals = run = 0  # numerals of the number words in a row (二|〇|一|八年)
    for word in jieba_words(source) + ("",):
        if word and is_number_word(word):
            run += sum(ch in CN_NUMERALS for ch in word)
            continue
        numerals += run if run >= 2 else 0
        run = 0
    dotted = sum(count_han(m.group()) for m in _DOTTED_NAME_RE.finditer(source))
    return count_han(source) - numerals - (1 - TRANSLITERATION_WEIGHT) * dotted


def chars_per_han(source: str, target: str) -> float | None:
    """English characters per Han character of the source (as
    :func:`weighted_han` counts them), not counting the Latin letters and
    digits that pass through; None for short sources.

    A Latin gloss of a transliterated name does not pass through: English
    says the name once, in its Latin form, for the Han characters before
    the gloss; its letters are English written for them."""
    han = weighted_han(source)
    if count_han(source) < MIN_HAN_FOR_RATIO or han < MIN_HAN_FOR_RATIO / 2:
        return None
    passed = len(_LATIN_RE.findall(_LATIN_GLOSS_RE.sub("", source)))
    english = max(0, len(target.strip()) - passed)
    return english / han


def length_z(source: str, target: str) -> float | None:
    """How many standard deviations the translation's length lies from
    what the length model expects for the source; None for short sources."""
    ratio = chars_per_han(source, target)
    if ratio is None:
        return None
    spread = math.sqrt(LENGTH_VARIANCE_FLOOR + LENGTH_VARIANCE_PER_HAN / weighted_han(source))
    return (math.log(max(ratio, 0.05)) - LOG_CHARS_PER_HAN) / spread
