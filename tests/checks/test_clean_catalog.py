"""The checks on a catalog of correct translations, and on damaged copies.

The clean catalog must produce no finding at all: checks that cry wolf are
switched off by translators. Each mutation below damages one translation
the way machine translation or a hurried edit does, and must be caught by
the right check, on that entry only.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from pipeline.catalog.pofile import po_bytes, read_po
from pipeline.catalog.states import State, state_of
from pipeline.checks import run_checks
from pipeline.checks.length import MAX_LONG_Z, MAX_SHORT_Z, length_z
from pipeline.zh.script import count_han


def test_the_clean_catalog_is_big_enough_and_reviewed(clean_catalog):
    entries = [m for m in clean_catalog if m.id]
    assert len(entries) >= 40
    assert all(state_of(m) is State.REVIEWED for m in entries)
    # Realistic block types, read by the checks.
    types = {c.split(":", 1)[1].split(",")[0].strip() for m in entries for c in m.auto_comments}
    assert {"title", "subtitle", "byline", "heading", "body", "qa-turn", "caption"} <= types


def test_the_clean_catalog_passes_msgfmt(msgfmt_check, clean_po_bytes):
    msgfmt_check(clean_po_bytes)


def test_the_clean_catalog_has_no_findings(clean_catalog, termbase):
    findings = run_checks(clean_catalog, termbase)
    assert findings == [], "\n".join(f"{f.location} {f.code}: {f.message} | {f.msgid}" for f in findings)


def test_the_clean_catalog_exercises_the_glossary(clean_catalog, termbase):
    """The no-findings result above means something: every term occurs."""
    sources = " ".join(m.id for m in clean_catalog if m.id)
    assert all(term.zh in sources for term in termbase)


def test_length_bounds_hold_the_clean_ratios_with_margin(clean_catalog):
    """The length model fitted on news holds the seed's correct translations
    well inside its bounds."""
    scores = [length_z(m.id, m.string) for m in clean_catalog if m.id]
    scores = [z for z in scores if z is not None]
    assert len(scores) >= 40
    assert min(scores) >= -MAX_SHORT_Z + 0.5
    assert max(scores) <= MAX_LONG_Z - 0.5


Mutation = Callable[[str, str], str]

#: (what is done, the entry's source starts with, the damage, the checks that must fire).
MUTATIONS: list[tuple[str, str, Mutation, set[str]]] = [
    ("drop a number", "龙年开年", lambda s, t: t.replace("five months ahead", "months ahead"), {"numbers-unpaired"}),
    ("change a year", "《行动纲要》提出到2027年", lambda s, t: t.replace("2027", "2028"), {"numbers"}),
    (
        "change a figure with 万",
        "该项目总投资1100万元",
        lambda s, t: t.replace("11 million", "12 million"),
        {"numbers"},
    ),
    ("change the month", "去年9月", lambda s, t: t.replace("September", "October"), {"numbers"}),
    (
        "drop a Chinese numeral",
        "浙江“新春第一会”召开",
        lambda s, t: t.replace('its "three teams"', 'its "teams"'),
        {"numbers-unpaired"},
    ),
    (
        "leave a Han word",
        "本报记者近日专访",
        lambda s, t: t.replace("Yongjiang Laboratory", "甬江实验室"),
        {"han-in-target", "glossary"},
    ),
    ("break a name", "本报记者近日专访", lambda s, t: t.replace("Cui Ping", "Cui Pin"), {"glossary"}),
    (
        "repeat a phrase three times",
        "宁波推进新型工业化的冲锋号",
        lambda s, t: t.replace(
            "towards new", "towards new industrialization towards new industrialization towards new"
        ),
        {"repetition"},
    ),
    ("remove the final period", "工业对宁波有特殊意义", lambda s, t: t.rstrip("."), {"end-punctuation"}),
    ("end a statement with a question mark", "工业对宁波有特殊意义", lambda s, t: t[:-1] + "?", {"end-punctuation"}),
    ("lowercase the start", "工业对宁波有特殊意义", lambda s, t: t[0].lower() + t[1:], {"capitalisation"}),
    (
        "lowercase a second sentence",
        "去年9月",
        lambda s, t: t.replace(". In important", ". in important"),
        {"capitalisation"},
    ),
    ("double a space", "工业对宁波有特殊意义", lambda s, t: t.replace(" ", "  ", 1), {"whitespace"}),
    ("add a trailing space", "崔平很忙", lambda s, t: t + " ", {"whitespace"}),
    ("unbalance a quote", "决胜未来发展", lambda s, t: t.replace('card".', "card."), {"brackets-quotes"}),
    ("lose the quotation marks of a quotation", "正如崔平所言", lambda s, t: t.replace('"', ""), {"brackets-quotes"}),
    (
        "leave a Chinese comma",
        "工业对宁波有特殊意义",
        lambda s, t: t.replace("significance ", "significance，"),
        {"fullwidth-punctuation"},
    ),
    (
        "truncate the translation",
        "当前，宁波正奋力争创",
        lambda s, t: t.split(",")[0] + ".",
        {"length-ratio"},
    ),
]


def _entry_findings(catalog, termbase, source_start):
    findings = run_checks(catalog, termbase)
    assert all(f.msgid.startswith(source_start) for f in findings), [(f.msgid, f.code) for f in findings]
    return findings


def _mutate(catalog, source_start: str, mutation: Mutation):
    (message,) = [m for m in catalog if m.id and m.id.startswith(source_start)]
    damaged = mutation(message.id, message.string)
    assert damaged != message.string, "the mutation did not change the translation"
    message.string = damaged
    return message


@pytest.mark.parametrize("what, source_start, mutation, expected", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_each_mutation_is_caught_by_the_right_check(clean_catalog, termbase, what, source_start, mutation, expected):
    _mutate(clean_catalog, source_start, mutation)
    findings = _entry_findings(clean_catalog, termbase, source_start)
    assert {f.code for f in findings} == expected, [(f.code, f.message) for f in findings]


def test_copying_the_source_is_caught(clean_catalog, termbase):
    source_start = "宁波推进新型工业化的冲锋号"
    _mutate(clean_catalog, source_start, lambda s, t: s)
    codes = {f.code for f in _entry_findings(clean_catalog, termbase, source_start)}
    # A copy is also Chinese in the English, without the terms' English
    # forms, with a Chinese full stop and too short: each check says so.
    assert {"source-copied", "han-in-target", "glossary", "fullwidth-punctuation"} <= codes


def test_a_draft_is_checked_like_a_reviewed_entry(clean_catalog, termbase):
    message = _mutate(clean_catalog, "龙年开年", lambda s, t: t.replace("five months", "six months"))
    message.flags.add("fuzzy")
    message.user_comments.append("mt:argos:translate-zh_en@1.9")
    assert state_of(message) is State.MACHINE_DRAFT
    (finding,) = run_checks(clean_catalog, termbase)
    assert finding.code == "numbers"
    assert "5个月" in finding.message and "six" in finding.message


def test_no_check_flag_silences_exactly_that_check(clean_catalog, termbase, msgfmt_check):
    source_start = "龙年开年"
    message = _mutate(clean_catalog, source_start, lambda s, t: t.replace("five months ahead", "six months  ahead"))
    before = {f.code for f in run_checks(clean_catalog, termbase)}
    assert before == {"numbers", "whitespace"}

    message.flags.add("no-check-numbers")
    # The flag survives writing and reading the catalog, and msgfmt accepts it.
    data = po_bytes(clean_catalog)
    assert b"#, no-check-numbers" in data
    msgfmt_check(data)
    reread = read_po(io.BytesIO(data), "clean.po")
    after = [f.code for f in run_checks(reread, termbase)]
    assert after == ["whitespace"]


def test_no_check_flags_for_several_checks(clean_catalog, termbase, msgfmt_check):
    message = _mutate(clean_catalog, "工业对宁波有特殊意义", lambda s, t: t[0].lower() + t[1:].rstrip("."))
    assert {f.code for f in run_checks(clean_catalog, termbase)} == {"capitalisation", "end-punctuation"}
    message.flags.update({"no-check-capitalisation", "no-check-end-punctuation"})
    msgfmt_check(po_bytes(clean_catalog))
    assert run_checks(clean_catalog, termbase) == []


def test_untranslated_entries_are_not_checked(clean_catalog, termbase):
    message = next(m for m in clean_catalog if m.id and count_han(m.id) > 8)
    message.string = ""
    assert run_checks(clean_catalog, termbase) == []
