"""The checks on the WMT news development corpus (issue 11 targets), by the
benchmark's own code (benchmarks/bench_checks.py). Skipped when
../shared/corpora/wmt-news-dev is absent.

The targets not met yet (truncation recall >= 90%, flagged entries <= 2%)
are reported in BENCHMARKS.md section 6; here, what is met is held."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpora" / "wmt-news-dev"

pytestmark = pytest.mark.skipif(
    not (CORPUS / "newstest2019-zhen.tsv").exists(), reason=f"the dev corpus is not at {CORPUS}"
)


@pytest.fixture(scope="module")
def corpus():
    from benchmarks import bench_checks as bench

    pairs = {name: bench.load_pairs(CORPUS, name) for name in bench.SETS}
    return pairs, bench.newsroom_termbase(pairs)


@pytest.fixture(scope="module")
def report(corpus):
    from benchmarks import bench_checks as bench

    pairs, termbase = corpus
    held_out = bench.HELD_OUT_SET
    return bench.measure(held_out, pairs[held_out], termbase, {}, per_kind=200, seed=bench.SEED)


@pytest.mark.parametrize("kind", ["number", "chinese", "copied", "doubled"])
def test_recall_on_planted_errors(report, kind):
    result = report["recall"][kind]
    assert result["caught"] >= 0.9 * result["planted"] > 0


@pytest.fixture(scope="module")
def name_recall_on_the_tuning_set(corpus):
    """``(caught, planted)`` for 1,000 name swaps drawn from newstest2018."""
    from benchmarks import bench_checks as bench

    pairs, termbase = corpus
    tuning = pairs[bench.TUNING_SET]
    found = bench.findings_by_entry([(p.id, p.zh, p.en) for p in tuning], termbase)
    clean = {p.id for p in tuning} - {entry for entry, findings in found.items() if findings}
    recall = bench.planted_recall(tuning, clean, termbase, per_kind=1000, seed=bench.SEED, kinds=("name",))
    caught, planted, _ = recall["name"]
    return caught, planted


def test_recall_on_planted_name_swaps(name_recall_on_the_tuning_set):
    """The 90% target for a swapped name, held where the figure is stable:
    the 1,000 swaps of newstest2018 (93.2%: a swap the check misses is a
    name the English says twice, or a termbase form that another name
    contains). The held-out newstest2019 has only 185 entries with a
    verified name, every one of them planted, and its figure sits on the
    line (89.8% to 90.9% in the runs of session 4: one more clean entry
    reshuffles the seeded draw of the swapped-in names, and one swap is
    0.5 points), so a 90% assertion there would flip on sampling, not on
    the check; BENCHMARKS.md section 6 reports it. A broken glossary check
    or termbase fails this test (only a doubled word catches a swap then)."""
    caught, planted = name_recall_on_the_tuning_set
    assert planted >= 900
    assert caught >= 0.9 * planted


def test_name_swap_recall_on_the_held_out_set_does_not_regress(report):
    """The held-out figure (90.3%, 167 of 185) kept from falling: at least
    85%, a margin of nine swaps for the draw (see above)."""
    result = report["recall"]["name"]
    assert result["caught"] >= 0.85 * result["planted"] > 0


def test_truncation_recall_does_not_regress(report):
    """What is met on the held-out set: the omission check by content lifts
    the recall of dropped second halves from 72.5% (length and figures
    alone) to about 87%."""
    result = report["recall"]["truncated"]
    assert result["caught"] >= 0.8 * result["planted"]
    assert result["by_check"].get("omission", 0) > 0


def test_error_rate(report):
    """Met on the held-out set: at most 0.5% of the entries with an
    error-level finding (0.40%, each judged a real discrepancy)."""
    assert report["error_entries"] <= 0.005 * report["entries"]


def test_flag_rate_does_not_regress(report):
    """What is met on the held-out set: at most 8% flagged, at most 1% with
    an error (it was 14.2% and 3.25%)."""
    assert report["flagged"] <= 0.08 * report["entries"]
    assert report["error_entries"] <= 0.01 * report["entries"]
