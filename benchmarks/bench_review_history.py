"""What the review history costs: a review decision (catalog + history
transaction, gate checks) with a short and with a long history, reading a
long history, and translate's drafts with their history lines.

    python -m benchmarks.bench_review_history [--lines 40000] [--decisions 20]

Works on a copy of the seed document in a temporary workspace, with the
tests' fake engine (no model).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _workspace(root: Path):
    from click.testing import CliRunner

    from pipeline.cli import main
    from pipeline.workspace import Workspace

    (root / "seeds").mkdir(parents=True)
    seed = next((REPO / "seeds").glob("*.txt"))
    shutil.copy(seed, root / "seeds")
    assert CliRunner().invoke(main, ["extract", "-w", str(root)]).exit_code == 0
    return Workspace(root)


def run(lines: int, decisions: int) -> dict[str, float]:
    from pipeline.catalog.history import history_path, read_history
    from pipeline.review.session import ReviewSession
    from pipeline.translate import translate_documents
    from tests.support.fake_engine import FakeEngine

    figures = {}
    for label, extra in (("short", 0), ("long", lines)):
        with tempfile.TemporaryDirectory() as tmp:
            ws = _workspace(Path(tmp) / "ws")
            doc = ws.documents()[0]
            start = time.perf_counter()
            translate_documents(ws, [doc], FakeEngine, flush_seconds=0)
            figures[f"translate_{label}_s"] = time.perf_counter() - start
            records = read_history(ws, doc)
            with open(history_path(ws, doc), "a", encoding="utf-8") as fh:
                for i in range(extra // 2):  # an intent and its commit per decision
                    record = records[i % len(records)]
                    intent = {**record.as_json(), "id": f"bench{i}", "phase": "intent"}
                    fh.write(json.dumps(intent, ensure_ascii=False, separators=(",", ":")) + "\n")
                    fh.write(json.dumps({"v": 1, "id": f"bench{i}", "phase": "commit"}, separators=(",", ":")) + "\n")
            start = time.perf_counter()
            count = len(read_history(ws, doc))
            figures[f"read_history_{label}_s"] = time.perf_counter() - start
            figures[f"history_{label}_records"] = count
            session = ReviewSession(ws, doc, "Bench")
            ids = [m.id for m in session.messages()][:decisions]
            start = time.perf_counter()
            for msgid in ids:
                session.accept(msgid, "Plain words here.", override="benchmark")
            figures[f"decision_{label}_ms"] = (time.perf_counter() - start) / len(ids) * 1000
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=40000, help="lines of the long history")
    parser.add_argument("--decisions", type=int, default=20)
    args = parser.parse_args()
    for name, value in run(args.lines, args.decisions).items():
        print(f"{name:28} {value:10.3f}" if isinstance(value, float) else f"{name:28} {value:10d}")


if __name__ == "__main__":
    main()
