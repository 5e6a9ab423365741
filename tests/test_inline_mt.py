"""Inline tags through machine translation: one placeholder mechanism with
termbase terms (pipeline/terms/protect.py), through fake engines that
mangle placeholders and through the real Argos + CTranslate2 path with the
random-weight model."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.engines.argos import ArgosEngine
from pipeline.engines.argos_packages import install
from pipeline.engines.settings import DecodingSettings
from pipeline.formats import load_document
from pipeline.inline import TAG_RE, tag_problems
from pipeline.terms.protect import ProtectingEngine, protect, restore
from pipeline.terms.termbase import Term, Termbase
from tests.engines.conftest import no_network as no_network  # noqa: F401
from tests.engines.conftest import tiny_model as tiny_model  # noqa: F401
from tests.terms.conftest import DEBRIS, ScramblingEngine

NEWS = Path(__file__).resolve().parent / "fixtures" / "formats" / "news-gbk.html"

TERMS = Termbase([Term("新华社", "Xinhua", "organisation"), Term("宁波", "Ningbo", "place")])

TAGGED = [
    "据<1>新华社</1>报道，宁波日前正式印发了<2>行动纲要</2>。",
    "这是第二句话，包含<1/>代码。",
    "<1><2>宁波</2>港口</1>集装箱吞吐量再创新高<3/>。",
    "当前位置：<1>首页</1> > <2>宁波日报</2> > 正文",
    "没有标签的句子，宁波很好。",
]


def news_msgids() -> list[str]:
    doc = load_document(NEWS, "news.html", name="news")
    return list(dict.fromkeys(seg.text for _, seg in doc.segments() if seg.translatable))


def test_tags_and_terms_share_one_numbering():
    segment = protect(TAGGED[0], TERMS)
    assert segment.masked == "据XT0XXT1XXT2X报道，XT3X日前正式印发了XT4X行动纲要XT5X。"
    assert segment.items == ("<1>", TERMS.terms[0], "</1>", TERMS.terms[1], "<2>", "</2>")
    assert segment.terms == (TERMS.terms[0], TERMS.terms[1])


def test_tags_come_back_glued_to_what_they_format():
    segment = protect(TAGGED[0], TERMS)
    text, lost = restore(segment, "XT3X has issued the XT4X action plan XT5X, according to XT0X XT1X XT2X.")
    assert text == "Ningbo has issued the <2>action plan</2>, according to <1>Xinhua</1>."
    assert lost == []


def test_a_pair_the_engine_turned_round_or_crossed_is_renested():
    segment = protect("<1>甲<2>乙</2>丙</1>", Termbase())
    text, _ = restore(segment, "XT3X A XT1X B XT0X C XT2X")  # </1> B <2> ... all misplaced
    assert tag_problems("<1>甲<2>乙</2>丙</1>", text) == []
    text, _ = restore(segment, "XT0X A XT1X B XT3X C XT2X")  # <1> A <2> B </1> C </2>: crossing
    assert tag_problems("<1>甲<2>乙</2>丙</1>", text) == []


def test_a_term_only_segment_keeps_its_tags():
    engine = ProtectingEngine(ScramblingEngine("copy"), TERMS)
    assert engine.translate(["<1>新华社</1>："])[0].text == "<1>Xinhua</1>:"


@pytest.mark.parametrize("mode", ["copy", "spaced", "lower", "repeat", "glued", "debris", "reverse", "drop"])
def test_every_tag_comes_back_once_whatever_the_engine_does(mode):
    inner = ScramblingEngine(mode)
    drafts = ProtectingEngine(inner, TERMS).translate(TAGGED)
    for source, draft in zip(TAGGED, drafts, strict=True):
        assert tag_problems(source, draft.text) == [], (mode, draft.text)
        assert not DEBRIS.search(TAG_RE.sub("", draft.text)), draft.text
        if mode == "drop" and TAG_RE.search(source):
            assert draft.notes and "at the end" in draft.notes[0]
    # The engine never saw a tag.
    assert not any(TAG_RE.search(sent) for sent in inner.seen)


def test_tags_survive_the_real_argos_path(tiny_model, packages_dir, no_network):  # noqa: F811
    install(tiny_model)
    segments = news_msgids()
    tagged = [s for s in segments if TAG_RE.search(s)]
    assert len(tagged) >= 8
    engine = ProtectingEngine(ArgosEngine(DecodingSettings(threads=1, beam_size=2, max_decoding_length=24)), TERMS)
    drafts = engine.translate(segments)
    for source, draft in zip(segments, drafts, strict=True):
        assert tag_problems(source, draft.text) == [], (source, draft.text)
        # Attention placed every placeholder the random model dropped: nothing appended.
        assert draft.notes == (), (source, draft.notes)
        assert not DEBRIS.search(TAG_RE.sub("", draft.text)), draft.text
    assert no_network == []
