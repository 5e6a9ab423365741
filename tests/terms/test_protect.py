"""Term protection with fake engines that garble everything but placeholders,
and the glossary-hit comments."""

from __future__ import annotations

import io

import pytest
from babel.messages.catalog import Message
from click.testing import CliRunner

from pipeline.catalog import load_catalog
from pipeline.catalog.pofile import read_po, write_po
from pipeline.catalog.states import machine_signature
from pipeline.cli import main
from pipeline.engines.base import Signature
from pipeline.terms.protect import (
    PLACEHOLDER_RE,
    TermProtectingEngine,
    glossary_hits,
    glossary_hits_of,
    protect,
    restore,
    set_glossary_hits,
)
from pipeline.terms.termbase import Term, Termbase
from pipeline.translate import translate_documents
from pipeline.workspace import Workspace
from tests.support.fake_engine import FakeEngine
from tests.terms.conftest import DEBRIS, ScramblingEngine

SEGMENTS = [
    "本报记者近日专访了甬江实验室主任崔平。",
    "崔平很忙。",
    "省委常委、市委书记彭佳学就来到我们甬江实验室新园区。",
    "崔平说，崔平的团队在宁波推进新型工业化。",
    "新型工业化是必由之路。",
    "工业对这座城市有特殊意义。",  # no term at all
]


def occurrences(source: str, termbase: Termbase) -> dict[str, int]:
    """How often each term's English must appear in the draft of ``source``."""
    counts: dict[str, int] = {}
    for _, _, term in termbase.matches(source):
        counts[term.en] = counts.get(term.en, 0) + 1
    return counts


def assert_restored(source: str, draft: str, termbase: Termbase) -> None:
    expected = occurrences(source, termbase)
    # A term that opens the sentence is capitalised (new industrialisation → New ...).
    opening = next((en for en in expected if en[:1].islower() and draft.startswith(en[:1].upper() + en[1:])), None)
    text = draft[:1].lower() + draft[1:] if opening else draft
    for en, n in expected.items():
        assert text.count(en) == n, f"{en!r} should appear {n}× in {draft!r}"
    assert not DEBRIS.search(draft), f"placeholder debris in {draft!r}"


@pytest.mark.parametrize("mode", ["copy", "spaced", "lower", "repeat", "glued", "debris", "reverse"])
def test_engine_that_keeps_placeholders_gets_every_term_back_once(mode, seed_termbase):
    inner = ScramblingEngine(mode)
    drafts = TermProtectingEngine(inner, seed_termbase).translate(SEGMENTS)
    for source, draft in zip(SEGMENTS, drafts, strict=True):
        assert_restored(source, draft.text, seed_termbase)
        assert draft.notes == ()
    # The engine never saw a protected term.
    for sent in inner.seen:
        assert not any(t.zh in sent for t in seed_termbase)


def test_terms_stand_where_the_engine_put_their_placeholders(seed_termbase):
    drafts = TermProtectingEngine(ScramblingEngine("reverse"), seed_termbase).translate([SEGMENTS[0]])
    # The source has 甬江实验室 before 主任 before 崔平; the engine reversed the placeholders.
    text = drafts[0].text
    assert text.index("Cui Ping") < text.index("director") < text.index("Yongjiang Laboratory")


@pytest.mark.parametrize("mode", ["drop", "drop-first"])
def test_dropped_placeholders_are_appended_in_source_order_and_noted(mode, seed_termbase):
    drafts = TermProtectingEngine(ScramblingEngine(mode), seed_termbase).translate(SEGMENTS)
    for source, draft in zip(SEGMENTS, drafts, strict=True):
        assert_restored(source, draft.text, seed_termbase)
    first = drafts[0]
    assert (
        first.text.endswith("Yongjiang Laboratory director Cui Ping.")
        if mode == "drop"
        else first.text.endswith("Yongjiang Laboratory.")
    )
    assert len(first.notes) == 1 and "Yongjiang Laboratory" in first.notes[0]
    if mode == "drop":
        assert "Cui Ping" in first.notes[0]
    assert drafts[5].notes == ()  # nothing was protected there


def test_segment_of_terms_and_punctuation_needs_no_engine(seed_termbase):
    inner = ScramblingEngine("copy")
    drafts = TermProtectingEngine(inner, seed_termbase).translate(["崔平：", "崔平，彭佳学", "崔平很忙。"])
    assert [d.text for d in drafts[:2]] == ["Cui Ping:", "Cui Ping, Peng Jiaxue"]
    assert inner.seen == ["XT0X很忙。"]


def test_signature_records_protection_in_one_word(seed_termbase):
    engine = TermProtectingEngine(ScramblingEngine(), seed_termbase)
    signature = engine.signature()
    assert dict(signature.settings)["terms"] == str(len(seed_termbase))
    assert str(signature).startswith("scramble:fake-copy@0;batch=3;") and " " not in str(signature)
    assert {str(d.signature) for d in engine.translate(SEGMENTS)} == {str(signature)}


