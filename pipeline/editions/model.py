"""A document re-segmented and looked up in its catalog, ready to render.

Like po4a and Translate Toolkit's po2txt, an edition is rebuilt from the
original source cut by the same segmenter, each segment looked up in the
catalog by its text. Editing the source therefore never loses a
translation; a segment the catalog does not know falls back to its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..catalog import Catalog, State, state_of
from ..catalog.states import find, is_segment
from ..inline import usable
from ..segment import Block, BlockType, Document, Part


class Shown(str, Enum):
    """What an edition shows for a segment."""

    REVIEWED = "reviewed"
    MACHINE_DRAFT = "machine-draft"
    UNTRANSLATED = "untranslated"  # source shown: no usable translation
    VERBATIM = "verbatim"  # nothing to translate (a section number)


@dataclass(frozen=True)
class EditionSegment:
    source: str
    target: str  # the translation, or the source when there is none
    shown: Shown
    part: Part

    @property
    def translated(self) -> bool:
        return self.shown in (Shown.REVIEWED, Shown.MACHINE_DRAFT)


@dataclass
class EditionBlock:
    type: BlockType
    source: str
    segments: list[EditionSegment]

    @property
    def english(self) -> str:
        """The English paragraph: translations joined with single spaces."""
        return " ".join(seg.target for seg in self.segments)


@dataclass
class Coverage:
    segments: int = 0
    translated: int = 0
    reviewed: int = 0  # translated or approved
    machine_drafts: int = 0
    approved: int = 0

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.segments if self.segments else 100.0

    @property
    def percent_approved(self) -> float:
        return 100.0 * self.approved / self.segments if self.segments else 100.0

    def summary(self) -> str:
        """The one line a bilingual edition shows about its coverage."""
        approved = f", {self.approved} approved" if self.approved else ""
        return (
            f"{self.translated} of {self.segments} segments translated ({self.percent:.1f}%), "
            f"{self.reviewed} reviewed{approved}."
        )


@dataclass
class Edition:
    name: str
    blocks: list[EditionBlock]
    coverage: Coverage


def _lookup(catalog: Catalog, text: str, reviewed_only: bool, approved_only: bool, roles) -> tuple[str, Shown, bool]:
    """The text shown for ``text``, what it is, and whether it is approved."""
    message = find(catalog, (None, text))
    if message is None or not is_segment(message):  # a plural entry is never a segment's translation
        return text, Shown.UNTRANSLATED, False
    state = state_of(message, roles)
    if approved_only and state is not State.APPROVED:
        return text, Shown.UNTRANSLATED, False
    if state.reviewed:
        return message.string, Shown.REVIEWED, state is State.APPROVED
    if state in (State.MACHINE_DRAFT, State.EDITED_OUTSIDE_REVIEW) and not reviewed_only:
        # A translation changed after its review is shown, as unreviewed.
        return message.string, Shown.MACHINE_DRAFT, False
    # Untranslated, or fuzzy: a translation of an older source is not shown.
    return text, Shown.UNTRANSLATED, False


def _block(
    block: Block, catalog: Catalog, reviewed_only: bool, coverage: Coverage, approved_only: bool = False, roles=None
) -> EditionBlock:
    segments = []
    for seg in block.segments:
        if not seg.translatable:
            segments.append(EditionSegment(seg.text, seg.text, Shown.VERBATIM, seg.part))
            continue
        target, shown, approved = _lookup(catalog, seg.text, reviewed_only, approved_only, roles)
        if shown is not Shown.UNTRANSLATED and not usable(block, seg.text, target):
            # Tags that do not match, a refused character: the source is shown (pipeline.inline).
            target, shown, approved = seg.text, Shown.UNTRANSLATED, False
        segments.append(EditionSegment(seg.text, target, shown, seg.part))
        coverage.segments += 1
        coverage.translated += shown in (Shown.REVIEWED, Shown.MACHINE_DRAFT)
        coverage.reviewed += shown is Shown.REVIEWED
        coverage.machine_drafts += shown is Shown.MACHINE_DRAFT
        coverage.approved += approved
    return EditionBlock(block.type, block.text, segments)


def assemble(
    document: Document, catalog: Catalog, reviewed_only: bool = False, approved_only: bool = False, roles=None
) -> Edition:
    """Pair every block of ``document`` with its translations from ``catalog``:
    with ``reviewed_only`` no machine draft, with ``approved_only`` nothing
    but approved translations (counted under the workspace's ``roles``,
    see :func:`pipeline.catalog.states.state_of`)."""
    coverage = Coverage()
    blocks = [_block(b, catalog, reviewed_only, coverage, approved_only, roles) for b in document.blocks]
    return Edition(document.name, blocks, coverage)
