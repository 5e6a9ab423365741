"""Benchmark: translation-memory index build and fuzzy lookup at scale.

Builds a memory of synthetic Chinese news-like segments (default 100,000),
made from the seed document so that the character and bigram statistics
look like news text:

* the seed's sentences, verbatim (2%);
* recombinations of the seed's clauses (25%);
* edited copies of seed sentences and recombinations: characters changed,
  inserted or deleted, numbers changed (18%);
* random news-like text: "words" of one to three characters drawn from the
  seed's character frequencies mixed with the 3,755 common characters of
  GB2312 level 1 under a Zipf law, in clauses, with the odd number (55%).

Then it times fuzzy lookup (threshold 75%, 3 matches) of about 200 new
segments: exact copies, near-duplicates of stored segments, edited seed
sentences (which have hundreds of similar neighbours in the memory) and
unrelated new text. It prints the index build time, the median, p95 and
maximum milliseconds per lookup (wall clock, and CPU time, which other
processes on the machine do not inflate), and memory. ``--verify N`` also compares
the first N lookups with a brute-force scan of the whole memory.

Run::

    .venv/bin/python -m benchmarks.bench_tm [--segments 100000] [--queries 200] [--verify 0]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import statistics
import sys
from collections import Counter

from benchmarks.measure import SEED_DOCUMENT as SEED
from benchmarks.measure import p95, rss_mb, stopwatch
from pipeline.segment import segment_document
from pipeline.tm import TranslationMemory, Unit
from pipeline.tm.similarity import key_similarity, match_key
from pipeline.zh.script import HAN_RE

CLAUSE_END = re.compile(r"(?<=[，、；：])")


def common_characters() -> list[str]:
    """GB2312 level 1: the 3,755 most common Simplified characters."""
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


class NewsText:
    """Synthetic news-like sentences from the seed document, seeded."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        document = segment_document(SEED.stem, SEED.read_text(encoding="utf-8"))
        self.sentences = [seg.text for _, seg in document.segments() if seg.translatable and len(seg.text) >= 6]
        self.clauses = [c for s in self.sentences for c in CLAUSE_END.split(s.rstrip("。？！”")) if len(c) >= 3]
        seed_chars = Counter(ch for s in self.sentences for ch in s if HAN_RE.match(ch))
        common = common_characters()
        rng.shuffle(common)
        # Zipf over the common characters, plus the seed's own frequencies.
        weights = Counter({ch: 200.0 / (rank + 1) for rank, ch in enumerate(common)})
        for ch, n in seed_chars.items():
            weights[ch] += n
        self.chars = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def char(self, k: int = 1) -> str:
        return "".join(self.rng.choices(self.chars, cum_weights=self.cumulative, k=k))

    def word(self) -> str:
        return self.char(self.rng.choice((1, 2, 2, 2, 3)))

    def random_sentence(self) -> str:
        clauses = []
        for _ in range(self.rng.randint(1, 4)):
            clause = ""
            while len(clause) < self.rng.randint(4, 16):
                clause += self.word()
                if self.rng.random() < 0.03:
                    clause += str(self.rng.choice((3, 12, 60, 2024, 1100))) + self.rng.choice(("年", "万", "%", "个"))
            clauses.append(clause)
        return "，".join(clauses) + self.rng.choice("。。。。？！")

    def recombination(self) -> str:
        picked = self.rng.sample(self.clauses, self.rng.randint(2, 4))
        return (
            "".join(c if c[-1] in "，、；：" else c + "，" for c in picked[:-1]) + picked[-1].rstrip("，、；：") + "。"
        )

    def edit(self, text: str, edits: int) -> str:
        chars = list(text)
        for _ in range(edits):
            pos = self.rng.randrange(len(chars) + 1)
            kind = self.rng.random()
            if kind < 0.45 and pos < len(chars):
                chars[pos] = self.char()
            elif kind < 0.75 or not chars:
                chars.insert(pos, self.char())
            elif pos < len(chars):
                del chars[pos]
        text = "".join(chars)
        if self.rng.random() < 0.2:  # change a number, the way a follow-up report does
            text = re.sub(r"\d+", lambda m: str(int(m.group()) + self.rng.randint(1, 9)), text, count=1)
        return text or "空"

    def memory_segment(self) -> str:
        roll = self.rng.random()
        if roll < 0.02:
            return self.rng.choice(self.sentences)
        if roll < 0.27:
            return self.recombination()
        if roll < 0.45:
            base = self.rng.choice(self.sentences) if self.rng.random() < 0.5 else self.recombination()
            return self.edit(base, self.rng.randint(1, 6))
        return self.random_sentence()


