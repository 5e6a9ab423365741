"""How long the PO writer takes to wrap one enormous string (issue 13).

Not a test: prints, for a 1 MB line of Han characters, of English words and
of mixed Chinese and English with escapes, the time ``wrap_string`` takes
(gettext's rule, pipeline/catalog/linebreak.py) and the time for a line of
twice the size (a ratio near 2 is linear).

    .venv/bin/python benchmarks/bench_po_writer.py
"""

from __future__ import annotations

import random
import time

from pipeline.catalog.pofile import wrap_string


def shapes(mb: float) -> dict[str, str]:
    rng = random.Random(1)
    out = {}
    han = []
    while len("".join(han).encode()) < mb * 1e6:
        han.append("".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(1000)))
    out["han"] = "".join(han)
    words = ["Ningbo", "industrialization", "the", "of", "a", "laboratory,", "“quoted”", "(x)", "12.5%"]
    out["english"] = " ".join(rng.choice(words) for _ in range(int(mb * 130_000)))
    pieces = ["宁波", "新型工业化", "，", "。", "Ningbo ", "AI for Science", "2027", "“", "”", "\\", '"', "\t"]
    out["mixed"] = "".join(rng.choice(pieces) for _ in range(int(mb * 200_000)))
    return out


def timed(text: str) -> float:
    start = time.perf_counter()
    wrap_string(text, "msgstr")
    return time.perf_counter() - start


def main() -> None:
    one, two = shapes(1), shapes(2)
    print(f"{'shape':<8} {'MB':>5} {'seconds':>8} {'2x MB':>6} {'seconds':>8} {'ratio':>6}")
    for name in one:
        a, b = timed(one[name]), timed(two[name])
        size_a, size_b = len(one[name].encode()) / 1e6, len(two[name].encode()) / 1e6
        print(f"{name:<8} {size_a:>5.2f} {a:>8.3f} {size_b:>6.2f} {b:>8.3f} {b / a:>6.2f}")


if __name__ == "__main__":
    main()
