"""The termbase: ``locales/glossary.tsv`` with the columns zh, en, type, note.

Names and terms are what machine translation of Chinese news gets wrong
most often (崔平, 甬江实验室, 彭佳学). The termbase fixes their English form;
term protection, the glossary check and the reviewer all read it here.

:func:`read_termbase` and :func:`write_termbase` work on binary file
objects (UTF-8), as Babel's ``read_po``/``write_po`` do;
:func:`load_termbase` and :func:`save_termbase` are the path-based
wrappers (a missing file is an empty termbase, a save is atomic; a
workspace's termbase is read through one open checked inside the workspace,
``inside=ws.root``, as its catalogs are).

A file holding a character :mod:`pipeline.textsafety` refuses (a control
or bidirectional control character) is refused whole, with its line and
column: every command reads the termbase, and terms are inserted into
translations and shown to reviewers.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..atomicfile import atomic_write, read_regular
from ..errors import PipelineError
from ..textsafety import UnsafeTextError, refuse_unsafe
from ..zh.words import is_word_at, word_spans_around

COLUMNS = ("zh", "en", "type", "note")
_TSV_BREAKS = re.compile(r"[\t\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
TERM_TYPES = ("person", "organisation", "place", "term", "title")


class TermbaseError(PipelineError):
    """A glossary file that cannot be read; the message says ``file:line``."""


@dataclass(frozen=True)
class Term:
    zh: str
    en: str
    type: str = "term"
    note: str = ""


class Termbase:
    """Terms by source text, matched longest first."""

    def __init__(self, terms: list[Term] | None = None):
        self.terms: list[Term] = list(terms or [])

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self):
        return iter(self.terms)

    def get(self, zh: str) -> Term | None:
        return next((t for t in self.terms if t.zh == zh), None)

    def __contains__(self, zh: object) -> bool:
        return any(t.zh == zh for t in self.terms)

    def matches(self, source: str) -> list[tuple[int, int, Term]]:
        """Non-overlapping ``(start, end, term)`` occurrences in ``source``,
        longest term first (甬江实验室 wins over 实验室), in text order.

        An occurrence counts only where it stands as a word
        (:func:`pipeline.zh.words.is_word_at`): 安那 is not in 路易斯安那州,
        nor the foreign name 吉利 in 吉利德 (Gilead)."""
        taken = [False] * len(source)
        found: list[tuple[int, int, Term]] = []
        present = [t for t in self.terms if t.zh and t.zh in source]
        # Only the words around the occurrences are needed (a long line).
        places = []
        for term in present:
            start = source.find(term.zh)
            while start != -1:
                places.append((start, start + len(term.zh)))
                start = source.find(term.zh, start + len(term.zh))
        spans = word_spans_around(source, (t.zh for t in present), places) if present else []
        for term in sorted(present, key=lambda t: -len(t.zh)):
            start = source.find(term.zh)
            while start != -1:
                end = start + len(term.zh)
                if not any(taken[start:end]) and is_word_at(source, start, end, spans):
                    found.append((start, end, term))
                    for i in range(start, end):
                        taken[i] = True
                start = source.find(term.zh, end)
        return sorted(found, key=lambda m: m[0])

    def terms_in(self, source: str) -> list[Term]:
        """The terms found in ``source`` (:meth:`matches`), each once, in text order."""
        seen: set[str] = set()
        hits = []
        for _, _, term in self.matches(source):
            if term.zh not in seen:
                seen.add(term.zh)
                hits.append(term)
        return hits


def read_termbase(fileobj: BinaryIO, filename: str = "glossary.tsv", require_en: bool = True) -> Termbase:
    """Read the glossary TSV ``fileobj`` (binary, UTF-8 with or without a
    byte-order mark; header row ``zh en type note``); ``filename`` names it
    in errors.

    ``require_en=False`` reads a candidates file, whose rows may still wait
    for a person to supply the English."""
    try:
        text = fileobj.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TermbaseError(f"{filename}: not UTF-8") from None
    # Line ends as a file opened in text mode reads them: \r\n and \r end a line.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        refuse_unsafe(text, filename)
    except UnsafeTextError as exc:
        raise TermbaseError(str(exc)) from None
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows:
        return Termbase()
    header = [c.strip().lower() for c in rows[0]]
    if header[:2] != ["zh", "en"]:
        raise TermbaseError(f"{filename}:1: the header must start with the columns zh, en (then type, note)")
    terms, seen = [], {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row) or row[0].startswith("#"):
            continue
        cells = dict(zip(header, (c.strip() for c in row), strict=False))
        zh, en = cells.get("zh", ""), cells.get("en", "")
        if not zh or (require_en and not en):
            raise TermbaseError(f"{filename}:{number}: a term needs both zh and en")
        kind = cells.get("type", "") or "term"
        if kind not in TERM_TYPES:
            raise TermbaseError(f"{filename}:{number}: unknown type '{kind}' (one of {', '.join(TERM_TYPES)})")
        if zh in seen:
            raise TermbaseError(f"{filename}:{number}: '{zh}' is already defined at line {seen[zh]}")
        seen[zh] = number
        terms.append(Term(zh, en, kind, cells.get("note", "")))
    return Termbase(terms)


def write_termbase(fileobj: BinaryIO, termbase: Termbase) -> None:
    """Write the termbase to the binary ``fileobj`` as glossary TSV, UTF-8:
    the header row, then one row per term.

    Nothing is escaped, so that the file reads back exactly (the reader takes
    quotes and backslashes literally, as a person typing the file means
    them); a tab or line break inside a field, which TSV cannot hold,
    becomes a space."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None, lineterminator="\n")
    writer.writerow(COLUMNS)
    for t in termbase:
        writer.writerow([_cell(t.zh), _cell(t.en), _cell(t.type), _cell(t.note)])
    fileobj.write(out.getvalue().encode("utf-8"))


