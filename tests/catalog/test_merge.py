"""msgmerge semantics of re-extraction, on the real seed.

A reviewed catalog is built from the seed: template from the segmenter,
merged into nothing, every entry given a clearly fake translation
``EN[i]`` and marked reviewed. The seed text is then edited and
re-extracted; every catalog passes through a PO write and read (in memory)
between the steps, as it does on disk.
"""

from __future__ import annotations

import io

import pytest

from pipeline.catalog.merge import merge
from pipeline.catalog.pofile import po_bytes, read_po
from pipeline.catalog.states import State, set_machine_draft, set_reviewed, state_of
from pipeline.catalog.template import build_template
from pipeline.editions import assemble
from pipeline.editions.model import Shown
from pipeline.segment import segment_document

REF = "seeds/000_a24ceba1f548592f.txt"
DOC = "000_a24ceba1f548592f"

EDITED_OLD = (
    "《行动纲要》提出到2027年要实现“三个新突破”，"
    "其中一个突破就是国家实验室、全国重点实验室、国家重大科技基础设施的突破。"
)
EDITED_NEW = EDITED_OLD.replace("2027", "2028")
DELETED = "工业对宁波有特殊意义。"


def template_of(text: str):
    return build_template(segment_document(DOC, text), REF)


def roundtrip(catalog):
    return read_po(io.BytesIO(po_bytes(catalog)), "doc.po")


def entries(catalog) -> dict:
    return {m.id: m for m in catalog if m.id}


def reviewed_catalog(text: str):
    catalog, _ = merge(None, template_of(text))
    for i, message in enumerate(m for m in catalog if m.id):
        set_reviewed(message, f"EN[{i}]")  # fake, for tests only
    return roundtrip(catalog)


def update(old, text: str):
    new, report = merge(old, template_of(text))
    return roundtrip(new), report


def snapshot(catalog) -> dict[str, tuple[str, State]]:
    return {msgid: (m.string, state_of(m)) for msgid, m in entries(catalog).items()}


@pytest.fixture
def reviewed(seed_text):
    return reviewed_catalog(seed_text)


def test_the_reviewed_catalog(reviewed, seed_text):
    snap = snapshot(reviewed)
    assert len(snap) > 50
    assert {state for _, state in snap.values()} == {State.REVIEWED}
    assert EDITED_OLD in snap and DELETED in snap


def test_reextracting_the_same_text_changes_nothing(reviewed, seed_text):
    again, report = update(reviewed, seed_text)
    assert po_bytes(again).split(b"\n\n", 1)[1] == po_bytes(reviewed).split(b"\n\n", 1)[1]
    assert (report.kept, report.new, report.fuzzy, report.obsolete) == (len(entries(reviewed)), 0, 0, 0)


def test_a_new_paragraph_is_untranslated_and_nothing_else_changes(reviewed, seed_text):
    new_sentence = "编者按：本文根据采访录音整理，未经受访者审阅。"
    anchor = "宁波推进新型工业化的冲锋号已经吹响。\n"
    text = seed_text.replace(anchor, anchor + "\n" + new_sentence + "\n", 1)
    assert text != seed_text
    updated, report = update(reviewed, text)

    after = snapshot(updated)
    assert after.pop(new_sentence) == ("", State.UNTRANSLATED)
    assert after == snapshot(reviewed)
    assert (report.new, report.fuzzy, report.obsolete) == (1, 0, 0)
    assert not updated.obsolete


def test_an_edited_sentence_becomes_fuzzy_with_its_old_source(reviewed, seed_text):
    assert seed_text.count("2027") == 1
    text = seed_text.replace("2027", "2028")
    updated, report = update(reviewed, text)
    before = snapshot(reviewed)

    changed = entries(updated)[EDITED_NEW]
    assert state_of(changed) is State.FUZZY
    assert changed.previous_id == [EDITED_OLD]
    assert changed.string == before[EDITED_OLD][0]

    after = snapshot(updated)
    del after[EDITED_NEW]
    expected = dict(before)
    del expected[EDITED_OLD]
    assert after == expected  # all others reviewed and unchanged

    # The old reviewed pair survives as an obsolete entry, still reviewed.
    old = updated.obsolete[EDITED_OLD]
    assert old.string == before[EDITED_OLD][0]
    assert state_of(old) is State.REVIEWED
    assert (report.fuzzy, report.obsolete, report.new) == (1, 1, 0)


def test_a_deleted_sentence_becomes_obsolete_with_its_translation(reviewed, seed_text):
    assert seed_text.count(DELETED) == 1
    updated, report = update(reviewed, seed_text.replace(DELETED, ""))
    before = snapshot(reviewed)

    assert DELETED not in entries(updated)
    assert updated.obsolete[DELETED].string == before[DELETED][0]
    assert state_of(updated.obsolete[DELETED]) is State.REVIEWED
    expected = dict(before)
    del expected[DELETED]
    assert snapshot(updated) == expected
    assert (report.obsolete, report.new, report.fuzzy) == (1, 0, 0)


def test_merge_leaves_the_old_catalog_as_it_was(reviewed, seed_text):
    before = po_bytes(reviewed)
    merge(reviewed, template_of(seed_text.replace(DELETED, "").replace("2027", "2028")))
    assert po_bytes(reviewed) == before


def test_a_deleted_sentence_that_comes_back_is_revived(reviewed, seed_text):
    deleted, _ = update(reviewed, seed_text.replace(DELETED, ""))
    revived, report = update(deleted, seed_text)
    assert report.revived == 1
    assert snapshot(revived) == snapshot(reviewed)
    assert DELETED not in revived.obsolete
    assert entries(revived)[DELETED].locations == entries(reviewed)[DELETED].locations


