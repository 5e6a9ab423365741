"""The workspace's translation memory: what it learns from, import and export.

The memory is not a file of its own. It is rebuilt from the workspace on
each load, so it can never disagree with the catalogs:

* every *reviewed* entry of every English catalog
  (``locales/en/LC_MESSAGES/*.po``), obsolete entries included (a reviewed
  translation of a sentence that has since changed is still a reviewed
  translation), with the document as origin;
* every imported TMX file in ``locales/tm/`` (:attr:`Workspace.translation_memory`),
  in name order.

What the workspace gives other tools is narrower (:func:`exchanged_units`,
for ``pipeline tm export`` and ``build/<doc>.tmx``): an exchange file is read
as the translation of the documents as they are now, so it leaves out
obsolete entries and any pair whose source is no longer a segment of its
document, even where another tool has revived it as a live entry (Translate
Toolkit's ``xliff2po`` does).
"""

from __future__ import annotations

import io
import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from ..atomicfile import atomic_write, read_regular
from ..catalog import Catalog, load_catalog, state_of
from ..catalog.annotations import block_types
from ..catalog.states import translation_text
from ..workspace import Workspace
from .memory import TranslationMemory
from .tmx import TmxError, exportable, read_tmx, tmx_bytes
from .units import Unit

#: The block type of the entry a unit came from (``#. type: caption``).
BLOCK_TYPE_PROP = "x-block-type"
#: Last-Translator values that name no person: Babel's placeholder and ours.
_NO_TRANSLATOR = {"", "pipeline", "FULL NAME <EMAIL@ADDRESS>"}


def _revision_date(catalog: Catalog) -> datetime | None:
    date = catalog.revision_date
    if not isinstance(date, datetime):  # Babel keeps the placeholder 'YEAR-MO-DA HO:MI+ZONE' as text
        return None
    if date.tzinfo is None:
        date = date.replace(tzinfo=timezone.utc)
    return date.astimezone(timezone.utc).replace(microsecond=0)


def units_from_catalog(catalog: Catalog, doc: str) -> list[Unit]:
    """The reviewed pairs of ``catalog`` (obsolete entries included), with
    ``doc`` as origin. A catalog records no per-entry reviewer, so the
    creation info is the catalog's: its Last-Translator (when it names a
    person) and its PO-Revision-Date."""
    return _reviewed_units(catalog, [*catalog, *catalog.obsolete.values()], doc)


def exchanged_units(catalog: Catalog, doc: str, segments: Collection[str] | None) -> list[Unit]:
    """The reviewed pairs of ``catalog`` that other tools receive: live
    entries only (not obsolete) and, when ``segments`` (the translatable
    segments of the document as it is now) is given, only those whose source
    is one of them."""
    return _reviewed_units(catalog, [m for m in catalog if segments is None or m.id in segments], doc)


def _reviewed_units(catalog: Catalog, messages: list, doc: str) -> list[Unit]:
    translator = (catalog.last_translator or "").strip()
    created_by = None if translator in _NO_TRANSLATOR else translator
    created_at = _revision_date(catalog)
    units = []
    for message in messages:
        if not message.id or message.pluralizable or not state_of(message).reviewed:
            continue
        units.append(
            Unit(
                source=message.id,
                target=translation_text(message),
                origin=doc,
                created_by=created_by,
                created_at=created_at,
                properties=tuple((BLOCK_TYPE_PROP, kind) for kind in block_types(message)),
            )
        )
    return units


def memory_files(ws: Workspace) -> list[Path]:
    """The imported TMX files of ``ws``, by name."""
    directory = ws.translation_memory
    if not directory.is_dir():
        return []
    return sorted(ws.regular_file(path) for path in directory.glob("*.tmx") if not path.is_dir())


