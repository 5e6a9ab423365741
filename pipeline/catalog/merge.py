"""Re-extraction: bring a catalog up to date with a new template, the way
``msgmerge`` does.

* an unchanged entry keeps its translation, flags and comments;
* a changed entry (no exact match, but a similar old source) becomes fuzzy,
  with the old translation and the previous source in ``#| msgid``;
* an entry that left the document becomes obsolete (``#~``) when it had a
  translation; an obsolete entry whose source comes back is revived;
* a new entry is empty.

Entries are matched by their key, (msgctxt, msgid), never by msgid alone.
An entry that is not a segment (a msgctxt, a ``msgid_plural``: another
tool's) is kept exactly as it is: on a segment's key it stays in place
with the template's references (``MergeReport.untouched``); elsewhere it
becomes obsolete like any entry with a translation.

A reviewed translation is never dropped: when its source changes it is
carried, fuzzy, onto the new source, and it also stays as an obsolete
entry under its old source. Similar sources with different numbers
(12 million / 1100万) match like any other text; they only ever produce a
fuzzy entry, never a reviewed one.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from babel.messages.catalog import Message

from ..languages import TARGET
from .pofile import Catalog
from .states import Key, entry_key, is_segment, translation_text
from .store import touch
from .template import SOURCE_HEADER, new_catalog

__all__ = ["FUZZY_CUTOFF", "MergeReport", "merge", "touch"]  # touch lives in store.py now

#: Similarity (difflib ratio over characters) above which a changed source
#: inherits the old translation as a fuzzy entry. msgmerge uses 0.6 too.
FUZZY_CUTOFF = 0.6


@dataclass
class MergeReport:
    kept: int = 0
    fuzzy: int = 0
    new: int = 0
    obsolete: int = 0
    revived: int = 0
    #: Entries kept exactly as they were: plural entries (``msgid_plural``)
    #: on a segment's msgid (see :func:`~pipeline.catalog.states.is_segment`).
    untouched: int = 0


def _carry(template_msg: Message, old: Message) -> Message:
    if not is_segment(old):
        # A plural entry (or one of another tool) standing on a segment's
        # key: kept as it is, with the template's references.
        kept = old.clone()
        kept.locations = list(template_msg.locations)
        kept.auto_comments = list(template_msg.auto_comments)
        return kept
    return Message(
        template_msg.id,
        string=old.string,
        locations=list(template_msg.locations),
        flags=set(old.flags),
        auto_comments=list(template_msg.auto_comments),
        user_comments=list(old.user_comments),
        previous_id=old.previous_id,
        context=template_msg.context,
    )


#: difflib's ratio takes time up to the product of the two lengths. Beyond
#: this many character pairs only what lies between the common prefix and
#: suffix goes to difflib (see _ratio), so that a line of a million
#: characters is merged in linear time. Sentences never come near it.
EXACT_PAIRS = 1_000_000


def _common_affixes(a: str, b: str) -> tuple[int, int]:
    """The lengths of the common prefix and of the common suffix of what
    follows it, compared a block at a time."""
    limit, block = min(len(a), len(b)), 4096
    prefix = 0
    while prefix + block <= limit and a[prefix : prefix + block] == b[prefix : prefix + block]:
        prefix += block
    while prefix < limit and a[prefix] == b[prefix]:
        prefix += 1
    limit -= prefix
    suffix = 0
    while (
        suffix + block <= limit
        and a[len(a) - suffix - block : len(a) - suffix] == b[len(b) - suffix - block : len(b) - suffix]
    ):
        suffix += block
    while suffix < limit and a[len(a) - suffix - 1] == b[len(b) - suffix - 1]:
        suffix += 1
    return prefix, suffix


def _ratio(matcher: difflib.SequenceMatcher, a: str, b: str) -> float:
    """difflib's ratio of ``a`` (seq1) and ``b`` (seq2), exactly, up to
    EXACT_PAIRS character pairs. Above that, the common prefix and suffix
    match, and the middle parts are matched by difflib while they are under
    the bound, else count as different: a lower bound, so a long entry
    edited in one place still finds its old translation, and one edited all
    over becomes new (its old translation stays, obsolete)."""
    if len(a) * len(b) <= EXACT_PAIRS:
        return matcher.ratio()
    prefix, suffix = _common_affixes(a, b)
    middle_a, middle_b = a[prefix : len(a) - suffix], b[prefix : len(b) - suffix]
    matched = prefix + suffix
    if len(middle_a) * len(middle_b) <= EXACT_PAIRS:
        middle = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False)
        matched += sum(block.size for block in middle.get_matching_blocks())
    return 2.0 * matched / (len(a) + len(b))


def _best_match(msgid: str, candidates: list[Message]) -> Message | None:
    best, best_ratio = None, FUZZY_CUTOFF
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(msgid)
    for cand in candidates:
        matcher.set_seq1(cand.id)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = _ratio(matcher, cand.id, msgid)
        if ratio > best_ratio:
            best, best_ratio = cand, ratio
    return best


def merge(old: Catalog | None, template: Catalog, now: datetime | None = None) -> tuple[Catalog, MergeReport]:
    """Return the English catalog for ``template``, carrying over ``old``.

    Entries are matched by their key, (msgctxt, msgid), never by msgid
    alone: an entry with a msgctxt is another entry than the one without."""
    report = MergeReport()
    source_ref = template.extra_headers.get(SOURCE_HEADER, "")
    new = new_catalog(template.project, source_ref, locale=TARGET.gettext, now=now)
    if old is not None:
        # Keep what translators and their tools set in the header.
        new.extra_headers = {**old.extra_headers, **template.extra_headers}
        new.last_translator = old.last_translator
        new.language_team = old.language_team
        new.revision_date = old.revision_date
    new.creation_date = template.creation_date

    active: dict[Key, Message] = {entry_key(m): m for m in old if m.id} if old is not None else {}
    obsolete: dict[Key, Message] = {entry_key(m): m for m in old.obsolete.values()} if old is not None else {}
    used: set[Key] = set()
    pending: list[Message] = []

    for tmsg in template:
        if not tmsg.id:
            continue
        key = entry_key(tmsg)
        if key in active:
            entry = _carry(tmsg, active[key])
            used.add(key)
            report.kept += 1
        elif key in obsolete:
            entry = _carry(tmsg, obsolete.pop(key))
            report.revived += 1
        else:
            entry = _carry(tmsg, Message(tmsg.id, context=tmsg.context))
            pending.append(entry)
        report.untouched += not is_segment(entry)
        new[entry.id] = entry

    # Only a singular translation can stand for a changed source.
    candidates = [m for k, m in active.items() if k not in used and translation_text(m) and not m.pluralizable]
    candidates += [m for m in obsolete.values() if translation_text(m) and not m.pluralizable]
    for entry in pending:
        match = _best_match(entry.id, candidates) if candidates else None
        if match is None:
            report.new += 1
            continue
        entry.string = match.string
        entry.flags = set(match.flags) | {"fuzzy"}
        entry.user_comments = list(match.user_comments)
        entry.previous_id = [match.id]
        report.fuzzy += 1

    for key, message in active.items():
        if key not in used and translation_text(message):
            obsolete[key] = message
            report.obsolete += 1
    for key, message in obsolete.items():
        message = message.clone()  # leave the messages of ``old`` as they were
        message.locations = []
        message.auto_comments = []  # as msgmerge: an obsolete entry keeps no #. or #: lines
        new.obsolete[key] = message
    return new, report
