"""The translation engine interface, the same for every engine.

An engine turns a list of source segments into drafts, each stamped with
the engine's signature (engine, model and its version, the settings that
change drafts), like a sacrebleu signature: a draft says exactly what made
it, and a different signature is a different engine for the caches.
Engines wrap one another (translation memory before MT, term protection
around it) through this one interface; whoever protects spans (termbase
terms, inline placeholders) tells the engine it wraps what its
placeholders look like through :meth:`Engine.protect_placeholders`.

What engines share besides the interface: the decoding settings every
engine is made with (:class:`.settings.DecodingSettings`: threads, beam,
batch size, output cap), batch planning (:mod:`.batching`), and the
registry by name (:data:`pipeline.engines.ENGINES`). Nothing here knows a
particular engine.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .settings import DecodingSettings

__all__ = ["DecodingSettings", "Draft", "Engine", "Signature"]


@dataclass(frozen=True)
class Signature:
    engine: str
    model: str
    version: str
    settings: tuple[tuple[str, str], ...] = field(default=())

    def __str__(self) -> str:
        """``ENGINE:MODEL@VERSION;key=value;...`` (e.g.
        ``ct2:opus-mt-zh-en@3679ec9546d5;beam=4;...``) — one word, so that PO
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
        a placeholder its decoder dropped does so (the CTranslate2 engines,
        by attention) and returns True. By default placeholders go through as
        text, and the caller puts back the ones that are lost."""
        return False

    def follow_termbase(self, termbase) -> bool:
        """The termbase hook. An engine that can be told a termbase and
        follow it itself (the ``openai`` engine puts the entries that occur
        in a request into its prompt) takes ``termbase`` and returns True;
        its drafts' signature then counts the terms. By default it returns
        False, and the caller protects the terms with placeholders
        (:class:`pipeline.terms.protect.TermProtectingEngine`)."""
        return False

    def translate(self, segments: Sequence[str]) -> list[Draft]:
        """Translate ``segments``; drafts come back in input order."""
        out: list[Draft | None] = [None] * len(segments)
        for indices, drafts in self.translate_batches(segments):
            for i, draft in zip(indices, drafts, strict=True):
                out[i] = draft
        return out  # type: ignore[return-value]
