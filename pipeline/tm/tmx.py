"""TMX 1.4b, the exchange format of translation memories.

:func:`write_tmx` writes standard TMX 1.4b in UTF-8: one ``<tu>`` per unit,
the Chinese ``<tuv xml:lang="zh-Hans">`` first and the English
``<tuv xml:lang="en">`` second, the unit's document in
``<prop type="x-document">``, its creator and date in ``creationid`` and
``creationdate`` (``YYYYMMDDThhmmssZ``). The output is deterministic: no
header date, units in the order given.

:func:`read_tmx` reads what other tools write: ``xml:lang`` or the older
``lang``, language codes matched case-insensitively by primary language
(``zh-CN``, ``ZH-HANS``, ``zh_Hans`` are Chinese; ``en-US``, ``en-GB`` are
English; Simplified Chinese is preferred when a unit has both scripts),
UTF-8 or UTF-16 with or without a byte-order mark, and inline markup in
``<seg>``: the text of ``<hi>`` is kept, while ``<bpt>``, ``<ept>``,
``<it>``, ``<ph>`` and ``<ut>`` hold native codes of the original format
(``<b>``, ``{1}``), which are not text and are dropped. Units without both
a Chinese and an English segment are skipped.

Both work on binary file objects, as Babel's ``read_po``/``write_po`` do,
and never touch the disk; :mod:`pipeline.tm.store` reads and writes the
workspace's files.

A file that is not well-formed XML, or not TMX, is refused with
``file:line``. So is any entity declaration, by the XML policy of
:mod:`pipeline.xmlsafe`: a ``<!DOCTYPE>`` with an internal subset is refused
before its entities could expand ("billion laughs"). A plain
``<!DOCTYPE tmx SYSTEM "tmx14.dtd">``, which many tools write, is accepted;
external DTDs and entities are never loaded.

A unit that holds a character :mod:`pipeline.textsafety` refuses (a control
character, a bidirectional control; line breaks too in the creator, the
document and the ``<tu>`` attributes) refuses the whole file, with one line
that names the file, the line of the ``<tu>`` and the field. The file is not
half imported with the unit skipped: a memory is shared and re-exported, and
a unit left out on the way would be lost without anyone deciding it.

Writing follows the same rule (:func:`refusal`), so that nothing we write
is refused when read back: :func:`write_tmx` refuses a unit that holds such
a character, and :func:`exportable` sets such units aside, one warning line
each, for an export that should not be blocked by one bad entry; a unit
whose only fault is its creator is kept without ``creationid`` (one warning
line per document), so that no translation is lost for a name.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import BinaryIO

from .. import __version__, xmlsafe
from ..errors import PipelineError
from ..languages import SOURCE, TARGET
from ..textsafety import UnsafeTextError, describe, first_unsafe, printable, refuse_unsafe
from .units import Unit

SOURCE_LANG = SOURCE.bcp47
TARGET_LANG = TARGET.bcp47
#: The property naming the document a unit was reviewed in.
DOCUMENT_PROP = "x-document"

#: ``<tu>`` attributes of TMX 1.4b that a unit keeps as they are.
#: ``creationid``/``creationdate`` are modelled (``created_by``/``created_at``);
#: ``srclang`` is implied by the languages of the unit.
KEPT_TU_ATTRIBUTES = (
    "tuid",
    "o-encoding",
    "datatype",
    "usagecount",
    "lastusagedate",
    "creationtool",
    "creationtoolversion",
    "changedate",
    "segtype",
    "changeid",
    "o-tmf",
)

#: Inline elements whose content is native code of the original format.
_CODE_ELEMENTS = frozenset({"bpt", "ept", "it", "ph", "ut"})
_TMX_DATE = "%Y%m%dT%H%M%SZ"
_DATE_RE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})Z$")


class TmxError(PipelineError):
    """A TMX file that cannot be read or written; the message says ``file:line``."""


# --- Dates --------------------------------------------------------------------


def format_tmx_date(moment: datetime) -> str:
    """``moment`` in TMX's date format, in UTC (a naive datetime is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime(_TMX_DATE)


def parse_tmx_date(text: str | None) -> datetime | None:
    """A TMX date (``20240131T120000Z``; ISO 8601 with separators is accepted
    too) as an aware UTC datetime, or None when absent or unreadable."""
    match = _DATE_RE.match((text or "").strip())
    if not match:
        return None
    try:
        return datetime(*map(int, match.groups()), tzinfo=timezone.utc)
    except ValueError:  # 20241301T…: not a date
        return None


