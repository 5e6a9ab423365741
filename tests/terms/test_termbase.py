"""The termbase's TSV form: what it reads back is what it wrote."""

from __future__ import annotations

import pytest

from pipeline.terms.termbase import (
    Term,
    Termbase,
    TermbaseError,
    load_termbase,
    merge_termbase,
    read_termbase,
    save_termbase,
    write_termbase,
)


def test_quotes_backslashes_and_line_breaks_survive_a_round_trip(tmp_path):
    termbase = Termbase(
        [
            Term("崔平", 'Cui "Ping"', "person", 'say "Cui", not "Ping" \\ C:\\x'),
            Term("甬江实验室", "Yongjiang Laboratory", "organisation", "one\tline\nafter all"),
        ]
    )
    path = tmp_path / "glossary.tsv"
    save_termbase(path, termbase)
    again = load_termbase(path)
    assert again.terms[0] == termbase.terms[0]
    assert again.terms[1].note == "one line after all"  # TSV cannot hold a tab or a line break


def test_candidates_may_lack_the_english_but_the_glossary_may_not():
    text = "zh\ten\ttype\tnote\n新型工业化\t\tterm\tcandidate; 4×\n"
    assert read_termbase(text, require_en=False).terms == [Term("新型工业化", "", "term", "candidate; 4×")]
    with pytest.raises(TermbaseError, match="glossary.tsv:2: a term needs both zh and en"):
        read_termbase(text)


def test_membership_by_source_text():
    termbase = Termbase([Term("崔平", "Cui Ping", "person")])
    assert "崔平" in termbase and "崔" not in termbase
    assert write_termbase(termbase) == "zh\ten\ttype\tnote\n崔平\tCui Ping\tperson\t\n"


def test_merge_adds_what_is_missing_and_reports_conflicts():
    base = Termbase([Term("崔平", "Cui Ping", "person"), Term("宁波", "Ningbo", "place")])
    incoming = Termbase(
        [Term("宁波", "Ningbo", "place"), Term("崔平", "Ping Cui", "person"), Term("甬江", "Yong River", "place")]
    )
    result = merge_termbase(base, incoming)
    assert [t.zh for t in result.termbase] == ["崔平", "宁波", "甬江"]
    assert result.termbase.get("崔平").en == "Cui Ping"  # never overwritten
    assert result.added == [Term("甬江", "Yong River", "place")]
    assert result.conflicts == [(Term("崔平", "Cui Ping", "person"), Term("崔平", "Ping Cui", "person"))]
    assert [t.zh for t in base] == ["崔平", "宁波"]  # the base itself is left alone
