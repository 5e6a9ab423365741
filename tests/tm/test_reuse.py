"""The reuse policy: exact matches, suggestions, numbers, and the comments
that record where a reused translation came from."""

from __future__ import annotations

import io

import pytest
from babel.messages.catalog import Message

from pipeline.catalog.pofile import Catalog, po_bytes, read_po
from pipeline.catalog.states import (
    MT_PREFIX,
    TM_PREFIX,
    State,
    machine_signature,
    set_machine_draft,
    set_reviewed,
    state_of,
)
from pipeline.tm import (
    Match,
    Reuse,
    TranslationMemory,
    Unit,
    add_suggestions,
    apply_exact,
    reuse_from_memory,
    suggestions_of,
)
from pipeline.tm.reuse import (
    TM_SUGGESTION_PREFIX,
    Suggestion,
    clear_suggestions,
    parse_suggestion,
    reuse_stamp,
    reused_from,
    suggestion_comment,
)

BUGLE = "宁波推进新型工业化的冲锋号已经吹响。"
POPULATION = "宁波常住人口达到1100万。"
REVIEWED = Unit(BUGLE, "Ningbo has sounded the bugle for new industrialization.", "000_a24ceba1f548592f")


def reread(message: Message) -> Message:
    """``message`` after writing its catalog and reading it back."""
    catalog = Catalog(locale="en")
    catalog[message.id] = message
    return read_po(io.BytesIO(po_bytes(catalog)), "doc.po")[message.id]


# --- Comment formats ----------------------------------------------------------


def test_reuse_stamp_round_trip():
    message = Message(BUGLE, user_comments=[TM_PREFIX + reuse_stamp("my doc 2024")])
    assert message.user_comments == ["tm:my_doc_2024;similarity=100"]
    assert reused_from(message) == ("my_doc_2024", 100)
    assert reused_from(Message(BUGLE, user_comments=["tm:garbled"])) is None
    assert reused_from(Message(BUGLE)) is None


def test_suggestion_comment_format():
    match = Match(Unit("x", "Ningbo has sounded the bugle.", "doc"), 0.8271, False)
    assert suggestion_comment(match) == "tm-suggestion: 82% doc: Ningbo has sounded the bugle."
    flagged = Match(Unit("x", "Population: 11 million.", "partner file.tmx"), 1.0, True)
    assert (
        suggestion_comment(flagged) == "tm-suggestion: 100% partner_file.tmx (numbers differ): Population: 11 million."
    )


@pytest.mark.parametrize(
    "origin,text",
    [
        ("doc", "Plain text."),
        ("a:b", "Colon: inside, and (numbers differ): inside too"),
        ("trailing:", "x"),
        ("doc", "Two\nlines, a \\ backslash and a literal \\n"),
        ("doc", "Carriage\r\nreturn"),
    ],
)
@pytest.mark.parametrize("differ", [False, True])
def test_suggestions_survive_the_comment_and_the_po_file(origin, text, differ):
    match = Match(Unit("x", text, origin), 0.9, differ)
    comment = suggestion_comment(match)
    assert "\n" not in comment and "\r" not in comment  # one translator comment, one line
    assert parse_suggestion(comment) == Suggestion(90, origin, text, differ)
    message = Message(BUGLE)
    add_suggestions(message, [match])
    assert suggestions_of(reread(message)) == [Suggestion(90, origin, text, differ)]


def test_other_comments_are_not_suggestions():
    for comment in ["tm:doc;similarity=100", "mt:argos", "tm-suggestion: lots", "keep me"]:
        assert parse_suggestion(comment) is None


# --- Exact matches ------------------------------------------------------------


def test_an_exact_match_is_a_draft_to_confirm():
    message = Message(BUGLE, user_comments=["translator note"])
    apply_exact(message, REVIEWED)
    assert state_of(message) is State.MACHINE_DRAFT
    assert message.fuzzy and message.string == REVIEWED.target
    assert message.user_comments == ["translator note", "tm:000_a24ceba1f548592f;similarity=100"]
    assert machine_signature(message) is None  # not a machine translation
    assert reused_from(reread(message)) == ("000_a24ceba1f548592f", 100)
    assert state_of(reread(message)) is State.MACHINE_DRAFT


