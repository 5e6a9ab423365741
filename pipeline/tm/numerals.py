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
  magnitudes (``十八``, ``一千二百万``, ``三亿五千万``, ``两``);
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

_DIGIT_VALUES = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_LARGE_UNITS = {"万": 10**4, "亿": 10**8}

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
_CHINESE_RE = re.compile("[" + "".join(_DIGIT_VALUES) + "".join(_SMALL_UNITS) + "".join(_LARGE_UNITS) + "]+")
_NOT_NUMBERS_RE = re.compile("|".join(sorted(map(re.escape, _NOT_NUMBERS), key=len, reverse=True)))


def _chinese_value(run: str) -> int:
    """The value of a run of Chinese numerals (一千二百万, 二〇二四, 十八)."""
    if len(run) > 1 and all(ch in _DIGIT_VALUES for ch in run):
        return int("".join(str(_DIGIT_VALUES[ch]) for ch in run))  # 二〇二四 is read digit by digit
    total = section = number = 0
    for ch in run:
        if ch in _DIGIT_VALUES:
            number = _DIGIT_VALUES[ch]
        elif ch in _SMALL_UNITS:
            section += (number or 1) * _SMALL_UNITS[ch]  # 十八: 十 alone is ten
            number = 0
        else:
            unit = _LARGE_UNITS[ch]
            section += number
            if section == 0 and total == 0:
                section = 1  # 万 on its own is ten thousand
            if unit > 10**4:
                total = (total + section) * unit  # 亿 scales all before it (万亿, 三亿)
            else:
                total += section * unit
            section = number = 0
    return total + section + number


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
        values[Decimal(_chinese_value(run)).normalize()] += 1
    return values


def numbers_differ(source: str, other: str) -> bool:
    """True when ``source`` and ``other`` do not mention the same numbers."""
    return numbers_in(source) != numbers_in(other)
