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

``--part han-line`` (issue #11): one line of Han characters without any
punctuation, the seed's characters in the seed's order, repeated, at sizes
doubling up to ``--max-mb`` and at 1,000,000 characters. Each command runs
as its own process (``python -m pipeline``: start-up and jieba's dictionary
included), in a fresh workspace:

* ``extract``   the first extraction, no termbase
* ``+terms``    the same with the seed's termbase (glossary hits, jieba)
* ``edited``    re-extraction after one character in the middle changed,
                the entry reviewed before: the merge's fuzzy match
* ``status``, ``build``

and ``msgfmt -c`` checks the catalog of the largest size.

    .venv/bin/python -m benchmarks.reliability_long_line [--max-mb 2] [--part all|segment|han-line]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

from benchmarks.measure import REPO, best_of, measure_child, stopwatch
from benchmarks.measure import SEED_DOCUMENT as SEED
from pipeline.cli import main
from pipeline.segment import segment_document

# Several sentences stopping mid-word (毋庸置|疑): evidence of a page break.
BROKEN = (
    "疑。宁波推进新型工业化的冲锋号已经吹响，并不断演进升级，"
    "而另一条隐藏的发展暗线是核心科技对工业化起到推动作用，这一点毋庸置"
)


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


def han_line(chars: int) -> str:
    """``chars`` Han characters of the seed, in order, nothing else."""
    han = "".join(c for c in SEED.read_text(encoding="utf-8") if "\u4e00" <= c <= "\u9fff")
    return (han * (chars // len(han) + 1))[:chars]


def _timed(root: Path, *args: str) -> float:
    """Wall seconds of ``python -m pipeline ARGS -w ROOT`` in its own process."""
    done = measure_child([sys.executable, "-m", "pipeline", *args, "-w", str(root)])
    if done["rc"] != 0:
        raise SystemExit(f"pipeline {' '.join(args)} failed: {done['stderr'].strip()}")
    return done["wall"]


def han_line_table(max_mb: float) -> None:
    """Time against length for one line of Han characters (see the module docstring)."""
    from pipeline.catalog import load_catalog, save_catalog
    from pipeline.catalog.states import set_reviewed

    sizes, chars = [], 31_250
    while chars * 3 <= max_mb * 1_000_000:
        sizes.append(chars)
        chars *= 2
    sizes = sorted(set(sizes) | {1_000_000})
    checked = "not run"
    print("\none line of Han characters, no punctuation (each command a process; seconds)")
    print(f"{'chars':>9} {'MB':>5} {'extract':>8} {'+terms':>8} {'edited':>8} {'status':>8} {'build':>8} {'x prev':>7}")
    previous = None
    for chars in sizes:
        text = han_line(chars)
        row = {}
        for with_terms in (False, True):
            root = Path(tempfile.mkdtemp(prefix="bench-han-line-"))
            try:
                (root / "seeds").mkdir()
                (root / "locales").mkdir()
                if with_terms:
                    shutil.copy(REPO / "locales" / "glossary.tsv", root / "locales" / "glossary.tsv")
                source = root / "seeds" / "line.txt"
                source.write_text(text, encoding="utf-8")
                row["+terms" if with_terms else "extract"] = _timed(root, "extract")
                if with_terms:
                    continue
                po = root / "locales" / "en" / "LC_MESSAGES" / "line.po"
                catalog = load_catalog(po)
                set_reviewed(catalog[text], "A reviewed translation of the line.")
                save_catalog(po, catalog)
                source.write_text(text[: chars // 2] + "甬" + text[chars // 2 + 1 :], encoding="utf-8")
                row["edited"] = _timed(root, "extract")
                row["status"] = _timed(root, "status")
                row["build"] = _timed(root, "build")
                if chars == sizes[-1]:
                    check = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)], capture_output=True, text=True)
                    checked = "ok" if check.returncode == 0 else check.stderr.strip()
            finally:
                shutil.rmtree(root, ignore_errors=True)
        ratio = f"{row['extract'] / previous:7.2f}" if previous else f"{'':>7}"
        print(
            f"{chars:>9,} {chars * 3 / 1e6:5.2f} "
            + " ".join(f"{row[k]:8.2f}" for k in ("extract", "+terms", "edited", "status", "build"))
            + f" {ratio}"
        )
        previous = row["extract"]
    print(f"msgfmt -c on the catalog of {sizes[-1]:,} characters: {checked}")


def main_(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-mb", type=float, default=2.0, help="largest size, in MB of UTF-8 (default 2)")
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs (default 3)")
    parser.add_argument("--part", choices=("all", "segment", "han-line"), default="all")
    args = parser.parse_args(argv)
    if args.part in ("all", "han-line"):
        han_line_table(args.max_mb)
    if args.part == "han-line":
        return

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
            print(
                f"{shape:<16} {len(text.encode()) / 1e6:6.2f} {len(text):9d} {seconds:8.3f} "
                f"{len(text) / seconds / 1e6:8.2f} {ratio}"
            )
            previous = seconds

    sentences, size = [], 0
    while size < 1_000_000:
        sentence = (
            f"第{len(sentences)}段：甬江实验室不负众望，不到三年时间，就已取得累累硕果，"
            "正朝着“高起点、高层次、高水平”实验室坚实迈进。"
        )
        sentences.append(sentence)
        size += len(sentence.encode())
    root = Path(tempfile.mkdtemp(prefix="bench-long-line-"))
    try:
        (root / "seeds").mkdir()
        (root / "seeds" / "long.txt").write_text("".join(sentences), encoding="utf-8")
        with stopwatch() as extract:
            result = CliRunner().invoke(main, ["extract", "-w", str(root)])
        assert result.exit_code == 0, result.output
        print(f"\npipeline extract, one 1.00 MB line, {len(sentences)} sentences: {extract.wall:.2f}s")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main_()