def test_placeholder_like_text_in_a_source_is_protected_as_itself(seed_termbase):
    # Before, such a source went to the engine unprotected: its terms and inline tags too.
    segment = protect("<1>崔平</1>发布了XT5X型号。", seed_termbase)
    assert segment.masked == "XT0XXT1XXT2X发布了XT3X型号。"
    assert [t if isinstance(t, str) else t.zh for t in segment.items] == ["<1>", "崔平", "</1>", "XT5X"]
    text, lost = restore(segment, "XT0X XT1X XT2X released the XT3X model.")
    assert text == "<1>Cui Ping</1> released the XT5X model." and lost == []
    text, lost = restore(segment, "XT0X XT1X XT2X released the model.")  # the engine dropped it
    assert "XT5X" in text and lost == ["XT5X"]


def test_restore_keeps_text_the_source_had_and_spaces_words():
    termbase = Termbase([Term("崔平", "Cui Ping", "person"), Term("工业化", "industrialisation")])
    segment = protect("崔平谈XT型工业化", termbase)  # the source itself says XT
    assert segment.masked == "XT0X谈XT型XT1X"
    assert restore(segment, "XT0X on XT and XT1X T7X")[0] == "Cui Ping on XT and industrialisation"
    segment = protect("崔平谈工业化", termbase)
    assert restore(segment, "XT0X's talk onXT1Xtoday")[0] == "Cui Ping's talk on industrialisation today"
    assert restore(segment, "XT1X is what XT0X said")[0] == "Industrialisation is what Cui Ping said"


def test_glossary_hits_are_distinct_longest_first(seed_termbase):
    hits = glossary_hits("甬江实验室主任崔平说，崔平很忙。", seed_termbase)
    assert [t.zh for t in hits] == ["甬江实验室", "主任", "崔平"]
    assert glossary_hits("工业对这座城市有特殊意义。", seed_termbase) == []


def test_glossary_hit_comments_replace_older_ones_and_survive_a_po_round_trip(seed_termbase):
    message = Message("甬江实验室主任崔平。", user_comments=["reviewer: check title", "term: 旧 = old", "mt:x"])
    set_glossary_hits(message, glossary_hits(message.id, seed_termbase))
    assert message.user_comments[:2] == ["reviewer: check title", "mt:x"]
    assert glossary_hits_of(message) == [
        ("甬江实验室", "Yongjiang Laboratory"),
        ("主任", "director"),
        ("崔平", "Cui Ping"),
    ]

    catalog_file = io.BytesIO(b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: en\\n"\n')
    catalog = read_po(catalog_file)
    long = Term("甬江实验室", "Yongjiang Laboratory of Ningbo, a research institution with a very long English name")
    message.user_comments = []
    set_glossary_hits(message, [long])
    catalog[message.id] = message
    out = io.BytesIO()
    write_po(out, catalog)
    again = read_po(io.BytesIO(out.getvalue()))
    assert glossary_hits_of(again[message.id]) == [(long.zh, long.en)]


def test_protected_drafts_reach_the_catalog_without_debris(workspace, seed_termbase, msgfmt_check):
    """Through the real translate stage: every draft clean, stamped with terms=N."""
    assert CliRunner().invoke(main, ["extract", "-w", str(workspace)]).exit_code == 0
    ws = Workspace(workspace)
    docs = ws.documents()
    summary = translate_documents(ws, docs, lambda: TermProtectingEngine(ScramblingEngine("debris"), seed_termbase))
    assert summary.entries > 50
    catalog = load_catalog(ws.catalog_path(docs[0]))
    with_terms = 0
    for message in catalog:
        if not message.id:
            continue
        assert machine_signature(message).endswith(f";terms={len(seed_termbase)}")
        assert_restored(message.id, message.string, seed_termbase)
        with_terms += bool(seed_termbase.matches(message.id))
    assert with_terms > 20
    msgfmt_check(ws.catalog_path(docs[0]))


def test_wrapping_an_engine_without_terms_changes_nothing():
    # The runner wraps every engine (inline tags are protected without a
    # termbase too): without terms, drafts and signature are the engine's own.
    plain = FakeEngine().translate(SEGMENTS)
    wrapped = TermProtectingEngine(FakeEngine(), Termbase()).translate(SEGMENTS)
    assert [d.text for d in wrapped] == [d.text for d in plain]
    assert wrapped[0].signature == Signature("fake", "fake-zh_en", "0", (("batch", "8"),))


def test_the_wrapped_engine_hears_the_placeholder_pattern_through_the_hook(seed_termbase):
    """Term protection tells the engine it wraps what its placeholders look
    like through Engine.protect_placeholders, not by setting an attribute."""
    told = []

    class Listening(ScramblingEngine):
        def protect_placeholders(self, pattern):
            told.append(pattern)
            return True

    TermProtectingEngine(Listening(), seed_termbase)
    assert told == [PLACEHOLDER_RE]
    # The base's default: placeholders go through as text, and the engine says it cannot place them.
    assert ScramblingEngine().protect_placeholders(PLACEHOLDER_RE) is False
    assert not hasattr(ScramblingEngine(), "placeholder_pattern")
