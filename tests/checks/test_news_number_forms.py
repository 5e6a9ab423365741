"""Number forms of real news that the ``numbers`` check read wrongly as a
changed figure (issue 11, the error level): each rule with a case it must
excuse and, where the rule could hide a real change, a case it must still
catch."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pipeline.checks.model import CheckContext
from pipeline.checks.numbers import check_numbers, check_numbers_unpaired, source_quantities, target_quantities

CONTEXT = CheckContext(block_types=("body",))


def numbers(source: str, target: str) -> list[str]:
    """Both numbers checks: a changed figure, and one left out or added."""
    return list(check_numbers(source, target, CONTEXT)) + list(check_numbers_unpaired(source, target, CONTEXT))


def changed(source: str, target: str) -> list[str]:
    return list(check_numbers(source, target, CONTEXT))


@pytest.mark.parametrize(
    "source, target",
    [
        # a list of decades whose first is cut to its digit, in digits or in words
        ("美国在上个世纪7、80年代建造的护卫舰。", "The frigates the United States built in the 1970s and 1980s."),
        ("五、六十年代的老房子。", "Old houses from the 1950s and 1960s."),
        # a short run of digits is never a count, whatever follows it
        ("仪式在北京八一大楼隆重举行。", "The ceremony was held in the August 1st Building of Beijing."),
        ("五一节期间游客增多。", "Tourists increased during the May 1 holiday."),
        ("他要休息三五天。", "He will rest for three to five days."),
        # half a billion, half a million
        ("价值超过5亿多美元。", "Worth more than half a billion dollars."),
        # N dozen is 12N
        ("共有四十八名观众。", "There were four dozen spectators."),
        # N分 as tenths: 一分…九分 is 10%…90%
        ("一分部署、九分落实。", "With 10% efforts in deployment, 90% efforts will be made in implementation."),
        # conversions exact by definition: 15 mu to the hectare
        ("龙头山镇七点五万亩青花椒。", "Green peppers on 5000 hectares in the town."),
        ("龙头山镇7.5万亩青花椒。", "Green peppers on 5,000 hectares in the town."),
        # fractions with a large denominator
        ("用别人五十分之一的预算。", "Using one-fiftieth of other people's budget."),
        # a race time, with or without its colon in the source
        ("世界纪录是351.659。", "The world record is 3:51.659."),
        ("用时1分57秒79。", "She swam it in 1:57.79."),
        # knockout rounds
        (
            "两队均已晋级四分之一决赛，将决定小组第一。",
            "Both teams have qualified for the quarter finals; the game decides who tops their six-team bracket.",
        ),
        # N个亿元以上: N projects of 100 million or more
        ("20个亿元以上项目现场签约。", "More than 20 projects worth at least RMB 100 million were signed."),
        # a scale word hyphenated to a noun: two hundred-year goals
        ("为实现两个一百年奋斗目标。", "For achieving the two hundred-year goals."),
    ],
)
def test_news_number_forms_are_not_flagged(source, target):
    assert numbers(source, target) == []


@pytest.mark.parametrize(
    "source, target",
    [
        ("世界纪录是351.659。", "The world record is 3:58.659."),  # a changed race time
        ("用时1分57秒79。", "She swam it in 1:52.79."),
        ("大约四十名观众。", "About four dozen spectators."),  # 48 for 40
        ("投资达到三个亿。", "Investment reached 300."),  # 三个亿 is 300 million, a figure that counts
        ("龙头山镇七点五万亩青花椒。", "Green peppers on 7,000 hectares in the town."),
        ("为实现两个一百年奋斗目标。", "For achieving the three hundred-year goals."),
        ("价值超过5亿多美元。", "Worth more than half a million dollars."),
    ],
)
def test_a_changed_figure_in_those_forms_is_still_an_error(source, target):
    assert changed(source, target)


def test_the_ordinal_reading_of_a_large_denominator_is_kept():
    """ "the two hundredth anniversary" is the 200th, as well as 2/100."""
    (quantity,) = target_quantities("the two hundredth anniversary")
    assert Fraction(200) in quantity.values


def test_a_short_digit_run_before_a_measure_word_is_optional_in_every_split():
    readings = source_quantities("他要休息三五天。")
    assert not any(q.required for q in readings)
    assert {Fraction(3), Fraction(5)} <= {v for q in readings for v in q.values}


# --- warnings: figures dropped or added that are there in another form ------------


@pytest.mark.parametrize(
    "source, target",
    [
        # a small count that restates a list next to it: English lists the items
        (
            "黄河和长江两条大河成了中国古代文明的摇篮。",
            "The Yellow River and the Yangtze River have become the cradle of civilization.",
        ),
        ("冯小刚、宁浩、大鹏三位嘉宾出席活动。", "Feng Xiaogang, Ning Hao and Da Peng attended the event."),
        ("另外四位为王伟、李娜、张强和刘洋。", "The others being Wang Wei, Li Na, Zhang Qiang and Liu Yang."),
        ("“新零售”三个字频频被挂在嘴边。", "The words “new retail” became a catchphrase."),
        # lexicalised: everywhere, these days, perfect, half
        ("库利亚坎流言四起。", "Rumors tend to fly freely in Culiacan."),
        ("这两天，纪念馆迎来很多游客。", "In the past days, the memorial received many visitors."),
        ("网站退款服务不是百分之百完美。", "Website refund services are not perfect."),
        ("比例稳定在半数以上。", "The share has stabilized at above 50%."),
        # a Latin O typed for 〇 among Chinese numerals
        ("原名开滦矿务局六O二厂。", "It was formerly known as Kailuan Mining Bureau Factory 602."),
        # the base year of a comparison, said "year-on-year"
        (
            "2017年进出口总值27.79万亿元，比2016年增长14.2%。",
            "In 2017, imports and exports amounted to RMB27.79 trillion, up 14.2% year-on-year.",
        ),
        # English forms: a year, centenary, one in a thousand, a (fiscal) quarter, 24/7
        ("这位CEO大约1年前就表示要开发。", "About a year ago, this CEO said he wanted to develop it."),
        ("讲清楚两个一百年奋斗目标。", "Make clear the Two Centenary Goals."),
        (
            "曾有“开花率仅千分之一”的说法。",
            "It was once said that the chance of flowers blooming is one in a thousand.",
        ),
        (
            "利润首次在一个季度内超过了15亿美元。",
            "Profits exceeded US$1.5 billion for the first time within a quarter.",
        ),
        ("雷达二十四小时开机。", "The radar will be available on a 7*24 basis."),
        ("提供24/7服务。", "It offers a 24/7 service."),
        # a name's number added by the English
        ("央视财经频道联合发布了报告。", "CCTV-2 jointly released the report."),
        ("俱乐部和该组委会均否认此事。", "The club and Qatar 2022 have denied it."),
        ("前欧洲冠军拉弗蒂将回家。", "Former European No 1 Rafferty will be home."),
    ],
)
def test_figures_said_in_another_form_are_not_flagged(source, target):
    assert numbers(source, target) == []


@pytest.mark.parametrize(
    "source, target",
    [
        ("中国和美国三个城市。", "Cities of China and the US."),  # a count, not the list's length
        ("在1年前表示。", "He said it 1 in 5 days ago."),  # one in N is still a figure
        ("去年利润增长。", "Profits rose a quarter of the time."),
    ],
)
def test_a_count_that_is_not_a_list_length_is_still_required(source, target):
    assert numbers(source, target)


@pytest.mark.parametrize(
    "source, target",
    [
        ("比赛在2016年举行。", "The game was held in Qatar 2017."),  # a name's year, beside a year left over
        ("第十名选手。", "The No 1 player."),
        ("2017年比2016年增长14.2%。", "In 2017, up 14.2% from 2015."),
    ],
)
def test_optional_name_numbers_are_named_beside_a_figure_left_over(source, target):
    assert changed(source, target)