def termbase_bytes(termbase: Termbase) -> bytes:
    """The termbase as the bytes of a glossary TSV file (:func:`write_termbase`)."""
    buffer = io.BytesIO()
    write_termbase(buffer, termbase)
    return buffer.getvalue()


def _cell(value: str) -> str:
    return _TSV_BREAKS.sub(" ", value).strip()


def load_termbase(path: Path, display: str | None = None, inside: Path | None = None) -> Termbase:
    """The termbase at ``path`` (:func:`read_termbase`); an empty one when
    the file does not exist. ``display`` names it in errors (default: the path).

    Read through :func:`~pipeline.atomicfile.read_regular`: a FIFO or a
    device is refused without blocking, and with ``inside`` (a workspace's
    root) a file that does not lie inside it, checked on the file actually
    opened (one open: a link swapped in after a check cannot lead out)."""
    data = read_glossary_file(path, display, inside)
    return Termbase() if data is None else read_termbase(io.BytesIO(data), display or str(path))


def read_glossary_file(path: Path, display: str | None = None, inside: Path | None = None) -> bytes | None:
    """The bytes of the glossary TSV file at ``path`` (the termbase or its
    candidates), None when it does not exist; read as :func:`load_termbase` says."""
    try:
        return read_regular(path, display or str(path), inside=inside)
    except FileNotFoundError:
        return None


def save_termbase(path: Path, termbase: Termbase) -> None:
    """Write the termbase to ``path`` atomically (:func:`write_termbase`)."""
    atomic_write(path, termbase_bytes(termbase))


@dataclass
class TermbaseMerge:
    """The result of :func:`merge_termbase`."""

    termbase: Termbase
    added: list[Term]
    conflicts: list[tuple[Term, Term]]  # (kept, incoming) for the same zh


def merge_termbase(base: Termbase, incoming: Termbase) -> TermbaseMerge:
    """``base`` with the terms of ``incoming`` it lacks appended (an import
    into the glossary). A term ``base`` already has is never overwritten: if
    the incoming entry differs, the pair is reported as a conflict for a
    person to settle."""
    merged = Termbase(list(base))
    added, conflicts = [], []
    for term in incoming:
        kept = merged.get(term.zh)
        if kept is None:
            merged.terms.append(term)
            added.append(term)
        elif kept != term:
            conflicts.append((kept, term))
    return TermbaseMerge(merged, added, conflicts)
