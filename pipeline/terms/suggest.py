"""Term suggestions: entries the termbase lacks, proposed for a person to confirm.

``suggest_terms`` reads source text (the segments of documents, each with
its location) and proposes

* **people**, from the places news text names them unambiguously: speaker
  labels (崔平：), bylines (记者 成良田), photo credits (（严龙 摄）) and titles
  next to a name (主任崔平, 书记彭佳学, 李泽湘教授, 习近平总书记). A name is
  2–3 characters and starts with a known surname (4 with a double surname);
  its English is proposed in Hanyu Pinyin, surname first (``romanise.py``);
* **organisations and places**: Han text ending in a suffix such as 实验室,
  大学, 委员会 (organisations) or 省, 市, 县, 区 after a known place, and known
  places themselves. The English is proposed where it is mechanical
  (宁波市 → Ningbo, 浙江省 → Zhejiang Province, 甬江实验室 → Yongjiang
  Laboratory) and left empty otherwise;
* **recurring terms**: Han n-grams of 2–6 characters that occur at least
  three times, are not part of a longer one that occurs as often, and are
  not covered by a term or another candidate (新型工业化). Their English is
  left for a person.

Candidates are never confirmed entries: ``write_candidates`` merges them
into a candidates file (``locales/glossary-candidates.tsv``, same columns as
the glossary, evidence in the note) and never touches the glossary itself.
A person moves the rows they confirm into ``glossary.tsv``.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..atomicfile import atomic_write_text
from ..segment import Document, segment_document
from ..segment.rules import (
    BYLINE_RE,
    HAN,
    KNOWN_SPEAKER_LABELS,
    PHOTO_CREDIT_RE,
    SPEAKER_LABEL_MIN_REPEATS,
    SPEAKER_LABEL_RE,
    is_han,
)
from ..sources import read_source
from .lexicon import (
    COMMON_WORDS,
    DOUBLE_SURNAMES,
    GEOGRAPHIC_NAME_ENDINGS,
    KNOWN_PLACES,
    NAME_BREAK_CHARS,
    NAME_FOLLOWERS,
    NAME_PRECEDERS,
    NOT_PLACE_SUFFIX_WORDS,
    NUMERAL_STARTS,
    ORGANISATION_SUFFIXES,
    PLACE_SUFFIXES,
    SINGLE_SURNAMES,
    TITLES_AFTER_NAME,
    TITLES_BEFORE_NAME,
    TITLES_EITHER_SIDE,
)
from .romanise import pinyin_word, romanise_name
from .termbase import Term, Termbase, TermbaseError, read_termbase, write_termbase

#: A Han n-gram is proposed when it occurs at least this often.
MIN_RECURRENCE = 3
NGRAM_SIZES = range(2, 7)
#: The part of an organisation's name before its suffix: 2 to this many characters.
MAX_ORGANISATION_PREFIX = 8
#: An n-gram is a fragment of a longer unit when one neighbouring character
#: accompanies at least this share of its occurrences.
FRAGMENT_SHARE = 0.8
#: ... and a side of an n-gram that never meets a text edge or a function
#: character is still a word boundary when it meets this many different characters.
MIN_NEIGHBOURS = 3

CANDIDATE_NOTE = "candidate"

_HAN_RUN = re.compile(f"[{HAN}]+")
_BREAKS = re.compile(f"[{''.join(sorted(NAME_BREAK_CHARS))}]+")
_TITLES = {t: "either" for t in TITLES_EITHER_SIDE}
_TITLES.update({"副" + t: "either" for t in TITLES_EITHER_SIDE})
_TITLES.update({t: "after" for t in TITLES_AFTER_NAME})
_TITLES.update({t: "before" for t in TITLES_BEFORE_NAME})
_TITLE_RE = re.compile("|".join(sorted(_TITLES, key=len, reverse=True)))
_ORGANISATION_RE = re.compile("|".join(sorted(ORGANISATION_SUFFIXES, key=len, reverse=True)))
_PLACE_RE = re.compile("(" + "|".join(sorted(KNOWN_PLACES, key=len, reverse=True)) + ")(" + "|".join(PLACE_SUFFIXES) + ")?")
_SUFFIXES = frozenset(ORGANISATION_SUFFIXES) | frozenset(PLACE_SUFFIXES)
_CREDIT_WORD = re.compile(r"[\s\u3000]*(?:摄影|摄|供图|制图|绘|发)$")
_NAME_SEPARATORS = re.compile(r"[\s\u3000、，,／/]+")


@dataclass(frozen=True)
class Passage:
    """A piece of source text and where it stands (``seeds/x.txt:5``).

    ``part`` and ``block`` are the segmenter's words for it (``speaker-label``,
    ``byline``); plain text passages are body sentences."""

    text: str
    location: str = ""
    part: str = "sentence"
    block: str = "body"


@dataclass(frozen=True)
class Candidate:
    """A proposed termbase entry with the evidence for it.

    ``en`` is empty when no English form can be proposed mechanically;
    ``evidence`` says how it was found (``speaker label``, ``title 主任``,
    ``suffix 实验室``, ``recurring``)."""

    zh: str
    en: str
    type: str
    count: int
    first_location: str
    evidence: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        """``candidate; 4×; seeds/x.txt:5; speaker label, title 主任``."""
        parts = [CANDIDATE_NOTE, f"{self.count}×"]
        if self.first_location:
            parts.append(self.first_location)
        if self.evidence:
            parts.append(", ".join(self.evidence))
        return "; ".join(parts)

    def as_term(self) -> Term:
        return Term(self.zh, self.en, self.type, self.note)


def document_passages(document: Document, source_ref: str) -> list[Passage]:
    """The translatable segments of a segmented document, as passages."""
    return [
        Passage(seg.text, f"{source_ref}:{seg.line}", seg.part.value, block.type.value)
        for block, seg in document.segments()
        if seg.translatable
    ]


def source_passages(path: Path, source_ref: str | None = None) -> list[Passage]:
    """Read and segment a source document (as ``pipeline extract`` does) into passages."""
    source = read_source(path, source_ref)
    return document_passages(segment_document(source.name, source.text), source_ref or str(path))


# --- People ---------------------------------------------------------------------


def is_person_name(zh: str, strict: bool = False) -> bool:
    """Whether ``zh`` can be a Chinese personal name: a known surname and a
    given name of one or two characters, none of them a function word.

    ``strict`` (for names found next to a title, inside running text) also
    refuses a name that starts with a function character (主任向记者 ...)."""
    if not 2 <= len(zh) <= 4 or not all(is_han(ch) for ch in zh):
        return False
    if zh[:2] in DOUBLE_SURNAMES and 3 <= len(zh) <= 4:
        given = zh[2:]
    elif zh[0] in SINGLE_SURNAMES and len(zh) <= 3:
        given = zh[1:]
    else:
        return False
    if any(ch in NAME_BREAK_CHARS for ch in given):
        return False
    if strict and zh[0] in NAME_BREAK_CHARS:
        return False
    # 书记强调 is not a name 强调; a one-character follower (曾) may still be a surname.
    return not any(zh.find(word, 0 if len(word) > 1 else 1) != -1 for word in NAME_FOLLOWERS)


def _title_at(text: str, pos: int) -> bool:
    return _TITLE_RE.match(text, pos) is not None


def _name_ends_at(text: str, pos: int) -> bool:
    """Whether a name can end before ``pos``: the text ends, or a non-Han
    character, a function word, a following verb or a title comes next."""
    if pos >= len(text) or not is_han(text[pos]) or text[pos] in NAME_BREAK_CHARS:
        return True
    return any(text.startswith(word, pos) for word in NAME_FOLLOWERS) or _title_at(text, pos)


def _name_starts_at(text: str, pos: int) -> bool:
    """Whether a name can start at ``pos``: after the start, a non-Han
    character, a function character or a word that precedes names."""
    if pos <= 0 or not is_han(text[pos - 1]) or text[pos - 1] in NAME_BREAK_CHARS:
        return True
    return any(text.endswith(word, 0, pos) for word in NAME_PRECEDERS)


def _name_after(text: str, pos: int) -> str | None:
    """The longest plausible name that starts at ``pos`` (主任|崔平)."""
    for length in (4, 3, 2):
        name = text[pos : pos + length]
        if len(name) == length and is_person_name(name, strict=True) and _name_ends_at(text, pos + length):
            return name
    return None


def _name_before(text: str, pos: int) -> str | None:
    """The longest plausible name that ends at ``pos`` (李泽湘|教授)."""
    for length in (4, 3, 2):
        start = pos - length
        if start < 0:
            continue
        name = text[start:pos]
        if is_person_name(name, strict=True) and _name_starts_at(text, start):
            return name
    return None


def _people(passages: list[Passage]) -> list[tuple[str, str, Passage]]:
    """``(name, evidence, passage)`` for every person named unambiguously."""
    found: list[tuple[str, str, Passage]] = []
    label_counts = Counter(m.group("label") for p in passages if (m := SPEAKER_LABEL_RE.match(p.text)))
    for p in passages:
        text = p.text
        label = SPEAKER_LABEL_RE.match(text)
        if label:
            name = label.group("label")
            repeated = label_counts[name] >= SPEAKER_LABEL_MIN_REPEATS
            if name not in KNOWN_SPEAKER_LABELS and (p.part == "speaker-label" or repeated) and is_person_name(name):
                found.append((name, "speaker label", p))
        if p.block == "byline" or BYLINE_RE.match(text):
            for token in _HAN_RUN.findall(text):
                if is_person_name(token):
                    found.append((token, "byline", p))
        for credit in PHOTO_CREDIT_RE.finditer(text):
            inner = _CREDIT_WORD.sub("", credit.group(0)[1:-1].strip())
            for token in _NAME_SEPARATORS.split(inner):
                if is_person_name(token):
                    found.append((token, "photo credit", p))
        for title in _TITLE_RE.finditer(text):
            side = _TITLES[title.group(0)]
            if side in ("either", "before") and (name := _name_after(text, title.end())):
                found.append((name, f"title {title.group(0)}", p))
            if side in ("either", "after") and (name := _name_before(text, title.start())):
                found.append((name, f"title {title.group(0)}", p))
    return found


# --- Organisations and places ----------------------------------------------------


def _name_start(run: str, end: int) -> int | None:
    """Where the name that ends at ``end`` in a Han run begins: after the
    nearest function character or preceding verb (专访了|甬江实验室), or at the
    start of the run; None when that is too far to be one name."""
    for start in range(end - 1, max(-1, end - MAX_ORGANISATION_PREFIX - 1), -1):
        if start == 0 or run[start - 1] in NAME_BREAK_CHARS or any(run.endswith(w, 0, start) for w in NAME_PRECEDERS):
            return start
    return None


def proper_name_english(zh: str) -> str | None:
    """The English of a proper name that can be had mechanically: a known
    place (宁波 → Ningbo) or a two-character geographic name (甬江 → Yongjiang)."""
    if zh in KNOWN_PLACES:
        return KNOWN_PLACES[zh]
    if len(zh) == 2 and zh[-1] in GEOGRAPHIC_NAME_ENDINGS:
        return pinyin_word(zh)
    return None


def _organisations(passages: list[Passage]) -> list[tuple[str, str, str, str, Passage]]:
    """``(zh, en, type, evidence, passage)`` for names ending in an organisation suffix."""
    found = []
    for p in passages:
        for run in _HAN_RUN.finditer(p.text):
            text = run.group(0)
            previous_end = 0
            for suffix in _ORGANISATION_RE.finditer(text):
                start = _name_start(text, suffix.start())
                # A name does not reach back over another one (本实验室融入实验室).
                clashes = start is not None and start < previous_end
                previous_end = suffix.end()
                if start is None or clashes or suffix.start() - start < 2:
                    continue  # no clear start, or a bare 本实验室 / 主园区
                prefix = text[start : suffix.start()]
                if any(ch in NAME_BREAK_CHARS for ch in prefix):
                    continue
                proper = proper_name_english(prefix)
                en = f"{proper} {ORGANISATION_SUFFIXES[suffix.group(0)]}" if proper else ""
                found.append((prefix + suffix.group(0), en, "organisation", f"suffix {suffix.group(0)}", p))
    return found


def _places(passages: list[Passage]) -> list[tuple[str, str, str, str, Passage]]:
    """Known places, alone (宁波) and with an administrative suffix (宁波市)."""
    found = []
    for p in passages:
        for m in _PLACE_RE.finditer(p.text):
            place, suffix = m.group(1), m.group(2)
            found.append((place, KNOWN_PLACES[place], "place", "known place", p))
            if suffix and not any(p.text.startswith(word, m.start(2)) for word in NOT_PLACE_SUFFIX_WORDS):
                en = " ".join(filter(None, [KNOWN_PLACES[place], PLACE_SUFFIXES[suffix]]))
                found.append((place + suffix, en, "place", f"suffix {suffix}", p))
    return found


# --- Recurring n-grams -------------------------------------------------------------


def _stands_free(side: Counter, count: int) -> bool:
    """Whether an n-gram's neighbours on one side (None: a text edge or a
    function character) show a word boundary there: it stands free at least
    once or meets several different characters (制造业基地, 制造业体系,
    制造业集群), and no one character accompanies most of its occurrences."""
    bound = [c for ch, c in side.items() if ch is not None]
    if bound and max(bound) >= FRAGMENT_SHARE * count:
        return False
    return side[None] > 0 or len(bound) >= MIN_NEIGHBOURS


def _recurring(texts: list[str], min_count: int) -> list[str]:
    """Han n-grams that recur and look like terms.

    An n-gram is left out when it contains a function character, starts
    with a numeral, is general vocabulary (``COMMON_WORDS``), a title or a
    bare suffix (实验室); when it lies inside a longer recurring n-gram with
    the same count (新型工业 in 新型工业化); and when a side of it shows
    no word boundary (``_stands_free``): 工业革 is always 工业革命 or
    工业革新, 新型 nearly always 新型工业化. Those are fragments of longer
    units, not terms of their own."""
    # N-grams never span a function character, so cut the Han runs there: a
    # neighbour beyond a piece's edge is a text edge or a function character.
    pieces = [piece for text in texts for run in _HAN_RUN.findall(text) for piece in _BREAKS.split(run) if piece]

    def ngrams():
        for piece in pieces:
            for size in NGRAM_SIZES:
                for i in range(len(piece) - size + 1):
                    yield piece, i, piece[i : i + size]

    counts = Counter(gram for _, _, gram in ngrams())
    # Neighbours (None past an edge) only of the n-grams that recur.
    neighbours: dict[str, tuple[Counter, Counter]] = {}
    for piece, i, gram in ngrams():
        if counts[gram] < min_count:
            continue
        if gram not in neighbours:
            neighbours[gram] = (Counter(), Counter())
        left, right = neighbours[gram]
        end = i + len(gram)
        left[piece[i - 1] if i > 0 else None] += 1
        right[piece[end] if end < len(piece) else None] += 1
    frequent = {g: n for g, n in counts.items() if n >= min_count}
    terms = []
    for gram, n in frequent.items():
        if gram in COMMON_WORDS or gram[0] in NUMERAL_STARTS or gram in _SUFFIXES or gram in _TITLES:
            continue
        # Inside a longer recurring n-gram with the same count: then a one-character
        # extension has that count too (新型工业 → 新型工业化).
        if any(c == n for side in neighbours[gram] for ch, c in side.items() if ch is not None):
            continue
        if all(_stands_free(side, n) for side in neighbours[gram]):
            terms.append(gram)
    return terms


# --- Putting it together ---------------------------------------------------------


@dataclass
class _Found:
    en: str
    type: str
    evidence: list[str] = field(default_factory=list)


def _mask(text: str, words: Iterable[str]) -> str:
    """``text`` with every occurrence of ``words`` (longest first) blanked out."""
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, "\x00")
    return text


def suggest_terms(
    passages: Iterable[Passage | str],
    termbase: Termbase | None = None,
    min_recurrence: int = MIN_RECURRENCE,
) -> list[Candidate]:
    """Propose the entries ``termbase`` lacks, people first, then
    organisations, places and recurring terms, most frequent first.

    ``passages`` are :class:`Passage` objects (see :func:`document_passages`)
    or plain strings, located as ``<text>:N``."""
    items = [p if isinstance(p, Passage) else Passage(p, f"<text>:{n}") for n, p in enumerate(passages, start=1)]
    termbase = termbase or Termbase()
    found: dict[str, _Found] = {}

    def add(zh: str, en: str, kind: str, evidence: str) -> None:
        if zh in termbase:
            return
        entry = found.setdefault(zh, _Found(en, kind))
        if evidence not in entry.evidence:
            entry.evidence.append(evidence)

    for name, evidence, _ in _people(items):
        add(name, romanise_name(name), "person", evidence)
    organisations = _organisations(items)
    standalone = Counter(zh for zh, *_ in organisations)
    for zh, en, kind, evidence, _ in organisations:
        # 建设甬江实验室 seen once is 甬江实验室 (seen often) after a verb we do not list.
        if standalone[zh] == 1 and any(zh.endswith(o) and o != zh and standalone[o] >= 2 for o in standalone):
            continue
        add(zh, en, kind, evidence)
    for zh, en, kind, evidence, _ in _places(items):
        add(zh, en, kind, evidence)

    covered = [t.zh for t in termbase if t.zh] + list(found)
    masked = [_mask(p.text, covered) for p in items]
    for gram in _recurring(masked, min_recurrence):
        add(gram, "", "term", "recurring")

    # All passages in one text, so that counting and finding is one pass per candidate.
    corpus = "\x00".join(p.text for p in items)
    starts = list(itertools.accumulate((len(p.text) + 1 for p in items[:-1]), initial=0))
    order = {kind: i for i, kind in enumerate(("person", "organisation", "place", "term", "title"))}
    ranked = []
    for zh, entry in found.items():
        first = corpus.find(zh)
        passage = items[bisect.bisect_right(starts, first) - 1]
        candidate = Candidate(zh, entry.en, entry.type, corpus.count(zh), passage.location, tuple(entry.evidence))
        ranked.append(((order.get(entry.type, len(order)), -candidate.count, first, zh), candidate))
    return [candidate for _, candidate in sorted(ranked)]


# --- The candidates file -----------------------------------------------------------


@dataclass(frozen=True)
class CandidatesUpdate:
    """What ``write_candidates`` did to the candidates file."""

    added: int
    refreshed: int
    confirmed: int  # dropped: the termbase has them now
    total: int


def read_candidates(text: str, filename: str = "glossary-candidates.tsv") -> list[Term]:
    """The rows of a candidates file (the English may still be empty)."""
    return list(read_termbase(text, filename, require_en=False))


def load_candidates(path: Path) -> list[Term]:
    """The rows of the candidates file at ``path``; none when it does not exist."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return []
    except UnicodeDecodeError:
        raise TermbaseError(f"{path}: not UTF-8") from None
    return read_candidates(text, str(path))


def write_candidates(path: Path, candidates: Iterable[Candidate], termbase: Termbase | None = None) -> CandidatesUpdate:
    """Merge ``candidates`` into the candidates file at ``path``, atomically.

    Rows already there stay in place, with what a person wrote in them: an
    English form they filled in, their type, a note that is not ours. A
    candidate found again gets fresh evidence; new ones are appended; rows
    the ``termbase`` now has are dropped, confirmed. Only ``path`` is written."""
    termbase = termbase or Termbase()
    fresh = {c.zh: c for c in candidates}
    rows: list[Term] = []
    refreshed = confirmed = 0
    for row in load_candidates(path):
        if row.zh in termbase:
            confirmed += 1
            continue
        new = fresh.pop(row.zh, None)
        if new is not None:
            ours = not row.note or row.note.startswith(CANDIDATE_NOTE)
            row = Term(row.zh, row.en or new.en, row.type, new.note if ours else row.note)
            refreshed += 1
        rows.append(row)
    added = [c.as_term() for c in fresh.values() if c.zh not in termbase]
    rows.extend(added)
    atomic_write_text(path, write_termbase(Termbase(rows)))
    return CandidatesUpdate(added=len(added), refreshed=refreshed, confirmed=confirmed, total=len(rows))