# --- The rule for a unit's text ------------------------------------------------


def _fields(unit: Unit) -> Iterator[tuple[str, str, bool]]:
    """``(what, text, is_name)`` for every field of ``unit`` a TMX file
    carries: segments, property values and notes are text; the document,
    the creator, property types and ``<tu>`` attributes are names (one line)."""
    yield "Chinese segment", unit.source, False
    yield "English segment", unit.target, False
    for kind, value in unit.properties:
        yield f"<prop type={kind!r}>", value, False
    for note in unit.notes:
        yield "<note>", note, False
    yield "document (x-document)", unit.origin, True
    yield "creationid", unit.created_by or "", True
    for kind, _ in unit.properties:
        yield "<prop> type", kind, True
    for name, value in unit.attributes:
        yield f"attribute {name}", value, True


def refusal(unit: Unit) -> str | None:
    """Why ``unit`` cannot be exchanged as TMX, or None: the first field
    holding a character :mod:`pipeline.textsafety` refuses (which
    :func:`read_tmx` would refuse) or that XML cannot carry (a form feed)."""
    for what, text, name in _fields(unit):
        index = first_unsafe(text, name=name)
        if index is not None:
            return f"{what}: {describe(text, index)}"
        bad = xmlsafe.unrepresentable(text)
        if bad:
            return f"{what}: U+{ord(bad):04X}, which XML cannot represent"
    return None


def exportable(units: Iterable[Unit]) -> tuple[list[Unit], list[str], list[str]]:
    """The units of ``units`` that can be written; one line for each unit
    left out, naming its document, its source and the character; and one
    line for each document whose units are written without their creator.

    A localization tool's export does not stop at one bad entry: the entry
    is left out, said, and fixed in the catalog; the rest of the memory
    still reaches the other tool. A creator the reader would refuse (a
    catalog's Last-Translator, which every unit of the document carries)
    is not the translation's fault: its units are written without
    ``creationid``, said once per document, and only a unit whose own text
    or document is refused is left out."""
    kept: list[Unit] = []
    skipped: list[str] = []
    uncredited: dict[str, tuple[str, str, int]] = {}  # origin -> (creator, why, units)
    for unit in units:
        why = refusal(unit)
        if why is not None and unit.created_by:
            anonymous = replace(unit, created_by=None)
            own = refusal(anonymous)
            if own is None:  # only the creator is refused
                creator, first_why, count = uncredited.get(unit.origin, (unit.created_by, why, 0))
                uncredited[unit.origin] = (creator, first_why, count + 1)
                unit, why = anonymous, None
            else:
                why = own  # the unit's own fault, whoever made it
        if why is None:
            kept.append(unit)
            continue
        source = unit.source if len(unit.source) <= 30 else unit.source[:30] + "…"
        skipped.append(
            printable(f"{unit.origin}: entry {source!r} left out of the TMX: {why} is not allowed", one_line=True)
        )
    unnamed = [
        printable(
            f"{origin}: {count} {'entry' if count == 1 else 'entries'} exported without their creator "
            f"{creator!r}: {why} is not allowed",
            one_line=True,
        )
        for origin, (creator, why, count) in uncredited.items()
    ]
    return kept, skipped, unnamed


# --- Writing ------------------------------------------------------------------


def _escape_text(text: str) -> str:
    # \r would come back as \n: XML parsers normalise line ends in text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _escape_attribute(text: str) -> str:
    # White space in attribute values is normalised to spaces unless escaped.
    return _escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _attributes(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f' {name}="{_escape_attribute(value)}"' for name, value in pairs)


def _tu(unit: Unit, number: int) -> str:
    where = f"unit {number} (from {printable(unit.origin, one_line=True)})"
    why = refusal(unit)
    if why is not None:
        raise TmxError(f"{where}: {why} is not allowed")
    attributes: list[tuple[str, str]] = []
    for name, value in unit.attributes:
        if name not in KEPT_TU_ATTRIBUTES:
            raise TmxError(f"{where}: '{name}' is not a TMX 1.4b attribute of <tu>")
        attributes.append((name, value))
    modelled: list[tuple[str, str]] = []
    if unit.created_at is not None:
        modelled.append(("creationdate", format_tmx_date(unit.created_at)))
    if unit.created_by:
        modelled.append(("creationid", unit.created_by))
    attributes = modelled + attributes
    lines = [f"    <tu{_attributes(attributes)}>"]
    for note in unit.notes:
        lines.append(f"      <note>{_escape_text(note)}</note>")
    for kind, value in ((DOCUMENT_PROP, unit.origin), *unit.properties):
        lines.append(f'      <prop type="{_escape_attribute(kind)}">{_escape_text(value)}</prop>')
    for lang, text in ((SOURCE_LANG, unit.source), (TARGET_LANG, unit.target)):
        lines.append(f'      <tuv xml:lang="{lang}"><seg>{_escape_text(text)}</seg></tuv>')
    lines.append("    </tu>")
    return "\n".join(lines) + "\n"


