"""A fake engine for fast tests. Its output is obviously not a translation."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Sequence

from pipeline.engines.base import Draft, Engine, Signature


class FakeEngine(Engine):
    """Returns ``fake-en <crc>`` per segment, in batches of ``batch`` segments.

    ``calls`` records every batch it was asked for; ``after_batch`` runs
    after each batch (to edit files or raise mid-run in tests).
    """

    def __init__(self, batch: int = 8, after_batch: Callable[[int], None] | None = None):
        self.batch = batch
        self.after_batch = after_batch
        self.calls: list[list[str]] = []

    def signature(self) -> Signature:
        return Signature("fake", "fake-zh_en", "0", (("batch", str(self.batch)),))

    @staticmethod
    def render(text: str) -> str:
        return f"fake-en {zlib.crc32(text.encode()):08x}"

    def translate_batches(self, segments: Sequence[str]) -> Iterator[tuple[list[int], list[Draft]]]:
        sig = self.signature()
        for n, start in enumerate(range(0, len(segments), self.batch)):
            indices = list(range(start, min(start + self.batch, len(segments))))
            self.calls.append([segments[i] for i in indices])
            yield indices, [Draft(self.render(segments[i]), sig) for i in indices]
            if self.after_batch:
                self.after_batch(n)
