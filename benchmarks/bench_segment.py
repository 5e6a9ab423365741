"""Page-break repair and speaker labels on news the segmenter was not written for.

Not a test: it prints figures. The development corpus
(``../shared/corpora/wmt-news-dev/``, ``zh<TAB>en``, one sentence or headline
per line, lines shuffled) becomes pseudo-documents, one line per paragraph
(blank-line separated), and the real segmenter (``segment_document``) cuts
them. Consecutive lines come from different articles, so

* every page-break join is false: no line continues the one above it;
* every speaker label is false: no line is an interview turn.

For each corpus file it prints the joins made, the blocks typed as
interview turns (``qa-turn``, with a speaker label), the block-type
distribution and a few examples. Joins are counted independently of the
segmenter's own records: raw blank-line separated blocks in, blocks out.
Then it checks the seed: its five page-break joins and its caption move.

The rules were tuned on newstest2018 only; newstest2019 is the held-out
check.

    .venv/bin/python -m benchmarks.bench_segment [--doc-lines N] [--show 10] [--no-repair]

``--doc-lines N`` cuts each file into documents of N lines (default: one
document per file, the harshest: a label that recurs anywhere in the file
recurs in the document).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from dataclasses import dataclass, field

from benchmarks.measure import CORPUS, read_corpus, require_corpus, stopwatch
from benchmarks.measure import CORPUS_SETS as FILES
from benchmarks.measure import SEED_DOCUMENT as SEED
from pipeline.segment import BlockType, Part, segment_document

_BLANK = re.compile(r"\n[ \t\u3000]*\n")


def corpus_lines(name: str) -> list[str]:
    """The Chinese side of a corpus file, one non-empty line per item."""
    return [zh.strip() for zh, _ in read_corpus(name, CORPUS) if zh.strip()]


@dataclass
class Figures:
    lines: int = 0
    documents: int = 0
    joins: int = 0
    qa_turns: int = 0
    speaker_labels: int = 0
    types: Counter = field(default_factory=Counter)
    join_examples: list[str] = field(default_factory=list)
    label_examples: list[str] = field(default_factory=list)
    seconds: float = 0.0


def measure(lines: list[str], doc_lines: int | None = None, repair: bool = True) -> Figures:
    """Segment ``lines`` as pseudo-documents (one line per paragraph)."""
    figures = Figures(lines=len(lines))
    step = doc_lines or len(lines) or 1
    for start in range(0, len(lines), step):
        part = lines[start : start + step]
        text = "\n\n".join(part) + "\n"
        with stopwatch() as span:
            document = segment_document(f"dev{start}", text, repair=repair)
        figures.seconds += span.wall
        figures.documents += 1
        raw = [chunk for chunk in _BLANK.split(text) if chunk.strip()]
        figures.joins += len(raw) - len(document.blocks)
        for block in document.blocks:
            figures.types[block.type.value] += 1
            if len(block.lines) > 1:
                figures.join_examples.append(" ‖ ".join(line.text for line in block.lines))
            if block.type is BlockType.QA_TURN:
                figures.qa_turns += 1
            for seg in block.segments:
                if seg.part is Part.SPEAKER_LABEL:
                    figures.speaker_labels += 1
                    figures.label_examples.append(block.text[:40])
    return figures


def seed_figures(repair: bool = True) -> tuple[int, bool]:
    """The seed's joins (raw blocks in, blocks out) and whether the caption
    printed inside a broken sentence moved after the joined paragraph."""
    text = SEED.read_text(encoding="utf-8")
    document = segment_document(SEED.stem, text, repair=repair)
    raw = [chunk for chunk in _BLANK.split(text) if chunk.strip()]
    texts = [b.text for b in document.blocks]
    joined = next((i for i, t in enumerate(texts) if "推进新型工业化，宁波提出" in t), None)
    moved = joined is not None and "超算中心" in texts[joined + 1] and "超算中心" not in texts[joined]
    return len(raw) - len(document.blocks), moved


def report(name: str, role: str, figures: Figures, show: int) -> None:
    print(
        f"{name} ({role}): {figures.lines} lines in {figures.documents} document(s), "
        f"segmented in {figures.seconds:.2f} s"
    )
    print(f"  joins made (all false):         {figures.joins}")
    print(f"  qa-turn blocks (all false):     {figures.qa_turns}  ({figures.speaker_labels} speaker labels)")
    kinds = ", ".join(f"{kind} {n}" for kind, n in figures.types.most_common())
    print(f"  block types:                    {kinds}")
    for example in figures.join_examples[:show]:
        print(f"    join: {example[-90:]}")
    for example in figures.label_examples[:show]:
        print(f"    label: {example}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--doc-lines", type=int, default=None, help="lines per pseudo-document (default: a whole file)")
    parser.add_argument("--show", type=int, default=5, help="examples of joins and labels to print")
    parser.add_argument("--no-repair", dest="repair", action="store_false", help="segment without page-break repair")
    args = parser.parse_args()
    require_corpus(CORPUS)
    for name, role in FILES.items():
        report(name, role, measure(corpus_lines(name), args.doc_lines, args.repair), args.show)
    joins, moved = seed_figures(args.repair)
    print(f"seed: {joins} joins (5 expected), caption moved after its paragraph: {'yes' if moved else 'no'}")


if __name__ == "__main__":
    main()