def write_tmx(fileobj: BinaryIO, units: Iterable[Unit]) -> int:
    """Write ``units`` to the binary ``fileobj`` as TMX 1.4b; return how many.

    Raise TmxError, writing nothing, for a unit that :func:`read_tmx` would
    refuse (:func:`refusal`: control and bidirectional control characters,
    text XML cannot carry); :func:`exportable` sets such units aside first.
    """
    header = _attributes(
        [
            ("creationtool", "pipeline"),
            ("creationtoolversion", __version__),
            ("segtype", "sentence"),
            ("o-tmf", "PO"),
            ("adminlang", "en"),
            ("srclang", SOURCE_LANG),
            ("datatype", "plaintext"),
        ]
    )
    # Render everything before writing, so a refused unit leaves nothing half-written.
    body = [_tu(unit, number) for number, unit in enumerate(units, start=1)]
    fileobj.write(
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<tmx version="1.4">\n'
            f"  <header{header}/>\n"
            "  <body>\n" + "".join(body) + "  </body>\n</tmx>\n"
        ).encode("utf-8")
    )
    return len(body)


def tmx_bytes(units: Iterable[Unit]) -> bytes:
    """``units`` as the bytes of a TMX file."""
    buffer = io.BytesIO()
    write_tmx(buffer, units)
    return buffer.getvalue()


# --- Reading ------------------------------------------------------------------


def primary_language(code: str) -> str:
    """``zh`` for ``zh-CN``, ``ZH-HANS``, ``zh_Hans``; ``en`` for ``en-GB``."""
    return re.split(r"[-_]", code.strip(), maxsplit=1)[0].lower()


def _traditional(code: str) -> bool:
    subtags = re.split(r"[-_]", code.strip().lower())[1:]
    return any(tag in ("hant", "tw", "hk", "mo") for tag in subtags)


@dataclass
class TmxContent:
    """What a TMX file holds for us: its zh→en units, the number of
    translation units skipped (other languages, an empty side), and the
    primary languages seen."""

    units: list[Unit]
    skipped: int
    languages: Counter


class _Segment:
    """The text of a ``<seg>``; native codes are dropped, and where one
    stood between two spaces a single space remains."""

    def __init__(self) -> None:
        self.parts: list[str | None] = []  # None marks a dropped code
        self.inline: list[bool] = []  # for each open inline element: inside a code?

    def data(self, text: str) -> None:
        if not any(self.inline):
            self.parts.append(text)

    def open(self, name: str) -> None:
        code = name in _CODE_ELEMENTS or any(self.inline)
        if code and not any(self.inline):
            self.parts.append(None)
        self.inline.append(code)

    def close(self) -> None:
        self.inline.pop()

    def text(self) -> str:
        out, after_code = "", False
        for part in self.parts:
            if part is None:
                after_code = True
                continue
            if after_code and out[-1:].isspace():
                part = part.lstrip()
                if not part:
                    continue
            out += part
            after_code = False
        return out


@dataclass
class _Tuv:
    lang: str
    attrs: dict[str, str]
    seg: str | None = None


