"""Another program saving a catalog over and over, as Poedit does while a
translator works: run as a separate process by the concurrency tests.

    python -m tests.reliability.concurrent_writer PO MODE INTERVAL_MS STOPFILE LOG MSGID...

Each save reads the file as it is now (with polib, another PO library with
its own line wrapping), gives the next of the given entries a new reviewed
translation (``edit <k>``) and writes the file back in one of these ways:

``replace``   a temporary file renamed over the catalog (Poedit, most editors);
``recreate``  the catalog deleted, then written anew;
``inplace``   the catalog truncated and written through the same inode;
``rewrap``    as ``replace``, with a line width that changes at every save.

Saves go on until STOPFILE exists. A file that cannot be read at that
moment (half-written by someone else, or absent) is read again a moment
later; what this writer did is never undone by it (the file it reads was
written by itself or by the program under test). LOG receives, as JSON,
the number of saves and the last text given to each entry: what the
catalog must hold at the end.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import polib

WIDTHS = (40, 78, 200)


def _read(path: Path) -> polib.POFile:
    while True:
        try:
            return polib.pofile(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            time.sleep(0.001)


def _write(path: Path, data: bytes, mode: str, k: int) -> None:
    if mode in ("replace", "rewrap"):
        tmp = path.with_name(f".writer-{os.getpid()}-{k}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    elif mode == "recreate":
        path.unlink()
        time.sleep(0.0005)  # a moment without any file
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    elif mode == "inplace":
        with open(path, "wb") as fh:
            fh.write(data)
    else:
        raise SystemExit(f"unknown mode {mode}")


def main(argv: list[str]) -> None:
    path, mode, interval, stop, log, *msgids = argv
    path, stop = Path(path), Path(stop)
    expected: dict[str, str] = {}
    saves = 0
    while not stop.exists():
        po = _read(path)
        msgid = msgids[saves % len(msgids)]
        entry = po.find(msgid)
        if entry is None:
            raise SystemExit(f"{msgid!r} vanished from the catalog")
        text = f"edit {saves}"
        entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        po.wrapwidth = WIDTHS[saves % len(WIDTHS)] if mode == "rewrap" else 78
        _write(path, str(po).encode("utf-8") + b"\n", mode, saves)
        expected[msgid] = text
        saves += 1
        if saves == 1:
            Path(str(log) + ".started").write_text("1")
        time.sleep(float(interval) / 1000)
    Path(log).write_text(json.dumps({"saves": saves, "expected": expected}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
