"""The comment vocabulary (pipeline.catalog.annotations): each kind's
format/parse pair, the one order of an entry's comments, records cut into
short lines and read back whole."""

from __future__ import annotations

import io

import pytest
from babel.messages.catalog import Message

from pipeline.catalog import annotations as a
from pipeline.catalog.pofile import po_bytes, read_po
from pipeline.catalog.states import State, set_machine_draft, state_of
from pipeline.catalog.template import new_catalog

SOURCE = "宁波推进新型工业化的冲锋号已经吹响。"


def reread(message: Message) -> Message:
    catalog = new_catalog("doc", "seeds/doc.txt", "en")
    catalog[message.id] = message
    return read_po(io.BytesIO(po_bytes(catalog)), "doc.po")[message.id]


def test_each_kind_reads_back_what_it_wrote():
    review = a.Review("Li Hua, Jr.", "2026-11-27T10:42Z", a.review_digest("Text."))
    assert a.parse_reviewed_by(a.format_reviewed_by(review)) == review
    rejected = a.Review("Li Hua", "2026-11-27T10:42Z", None, rejected=True)
    assert a.parse_reviewed_by(a.format_reviewed_by(rejected)) == rejected
    assert a.parse_reviewed_by("Li Hua, 2026-11-27T10:42Z") == a.Review("Li Hua", "2026-11-27T10:42Z")  # legacy
    assert a.parse_mt(a.format_mt("argos:x@1;beam=4")) == "argos:x@1;beam=4"
    assert a.parse_tm(a.format_tm("my doc", 100)) == ("my_doc", 100)
    suggestion = a.Suggestion(82, "doc", "Two\nlines \\ and a \r.", numbers_differ=True)
    assert a.parse_tm_suggestion(a.format_tm_suggestion(suggestion)) == suggestion
    assert a.parse_term(a.format_term("崔平", "Cui  Ping")) == ("崔平", "Cui Ping")
    assert a.parse_no_check(a.format_no_check("numbers")) == "numbers"
    assert a.parse_block_type(a.format_block_type("caption", "photo-credit")) == ("caption", ["photo-credit"])
    assert a.parse_block_type(a.format_block_type("body")) == ("body", [])


def test_comments_keep_one_order_whatever_order_the_stages_run_in():
    """Issue 13: extract, translate, extract swapped # term: and # mt:."""
    first, second = Message(SOURCE), Message(SOURCE, user_comments=["checked with the desk"])
    a.set_terms(first, [("宁波", "Ningbo")])
    set_machine_draft(first, "Draft.", "argos:x@1")
    set_machine_draft(second, "Draft.", "argos:x@1")
    a.set_terms(second, [("宁波", "Ningbo")])
    a.set_terms(first, [("宁波", "Ningbo")])
    assert first.user_comments == ["mt:argos:x@1", "term: 宁波 = Ningbo"]
    assert second.user_comments == ["checked with the desk", "mt:argos:x@1", "term: 宁波 = Ningbo"]
    a.set_review(second, "Li Hua", "2026-11-27T10:42Z")
    assert [r.kind for r in a.records(second.user_comments)] == [None, a.REVIEWED_BY, a.MT, a.TERM]


def test_a_long_record_is_cut_into_short_lines_and_read_back_whole():
    message = Message(SOURCE)
    term = ("宁波市加快推进新型工业化行动纲要", "Ningbo Action Plan for Accelerating New Industrialization")
    a.set_terms(message, [term])
    set_machine_draft(
        message, "Draft.", "argos:translate-zh_en@1.9;ctranslate2=4.8.5;beam=4;max_len=2x+10;length_penalty=0.2"
    )
    suggestion = a.Suggestion(90, "doc", "word " * 40 + "end")
    a.set_suggestions(message, [suggestion])
    assert all(len(line) <= a.LINE_LIMIT for line in message.user_comments)
    assert "mt+length_penalty=0.2" in message.user_comments
    again = reread(message)
    assert a.terms_of(again) == [term]
    assert a.machine_signature(again).endswith(";length_penalty=0.2")
    assert a.suggestions_of(again) == [suggestion]


