"""Fixtures for the terminology tests: the tiny Argos model (from the
engine tests), a small termbase with the seed's names, and fake engines
that garble everything except placeholders."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import pytest

from pipeline.engines.base import Draft, Engine, Signature
from pipeline.terms.termbase import Term, Termbase
from tests.engines.conftest import no_network as no_network
from tests.engines.conftest import tiny_model as tiny_model

#: Exactly the placeholders term protection writes.
SOURCE_PLACEHOLDER = re.compile(r"XT\d+X")
#: Anything that looks like placeholder debris in a draft (stricter than
#: term protection's own patterns: XT even inside a word counts).
DEBRIS = re.compile(r"X\s?T|T\s?\d+\s?X|xt\d|\dx\b|[\ue000-\uf8ff]")


@pytest.fixture
def seed_termbase() -> Termbase:
    return Termbase(
        [
            Term("崔平", "Cui Ping", "person", "Director of Yongjiang Laboratory"),
            Term("甬江实验室", "Yongjiang Laboratory", "organisation"),
            Term("彭佳学", "Peng Jiaxue", "person"),
            Term("宁波", "Ningbo", "place"),
            Term("新型工业化", "new industrialisation", "term"),
            Term("主任", "director", "title"),
        ]
    )


def garble(text: str) -> str:
    """Reversed, with every character turned into a made-up word: nothing
    of the source, and nothing that looks like a term's English, survives."""
    return " ".join(f"g{ord(ch):x}" for ch in reversed(text) if not ch.isspace())


class ScramblingEngine(Engine):
    """Garbles each segment but passes its placeholders through, in order.

    ``mode`` says what happens to the placeholders on the way:
    ``copy`` (kept), ``drop`` (all lost), ``drop-first`` (the first lost),
    ``repeat`` (each twice), ``spaced`` (``XT 0 X``), ``lower`` (``xt0x``),
    ``glued`` (stuck to the words around them), ``debris`` (kept, plus
    fragments ``XT``, ``T7X`` and a dangling ``XT1``), ``reverse`` (kept, in
    reverse order)."""

    def __init__(self, mode: str = "copy", batch: int = 3):
        self.mode = mode
        self.batch = batch
        self.seen: list[str] = []

    def signature(self) -> Signature:
        return Signature("scramble", f"fake-{self.mode}", "0", (("batch", str(self.batch)),))

    def render(self, segment: str) -> str:
        words = [garble(part) for part in SOURCE_PLACEHOLDER.split(segment)]
        tokens = SOURCE_PLACEHOLDER.findall(segment)
        if self.mode == "reverse":
            tokens.reverse()
        out = [words[0]]
        for n, (token, word) in enumerate(zip(tokens, words[1:], strict=True)):
            if self.mode in ("drop",) or (self.mode == "drop-first" and n == 0):
                token = ""
            elif self.mode == "repeat":
                token = f"{token} {token}"
            elif self.mode == "spaced":
                token = " ".join([token[:1], token[1:2], token[2:-1], token[-1:]])
            elif self.mode == "lower":
                token = token.lower()
            elif self.mode == "debris":
                token = f"XT {token} T7X"
            if self.mode == "glued":
                out[-1] += token
                out.append(word)
            else:
                out += [token, word]
        if self.mode == "debris" and tokens:
            out.append("XT1")
        return " ".join(w for w in out if w) + "."

    def translate_batches(self, segments: Sequence[str]) -> Iterator[tuple[list[int], list[Draft]]]:
        signature = self.signature()
        self.seen.extend(segments)
        for start in range(0, len(segments), self.batch):
            indices = list(range(start, min(start + self.batch, len(segments))))
            yield indices, [Draft(self.render(segments[i]), signature) for i in indices]