def memory_entries(units: list[Unit]) -> list[str]:
    """The match key of every match ``TranslationMemory(units)`` can return.

    The memory returns one match per distinct translation of a source (a
    source stored with two translations is two suggestions), so a key
    counts once per distinct (match key, target) pair, not once per
    distinct source.
    """
    pairs = ((match_key(u.source), u.target) for u in units)
    return [key for key, _ in dict.fromkeys((key, target) for key, target in pairs if key and target.strip())]


def brute_force(entries: list[str], key: str, threshold: float, limit: int) -> list[float]:
    """The similarities a fuzzy lookup of ``key`` must return, from a full scan of ``entries``."""
    scores = sorted((key_similarity(key, k) for k in entries), reverse=True)
    return [s for s in scores if s >= threshold][:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--threshold", type=float, default=0.75)
    parser.add_argument("--limit", type=int, default=3)
    parser.add_argument("--verify", type=int, default=0, metavar="N", help="check N lookups against a brute-force scan")
    parser.add_argument("--seed", type=int, default=20240501)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    news = NewsText(rng)
    sources = [news.memory_segment() for _ in range(args.segments)]
    units = [Unit(s, f"English {i}", f"doc{i % 50:02d}") for i, s in enumerate(sources)]
    mean_len = statistics.mean(map(len, sources))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rss_before = rss_mb()
    with stopwatch() as keyed:
        memory = TranslationMemory(units)
    with stopwatch() as indexed:
        memory.build_index()
    rss_after = rss_mb()

    per_kind = args.queries // 8
    queries = (
        [("exact", rng.choice(sources)) for _ in range(per_kind)]
        + [("near-duplicate", news.edit(rng.choice(sources), rng.randint(1, 4))) for _ in range(2 * per_kind)]
        + [("edited seed", news.edit(rng.choice(news.sentences), rng.randint(1, 3))) for _ in range(per_kind)]
    )
    queries += [("unrelated", news.random_sentence()) for _ in range(args.queries - len(queries))]

    memory.fuzzy(queries[0][1])  # warm up
    times: dict[str, list[float]] = {}  # wall-clock ms per lookup
    cpu: list[float] = []  # CPU ms per lookup: what the lookup costs when other processes compete for the cores
    found: Counter = Counter()
    results = []
    for kind, query in queries:
        with stopwatch() as lookup:
            matches = memory.fuzzy(query, threshold=args.threshold, limit=args.limit)
        times.setdefault(kind, []).append(lookup.wall * 1000)
        cpu.append(lookup.cpu * 1000)
        found[kind] += bool(matches)
        results.append(matches)

    every = sorted(t for ts in times.values() for t in ts)
    print(f"load average at start: {load:.2f} on {os.cpu_count()} cores (wall-clock figures grow with it)")
    print(f"memory: {len(memory):,} segments ({memory.distinct_sources:,} distinct), mean {mean_len:.1f} characters")
    print(f"build: match keys {keyed.wall:.2f} s, bigram index {indexed.wall:.2f} s")
    print(
        f"memory: index arrays {memory.index_nbytes() / 2**20:.1f} MiB; "
        f"process RSS {rss_before:.0f} -> {rss_after:.0f} MiB"
    )
    print(
        f"fuzzy lookup (threshold {args.threshold:.0%}, limit {args.limit}), {len(every)} queries: "
        f"median {statistics.median(every):.2f} ms, p95 {p95(every):.2f} ms, max {every[-1]:.2f} ms"
    )
    print(
        f"  CPU time per lookup: median {statistics.median(cpu):.2f} ms, p95 {p95(cpu):.2f} ms, max {max(cpu):.2f} ms"
    )
    for kind, ts in times.items():
        print(
            f"  {kind:15} n={len(ts):3}  median {statistics.median(ts):6.2f} ms  p95 {p95(ts):6.2f} ms  "
            f"with a match: {found[kind]}/{len(ts)}"
        )
    if args.verify:
        entries = memory_entries(units)
        for (kind, query), matches in list(zip(queries, results, strict=True))[: args.verify]:
            expected = brute_force(entries, match_key(query), args.threshold, args.limit)
            got = [m.similarity for m in matches]
            if [round(x, 9) for x in got] != [round(x, 9) for x in expected]:
                sys.exit(f"MISMATCH for {kind} query {query!r}: index {got}, brute force {expected}")
        print(f"verified: {args.verify} lookups equal a brute-force scan")


if __name__ == "__main__":
    main()
