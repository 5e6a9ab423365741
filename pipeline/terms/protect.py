"""Term protection during machine translation, and glossary hits.

``TermProtectingEngine`` wraps a translation engine. Before machine
translation every termbase term in a segment is replaced by a placeholder
(``XT0X``, ``XT1X``, … one per occurrence), so that the engine cannot mangle
崔平 or 甬江实验室; afterwards each placeholder is replaced by the term's
English form. The wrapper is invisible in the catalog:

* every protected span comes out restored, exactly once: a placeholder the
  engine repeated is dropped; one it lost is put back — by the engine
  itself where it can (the Argos engine places it after the output word
  that attends most to it) and otherwise at the end of the sentence, with a
  note on the draft asking the reviewer to move it;
* no placeholder debris is ever left: partial placeholders (``XT``, ``T0X``)
  that the engine made up are removed, unless the source itself has them;
* a segment that is nothing but terms and punctuation (a speaker label such
  as 崔平：) is rendered directly (``Cui Ping:``), without the engine;
* drafts are stamped with the inner engine's signature plus ``terms=N``,
  the number of entries in the termbase that protected them.

Why ``XT0X``: a short Latin token is what NMT models copy through most
reliably (they see Latin product names and codes in Chinese text all the
time), it is a handful of SentencePiece pieces even where the vocabulary
has no piece for ``X``, and it does not occur in Chinese news text. Engines
may space or re-case it on the way out (``XT 0 X``, ``Xt0x``), so it is
found again with a tolerant pattern, :data:`PLACEHOLDER_RE`.

``glossary_hits`` lists the terms a source segment uses; the translate stage
records them on the catalog entry as translator comments
(``# term: 崔平 = Cui Ping``) with ``set_glossary_hits``, so a reviewer (and
the glossary check) sees which terms the translation must use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from babel.messages.catalog import Message

from ..catalog import annotations
from ..engines.base import Draft, Engine, Signature
from ..segment.rules import HALF_TO_FULL
from .termbase import Term, Termbase

PLACEHOLDER_FORMAT = "XT{}X"
#: A placeholder as it may come back from an engine; group 1 is its number.
PLACEHOLDER_RE = re.compile(r"X\s?T\s?(\d{1,3})\s?X", re.IGNORECASE)
#: Pieces of a placeholder: XT, XT0, T0X (and spaced forms). Only upper case:
#: an engine keeps the case of what it copies, and English has no such words.
FRAGMENT_RE = re.compile(r"(?<![A-Za-z0-9])(?:X\s?T(?:\s?\d{1,3})?|T\s?\d{1,3}\s?X)(?![A-Za-z0-9])")


#: Half-width forms of the full-width punctuation a term-only segment may
#: carry (崔平： → Cui Ping:), from the segmenter's own table.
_HALF_WIDTH = {full: half for half, full in HALF_TO_FULL.items()}
_TERM_ONLY_FILLER = re.compile(rf"[\s{re.escape(''.join(HALF_TO_FULL) + ''.join(HALF_TO_FULL.values()))}]*")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_TRAILING_PUNCT = re.compile(r"[.!?;:…\"'”’)\]]+$")
_SENTINEL_BASE = 0xE000  # private-use characters stand for restored terms while the text is cleaned
MAX_PLACEHOLDERS = 1000  # numbers of up to three digits
_SENTINEL_RE = re.compile(f"[{chr(_SENTINEL_BASE)}-{chr(_SENTINEL_BASE + MAX_PLACEHOLDERS - 1)}]")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


# --- Glossary hits ----------------------------------------------------------------


def glossary_hits(source: str, termbase: Termbase) -> list[Term]:
    """The termbase terms that ``source`` uses, each once, in text order
    (longest match first: 甬江实验室, not 实验室)."""
    seen: dict[str, Term] = {}
    for _, _, term in termbase.matches(source):
        seen.setdefault(term.zh, term)
    return list(seen.values())


def set_glossary_hits(message: Message, terms: Sequence[Term]) -> None:
    """Record ``terms`` on ``message`` as ``# term:`` translator comments
    (:mod:`pipeline.catalog.annotations`), replacing the ones recorded before."""
    annotations.set_terms(message, [(t.zh, t.en) for t in terms])


def glossary_hits_of(message: Message) -> list[tuple[str, str]]:
    """The ``(zh, en)`` pairs recorded on ``message`` by :func:`set_glossary_hits`."""
    return annotations.terms_of(message)


# --- Protecting and restoring ----------------------------------------------------


@dataclass(frozen=True)
class ProtectedSegment:
    """A segment prepared for the engine.

    ``masked`` has a placeholder for each term occurrence in ``terms``
    (placeholder ``i`` stands for ``terms[i]``); ``direct`` is the finished
    English of a segment made only of terms and punctuation."""

    source: str
    masked: str
    terms: tuple[Term, ...] = ()
    direct: str | None = None


def protect(source: str, termbase: Termbase) -> ProtectedSegment:
    """Replace the termbase terms in ``source`` by numbered placeholders."""
    matches = termbase.matches(source)[:MAX_PLACEHOLDERS]
    # A source that already has a placeholder would be ambiguous: leave it alone.
    # (Placeholder fragments in the source are fine: restore() keeps what the source has.)
    if not matches or PLACEHOLDER_RE.search(source):
        return ProtectedSegment(source, source)
    pieces, position = [], 0
    for number, (start, end, _) in enumerate(matches):
        pieces += [source[position:start], PLACEHOLDER_FORMAT.format(number)]
        position = end
    pieces.append(source[position:])
    terms = tuple(term for _, _, term in matches)
    gaps = pieces[0::2]
    direct = None
    if all(_TERM_ONLY_FILLER.fullmatch(gap) for gap in gaps):
        direct = _render_term_only(gaps, terms)
    return ProtectedSegment(source, "".join(pieces), terms, direct)


def _render_term_only(gaps: list[str], terms: tuple[Term, ...]) -> str:
    """崔平： → ``Cui Ping:``, 崔平，彭佳学 → ``Cui Ping, Peng Jiaxue``."""
    out = ""
    for i, gap in enumerate(gaps):
        out += "".join(_HALF_WIDTH.get(ch, ch) for ch in gap if not ch.isspace())
        if i < len(terms):
            out += (" " if out else "") + terms[i].en
    return _tidy(out)


def _tidy(text: str) -> str:
    """Single spaces, none before punctuation."""
    return _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(text.split()))


def _between_words(match: re.Match) -> bool:
    """Whether alphanumeric text touches ``match`` on both sides."""
    text = match.string
    return (
        0 < match.start()
        and match.end() < len(text)
        and text[match.start() - 1].isalnum()
        and text[match.end()].isalnum()
    )


def restore(segment: ProtectedSegment, output: str) -> tuple[str, list[Term]]:
    """The engine's ``output`` with every placeholder replaced by its term's
    English, exactly once, and no placeholder debris; also the terms whose
    placeholder was missing, which were put at the end of the sentence."""
    if not segment.terms:
        return output, []
    english = [t.en for t in segment.terms]
    # While the text is cleaned, a private-use character stands for each restored term.
    text = _PRIVATE_USE.sub("", output)
    restored: set[int] = set()

    def mark(match: re.Match) -> str:
        number = int(match.group(1))
        if number < len(english) and number not in restored:
            restored.add(number)
            return chr(_SENTINEL_BASE + number)
        return " " if _between_words(match) else ""  # a repeated or unknown placeholder

    def drop_fragment(match: re.Match) -> str:
        if match.group(0) in segment.source:
            return match.group(0)
        return " " if _between_words(match) else ""

    text = PLACEHOLDER_RE.sub(mark, text)
    text = _tidy(FRAGMENT_RE.sub(drop_fragment, text))
    missing = [i for i in range(len(english)) if i not in restored]
    if missing:
        # Before the sentence's closing punctuation: "He is busy Cui Ping."
        tail = _TRAILING_PUNCT.search(text)
        head, end = (text[: tail.start()], tail.group(0)) if tail else (text, "")
        text = " ".join([head.rstrip(), *(chr(_SENTINEL_BASE + i) for i in missing)]).lstrip() + end

    def english_of(match: re.Match) -> str:
        # A space only where a word would otherwise run on: "Director Cui Ping", "Cui Ping's".
        text, en = match.string, english[ord(match.group(0)) - _SENTINEL_BASE]
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        left = " " if before.isalnum() or before in ",;:" or _SENTINEL_RE.match(before) else ""
        right = " " if after.isalnum() else ""
        return f"{left}{en}{right}"

    text = _tidy(_SENTINEL_RE.sub(english_of, text))
    if text[:1].islower() and any(text.startswith(en) for en in english):
        text = text[0].upper() + text[1:]  # a term that opens the sentence
    return text, [segment.terms[i] for i in missing]


# --- The engine ----------------------------------------------------------------------


class TermProtectingEngine(Engine):
    """Protects termbase terms from ``inner`` (see the module docstring).

    ``inner`` is told the placeholders' pattern
    (:meth:`Engine.protect_placeholders`), so that an engine that can (the
    Argos engine) places a placeholder its decoder dropped; for any other
    engine a dropped term is put at the end of the sentence and the draft
    carries a note."""

    def __init__(self, inner: Engine, termbase: Termbase):
        self.inner = inner
        self.termbase = termbase
        inner.protect_placeholders(PLACEHOLDER_RE)

    def signature(self) -> Signature:
        inner = self.inner.signature()
        return Signature(
            inner.engine, inner.model, inner.version, (*inner.settings, ("terms", str(len(self.termbase))))
        )

    def translate_batches(self, segments: Sequence[str]) -> Iterator[tuple[list[int], list[Draft]]]:
        prepared = [protect(text, self.termbase) for text in segments]
        signature = None
        direct = [i for i, p in enumerate(prepared) if p.direct is not None]
        if direct:
            signature = self.signature()
            yield direct, [Draft(prepared[i].direct, signature) for i in direct]
        pending = [i for i, p in enumerate(prepared) if p.direct is None]
        if not pending:
            return
        for indices, drafts in self.inner.translate_batches([prepared[i].masked for i in pending]):
            signature = signature or self.signature()
            out = []
            for index, draft in zip(indices, drafts, strict=True):
                text, appended = restore(prepared[pending[index]], draft.text)
                notes = draft.notes
                if appended:
                    names = ", ".join(t.en for t in appended)
                    notes += (f"term protection put {names} at the end: the engine lost its place",)
                out.append(Draft(text, signature, notes))
            yield [pending[i] for i in indices], out
