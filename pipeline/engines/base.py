"""The translation engine interface.

An engine turns a list of source segments into drafts, each stamped with
the engine's signature (engine, model package and version, decoding
settings), like a sacrebleu signature: a draft says exactly what made it.
Engines wrap one another (translation memory before MT, term protection
around it) through this one interface; term protection tells the engine
it wraps what its placeholders look like through
:meth:`Engine.protect_placeholders`. What engines share besides the
interface: decoding settings (:mod:`.settings`) and batch planning
(:mod:`.batching`).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Signature:
    engine: str
    model: str
    version: str
    settings: tuple[tuple[str, str], ...] = field(default=())

    def __str__(self) -> str:
        """``argos:translate-zh_en@1.9;beam=4;...`` — one word, so that PO
        writers, which wrap comments at spaces, keep it on one line."""
        fields = [f"{self.engine}:{self.model}@{self.version}", *(f"{k}={v}" for k, v in self.settings)]
        return ";".join(re.sub(r"\s+", "_", f) for f in fields)


@dataclass(frozen=True)
class Draft:
    text: str
    signature: Signature
    #: What a reviewer should know about this draft, one line each (e.g. term
    #: protection could not tell where a term goes and put it at the end).
    notes: tuple[str, ...] = ()


class Engine(ABC):
    """Translates segments that our segmenter has already cut into sentences."""

    @abstractmethod
    def signature(self) -> Signature:
        """What this engine stamps on its drafts."""

    @abstractmethod
    def translate_batches(self, segments: Sequence[str]) -> Iterator[tuple[list[int], list[Draft]]]:
        """Translate ``segments``, yielding ``(indices, drafts)`` as batches finish,
        in any order. Each index refers to ``segments``."""

    def protect_placeholders(self, pattern: re.Pattern) -> bool:
        """The protected-span hook. Segments given to this engine from now on
        may hold placeholders that match ``pattern`` (group 1: the
        placeholder's number), each standing for a span that must come out
        exactly once (term protection's ``XT0X``). An engine that can put back
        a placeholder its decoder dropped does so (the Argos engine, by
        attention) and returns True. By default placeholders go through as
        text, and the caller puts back the ones that are lost."""
        return False

    def translate(self, segments: Sequence[str]) -> list[Draft]:
        """Translate ``segments``; drafts come back in input order."""
        out: list[Draft | None] = [None] * len(segments)
        for indices, drafts in self.translate_batches(segments):
            for i, draft in zip(indices, drafts, strict=True):
                out[i] = draft
        return out  # type: ignore[return-value]
