"""What formatted sources cost (issue 15): extract and build of a large HTML page.

Not a test: prints, for a generated news page of about 1 MB and one of
about 2 MB (a ratio near 2 is linear), the seconds to

* read it (decode, parse, segment: ``load_document``),
* extract it (``pipeline extract``: read, template, catalog, written),
* build it (``pipeline build``: read again, every segment translated into
  English with its tags, ``.en.html`` and the plain editions written).

The page is the seed's sentences over and over, in paragraphs with links,
bold, footnote marks and images inside sentences, under a navigation bar,
scripts and styles, so that about a third of the segments carry tags.

    .venv/bin/python benchmarks/bench_formats.py
"""

from __future__ import annotations

import random
import re
import shutil
import sys
import tempfile
import time
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.build import build  # noqa: E402
from pipeline.catalog import load_catalog, save_catalog  # noqa: E402
from pipeline.extract import extract  # noqa: E402
from pipeline.formats import load_document  # noqa: E402
from pipeline.segment import segment_document  # noqa: E402
from pipeline.workspace import Workspace  # noqa: E402

SEED = ROOT / "seeds" / "000_a24ceba1f548592f.txt"
HAN_RUN = re.compile(r"[\u3400-\u9fff]+")


def sentences() -> list[str]:
    doc = segment_document("seed", SEED.read_text(encoding="utf-8"))
    return [seg.text for _, seg in doc.segments() if seg.translatable and len(seg.text) > 8]


def page(megabytes: float, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    pool = sentences()
    head = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        "<title>新型工业化，宁波底气何来</title>\n"
        '<meta name="description" content="宁波出台行动纲要。">\n'
        "<style>.article p { text-indent: 2em; }</style>\n"
        '<script>var title = "新型工业化"; document.write("<p>手机版</p>");</script>\n</head>\n<body>\n'
        '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/news/">新闻</a></li></ul>\n'
        '<div class="article">\n<h1>新型工业化，宁波底气何来</h1>\n<p class="byline">记者 程良田</p>\n'
    )
    parts, size, n = [head], len(head.encode()), 0
    while size < megabytes * 1e6:
        n += 1
        picked = [escape(s, quote=False) for s in rng.sample(pool, 4)]
        k = rng.randrange(4)
        words = picked[k]
        cut = rng.randrange(1, max(2, len(words) - 2))
        kind = rng.randrange(4)
        if kind == 0:
            picked[k] = f'{words[:cut]}<a href="/n/{n}.html">{words[cut : cut + 4]}</a>{words[cut + 4 :]}'
        elif kind == 1:
            picked[k] = f"{words[:cut]}<strong>{words[cut : cut + 3]}</strong>{words[cut + 3 :]}"
        elif kind == 2:
            picked[k] = f'{words}<sup><a href="#n{n}">[{n}]</a></sup>'
        else:
            picked[k] = f'{words[:cut]}<img src="/i/{n}.png" alt="图片{n}">{words[cut:]}'
        block = f"<p>{''.join(picked)}</p>\n"
        if n % 25 == 0:
            block += (
                f'<figure><img src="/p/{n}.jpg" alt="甬江实验室">'
                "<figcaption>甬江实验室外景。（严龙 摄）</figcaption></figure>\n"
            )
        parts.append(block)
        size += len(block.encode())
    parts.append('</div>\n<script src="/js/stat.js"></script>\n</body>\n</html>\n')
    return "".join(parts).encode("utf-8")


def english(msgid: str) -> str:
    """A stand-in translation that keeps the tags: every Han run a word."""
    return HAN_RUN.sub(lambda m: "word" * max(1, len(m.group(0)) // 4), msgid)


def measure(data: bytes) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="bench-formats-"))
    try:
        (root / "seeds").mkdir()
        source = root / "seeds" / "page.html"
        source.write_bytes(data)
        ws = Workspace(root)
        start, cpu = time.perf_counter(), time.process_time()
        document = load_document(source, "page.html", name="page")
        read_s, read_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        extract(ws, source)
        extract_s, extract_cpu = time.perf_counter() - start, time.process_time() - cpu
        po = ws.catalog_path("page")
        catalog = load_catalog(po)
        for message in catalog:
            if message.id:
                message.string = english(message.id)
        save_catalog(po, catalog)
        start, cpu = time.perf_counter(), time.process_time()
        build(ws, "page", root / "build")
        build_s, build_cpu = time.perf_counter() - start, time.process_time() - cpu
        segments = sum(1 for _ in document.segments())
        tagged = sum(1 for _, seg in document.segments() if seg.codes)
        return {
            "MB": len(data) / 1e6,
            "segments": segments,
            "tagged": tagged,
            "read": read_s,
            "extract": extract_s,
            "build": build_s,
            "read cpu": read_cpu,
            "extract cpu": extract_cpu,
            "build cpu": build_cpu,
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    print(f"{'MB':>5} {'segments':>9} {'tagged':>7} {'read s (cpu)':>13} {'extract s (cpu)':>16} {'build s (cpu)':>14}")
    results = [measure(page(mb)) for mb in (1, 2)]
    for r in results:
        cells = [f"{r[k]:.2f} ({r[k + ' cpu']:.2f})" for k in ("read", "extract", "build")]
        print(f"{r['MB']:>5.2f} {r['segments']:>9} {r['tagged']:>7} {cells[0]:>13} {cells[1]:>16} {cells[2]:>14}")
    a, b = results
    ratios = ", ".join(f"{k} {b[k + ' cpu'] / a[k + ' cpu']:.2f}" for k in ("read", "extract", "build"))
    print(f"CPU time, 2 MB / 1 MB: {ratios}")


if __name__ == "__main__":
    main()
