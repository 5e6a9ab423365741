"""The termbase's TSV form: what it reads back is what it wrote."""

from __future__ import annotations

import io

import pytest

from pipeline.terms.termbase import (
    Term,
    Termbase,
    TermbaseError,
    load_termbase,
    merge_termbase,
    read_termbase,
    save_termbase,
    termbase_bytes,
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


def test_read_termbase_and_write_termbase_take_file_objects():
    """Babel's signatures, ``read_termbase(fileobj)`` and
    ``write_termbase(fileobj, termbase)``; the caller's file object is left open."""
    termbase = Termbase([Term("崔平", "Cui Ping", "person", "Director"), Term("宁波", "Ningbo", "place")])
    out = io.BytesIO()
    write_termbase(out, termbase)
    assert not out.closed
    assert out.getvalue() == termbase_bytes(termbase)
    out.seek(0)
    assert read_termbase(out, "glossary.tsv").terms == termbase.terms
    assert not out.closed


def test_a_byte_order_mark_and_crlf_or_cr_line_ends_are_read_as_a_text_file_reads_them():
    for end in ("\r\n", "\r"):
        data = "\ufeff" + end.join(["zh\ten\ttype\tnote", "崔平\tCui Ping\tperson\t", "宁波\tNingbo\tplace\t", ""])
        assert [t.en for t in read_termbase(io.BytesIO(data.encode("utf-8")))] == ["Cui Ping", "Ningbo"]


def test_a_file_that_is_not_utf8_is_one_line_naming_it(tmp_path):
    with pytest.raises(TermbaseError, match=r"^locales/glossary\.tsv: not UTF-8$"):
        read_termbase(io.BytesIO("zh\ten\n崔平\tCui Ping\n".encode("gb18030")), "locales/glossary.tsv")
    path = tmp_path / "glossary.tsv"
    path.write_bytes("zh\ten\n崔平\tCui Ping\n".encode("gb18030"))
    with pytest.raises(TermbaseError, match=f"^{path}: not UTF-8$"):
        load_termbase(path)
    assert len(load_termbase(tmp_path / "missing.tsv")) == 0  # no file: an empty termbase


def test_candidates_may_lack_the_english_but_the_glossary_may_not():
    data = "zh\ten\ttype\tnote\n新型工业化\t\tterm\tcandidate; 4×\n".encode()
    assert read_termbase(io.BytesIO(data), require_en=False).terms == [Term("新型工业化", "", "term", "candidate; 4×")]
    with pytest.raises(TermbaseError, match="glossary.tsv:2: a term needs both zh and en"):
        read_termbase(io.BytesIO(data))


def test_membership_by_source_text():
    termbase = Termbase([Term("崔平", "Cui Ping", "person")])
    assert "崔平" in termbase and "崔" not in termbase
    assert termbase_bytes(termbase) == "zh\ten\ttype\tnote\n崔平\tCui Ping\tperson\t\n".encode()


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
