"""The numbers a Chinese source mentions, and when two sources differ in them
(the translation memory flags a match whose numbers differ)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.zh.numbers import numbers_differ, numbers_in


def values(text: str) -> list[Decimal]:
    return sorted(numbers_in(text).elements())


@pytest.mark.parametrize(
    "text,expected",
    [
        ("启动区已提前5个月通过竣工验收。", [5]),
        ("人类工业化始于18世纪60年代。", [18, 60]),
        ("全市人口达到1100万。", [11_000_000]),
        ("投资3.5亿元。", [350_000_000]),
        ("规模突破2万亿元。", [2_000_000_000_000]),
        ("产值5千万元。", [50_000_000]),
        ("共1,000,000人，增长3.5%。", [Decimal("3.5"), 1_000_000]),
        ("２０２４年", [2024]),  # full-width digits
        ("增长３．５%，共１，０００人", [Decimal("3.5"), 1000]),  # full-width point and separator
        ("٢٠٢٤年", [2024]),  # other Unicode decimal digits
        ("1100\u3000万人", [11_000_000]),  # an ideographic space before the magnitude
        ("1100 万人", [11_000_000]),  # a space before the magnitude
        ("二〇二四年", [2024]),  # read digit by digit
        ("十八世纪", [18]),
        ("二十年前", [20]),
        ("一百零五个项目", [105]),
        ("一千二百万人", [12_000_000]),
        ("三亿五千万元", [350_000_000]),
        ("两个", [2]),
        ("万众一心", [1, 10_000]),
        ("增长百分之五十", [50]),  # a percentage, not 100 and 50
        ("一些企业一直在统一行动，十分重要。", []),  # numerals inside ordinary words
        # the one "not a number" list, shared with the checks (zh.numbers.NOT_NUMBER_WORDS)
        ("会议持续了十分钟。", [10]),  # ten minutes: 十分 is "very" only without 钟
        ("第二天他走了。", []),  # "the next day"
        ("中国是十大市场之一。", [10]),  # "one of the ten"
        ("千万不要忘记百度。", []),  # "by all means", Baidu
        ("3:2", [2, 3]),
        ("没有数字。", []),
    ],
)
def test_numbers_in(text, expected):
    assert values(text) == sorted(Decimal(v) for v in expected)


@pytest.mark.parametrize(
    "a,b",
    [
        ("宁波常住人口1100万。", "宁波常住人口1200万。"),
        ("宁波常住人口1100万。", "宁波常住人口1100亿。"),  # same digits, other magnitude
        ("第三次工业革命", "第四次工业革命"),
        ("三个全覆盖", "四个全覆盖"),
        ("5个月", "5个月零3天"),
        ("3年3个月", "3个月"),  # a multiset: how often a number occurs counts
        ("十八世纪", "十 八世纪"),  # OCR split: read as written, ten and eight
    ],
)
def test_numbers_differ(a, b):
    assert numbers_differ(a, b)
    assert numbers_differ(b, a)


@pytest.mark.parametrize(
    "a,b",
    [
        ("2024年", "二〇二四年"),
        ("2024年", "２０２４年"),
        ("1100万人", "11,000,000人"),
        ("十二个", "12个"),
        ("3.5亿", "３．５亿"),
        ("一千二百万", "1200万"),
        ("宁波推进新型工业化。", "宁波推进新型工业化！"),
    ],
)
def test_same_numbers_written_differently(a, b):
    assert not numbers_differ(a, b)
