"""Protected spans during machine translation (termbase terms and inline
tags), and glossary hits.

``ProtectingEngine`` (also known by its first name, ``TermProtectingEngine``)
wraps a translation engine. Before machine translation every termbase term
in a segment, and every inline tag of a formatted source (``<1>``, ``</1>``,
``<2/>``, :mod:`pipeline.inline`), is replaced by a placeholder (``XT0X``,
``XT1X``, … one per occurrence, one numbering for both), so that the engine
cannot mangle 崔平 or 甬江实验室 or drop the link around 新华社; afterwards
each placeholder is replaced by the term's English form or by its tag. This
is the one placeholder mechanism: whatever an engine does to a term's
placeholder (drops it, repeats it, moves it) it does to a tag's, and the same
code puts it right. Tags may come back in another order (English word order
differs); pairs that the engine crossed or turned round are re-nested (a
close tag moves to where its pair can close), with a note on the draft. The
wrapper is invisible in the catalog:

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
from ..inline import CLOSE, OPEN, TAG_RE
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

    ``masked`` has a placeholder for each protected span: placeholder ``i``
    stands for ``items[i]``, a termbase :class:`Term` or an inline tag's text
    (``<1>``, ``</1>``, ``<2/>``); ``terms`` are the terms among them.
    ``direct`` is the finished English of a segment made only of terms,
    tags and punctuation."""

    source: str
    masked: str
    terms: tuple[Term, ...] = ()
    direct: str | None = None
    items: tuple[Term | str, ...] = ()


def _spans(source: str, termbase: Termbase) -> list[tuple[int, int, Term | str]]:
    """The protected spans of ``source``, in text order: inline tags, text
    that looks like a placeholder (``XT0X`` in the source itself: protected
    as itself, so that it cannot be taken for one), and termbase terms that
    do not overlap either."""
    tags = [(m.start(), m.end(), m.group(0)) for m in TAG_RE.finditer(source)]
    tags += [(m.start(), m.end(), m.group(0)) for m in PLACEHOLDER_RE.finditer(source)]
    spans: list[tuple[int, int, Term | str]] = list(tags)
    for start, end, term in termbase.matches(source):
        if not any(a < end and start < b for a, b, _ in tags):
            spans.append((start, end, term))
    return sorted(spans, key=lambda span: span[0])[:MAX_PLACEHOLDERS]


def protect(source: str, termbase: Termbase) -> ProtectedSegment:
    """Replace the termbase terms and inline tags in ``source`` by numbered placeholders."""
    # Placeholder-like text in the source is protected as itself (_spans);
    # placeholder fragments in it are fine: restore() keeps what the source has.
    spans = _spans(source, termbase)
    if not spans:
        return ProtectedSegment(source, source)
    pieces, position = [], 0
    for number, (start, end, _) in enumerate(spans):
        pieces += [source[position:start], PLACEHOLDER_FORMAT.format(number)]
        position = end
    pieces.append(source[position:])
    items = tuple(item for _, _, item in spans)
    terms = tuple(item for item in items if isinstance(item, Term))
    gaps = pieces[0::2]
    direct = None
    if terms and all(_TERM_ONLY_FILLER.fullmatch(gap) for gap in gaps):
        direct = _render_term_only(gaps, items)
    return ProtectedSegment(source, "".join(pieces), terms, direct, items)


def _render_term_only(gaps: list[str], items: tuple[Term | str, ...]) -> str:
    """崔平： → ``Cui Ping:``, 崔平，彭佳学 → ``Cui Ping, Peng Jiaxue``,
    ``<1>崔平</1>：`` → ``<1>Cui Ping</1>:``."""
    out = ""
    for i, gap in enumerate(gaps):
        out += "".join(_HALF_WIDTH.get(ch, ch) for ch in gap if not ch.isspace())
        if i < len(items):
            item = items[i]
            if isinstance(item, Term):
                out += (" " if out and not _ends_in_open_tag(out) else "") + item.en
            else:
                out += (" " if _opens(item) and out and not _ends_in_open_tag(out) else "") + item
    return _tidy(out)


def _opens(tag: str) -> bool:
    return not tag.startswith("</") and not tag.endswith("/>")


def _ends_in_open_tag(text: str) -> bool:
    match = _LAST_TAG_RE.search(text)
    return bool(match) and _opens(match.group(0))


_LAST_TAG_RE = re.compile(r"<\d{1,3}>$|</\d{1,3}>$|<\d{1,3}/>$")
#: White space inside a pair of tags, next to them: ``<1> Xinhua </1>``.
_SPACE_AFTER_OPEN = re.compile(r"(<\d{1,3}>)\s+")
_SPACE_BEFORE_CLOSE = re.compile(r"\s+(</\d{1,3}>)")


def _tidy(text: str) -> str:
    """Single spaces, none before punctuation, none just inside a pair of tags."""
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(text.split()))
    if "<" in text:
        text = _SPACE_BEFORE_CLOSE.sub(r"\1", _SPACE_AFTER_OPEN.sub(r"\1", text))
    return text