@dataclass
class _Tu:
    line: int
    attrs: dict[str, str]
    tuvs: list[_Tuv] = field(default_factory=list)
    props: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Reader:
    """Expat callbacks that turn TMX into units."""

    def __init__(self, parser, filename: str, default_origin: str):
        self.parser = parser
        self.filename = filename
        self.default_origin = default_origin
        self.stack: list[str] = []
        self.seen_body = False
        self.tu: _Tu | None = None
        self.tuv: _Tuv | None = None
        self.segment: _Segment | None = None
        self.field: list[str] | None = None  # text of a <prop> or <note>
        self.prop_type = ""
        self.content = TmxContent([], 0, Counter())
        self.tu_count = 0  # <tu> elements so far, for messages

    def error(self, message: str) -> TmxError:
        return TmxError(f"{self.filename}:{self.parser.CurrentLineNumber}: {message}")

    # Elements.
    def start(self, name: str, attrs: dict[str, str]) -> None:
        parent = self.stack[-1] if self.stack else None
        self.stack.append(name)
        if parent is None:
            if name != "tmx":
                raise self.error(f"not a TMX file: the root element is <{name}>, not <tmx>")
            return
        if self.segment is not None:
            self.segment.open(name)
        elif name == "body" and parent == "tmx":
            self.seen_body = True
        elif name == "tu" and parent == "body":
            self.tu_count += 1
            self.tu = _Tu(self.parser.CurrentLineNumber, dict(attrs))
        elif name in ("prop", "note") and parent == "tu":
            self.field, self.prop_type = [], attrs.get("type", "")
        elif name == "tuv" and parent == "tu":
            lang = attrs.get("xml:lang") or attrs.get("lang")
            if not lang or not lang.strip():
                raise self.error("<tuv> without xml:lang")
            self.tuv = _Tuv(lang.strip(), dict(attrs))
        elif name == "seg" and parent == "tuv" and self.tuv is not None:
            if self.tuv.seg is not None:
                raise self.error("a second <seg> in one <tuv>")
            self.segment = _Segment()

    def data(self, text: str) -> None:
        if self.segment is not None:
            self.segment.data(text)
        elif self.field is not None:
            self.field.append(text)

    def end(self, name: str) -> None:
        self.stack.pop()
        if self.segment is not None and name != "seg":
            self.segment.close()
        elif name == "seg" and self.segment is not None and self.tuv is not None:
            self.tuv.seg = self.segment.text()
            self.segment = None
        elif name in ("prop", "note") and self.field is not None and self.tu is not None:
            text = "".join(self.field)
            if name == "prop":
                self.tu.props.append((self.prop_type, text))
            else:
                self.tu.notes.append(text)
            self.field = None
        elif name == "tuv" and self.tuv is not None and self.tu is not None:
            self.tu.tuvs.append(self.tuv)
            self.tuv = None
        elif name == "tu" and self.tu is not None:
            self.finish_tu(self.tu)
            self.tu = None

    def finish_tu(self, tu: _Tu) -> None:
        for tuv in tu.tuvs:
            self.content.languages[primary_language(tuv.lang)] += 1
        chinese = [t for t in tu.tuvs if primary_language(t.lang) == "zh" and (t.seg or "").strip()]
        english = [t for t in tu.tuvs if primary_language(t.lang) == "en" and (t.seg or "").strip()]
        if not chinese or not english:
            self.content.skipped += 1
            return
        source = min(chinese, key=lambda t: _traditional(t.lang))  # Simplified first
        target = english[0]
        documents = [value for kind, value in tu.props if kind == DOCUMENT_PROP]
        origin = documents[0] if documents else self.default_origin
        properties = list(tu.props)
        if documents:
            properties.remove((DOCUMENT_PROP, origin))
        self.content.units.append(
            self.safe(
                tu,
                source=source.seg or "",
                target=target.seg or "",
                origin=origin,
                created_by=tu.attrs.get("creationid") or target.attrs.get("creationid"),
                created_at=parse_tmx_date(tu.attrs.get("creationdate") or target.attrs.get("creationdate")),
                properties=tuple(properties),
                notes=tuple(tu.notes),
                attributes=tuple((k, v) for k, v in tu.attrs.items() if k in KEPT_TU_ATTRIBUTES),
            )
        )

    def safe(self, tu: _Tu, **fields) -> Unit:
        """The unit, or TmxError naming the first field that holds a refused character."""
        unit = Unit(**fields)
        where = f"{self.filename}:{tu.line}: translation unit {self.tu_count}"
        try:
            for what, text, name in _fields(unit):
                refuse_unsafe(text, f"{where}, {what}", name=name)
        except UnsafeTextError as exc:
            raise TmxError(f"{exc}; the whole file is refused (fix or remove that unit)") from None
        return unit


def read_tmx(fileobj: BinaryIO, filename: str = "<tmx>") -> TmxContent:
    """Read the TMX file ``fileobj`` (binary): its zh→en units, and what was skipped.

    ``filename`` names the file in errors; its base name is the origin of
    units that do not name their document. Raise TmxError with
    ``file:line`` for a broken file.
    """
    parser = xmlsafe.make_parser("TMX")  # no namespace processing: xml:lang stays as written
    reader = _Reader(parser, filename, default_origin=re.split(r"[\\/]", filename)[-1])
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.data
    xmlsafe.parse(parser, fileobj, filename, TmxError)
    if not reader.seen_body:
        raise TmxError(f"{filename}:{parser.CurrentLineNumber}: not a TMX file: no <body>")
    return reader.content