def test_a_continuation_line_is_read_only_after_its_record():
    records = a.records(["term+ stray", "mt:x", "term+ not mine", "term: 宁波 = Ning", "term+bo"])
    assert records == [
        a.Record(None, "term+ stray"),
        a.Record(a.MT, "x"),
        a.Record(None, "term+ not mine"),
        a.Record(a.TERM, "宁波 = Ningbo"),
    ]


def test_a_persons_comment_that_starts_like_a_record_is_never_removed():
    message = Message(SOURCE, user_comments=["term: check this name with the desk", "term: 宁波 = Ningbo"])
    a.set_terms(message, [("崔平", "Cui Ping")])
    assert message.user_comments == ["term: check this name with the desk", "term: 崔平 = Cui Ping"]


def test_the_tail_that_a_wrapper_split_off_goes_with_the_old_record():
    message = Message(SOURCE, user_comments=["term: 宁波市 = Ningbo City", "Government", "Government is right"])
    a.set_terms(message, [("宁波市", "Ningbo City Government")])
    assert message.user_comments == ["Government is right", "term: 宁波市 = Ningbo City Government"]


def test_no_check_comment_and_legacy_flag():
    message = Message(SOURCE, flags={"no-check-capitalisation"})
    a.put(message, a.NO_CHECK, ["numbers"])
    assert message.user_comments == ["no-check: numbers"]
    assert a.silenced_checks(message) == {"numbers", "capitalisation"}


@pytest.mark.parametrize("edited", [False, True])
def test_a_review_records_a_hash_of_the_text_and_a_later_edit_shows(edited):
    message = Message(SOURCE, string="Reviewed text.")
    a.set_review(message, "Li Hua", "2026-11-27T10:42Z")
    assert message.user_comments == [
        f"reviewed-by: Li Hua, 2026-11-27T10:42Z, msgstr={a.review_digest('Reviewed text.')}"
    ]
    if edited:
        message.string = "Reviewed text, edited in Poedit."
    again = reread(message)
    assert a.review_is_stale(again) is edited
    assert state_of(again) is (State.EDITED_OUTSIDE_REVIEW if edited else State.REVIEWED)


# --- comments written by people ------------------------------------------------------------


def test_a_persons_comment_goes_first_and_survives_a_reread():
    message = Message(SOURCE, "Text.")
    set_machine_draft(message, "Text.", "fake:test@0")
    a.add_comment(message, "  Query:   is the figure right? ")
    a.add_comment(message, "Second note.")
    assert message.user_comments[:2] == ["Query: is the figure right?", "Second note."]
    back = reread(message)
    assert a.people_comments(back) == ["Query: is the figure right?", "Second note."]
    assert a.machine_signature(back) == "fake:test@0" and state_of(back) is State.MACHINE_DRAFT
    assert a.remove_comment(back, "Query: is the  figure right?") == 1
    assert a.people_comments(back) == ["Second note."] and a.remove_comment(back, "nope") == 0


def test_a_line_that_only_starts_like_a_record_is_a_persons_comment():
    message = Message(SOURCE, "Text.", user_comments=["term: check this", "term: 崔平 = Cui Ping"])
    assert a.people_comments(message) == ["term: check this"]
    assert a.remove_comment(message, "term: check this") == 1
    assert a.terms_of(message) == [("崔平", "Cui Ping")] and a.people_comments(message) == []


@pytest.mark.parametrize("kind", a.ORDER)
def test_no_comment_starts_a_word_with_a_records_prefix(kind):
    for text in (kind.prefix + "x", "see " + kind.prefix + "x", "well-" + kind.prefix + "x", f"{kind.name}+ tail"):
        with pytest.raises(ValueError, match="would read as a record"):
            a.refuse_comment(text)
    # Not at the start of a word, it is text.
    assert a.refuse_comment("x" + kind.prefix + "x") == "x" + kind.prefix + "x"


def test_comment_limits():
    assert a.refuse_comment("x" * a.COMMENT_LIMIT) == "x" * a.COMMENT_LIMIT
    with pytest.raises(ValueError, match="at most"):
        a.refuse_comment("x" * (a.COMMENT_LIMIT + 1))
    with pytest.raises(ValueError, match="empty"):
        a.refuse_comment(" \n ")
