"""How segmentation time grows with the size of one enormous source.

Not a test: it prints, for several shapes of text and sizes doubling up to
``--max-mb`` megabytes (UTF-8), the time ``segment_document`` takes and the
ratio to the previous size. A linear segmenter shows ratios near 2; a
quadratic one near 4. The shapes are the worst ones found while making the
segmenter linear (issue #7):

* ``seed-one-line``   the seed document with its line breaks removed
* ``unclosed-quotes`` ``“宁波。`` repeated: every quote opens, none closes
* ``paren-chain``     ``(x)(x)…(x)人``: each pair becomes full-width only
                      after its right neighbour did
* ``broken-blocks``   60-character body blocks without a sentence end, one
                      paragraph broken by a page break at every block
* ``many-lines``      one paragraph of short lines

Then it times ``pipeline extract`` (segmentation, template, merge, two
catalog writes) on a 1 MB line of distinct sentences.

    /work/venv-dev/bin/python benchmarks/reliability_long_line.py [--max-mb 2]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import main
from pipeline.segment import segment_document

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_a24ceba1f548592f.txt"
BROKEN = "宁波推进新型工业化的冲锋号已经吹响，并不断演进升级，而另一条隐藏的发展暗线是核心科技对工业化起到推动作用，这一点毋庸置疑"


def shapes() -> dict[str, str]:
    """One repeating unit of each shape."""
    return {
        "seed-one-line": "".join(SEED.read_text(encoding="utf-8").split()),
        "unclosed-quotes": "“宁波。",
        "paren-chain": "(x)",
        "broken-blocks": BROKEN + "\n\n",
        "many-lines": "宁波推进新型工业化。\n",
    }


def text_of(shape: str, unit: str, size: int) -> str:
    repeats = max(1, size // len(unit.encode("utf-8")))
    text = unit * repeats
    if shape == "paren-chain":
        text += "人"
    if shape == "broken-blocks":
        text = "正文开始。\n\n" + text + "结束。\n"
    return text


def best_of(runs: int, func) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - started)
    return best


def main_(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-mb", type=float, default=2.0, help="largest size, in MB of UTF-8 (default 2)")
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs (default 3)")
    args = parser.parse_args(argv)

    sizes = []
    size = 125_000
    while size <= args.max_mb * 1_000_000:
        sizes.append(size)
        size *= 2
    print(f"{'shape':<16} {'MB':>6} {'chars':>9} {'seconds':>8} {'Mchar/s':>8} {'x prev':>7}")
    for shape, unit in shapes().items():
        previous = None
        for size in sizes:
            text = text_of(shape, unit, size)
            seconds = best_of(args.runs, lambda text=text: segment_document("bench", text))
            ratio = f"{seconds / previous:7.2f}" if previous else f"{'':>7}"
            print(f"{shape:<16} {len(text.encode()) / 1e6:6.2f} {len(text):9d} {seconds:8.3f} {len(text) / seconds / 1e6:8.2f} {ratio}")
            previous = seconds

    sentences, size = [], 0
    while size < 1_000_000:
        sentence = f"第{len(sentences)}段：甬江实验室不负众望，不到三年时间，就已取得累累硕果，正朝着“高起点、高层次、高水平”实验室坚实迈进。"
        sentences.append(sentence)
        size += len(sentence.encode())
    root = Path(tempfile.mkdtemp(prefix="bench-long-line-"))
    try:
        (root / "seeds").mkdir()
        (root / "seeds" / "long.txt").write_text("".join(sentences), encoding="utf-8")
        started = time.perf_counter()
        result = CliRunner().invoke(main, ["extract", "-w", str(root)])
        seconds = time.perf_counter() - started
        assert result.exit_code == 0, result.output
        print(f"\npipeline extract, one 1.00 MB line, {len(sentences)} sentences: {seconds:.2f}s")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main_()
