"""A segmented document becomes a translation template (POT)."""

from __future__ import annotations

from datetime import datetime, timezone

from ..languages import SOURCE, TARGET
from ..segment import Document, Part
from .annotations import format_block_type
from .pofile import Catalog

SOURCE_HEADER = "X-Pipeline-Source"

#: The catalog header recording that a document was extracted without
#: page-break repair (``pipeline extract --no-repair``: one paragraph per
#: line), so that later extractions and the build cut it the same way.
#: Absent: page breaks are repaired.
SEGMENTATION_HEADER = "X-Pipeline-Segmentation"
NO_REPAIR = "no-repair"


def repairs_page_breaks(catalog: Catalog | None) -> bool:
    """Whether the document of ``catalog`` is segmented with page-break repair."""
    return catalog is None or catalog.extra_headers.get(SEGMENTATION_HEADER) != NO_REPAIR


def record_repair(catalog: Catalog, repair: bool) -> None:
    """Record in ``catalog``'s header whether its document is segmented with page-break repair."""
    if repair:
        catalog.extra_headers.pop(SEGMENTATION_HEADER, None)
    else:
        catalog.extra_headers[SEGMENTATION_HEADER] = NO_REPAIR


HEADER_COMMENT = f"""\
# Translations of {{source}} from Chinese ({SOURCE.bcp47}).
# Made by pipeline. Re-extraction keeps translator comments and
# reviewed translations; changed entries become fuzzy (#| old source).
#"""


def new_catalog(doc: str, source_ref: str, locale: str | None, now: datetime | None = None) -> Catalog:
    """An empty catalog (template when ``locale`` is None) with our headers."""
    now = now or datetime.now(timezone.utc)
    catalog = Catalog(
        locale=locale,
        project=doc,
        version="1.0",
        header_comment=HEADER_COMMENT.format(source=source_ref),
        creation_date=now,
        revision_date=now if locale else None,
        last_translator="pipeline" if locale else "FULL NAME <EMAIL@ADDRESS>",
        language_team=TARGET.name if locale else "LANGUAGE <LL@li.org>",
        charset="utf-8",
        fuzzy=locale is None,
    )
    # Our fields, in the order the writer keeps (the order they are read).
    catalog.extra_headers[SOURCE_HEADER] = source_ref
    catalog.extra_headers["X-Source-Language"] = SOURCE.gettext
    return catalog


def build_template(document: Document, source_ref: str) -> Catalog:
    """One entry per distinct translatable segment, in document order, with
    every location and the types of the blocks it stands in."""
    template = new_catalog(document.name, source_ref, locale=None)
    kinds: dict[str, list[str]] = {}
    for block, seg in document.segments():
        if not seg.translatable:
            continue
        message = template.get(seg.text)
        if message is None:
            message = template.add(seg.text, locations=[(source_ref, seg.line)])
            kinds[seg.text] = []
        elif (source_ref, seg.line) not in message.locations:
            message.locations.append((source_ref, seg.line))
        kind = format_block_type(block.type.value, None if seg.part is Part.SENTENCE else seg.part.value)
        if kind not in kinds[seg.text]:
            kinds[seg.text].append(kind)
    for msgid, comments in kinds.items():
        template[msgid].auto_comments = comments
    return template
