"""What ``pipeline xliff import`` costs: a file whose every unit is a new
translation, into the seed document (85 segments) and into a synthetic
document of 2,000 segments.

    python -m benchmarks.bench_xliff_import [--units 85 2000] [--limit N]

Each size gets a fresh temporary workspace: the document is extracted,
drafted by the tests' fake engine (so the history holds the drafts), exported
with ``export_xliff``, every target replaced by a confirmed translation with
no number and no Chinese (no error-level check fires), then imported with
``import_xliff`` and timed. ``--limit N`` imports only the first N units
(for measuring a slow import without waiting for all of it); the figure
printed is per unit either way, and the whole-file time is given for the
units imported.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: Common Han characters without numerals (a number in the source fires the numbers check).
_HAN = (
    "的是在有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所"
    "民得经那现与好对开些然力理外化加都把机政实家物当其点着进问重想所本新次高资信市长样关党民意道全报社区强府"
)


def _synthetic_source(units: int, seed: int = 17) -> str:
    """``units`` distinct sentences of Han characters, one paragraph each."""
    rng = random.Random(seed)
    seen: set[str] = set()
    lines = []
    while len(lines) < units:
        sentence = "".join(rng.choice(_HAN) for _ in range(rng.randint(12, 30))) + "。"
        if sentence not in seen:
            seen.add(sentence)
            lines.append(sentence)
    return "\n\n".join(lines) + "\n"


def _workspace(root: Path, units: int):
    from click.testing import CliRunner

    from pipeline.cli import main
    from pipeline.workspace import Workspace

    (root / "seeds").mkdir(parents=True)
    if units == 85:
        shutil.copy(next((REPO / "seeds").glob("*.txt")), root / "seeds")
    else:
        (root / "seeds" / f"synthetic{units}.txt").write_text(_synthetic_source(units), encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", "-w", str(root)])
    assert result.exit_code == 0, result.output
    return Workspace(root)


def _retarget(path: Path, limit: int | None) -> int:
    """Give every unit (up to ``limit``; the others are dropped) a confirmed
    translation; returns how many units the file holds."""
    from lxml import etree

    from pipeline.xliff import XLIFF_NS

    tree = etree.parse(str(path))
    units = tree.getroot().findall(f".//{{{XLIFF_NS}}}trans-unit")
    for i, unit in enumerate(units):
        if limit is not None and i >= limit:
            unit.getparent().remove(unit)
            continue
        target = unit.find(f"{{{XLIFF_NS}}}target")
        target.clear()
        target.set("state", "translated")
        target.text = f"An outside translation, unit {'abcdefghij'[i % 10]}{'klmnopqrst'[i // 10 % 10]}."
    tree.write(str(path), xml_declaration=True, encoding="utf-8")
    return min(len(units), limit) if limit is not None else len(units)


def run(sizes: list[int], limit: int | None) -> list[dict]:
    from pipeline.translate import translate_documents
    from pipeline.xliff import export_xliff, import_xliff
    from tests.support.fake_engine import FakeEngine

    rows = []
    for units in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            ws = _workspace(Path(tmp) / "ws", units)
            doc = ws.documents()[0]
            translate_documents(ws, [doc], FakeEngine, flush_seconds=0)
            path = Path(tmp) / "back.xlf"
            export_xliff(ws, doc, path)
            count = _retarget(path, limit)
            start = time.perf_counter()
            report = import_xliff(ws, path, translator="Agency Zhang")
            seconds = time.perf_counter() - start
            rows.append(
                {
                    "segments": units,
                    "units": count,
                    "took": report.took,
                    "refused": report.refused,
                    "seconds": seconds,
                    "ms_per_unit": seconds / max(1, count) * 1000,
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=[85, 2000], help="segments of each document")
    parser.add_argument("--limit", type=int, default=None, help="import only the first N units of each file")
    args = parser.parse_args()
    for row in run(args.units, args.limit):
        print(
            f"segments {row['segments']:6d}  units {row['units']:6d}  took {row['took']:6d}  "
            f"refused {row['refused']:4d}  {row['seconds']:8.2f} s  {row['ms_per_unit']:8.1f} ms/unit"
        )


if __name__ == "__main__":
    main()