def load_memory(ws: Workspace) -> TranslationMemory:
    """The translation memory of ``ws``: its reviewed catalogs, then its
    imported TMX files. A broken catalog or TMX file raises a PipelineError
    naming ``file:line``."""
    memory = TranslationMemory()
    for doc in ws.documents():
        path = ws.catalog_path(doc)
        memory.extend(units_from_catalog(load_catalog(path, ws.relative(path), inside=ws.root), doc))
    for path in memory_files(ws):
        data = read_regular(path, ws.relative(path), inside=ws.root)
        memory.extend(read_tmx(io.BytesIO(data), ws.relative(path)).units)
    return memory


@dataclass
class ImportedMemory:
    path: Path  # where the file now lives, in locales/tm/
    units: int  # zh→en units it holds
    skipped: int  # translation units without both a Chinese and an English segment


def import_tmx(ws: Workspace, path: Path | str) -> ImportedMemory:
    """Validate the TMX file at ``path`` and copy it, unchanged, into
    ``locales/tm/`` atomically. The caller holds the workspace lock.

    Refuse (TmxError) a file that cannot be read, that holds no Chinese→English
    unit, whose name is taken, or that was already imported under another name.
    """
    path = Path(path)
    if path.suffix.lower() != ".tmx":
        raise TmxError(f"{path}: not a .tmx file")
    try:
        data = read_regular(path, str(path))  # a FIFO or device is refused, never read
    except FileNotFoundError:
        raise TmxError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise TmxError(f"{path}: is a directory, not a TMX file") from None
    content = read_tmx(io.BytesIO(data), str(path))
    if not content.units:
        found = ", ".join(sorted(content.languages)) or "none"
        raise TmxError(f"{path}: no Chinese→English translation units (languages found: {found})")
    # *.tmx is matched case-sensitively when the memory loads.
    target = ws.translation_memory / f"{path.stem}.tmx"
    if target.exists():
        raise TmxError(
            f"{ws.relative(target)} already exists; remove it to replace it, or rename {path.name} to import it as well"
        )
    for existing in memory_files(ws):
        if read_regular(existing, ws.relative(existing), inside=ws.root) == data:
            raise TmxError(f"{path}: already imported as {ws.relative(existing)}")
    atomic_write(target, data)
    return ImportedMemory(target, len(content.units), content.skipped)


def template_segments(ws: Workspace, doc: str) -> set[str] | None:
    """The segments of ``doc`` as its template records them
    (``locales/<doc>.pot``, which ``extract`` writes from the source), or
    None when there is no template."""
    path = ws.template_path(doc)
    if not path.exists():
        return None
    return {message.id for message in load_catalog(path, ws.relative(path), inside=ws.root) if message.id}


@dataclass
class ExportedMemory:
    units: int  # units written
    skipped: list[str]  # one line per unit left out (a character the TMX reader refuses)
    #: one line per document whose units are written without their creator
    #: (a Last-Translator the TMX reader refuses)
    uncredited: list[str] = field(default_factory=list)


def export_tmx(ws: Workspace, destination: Path | str | BinaryIO, docs: Iterable[str] | None = None) -> ExportedMemory:
    """Write the reviewed pairs of ``docs`` (default: every document) as TMX
    to ``destination``, a path (written atomically) or a binary file object.

    Only the pairs of the documents as they are (:func:`exchanged_units`):
    the template says which sentences a document has; a catalog without one
    gives its live entries. A pair holding a character a TMX reader refuses
    (a control or bidirectional control character, which another tool may
    have put in a catalog) is left out with a line in ``skipped``
    (:func:`pipeline.tm.tmx.exportable`), so that the file always imports;
    such a character in a catalog's Last-Translator only drops the creator
    of its pairs (one line per document in ``uncredited``)."""
    names = ws.resolve_documents(list(docs or []))
    units: list[Unit] = []
    for doc in names:
        path = ws.catalog_path(doc)
        catalog = load_catalog(path, ws.relative(path), inside=ws.root)
        units.extend(exchanged_units(catalog, doc, template_segments(ws, doc)))
    units, skipped, uncredited = exportable(units)
    data = tmx_bytes(units)
    if isinstance(destination, (str, os.PathLike)):
        atomic_write(Path(destination), data)
    else:
        destination.write(data)
    return ExportedMemory(len(units), skipped, uncredited)
