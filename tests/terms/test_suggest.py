"""Term suggestions from the seed and from small texts, and the candidates file."""

from __future__ import annotations

import pytest

from pipeline.terms.suggest import (
    Candidate,
    Passage,
    is_person_name,
    load_candidates,
    source_passages,
    suggest_terms,
    write_candidates,
)
from pipeline.terms.termbase import Term, Termbase, save_termbase

SEED_REF = "seeds/000_a24ceba1f548592f.txt"


@pytest.fixture(scope="module")
def seed_candidates() -> dict[str, Candidate]:
    from tests.conftest import REPO, SEED_NAME

    passages = source_passages(REPO / "seeds" / f"{SEED_NAME}.txt", SEED_REF)
    return {c.zh: c for c in suggest_terms(passages)}


def test_people_of_the_seed_with_house_style_pinyin(seed_candidates):
    people = {zh: c.en for zh, c in seed_candidates.items() if c.type == "person"}
    assert people == {
        "崔平": "Cui Ping",  # speaker label, 主任崔平
        "成良田": "Cheng Liangtian",  # byline 记者 成良田
        "彭佳学": "Peng Jiaxue",  # 市委书记彭佳学就来到
        "李泽湘": "Li Zexiang",  # 与李泽湘教授
        "习近平": "Xi Jinping",  # 习近平总书记作重要指示: nothing after 总书记 is a name
        "严龙": "Yan Long",  # photo credits （严龙 摄）
        "张超梁": "Zhang Chaoliang",
    }
    cui = seed_candidates["崔平"]
    assert "speaker label" in cui.evidence and "title 主任" in cui.evidence
    assert cui.first_location == f"{SEED_REF}:5"
    assert cui.count == 11


def test_organisations_and_places_of_the_seed(seed_candidates):
    lab = seed_candidates["甬江实验室"]
    assert (lab.type, lab.en, lab.count) == ("organisation", "Yongjiang Laboratory", 13)
    assert seed_candidates["宁波市"].en == "Ningbo" and seed_candidates["宁波市"].type == "place"
    assert seed_candidates["宁波"].en == "Ningbo" and seed_candidates["浙江"].en == "Zhejiang"
    # Not mechanical: a person supplies the English.
    assert seed_candidates["宁波人工智能超算中心"].en == ""
    assert seed_candidates["甬江科创学院"].type == "organisation"
    # No name reaches back over a verb or another name.
    assert not any(zh.startswith(("专访", "了", "建设", "融入")) for zh in seed_candidates)


def test_recurring_terms_of_the_seed(seed_candidates):
    terms = {zh: c for zh, c in seed_candidates.items() if c.type == "term"}
    assert {"新型工业化", "新质生产力", "战略科技力量", "行动纲要"} <= set(terms)
    # 34 in the file, and one more that a page break splits (推进新型工业 | 化) and the segmenter joins.
    assert terms["新型工业化"].en == "" and terms["新型工业化"].count == 35
    assert terms["新型工业化"].note == f"candidate; 35×; {SEED_REF}:3; recurring"
    # Fragments of longer units, general words, titles and phrases with numerals are not terms.
    for not_a_term in ("新型", "业化", "新型工业", "工业革", "发展", "主任", "实验室", "一个", "次工业革命"):
        assert not_a_term not in seed_candidates, not_a_term
    for candidate in terms.values():
        assert candidate.count >= 3


def test_terms_already_in_the_termbase_are_not_proposed_again(seed_candidates):
    from tests.conftest import REPO, SEED_NAME

    termbase = Termbase([Term("崔平", "Cui Ping", "person"), Term("新型工业化", "new industrialisation")])
    again = {c.zh for c in suggest_terms(source_passages(REPO / "seeds" / f"{SEED_NAME}.txt", SEED_REF), termbase)}
    assert "崔平" not in again and "新型工业化" not in again
    assert not any("新型工业" in zh or "崔平" in zh for zh in again)  # nor parts of them
    assert "彭佳学" in again


@pytest.mark.parametrize(
    "text, name",
    [
        ("书记彭佳学就来到这里。", "彭佳学"),
        ("主任崔平很忙。", "崔平"),
        ("主任王明和李华来了。", "王明"),
        ("我们见到了张三丰教授。", "张三丰"),
        ("欧阳修教授说：", "欧阳修"),
        ("据曾国藩先生介绍", "曾国藩"),
    ],
)
def test_names_next_to_titles(text, name):
    people = [c.zh for c in suggest_terms([text]) if c.type == "person"]
    assert people == [name]


@pytest.mark.parametrize(
    "text",
    [
        "总书记强调，要坚持。",
        "书记强调，要坚持。",
        "主任向记者介绍。",
        "崔主任，请您谈谈。",
        "主任成为了榜样。",
        "作为实验室负责人。",
    ],
)
def test_no_name_where_there_is_none(text):
    assert [c.zh for c in suggest_terms([text]) if c.type == "person"] == []


