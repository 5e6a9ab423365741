"""Progress of each document's catalog: counts by every state (see
:mod:`pipeline.catalog.states`) and size."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .catalog import State, load_catalog, state_of
from .catalog.roles import Roles, roles_for
from .catalog.states import is_segment
from .workspace import Workspace
from .zh.script import count_han

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.\-][A-Za-z0-9]+)*")


def english_words(text: str) -> int:
    """The English words of ``text`` (as ``status`` and ``report`` count them)."""
    return len(_WORD.findall(text))


@dataclass
class DocumentStatus:
    doc: str
    segments: int
    chinese_characters: int
    english_words: int
    untranslated: int
    machine_draft: int
    fuzzy: int
    #: A person wrote or accepted the translation, not (yet) approved.
    translated: int
    obsolete: int
    #: Translated and signed off by an approver (counted under the
    #: workspace's roles: see pipeline.catalog.states.state_of).
    approved: int = 0
    #: Reviewed entries whose translation changed after the review (their
    #: ``reviewed-by`` record holds another text's hash): not counted as
    #: reviewed until someone reviews them again.
    edited_outside_review: int = 0
    #: Entries that are not segments (a msgctxt, a plural): kept as they
    #: are, not counted above (see pipeline.catalog.states.is_segment).
    untouched: int = 0

    @property
    def reviewed(self) -> int:
        """Entries a person stands behind: translated or approved."""
        return self.translated + self.approved

    @property
    def percent_reviewed(self) -> float:
        return 100.0 * self.reviewed / self.segments if self.segments else 100.0

    @property
    def percent_approved(self) -> float:
        return 100.0 * self.approved / self.segments if self.segments else 100.0

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "reviewed": self.reviewed,
            "percent_reviewed": round(self.percent_reviewed, 1),
            "percent_approved": round(self.percent_approved, 1),
        }


def document_status(ws: Workspace, doc: str, roles: Roles | None = None) -> DocumentStatus:
    """Counts by state of ``doc``'s catalog; approvals count under ``roles``
    (default: the workspace's, from ``pipeline.toml``)."""
    roles = roles if roles is not None else roles_for(ws)
    path = ws.catalog_path(doc)
    catalog = load_catalog(path, ws.relative(path), inside=ws.root)
    counts = {state: 0 for state in State}
    han = words = 0
    untouched = 0
    for message in catalog:
        if not is_segment(message):
            untouched += bool(message.id)
            continue
        counts[state_of(message, roles)] += 1
        han += count_han(message.id)
        if message.string:
            words += english_words(message.string)
    return DocumentStatus(
        doc=doc,
        segments=sum(counts.values()),
        chinese_characters=han,
        english_words=words,
        untranslated=counts[State.UNTRANSLATED],
        machine_draft=counts[State.MACHINE_DRAFT],
        fuzzy=counts[State.FUZZY],
        translated=counts[State.TRANSLATED],
        approved=counts[State.APPROVED],
        obsolete=len(catalog.obsolete),
        edited_outside_review=counts[State.EDITED_OUTSIDE_REVIEW],
        untouched=untouched,
    )
