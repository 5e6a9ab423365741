"""XLIFF 1.2 out and in, for translators who work outside the workspace
(OmegaT, Trados, memoQ, an agency).

**Export** (:func:`export_xliff`) writes one ``<file>`` for one document,
``source-language="zh-Hans"`` and ``target-language="en"``, with a
``<trans-unit>`` per segment of the catalog, in document order. Obsolete
entries and entries that are not segments (a ``msgctxt``, a plural) are
left out, and so is the ``#|`` previous source of a fuzzy entry. States:

====================== ==========================================================
catalog                XLIFF ``<target>``
====================== ==========================================================
untranslated           an empty ``<target state="new"/>``
machine draft          ``state="needs-review-translation"``,
                       ``state-qualifier="mt-suggestion"`` (``leveraged-tm`` for
                       a draft reused from the translation memory)
fuzzy                  ``state="needs-review-translation"``,
                       ``state-qualifier="fuzzy-match"``
edited outside review  ``state="needs-review-translation"``
translated             ``state="translated"``
approved               ``state="final"``, and ``approved="yes"`` on the unit
====================== ==========================================================

Inline codes (``<1>…</1>`` and ``<2/>`` in msgids, :mod:`pipeline.inline`)
become ``<g id="1">…</g>`` and ``<x id="2"/>``: XLIFF 1.2's elements for
codes whose native data the exchange does not carry. OmegaT shows them as
its own paired and standalone tags (``<g1>…</g1>``, ``<x2/>``) and checks
them; Trados Studio and memoQ read them as tag pairs and placeholders. A
msgid whose tag-like text does not form valid codes is plain text, as
everywhere else. On import ``<bpt>``/``<ept>``/``<ph>``/``<it>`` are read
too, by their ``id`` (``rid`` pairs a ``<bpt>`` with its ``<ept>``), and
``<mrk>`` is read as its text.

**OmegaT.** OmegaT's built-in XLIFF filter (3.6, Debian's) translates the
text of each unit's ``<target>``, not its ``<source>``: it expects the
target to hold a copy of the source, as Translate Toolkit's ``po2xliff``
writes it, and a unit whose target is missing or empty is not shown at
all (measured: ``tests/test_xliff_omegat.py``). A draft in the target would
be offered as the text to translate. So ``--omegat``
(:func:`render_xliff` ``for_omegat``) writes a copy of the source into
every target (``state="new"``) and the draft or translation into a note,
which OmegaT shows in its comments pane; the unit is marked
``pipeline:target="note"``, so that on import any text in its target is the
translator's own (OmegaT keeps the ``state`` it was given), and a target
that is still the source is an untranslated unit.

Each unit carries notes for the translator: the segment's type and place
in the source, the glossary terms in it, where the draft came from, and the
checks that fire on the current text, each ``from="pipeline"``; and the
entry's comments written by people (a note or a query to the desk,
:func:`pipeline.catalog.annotations.people_comments`), each
``<note from="translator" annotates="general">``, first. The unit's ``id``
is a hash of its source; the ``pipeline:tag`` attribute is the version of
the entry that was exported, which the import compares with the catalog.

**Import** (:func:`import_xliff`) takes a translation back only where the
unit's source is still a segment of the document, exactly, and the entry
has not changed in the workspace since the export. Each translation taken
goes through :meth:`pipeline.review.session.ReviewSession.import_translations`
(all of them in one update of the catalog and one history transaction; an
entry changed on disk meanwhile refuses that unit only, as a conflict):
recorded as the file's translator (``--translator NAME``, else the
``contact-name`` of the file's last ``<phase>``), in the document's history
as an ``import``, checked by the same gates as a review (an error-level
finding refuses the entry), and refused for an approved entry unless the
translator is an approver named with ``--translator`` (a name read from the
file is the file's claim, never taken as an approver's). Nothing else in the
catalog is touched. A target that is still the exported draft, in a state
that says nobody confirmed it, is skipped, and so is one that differs from
the catalog's text only by whitespace (an unchanged round trip is a no-op).
Two units for the same source are both refused. Every unit ends up in the report: taken, skipped or refused,
with its reason. A file for another document, or for another language
pair, is refused entry by entry.

**Notes back.** A ``<note>`` of a unit that the outside translator added
becomes a comment on the entry, through
:meth:`~pipeline.review.session.ReviewSession.add_comments` (the rules of
a comment written in review: one line, no text that could read as a
record, no control or bidi character; a history ``comment`` record, as the
file's translator; all of them in one transaction). It is read from every
unit whose source is a segment of the document, whatever happens to the
unit's translation (a query does not depend on it). Not taken: a
``from="pipeline"`` note (ours, whatever its text: a check that fired at
the export may not fire now), a note whose text is one this module writes
for the entry, and a note already on the entry as a comment (white space
aside): an unchanged round trip adds nothing. A note removed in the file
removes nothing: absence in a file from outside is not a decision. Each
note refused is one line of the report (:attr:`ImportReport.notes`) and
holds back nothing else; a unit with more than :data:`MAX_NEW_NOTES` new
notes has the rest refused.

The file is read under :mod:`pipeline.xmlsafe`'s policy (no entity
declarations, no external entities or DTDs), then by lxml with entity
resolution and the network off; files over :data:`MAX_XLIFF_BYTES` or with
more than :data:`MAX_UNITS` units are refused before anything is taken.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Message
from lxml import etree

from . import __version__, inline, xmlsafe
from .atomicfile import atomic_write, read_regular
from .catalog import State, annotations, state_of
from .catalog.annotations import block_types
from .catalog.states import is_segment, machine_signature, memory_stamp
from .catalog.store import load_snapshot
from .checks import Severity, check_message, entry_location
from .errors import PipelineError
from .languages import SOURCE, TARGET
from .terms import load_termbase
from .textsafety import first_unsafe, refuse_unsafe
from .workspace import Workspace

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
#: Our own attributes on a unit (XLIFF 1.2 allows attributes of other namespaces).
PIPELINE_NS = "urn:x-pipeline:xliff"
TOOL_ID = "pipeline"
#: The ``from`` of a note that is a comment written by a person on the entry.
TRANSLATOR_NOTE = "translator"
#: The largest XLIFF file read (a long document is a few MiB).
MAX_XLIFF_BYTES = 64 * 1024 * 1024
#: The most units one file may hold.
MAX_UNITS = 200_000
#: The most new notes taken as comments on one entry in one import (each is a write of the catalog).
MAX_NEW_NOTES = 10

_X = f"{{{XLIFF_NS}}}"
_P = f"{{{PIPELINE_NS}}}"

#: Target states that say nobody has confirmed the text yet.
UNCONFIRMED = frozenset(
    {
        "new",
        "needs-translation",
        "needs-adaptation",
        "needs-l10n",
        "needs-review-translation",
        "needs-review-adaptation",
        "needs-review-l10n",
    }
)
#: Language codes that name our pair in files written by other tools.
SOURCE_CODES = frozenset({"zh-hans", "zh_hans", "zh", "zh-cn", "zh_cn", "zh-hans-cn", "zh-sg"})
TARGET_CODES_PREFIX = TARGET.bcp47.lower()

TOOK, SKIPPED, REFUSED = "took", "skipped", "refused"
#: How a note names the text a unit had (``for_omegat``).
STATE_WORDS = {
    State.MACHINE_DRAFT: "draft",
    State.FUZZY: "translation of an older source",
    State.EDITED_OUTSIDE_REVIEW: "translation (edited outside review)",
    State.TRANSLATED: "translation",
    State.APPROVED: "approved translation",
}


class XliffError(PipelineError):
    """An XLIFF file that cannot be read at all, or cannot be written."""


# --- Export ------------------------------------------------------------------


def unit_id(msgid: str) -> str:
    """The id of the unit for ``msgid``: stable across exports, unique per source."""
    return "u" + hashlib.sha256(msgid.encode("utf-8")).hexdigest()[:16]


def _state_attributes(message: Message, state: State) -> dict[str, str] | None:
    """The ``<target>`` attributes for ``state``; None when there is no target."""
    if state is State.UNTRANSLATED:
        return None
    if state is State.MACHINE_DRAFT:
        qualifier = "leveraged-tm" if memory_stamp(message) and not machine_signature(message) else "mt-suggestion"
        return {"state": "needs-review-translation", "state-qualifier": qualifier}
    if state is State.FUZZY:
        return {"state": "needs-review-translation", "state-qualifier": "fuzzy-match"}
    if state is State.EDITED_OUTSIDE_REVIEW:
        return {"state": "needs-review-translation"}
    if state is State.APPROVED:
        return {"state": "final"}
    return {"state": "translated"}


def _append_inline(parent: etree._Element, text: str) -> None:
    """``text`` into ``parent``, its tags as ``<g>``/``<x/>`` when they form valid codes."""
    if not inline.TAG_RE.search(text) or not inline.is_well_formed(text):
        _append_text(parent, text)
        return
    stack = [parent]
    pos = 0
    for token in inline.parse(text):
        _append_text(stack[-1], text[pos : token.start])
        pos = token.end
        if token.kind == inline.OPEN:
            stack.append(etree.SubElement(stack[-1], _X + "g", id=str(token.number)))
        elif token.kind == inline.CLOSE:
            stack.pop()
        else:
            etree.SubElement(stack[-1], _X + "x", id=str(token.number))
    _append_text(stack[-1], text[pos:])


def _append_text(parent: etree._Element, text: str) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _notes(doc: str, message: Message, text: str, termbase) -> list[tuple[str, str]]:
    """(annotates, text) of each note of a unit: context, glossary, origin, checks."""
    notes = [("source", f"{', '.join(block_types(message)) or 'segment'} · {entry_location(message)}")]
    if termbase is not None:
        for term in termbase.terms_in(message.id):
            notes.append(
                ("source", f"glossary: {term.zh} = {term.en} ({term.type})" + (f"; {term.note}" if term.note else ""))
            )
    signature, stamp = machine_signature(message), memory_stamp(message)
    if signature:
        notes.append(("target", f"machine translation: {signature}"))
    elif stamp:
        notes.append(("target", f"translation memory: {stamp}"))
    if text:
        for finding in check_message(message, text, termbase, doc):
            notes.append(("target", f"check {finding.code} ({finding.severity.value}): {finding.message}"))
    return notes


def _refuse_for_xml(text: str, where: str) -> None:
    """Refuse text that :mod:`pipeline.textsafety` refuses, or that XML 1.0 cannot carry (U+FFFE)."""
    refuse_unsafe(text, where)
    bad = xmlsafe.unrepresentable(text)
    if bad is not None:
        raise XliffError(f"{where} holds U+{ord(bad):04X}, which XML cannot carry")


def render_xliff(ws: Workspace, doc: str, for_omegat: bool = False) -> tuple[bytes, dict[str, int]]:
    """The XLIFF 1.2 file of ``doc``, and how many units of each state it
    holds; ``for_omegat``: every target a copy of the source, the current
    text in a note (OmegaT's built-in filter translates the target)."""
    from .review.roles import roles_for
    from .review.session import EntryVersion

    path = ws.catalog_path(doc)
    catalog, _ = load_snapshot(path, ws.relative(path), inside=ws.root)
    termbase = load_termbase(ws.glossary, inside=ws.root)
    roles = roles_for(ws)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    root = etree.Element(_X + "xliff", nsmap={None: XLIFF_NS, "pipeline": PIPELINE_NS}, version="1.2")
    file_ = etree.SubElement(
        root,
        _X + "file",
        original=doc,
        datatype="plaintext",
        attrib={"source-language": SOURCE.bcp47, "target-language": TARGET.bcp47, "tool-id": TOOL_ID},
    )
    header = etree.SubElement(file_, _X + "header")
    etree.SubElement(
        header, _X + "tool", attrib={"tool-id": TOOL_ID, "tool-name": "pipeline", "tool-version": __version__}
    )
    phases = etree.SubElement(header, _X + "phase-group")
    etree.SubElement(
        phases,
        _X + "phase",
        attrib={"phase-name": "export", "process-name": "translation", "tool-id": TOOL_ID, "date": now},
    )
    note = etree.SubElement(header, _X + "note", attrib={"from": TOOL_ID})
    note.text = (
        f"Exported from the pipeline workspace's catalog of {doc}. Translate the targets; "
        "leave <source> as it is: a unit whose source changed is refused on import. "
        "A note you add to a unit comes back as a comment on the entry."
    )
    body = etree.SubElement(file_, _X + "body")
    counts: dict[str, int] = {}
    for message in catalog:
        if not is_segment(message):
            continue  # obsolete entries are not iterated; msgctxt and plural entries are not segments
        _refuse_for_xml(message.id, f"{ws.relative(path)}: the source of an entry")
        text = message.string or ""
        state = state_of(message, roles)
        counts[state.value] = counts.get(state.value, 0) + 1
        unit = etree.SubElement(
            body,
            _X + "trans-unit",
            id=unit_id(message.id),
            attrib={
                "{http://www.w3.org/XML/1998/namespace}space": "preserve",
                _P + "tag": EntryVersion.of(message).tag,
            },
        )
        if state is State.APPROVED:
            unit.set("approved", "yes")
        _append_inline(etree.SubElement(unit, _X + "source"), message.id)
        _refuse_for_xml(text, f"{ws.relative(path)}: the translation of an entry")
        attributes = _state_attributes(message, state)
        notes = _notes(doc, message, text, termbase)
        if for_omegat:
            _append_inline(etree.SubElement(unit, _X + "target", state="new"), message.id)
            unit.set(_P + "target", "note")
            if attributes is not None:
                notes.insert(0, ("target", f"{STATE_WORDS[state]}: {text}"))
        elif attributes is None:
            etree.SubElement(unit, _X + "target", state="new")
        else:
            _append_inline(etree.SubElement(unit, _X + "target", attrib=attributes), text)
        for comment in annotations.people_comments(message):
            _refuse_for_xml(comment, f"{ws.relative(path)}: a comment on an entry")
            etree.SubElement(unit, _X + "note", annotates="general", attrib={"from": TRANSLATOR_NOTE}).text = comment
        for annotates, note_text in notes:
            etree.SubElement(unit, _X + "note", annotates=annotates, attrib={"from": TOOL_ID}).text = note_text
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data, counts


@dataclass
class ExportSummary:
    path: Path
    units: int
    states: dict[str, int]


def export_xliff(ws: Workspace, doc: str, out: Path, for_omegat: bool = False) -> ExportSummary:
    """Write ``doc`` as XLIFF 1.2 to ``out`` (atomically)."""
    if doc not in ws.documents():
        raise XliffError(f"no document named {doc!r} in this workspace")
    data, counts = render_xliff(ws, doc, for_omegat)
    atomic_write(Path(out), data)
    return ExportSummary(Path(out), sum(counts.values()), counts)


# --- Reading a file ----------------------------------------------------------------


@dataclass
class Note:
    """One ``<note>`` of a unit as read: its text and who it says it is from."""

    text: str
    origin: str | None  # the ``from`` attribute
    line: int


@dataclass
class Unit:
    """One ``<trans-unit>`` as read: its source and target as msgid-style text."""

    id: str
    line: int
    source: str | None  # None: the source holds markup we cannot read back
    target: str | None
    state: str | None
    approved: bool
    tag: str | None
    target_in_note: bool = False
    problem: str | None = None
    notes: list[Note] = field(default_factory=list)


@dataclass
class XliffFile:
    original: str
    source_language: str
    target_language: str
    translator: str | None
    units: list[Unit]


def _inline_text(element: etree._Element) -> str:
    """The text of a ``<source>``/``<target>`` with its codes as msgid tags."""
    out: list[str] = [element.text or ""]
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else None
        ident = child.get("id") or ""
        if name == "g":
            out.append(f"<{_tag_number(ident)}>{_inline_text(child)}</{_tag_number(ident)}>")
        elif name in ("x", "ph", "it"):
            out.append(f"<{_tag_number(ident)}/>")
        elif name == "bpt":
            out.append(f"<{_tag_number(child.get('rid') or ident)}>")
        elif name == "ept":
            out.append(f"</{_tag_number(child.get('rid') or ident)}>")
        elif name == "mrk":
            out.append(_inline_text(child))
        elif name is None:
            pass  # a comment or processing instruction: not text
        else:
            raise _UnitProblem(f"<{name}> inside a segment is not read")
        out.append(child.tail or "")
    return "".join(out)


class _UnitProblem(Exception):
    pass


def _tag_number(ident: str) -> int:
    if not ident.isdigit() or not 1 <= int(ident) <= 999:
        raise _UnitProblem(f"an inline code with id {ident!r} (ids are the numbers 1…999 this export wrote)")
    return int(ident)


def _parse_bytes(data: bytes, display: str) -> etree._Element:
    """``data`` parsed under the XML policy: xmlsafe's refusals, then lxml with nothing resolved."""
    xmlsafe.parse(xmlsafe.make_parser("XLIFF"), data, display, XliffError)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise XliffError(f"{display}:{exc.lineno}: not well-formed XML: {exc.msg}") from None


def read_xliff(path: Path) -> XliffFile:
    """The first ``<file>`` of an XLIFF 1.2 document, its units and its translator."""
    display = str(path)
    try:
        size = Path(path).stat().st_size
    except OSError as exc:
        raise XliffError(f"cannot read {display}: {exc.strerror or exc}") from None
    if size > MAX_XLIFF_BYTES:
        raise XliffError(f"{display}: {size} bytes; XLIFF files over {MAX_XLIFF_BYTES // 2**20} MiB are refused")
    data = read_regular(Path(path), display)
    if len(data) > MAX_XLIFF_BYTES:
        raise XliffError(f"{display}: XLIFF files over {MAX_XLIFF_BYTES // 2**20} MiB are refused")
    root = _parse_bytes(data, display)
    if etree.QName(root).localname != "xliff" or etree.QName(root).namespace not in (XLIFF_NS, None):
        raise XliffError(f"{display}: not an XLIFF file (the root element is <{etree.QName(root).localname}>)")
    if root.get("version", "1.2") != "1.2":
        raise XliffError(f"{display}: XLIFF {root.get('version')}; only XLIFF 1.2 is read")
    ns = etree.QName(root).namespace
    q = (lambda name: f"{{{ns}}}{name}") if ns else (lambda name: name)
    files = root.findall(q("file"))
    if len(files) != 1:
        raise XliffError(f"{display}: {len(files)} <file> elements; a file exported by pipeline holds one document")
    file_ = files[0]
    translator = None
    for phase in file_.iter(q("phase")):
        if phase.get("contact-name"):
            translator = phase.get("contact-name")
    units: list[Unit] = []
    for element in file_.iter(q("trans-unit")):
        if len(units) >= MAX_UNITS:
            raise XliffError(f"{display}: more than {MAX_UNITS} units; refused")
        units.append(_read_unit(element, q))
    return XliffFile(
        original=file_.get("original", ""),
        source_language=file_.get("source-language", ""),
        target_language=file_.get("target-language", ""),
        translator=translator,
        units=units,
    )


def _read_unit(element: etree._Element, q) -> Unit:
    source_el, target_el = element.find(q("source")), element.find(q("target"))
    unit = Unit(
        id=element.get("id", ""),
        line=element.sourceline or 0,
        source=None,
        target=None,
        state=target_el.get("state") if target_el is not None else None,
        approved=element.get("approved") == "yes",
        tag=element.get(_P + "tag"),
        target_in_note=element.get(_P + "target") == "note",
        notes=[Note("".join(n.itertext()), n.get("from"), n.sourceline or 0) for n in element.findall(q("note"))],
    )
    try:
        if source_el is None:
            raise _UnitProblem("the unit has no <source>")
        unit.source = _inline_text(source_el)
        unit.target = _inline_text(target_el) if target_el is not None else None
    except _UnitProblem as exc:
        unit.problem = str(exc)
    return unit


# --- Import --------------------------------------------------------------------------


@dataclass
class Outcome:
    unit: str
    line: int
    msgid: str | None
    result: str  # took | skipped | refused
    reason: str
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "unit": self.unit,
            "line": self.line,
            "msgid": self.msgid,
            "result": self.result,
            "reason": self.reason,
            "warnings": self.warnings,
        }