def test_speaker_labels_count_when_marked_or_repeated():
    once = [Passage("王牌：这是标题", "x:1")]  # a label-like start, once: not a speaker
    assert suggest_terms(once) == [] or all(c.type != "person" for c in suggest_terms(once))
    marked = [Passage("周涛：", "x:3", part="speaker-label")]
    assert [c.en for c in suggest_terms(marked)] == ["Zhou Tao"]
    repeated = ["周涛：第一个问题。", "周涛：第二个问题。"]
    assert [(c.zh, c.first_location) for c in suggest_terms(repeated) if c.type == "person"] == [("周涛", "<text>:1")]
    assert suggest_terms([Passage("记者：你好", "x:1", part="speaker-label")]) == []


def test_bylines_and_photo_credits():
    found = suggest_terms(["本报记者 张三 李四", "大桥夜景。（王五摄）", "（资料图片）", "（新华社发）"])
    assert [(c.zh, c.en, c.evidence) for c in found] == [
        ("张三", "Zhang San", ("byline",)),
        ("李四", "Li Si", ("byline",)),
        ("王五", "Wang Wu", ("photo credit",)),
    ]


def test_mechanical_english_for_places_and_organisations():
    found = {c.zh: c for c in suggest_terms(["浙江省和宁波市支持浙江大学。", "在宁海县，甬江实验室是新的。", "宁波市场很大。"])}
    assert found["浙江省"].en == "Zhejiang Province"
    assert found["宁海县"].en == "Ninghai County"
    assert found["宁波市"].en == "Ningbo" and found["宁波市"].count == 2  # 宁波市场 counts the text, not the place
    assert found["浙江大学"].en == "Zhejiang University" and found["浙江大学"].type == "organisation"
    assert found["甬江实验室"].en == "Yongjiang Laboratory"
    assert [c.evidence for c in found.values() if c.zh == "宁波市"] == [("suffix 市",)]


def test_candidates_are_ordered_people_organisations_places_terms():
    found = suggest_terms(["甬江实验室主任崔平。"] * 3 + ["宁波推进新型工业化。"] * 3)
    kinds = [c.type for c in found]
    assert kinds == sorted(kinds, key=["person", "organisation", "place", "term"].index)


def test_is_person_name():
    assert is_person_name("崔平") and is_person_name("欧阳修") and is_person_name("司马相如")
    assert not is_person_name("崔") and not is_person_name("实验室") and not is_person_name("崔平很")
    assert not is_person_name("王的") and not is_person_name("Cui")


# --- The candidates file -------------------------------------------------------------


def candidate(zh, en="", kind="person", count=2, where="seeds/a.txt:1"):
    return Candidate(zh, en, kind, count, where, ("speaker label",))


def test_write_candidates_creates_the_file_with_glossary_columns(tmp_path):
    path = tmp_path / "locales" / "glossary-candidates.tsv"
    update = write_candidates(path, [candidate("崔平", "Cui Ping"), candidate("新型工业化", kind="term", count=4)])
    assert (update.added, update.refreshed, update.total) == (2, 0, 2)
    assert path.read_text(encoding="utf-8") == (
        "zh\ten\ttype\tnote\n"
        "崔平\tCui Ping\tperson\tcandidate; 2×; seeds/a.txt:1; speaker label\n"
        "新型工业化\t\tterm\tcandidate; 4×; seeds/a.txt:1; speaker label\n"
    )


def test_rerunning_merges_and_keeps_what_a_person_wrote(tmp_path):
    path = tmp_path / "glossary-candidates.tsv"
    glossary = tmp_path / "glossary.tsv"
    save_termbase(glossary, Termbase([Term("甬江实验室", "Yongjiang Laboratory", "organisation")]))
    before = glossary.read_bytes()
    write_candidates(
        path, [candidate("崔平", "Cui Ping"), candidate("新型工业化", kind="term"), candidate("彭佳学", "Peng Jiaxue")]
    )
    # A person fills in an English form, writes a note, and confirms 彭佳学 into the glossary.
    text = path.read_text(encoding="utf-8")
    text = text.replace("新型工业化\t\tterm\t", "新型工业化\tnew industrialisation\tterm\t")
    text = text.replace(
        "崔平\tCui Ping\tperson\tcandidate; 2×; seeds/a.txt:1; speaker label", "崔平\tCui Ping\tperson\tcheck with the lab"
    )
    path.write_text(text, encoding="utf-8")
    termbase = Termbase([Term("彭佳学", "Peng Jiaxue", "person")])

    update = write_candidates(
        path,
        [
            candidate("新型工业化", kind="term", count=9, where="seeds/b.txt:7"),
            candidate("崔平", "Cui Ping"),
            candidate("宁波", "Ningbo", "place"),
        ],
        termbase,
    )
    assert (update.added, update.refreshed, update.confirmed, update.total) == (1, 2, 1, 3)
    rows = load_candidates(path)
    assert rows == [
        Term("崔平", "Cui Ping", "person", "check with the lab"),
        Term("新型工业化", "new industrialisation", "term", "candidate; 9×; seeds/b.txt:7; speaker label"),
        Term("宁波", "Ningbo", "place", "candidate; 2×; seeds/a.txt:1; speaker label"),
    ]
    assert glossary.read_bytes() == before  # the glossary itself is never written
