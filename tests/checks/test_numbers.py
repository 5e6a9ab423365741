"""The numbers check: reading Chinese and English figures, and comparing them."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.checks.model import CheckContext
from pipeline.checks.numbers import (
    Quantity,
    check_numbers,
    check_numbers_unpaired,
    chinese_number,
    format_value,
    source_quantities,
    target_quantities,
    unmatched,
)

CONTEXT = CheckContext(block_types=("body",))


def problems(source: str, target: str) -> list[str]:
    """What the two numbers checks say: a changed figure (error) or a figure
    left out or added (warning); their messages read alike."""
    return list(check_numbers(source, target, CONTEXT)) + list(check_numbers_unpaired(source, target, CONTEXT))


@pytest.mark.parametrize(
    "source, target, changed",
    [
        ("到2027年实现目标。", "The goal is for 2028.", True),
        ("到2027年实现目标。", "The goal is near.", False),
        ("实现目标。", "The goal is for 2028.", False),
    ],
)
def test_a_changed_figure_is_an_error_and_a_dropped_one_a_warning(source, target, changed):
    assert bool(list(check_numbers(source, target, CONTEXT))) is changed
    assert bool(list(check_numbers_unpaired(source, target, CONTEXT))) is not changed


def readings(quantities: list[Quantity]) -> list[tuple[Fraction, bool]]:
    """(usual value, required) of each quantity."""
    return [(q.values[0], q.required) for q in quantities]


# --- reading Chinese ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("十八", 18),
        ("二十", 20),
        ("一百零五", 105),
        ("两千", 2000),
        ("三千五百万", 35_000_000),
        ("一亿三千万", 130_000_000),
        ("二〇二七", 2027),
        ("1100万", 11_000_000),
        ("3.5亿", 350_000_000),
        ("1.2万亿", 1_200_000_000_000),
        ("100多亿", 10_000_000_000),
        ("1,500", 1500),
        # The unit after the last digit is understood.
        ("三千五", 3500),
        ("两万三", 23000),
        ("一百二", 120),
    ],
)
def test_chinese_number(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize("text", ["亿万", "三四十"])
def test_chinese_number_refuses_what_is_not_one_number(text):
    assert chinese_number(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        # Arabic digits always count, with magnitudes, decimals and percentages.
        (
            "2023年实现地区生产总值16452.8亿元，增长5.5%。",
            [(2023, True), (Fraction("1645280000000"), True), (Fraction("5.5"), True)],
        ),
        ("从0到1", [(0, True), (1, True)]),
        # Chinese numerals count before a measure word, a unit or a time word.
        ("三支队伍，两天，三年，九月，十大工程", [(3, True), (2, True), (3, True), (9, True), (10, True)]),
        ("提前5个月", [(5, True)]),
        ("第一次工业革命", [(1, False)]),  # 第一: "first", or "lead", "largest", "top"
        ("18世纪60年代", [(1760, True)]),
        ("二〇二四年", [(2024, True)]),
        ("一千万人口", [(10_000_000, True)]),
        ("超过一半", [(Fraction(1, 2), True)]),
        ("三分之一", [(Fraction(1, 3), True)]),
        ("百分之三点五", [(Fraction("3.5"), True)]),
        ("星期三", [(3, True)]),
        # Numerals inside words and idioms, and 一 as the article, are optional.
        ("一些企业一直在一起推进统一大市场", [(1, False)] * 4),
        ("打出一张王牌", [(1, False)]),
        ("十年磨一剑", [(10, False), (1, False)]),
        ("两张皮", [(2, False)]),
        ("五化", [(5, False)]),
        ("十分重要", [(10, False)]),
        ("第一时间", [(1, False)]),
        # Approximations are optional: 三四年 may be "a few years".
        ("三四年", [(3, False), (4, False)]),
        ("十几个", [(10, False)]),
        ("数十个", [(10, False)]),
        ("上千家企业", [(1000, False)]),
    ],
)
def test_source_quantities(text, expected):
    assert readings(source_quantities(text)) == [(Fraction(v), r) for v, r in expected]


def test_source_quantities_have_alternative_readings():
    (century,) = source_quantities("18世纪")
    assert set(century.values) == {18, 1700}
    (decade,) = source_quantities("60年代")
    assert set(decade.values) == {60, 1960}
    (tenths,) = source_quantities("三成")
    assert set(tenths.values) == {3, 30}


def test_full_width_digits_read_as_digits():
    assert readings(source_quantities("２０２７年增长５％")) == [(2027, True), (5, True)]


# --- reading English ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("11 million yuan", [(11_000_000, True)]),
        ("11,000,000", [(11_000_000, True)]),
        ("3bn", [(3_000_000_000, True)]),
        ("5.5% and 3.2 percent", [(Fraction("5.5"), True), (Fraction("3.2"), True)]),
        ("the 1760s", [(1760, True)]),
        ("the 18th century", [(18, True)]),
        ("twenty-one", [(21, True)]),
        ("one hundred and five", [(105, True)]),
        ("three thousand two hundred", [(3200, True)]),
        # Small numbers spelled out are optional: English spells out what
        # Chinese implies ("the two sides" for 双方); larger ones count.
        ("two three-year terms", [(2, False), (3, False)]),
        ("the Second and Third Industrial Revolutions", [(2, False), (3, False)]),
        ("thirteen three-year terms", [(13, True), (3, False)]),
        ("two-thirds", [(Fraction(2, 3), True)]),
        ("September 18 to 19", [(9, True), (18, True), (19, True)]),
        ("Sept. 18", [(9, True), (18, True)]),
        ("Phase II", [(2, True)]),
        ("a hundred", [(100, True)]),
        # Words that are numbers only sometimes are optional.
        ("one of the breakthroughs", [(1, False)]),
        ("for the first time", [(1, False)]),
        ("in May", [(5, False)]),
        ("more than half", [(Fraction(1, 2), False)]),
        ("twice", [(2, False)]),
        ("a few hundred", [(100, False)]),
        ("the second half of the year", [(1, False), (Fraction(1, 2), False)]),
    ],
)
def test_target_quantities(text, expected):
    assert readings(target_quantities(text)) == [(Fraction(v), r) for v, r in expected]


def test_target_quantities_have_alternative_readings():
    (metres_or_millions,) = target_quantities("11m")
    assert set(metres_or_millions.values) == {11, 11_000_000}
    (decades,) = target_quantities("two decades")
    assert set(decades.values) == {2, 20}
    (short_decade,) = target_quantities("the '60s")
    assert set(short_decade.values) == {60, 1960}
    (century,) = target_quantities("the eighteenth century")
    assert set(century.values) == {18, 1700}
    (a_third,) = target_quantities("a third term")
    assert {Fraction(1, 3), Fraction(3)} <= set(a_third.values)


# --- comparing ------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, target",
    [
        ("人类工业化始于18世纪60年代。", "Human industrialization began in the 1760s."),
        ("工业化始于18世纪。", "Industrialization began in the 18th century."),
        ("工业化始于18世纪。", "Industrialization began in the 1700s."),
        ("我来宁波刚好20年。", "I came to Ningbo exactly 20 years ago."),
        ("该项目总投资1100万元。", "The project costs 11 million yuan."),
        ("该项目总投资1100万元。", "The project costs 11,000,000 yuan."),
        ("该项目总投资1100万元。", "The project costs 11m yuan."),
        ("建设一条6吋研发线。", "It is building a 6-inch R&D line."),
        ("提前5个月通过验收。", "It passed acceptance five months early."),
        ("超过一半的企业。", "More than half of the companies."),
        ("超过一半的企业。", "Over 50% of the companies."),
        ("第一次工业革命", "the First Industrial Revolution"),
        ("不到三年时间", "in less than three years"),
        ("到2027年", "by 2027"),
        ("去年9月", "last September"),
        ("去年9月", "in September last year"),
        ("增长5.5%", "up 5.5 percent"),
        ("增长3至5个百分点", "up three to five percentage points"),
        ("二〇二四年", "in 2024"),
        ("三分之一的企业", "one-third of the companies"),
        ("“五化”", 'the "five transformations"'),
        ("“两张皮”的问题", 'the problem of "two separate skins"'),
        ("“两张皮”的问题", "the disconnect between science and industry"),
        ("宁波人工智能超算中心（一期）", "Ningbo AI Supercomputing Center (Phase I)"),
        ("打出一张“王牌”", 'plays its "trump card"'),
        ("十年磨一剑", "spend ten years sharpening a single sword"),
        ("十年磨一剑", "persevere"),
        ("研发投入比十年前提高了一倍多", "R&D spending is more than double the level of a decade ago"),
        ("地区生产总值16452.8亿元", "GDP of 1.65 trillion yuan"),
        ("截至9月底", "by the end of September"),
        ("这是内容之一", "this is one of the tasks"),
        ("党中央首次召开大会", "the Central Committee held the first conference"),
        ("上半年增长12.5%", "up 12.5% in the first half of the year"),
        ("产量是去年同期的2倍", "output was twice that of a year earlier"),
        ("三成企业", "30% of companies"),
        ("从0到1", "from zero to one"),
        ("新春第一会", "the first meeting of the new spring"),
        (
            "一些企业一直在一起推进统一大市场，需要千军万马",
            "Some companies have always worked together for a unified market; it takes a mighty host",
        ),
        ("会议于上午9点半开始。", "The meeting began at 9:30 a.m."),
        ("增长了1倍", "doubled"),
        ("约占全国的1/4", "about a quarter of the national total"),
        ("约占全国的1/4", "about 1/4 of the national total"),
        ("五四青年节", "May Fourth Youth Day"),
        ("九一八事变", "the September 18th Incident"),
        ("其次，要坚持开放。", "Second, we must stay open."),
        ("“十四五”规划", "the 14th Five-Year Plan"),
        ("十九大以来", "since the 19th CPC National Congress"),
        ("两岸同胞是一家人。", "Compatriots on both sides of the Strait are one family."),
        ("二十国集团", "the Group of 20"),
        ("数亿人", "hundreds of millions of people"),
        ("五台山", "Mount Wutai"),
        ("全市共有各类市场主体120多万户。", "The city has more than 1.2 million market entities."),
    ],
)
def test_equivalent_figures_raise_nothing(source, target):
    assert problems(source, target) == []


@pytest.mark.parametrize(
    "source, target, missing, extra",
    [
        ("到2027年实现目标。", "The goal is to be met by 2028.", "2027年", "2028"),
        (
            "该项目总投资1100万元。",
            "The project costs 12 million yuan.",
            "1100万元 (11,000,000)",
            "12 million (12,000,000)",
        ),
        ("去年9月召开大会。", "The conference was held last October.", "9月", "October (10)"),
        (
            "人类工业化始于18世纪60年代。",
            "Human industrialization began in the 1860s.",
            "18世纪60年代 (1,760)",
            "1860s",
        ),
        (
            "地区生产总值16452.8亿元。",
            "GDP was 1.7 trillion yuan.",
            "16452.8亿元 (1,645,280,000,000)",
            "1.7 trillion (1,700,000,000,000)",
        ),
        # 第一 need not be said, but a figure in its place changes it.
        ("第一次工业革命。", "The 4th Industrial Revolution.", "第一 (1)", "4th"),
    ],
)
def test_a_changed_figure_is_missing_and_extra(source, target, missing, extra):
    """Each figure as written, with its value when the text does not spell it out."""
    (problem,) = problems(source, target)
    assert problem == f"not in the translation: {missing}; not in the source: {extra}"


@pytest.mark.parametrize(
    "source, target, missing",
    [
        ("提前5个月通过验收。", "It passed acceptance ahead of schedule.", "5个月"),
        ("走访调研“三支队伍”建设情况。", 'He looked into how the "teams" are being built.', "三支 (3)"),
        ("不到三年时间。", "In a short time.", "三年 (3)"),
        ("超过一半的企业。", "Most companies.", "一半 (0.5)"),
        # A figure dropped everywhere is missing, however often it is said.
        (
            "我来宁波刚好20年，也见证了这20年的发展。",
            "I came to Ningbo long ago and have seen its development.",
            "20年, 20年",
        ),
    ],
)
def test_a_dropped_figure_is_missing(source, target, missing):
    assert problems(source, target) == [f"not in the translation: {missing}"]


@pytest.mark.parametrize(
    "source, target, extra",
    [
        ("崔平很忙。", "Cui Ping has been busy for 20 years.", "20"),
        ("今年将加大投入。", "Investment will rise in 2024.", "2024"),
        ("建设研发线。", "It is building 2 R&D lines.", "2"),
        ("建设研发线。", "It is building thirteen R&D lines.", "thirteen (13)"),
    ],
)
def test_an_added_figure_is_extra(source, target, extra):
    assert problems(source, target) == [f"not in the source: {extra}"]


def test_rounding_is_allowed_only_to_the_written_precision():
    source = "全市常住人口961.8万人。"
    assert problems(source, "The city has 9.6 million residents.") == []
    assert problems(source, "The city has 9.618 million residents.") == []
    # One significant digit is not a rounding of 961.8万, and 9.7 is not 9.6.
    assert problems(source, "The city has 10 million residents.") != []
    assert problems(source, "The city has 9.7 million residents.") != []


def test_unmatched_uses_a_maximum_matching():
    """A greedy pairing would give 2027 to "2027 or 1760s" and leave 1760
    unpaired; the matching finds the assignment that pairs both."""
    flexible = Quantity("x", (Fraction(2027), Fraction(1760)))
    fixed = Quantity("2027", (Fraction(2027),))
    source = [flexible, Quantity("1760", (Fraction(1760),))]
    assert unmatched(source, [fixed, Quantity("y", (Fraction(1760), Fraction(2027)))]) == []
    assert unmatched([fixed, fixed], [flexible]) == [fixed]


def test_format_value():
    assert format_value(Fraction(11_000_000)) == "11,000,000"
    assert format_value(Fraction("5.5")) == "5.5"
    assert format_value(Fraction(1, 3)) == "1/3"


def _best_leftover(side: list[Quantity], other: list[Quantity]) -> int:
    """By brute force: the fewest required quantities of ``side`` that any
    assignment to distinct quantities of ``other`` leaves unpaired."""
    required = [q for q in side if q.required]
    best = len(required)
    slots = list(range(len(other))) + [None] * len(required)
    for chosen in itertools.permutations(slots, len(required)):
        paired = sum(1 for q, j in zip(required, chosen, strict=True) if j is not None and q.matches(other[j]))
        best = min(best, len(required) - paired)
    return best


_values = st.lists(st.sampled_from([Fraction(v) for v in (1, 2, 3, 20, 1760)]), min_size=1, max_size=2, unique=True)
_quantities = st.lists(st.builds(lambda vs, r: Quantity("q", tuple(vs), r), _values, st.booleans()), max_size=4)


@settings(max_examples=150, deadline=None)
@given(_quantities, _quantities)
def test_unmatched_leaves_as_few_as_any_pairing(side, other):
    assert len(unmatched(side, other)) == _best_leftover(side, other)


def test_a_long_list_of_differences_is_cut_short():
    (problem,) = problems("建设研发线。", "Lines 1, 2, 3, 4, 5, 6, 7 and 8 are new.")
    assert problem == "not in the source: 1, 2, 3, 4, 5, 6 and 2 more"


@pytest.mark.parametrize(
    "source, target",
    [
        # 第一 as "lead", "largest", "top".
        ("成为其第一大持股股东。", "It became its largest shareholder."),
        ("第一作者布朗说。", "said lead author Brown."),
        # A weekday said in the plural.
        ("员工通常在周三集会。", "The staff normally meets on Wednesdays."),
        # Square metres: the 2 is an exponent.
        ("90平方米以下住房", "residential units of 90 m2 and below"),
        # A Roman numeral sign in the source.
        ("适用于治疗Ⅱ型糖尿病。", "It is used for treating Type 2 diabetes."),
        # Singles' Day is named, not numbered.
        ("今年“双11”期间的订单", "orders during this year's Singles' Day"),
        # A team of eleven: a Roman numeral only counts after a name.
        ("穆里尼奥开始安排他的首发阵容。", "Mourinho started to shape his starting XI."),
    ],
)
def test_news_forms_that_carry_no_lost_figure(source, target):
    assert problems(source, target) == []


def test_the_first_left_out_is_not_a_finding_but_world_war_ii_still_counts():
    assert problems("第一次工业革命。", "The Industrial Revolution.") == []
    assert problems("第二次世界大战", "World War III") != []


@pytest.mark.parametrize(
    "source, target",
    [
        ("成为撒切尔夫人在七八十年代期间的避难所。", "a bolthole for Thatcher during the 1970s and 1980s."),
        ("他们从 20 世纪 50 年代末起开始经营。", "They ran milk bars from the late 1950s."),
        ("二零一二年启动试点。", "A pilot project was launched in 2012."),
        ("实现十一五减排目标。", "It met the target of the 11th Five-Year Plan."),
    ],
)
def test_chinese_decades_years_and_plans_are_read(source, target):
    assert problems(source, target) == []


def test_numbers_stay_linear_on_a_long_line():
    """A number per sentence over a long line: each lookup of the word that
    holds a numeral is a bisection, not a scan (no timing: the test only
    has to finish; a quadratic path took minutes here)."""
    source = "他们在2012年买了三个苹果，" * 20000
    assert problems(source, "In 2012 they bought three apples. " * 20000) == []


@pytest.mark.parametrize(
    "source, target",
    [
        ("我成长于上世纪70、80年代的中国农村。", "I grew up in rural China in the 1970s and 1980s."),
        (
            "中国的80、90后年轻人住房拥有率高达70%。",
            "Young people born in the 1980s and 1990s own homes at a rate of 70%.",
        ),
        ("超过五分之一的美国旅行者携带违禁物品。", "More than 1 in 5 US travellers carry prohibited items."),
        ("徐嘉余以23秒54的成绩排名第八。", "Xu Jiayu ranked eighth with 23'54."),
        ("自2018财年起的收入影响。", "Any earnings impact from FY18 onwards."),
        ("合同将在2017财年继续产生收入。", "The contracts contribute to earnings in fiscal year 17."),
        ("向第二个百年奋斗目标进军。", "March towards the second centenary goal."),
    ],
)
def test_news_notations_pair_with_their_figures(source, target):
    assert list(check_numbers(source, target, CONTEXT)) == []


def test_march_is_still_a_month_with_a_date():
    assert problems("会议于3月5日举行。", "The meeting was held on April 5.") != []
    assert problems("会议于3月举行。", "The meeting was held in May.") != []


# --- rules added for real news (issue 11) ------------------------------------


@pytest.mark.parametrize(
    "source",
    ["他早餐吃了三明治。", "心里七上八下。", "五角大楼发言人说。", "整治非法营运三轮车。", "一些人说。"],
)
def test_numerals_inside_words_are_not_required(source):
    """jieba reads the word that holds the numeral: no number to find."""
    assert all(not q.required for q in source_quantities(source))


@pytest.mark.parametrize(
    "source, target",
    [
        ("神舟十二号发射成功。", "Shenzhou 12 was launched."),
        ("由长征五号运载火箭发射。", "It will be launched by a Long March 5 rocket."),
        ("纪念5.12地震。", "In memory of the May 12 earthquake."),
        ("纪念5.12地震。", "In memory of the 5.12 earthquake."),
        ("去年“8·11”汇改。", 'Last year\'s "8.11" exchange rate reform.'),
        ("投资已达3个亿。", "Investment has reached 300 million."),
        ("为2019-20赛季做准备。", "Preparing for the 2019-20 season."),
        ("为2016/17赛季做准备。", "Preparing for the 2016-17 season."),
        ("博尔特跑出9秒58。", "Bolt ran 9.58 seconds."),
        ("用时1分57秒79。", "She swam it in 1:57.79."),
        ("罚款 8900 万英镑。", "A fine of 89 million pounds."),
        ("击毙1名受刑人。", "Killing a prisoner."),
        ("召开十九大，学习十九大精神。", "The 19th Congress was held and its spirit studied."),
        ("双方存在分歧。", "The two sides disagree."),
    ],
)
def test_known_equivalents_are_not_flagged(source, target):
    assert problems(source, target) == []


def test_a_changed_figure_is_still_caught():
    assert problems("投资已达3个亿。", "Investment has reached 400 million.")
    assert problems("博尔特跑出9秒58。", "Bolt ran 9.68 seconds.")
    assert problems("为2019-20赛季做准备。", "Preparing for the 2018-20 season.")


@pytest.mark.parametrize(
    "source, target",
    [
        ("其中探明五点二亿吨原油储量。", "Of which 520 million tons are crude oil."),
        ("面积十五点二亿亩。", "The area is 1.52 billion mu."),
        ("单价从600-700万卢布起。", "Priced at RUB6-7 million or higher."),
        ("单价从600-700万卢布起。", "Priced at 6 to 7 million roubles."),
    ],
)
def test_a_scale_word_applies_to_a_chinese_decimal_and_to_both_ends_of_a_range(source, target):
    assert problems(source, target) == []


def test_a_range_with_a_changed_end_is_still_caught():
    assert problems("单价从600-700万卢布起。", "Priced at RUB6-8 million.")


@pytest.mark.parametrize(
    "source, target",
    [
        ("爆炸发生在上午7点50分。", "The explosion occurred at 7.50am."),
        ("决赛（晚上10点42分）举行。", "The final (10.42pm) takes place today."),
        ("剧情设置在 80 年代的罗马尼亚。", "A Romanian 1980s buddy-cop drama."),
        ("一位 18 世纪的双重特工。", "A double agent in the 1700s."),
    ],
)
def test_clock_times_and_spaced_measure_words(source, target):
    assert problems(source, target) == []


def test_a_changed_clock_time_is_caught():
    assert problems("爆炸发生在上午7点50分。", "The explosion occurred at 7.40am.")
