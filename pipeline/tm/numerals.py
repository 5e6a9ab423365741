"""The numbers a Chinese sentence states, for comparing two sources.

A translation memory match whose source says 1100万 where the new sentence
says 1200万 carries a wrong figure into the English. This module reads the
values a sentence mentions so that such matches are flagged, never reused
silently. It is deliberately small and private to the translation memory:
the goal is "do these two sources mention the same numbers", not a full
reading of Chinese numerals.

* Arabic numbers in any Unicode digits (``2024``, ``２０２４``), with
  thousands separators and decimals (``1,000``, ``3.5``, ``３．５``), optionally scaled
  by a Chinese magnitude (``1100万``, ``1100 万``, ``3.5亿``, ``2万亿``, ``5千万``);
* runs of Chinese numerals, positional (``二〇二四`` = 2024) or with
  magnitudes (``十八``, ``一千二百万``, ``三亿五千万``, ``两``), read by
  :func:`pipeline.chinese_numbers.chinese_number`;
* a few common words whose numeral characters count nothing (``一些``,
  ``统一``, ``十分``, ``百分之``) are ignored.

Values are compared as a multiset: the same numbers, each as often. The
text is read as written, not through the memory's match key: two sources
with the same key can still read differently (an OCR'd ``十 八世纪`` is ten
and eight), and such a match is flagged rather than trusted.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from fractions import Fraction

from ..chinese_numbers import CN_DIGITS, CN_NUMERALS, chinese_number

#: Magnitudes written after Arabic digits (1100万), longest first.
_MAGNITUDES = {
    "万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "十亿": 10**9, "亿": 10**8,
    "千万": 10**7, "百万": 10**6, "十万": 10**5, "万": 10**4, "千": 10**3, "百": 10**2,
}  # fmt: skip

#: Words in which a numeral character does not count anything, or that
#: mark a percentage (百分之五十 is 50, not 100 and 50). Removed before
#: reading; the list is short on purpose.
_NOT_NUMBERS = (
    "百分之", "千分之", "一些", "一直", "一起", "一样", "一定", "一般", "一切", "一致", "一旦",
    "一向", "一律", "一再", "统一", "唯一", "万一", "逐一", "十分", "千米", "千克", "千瓦",
)  # fmt: skip

# \d is any Unicode decimal digit, so ２０２４ reads as 2024; the separators
# and the decimal point may be full-width too (１，０００ and ３．５).
_ARABIC_RE = re.compile(r"(?<![\d.．])(\d+(?:[,，]\d{3})*(?:[.．]\d+)?)(?:[ \u3000]*(" + "|".join(_MAGNITUDES) + "))?")
_CHINESE_RE = re.compile(f"[{CN_NUMERALS}]+")
_NOT_NUMBERS_RE = re.compile("|".join(sorted(map(re.escape, _NOT_NUMBERS), key=len, reverse=True)))


def _chinese_value(run: str) -> Fraction:
    """The value of a run of Chinese numerals (一千二百万, 二〇二四, 十八); a run
    that is not one well-formed number (三四十) is read digit by digit, so
    that two runs compare equal only when written alike."""
    value = chinese_number(run)
    if value is None:
        value = Fraction(int("".join(str(CN_DIGITS.get(ch, 0)) for ch in run) or 0))
    return value


def numbers_in(text: str) -> Counter:
    """The numeric values ``text`` mentions, as a multiset of Decimals."""
    text = _NOT_NUMBERS_RE.sub(" ", text)
    values: Counter = Counter()

    def arabic(match: re.Match) -> str:
        number = re.sub("[,，]", "", match.group(1)).replace("．", ".")
        digits = "".join(str(int(ch)) if ch.isdigit() else ch for ch in number)
        value = Decimal(digits) * _MAGNITUDES.get(match.group(2) or "", 1)
        values[value.normalize()] += 1
        return " "  # keep the magnitude from being read again as a Chinese numeral

    text = _ARABIC_RE.sub(arabic, text)
    for run in _CHINESE_RE.findall(text):
        value = _chinese_value(run)
        values[(Decimal(value.numerator) / Decimal(value.denominator)).normalize()] += 1
    return values


def numbers_differ(source: str, other: str) -> bool:
    """True when ``source`` and ``other`` do not mention the same numbers."""
    return numbers_in(source) != numbers_in(other)
