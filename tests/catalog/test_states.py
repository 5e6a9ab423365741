"""The four translation states and the transitions between them."""

from __future__ import annotations

import io

import pytest
from babel.messages.catalog import Message

from pipeline.catalog.pofile import Catalog, po_bytes, read_po
from pipeline.catalog.states import (
    MT_PREFIX,
    State,
    machine_signature,
    set_machine_draft,
    set_reviewed,
    set_untranslated,
    state_of,
)

SOURCE = "宁波推进新型工业化的冲锋号已经吹响。"


def reread(catalog: Catalog) -> Catalog:
    return read_po(io.BytesIO(po_bytes(catalog)), "doc.po")


def one(message: Message) -> Catalog:
    catalog = Catalog(locale="en")
    catalog[message.id] = message
    return catalog


def test_untranslated():
    assert state_of(Message(SOURCE)) is State.UNTRANSLATED
    assert state_of(Message(SOURCE, string="", flags=["fuzzy"])) is State.UNTRANSLATED


def test_reviewed():
    assert state_of(Message(SOURCE, string="Ningbo has sounded the bugle.")) is State.REVIEWED


def test_machine_draft():
    message = Message(SOURCE, string="draft", flags=["fuzzy"], user_comments=[MT_PREFIX + "argos-1.9"])
    assert state_of(message) is State.MACHINE_DRAFT
    assert machine_signature(message) == "argos-1.9"


def test_fuzzy_without_an_engine_signature():
    assert state_of(Message(SOURCE, string="draft", flags=["fuzzy"])) is State.FUZZY


def test_fuzzy_with_a_previous_source_even_when_machine_made():
    message = Message(
        SOURCE, string="draft", flags=["fuzzy"], user_comments=[MT_PREFIX + "argos"], previous_id=["旧的句子。"]
    )
    assert state_of(message) is State.FUZZY


def test_set_machine_draft():
    message = Message(SOURCE, user_comments=["keep me"])
    set_machine_draft(message, "Ningbo bugle.", "test")
    assert state_of(message) is State.MACHINE_DRAFT
    assert message.string == "Ningbo bugle."
    assert message.user_comments == ["keep me", MT_PREFIX + "test"]
    # A new draft replaces the stamp of the old one.
    set_machine_draft(message, "Ningbo bugle, again.", "test-2")
    assert message.user_comments == ["keep me", MT_PREFIX + "test-2"]
    assert machine_signature(message) == "test-2"


def test_set_machine_draft_replaces_a_fuzzy_old_translation():
    message = Message(SOURCE, string="old", flags=["fuzzy"], previous_id=["旧的句子。"])
    set_machine_draft(message, "new draft", "test")
    assert state_of(message) is State.MACHINE_DRAFT
    assert not message.previous_id


def test_set_reviewed_accepts_a_machine_draft():
    message = Message(SOURCE)
    set_machine_draft(message, "Ningbo bugle.", "test")
    set_reviewed(message)
    assert state_of(message) is State.REVIEWED
    assert message.string == "Ningbo bugle."
    assert machine_signature(message) == "test"  # where the draft came from stays recorded


def test_set_reviewed_with_a_new_text_clears_the_previous_source():
    message = Message(SOURCE, string="old", flags=["fuzzy"], previous_id=["旧的句子。"])
    set_reviewed(message, "Ningbo has sounded the bugle.")
    assert state_of(message) is State.REVIEWED
    assert not message.previous_id
    assert "fuzzy" not in message.flags


def test_an_empty_translation_cannot_be_reviewed():
    with pytest.raises(ValueError):
        set_reviewed(Message(SOURCE))
    with pytest.raises(ValueError):
        set_reviewed(Message(SOURCE, string="x"), "")


def test_set_untranslated():
    message = Message(SOURCE, string="x", flags=["fuzzy"], previous_id=["旧"])
    set_untranslated(message)
    assert state_of(message) is State.UNTRANSLATED
    assert message.flags == set()


@pytest.mark.parametrize(
    "setup,expected", [("draft", State.MACHINE_DRAFT), ("reviewed", State.REVIEWED), ("none", State.UNTRANSLATED)]
)
def test_states_survive_writing_and_reading(setup, expected):
    message = Message(SOURCE)
    if setup in ("draft", "reviewed"):
        set_machine_draft(message, "Ningbo bugle.", "test")
    if setup == "reviewed":
        set_reviewed(message)
    assert state_of(reread(one(message))[SOURCE]) is expected


def test_a_reviewed_entry_stays_reviewed_after_a_poedit_style_edit():
    message = Message(SOURCE, locations=[("seeds/doc.txt", 15)], auto_comments=["type: body"])
    set_machine_draft(message, "Ningbo bugle.", "test")
    set_reviewed(message)
    text = po_bytes(one(message)).decode("utf-8")
    assert 'msgstr "Ningbo bugle."' in text

    # What Poedit does on save: rewrites the translation (wrapped its own
    # way), stamps its own headers and a translator, keeps the rest.
    edited = (
        text.replace(
            'msgstr "Ningbo bugle."',
            'msgstr ""\n"Ningbo has sounded the bugle for the new "\n"industrialisation."',
        )
        .replace(
            '"MIME-Version: 1.0\\n"',
            '"MIME-Version: 1.0\\n"\n"X-Generator: Poedit 3.4.2\\n"\n"X-Poedit-SourceCharset: UTF-8\\n"',
        )
        .replace("Last-Translator: FULL NAME <EMAIL@ADDRESS>", "Last-Translator: Li Hua <li@example.org>")
    )
    assert edited != text

    catalog = read_po(io.BytesIO(edited.encode("utf-8")), "doc.po")
    entry = catalog[SOURCE]
    assert state_of(entry) is State.REVIEWED
    assert entry.string == "Ningbo has sounded the bugle for the new industrialisation."
    assert machine_signature(entry) == "test"
    assert catalog.extra_headers["X-Generator"] == "Poedit 3.4.2"
    # ... and it stays reviewed through our own next write.
    assert state_of(reread(catalog)[SOURCE]) is State.REVIEWED


def test_clearing_fuzzy_in_an_editor_reviews_a_machine_draft():
    message = Message(SOURCE)
    set_machine_draft(message, "Ningbo bugle.", "test")
    text = po_bytes(one(message)).decode("utf-8")
    assert "#, fuzzy\n" in text
    catalog = read_po(io.BytesIO(text.replace("#, fuzzy\n", "").encode("utf-8")), "doc.po")
    assert state_of(catalog[SOURCE]) is State.REVIEWED
