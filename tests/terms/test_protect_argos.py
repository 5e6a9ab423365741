"""Term protection through the real argostranslate + CTranslate2 path, with
the tiny random-weight model, and the Argos engine's placeholder placement."""

from __future__ import annotations

import re

from pipeline.engines.argos import ArgosEngine, place_missing_placeholders
from pipeline.engines.argos_packages import install
from pipeline.engines.settings import DecodingSettings
from pipeline.segment import segment_document
from pipeline.terms.protect import PLACEHOLDER_RE, TermProtectingEngine
from tests.terms.conftest import DEBRIS
from tests.terms.test_protect import assert_restored


def seed_segments(seed_text: str) -> list[str]:
    document = segment_document("seed", seed_text)
    return list(dict.fromkeys(seg.text for _, seg in document.segments() if seg.translatable))


def test_every_protected_term_comes_back_through_argos(seed_text, seed_termbase, tiny_model, packages_dir, no_network):
    install(tiny_model)
    segments = seed_segments(seed_text)
    with_terms = [s for s in segments if seed_termbase.matches(s)]
    assert len(with_terms) > 20
    engine = TermProtectingEngine(
        ArgosEngine(DecodingSettings(threads=1, beam_size=2, max_decoding_length=24)), seed_termbase
    )
    drafts = engine.translate(segments)
    for source, draft in zip(segments, drafts, strict=True):
        assert_restored(source, draft.text, seed_termbase)
        # Attention placed every placeholder the random model dropped: nothing was appended.
        assert draft.notes == ()
        assert not DEBRIS.search(draft.text)
    assert str(drafts[0].signature).endswith(f";terms={len(seed_termbase)}")
    assert no_network == []


def test_attention_is_requested_only_for_batches_with_placeholders(tiny_model, packages_dir):
    install(tiny_model)
    engine = ArgosEngine(DecodingSettings(threads=1, beam_size=1, batch_size=8, max_decoding_length=8))
    assert engine.protect_placeholders(PLACEHOLDER_RE)  # the Argos engine places dropped placeholders itself
    engine.load()
    calls = []
    real = engine._translator

    class Spy:
        def translate_batch(self, batch, **kwargs):
            calls.append((batch, kwargs["return_attention"]))
            return real.translate_batch(batch, **kwargs)

    engine._translator = Spy()
    short, protected = ["崔平很忙。", "工业对宁波有特殊意义。"], ["宁波推进新型工业化的冲锋号已经吹响XT0X。" * 3]
    engine.translate(short + protected)
    with_placeholder = {tuple(engine._tokenizer.encode(s)) for s in protected}
    assert len(calls) >= 2
    for batch, attention in calls:
        assert attention == any(tuple(tokens) in with_placeholder for tokens in batch)
    assert {a for _, a in calls} == {False, True}


def spell(text: str) -> list[str]:
    """A stand-in SentencePiece: '▁' starts each word, one piece per character after it."""
    pieces = []
    for word in text.split():
        pieces += ["\u2581" + word[0], *word[1:]]
    return pieces


def test_missing_placeholder_goes_after_the_word_that_attends_most_to_it():
    source = ["\u2581", "甬", "江", "<0x58>", "T", "0", "<0x58>", "很", "忙"]
    output = ["\u2581He", "\u2581is", "\u2581ver", "y", "\u2581busy"]
    attention = [[0.0] * len(source) for _ in output]
    attention[2][4] = 0.9  # "ver" looks at the placeholder's T; the word is "very"
    placed = place_missing_placeholders(source, output, attention, PLACEHOLDER_RE, spell)
    assert placed == ["\u2581He", "\u2581is", "\u2581ver", "y", "\u2581X", "T", "0", "X", "\u2581busy"]


def test_placeholders_the_decoder_kept_are_left_alone():
    source = ["\u2581X", "T", "0", "X", "\u2581X", "T", "1", "X"]
    output = ["\u2581X", "T", "1", "X", "\u2581and"]
    attention = [[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0] for _ in output]
    attention[4][1] = 1.0
    placed = place_missing_placeholders(source, output, attention, PLACEHOLDER_RE, spell)
    text = "".join(p.replace("\u2581", " ") for p in placed)
    assert re.findall(r"XT\dX", text) == ["XT1X", "XT0X"]  # 1 kept in place, 0 after "and"
    assert place_missing_placeholders(source, output, None, PLACEHOLDER_RE, spell) == output
