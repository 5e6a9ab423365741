"""Reading Chinese numbers, defined once: 十八, 三千五百万, 二〇二七, 1100万.

The quality checks (:mod:`pipeline.checks.numbers`) and the translation
memory (:mod:`pipeline.tm.numerals`) both read numbers with these tables
and :func:`chinese_number`.
"""

from __future__ import annotations

import re
from fractions import Fraction

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_SCALES = {"万": 10**4, "亿": 10**8}
CN_MULTIPLIERS = {**CN_UNITS, **CN_SCALES}
CN_NUMERALS = "".join(CN_DIGITS) + "".join(CN_UNITS) + "".join(CN_SCALES)

#: Longer runs of digits are identifiers (a serial number, a pasted table),
#: compared as written rather than read as a value.
MAX_DIGITS = 40


def decimal_value(digits: str) -> Fraction:
    """``1,500`` → 1500, ``16452.8`` → 16452.8; an overlong run of digits
    gets a value that only the same run has."""
    digits = digits.replace(",", "")
    if len(digits) > MAX_DIGITS:
        return Fraction(hash(digits)) + Fraction(1, 3)  # never a real figure's value
    return Fraction(digits)


def chinese_number(text: str) -> Fraction | None:
    """The value of a Chinese number: ``1100万``, ``3.5亿``, ``三千五百万``,
    ``二〇二七``, ``十八``, ``一百零五``; None when it is not a well-formed
    number (亿万, 三四十)."""
    text = text.replace("多", "").replace("余", "").replace("几", "")
    if not text:
        return None
    if text[0].isascii() and text[0].isdigit():
        digits = re.match(r"[0-9.,]+", text).group()
        value = decimal_value(digits)
        for ch in text[len(digits) :]:
            value *= CN_MULTIPLIERS[ch]
        return value
    if all(ch in CN_DIGITS for ch in text):
        return Fraction(int("".join(str(CN_DIGITS[ch]) for ch in text)))  # 二〇二七 digit by digit
    value = _positional(text)
    return None if value is None else Fraction(value)


def _positional(text: str) -> int | None:
    """十八, 三千五百万, 一亿三千万: units and scales."""
    for char, scale in (("亿", 10**8), ("万", 10**4)):
        at = text.rfind(char)
        if at != -1:
            head, tail = text[:at], text[at + 1 :]
            if not head and tail:
                return None  # 亿万: a scale with nothing before it, inside a longer run
            high = _positional(head) if head else 1  # 万 alone is ten thousand
            if len(tail) == 1 and tail in CN_DIGITS:
                low = CN_DIGITS[tail] * scale // 10  # 两万三 is 23,000 (the unit is understood)
            else:
                low = _positional(tail) if tail else 0
            if high is None or low is None:
                return None
            return high * scale + low
    total, digit = 0, None
    for ch in text:
        if ch in CN_DIGITS:
            if digit:  # two digits in a row: 三四十 is not one number
                return None
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (digit if digit is not None else 1) * CN_UNITS[ch]
            digit = None
        else:
            return None
    if digit and len(text) >= 2 and CN_UNITS.get(text[-2], 0) >= 100:
        return total + digit * CN_UNITS[text[-2]] // 10  # 三千五 is 3,500, 一百二 is 120
    return total + (digit or 0)