@dataclass
class ImportReport:
    doc: str
    translator: str
    outcomes: list[Outcome]
    #: One per note taken as a comment (``took``) or refused; the notes left alone are not listed.
    notes: list[Outcome] = field(default_factory=list)

    def count(self, result: str) -> int:
        return sum(o.result == result for o in self.outcomes)

    @property
    def took(self) -> int:
        return self.count(TOOK)

    @property
    def skipped(self) -> int:
        return self.count(SKIPPED)

    @property
    def refused(self) -> int:
        return self.count(REFUSED)

    @property
    def comments_added(self) -> int:
        return sum(o.result == TOOK for o in self.notes)

    @property
    def notes_refused(self) -> int:
        return sum(o.result == REFUSED for o in self.notes)

    @property
    def failed(self) -> bool:
        """Whether anything in the file was refused (a unit or a note): the exit code is 1."""
        return bool(self.refused or self.notes_refused)

    def as_dict(self) -> dict:
        return {
            "doc": self.doc,
            "translator": self.translator,
            "took": self.took,
            "skipped": self.skipped,
            "refused": self.refused,
            "comments_added": self.comments_added,
            "notes_refused": self.notes_refused,
            "units": [o.as_dict() for o in self.outcomes],
            "notes": [o.as_dict() for o in self.notes],
        }