def test_accepted_exact_match_is_reviewed_and_keeps_its_origin():
    message = Message(BUGLE)
    apply_exact(message, REVIEWED, accept=True)
    assert state_of(message) is State.REVIEWED and not message.fuzzy
    assert reused_from(reread(message)) == ("000_a24ceba1f548592f", 100)


def test_an_exact_match_ignores_what_the_match_key_ignores():
    message = Message(BUGLE)
    apply_exact(message, Unit(" 宁波推进新型工业化的冲锋号 已经吹响。", "Yes.", "partner.tmx"))
    assert message.string == "Yes."


def test_apply_exact_refuses_what_is_no_exact_match():
    with pytest.raises(ValueError, match="not an exact match"):
        apply_exact(Message(BUGLE), Unit("宁波推进新型工业化的冲锋号已吹响。", "No.", "doc"))


def test_apply_exact_refuses_a_source_that_reads_other_numbers():
    # The same match key (spaces next to Chinese characters do not count),
    # but as written the stored source says ten and eight, not eighteen.
    message = Message("人类工业化始于十八世纪。")
    with pytest.raises(ValueError, match="numbers"):
        apply_exact(message, Unit("人类工业化始于十 八世纪。", "It began in the 18th century.", "ocr.tmx"))
    assert state_of(message) is State.UNTRANSLATED


def test_a_machine_draft_replaces_a_memory_stamp_and_the_other_way_round():
    message = Message(BUGLE)
    apply_exact(message, REVIEWED)
    set_machine_draft(message, "MT draft.", "argos")
    assert message.user_comments == [MT_PREFIX + "argos"]
    apply_exact(message, REVIEWED)
    assert message.user_comments == ["tm:000_a24ceba1f548592f;similarity=100"]
    assert state_of(message) is State.MACHINE_DRAFT


def test_a_reused_translation_whose_source_changed_is_fuzzy():
    message = Message(BUGLE)
    apply_exact(message, REVIEWED, accept=True)
    message.flags.add("fuzzy")
    message.previous_id = ["旧的句子。"]  # what re-extraction does when the source changes
    assert state_of(message) is State.FUZZY


# --- Suggestions --------------------------------------------------------------


def test_suggestions_never_become_the_translation_and_replace_older_ones():
    message = Message(BUGLE, user_comments=["translator note"])
    first = Match(Unit("宁波推进新型工业化。", "First.", "a"), 0.8, False)
    add_suggestions(message, [first])
    assert state_of(message) is State.UNTRANSLATED and message.string == ""
    second = [Match(Unit("y", "Second.", "b"), 0.9, False), Match(Unit("z", "Third.", "c"), 0.76, True)]
    add_suggestions(message, second)
    assert [s.text for s in suggestions_of(message)] == ["Second.", "Third."]
    assert message.user_comments[0] == "translator note"
    clear_suggestions(message)
    assert message.user_comments == ["translator note"]


def test_suggestions_stay_beside_a_machine_draft_and_after_review():
    message = Message(BUGLE)
    add_suggestions(message, [Match(REVIEWED, 0.9, False)])
    set_machine_draft(message, "MT.", "argos")
    assert state_of(message) is State.MACHINE_DRAFT
    set_reviewed(message)
    assert [s.text for s in suggestions_of(reread(message))] == [REVIEWED.target]


# --- The policy for one entry -------------------------------------------------

MEMORY_UNITS = [
    REVIEWED,
    Unit(POPULATION, "Ningbo's resident population reached 11 million.", "doc"),
    Unit("工业对宁波有特殊意义。", "Industry matters to Ningbo.", "doc"),
    Unit("工业对宁波有特殊意义。", "Industry has special significance for Ningbo.", "partner.tmx"),
]


