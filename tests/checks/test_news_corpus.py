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
def report():
    from benchmarks import bench_checks as bench

    pairs = {name: bench.load_pairs(CORPUS, name) for name in bench.SETS}
    termbase = bench.newsroom_termbase(pairs)
    held_out = bench.HELD_OUT_SET
    return bench.measure(held_out, pairs[held_out], termbase, {}, per_kind=200, seed=bench.SEED)


@pytest.mark.parametrize("kind", ["number", "chinese", "copied", "doubled", "name"])
def test_recall_on_planted_errors(report, kind):
    result = report["recall"][kind]
    assert result["caught"] >= 0.9 * result["planted"] > 0


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
