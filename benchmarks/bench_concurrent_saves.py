"""Benchmark: another program saving a catalog while ``translate`` flushes.

For each way of saving (see tests/reliability/concurrent_writer.py) and
each interval, ``translate --flush-seconds 0`` (the fake engine, one
segment per batch, 20 untranslated entries, so 20 flushes) runs while a
separate process saves the catalog every INTERVAL ms, each save giving one
of 8 reviewed entries a new text. Printed per run: the other program's
saves, its edits lost at the end (must be 0), and, from
:mod:`pipeline.catalog.store`, the catalog writes, the races it detected
(attempts that found the file changed and started again) and the saves it
swapped back after they landed between its check and its rename.

    .venv/bin/python -m benchmarks.bench_concurrent_saves [--runs N] [--intervals 20,5] [--modes inplace]

Run from the repository root (it uses the tests' writer and workspace).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pipeline.catalog import load_catalog
from pipeline.translate import translate_documents
from tests.reliability.test_concurrent_saves import MODES, concurrent_writer, make_workspace
from tests.support.fake_engine import FakeEngine

try:
    from pipeline.catalog import store
except ImportError:  # a version before the compare-and-swap: lost edits only
    store = None


class Counters:
    def __init__(self):
        self.updates = self.written = self.attempts = self.exchanges = 0

    def install(self):
        real_update, real_exchange = store.update_catalog, store.exchange

        def update(*args, **kwargs):
            result = real_update(*args, **kwargs)
            self.updates += 1
            self.written += result.written
            self.attempts += result.attempts
            return result

        def exchange(a, b):
            self.exchanges += 1
            return real_exchange(a, b)

        store.exchange = exchange
        import pipeline.translate as translate

        translate.update_catalog = update


def run(mode: str, interval: int) -> dict:
    counters = Counters()
    if store is not None:
        counters.install()
    with tempfile.TemporaryDirectory() as tmp:
        ws, doc, reviewed, _ = make_workspace(Path(tmp) / "ws")
        path = ws.catalog_path(doc)
        engine = FakeEngine(batch=1, after_batch=lambda n: time.sleep(0.002))
        started = time.monotonic()
        with concurrent_writer(path, mode, interval, list(reviewed)[:8]) as log:
            translate_documents(ws, [doc], lambda: engine, flush_seconds=0)
        seconds = time.monotonic() - started
        catalog = load_catalog(path)
        lost = sum(catalog[m].string != t for m, t in log["expected"].items())
    return {
        "saves": log["saves"],
        "lost": lost,
        "writes": counters.written,
        "races": counters.attempts - counters.updates,
        "swapped_back": (counters.exchanges - counters.written) // 2,
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--intervals", default="20,5")
    parser.add_argument("--modes", default=",".join(MODES))
    args = parser.parse_args()
    print(
        f"{'mode':<9} {'ms':>3} {'runs':>4} {'saves':>6} {'lost':>5} {'writes':>6} {'races':>6} {'swapped':>7} "
        f"{'s/run':>6}"
    )
    for interval in (int(x) for x in args.intervals.split(",")):
        for mode in args.modes.split(","):
            rows = [run(mode, interval) for _ in range(args.runs)]
            total = {k: sum(r[k] for r in rows) for k in rows[0]}
            print(
                f"{mode:<9} {interval:>3} {args.runs:>4} {total['saves']:>6} {total['lost']:>5} {total['writes']:>6} "
                f"{total['races']:>6} {total['swapped_back']:>7} {total['seconds'] / args.runs:>6.1f}"
            )


if __name__ == "__main__":
    main()