def test_a_revived_machine_draft_is_still_a_machine_draft(seed_text):
    catalog, _ = merge(None, template_of(seed_text))
    set_machine_draft(entries(catalog)[DELETED], "Industry matters to Ningbo.", "test")
    catalog = roundtrip(catalog)
    deleted, _ = update(catalog, seed_text.replace(DELETED, ""))
    assert deleted.obsolete[DELETED].fuzzy
    revived, report = update(deleted, seed_text)
    assert report.revived == 1
    assert state_of(entries(revived)[DELETED]) is State.MACHINE_DRAFT


def test_a_changed_number_is_fuzzy_never_reviewed(seed_text):
    # "12 million" → "11 million": a one-character change of a fact.
    old = "全市今年投入研发资金1200万元。"
    anchor = "宁波推进新型工业化的冲锋号已经吹响。\n"
    text = seed_text.replace(anchor, anchor + "\n" + old + "\n", 1)
    reviewed = reviewed_catalog(text)
    assert state_of(entries(reviewed)[old]) is State.REVIEWED

    changed_text = text.replace("1200万", "1100万")
    updated, _ = update(reviewed, changed_text)
    new = old.replace("1200万", "1100万")
    message = entries(updated)[new]
    assert state_of(message) is State.FUZZY
    assert message.previous_id == [old]

    # The stale translation is never shown as if it were a translation of the new text.
    edition = assemble(segment_document(DOC, changed_text), updated)
    shown = [s for b in edition.blocks for s in b.segments if s.source == new]
    assert [(s.shown, s.target) for s in shown] == [(Shown.UNTRANSLATED, new)]

    # And a second re-extraction keeps it fuzzy.
    again, _ = update(updated, changed_text)
    assert state_of(entries(again)[new]) is State.FUZZY


# --- The template -----------------------------------------------------------------


def test_a_repeated_sentence_is_one_entry_with_every_location(seed_text):
    repeated = "宁波推进新型工业化的冲锋号已经吹响。"
    assert seed_text.count(repeated) == 1
    text = seed_text + "\n\n" + repeated + "\n"
    last_line = len(text.split("\n")) - 1
    template = template_of(text)
    assert [m.id for m in template if m.id].count(repeated) == 1
    assert template[repeated].locations == [(REF, 15), (REF, last_line)]


def test_repeated_labels_and_credits_in_the_seed(seed_text):
    template = template_of(seed_text)
    lines = seed_text.split("\n")
    credit_lines = [i for i, line in enumerate(lines, start=1) if "(严龙 摄)" in line]
    assert template["（严龙 摄）"].locations == [(REF, n) for n in credit_lines]
    reporter_lines = [i for i, line in enumerate(lines, start=1) if line.startswith("记者:")]
    assert len(reporter_lines) == 4
    assert template["记者："].locations == [(REF, n) for n in reporter_lines]


def test_entries_are_in_document_order(seed_text):
    template = template_of(seed_text)
    first_lines = [m.locations[0][1] for m in template if m.id]
    assert first_lines == sorted(first_lines)
    doc = segment_document(DOC, seed_text)
    in_order = list(dict.fromkeys(s.text for _, s in doc.segments() if s.translatable))
    assert [m.id for m in template if m.id] == in_order


def test_entries_carry_their_block_type(seed_text):
    template = template_of(seed_text)
    for message in template:
        if message.id:
            assert message.auto_comments and all(c.startswith("type: ") for c in message.auto_comments)
    assert template["新型工业化，宁波底气从何而来"].auto_comments == ["type: title"]
    assert template["记者 成良田"].auto_comments == ["type: byline"]
    assert template["记者："].auto_comments == ["type: qa-turn, part: speaker-label"]
    assert template["（资料图片）"].auto_comments == ["type: caption, part: photo-credit"]
    assert template["记者手记"].auto_comments == ["type: heading"]
    text = po_bytes(template).decode("utf-8")
    assert "#. type: caption, part: photo-credit\n" in text
    # Section numbers (digits) have nothing to translate and make no entry.
    assert "1" not in template


# --- A line of a million characters (merging stays linear) ----------------------


def test_similarity_is_difflibs_below_the_bound_and_a_lower_bound_above():
    import difflib
    import random

    from pipeline.catalog.merge import EXACT_PAIRS, _ratio

    rng = random.Random(4)
    for _ in range(200):
        a = "".join(rng.choice("宁波工业化。") for _ in range(rng.randint(1, 120)))
        b = "".join(c if rng.random() < 0.8 else rng.choice("宁波新") for c in a)
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        assert _ratio(matcher, a, b) == matcher.ratio()
    a = "".join(rng.choice("宁波工业化实验室") for _ in range(3_000))
    b = a[:1_000] + "新" + a[1_001:2_500] + "变" + a[2_501:]
    assert len(a) * len(b) > EXACT_PAIRS
    exact = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    assert _ratio(difflib.SequenceMatcher(None, a, b, autojunk=False), a, b) <= exact


def test_a_long_line_edited_in_one_place_keeps_its_translation_as_fuzzy():
    line = "宁波推进新型工业化的冲锋号已经吹响并不断演进升级" * 8_000  # 192,000 characters, no sentence end
    old, _ = merge(None, template_of(line))
    set_reviewed(old[line], "The bugle has sounded.")
    edited = line[:100_000] + "甬" + line[100_001:]
    new, report = merge(roundtrip(old), template_of(edited))
    assert (report.fuzzy, report.new, report.obsolete) == (1, 0, 1)
    assert new[edited].string == "The bugle has sounded." and new[edited].previous_id == [line]
    assert state_of(new[edited]) is State.FUZZY
