"""The TM benchmark's brute-force check (benchmarks/bench_tm.py --verify)
scans what the memory can return: one match per distinct translation of a
source. It used to scan distinct sources, so a memory holding one source
with two translations showed a MISMATCH although the index was right."""

from benchmarks.bench_tm import brute_force, memory_entries
from pipeline.tm import TranslationMemory, Unit
from pipeline.tm.similarity import match_key

STORED = "其中，智能化是新型工业化最主要的新特征。"
QUERY = "其中，智能化是新型工业化最主要这新特征。"  # one character changed


def test_the_brute_force_scan_agrees_with_a_source_stored_with_two_translations():
    units = [
        Unit(STORED, "English 1", "a"),
        Unit(STORED, "English 2", "b"),  # the same source, another translation: a second match
        Unit(STORED, "English 1", "c"),  # the same source and translation: no third match
        Unit("宁波常住人口达到1100万。", "English 3", "a"),
    ]
    got = [m.similarity for m in TranslationMemory(units).fuzzy(QUERY, threshold=0.75, limit=3)]
    assert len(got) == 2
    assert brute_force(memory_entries(units), match_key(QUERY), 0.75, 3) == got


def test_entries_leave_out_what_the_memory_ignores():
    units = [Unit("  ", "x", "a"), Unit(STORED, " ", "a"), Unit(STORED, "English", "a")]
    assert memory_entries(units) == [match_key(STORED)]