def _whole_file_refusal(xliff: XliffFile, ws: Workspace, doc: str | None) -> tuple[str, str | None]:
    """The document the file is imported into, and why every unit is refused (or None)."""
    target = doc or xliff.original
    if xliff.source_language.lower() not in SOURCE_CODES or not (
        xliff.target_language.lower() == TARGET_CODES_PREFIX
        or xliff.target_language.lower().startswith(TARGET_CODES_PREFIX + "-")
    ):
        return target, (
            f"the file translates {xliff.source_language or '?'} into {xliff.target_language or '?'}, "
            f"not {SOURCE.bcp47} into {TARGET.bcp47}"
        )
    if doc is not None and xliff.original != doc:
        return target, f"the file is for the document {xliff.original!r}, not {doc!r}"
    if target not in ws.documents():
        return target, f"no document named {target!r} in this workspace"
    return target, None


def import_xliff(ws: Workspace, path: Path, translator: str | None = None, doc: str | None = None) -> ImportReport:
    """Take the translations of the XLIFF file at ``path`` into its document
    (``doc``, else the file's ``original``), as this module says."""
    from .review.session import ReviewSession, reviewer_name

    xliff = read_xliff(path)
    name = translator or xliff.translator
    if not name:
        raise XliffError(f"{path}: the file names no translator (no <phase contact-name>); give --translator NAME")
    name = reviewer_name(name)
    target_doc, refusal = _whole_file_refusal(xliff, ws, doc)
    if refusal is not None:
        return ImportReport(target_doc, name, [Outcome(u.id, u.line, u.source, REFUSED, refusal) for u in xliff.units])

    session = ReviewSession(ws, target_doc, name)
    termbase = load_termbase(ws.glossary, inside=ws.root)
    from .review.web.security import max_translation_length  # the one length rule of a saved translation

    # Two units for one source: which one the translator meant is unknown, so neither is taken.
    sources = Counter(u.source for u in xliff.units if not u.problem)
    twins = {source for source, n in sources.items() if n > 1}
    # A name read from the file is whoever wrote the file's claim: it never counts as an approver's.
    vouched = translator is not None
    outcomes: list[Outcome | _Take] = [
        _import_unit(session, unit, twins, vouched, max_translation_length) for unit in xliff.units
    ]
    # The notes are told from ours against the entries as exported, before anything is taken.
    new_notes = [note for unit in xliff.units for note in _new_notes(session, unit, termbase)]
    # Every translation taken in one update of the catalog and one history transaction
    # (a conflict on one entry refuses that unit only).
    takes = [o for o in outcomes if isinstance(o, _Take)]
    results = session.import_translations([(t.source, t.text, t.version_tag) for t in takes])
    taken = {id(take): _taken(session, take, result, termbase) for take, result in zip(takes, results, strict=True)}
    return ImportReport(
        target_doc,
        name,
        [taken[id(o)] if isinstance(o, _Take) else o for o in outcomes],
        _take_notes(session, new_notes),
    )


