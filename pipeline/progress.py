"""Progress on stderr: count, rate and time remaining."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """``37/112 segments  4.2 seg/s  ETA 0:00:18`` — redrawn in place on a
    terminal, a line every ``every`` seconds elsewhere (logs, CI)."""

    def __init__(self, total: int, unit: str = "segments", stream: TextIO | None = None, every: float = 10.0):
        self.total = total
        self.unit = unit
        self.stream = stream or sys.stderr
        self.done = 0
        self.start = time.monotonic()
        self.every = every
        self._last = 0.0
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.start

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    def line(self) -> str:
        rate = self.rate
        eta = _clock((self.total - self.done) / rate) if rate > 0 else "?"
        return f"{self.done}/{self.total} {self.unit}  {rate:.1f} seg/s  ETA {eta}"

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.tty:
            self.stream.write("\r" + self.line() + "\x1b[K")
            self.stream.flush()
        elif now - self._last >= self.every or self.done == self.total:
            self.stream.write(self.line() + "\n")
            self.stream.flush()
            self._last = now

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
