"""Re-extraction: bring a catalog up to date with a new template, the way
``msgmerge`` does.

* an unchanged entry keeps its translation, flags and comments;
* a changed entry (no exact match, but a similar old source) becomes fuzzy,
  with the old translation and the previous source in ``#| msgid``;
* an entry that left the document becomes obsolete (``#~``) when it had a
  translation; an obsolete entry whose source comes back is revived;
* a new entry is empty.

A reviewed translation is never dropped: when its source changes it is
carried, fuzzy, onto the new source, and it also stays as an obsolete
entry under its old source. Similar sources with different numbers
(12 million / 1100万) match like any other text; they only ever produce a
fuzzy entry, never a reviewed one.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, timezone

from babel.messages.catalog import Message

from ..workspace import TARGET_LANGUAGE
from .pofile import Catalog
from .states import translation_text
from .template import SOURCE_HEADER, new_catalog

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


def _carry(template_msg: Message, old: Message) -> Message:
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


def _best_match(msgid: str, candidates: list[Message]) -> Message | None:
    best, best_ratio = None, FUZZY_CUTOFF
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(msgid)
    for cand in candidates:
        matcher.set_seq1(cand.id)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = cand, ratio
    return best


def merge(old: Catalog | None, template: Catalog, now: datetime | None = None) -> tuple[Catalog, MergeReport]:
    """Return the English catalog for ``template``, carrying over ``old``."""
    report = MergeReport()
    source_ref = template.extra_headers.get(SOURCE_HEADER, "")
    new = new_catalog(template.project, source_ref, locale=TARGET_LANGUAGE, now=now)
    if old is not None:
        # Keep what translators and their tools set in the header.
        new.extra_headers = {**old.extra_headers, **template.extra_headers}
        new.last_translator = old.last_translator
        new.language_team = old.language_team
        new.revision_date = old.revision_date
    new.creation_date = template.creation_date

    active = {m.id: m for m in (old or []) if m.id} if old is not None else {}
    obsolete = dict(old.obsolete) if old is not None else {}
    used: set[str] = set()
    pending: list[Message] = []

    for tmsg in template:
        if not tmsg.id:
            continue
        if tmsg.id in active:
            new[tmsg.id] = _carry(tmsg, active[tmsg.id])
            used.add(tmsg.id)
            report.kept += 1
        elif tmsg.id in obsolete:
            new[tmsg.id] = _carry(tmsg, obsolete.pop(tmsg.id))
            report.revived += 1
        else:
            new[tmsg.id] = _carry(tmsg, Message(tmsg.id))
            pending.append(tmsg)

    candidates = [m for k, m in active.items() if k not in used and translation_text(m)]
    candidates += [m for m in obsolete.values() if translation_text(m)]
    for tmsg in pending:
        match = _best_match(tmsg.id, candidates) if candidates else None
        if match is None:
            report.new += 1
            continue
        entry = new[tmsg.id]
        entry.string = match.string
        entry.flags = set(match.flags) | {"fuzzy"}
        entry.user_comments = list(match.user_comments)
        entry.previous_id = [match.id]
        report.fuzzy += 1

    for msgid, message in active.items():
        if msgid not in used and translation_text(message):
            obsolete[msgid] = message
            report.obsolete += 1
    for msgid, message in obsolete.items():
        message = message.clone()  # leave the messages of ``old`` as they were
        message.locations = []
        new.obsolete[msgid] = message
    return new, report


def touch(catalog: Catalog, now: datetime | None = None) -> None:
    """Record a change in the PO-Revision-Date header."""
    catalog.revision_date = now or datetime.now(timezone.utc)
