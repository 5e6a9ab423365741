"""How often an HTML page in GBK and one in Big5 are told apart when their
declaration lies or is missing (pipeline/formats/html.py ``_gb_or_big5``).

Not a test: for every Chinese line of the development corpus (data the
rule was not tuned on), line by line and in paragraphs of five lines:

* GBK bytes that Big5 decodes too, declared Big5: how many are still read
  as Big5 (wrong);
* Big5 bytes (the line's characters that Big5 has, when it has any)
  that GB18030 decodes too, declared GB2312 or not declared: how many are
  read as GB18030 (wrong).

    .venv/bin/python -m benchmarks.bench_html_encoding
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.measure import CORPUS_SETS, read_corpus, require_corpus  # noqa: E402
from pipeline.formats.html import _BIG5, _gb_or_big5  # noqa: E402


def main() -> None:
    require_corpus()
    lines = [zh for name in CORPUS_SETS for zh, _ in read_corpus(name) if zh.strip()]
    print(f"{len(lines):,} Chinese lines (dev corpus)")
    print("| text | GBK Big5 decodes | read as Big5 (wrong) | Big5 GB18030 decodes | read as GB18030 (wrong) |")
    print("|---|---|---|---|---|")
    for size in (1, 5):
        texts = ["".join(lines[i : i + size]) for i in range(0, len(lines), size)]
        gbk_ambiguous = gbk_wrong = big5_ambiguous = big5_wrong = 0
        for text in texts:
            data = text.encode("gb18030")
            try:
                data.decode(_BIG5)
            except UnicodeDecodeError:
                pass
            else:
                gbk_ambiguous += 1
                gbk_wrong += _gb_or_big5(data, prefer=_BIG5)[1] != "gb18030"
            big5 = text.encode(_BIG5, errors="ignore")
            if big5.isascii():
                continue  # nothing Big5 has: nothing to tell apart
            try:
                big5.decode("gb18030")
            except UnicodeDecodeError:
                continue
            big5_ambiguous += 1
            big5_wrong += _gb_or_big5(big5, prefer="gb18030")[1] != _BIG5
        label = "a line" if size == 1 else f"{size} lines"
        print(f"| {label} | {gbk_ambiguous:,} of {len(texts):,} | {gbk_wrong} | {big5_ambiguous:,} | {big5_wrong} |")


if __name__ == "__main__":
    main()
