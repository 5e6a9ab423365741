"""Reading Chinese numbers, defined once: 十八, 三千五百万, 二〇二七, 1100万.

* :func:`chinese_number` reads one number, in Chinese numerals or in
  digits with a Chinese magnitude, to its exact value;
* :func:`numbers_in` lists the values a Chinese sentence mentions, and
  :func:`numbers_differ` says whether two sentences mention the same ones;
* :func:`is_number_word` says whether a word of jieba's is a number with
  its measure word (:data:`MEASURE_WORDS`), for the checks and the length
  model (:mod:`.length`).

The quality checks (:mod:`pipeline.checks.numbers`) read each quantity
with these tables and :func:`chinese_number`, and decide themselves which
ones a translation must keep. The translation memory compares the numbers
of two sources with :func:`numbers_differ`: a match whose source says
1100万 where the new sentence says 1200万 carries a wrong figure into the
English, so such matches are flagged, never reused silently.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from decimal import Decimal
from fractions import Fraction

from .width import fold_width

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


# --- The numbers a sentence mentions ----------------------------------------------
#
# "Do these two sources mention the same numbers", not a full reading:
#
# * Arabic numbers in any Unicode digits (2024, ２０２４), with thousands
#   separators and decimals (1,000, 3.5, ３．５), optionally scaled by a
#   Chinese magnitude (1100万, 1100 万, 3.5亿, 2万亿, 5千万);
# * runs of Chinese numerals, positional (二〇二四 = 2024) or with magnitudes
#   (十八, 一千二百万, 三亿五千万, 两), read by chinese_number;
# * the words of NOT_NUMBER_WORDS and PERCENT_AND_UNIT_WORDS are left out.
#
# Values are compared as a multiset: the same numbers, each as often. The
# text is read as written: an OCR'd 十 八世纪 is ten and eight.

#: Magnitudes written after Arabic digits (1100万), longest first.
MAGNITUDES_AFTER_DIGITS = ("万亿", "千亿", "百亿", "十亿", "亿", "千万", "百万", "十万", "万", "千", "百")

#: Words in which a numeral character counts nothing: idioms, adverbs,
#: names (regular expressions, mostly plain words; a lookahead where the
#: word is one only before some characters: 十分 "very" but 十分钟 "ten
#: minutes"). The one "not a number" list: the translation memory drops
#: these words before reading (:func:`numbers_in`), and the quality checks
#: read their numerals as optional quantities (:mod:`pipeline.checks.numbers`).
NOT_NUMBER_WORDS = (  # rows kept by the fmt: skip below (one word a line would take 57 lines)
    "十分(?!钟)", "万分", "千万(?=[不别要])", "亿万", "成千上万", "成百上千", "千军万马", "千家万户", "千方百计",
    "十年磨一剑", "十年如一日", "两张皮", "三天两头", "三番五次", "四面八方", "五湖四海", "百家争鸣",
    "百花齐放", "百年大计", "百年未有", "十字路口", "十全十美", "九死一生", "七上八下", "三心二意", "一五一十",
    "独一无二", "统一", "唯一", "同一", "万一", "逐一", "之一", "进一步", "百度",
    "一些", "一直", "一起", "一样", "一定", "一般", "一切", "一致", "一旦", "一向", "一律", "一再",
    "第一(?=时间|线|要务|动力|资源|生产力)",
    "第二(?=天|日|年|周|个月|季|场|轮)",  # 第二天: "the next day", "the following year"
    # "everywhere", "these days", "half each", a battery chemistry (ternary)
    "四处", "四起", "这两天", "前两天", "各占一半", "三元(?=锂|材料|正极)",
    # place names with a measure word in them
    "五台山", "七台河", "五道口",
)  # fmt: skip

#: Words whose numeral belongs to a percentage or a unit: 百分之五十 is 50
#: (per cent), not 100 and 50; 5千米 is 5 km, not 5,000. :func:`numbers_in`
#: drops them before reading; the checks' grammar reads them in place.
PERCENT_AND_UNIT_WORDS = ("百分之", "千分之", "千米", "千克", "千瓦")

#: Measure words, units and time words: a Chinese numeral before one of
#: them counts something (the quality checks' grammar of quantities,
#: :mod:`pipeline.checks.numbers`, and :func:`is_number_word`). Words in which they often stand without counting
#: (十分, 百家争鸣) are in NOT_NUMBER_WORDS. 级 and 门 are left out on purpose
#: (二级 "secondary", 三门峡 a city).
MEASURE_WORDS = (  # rows kept by the fmt: skip below (one word a line would take 130 lines)
    # time
    "世纪", "年代", "周年", "年", "个月", "月", "日", "号", "天", "周岁", "岁", "周", "星期",
    "个小时", "小时", "分钟", "秒钟", "秒", "分", "季度", "届", "期", "轮", "次", "回", "遍", "趟", "代",
    # things and people
    "个百分点", "百分点", "个", "位", "名", "人次", "人", "户", "家", "所", "座", "栋", "层", "间", "套",
    "条", "支", "只", "头", "棵", "张", "把", "台", "部", "架", "辆", "艘", "列", "本", "篇", "份", "首",
    "句", "段", "件", "项", "种", "类", "批", "组", "对", "副", "群", "道", "颗", "块", "根", "面", "幅",
    "场", "处", "款", "起", "笔", "箱", "节", "章", "步", "等", "番", "倍", "成", "股", "抹", "线", "路",
    "点", "方面", "大", "强", "佳",
    # units
    "%", "元", "美元", "欧元", "英镑", "日元", "港元", "角", "千米", "公里", "厘米", "毫米", "纳米", "微米",
    "米", "英里", "英尺", "英寸", "吋", "寸", "尺", "亩", "公顷", "平方米", "平方公里", "立方米", "吨",
    "公斤", "千克", "克", "斤", "毫升", "升", "摄氏度", "度", "千瓦时", "千瓦", "兆瓦", "吉瓦", "瓦",
    "标准箱", "标箱",
)  # fmt: skip

#: What may stand in one word with a number: an ordinal or weekday prefix
#: (第一, 星期三), approximations (十几个, 三千多) and a measure word.
_NUMBER_WORD_RE = re.compile(
    rf"(?:第|星期|礼拜|周|初)?[{CN_NUMERALS}0-9.]+[多余来几]?[{CN_NUMERALS}]*"
    rf"(?:{'|'.join(sorted(map(re.escape, MEASURE_WORDS), key=len, reverse=True))})?[半]?"
)


def is_number_word(word: str) -> bool:
    """Whether a word of jieba's segmentation is a number, with its ordinal
    prefix and measure word if any (七十七号, 第三, 一千五百多名), rather
    than a word with numerals in it (三明治, 统一)."""
    return bool(_NUMBER_WORD_RE.fullmatch(word))


_MAGNITUDE_VALUES = {m: math.prod(CN_MULTIPLIERS[ch] for ch in m) for m in MAGNITUDES_AFTER_DIGITS}
# \d is any Unicode decimal digit (٣ as well as 3); full-width digits,
# separators and points (１，０００ and ３．５) are folded to ASCII first.
_ARABIC_RE = re.compile(r"(?<![\d.])(\d+(?:,\d{3})*(?:\.\d+)?)(?: *(" + "|".join(MAGNITUDES_AFTER_DIGITS) + "))?")
_CHINESE_RE = re.compile(f"[{CN_NUMERALS}]+")
_NOT_NUMBERS_RE = re.compile("|".join((*map(re.escape, PERCENT_AND_UNIT_WORDS), *NOT_NUMBER_WORDS)))


def _numeral_run_value(run: str) -> Fraction:
    """The value of a run of Chinese numerals (一千二百万, 二〇二四, 十八); a run
    that is not one well-formed number (三四十) is read digit by digit, so
    that two runs compare equal only when written alike."""
    value = chinese_number(run)
    if value is None:
        value = Fraction(int("".join(str(CN_DIGITS.get(ch, 0)) for ch in run) or 0))
    return value


def numbers_in(text: str) -> Counter:
    """The numeric values ``text`` mentions, as a multiset of Decimals."""
    text = fold_width(_NOT_NUMBERS_RE.sub(" ", text))
    values: Counter = Counter()

    def arabic(match: re.Match) -> str:
        value = Decimal(match.group(1).replace(",", "")) * _MAGNITUDE_VALUES.get(match.group(2) or "", 1)
        values[value.normalize()] += 1
        return " "  # keep the magnitude from being read again as a Chinese numeral

    text = _ARABIC_RE.sub(arabic, text)
    for run in _CHINESE_RE.findall(text):
        value = _numeral_run_value(run)
        values[(Decimal(value.numerator) / Decimal(value.denominator)).normalize()] += 1
    return values


def numbers_differ(source: str, other: str) -> bool:
    """True when ``source`` and ``other`` do not mention the same numbers."""
    return numbers_in(source) != numbers_in(other)
