"""The ``numbers`` check: the figures of the Chinese and of the English agree.

Both sides are read into :class:`Quantity` items and compared as multisets
of values. A quantity may have several acceptable values (18世纪 is the
18th century or the 1700s; "11m" is 11 million or 11 metres), and the two
sides match when some value is shared.

**Required and optional quantities.** Chinese numerals are also letters of
ordinary words: 一些 (some), 一起 (together), 统一 (unify), 一流 (first-
class), 千军万马 (a mighty host), 十年磨一剑 (an idiom), and 一 before a
measure word is the English article "a" (一张王牌, a trump card). Treating
all of them as quantities would cry wolf on every sentence; ignoring them
would flag the English "five transformations" for 五化 as an extra number.
So every numeral becomes a quantity, but only some are *required*:

* Arabic digits always count (2027, 0.6, 1,500, 5G, COVID-19).
* A Chinese numeral counts when it quantifies: followed by a measure word,
  a unit or a time word (三个, 三支, 5个月, 两天, 三年, 九月, 十大, 6吋,
  30%, 2倍, 三成), after 第 (第一, 第三次), in 百分之五, 三分之一, 一半,
  in dates (星期三), and when three or more numeral characters read as one
  number (三千五百万; idioms use one or two: 千军万马, 十全十美) or four
  digits are read one by one (二〇二七, a year).
* Every other numeral is *optional*: it may pair with an English number
  ("the five transformations" for 五化, "Phase I" for 一期), but its absence
  is not an error. That covers numerals inside words and idioms, bare 一
  (the English article), approximations (三四年, 十几个, 数十, 上百), short
  runs of digits that name days and events (五四 "May Fourth", 九一八
  "September 18") and the lexicalised expressions listed in
  :data:`pipeline.zh.numbers.NOT_NUMBER_WORDS`, where a measure word
  follows but nothing is counted (十年磨一剑, 两张皮, 百家争鸣, 十分, 五台山).

On the English side, digits and spelled-out numbers are required (one …
twenty, thirty …, hundred, thousand, million, billion, first/second/third,
"the 1760s", "18th", "two-thirds", "September", "Phase II"), except words
that are numbers only sometimes, which are optional: "one" and "first"
alone ("one of", "for the first time" for 首次), an ordinal that opens an
enumeration ("Second, …" for 其次), "May", weekdays, "half", "dozens",
"hundreds", "decade", "century", "twice", "double", "both".

**Equivalences.** 1100万 = 11 million = 11,000,000 = 11m; 3.5亿 = 350
million; 18世纪60年代 = the 1760s; 60年代 = the '60s = the 1960s; 18世纪 = the
18th century = the 1700s; 9月 = September; 第一 = first = 1st; 一半 = half =
50%; 三分之一 = one-third; 1/4 = a quarter; 三成 = 30%; 2倍 = twice and 增长1倍
= doubled; 2027年 = 2027; 二〇二七 = 2027; 9点半 = 9:30; 6吋 = 6-inch; two
decades = 20 (years); 3-5 and 3至5 are two numbers each. A figure written
with a scale word and at least two significant digits may be rounded
("1.65 trillion yuan" for 16452.8亿元), by at most 1%. Also: half a billion
= 5亿; four dozen = 48; one-fiftieth = 五十分之一; 九分 = 90% (tenths); 亩 =
1/15 hectare (conversions exact by definition only); 3:51.659 = 351.659 (a
race time without its colon); 7、80年代 = the 1970s and 1980s.

**Counts said another way** are optional: a short run of bare digits
whatever follows it (八一大楼, 三五天), a small count that restates a list
next to it (冯小刚、宁浩、大鹏三位嘉宾: English names the three), the base
year of a comparison (比2016年 in a sentence about 2017: "year-on-year"), and
on the English side a number that belongs to a name the English adds
("CCTV-2", "Qatar 2022", "No 1"). Those last two are named, like a small
number spelled out, when the other side has a figure left over.

**Matching.** The required quantities of each side must each pair with a
distinct quantity of the other side (a maximum bipartite matching, so 20年
… 20年 needs "20" twice). The finding lists what is missing from the
translation and what the translation adds, in one line.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache

from ..zh.numbers import CN_DIGITS as _CN_DIGITS
from ..zh.numbers import CN_NUMERALS as _CN_NUMERALS
from ..zh.numbers import CN_SCALES as _CN_SCALES
from ..zh.numbers import MAX_DIGITS as _MAX_DIGITS
from ..zh.numbers import MEASURE_WORDS, NOT_NUMBER_WORDS, chinese_number, decimal_value, is_number_word
from ..zh.width import DIGITS_TO_ASCII
from ..zh.words import words
from .model import CheckContext

_CN_DIGITS_CHARS = "".join(_CN_DIGITS)

# --- Quantities ----------------------------------------------------------------


@dataclass(frozen=True)
class Quantity:
    """A number as written in a text.

    ``values`` holds the readings that count as equal, the usual one first;
    an optional quantity (``required=False``) may pair with a number of the
    other language but need not; ``precision`` is set on a rounded figure
    ("1.65 trillion": the unit of its last digit)."""

    text: str
    values: tuple[Fraction, ...]
    required: bool = True
    precision: Fraction | None = None
    #: a small number spelled out (or 第一), optional but named when the
    #: other side has a figure left over
    spelled: bool = False

    def matches(self, other: Quantity) -> bool:
        """True when the two quantities can stand for each other."""
        if set(self.values) & set(other.values):
            return True
        return _rounds_to(self, other) or _rounds_to(other, self)

    def describe(self) -> str:
        """The quantity as written, with its value when that is not obvious
        (``1100万 (11,000,000)``, ``三年 (3)``, ``2027年``)."""
        value = format_value(self.values[0])
        if value.replace(",", "") in self.text.replace(",", "") or len(value) > 24:
            return self.text
        return f"{self.text} ({value})"


def _rounds_to(exact: Quantity, rounded: Quantity) -> bool:
    if rounded.precision is None:
        return False
    for v in exact.values:
        for r in rounded.values:
            difference = abs(v - r)
            if r and difference * 2 <= rounded.precision and difference * 100 <= abs(r):
                return True
    return False


def format_value(value: Fraction) -> str:
    """``11000000`` → ``11,000,000``; ``Fraction(11, 2)`` → ``5.5``; ``1/3``."""
    if value.denominator == 1:
        return f"{value.numerator:,}"
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator == 1:  # a terminating decimal
        whole, rest = divmod(value, 1)
        digits = ""
        while rest:
            rest *= 10
            digit, rest = divmod(rest, 1)
            digits += str(digit)
        return f"{whole:,}.{digits}"
    return f"{value.numerator}/{value.denominator}"


def _significant_digits(digits: str) -> int:
    """Significant digits of a written number: ``1.65`` → 3, ``30`` → 1."""
    digits = digits.replace(",", "")
    if "." in digits:
        return len(digits.replace(".", "").lstrip("0"))
    return len(digits.lstrip("0").rstrip("0"))


def _decimal_unit(digits: str) -> Fraction:
    """The unit of the last written digit: ``1.65`` → 1/100, ``30`` → 1."""
    if "." in digits:
        return Fraction(1, 10 ** len(digits.split(".", 1)[1]))
    return Fraction(1)


# Full-width digits and signs are read as ASCII (zh.width.DIGITS_TO_ASCII);
# one character for one, so that positions and the text of each quantity
# stay those of the original.

_ARABIC = r"[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"

# --- Chinese -------------------------------------------------------------------

# A magnitude after digits (1100万, 5千万), but not the 千 of 千米/千克/千瓦
# (5千米 is 5 km) nor the 百 of 百分点.
_CN_SCALE_AFTER_DIGITS = r"(?:十|百(?!分)|千(?![米克瓦])|万|亿)"
_NUM = (
    rf"(?:(?:{_ARABIC})(?:\s?[多余]?{_CN_SCALE_AFTER_DIGITS}+)?"
    rf"|[{_CN_NUMERALS}]+(?:[多余几]{_CN_SCALE_AFTER_DIGITS}+)?)"
)

_MEASURE_RE = re.compile("|".join(sorted(map(re.escape, MEASURE_WORDS), key=len, reverse=True)))

#: Expressions with known values: (values, required) per quantity.
LEXICON: dict[str, list[tuple[tuple[Fraction, ...], bool]]] = {
    "一半": [((Fraction(1, 2), Fraction(50)), True)],
    "翻两番": [((Fraction(4),), False)],
    "翻一番": [((Fraction(2),), False)],
    "翻番": [((Fraction(2),), False)],
    "百分百": [((Fraction(100),), False)],
    "百分之百": [((Fraction(100),), False)],  # "perfect", "completely"
    "半数": [((Fraction(1, 2), Fraction(50)), False)],  # "half", "50%"
    "双十一": [((Fraction(11),), False)],
    "双11": [((Fraction(11),), False)],  # Singles' Day (11 November), named in English
    "双十二": [((Fraction(12),), False)],
    "双12": [((Fraction(12),), False)],
    "十一五": [((Fraction(11),), False), ((Fraction(5),), False)],
    "十二五": [((Fraction(12),), False), ((Fraction(5),), False)],
    "十三五": [((Fraction(13),), False), ((Fraction(5),), False)],
    "十四五": [((Fraction(14),), False), ((Fraction(5),), False)],
    "十五五": [((Fraction(15),), False), ((Fraction(5),), False)],
    # knockout rounds: "the quarter-finals", "the last eight", "the round of 16"
    "四分之一决赛": [((Fraction(1, 4), Fraction(8)), False)],
    "八分之一决赛": [((Fraction(1, 8), Fraction(16)), False)],
}

_CN_DECIMAL = r"[〇零一二两三四五六七八九十百千]+点[〇零一二三四五六七八九]+(?![分钟时])"

_SOURCE_RE = re.compile(
    rf"(?P<year_range>(?<![0-9])[12][0-9]{{3}}\s?[-–/]\s?[0-9]{{2}}(?![0-9]))"
    rf"|(?P<date>(?<![0-9.])(?:1[0-2]|0?[1-9])[.·•](?:3[01]|[12][0-9]|0?[1-9])(?![0-9]|\s?[%多余十百千万亿]))"
    rf"|(?P<dotted>[0-9]+(?:\.[0-9]+){{2,}})"
    rf"|(?P<slash>(?<![0-9/])[0-9]+/[0-9]+(?![0-9/]))"
    rf"|(?P<lexicon>{'|'.join(sorted(map(re.escape, LEXICON), key=len, reverse=True))})"
    rf"|(?P<lexicalised>{'|'.join(NOT_NUMBER_WORDS)})"
    rf"|百分之(?P<percent>{_CN_DECIMAL}|{_NUM})"
    rf"|(?P<denominator>{_NUM})分之(?P<numerator>{_CN_DECIMAL}|{_NUM})"
    rf"|第(?P<ordinal>{_NUM})"
    rf"|(?P<decade_pair>[一二三四五六七八九]、?[一二三四五六七八九])十年代"
    rf"|(?P<decade_list>(?<![0-9])[0-9]0?(?:[、,，][0-9]0)+)(?=\s?(?:年代|后))"
    rf"|(?P<century>{_NUM})\s?世纪\s?(?P<decade>{_NUM})\s?年代"
    rf"|(?P<cn_decimal>{_CN_DECIMAL})(?P<cn_decimal_scale>[万亿]*)"
    rf"|(?P<number>{_NUM})"
)
_NUMERAL_RUN_RE = re.compile(f"[{_CN_NUMERALS}0-9]+")

#: A Chinese numeral right after one of these is an approximation: 数十
#: (dozens), 几百 (several hundred); 上 only before 百千万亿 (上千, thousands).
_APPROXIMATING_PREFIXES = ("数", "几")
_APPROXIMATING_BEFORE_MAGNITUDES = ("上",)
#: A numeral after these is a weekday (星期三, 周三): a date, so it counts.
_WEEKDAY_PREFIXES = ("星期", "礼拜", "周")


def _approximate_pair(run: str) -> list[Fraction] | None:
    """三四, 两三, 三四十, 十五六: two neighbouring numbers, "three or four"."""
    for i in range(len(run) - 1):
        a, b = _CN_DIGITS.get(run[i]), _CN_DIGITS.get(run[i + 1])
        if a and b and b == a + 1:
            first, second = chinese_number(run[: i + 1] + run[i + 2 :]), chinese_number(run[:i] + run[i + 1 :])
            if first is not None and second is not None:
                return [first, second]
    return None


def _with_measure(value: Fraction, measure: str) -> tuple[Fraction, ...]:
    """The readings of a number before a measure word: 18世纪 is also the
    1700s, 60年代 the 1960s, 三成 30%, 增长1倍 doubled."""
    if measure == "世纪":
        return (value, (value - 1) * 100)
    if measure == "年代" and value < 100:
        return (value, 1900 + value)
    if measure == "成":
        return (value, value * 10)
    if measure == "分" and value.denominator == 1 and value <= 10:  # 三分天注定，七分靠打拼: tenths, 30%
        return (value, value * 10)
    if measure in _EXACT_CONVERSIONS:  # 7.5万亩 is 5,000 hectares
        return (value, value * _EXACT_CONVERSIONS[measure])
    if measure == "倍":  # 是…的2倍 is twice; 增长1倍 is "doubled", one more
        return (value, value + 1)
    return (value,)


#: Units that English gives in another unit by a conversion that is exact
#: by definition (1 mu = 1/15 hectare; 1 jin = 0.5 kg; 1 hectare = 15 mu).
_EXACT_CONVERSIONS = {"亩": Fraction(1, 15), "公顷": Fraction(15), "斤": Fraction(1, 2)}


_LATIN_ZERO_RE = re.compile(f"(?<=[{_CN_DIGITS_CHARS}])[OoΟ○]+(?=[{_CN_DIGITS_CHARS}])")

#: The Roman numeral signs of Unicode (Ⅱ型糖尿病: type 2 diabetes), as digits.
_ROMAN_NUMERAL_SIGNS = {0x2160 + i: str(i + 1) for i in range(12)} | {0x2170 + i: str(i + 1) for i in range(12)}


def source_quantities(text: str) -> list[Quantity]:
    """The quantities a Chinese sentence states, required or optional."""
    text = text.translate(DIGITS_TO_ASCII).translate(_ROMAN_NUMERAL_SIGNS)
    text = _LATIN_ZERO_RE.sub(lambda z: "〇" * len(z.group()), text)  # 六O二厂, 二OO八年: a Latin O typed for 〇
    found: list[Quantity] = []
    pos = 0
    while (m := _SOURCE_RE.search(text, pos)) is not None:
        pos = m.end()
        if m.group("year_range"):  # 2016/17赛季, 2014-15: the years 2016 and 2017
            found.extend(year_range(m.group()))
        elif m.group("date"):  # 5.12, 8·11: May 12, or the decimal 5.12
            found.extend(possible_date(m.group()))
        elif m.group("dotted"):  # 2024.3.15: a date or version, one number per part
            found.extend(Quantity(part, (decimal_value(part),)) for part in m.group().split("."))
        elif m.group("slash"):
            found.append(_slash_fraction(m.group()))
        elif m.group("lexicon"):
            found.extend(Quantity(m.group(), values, required) for values, required in LEXICON[m.group()])
        elif m.group("lexicalised"):
            for run in _NUMERAL_RUN_RE.findall(m.group()):
                value = chinese_number(run)
                if value is not None:
                    found.append(Quantity(m.group(), (value,), required=False))
        elif m.group("percent"):
            value = _cn_decimal(m.group("percent")) or chinese_number(m.group("percent"))
            if value is not None:
                found.append(Quantity(m.group(), (value,)))
        elif m.group("numerator"):
            numerator = _cn_decimal(m.group("numerator")) or chinese_number(m.group("numerator"))
            denominator = chinese_number(m.group("denominator"))
            if numerator is not None and denominator:
                values = (numerator / denominator, numerator * 100 / denominator)
                if denominator >= 1000:  # 千分之五: "5 per mille" as well as 0.5%
                    values += (numerator,)
                found.append(Quantity(m.group(), values))
        elif m.group("ordinal"):
            value = chinese_number(m.group("ordinal"))
            if value is not None:
                # 第一 is as often "top", "lead", "largest" or "premier" as
                # "first": optional, but named when the English has a figure
                # the source lacks (第一次 → "the 4th time" is a changed figure).
                found.append(Quantity(m.group(), (value,), required=value != 1, spelled=value == 1))
        elif m.group(
            "decade_list"
        ):  # 70、80年代, 7、80年代, 80、90后: the 1970s and 1980s, born in the 1980s and 1990s
            for part in re.split(r"[、,，]", m.group()):
                decade = Fraction(int(part.ljust(2, "0")))  # the first decade may be cut to its digit
                found.append(Quantity(part, (decade, 1900 + decade)))
        elif m.group("decade_pair"):  # 七八十年代: the 1970s and 1980s
            for digit in m.group("decade_pair").replace("、", ""):
                decade = Fraction(_CN_DIGITS[digit] * 10)
                found.append(Quantity(m.group(), (decade, 1900 + decade)))
        elif m.group("century"):
            century, decade = chinese_number(m.group("century")), chinese_number(m.group("decade"))
            if century is not None and decade is not None:
                found.append(Quantity(m.group(), ((century - 1) * 100 + decade,)))  # 18世纪60年代: the 1760s
        elif m.group("cn_decimal"):  # 五点二亿: 520 million
            scale = 1
            for ch in m.group("cn_decimal_scale"):
                scale *= _CN_SCALES[ch]
            measure = _MEASURE_RE.match(text, m.end())
            value = _cn_decimal(m.group("cn_decimal")) * scale
            found.append(Quantity(m.group(), _with_measure(value, measure.group() if measure else "")))
        else:
            quantities, pos = _read_number(text, m)
            found.extend(quantities)
    return found


def year_range(text: str) -> list[Quantity]:
    """2019-20, 2016/17: a season or fiscal year, the years 2019 and 2020."""
    first, second = (part.strip() for part in re.split(r"[-–/]", text))
    century = int(first) // 100 * 100
    return [
        Quantity(first, (Fraction(int(first)),)),
        Quantity(second, (Fraction(int(second)), Fraction(century + int(second)))),
    ]


def possible_date(text: str) -> list[Quantity]:
    """5.12 may be the decimal or May 12 (the 5·12 earthquake); 8·11 is a
    date. Month and day may pair with "May 12" or "12 May"; a decimal point
    leaves every reading optional, since only the context tells which."""
    month, day = (part for part in re.split(r"[.·•]", text))
    dated = "." not in text
    readings = [
        Quantity(text, (Fraction(int(month)),), required=dated),
        Quantity(text, (Fraction(int(day)),), required=dated),
    ]
    if not dated:
        readings.append(Quantity(text, (decimal_value(text),), required=False))
    return readings


def _slash_fraction(text: str) -> Quantity:
    """1/4: a quarter, 25%; also the two numbers as written, one of them
    (24/7, 3/15) read as a whole."""
    numerator, denominator = (decimal_value(part) for part in text.split("/"))
    values = (numerator / denominator, numerator * 100 / denominator) if denominator else ()
    return Quantity(text, values + (numerator * 1000 + denominator,))


def _cn_decimal(text: str) -> Fraction | None:
    """三点五 → 3.5."""
    if "点" not in text:
        return None
    whole, _, decimals = text.partition("点")
    value = chinese_number(whole)
    if value is None:
        return None
    return value + Fraction(int("".join(str(_CN_DIGITS[ch]) for ch in decimals)), 10 ** len(decimals))


def _read_number(text: str, m: re.Match) -> tuple[list[Quantity], int]:
    """A number and what follows it (多/余, a measure word); the position
    after them."""
    run, start = m.group("number"), m.start("number")
    after = m.end()
    approximate = text[after : after + 1] if text[after : after + 1] in ("多", "余", "来", "几") else ""
    gap = 1 if text[after + len(approximate) : after + len(approximate) + 1] == " " else 0  # 18 世纪, 80 年代
    measure_match = _MEASURE_RE.match(text, after + len(approximate) + gap)
    measure = measure_match.group() if measure_match else ""
    end = after + len(approximate) + gap + len(measure) if measure else after
    extra: list[Quantity] = []
    if measure == "点" and text[end : end + 1] == "半":  # 9点半: 9:30
        extra.append(Quantity(text[start : end + 1], (Fraction(30),), required=False))
        end += 1
    scale = 1
    split_scale = None
    if measure == "个" and text[end : end + 1] in _CN_SCALES:  # 3个亿: 300 million
        scale, measure = _CN_SCALES[text[end]], ""
        end += 1
        # 20个亿元以上项目: also 20 projects of 100 million or more each
        if _SCALE_AS_MODIFIER_RE.match(text, end):
            split_scale = Quantity(text[end - 1 : end], (Fraction(scale),), required=False)
    fraction = None
    if measure == "秒" and (digits := re.match(r"[0-9]+", text[end:])):  # 9秒58: 9.58 seconds
        fraction = Fraction(int(digits.group()), 10 ** len(digits.group()))
        end += len(digits.group())
    surface = text[start:end]
    run = run.replace(" ", "")

    if len(run) > _MAX_DIGITS:
        return [], end  # not a figure: a pasted table, a run of characters
    if run[0].isascii() and run[0].isdigit():  # Arabic digits always count
        value = chinese_number(run) * scale + (fraction or 0)
        # 600-700万: the first number of a range shares the scale of the second
        if not measure and (shared := _RANGE_SCALE_RE.match(text, end)) and scale == 1 and value == chinese_number(run):
            shared_scale = 1
            for ch in shared.group(1):
                shared_scale *= _CN_SCALES[ch]
            return [Quantity(surface, (value, value * shared_scale))] + extra, end
        # ... but 1 before a measure word that counts things is the English
        # article: 击毙1名受刑人, "killing a prisoner".
        article = value == 1 and measure and measure not in _NOT_COUNTING
        if split_scale is not None:
            return [Quantity(surface, (value, value / scale)), split_scale] + extra, end
        # 比2016年增长 in a sentence about 2017: the base of a comparison,
        # "year-on-year" in English; optional, but named beside a changed figure.
        base_year = (
            measure == "年"
            and len(run) == 4
            and text[max(0, start - 2) : start].endswith(_COMPARED_WITH)
            and str(int(value) + 1) in text[max(0, start - 300) : end + 300]
        )
        return [
            Quantity(surface, _with_measure(value, measure), required=not (article or base_year), spelled=base_year)
        ] + extra, end

    # 三四, 十五六: "three or four"; not a year read digit by digit (二零一二).
    pair = None if len(run) >= 3 and all(ch in _CN_DIGITS for ch in run) else _approximate_pair(run)
    if pair is not None:
        return [Quantity(surface, (value,), required=False) for value in pair], end
    value = chinese_number(run)
    if value is None:
        return [], end
    value = value * scale + (fraction or 0)
    before = text[max(0, start - 8) : start]  # enough for the prefixes looked for
    weekday = len(run) == 1 and before.endswith(_WEEKDAY_PREFIXES) and not measure
    digit_by_digit = len(run) > 1 and all(ch in _CN_DIGITS for ch in run)
    # A figure, not a word: three or more numerals that read as one number
    # (三千五百万; idioms use one or two: 千军, 十全), or four digits read one
    # by one (二〇二七, a year). Shorter runs of digits are never a count,
    # whatever follows (a count says 八十一, not 八一): they name events,
    # days and buildings (五四 "May Fourth", 九一八 "September 18", 五一节
    # "May Day", 八一大楼 "the August 1st Building") or give a rough count
    # (三五天, "three to five days"): optional, in any split.
    figure = len(run) >= 4 if digit_by_digit else len(run) >= 3
    short_digit_run = digit_by_digit and not figure
    if short_digit_run:
        extra.extend(Quantity(surface, (v,), required=False) for v in _digit_splits(run))
    required = (
        (bool(measure) or scale != 1 or weekday or figure)  # 三个亿: 个 was read with the scale
        and not short_digit_run
        and not inside_word(text, start, start + len(run))
        and run != "一"  # 一张王牌: the English article
        and approximate != "几"
        and "几" not in run
        and not before.endswith(_APPROXIMATING_PREFIXES)
        and not (before.endswith(_APPROXIMATING_BEFORE_MAGNITUDES) and run[0] in "百千万亿")
        and not (measure and restates_a_list(text, start, end, value))
    )
    if split_scale is not None:
        return [Quantity(surface, (value, value / scale), required=required), split_scale] + extra, end
    return [Quantity(surface, _with_measure(value, measure), required=required)] + extra, end


#: Words that join the items of a list, and what opens a list after its count.
_LIST_JOINERS = frozenset(["、", "和", "与", "及", "以及", "跟", "同", "或", "和/或"])
_LIST_AFTER_COUNT_RE = re.compile(r"(?:分别为|分别是|包括|为|是|即|：|:)")
_CLAUSE_ENDS = "，。；：！？,;:!?"
_QUOTED_BEFORE_RE = re.compile(r"[“\"「『‘]([^”\"」』’]{1,12})[”\"」』’]$")


def restates_a_list(text: str, start: int, end: int, value: Fraction) -> bool:
    """Whether a small count only restates a list of that many items next to
    it (黄河和长江两条大河, 冯小刚、宁浩、大鹏三位嘉宾, 另外四位为A、B、C和D,
    “新零售”三个字): English names the items and drops the count, and a
    dropped count then loses nothing."""
    if value.denominator != 1 or not 2 <= value <= 10:
        return False
    if text[end : end + 1] == "字" and (quoted := _QUOTED_BEFORE_RE.search(text[max(0, start - 16) : start])):
        return len(quoted.group(1)) == value
    window = text[max(0, start - 200) : start]
    before = window[max(window.rfind(ch) for ch in _CLAUSE_ENDS) + 1 :]
    if _list_length(before) == value:
        return True
    if opening := _LIST_AFTER_COUNT_RE.match(text, end):
        after = text[opening.end() : opening.end() + 200]
        cut = min((i for i in (after.find(ch) for ch in "，。；！？,;!?") if i >= 0), default=len(after))
        return _list_length(after[:cut]) == value
    return False


def _list_length(clause: str) -> int:
    """The items of a list in a clause, counted by jieba's joining words (a
    和 inside 和平 is no joiner); 0 when there is no list."""
    if not any(ch in clause for ch in "、和与及跟同或"):
        return 0
    joiners = sum(1 for word in words(clause) if word in _LIST_JOINERS) if clause else 0
    return joiners + 1 if joiners else 0


_COMPARED_WITH = ("比", "较", "相比", "同比", "与")
_RANGE_SCALE_RE = re.compile(r"\s?[-–~～至到]\s?[0-9]+(?:\.[0-9]+)?\s?([万亿]+)")
#: After N个亿: the scale starts a modifier of what is counted (亿元以上, 亿元级).
_SCALE_AS_MODIFIER_RE = re.compile(r"(?:[美欧日港]?元)?(?:以上|以下|级)")
#: Measure words that do not count things: after them, 1 is not "a".
_NOT_COUNTING = frozenset(
    [
        "世纪",
        "年代",
        "周年",
        "年",
        "个月",
        "月",
        "日",
        "号",
        "周岁",
        "岁",
        "个小时",
        "小时",
        "分钟",
        "秒钟",
        "秒",
        "分",
        "季度",
        "个百分点",
        "百分点",
        "%",
        "倍",
        "成",
        "点",
    ]
)


def inside_word(text: str, start: int, end: int) -> bool:
    """Whether the numerals ``text[start:end]`` are letters of a word rather
    than a number: jieba reads the word that holds them, and it is more than
    a number with its ordinal prefix and measure word (三明治 "sandwich",
    七上八下, 五角大楼 "the Pentagon", 三轮车 "tricycle", 零组件 "components")."""
    starts, segmented = _word_starts(text)
    i = max(0, bisect.bisect_right(starts, start) - 1)  # the word holding ``start``
    while i < len(segmented) and starts[i] < end:
        if not is_number_word(segmented[i]):
            return True
        i += 1
    return False


@lru_cache(maxsize=64)
def _word_starts(text: str) -> tuple[list[int], tuple[str, ...]]:
    """jieba's words of ``text`` and the offset of each, for lookups by
    bisection (a scan per number would be quadratic on a long line)."""
    segmented = words(text)
    starts, at = [], 0
    for word in segmented:
        starts.append(at)
        at += len(word)
    return starts, segmented


def _digit_splits(run: str) -> list[Fraction]:
    """五四 → 5, 4; 九一八 → 9, 18, 91, 8: the numbers a run of digits may
    stand for when it names a date."""
    digits = "".join(str(_CN_DIGITS[ch]) for ch in run)
    values = []
    for i in range(1, len(digits)):
        values += [Fraction(int(digits[:i])), Fraction(int(digits[i:]))]
    return list(dict.fromkeys(values))


# --- English -------------------------------------------------------------------

_EN_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_EN_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_EN_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "ninetieth": 90,
    "hundredth": 100,
    "thousandth": 10**3,
    "millionth": 10**6,
    "billionth": 10**9,
}
_EN_DECADE_WORDS = {
    "twenties": 20,
    "thirties": 30,
    "forties": 40,
    "fifties": 50,
    "sixties": 60,
    "seventies": 70,
    "eighties": 80,
    "nineties": 90,
}
_EN_DENOMINATORS = {
    "half": 2,
    "halves": 2,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
    "fifth": 5,
    "fifths": 5,
    "sixth": 6,
    "sixths": 6,
    "seventh": 7,
    "sevenths": 7,
    "eighth": 8,
    "eighths": 8,
    "ninth": 9,
    "ninths": 9,
    "tenth": 10,
    "tenths": 10,
}
# ... and every larger ordinal: one-fiftieth (五十分之一), a hundredth, three-thousandths
_EN_DENOMINATORS |= {form: value for word, value in _EN_ORDINALS.items() if value > 10 for form in (word, word + "s")}
_EN_MONTHS = {
    "January": 1,
    "February": 2,
    "March": 3,
    "April": 4,
    "May": 5,
    "June": 6,
    "July": 7,
    "August": 8,
    "September": 9,
    "October": 10,
    "November": 11,
    "December": 12,
    "Jan.": 1,
    "Feb.": 2,
    "Mar.": 3,
    "Apr.": 4,
    "Jun.": 6,
    "Jul.": 7,
    "Aug.": 8,
    "Sep.": 9,
    "Sept.": 9,
    "Oct.": 10,
    "Nov.": 11,
    "Dec.": 12,
}
_EN_WEEKDAYS = {"Monday": 1, "Tuesday": 2, "Wednesday": 3, "Thursday": 4, "Friday": 5, "Saturday": 6, "Sunday": 7}
#: Words that are numbers only sometimes: optional quantities.
_EN_LOOSE: dict[str, tuple[Fraction, ...]] = {  # rows by kind of word, kept by the fmt: skip below
    **{w: (Fraction(2),) for w in ("twice", "double", "doubled", "doubles", "doubling", "twofold", "both",
                                    "couple", "pair", "dual", "twin")},
    **{w: (Fraction(3),) for w in ("thrice", "triple", "tripled", "triples", "tripling", "threefold")},
    **{w: (Fraction(4),) for w in ("quadruple", "quadrupled", "quadrupling", "fourfold")},
    "fivefold": (Fraction(5),), "tenfold": (Fraction(10),), "hundredfold": (Fraction(100),),
    "firstly": (Fraction(1),), "secondly": (Fraction(2),), "thirdly": (Fraction(3),), "fourthly": (Fraction(4),),
    "fifthly": (Fraction(5),),
    "once": (Fraction(1),), "single": (Fraction(1),), "half": (Fraction(1, 2), Fraction(50)),
    "dozen": (Fraction(12),), "dozens": (Fraction(12),), "decade": (Fraction(10),), "decades": (Fraction(10),),
    "century": (Fraction(100),), "centuries": (Fraction(100),), "millennium": (Fraction(1000),),
    "millennia": (Fraction(1000),), "hundreds": (Fraction(100),), "thousands": (Fraction(1000),),
    "millions": (Fraction(10**6),), "billions": (Fraction(10**9),),
    "centenary": (Fraction(100),), "centennial": (Fraction(100),), "bicentenary": (Fraction(200),),
    "bicentennial": (Fraction(200),),
}  # fmt: skip
#: English number words that stand alone as something else: "one of", "no
#: one", "at first", "for the first time" (首次, 率先).
_EN_OPTIONAL_ALONE = {"one", "first"}
#: Spelled-out numbers up to this one are optional (see _read_words).
_OPTIONAL_SPELLED_MAX = 12
_EN_SCALE_ABBREVIATIONS = {"k": 10**3, "m": 10**6, "mn": 10**6, "b": 10**9, "bn": 10**9, "tn": 10**12, "trn": 10**12}
_ROMAN_CONTEXT = r"Phase|Stage|Part|Chapter|Article|Section|Volume|Class|Grade|Level|Type|War|Plan"
_ROMAN_RE = re.compile(r"X{0,3}(?:IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}


def _words(*tables) -> str:
    words = [w for table in tables for w in table]
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


_NUMBER_WORD = _words(_EN_UNITS, _EN_TENS, _EN_SCALES, _EN_ORDINALS)
_TARGET_RE = re.compile(
    rf"(?P<dotted>(?<![0-9])[0-9]+(?:\.[0-9]+){{2,}})"
    rf"|(?P<year_range>(?<![0-9])[12][0-9]{{3}}[-–/][0-9]{{2}}(?![0-9]))"
    rf"|(?P<clock>(?<![0-9.:])[0-9]{{1,2}}:[0-5][0-9](?::[0-5][0-9])?(?:\.[0-9]+)?(?![0-9:])"
    rf"|(?<![0-9.:])[0-9]{{1,2}}\.[0-5][0-9](?=\s?(?i:am|pm|a\.m\.|p\.m\.)))"
    rf"|(?P<date>(?<![0-9.,])(?:1[0-2]|0?[1-9])\.(?:3[01]|[12][0-9]|0?[1-9])(?![0-9.,])(?!\s?(?:%|(?i:percent|per\s+cent|{'|'.join(_EN_SCALES)}|bn|mn|tn)\b)))"
    rf"|['’](?P<short_decade>[0-9]0)s\b"
    rf"|(?P<round_clock>(?<![0-9.,])(?:24\s?/\s?7|7\s?[*×xX]\s?24|24\s?[*×xX]\s?7)(?![0-9.,]))"
    rf"|(?P<slash>(?<![0-9/])[0-9]+/[0-9]+(?![0-9/]))"
    rf"|(?P<fiscal>\b(?:FY\s?|(?i:fiscal\s+year)\s+)(?P<fiscal_year>[0-9]{{2}})\b)"
    rf"|(?P<prime>(?<![0-9.,])(?P<prime_whole>[0-9]+)['’′](?P<prime_part>[0-9]{{2}})(?![0-9]))"
    rf"|(?P<one_in>(?<![0-9.,])(?P<one_in_a>1|\b(?i:one))\s+in\s+"
    rf"(?P<one_in_b>[0-9]+|(?i:(?:a|one)\s+(?:{_words(_EN_SCALES)})|{_words(_EN_UNITS, _EN_TENS)}))(?![.,]?[0-9]|\w))"
    rf"|(?P<exponent>(?:(?<=[0-9\s]m)|(?<=[0-9\s][kc]m))[23](?![0-9]))"
    rf"|(?P<arabic>(?<![0-9])(?<![0-9][.,])(?:{_ARABIC}))"
    rf"|(?P<a_unit>\b(?i:an?)\s+(?i:year|month|week|day|hour|minute)\b(?!-))"
    rf"|(?P<half_phrase>\b(?i:first|second)\s+(?i:half)\b)"
    rf"|(?P<half_scale>\b(?i:half)[\s-]+(?i:an?)[\s-]+(?P<half_scale_word>(?i:{_words(_EN_SCALES)}|dozen))\b)"
    rf"|(?P<fraction>\b(?i:a|an|one|two|three|four|five|six|seven|eight|nine|ten)[\s-]+(?i:{_words(_EN_DENOMINATORS)})\b)"
    rf"|\b(?:{_ROMAN_CONTEXT})\s+(?P<roman>[IVX]+)\b"
    rf"|\b(?P<bare_roman>(?=[IVX]{{2,}}\b)[IVX]+)\b"
    rf"|(?P<words>\b(?i:{_NUMBER_WORD})(?:(?:[\s-]+(?i:and\s+)?)(?i:{_NUMBER_WORD}))*\b)"
    rf"|\b(?P<decade_word>(?i:{_words(_EN_DECADE_WORDS)}))\b"
    rf"|(?P<month>\b(?:{_words(_EN_MONTHS)})(?:\b|(?<=\.)))"
    rf"|\b(?P<weekday>{_words(_EN_WEEKDAYS)})s?\b"
    rf"|\b(?P<loose>(?i:{_words(_EN_LOOSE)}))\b"
)
_ORDINAL_SUFFIX_RE = re.compile(r"(?:st|nd|rd|th)\b")
_DECADE_SUFFIX_RE = re.compile(r"['’]?s\b")
_PERCENT_RE = re.compile(r"\s?%|\s*(?i:percent|per\s+cent)\b")
_SCALE_WORD_RE = re.compile(rf"\s*-?\s*(?i:({'|'.join(_EN_SCALES)}))\b")
_SCALE_ABBREVIATION_RE = re.compile(r"(?i:(bn|mn|tn|trn)|\s(bn|mn|tn|trn)|([kmb]))\b")
_CENTURY_RE = re.compile(r"[\s-]+(?i:centur(?:y|ies))\b")
_DECADES_RE = re.compile(r"\s+(?i:decades?)\b")
_EN_RANGE_SCALE_RE = re.compile(rf"\s?(?:[-–]|to)\s?[0-9]+(?:\.[0-9]+)?\s*(?i:({'|'.join(_EN_SCALES)}))\b")
_VAGUE_BEFORE_RE = re.compile(r"\b(?i:few|several|many|some)\s+$")
_OF_AFTER_RE = re.compile(r"\s+of\b")
_ACRONYM_BEFORE_RE = re.compile(r"\b[A-Z]{2,}-$")
_NUMBER_SIGN_BEFORE_RE = re.compile(r"\b(?:No\.?|Number)\s?$")
_DOZEN_RE = re.compile(r"\s+(?i:dozen)\b(?!s)")
#: A scale word hyphenated to a noun: "hundred-year", "million-dollar".
_COMPOUND_RE = re.compile(r"-[A-Za-z]")


def target_quantities(text: str) -> list[Quantity]:
    """The quantities an English sentence states, required or optional."""
    text = text.translate(DIGITS_TO_ASCII)
    found: list[Quantity] = []
    pos = 0
    while (m := _TARGET_RE.search(text, pos)) is not None:
        pos = m.end()
        kind = next(name for name, value in m.groupdict().items() if value is not None)
        if kind == "dotted":
            found.extend(Quantity(part, (decimal_value(part),)) for part in m.group().split("."))
        elif kind == "year_range":  # 2020-21: 2020 and 2021
            found.extend(year_range(m.group()))
        elif kind == "clock":  # 9:30, 1:57.79 (a minute and 57.79 seconds); ":00" says nothing
            parts = re.split(r"[:.]", m.group()) if ":" not in m.group() else m.group().split(":")
            # A race time (fractional seconds) is one figure too: a source may
            # write 3:51.659 without its colon (351.659). Then its parts are
            # optional, but named when the source has a figure left over.
            race = ":" in m.group() and "." in m.group()
            found.extend(
                Quantity(
                    m.group(), (Fraction(part),), required=not race and (i == 0 or Fraction(part) != 0), spelled=race
                )
                for i, part in enumerate(parts)
            )
            if race:
                found.append(Quantity(m.group(), (Fraction(m.group().replace(":", "")),), required=False))
        elif kind == "date":  # 5.12: the decimal, or May 12
            found.extend(possible_date(m.group()))
        elif kind == "slash":
            found.append(_slash_fraction(m.group()))
        elif kind == "short_decade":  # the '60s
            value = Fraction(m.group("short_decade"))
            found.append(Quantity(m.group(), (value, 1900 + value)))
        elif kind == "exponent":  # 90 m2: square metres, not a figure
            continue
        elif kind == "fiscal":  # FY18, fiscal year 17: 2018, 2017
            year = Fraction(int(m.group("fiscal_year")))
            found.append(Quantity(m.group(), (2000 + year, year)))
        elif kind == "prime":  # 22'85: 22.85 seconds, as sport reports write it
            found.append(Quantity(m.group(), (Fraction(f"{m.group('prime_whole')}.{m.group('prime_part')}"),)))
        elif kind == "round_clock":  # 24/7, 7*24: around the clock (二十四小时), or 24/7 as the source writes it
            found.append(Quantity(m.group(), (Fraction(24),) + _slash_fraction("24/7").values))
            found.append(Quantity(m.group(), (Fraction(7),), required=False))
        elif kind == "a_unit":  # a year ago (1年前): optional
            found.append(Quantity(m.group(), (Fraction(1),), required=False))
        elif kind == "one_in":  # 1 in 5, one in a thousand: a fifth, 20% (not "33 in 13 counties")
            a, b = Fraction(1), _one_in_base(m.group("one_in_b"))
            found.append(Quantity(m.group(), (a / b, 100 * a / b) if b else (a,)))
        elif kind == "arabic":
            quantity, pos = _read_arabic(text, m)
            found.append(quantity)
        elif kind == "half_phrase":  # the first/second half of the year (上半年, 下半年)
            found.append(Quantity(m.group(), (Fraction(1), Fraction(2)), required=False))
            found.append(Quantity(m.group(), (Fraction(1, 2),), required=False))
        elif kind == "half_scale":  # half a billion: 500 million
            word = m.group("half_scale_word").lower()
            found.append(Quantity(m.group(), (Fraction(_EN_SCALES.get(word, 12), 2),)))
        elif kind == "fraction":
            quantity = _read_fraction(m.group())
            if re.fullmatch(r"(?i:an?)\s+quarters?", m.group()) and not _OF_AFTER_RE.match(text, m.end()):
                # within a quarter (一个季度): three months, unless "a quarter of"
                quantity = replace(quantity, required=False, spelled=True)
            found.append(quantity)
        elif kind in ("roman", "bare_roman"):
            numeral = m.group(kind)
            if kind == "bare_roman" and not _CAPITALISED_BEFORE_RE.search(text[max(0, m.start() - 40) : m.start()]):
                continue  # a numeral follows a name (World War II, Louis XIV); "the starting XI" is a team
            if _ROMAN_RE.fullmatch(numeral):
                found.append(Quantity(m.group(), (Fraction(_roman_value(numeral)),)))
        elif kind == "words":
            quantities, pos = _read_words(text, m)
            found.extend(quantities)
        elif kind == "decade_word":  # the sixties
            value = Fraction(_EN_DECADE_WORDS[m.group().lower()])
            found.append(Quantity(m.group(), (value, 1900 + value)))
        elif kind == "month":
            # "May" is also a verb; a month after a capitalised word is part of a name (Long March 5).
            in_name = _CAPITALISED_BEFORE_RE.search(text[max(0, m.start() - 40) : m.start()]) and not _sentence_start(
                text, m.start()
            )
            required = m.group() != "May" and not in_name and (m.group() != "March" or _dated(text, m))
            found.append(Quantity(m.group(), (Fraction(_EN_MONTHS[m.group()]),), required=required))
        elif kind == "weekday":
            found.append(Quantity(m.group(), (Fraction(_EN_WEEKDAYS[m.group("weekday")]),), required=False))
        else:
            found.append(Quantity(m.group(), _EN_LOOSE[m.group().lower()], required=False))
    return found


#: What makes "March" a month rather than the verb ("March towards the
#: goal"): a day or year after it, or a preposition or time word before it.
_DATE_AFTER_RE = re.compile(r"\s*[0-9]")
_DATE_BEFORE_RE = re.compile(
    r"\b(?i:in|on|since|by|until|till|last|next|this|early|late|mid|of|from|before|after|during|end|through|to|and|or)[\s-]+$"
)


def _dated(text: str, m: re.Match) -> bool:
    return bool(_DATE_AFTER_RE.match(text, m.end()) or _DATE_BEFORE_RE.search(text[max(0, m.start() - 20) : m.start()]))


#: A capitalised word right before a position (looked for in a bounded
#: window, so that a long line stays linear).
_CAPITALISED_BEFORE_RE = re.compile(r"\b[A-Z][a-z]+\s+$")


def _sentence_start(text: str, pos: int) -> bool:
    """Whether the word before ``pos`` starts a sentence (capitalised by position)."""
    before = text[max(0, pos - 200) : pos].rstrip()
    before = before[: before.rfind(" ") + 1] if " " in before else ""
    return not before.strip() or before.rstrip()[-1] in '.!?:"“'


def _roman_value(numeral: str) -> int:
    total = 0
    for i, ch in enumerate(numeral):
        value = _ROMAN_VALUES[ch]
        following = _ROMAN_VALUES[numeral[i + 1]] if i + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total


def _one_in_base(text: str) -> Fraction:
    """5, "a thousand", "ten": the N of "one in N"."""
    if text[0].isdigit():
        return Fraction(int(text))
    word = text.lower().split()[-1]
    return Fraction({**_EN_UNITS, **_EN_TENS, **_EN_SCALES}[word])


def _read_fraction(text: str) -> Quantity:
    """one-third, two-thirds, a quarter; "a third" may also be an ordinal
    (a third term: 第三个任期)."""
    count, _, denominator_word = re.split(r"([\s-]+)", text, maxsplit=1)
    count = count.lower()
    denominator = _EN_DENOMINATORS[denominator_word.lower()]
    numerator = 1 if count in ("a", "an") else _EN_UNITS[count]
    values = (Fraction(numerator, denominator), Fraction(numerator * 100, denominator))
    if count in ("a", "an") and denominator_word.lower() in _EN_ORDINALS:
        values += (Fraction(denominator),)
    if denominator >= 100 and denominator_word.lower() in _EN_ORDINALS:  # the two hundredth anniversary
        values += (Fraction(numerator * denominator),)
    # "a year and a half" (一年半): the half belongs to another number.
    return Quantity(text, values, required=not (count in ("a", "an") and denominator == 2))


def _read_arabic(text: str, m: re.Match) -> tuple[Quantity, int]:
    """Digits and what follows them: 18th, 1760s, 5.5%, 11 million, 11m, 3bn."""
    digits = m.group()
    value = decimal_value(digits)
    values: tuple[Fraction, ...] = (value,)
    precision = None
    pos = m.end()
    ordinal = False
    if suffix := _ORDINAL_SUFFIX_RE.match(text, pos):
        ordinal, pos = True, suffix.end()
    elif (suffix := _DECADE_SUFFIX_RE.match(text, pos)) and value.denominator == 1 and value % 10 == 0:
        values = (value, 1900 + value) if value < 100 else (value,)  # the 80s, the 1980s
        pos = suffix.end()
    if suffix := _PERCENT_RE.match(text, pos):
        pos = suffix.end()
    elif suffix := _SCALE_WORD_RE.match(text, pos):
        scale = _EN_SCALES[suffix.group(1).lower()]
        values = (value * scale,)
        if scale >= 10**6 and _significant_digits(digits) >= 2:  # 1.65 trillion: may be rounded
            precision = _decimal_unit(digits) * scale
        pos = suffix.end()
    elif suffix := _SCALE_ABBREVIATION_RE.match(text, pos):
        word = next(g for g in suffix.groups() if g).lower()
        scale = _EN_SCALE_ABBREVIATIONS[word]
        # 11m is 11 million in a headline, 11 metres in a race: keep both.
        values = (value * scale,) if len(word) > 1 else (value * scale, value)
        pos = suffix.end()
    elif shared := _EN_RANGE_SCALE_RE.match(text, pos):  # 6-7 million: 6 million too
        values = (value, value * _EN_SCALES[shared.group(1).lower()])
    values, pos = _century_or_decades(text, pos, values, ordinal)
    before = text[max(0, m.start() - 40) : m.start()]
    # A name's number, added by the English: "CCTV-2" (央视财经频道), "Qatar
    # 2022" (该组委会), "European No 1" (欧洲冠军). Optional, but named
    # beside a figure of the source left over.
    name = (
        _ACRONYM_BEFORE_RE.search(before)
        or (value == 1 and pos == m.end() and _NUMBER_SIGN_BEFORE_RE.search(before))
        or (
            re.fullmatch(r"(?:19|20)[0-9]{2}", digits)
            and (word := _CAPITALISED_BEFORE_RE.search(before))
            and word.group().strip() not in _EN_MONTHS
            and word.group().strip() not in _EN_WEEKDAYS
            and not _sentence_start(text, m.start() - len(word.group()) + 1)
        )
    )
    return Quantity(text[m.start() : pos], values, required=not name, precision=precision, spelled=bool(name)), pos


def _century_or_decades(
    text: str, pos: int, values: tuple[Fraction, ...], ordinal: bool
) -> tuple[tuple[Fraction, ...], int]:
    """18th century is also the 1700s; two decades is also 20 (years)."""
    value = values[0]
    if suffix := _CENTURY_RE.match(text, pos):
        return (value, (value - 1) * 100 if ordinal else value * 100), suffix.end()
    if not ordinal and (suffix := _DECADES_RE.match(text, pos)):
        return (value, value * 10), suffix.end()
    return values, pos


def _read_words(text: str, m: re.Match) -> tuple[list[Quantity], int]:
    """Spelled-out numbers: "twenty-one", "one hundred and five", "three
    thousand", "eighteenth"; a run of them that is not one number
    ("two three-year terms") is several."""
    numbers: list[dict] = []
    for token in re.finditer(r"[A-Za-z]+", m.group()):
        word = token.group().lower()
        if word == "and":
            continue
        kind, value = _word_kind(word)
        current = numbers[-1] if numbers else None
        if current is None or not _can_follow(current, kind, value):
            current = {"total": 0, "section": 0, "last": None, "ordinal": False, "start": token.start(), "words": []}
            numbers.append(current)
        if kind in ("unit", "tens"):
            current["section"] += value
        elif kind == "hundred":
            current["section"] = (current["section"] or 1) * value
        else:  # a scale: a thousand, three million
            current["total"] += (current["section"] or 1) * value
            current["section"] = 0
        current["last"] = (kind, value)
        current["ordinal"] = word in _EN_ORDINALS
        current["end"] = token.end()
        current["words"].append(word)

    quantities = []
    pos = m.end()
    base = m.start()
    for i, number in enumerate(numbers):
        value = Fraction(number["total"] + number["section"])
        surface_end = base + number["end"]
        values: tuple[Fraction, ...] = (value,)
        dozen = compound = None
        if i == len(numbers) - 1:  # what follows the run belongs to its last number
            if suffix := _PERCENT_RE.match(text, pos):
                pos = suffix.end()
            elif dozen := _DOZEN_RE.match(text, pos):  # four dozen: 48
                values, pos = (value * 12,), dozen.end()
            elif len(number["words"]) > 1 and number["words"][-1] in _EN_SCALES and _COMPOUND_RE.match(text, pos):
                # two hundred-year goals: two goals of a hundred years (两个一百年) or 200 years
                scale = _EN_SCALES[number["words"][-1]]
                compound = Quantity(number["words"][-1], (Fraction(scale),), required=False)
                values = (value, value / scale)
            values, pos = _century_or_decades(text, pos, values, number["ordinal"])
            surface_end = max(surface_end, pos)
        enumerator = len(number["words"]) == 1 and number["ordinal"] and text[base + number["end"] :].startswith(",")
        optional = (
            number["words"] in (["one"], ["first"])
            # A small number spelled out may be the English making explicit
            # what Chinese leaves implicit ("the two sides" for 双方, "all
            # three" for 三者之一's list): it may pair, but need not. A
            # changed figure is still caught from the source's side.
            or (len(number["words"]) == 1 and value <= _OPTIONAL_SPELLED_MAX)
            or enumerator  # "Second, ..." for 其次
            or (number["words"][0] in _EN_SCALES and _VAGUE_BEFORE_RE.search(text[: base + number["start"]]))
        )
        optional = optional and not dozen
        spelled = optional and len(number["words"]) == 1 and value <= _OPTIONAL_SPELLED_MAX
        quantities.append(
            Quantity(text[base + number["start"] : surface_end], values, required=not optional, spelled=spelled)
        )
        if compound is not None:
            quantities.append(compound)
    return quantities, pos


def _word_kind(word: str) -> tuple[str, int]:
    """unit (0–19), tens, hundred or scale, for cardinals and ordinals alike."""
    if word in _EN_UNITS:
        return "unit", _EN_UNITS[word]
    if word in _EN_TENS:
        return "tens", _EN_TENS[word]
    value = _EN_SCALES.get(word) or _EN_ORDINALS[word]
    if value == 100:
        return "hundred", value
    if value >= 1000:
        return "scale", value
    return ("tens" if value >= 20 else "unit"), value


def _can_follow(current: dict, kind: str, value: int) -> bool:
    """Whether a number word continues the number being read."""
    if current["ordinal"] or current["last"] is None:
        return False
    last_kind, last_value = current["last"]
    if last_kind == "unit":
        return last_value != 0 and kind in ("hundred", "scale")
    if last_kind == "tens":
        return (kind == "unit" and 0 < value < 10) or kind == "scale"
    if last_kind == "hundred":
        return kind in ("unit", "tens", "scale")
    return kind in ("unit", "tens")  # after a scale: three thousand two hundred


# --- Comparing -----------------------------------------------------------------


def unmatched(side: list[Quantity], other: list[Quantity]) -> list[Quantity]:
    """The required quantities of ``side`` left over by a maximum matching
    of them onto distinct quantities of ``other``.

    Computed for each side separately: by the Mendelsohn–Dulmage theorem one
    matching achieves both sides' best at once, so the two lists describe a
    single pairing. Quantities that read alike are interchangeable, so the
    matching is a flow between classes of them (a sentence repeating 20年
    is one class of two), found greedily and then completed along
    augmenting paths: exact, and fast even on a pasted table of figures."""
    left = _classes([q for q in side if q.required])
    right = _classes(other)
    right_by_value: dict[Fraction, list[int]] = defaultdict(list)
    for b, (quantity, _) in enumerate(right):
        for value in quantity.values:
            right_by_value[value].append(b)
    rounded = [b for b, (quantity, _) in enumerate(right) if quantity.precision is not None]

    edges: list[list[int]] = []
    for quantity, _ in left:
        found = dict.fromkeys(b for value in quantity.values for b in right_by_value.get(value, ()))
        pool = range(len(right)) if quantity.precision is not None else rounded  # roundings: compare
        found.update(dict.fromkeys(b for b in pool if b not in found and quantity.matches(right[b][0])))
        edges.append(list(found))

    spare_left = [len(items) for _, items in left]
    spare_right = [len(items) for _, items in right]
    flow: dict[tuple[int, int], int] = defaultdict(int)
    for a, targets in enumerate(edges):  # greedy first
        for b in targets:
            pushed = min(spare_left[a], spare_right[b])
            if pushed:
                flow[a, b] += pushed
                spare_left[a] -= pushed
                spare_right[b] -= pushed
    while _augment(edges, spare_left, spare_right, flow):
        pass
    missing = []
    for a, (_, items) in enumerate(left):
        missing.extend(items[len(items) - spare_left[a] :])
    order = {id(q): i for i, q in enumerate(side)}
    return sorted(missing, key=lambda q: order[id(q)])


def _classes(quantities: list[Quantity]) -> list[tuple[Quantity, list[Quantity]]]:
    """Quantities grouped by what they can match: (representative, members)."""
    groups: dict[tuple, list[Quantity]] = {}
    for quantity in quantities:
        groups.setdefault((frozenset(quantity.values), quantity.precision), []).append(quantity)
    return [(members[0], members) for members in groups.values()]


def _augment(edges: list[list[int]], spare_left: list[int], spare_right: list[int], flow: dict) -> bool:
    """Push flow along one shortest augmenting path; False when there is none."""
    users: dict[int, list[int]] = defaultdict(list)  # right class → left classes sending it flow
    for (a, b), amount in flow.items():
        if amount:
            users[b].append(a)
    came_from: dict[tuple[str, int], tuple[str, int] | None] = {}
    queue = deque()
    for a, spare in enumerate(spare_left):
        if spare:
            came_from["L", a] = None
            queue.append(a)
    while queue:
        a = queue.popleft()
        for b in edges[a]:
            if ("R", b) in came_from:
                continue
            came_from["R", b] = ("L", a)
            if spare_right[b]:
                return _push(("R", b), came_from, spare_left, spare_right, flow)
            for back in users[b]:  # undo some of another class's flow into b
                if ("L", back) not in came_from:
                    came_from["L", back] = ("R", b)
                    queue.append(back)
    return False


def _push(end, came_from, spare_left, spare_right, flow) -> bool:
    path = [end]
    while came_from[path[-1]] is not None:
        path.append(came_from[path[-1]])
    path.reverse()  # L a0, R b0, L a1, R b1, ..., R bk
    amount = min(spare_left[path[0][1]], spare_right[path[-1][1]])
    for i in range(1, len(path) - 1, 2):  # backward steps R b → L a undo flow a→b
        amount = min(amount, flow[path[i + 1][1], path[i][1]])
    for i in range(len(path) - 1):
        (kind, x), (_, y) = path[i], path[i + 1]
        if kind == "L":
            flow[x, y] += amount
        else:
            flow[y, x] -= amount
    spare_left[path[0][1]] -= amount
    spare_right[path[-1][1]] -= amount
    return True


@lru_cache(maxsize=1024)
def compare_numbers(source: str, target: str) -> tuple[tuple[Quantity, ...], tuple[Quantity, ...]]:
    """The figures of the source missing from the translation, and the
    figures the translation adds: ``(missing, extra)``."""
    source_items, target_items = source_quantities(source), target_quantities(target)
    missing = _restated(unmatched(source_items, target_items), source_items)
    if missing:  # a figure is missing: name the small numbers the English says instead
        target_items = [replace(q, required=True) if q.spelled else q for q in target_items]
    extra = _restated(unmatched(target_items, source_items), target_items)
    if extra and not missing:  # a figure is added: name the optional ones of the source it may replace
        source_items = [replace(q, required=True) if q.spelled else q for q in source_items]
        missing = _restated(unmatched(source_items, target_items), source_items)
    return tuple(missing), tuple(extra)


def _describe(missing, extra) -> str:
    parts = []
    if missing:
        parts.append("not in the translation: " + _listing(missing))
    if extra:
        parts.append("not in the source: " + _listing(extra))
    return "; ".join(parts)


def check_numbers(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """A figure changed: one of the source is missing from the translation
    and the translation has one the source lacks (2027 → 2028)."""
    missing, extra = compare_numbers(source, target)
    if missing and extra:
        yield _describe(missing, extra)


def check_numbers_unpaired(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """A figure of the source left out of the translation, or one the
    translation adds, with no figure changed. Translators drop a figure
    the English says otherwise and add one the reader needs (the 19th
    Congress for 十九大精神 said elsewhere), so it is a warning."""
    missing, extra = compare_numbers(source, target)
    if bool(missing) != bool(extra):
        yield _describe(missing, extra)


def _restated(left_over: list[Quantity], side: list[Quantity]) -> list[Quantity]:
    """``left_over`` without the figures that only say again what the same
    side says elsewhere, in a quantity that was paired: 十九大 twice in the
    Chinese and "the 19th Congress" once, or "February 22 … February 27"
    for 2月22日 … 当月27日. A figure dropped or changed everywhere stays."""
    left_ids = {id(q) for q in left_over}
    paired = {v for q in side if id(q) not in left_ids and q.required for v in q.values}
    return [q for q in left_over if not paired.intersection(q.values)]


def _listing(quantities: list[Quantity], limit: int = 6) -> str:
    shown = ", ".join(q.describe() for q in quantities[:limit])
    return shown + (f" and {len(quantities) - limit} more" if len(quantities) > limit else "")
