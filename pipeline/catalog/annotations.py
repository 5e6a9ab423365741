"""The catalog's comment vocabulary, defined once.

What the pipeline records on a catalog entry, beside its strings, is a
comment of one of these kinds; this module is the only one that knows their
prefixes. Each kind has a ``format_x``/``parse_x`` pair for the text of one
record, and the message-level functions below read and replace the records
of an entry.

================ ===========================================================
``#. type:``     the block types (and parts) the segment stands in:
                 ``#. type: caption, part: photo-credit`` (the template's)
``# no-check:``  a translator silences one check on this entry:
                 ``# no-check: numbers`` (also read: the older flag
                 ``#, no-check-numbers``, which GNU gettext's tools drop);
                 an override made in review says who and why:
                 ``# no-check: numbers (override by Ann Li,
                 2026-11-27T10:42Z): the source's figure is a misprint``
``# reviewed-by:`` who reviewed the entry, when, and a short hash of the
                 translation they accepted:
                 ``# reviewed-by: Ann Li, 2026-11-27T10:42Z, msgstr=1a2b3c4d``
                 (or ``..., 2026-11-27T10:42Z (rejected)``)
``# approved-by:`` who approved the entry (a second person, in the approver
                 role), when, and the hash of the translation approved:
                 ``# approved-by: Bo Wang, 2026-11-28T09:00Z, msgstr=1a2b3c4d``
``# mt:``        the engine signature of a machine draft
``# mt-note:``   what the engine said about the draft
``# tm:``        the translation-memory unit a draft reuses:
                 ``# tm:<origin>;similarity=100``
``# tm-suggestion:`` a fuzzy match shown to the reviewer:
                 ``# tm-suggestion: 82% <origin> (numbers differ): <English>``
``# term:``      a termbase term the source uses: ``# term: 崔平 = Cui Ping``
================ ===========================================================

**Comments by people.** A translator comment that is none of these
records (``# the source is garbled here; dropped, please check``) is a
person's: a note or a query to the desk, written in review
(:func:`add_comment`) or in Poedit. GNU gettext keeps them, and so does
re-extraction. A comment written in review must never read as a record,
not even once another tool has wrapped it (polib cuts at spaces and after
hyphens): :func:`refuse_comment` refuses one in which a record's prefix
(or its ``kind+`` continuation mark) starts a word.

**Order.** The translator comments of an entry are kept in one order:
comments written by people first, as they wrote them, then the records in
the order of the table above (:data:`ORDER`). Every function that changes a
record puts the comments back in that order, so no sequence of stages can
reorder an entry's comments without a change of content.

**Line length.** Other tools wrap long comment lines: polib's ``save()`` at
78 columns, Babel-based tools at 76, cutting at spaces and after hyphens,
and a wrapped record would read back as a shorter record plus a stray
comment. So no record line is longer than :data:`LINE_LIMIT` (74)
characters: a longer record continues on lines of its own, marked with the
kind and ``+`` (``# term+ Industrialization``), whose text is appended to
the record exactly as it stands. No tool wraps such lines, and a record
read back is the record written. Comments written by people are never cut.

**Reviewed, then edited elsewhere.** The hash in a ``reviewed-by`` record
is the first 8 hex digits of the SHA-256 of the msgstr the reviewer
accepted. When the msgstr no longer has that hash (it was edited in Poedit
or a text editor and the record stayed), the record is stale: the entry is
"edited outside review" (:mod:`pipeline.catalog.states`) until someone
reviews it. A record without a hash (written before hashes were) is taken
as it is. An ``approved-by`` record is bound the same way, and always
carries a hash: one without, or with another text's, approves nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from babel.messages.catalog import Message

#: Longest translator-comment line written for a record, ``# `` excluded.
LINE_LIMIT = 74


class Kind(NamedTuple):
    """A kind of record: its name and the prefix that starts it."""

    name: str
    prefix: str


NO_CHECK = Kind("no-check", "no-check: ")
REVIEWED_BY = Kind("reviewed-by", "reviewed-by: ")
APPROVED_BY = Kind("approved-by", "approved-by: ")
MT = Kind("mt", "mt:")
MT_NOTE = Kind("mt-note", "mt-note: ")
TM = Kind("tm", "tm:")
TM_SUGGESTION = Kind("tm-suggestion", "tm-suggestion: ")
TERM = Kind("term", "term: ")

#: The order of records in an entry's translator comments, after the
#: comments written by people.
ORDER: tuple[Kind, ...] = (NO_CHECK, REVIEWED_BY, APPROVED_BY, MT, MT_NOTE, TM, TM_SUGGESTION, TERM)
_RANK = {kind: rank for rank, kind in enumerate(ORDER)}
# Longest prefixes first: "tm-suggestion: " before "tm:", "mt-note: " before "mt:".
_BY_PREFIX = sorted(ORDER, key=lambda kind: -len(kind.prefix))
_CONTINUATION = {f"{kind.name}+": kind for kind in ORDER}
_CONTINUATION_RE = re.compile("^(" + "|".join(re.escape(c) for c in sorted(_CONTINUATION, key=len, reverse=True)) + ")")

#: Longest comment a person may write in review (it is never cut).
COMMENT_LIMIT = 500

#: The legacy flag that silenced a check (``#, no-check-numbers``).
NO_CHECK_FLAG = "no-check-"
#: Extracted comments of the template (``#. type: body, part: heading``).
TYPE_PREFIX = "type: "
PART_PREFIX = "part: "


# --- Records in translator comments ----------------------------------------------


class Record(NamedTuple):
    """One translator comment as read: a record of ``kind`` (its text
    after the prefix), or a comment written by a person (``kind`` None,
    ``text`` the whole line)."""

    kind: Kind | None
    text: str


def _kind_of(line: str) -> Kind | None:
    for kind in _BY_PREFIX:
        if line.startswith(kind.prefix):
            return kind
    return None


def records(comments: Iterable[str]) -> list[Record]:
    """The translator comments ``comments`` (one per line, as read) as
    records, continuation lines joined to the record they continue."""
    out: list[Record] = []
    for line in comments:
        kind = _kind_of(line)
        if kind is not None:
            out.append(Record(kind, line[len(kind.prefix) :]))
            continue
        match = _CONTINUATION_RE.match(line)
        if match and out and out[-1].kind is _CONTINUATION[match.group(1)]:
            out[-1] = Record(out[-1].kind, out[-1].text + line[match.end() :])
            continue
        out.append(Record(None, line))
    return out


# --- Comments written by people -----------------------------------------------------

#: A position where a wrapping tool may start a new line: the start, after
#: white space, after a hyphen.
_WORD_START = re.compile(r"(?:^|(?<=\s)|(?<=-))(?=\S)")


def people_comments(message: Message) -> list[str]:
    """The translator comments of ``message`` written by people, in order
    (a line that only starts like a record, ``term: check this``, is one)."""
    return [
        r.text if r.kind is None else r.kind.prefix + r.text
        for r in records(message.user_comments)
        if r.kind is None or not _readable(r)
    ]


def comment_text(text: str) -> str:
    """A person's comment as it is written and compared: on one line,
    white space runs made one space (the PO reader strips the ends)."""
    return " ".join(text.split())


def refuse_comment(text: str) -> str:
    """``text`` (see :func:`comment_text`) as a person's comment, or
    ValueError saying why not: empty, longer than :data:`COMMENT_LIMIT`, or
    holding a word that starts like a record (see the module's docstring).
    Control characters are :mod:`pipeline.textsafety`'s to refuse."""
    text = comment_text(text)
    if not text:
        raise ValueError("a comment cannot be empty")
    if len(text) > COMMENT_LIMIT:
        raise ValueError(f"a comment is at most {COMMENT_LIMIT} characters ({len(text)} given)")
    for match in _WORD_START.finditer(text):
        rest = text[match.start() :]
        kind = _kind_of(rest)
        marker = _CONTINUATION_RE.match(rest)
        if kind is not None or marker:
            word = kind.prefix.strip() if kind is not None else marker.group(1)
            raise ValueError(f"a comment may not hold {word!r} at the start of a word: it would read as a record")
    return text


def add_comment(message: Message, text: str) -> None:
    """Add the person's comment ``text`` (checked by :func:`refuse_comment`)
    after ``message``'s other comments by people."""
    text = refuse_comment(text)
    message.user_comments = comment_lines(records(message.user_comments) + [Record(None, text)])


def remove_comment(message: Message, text: str) -> int:
    """Remove the comments by people on ``message`` that read as ``text``
    (white space aside; a copy made by hand goes too); how many."""
    wanted = comment_text(text)

    def matches(record: Record) -> bool:
        line = record.text if record.kind is None else record.kind.prefix + record.text
        return (record.kind is None or not _readable(record)) and comment_text(line) == wanted

    items = records(message.user_comments)
    kept = [r for r in items if not matches(r)]
    if len(kept) != len(items):
        message.user_comments = comment_lines(kept)
    return len(items) - len(kept)


def _cut(text: str, limit: int) -> int:
    """Where to end a line of at most ``limit`` characters of ``text``:
    before a space if one lies in reach (not after another space, so that
    no line ends in white space), else after a ``;`` or ``,`` (an engine
    signature's separators), else at ``limit``."""
    at = text.rfind(" ", 1, limit + 1)
    while at > 0 and text[at - 1] == " ":
        at = text.rfind(" ", 1, at)
    if at > 0:
        return at
    at = max(text.rfind(";", 0, limit), text.rfind(",", 0, limit)) + 1
    if at > 1:
        return at
    at = limit
    while at > 1 and text[at - 1] == " ":
        at -= 1
    return at


def record_lines(kind: Kind, text: str) -> list[str]:
    """The comment lines of one record: ``kind``'s prefix and ``text``, cut
    into lines of at most :data:`LINE_LIMIT` characters (see the module's
    docstring)."""
    line = kind.prefix + text
    marker = f"{kind.name}+"
    out: list[str] = []
    while len(line) > LINE_LIMIT:
        at = _cut(line, LINE_LIMIT)
        out.append(line[:at])
        line = marker + line[at:]
    out.append(line)
    return out


def comment_lines(items: Iterable[Record]) -> list[str]:
    """Translator comments for ``items``, in the entry's order: comments by
    people first, then the records by :data:`ORDER` (each kind's records
    in the order given)."""
    items = list(items)
    people = [r.text for r in items if r.kind is None]
    ours = sorted((r for r in items if r.kind is not None), key=lambda r: _RANK[r.kind])
    return people + [line for r in ours for line in record_lines(r.kind, r.text)]


def get(message: Message, kind: Kind) -> list[str]:
    """The texts of ``message``'s records of ``kind``, in order."""
    return [r.text for r in records(message.user_comments) if r.kind is kind]


def put(message: Message, kind: Kind, texts: Sequence[str]) -> None:
    """Replace ``message``'s records of ``kind`` with ``texts``, and put
    its comments in the entry's order.

    A comment line that a wrapping tool split off an older, single-line
    record of ``kind`` (polib's stray ``# Industrialization``) goes with
    it: a person's comment that, joined to the old record, gives exactly
    one of the new records."""
    old = [
        r if r.kind is None or _readable(r) else Record(None, r.kind.prefix + r.text)
        for r in records(message.user_comments)
    ]
    wanted = set(texts)
    kept: list[Record] = []
    for i, record in enumerate(old):
        if record.kind is kind:
            continue
        if record.kind is None and i > 0 and old[i - 1].kind is kind:
            tail = old[i - 1].text
            if tail + " " + record.text in wanted or tail + record.text in wanted:
                continue
        kept.append(record)
    message.user_comments = comment_lines(kept + [Record(kind, t) for t in texts])


def order(message: Message) -> None:
    """Put ``message``'s translator comments in the entry's order."""
    message.user_comments = comment_lines(records(message.user_comments))


# --- reviewed-by --------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    """A ``reviewed-by`` record."""

    reviewer: str
    when: str  # 2026-11-27T10:42Z
    digest: str | None = None  # hash of the msgstr accepted; None in records written before hashes
    rejected: bool = False


def review_digest(text: str) -> str:
    """The short hash of a reviewed translation (8 hex digits of SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


_REVIEW_RE = re.compile(
    r"^(?P<name>.+?), (?P<when>\d{4}-\d\d-\d\dT\d\d:\d\dZ)"
    r"(?:, msgstr=(?P<digest>[0-9a-f]{8}))?(?P<rejected> \(rejected\))?$",
    re.DOTALL,
)


def format_reviewed_by(review: Review) -> str:
    digest = f", msgstr={review.digest}" if review.digest and not review.rejected else ""
    return f"{review.reviewer}, {review.when}{digest}" + (" (rejected)" if review.rejected else "")


def parse_reviewed_by(text: str) -> Review | None:
    match = _REVIEW_RE.match(text)
    if not match:
        return None
    return Review(match.group("name"), match.group("when"), match.group("digest"), bool(match.group("rejected")))


def review_of(message: Message) -> Review | None:
    """The latest readable ``reviewed-by`` record of ``message``."""
    reviews = [r for r in map(parse_reviewed_by, get(message, REVIEWED_BY)) if r is not None]
    return reviews[-1] if reviews else None


def _msgstr(message: Message) -> str:
    string = message.string
    return "\x00".join(string) if isinstance(string, (list, tuple)) else string or ""


def set_review(message: Message, reviewer: str, when: str, rejected: bool = False) -> None:
    """Record that ``reviewer`` accepted (or rejected) ``message`` as it now is."""
    digest = None if rejected else review_digest(_msgstr(message))
    put(message, REVIEWED_BY, [format_reviewed_by(Review(reviewer, when, digest, rejected))])


def review_is_stale(message: Message) -> bool:
    """Whether ``message``'s translation changed after its last review: its
    ``reviewed-by`` (or ``approved-by``) record holds the hash of another
    msgstr."""
    review = review_of(message)
    digest = review_digest(_msgstr(message))
    if review and review.digest and not review.rejected and review.digest != digest:
        return True
    approval = approval_of(message)
    return bool(approval and approval.digest and approval.digest != digest)


# --- approved-by --------------------------------------------------------------------


def approval_of(message: Message) -> Review | None:
    """The latest readable ``approved-by`` record of ``message`` (a
    :class:`Review`: approver, when, hash of the msgstr approved)."""
    approvals = [r for r in map(parse_reviewed_by, get(message, APPROVED_BY)) if r is not None and not r.rejected]
    return approvals[-1] if approvals else None


def approval_holds(message: Message) -> bool:
    """Whether ``message`` has an ``approved-by`` record bound to its
    current msgstr (a record without a hash approves nothing)."""
    approval = approval_of(message)
    return bool(approval and approval.digest and approval.digest == review_digest(_msgstr(message)))


def set_approval(message: Message, approver: str, when: str) -> None:
    """Record that ``approver`` approved ``message`` as it now is."""
    digest = review_digest(_msgstr(message))
    put(message, APPROVED_BY, [format_reviewed_by(Review(approver, when, digest))])


def clear_approval(message: Message) -> None:
    """Remove ``message``'s ``approved-by`` records."""
    put(message, APPROVED_BY, [])


# --- mt, mt-note, tm ----------------------------------------------------------------


def format_mt(signature: str) -> str:
    return signature


def parse_mt(text: str) -> str:
    return text.strip()


def format_mt_note(note: str) -> str:
    return " ".join(note.split())


def parse_mt_note(text: str) -> str:
    return text.strip()


def _origin_word(origin: str) -> str:
    return re.sub(r"\s+", "_", origin.strip()) or "?"


_TM_RE = re.compile(r"^(?P<origin>.*);similarity=(?P<percent>\d{1,3})$", re.DOTALL)


def format_tm(origin: str, percent: int = 100) -> str:
    """``<origin>;similarity=<percent>``, white space in the origin as ``_``."""
    return f"{_origin_word(origin)};similarity={percent}"


def parse_tm(text: str) -> tuple[str, int] | None:
    match = _TM_RE.match(text.strip())
    return (match.group("origin"), int(match.group("percent"))) if match else None


def machine_signature(message: Message) -> str | None:
    """The engine signature of the latest machine draft, if any."""
    stamps = get(message, MT)
    return parse_mt(stamps[-1]) if stamps else None


def memory_stamp(message: Message) -> str | None:
    """The ``tm:`` stamp of the latest reused translation, if any."""
    stamps = get(message, TM)
    return stamps[-1].strip() if stamps else None


def set_draft_stamp(message: Message, kind: Kind, stamp: str, notes: Sequence[str] = ()) -> None:
    """Stamp a new draft: ``stamp`` (of kind :data:`MT` or :data:`TM`) and
    the engine's ``notes`` replace the stamps and notes of the old draft,
    whichever made it."""
    for other in (MT, TM):
        put(message, other, [stamp] if other is kind else [])
    put(message, MT_NOTE, [format_mt_note(note) for note in notes])


# --- tm-suggestion ------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A fuzzy (or number-differing) match, as a reviewer sees it."""

    percent: int
    origin: str
    text: str
    numbers_differ: bool = False


_NUMBERS_DIFFER = " (numbers differ)"
_SUGGESTION_RE = re.compile(
    rf"^(?P<percent>\d{{1,3}})% (?P<origin>\S+)(?P<numbers>{re.escape(_NUMBERS_DIFFER)})?: (?P<text>.*)$", re.DOTALL
)
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\\\": "\\", "\\n": "\n", "\\r": "\r"}


def format_tm_suggestion(suggestion: Suggestion) -> str:
    """``82% <origin>[ (numbers differ)]: <English>``; a backslash, a line
    feed and a carriage return in the English as ``\\\\``, ``\\n``, ``\\r``."""
    text = "".join(_ESCAPES.get(ch, ch) for ch in suggestion.text)
    flag = _NUMBERS_DIFFER if suggestion.numbers_differ else ""
    return f"{suggestion.percent}% {_origin_word(suggestion.origin)}{flag}: {text}"


def parse_tm_suggestion(text: str) -> Suggestion | None:
    match = _SUGGESTION_RE.match(text)
    if not match:
        return None
    english = re.sub(r"\\[\\nr]", lambda m: _UNESCAPES[m.group()], match.group("text"))
    return Suggestion(int(match.group("percent")), match.group("origin"), english, bool(match.group("numbers")))


def suggestions_of(message: Message) -> list[Suggestion]:
    """The memory's suggestions for ``message``, best first as written."""
    return [s for s in map(parse_tm_suggestion, get(message, TM_SUGGESTION)) if s is not None]


def set_suggestions(message: Message, suggestions: Sequence[Suggestion]) -> None:
    put(message, TM_SUGGESTION, [format_tm_suggestion(s) for s in suggestions])


# --- term ---------------------------------------------------------------------------

_TERM_SEPARATOR = " = "


def format_term(zh: str, en: str) -> str:
    """``崔平 = Cui Ping`` (white space runs as one space)."""
    return f"{' '.join(zh.split())}{_TERM_SEPARATOR}{' '.join(en.split())}"


def parse_term(text: str) -> tuple[str, str] | None:
    if _TERM_SEPARATOR not in text:
        return None
    zh, _, en = text.partition(_TERM_SEPARATOR)
    return zh.strip(), en.strip()


def terms_of(message: Message) -> list[tuple[str, str]]:
    """The ``(zh, en)`` termbase terms recorded on ``message``."""
    return [t for t in map(parse_term, get(message, TERM)) if t is not None]


def set_terms(message: Message, terms: Sequence[tuple[str, str]]) -> None:
    put(message, TERM, [format_term(zh, en) for zh, en in terms])


# --- no-check -----------------------------------------------------------------------


def format_no_check(code: str, who: str | None = None, when: str | None = None, reason: str | None = None) -> str:
    """``numbers``, or for an override made in review
    ``numbers (override by Ann Li, 2026-11-27T10:42Z): <reason>`` (the
    reason on one line)."""
    if who is None:
        return code
    reason = " ".join((reason or "").split())
    return f"{code} (override by {who}, {when})" + (f": {reason}" if reason else "")


def parse_no_check(text: str) -> str | None:
    code = text.split()[0] if text.split() else ""
    return code or None


@dataclass(frozen=True)
class Override:
    """A check overridden in review: ``# no-check: <code> (override by ...): <reason>``."""

    code: str
    who: str
    when: str
    reason: str


_OVERRIDE_RE = re.compile(
    r"^(?P<code>\S+) \(override by (?P<who>.+?), (?P<when>\d{4}-\d\d-\d\dT\d\d:\d\dZ)\)(?:: (?P<reason>.*))?$",
    re.DOTALL,
)


def overrides_of(message: Message) -> list[Override]:
    """The checks overridden in review on ``message``, with who and why."""
    out = []
    for text in get(message, NO_CHECK):
        match = _OVERRIDE_RE.match(text)
        if match:
            out.append(
                Override(match.group("code"), match.group("who"), match.group("when"), match.group("reason") or "")
            )
    return out


def add_overrides(message: Message, codes: Iterable[str], who: str, when: str, reason: str) -> None:
    """Silence ``codes`` on ``message`` as an override by ``who`` for
    ``reason`` (other ``no-check`` records are kept; an older record for
    the same code is replaced)."""
    codes = list(dict.fromkeys(codes))
    kept = [t for t in get(message, NO_CHECK) if parse_no_check(t) not in codes]
    put(message, NO_CHECK, kept + [format_no_check(code, who, when, reason) for code in codes])


def silenced_checks(message: Message) -> set[str]:
    """The codes of the checks silenced on ``message``: ``# no-check:``
    records, and the older ``#, no-check-<code>`` flags."""
    codes = {c for c in map(parse_no_check, get(message, NO_CHECK)) if c}
    codes.update(flag[len(NO_CHECK_FLAG) :] for flag in message.flags if flag.startswith(NO_CHECK_FLAG))
    return codes


# --- #. type: (the template's extracted comments) -----------------------------------


def format_block_type(block_type: str, part: str | None = None) -> str:
    """``type: caption`` or ``type: caption, part: photo-credit``."""
    return f"{TYPE_PREFIX}{block_type}" + (f", {PART_PREFIX}{part}" if part else "")


def parse_block_type(comment: str) -> tuple[str, list[str]] | None:
    """``(type, parts)`` of a ``type:`` extracted comment, or None."""
    if not comment.startswith(TYPE_PREFIX):
        return None
    items = [item.strip() for item in comment[len(TYPE_PREFIX) :].split(",")]
    parts = [item[len(PART_PREFIX) :].strip() for item in items[1:] if item.startswith(PART_PREFIX)]
    return items[0], parts


def block_types(message: Message) -> list[str]:
    """The block types recorded on an entry (``#. type: caption``)."""
    return [parsed[0] for parsed in map(parse_block_type, message.auto_comments) if parsed]


def block_parts(message: Message) -> list[str]:
    """The parts recorded on an entry (``#. type: caption, part: photo-credit``)."""
    return [part for parsed in map(parse_block_type, message.auto_comments) if parsed for part in parsed[1]]


def _readable(record: Record) -> bool:
    """Whether a record's text reads as its kind says; a line that only
    starts like a record (a person's ``term: check this``) is a person's
    comment, which :func:`put` never removes."""
    parse = _PARSERS.get(record.kind)
    return parse is None or parse(record.text) is not None


_PARSERS = {
    REVIEWED_BY: parse_reviewed_by,
    APPROVED_BY: parse_reviewed_by,
    TM: parse_tm,
    TM_SUGGESTION: parse_tm_suggestion,
    TERM: parse_term,
    NO_CHECK: parse_no_check,
}