@dataclass
class _Take:
    """A unit that passed the file's rules, for the session to decide."""

    unit: Unit
    source: str
    text: str
    version_tag: str
    accepted_draft: bool  # the text is the catalog's own (a draft confirmed)


def _taken(session, take: _Take, result, termbase) -> Outcome:
    unit = take.unit
    if isinstance(result, PipelineError):  # a conflict, a gate, a role, a rule of the session: this unit only
        return Outcome(unit.id, unit.line, unit.source, REFUSED, str(result))
    if result.record is None:  # the session found nothing to change (approved, the same text)
        return Outcome(unit.id, unit.line, unit.source, SKIPPED, "unchanged")
    saved = session.catalog.get(take.source)
    warnings = (
        [
            f"{f.code}: {f.message}"
            for f in check_message(saved, saved.string, termbase, session.doc)
            if f.severity is not Severity.ERROR
        ]
        if saved is not None
        else []
    )
    note = " (the file's approval is not taken: approve in review)" if unit.approved else ""
    reason = ("accepted the draft" if take.accepted_draft else "imported") + note
    return Outcome(unit.id, unit.line, unit.source, TOOK, reason, warnings)


def _import_unit(session, unit: Unit, twins: set[str], vouched: bool, max_length) -> Outcome | _Take:
    """The unit's outcome when the file's rules settle it, else what to take."""

    def out(result: str, reason: str, warnings: list[str] | None = None) -> Outcome:
        return Outcome(unit.id, unit.line, unit.source, result, reason, warnings or [])

    if unit.problem:
        return out(REFUSED, unit.problem)
    source = unit.source or ""
    if first_unsafe(source) is not None:
        return out(REFUSED, "the source holds a control, bidi or surrogate character")
    message = session.catalog.get(source)
    if message is None or not is_segment(message):
        return out(REFUSED, f"the source is not a segment of {session.doc} now (changed or removed since the export)")
    if source in twins:
        return out(REFUSED, "more than one unit for the same source; none of them is taken")
    text = " ".join((unit.target or "").split())
    if not text or text == " ".join(source.split()):
        return out(SKIPPED, "no translation")  # empty, or still the copy of the source OmegaT translates
    if first_unsafe(unit.target or "") is not None:
        return out(REFUSED, "the translation holds a control, bidi or surrogate character")
    if len(text) > max_length(source):
        return out(REFUSED, f"the translation has {len(text)} characters; at most {max_length(source)} are saved")
    current = message.string or ""
    state = session.state(message)
    version_tag = _version_tag(message)
    if unit.tag is not None and unit.tag != version_tag:
        return out(REFUSED, f"changed in the workspace since the export (now {state.value}); export again")
    if text == " ".join(current.split()):  # the text as sent (what the file's whitespace did to it aside)
        text = current
    if state is State.APPROVED and text != current and not vouched:
        return out(
            REFUSED,
            "approved in the workspace; the translator named in the file is not taken as an approver "
            "(an approver imports it with --translator NAME)",
        )
    if text == current:
        if state.reviewed:
            return out(SKIPPED, f"unchanged ({state.value})")
        if not unit.target_in_note and (unit.state is None or unit.state in UNCONFIRMED):
            return out(SKIPPED, f"still the exported draft, not confirmed in the file (state={unit.state or 'none'})")
    elif unit.tag is None and state.reviewed:
        return out(
            REFUSED,
            f"already {state.value} in the workspace with another text, and the file does not say which "
            "version it translated; review the difference there",
        )
    return _Take(unit, source, text, version_tag, accepted_draft=text == current)