def _between_words(match: re.Match) -> bool:
    """Whether alphanumeric text touches ``match`` on both sides."""
    text = match.string
    return (
        0 < match.start()
        and match.end() < len(text)
        and text[match.start() - 1].isalnum()
        and text[match.end()].isalnum()
    )


def restore(segment: ProtectedSegment, output: str) -> tuple[str, list[Term | str]]:
    """The engine's ``output`` with every placeholder replaced by its term's
    English or its tag, exactly once, and no placeholder debris; also the
    terms and tags whose placeholder was missing, which were put at the end
    of the sentence."""
    items = segment.items or segment.terms
    if not items:
        return output, []
    english = [item.en if isinstance(item, Term) else item for item in items]
    # While the text is cleaned, a private-use character stands for each restored span.
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
        text, index = match.string, ord(match.group(0)) - _SENTINEL_BASE
        en = english[index]
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if not isinstance(items[index], Term):  # a tag: glued to what it formats
            left = " " if _opens(en) and before.isalnum() else ""
            right = " " if en.startswith("</") and after.isalnum() else ""
            return f"{left}{en}{right}"
        left = " " if before.isalnum() or before in ",;:" or _SENTINEL_RE.match(before) else ""
        right = " " if after.isalnum() else ""
        return f"{left}{en}{right}"

    text = _tidy(_SENTINEL_RE.sub(english_of, text))
    text = _renest(text)
    opening = TAG_RE.sub("", text)
    if opening[:1].islower() and any(opening.startswith(en) for en in english if en[:1].islower()):
        # A term that opens the sentence (maybe inside a tag).
        k = next(i for i, ch in enumerate(text) if ch == opening[0] and not TAG_RE.sub("", text[:i]))
        text = text[:k] + text[k].upper() + text[k + 1 :]
    return text, [items[i] for i in missing]


def _renest(text: str) -> str:
    """``text`` with its inline tags properly nested, moving as little as
    possible: a pair the engine turned round (``</1>…<1>``) is turned back,
    and a close tag that would cross another pair waits until that pair
    has closed. Other text is unchanged."""
    tokens = [(m.start(), m.end(), m.group(0)) for m in TAG_RE.finditer(text)]
    if not tokens:
        return text
    kinds = {}
    for _, _, tag in tokens:
        kinds[tag] = OPEN if _opens(tag) else (CLOSE if tag.startswith("</") else "single")
    number = {tag: tag.strip("</>") for _, _, tag in tokens}
    # Turn round pairs whose close comes first.
    first: dict[str, int] = {}
    order = [tag for _, _, tag in tokens]
    for i, tag in enumerate(order):
        first.setdefault(number[tag] + kinds[tag], i)
    for i, tag in enumerate(order):
        if kinds[tag] == CLOSE:
            opener = first.get(number[tag] + OPEN)
            if opener is not None and opener > i:
                order[i], order[opener] = order[opener], order[i]
    # Close tags that would cross a pair wait for it.
    out_tags: list[str] = []
    stack: list[str] = []
    waiting: set[str] = set()
    for tag in order:
        kind, n = kinds[tag], number[tag]
        if kind == OPEN:
            stack.append(n)
        elif kind == CLOSE and n in stack:
            if stack[-1] != n:
                waiting.add(n)
                out_tags.append("")
                continue
            stack.pop()
        out_tags.append(tag)
        while stack and stack[-1] in waiting:
            closed = stack.pop()
            waiting.discard(closed)
            out_tags[-1] += f"</{closed}>"
    if out_tags == [tag for _, _, tag in tokens]:
        return text
    pieces, pos = [], 0
    for (start, end, _), tag in zip(tokens, out_tags, strict=True):
        pieces += [text[pos:start], tag]
        pos = end
    pieces.append(text[pos:])
    return _tidy("".join(pieces))


# --- The engine ----------------------------------------------------------------------


class ProtectingEngine(Engine):
    """Protects termbase terms and inline tags from ``inner`` (see the
    module docstring).

    ``inner`` is told the placeholders' pattern
    (:meth:`Engine.protect_placeholders`), so that an engine that can (the
    Argos engine) places a placeholder its decoder dropped; for any other
    engine a dropped term or tag is put at the end of the sentence and the
    draft carries a note. Segments with nothing to protect go through as
    they are; with an empty termbase the signature is the inner engine's."""

    def __init__(self, inner: Engine, termbase: Termbase | None = None):
        self.inner = inner
        self.termbase = termbase if termbase is not None else Termbase([])
        inner.protect_placeholders(PLACEHOLDER_RE)

    def signature(self) -> Signature:
        inner = self.inner.signature()
        if not len(self.termbase):
            return inner
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
                if not draft.text.strip():  # the engine gave nothing: nothing to restore
                    out.append(Draft(draft.text, signature, draft.notes))
                    continue
                text, appended = restore(prepared[pending[index]], draft.text)
                notes = draft.notes
                if appended:
                    names = ", ".join(t.en if isinstance(t, Term) else t for t in appended)
                    notes += (f"term protection put {names} at the end: the engine lost its place",)
                out.append(Draft(text, signature, notes))
            yield [pending[i] for i in indices], out


#: The engine's first name, from when it protected only termbase terms.
TermProtectingEngine = ProtectingEngine
