"""How often the ``openai`` engine's answer validation would refuse a
professional translation: every reference of the development corpus is
given to :func:`pipeline.engines.openai.problem_with` as if a model had
answered it. A refusal here leaves a segment untranslated for nothing.

It says nothing about how well the validation catches a model's
explanations or refusals: no model's answers can be had here.

Run from the repository root: ``python -m benchmarks.bench_openai_validation``.
"""

from __future__ import annotations

import time
from collections import Counter

from benchmarks.measure import CORPUS_SETS, log, read_corpus, require_corpus


def main() -> None:
    require_corpus()
    from pipeline.engines.openai import problem_with

    print("| set | references | refused | why (count) | seconds |")
    print("| --- | ---: | ---: | --- | ---: |")
    for name in CORPUS_SETS:
        pairs = [(zh, en) for zh, en in read_corpus(name) if zh and en]
        started = time.perf_counter()
        reasons: Counter = Counter()
        for zh, en in pairs:
            problem = problem_with(zh, en)
            if problem:
                reasons[problem.split(" (")[0]] += 1
                log(f"{name}: refused ({problem}): {zh[:50]} | {en[:80]}")
        seconds = time.perf_counter() - started
        why = "; ".join(f"{reason} ({count})" for reason, count in reasons.most_common()) or "-"
        print(f"| {name} | {len(pairs):,} | {sum(reasons.values())} | {why} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