@dataclass
class _NewNote:
    """A note of a unit that is not ours: a comment to add to the entry ``source``."""

    unit: Unit
    note: Note
    source: str

    def outcome(self, result: str, reason: str) -> Outcome:
        return Outcome(self.unit.id, self.note.line, self.source, result, reason)


def _new_notes(session, unit: Unit, termbase) -> list[_NewNote]:
    """The notes of ``unit`` that are not ours, when its source is a segment of the document."""
    source = unit.source
    if unit.problem or source is None or first_unsafe(source) is not None:
        return []
    message = session.catalog.get(source)
    if message is None or not is_segment(message):
        return []
    theirs = [n for n in unit.notes if n.origin != TOOL_ID and annotations.comment_text(n.text)]
    if not theirs:
        return []
    ours = set(_notes(session.doc, message, message.string or "", termbase))
    state = session.state(message)
    if state in STATE_WORDS:
        ours.add(("target", f"{STATE_WORDS[state]}: {message.string}"))
    ours_text = {annotations.comment_text(text) for _, text in ours}
    return [_NewNote(unit, n, source) for n in theirs if annotations.comment_text(n.text) not in ours_text]


def _take_notes(session, new_notes: list[_NewNote]) -> list[Outcome]:
    """Add each new note to its entry as a comment, unless it is already there; the outcomes.

    A round takes at most one note per entry (one decision per entry per transaction):
    one round in the usual case, a few where a unit carries several new notes."""
    outcomes: list[tuple[int, Outcome]] = []  # (the note's place in the file, its outcome)
    per_entry: Counter[str] = Counter()
    place = {id(new): n for n, new in enumerate(new_notes)}
    pending = new_notes
    while pending:
        this_round: list[_NewNote] = []
        later: list[_NewNote] = []
        in_round: set[str] = set()
        for new in pending:
            message = session.catalog.get(new.source)
            said = annotations.comment_text(new.note.text)
            if message is not None and said in map(annotations.comment_text, annotations.people_comments(message)):
                continue  # on the entry already: one we exported, or a twin's
            if per_entry[new.source] >= MAX_NEW_NOTES:
                outcomes.append(
                    (place[id(new)], new.outcome(REFUSED, f"more than {MAX_NEW_NOTES} new notes for one entry"))
                )
                continue
            if new.source in in_round:
                later.append(new)
                continue
            in_round.add(new.source)
            per_entry[new.source] += 1
            this_round.append(new)
        results = session.add_comments([(new.source, new.note.text) for new in this_round])
        for new, result in zip(this_round, results, strict=True):
            refused = isinstance(result, PipelineError)
            outcome = new.outcome(REFUSED, str(result)) if refused else new.outcome(TOOK, "added as a comment")
            outcomes.append((place[id(new)], outcome))
        pending = later
    return [outcome for _, outcome in sorted(outcomes, key=lambda item: item[0])]


def _version_tag(message: Message) -> str:
    from .review.session import EntryVersion

    return EntryVersion.of(message).tag
