"""Hanyu Pinyin in the house style (GB/T 28039-2011)."""

from __future__ import annotations

import pytest

from pipeline.terms.romanise import (
    is_transliterated_name,
    join_syllables,
    pinyin_word,
    romanise_name,
    split_name,
    transliteration_score,
)


@pytest.mark.parametrize(
    "zh, en",
    [
        ("成良田", "Cheng Liangtian"),
        ("崔平", "Cui Ping"),
        ("彭佳学", "Peng Jiaxue"),
        ("李泽湘", "Li Zexiang"),
        ("习近平", "Xi Jinping"),
        ("欧阳修", "Ouyang Xiu"),  # a double surname is one word
        ("司马光", "Sima Guang"),
    ],
)
def test_surname_first_given_name_one_word(zh, en):
    assert romanise_name(zh) == en


@pytest.mark.parametrize(
    "zh, en",
    [
        ("单雄信", "Shan Xiongxin"),  # dictionaries read 单 dan
        ("曾国藩", "Zeng Guofan"),  # ceng
        ("解缙", "Xie Jin"),  # jie
        ("仇英", "Qiu Ying"),  # chou
        ("查良镛", "Zha Liangyong"),  # cha
        ("朴槿惠", "Piao Jinhui"),  # pu
        ("覃明", "Qin Ming"),  # tan
        ("乐嘉", "Yue Jia"),  # le
        ("区伟", "Ou Wei"),  # qu
        ("尉迟恭", "Yuchi Gong"),
        ("万俟卨", "Moqi Xie"),
    ],
)
def test_surnames_are_read_as_surnames(zh, en):
    assert romanise_name(zh) == en


@pytest.mark.parametrize(
    "zh, en",
    [
        ("吕布", "Lyu Bu"),  # ü after l is yu
        ("吕略", "Lyu Lyue"),
        ("女", "Nyu"),
        ("徐菊", "Xu Ju"),  # after j, q, x, y ü is plain u, as in all pinyin
        ("许绿", "Xu Lyu"),
    ],
)
def test_u_umlaut_follows_gb_t_28039(zh, en):
    assert romanise_name(zh) == en


def test_apostrophe_separates_ambiguous_syllables():
    assert join_syllables(["xi", "an"]) == "xi'an"
    assert join_syllables(["jia", "xue"]) == "jiaxue"
    assert romanise_name("王西安") == "Wang Xi'an"
    assert pinyin_word("甬江") == "Yongjiang"


def test_split_name():
    assert split_name("欧阳修") == ("欧阳", "修")
    assert split_name("欧阳") == ("欧", "阳")  # two characters: surname 欧, given name 阳
    assert split_name("崔平") == ("崔", "平")


@pytest.mark.parametrize("zh", ["默克尔", "约翰逊", "特朗普", "安吉拉", "罗德里格斯", "安吉拉·默克尔", "普京"])
def test_transliterated_names_are_told_from_chinese_ones(zh):
    assert is_transliterated_name(zh)


@pytest.mark.parametrize("zh", ["崔平", "成良田", "马英九", "陈水扁", "习近平", "欧阳修", "赵秀平", "林郑月娥"])
def test_chinese_names_are_not_transliterations(zh):
    assert not is_transliterated_name(zh)


def test_transliteration_score_leans_foreign_above_zero():
    assert transliteration_score("默克尔") > 1 > -1 > transliteration_score("崔平")