@pytest.fixture
def memory():
    return TranslationMemory(MEMORY_UNITS)


@pytest.mark.parametrize("accept,state", [(False, State.MACHINE_DRAFT), (True, State.REVIEWED)])
def test_policy_exact(memory, accept, state):
    message = Message(BUGLE)
    outcome = reuse_from_memory(message, memory, accept_exact=accept)
    assert outcome.kind is Reuse.EXACT and outcome.unit == REVIEWED and outcome.reviewed is accept
    assert state_of(message) is state and message.string == REVIEWED.target
    assert suggestions_of(message) == []


def test_policy_conflicting_exact_matches_are_a_draft_with_the_alternative_suggested(memory):
    message = Message("工业对宁波有特殊意义。")
    outcome = reuse_from_memory(message, memory, accept_exact=True)
    assert outcome.kind is Reuse.EXACT and not outcome.reviewed
    assert state_of(message) is State.MACHINE_DRAFT  # never accepted when the memory disagrees
    assert message.string == "Industry matters to Ningbo."
    assert suggestions_of(message) == [Suggestion(100, "partner.tmx", "Industry has special significance for Ningbo.")]


def test_policy_fuzzy_matches_are_suggestions_only(memory):
    message = Message("宁波推进新型工业化的冲锋号已吹响。")
    outcome = reuse_from_memory(message, memory)
    assert outcome.kind is Reuse.SUGGESTED
    assert state_of(message) is State.UNTRANSLATED
    (suggestion,) = suggestions_of(message)
    assert (suggestion.percent, suggestion.origin, suggestion.text) == (94, REVIEWED.origin, REVIEWED.target)
    # Recorded as one tm-suggestion record (cut into short lines when long).
    assert "".join(c.removeprefix("tm-suggestion+") for c in message.user_comments) == suggestion_comment(
        outcome.suggestions[0]
    )


def test_policy_numbers_that_differ_are_never_reused_silently(memory):
    message = Message("宁波常住人口达到1200万。")
    outcome = reuse_from_memory(message, memory, accept_exact=True)
    assert outcome.kind is Reuse.SUGGESTED and state_of(message) is State.UNTRANSLATED
    (suggestion,) = suggestions_of(message)
    assert suggestion.numbers_differ and suggestion.percent == 92


def test_policy_an_exact_key_with_other_numbers_is_only_suggested():
    memory = TranslationMemory([Unit("人类工业化始于十 八世纪。", "It began in the 18th century.", "ocr.tmx")])
    message = Message("人类工业化始于十八世纪。")
    outcome = reuse_from_memory(message, memory, accept_exact=True)
    assert outcome.kind is Reuse.SUGGESTED and state_of(message) is State.UNTRANSLATED
    assert suggestions_of(message) == [Suggestion(100, "ocr.tmx", "It began in the 18th century.", numbers_differ=True)]


def test_policy_threshold_is_configurable(memory):
    message = Message("宁波推进新型工业化的冲锋号已吹响。")
    assert reuse_from_memory(message, memory, threshold=0.95).kind is Reuse.NONE
    assert suggestions_of(message) == []  # and earlier suggestions are gone


def test_policy_nothing_found(memory):
    message = Message("甬江实验室不负众望。", user_comments=[f"{TM_SUGGESTION_PREFIX} 80% old: Old suggestion."])
    assert reuse_from_memory(message, memory).kind is Reuse.NONE
    assert message.user_comments == []


def test_a_catalog_with_reused_entries_passes_msgfmt(memory, msgfmt_check):
    catalog = Catalog(locale="en")
    for source in [BUGLE, "宁波推进新型工业化的冲锋号已吹响。", "宁波常住人口达到1200万。", "工业对宁波有特殊意义。"]:
        catalog[source] = Message(source, locations=[("seeds/doc.txt", 1)])
        reuse_from_memory(catalog[source], memory)
    data = po_bytes(catalog)
    msgfmt_check(data)
    assert data.decode("utf-8").count("# tm-suggestion: ") == 3
