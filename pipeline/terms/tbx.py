"""TBX (ISO 30042, TermBase eXchange) export and import for the termbase.

Export writes the TBX-Basic "martif" form that Translate Toolkit's
``tbxfile``, OmegaT, Weblate and most CAT tools read::

    <martif type="TBX" xml:lang="en">
      <martifHeader>…</martifHeader>
      <text><body>
        <termEntry id="t-…">
          <descrip type="entityClass">person</descrip>
          <note>Director of Yongjiang Laboratory</note>
          <langSet xml:lang="zh-Hans"><tig><term>崔平</term>
            <termNote type="partOfSpeech">properNoun</termNote></tig></langSet>
          <langSet xml:lang="en"><tig><term>Cui Ping</term>
            <termNote type="partOfSpeech">properNoun</termNote></tig></langSet>
        </termEntry>
      </body></text>
    </martif>

How the columns are carried, so that export → import is lossless:

* ``zh`` and ``en``: one ``<term>`` in the ``zh-Hans`` and ``en`` language sections.
* ``note``: ``<note>`` on the entry (TBX's general-purpose note; Translate
  Toolkit and Weblate show it as the entry's explanation).
* ``type`` (person, organisation, place, term, title) says what kind of
  thing the *concept* is, so it belongs on the entry, not on a term. No
  TBX-Basic data category means that: ``subjectField`` is a domain
  (economics, law), and ``termType`` describes the *form* of a term
  (fullForm, acronym, abbreviation, …) with a closed pick list. TBX lets a
  termbase add data categories, so it is written as the concept-level
  ``<descrip type="entityClass">``; tools that do not know it show it as a
  description. For tools that read only TBX-Basic, names also carry the
  standard ``<termNote type="partOfSpeech">properNoun</termNote>`` (titles
  ``noun``). On import a ``termType`` whose value is one of our types is
  accepted too.

Import reads both that form and TBX 2019 (TBX v3: ``<tbx>``, ``<conceptEntry>``,
``<langSec>``, ``<termSec>``, in the DCA style and, for these categories,
the DCT style), with the language codes zh, zh-CN, zh-Hans, zh-SG (Traditional
Chinese sections are not our source language and are passed over) and en,
en-US, en-GB …. An entry gives one termbase entry per Chinese term, each with
the entry's preferred English term (the first one not marked deprecated).

The XML parser (:mod:`pipeline.xmlsafe`, the policy TMX imports share)
refuses entity declarations and any DOCTYPE with an internal subset, where
they live (billion laughs, external entities); a DOCTYPE that only names an
external DTD, as Translate Toolkit writes, is accepted and the DTD is never
read. Malformed XML gives one line with the line number.

:func:`read_tbx` and :func:`write_tbx` work on binary file objects, as
Babel's ``read_po``/``write_po`` do; :func:`load_tbx` and :func:`save_tbx`
are the path-based wrappers (errors name the file, saves are atomic).

An entry whose term or note holds a character :mod:`pipeline.textsafety`
refuses (a control or bidirectional control character) refuses the whole
file with one line naming the file, the entry's line and the field, as a
TMX import does: a glossary is shared, and an entry skipped on the way
would be lost without anyone deciding it.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from .. import xmlsafe
from ..atomicfile import atomic_write, read_regular
from ..languages import SOURCE, TARGET
from ..textsafety import UnsafeTextError, refuse_unsafe
from .termbase import TERM_TYPES, Term, Termbase, TermbaseError

SOURCE_LANGUAGE = SOURCE.bcp47
TARGET_LANGUAGE = TARGET.bcp47
ENTITY_CLASS = "entityClass"  # our concept-level data category for Term.type

#: partOfSpeech (a TBX-Basic pick list) for each type; "term" has none we know.
PART_OF_SPEECH = {"person": "properNoun", "organisation": "properNoun", "place": "properNoun", "title": "noun"}

#: administrativeStatus values that say "do not use this term".
_NOT_PREFERRED = ("deprecated", "superseded", "forbidden", "obsolete", "nonstandard")

_XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
_TBX_NAMESPACES = ("", "urn:iso:std:iso:30042:ed-2", "urn:iso:std:iso:30042:ed-1")
_TRADITIONAL = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


class TbxError(TermbaseError):
    """A TBX file that cannot be read; the message says ``file:line``."""


@dataclass
class TbxImport:
    """What a TBX file gave: the termbase, and the entries passed over
    (``file:line: why``), which a caller may want to report."""

    termbase: Termbase
    skipped: list[str] = field(default_factory=list)


# --- Export --------------------------------------------------------------------


def _entry_id(zh: str) -> str:
    # Stable across exports (a sequence number would change when a term is inserted).
    return "t-" + hashlib.sha1(zh.encode("utf-8")).hexdigest()[:12]


def _xml_text(value: str, zh: str) -> str:
    bad = xmlsafe.unrepresentable(value)
    if bad:
        raise TbxError(f"term '{zh}': character U+{ord(bad):04X} cannot be written to XML")
    return escape(value)


def write_tbx(fileobj: BinaryIO, termbase: Termbase) -> None:
    """Write the termbase to the binary ``fileobj`` as a TBX-Basic (martif)
    document, UTF-8. Raise TbxError for text that XML cannot carry; then
    nothing is written."""
    pair = f"{SOURCE_LANGUAGE} → {TARGET_LANGUAGE}"
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<martif type="TBX" xml:lang="en">',
        "  <martifHeader>",
        "    <fileDesc>",
        "      <titleStmt><title>pipeline termbase</title></titleStmt>",
        f"      <sourceDesc><p>Exported by pipeline from its glossary ({pair})</p></sourceDesc>",
        "    </fileDesc>",
        '    <encodingDesc><p type="XCSURI">TBXBasicXCSV02.xcs</p></encodingDesc>',
        "  </martifHeader>",
        "  <text>",
        "    <body>",
    ]
    ids: set[str] = set()
    for term in termbase:
        entry_id = _entry_id(term.zh)
        while entry_id in ids:  # a duplicate zh or a hash collision: keep ids unique
            entry_id += "x"
        ids.add(entry_id)
        out.append(f"      <termEntry id={quoteattr(entry_id)}>")
        out.append(f'        <descrip type="{ENTITY_CLASS}">{_xml_text(term.type, term.zh)}</descrip>')
        if term.note:
            out.append(f"        <note>{_xml_text(term.note, term.zh)}</note>")
        for lang, text in ((SOURCE_LANGUAGE, term.zh), (TARGET_LANGUAGE, term.en)):
            out.append(f'        <langSet xml:lang="{lang}">')
            out.append("          <tig>")
            out.append(f"            <term>{_xml_text(text, term.zh)}</term>")
            if term.type in PART_OF_SPEECH:
                out.append(f'            <termNote type="partOfSpeech">{PART_OF_SPEECH[term.type]}</termNote>')
            out.append("          </tig>")
            out.append("        </langSet>")
        out.append("      </termEntry>")
    out += ["    </body>", "  </text>", "</martif>", ""]
    fileobj.write("\n".join(out).encode("utf-8"))


def tbx_bytes(termbase: Termbase) -> bytes:
    """The termbase as the bytes of a TBX file (:func:`write_tbx`)."""
    buffer = io.BytesIO()
    write_tbx(buffer, termbase)
    return buffer.getvalue()


def save_tbx(path: Path, termbase: Termbase) -> None:
    """Write the termbase to ``path`` as TBX, atomically."""
    atomic_write(path, tbx_bytes(termbase))


# --- A small, safe XML tree ------------------------------------------------------


@dataclass
class _Element:
    namespace: str
    tag: str  # local name
    attrs: dict[str, str]
    line: int
    children: list[_Element] = field(default_factory=list)
    parts: list[str | _Element] = field(default_factory=list)

    def text(self) -> str:
        """All text inside, markup dropped, whitespace collapsed."""
        pieces: list[str] = []

        def walk(element: _Element) -> None:
            for part in element.parts:
                if isinstance(part, str):
                    pieces.append(part)
                else:
                    walk(part)

        walk(self)
        return " ".join("".join(pieces).split())

    def iter(self, *tags: str):
        """This element and its descendants with one of ``tags``, in document order."""
        if self.tag in tags:
            yield self
        for child in self.children:
            yield from child.iter(*tags)


def _parse(fileobj: BinaryIO, filename: str) -> _Element:
    parser = xmlsafe.make_parser("TBX", namespace_separator="}")
    stack: list[_Element] = []
    root: list[_Element] = []

    def split(name: str) -> tuple[str, str]:
        namespace, _, local = name.rpartition("}")
        return namespace, local

    def start(name: str, attributes: dict[str, str]) -> None:
        namespace, tag = split(name)
        attrs = {}
        for key, value in attributes.items():
            key_ns, key_local = split(key)
            attrs["xml:" + key_local if key_ns == _XML_NAMESPACE else key_local] = value
        element = _Element(namespace, tag, attrs, parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(element)
            stack[-1].parts.append(element)
        else:
            root.append(element)
        stack.append(element)

    def end(name: str) -> None:
        stack.pop()

    def characters(data: str) -> None:
        if stack:
            stack[-1].parts.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    xmlsafe.parse(parser, fileobj, filename, TbxError)
    return root[0]


# --- Import ----------------------------------------------------------------------


def _language(code: str) -> str | None:
    """``zh`` or ``en`` for the language codes we translate between, else None."""
    code = code.strip().lower().replace("_", "-")
    if code == "zh" or code.startswith("zh-") or code in ("cmn", "cmn-hans"):
        return None if code.startswith(_TRADITIONAL) else "zh"
    if code == "en" or code.startswith("en-"):
        return "en"
    return None


def _category(element: _Element) -> tuple[str, str] | None:
    """``(data category, value)`` of a descriptive element: ``<descrip type=…>``,
    ``<termNote type=…>``, ``<admin type=…>``, ``<note>``, or a DCT-style
    element named after its category (``<basic:partOfSpeech>``)."""
    if element.tag in ("descrip", "termNote", "admin") and element.namespace in _TBX_NAMESPACES:
        return element.attrs.get("type", ""), element.text()
    if element.tag == "note":
        return "note", element.text()
    if element.namespace not in _TBX_NAMESPACES:
        return element.tag, element.text()
    return None


def _categories(element: _Element, stop: tuple[str, ...]) -> list[tuple[str, str]]:
    """The data categories on ``element``'s own level (groups such as
    ``descripGrp`` included), not inside the nested sections ``stop``."""
    found = []
    for child in element.children:
        if child.tag in stop:
            continue
        category = _category(child)
        if category:
            found.append(category)
        elif child.tag.endswith("Grp"):
            found.extend(_categories(child, stop))
    return found


@dataclass
class _Term:
    text: str
    line: int
    categories: list[tuple[str, str]]

    @property
    def preferred(self) -> bool:
        status = " ".join(v.lower() for k, v in self.categories if k == "administrativeStatus")
        return not any(word in status for word in _NOT_PREFERRED)


def _terms(language_section: _Element) -> list[_Term]:
    terms = []
    for holder in language_section.iter("tig", "ntig", "termSec"):
        term = next(holder.iter("term"), None)
        if term is not None and term.text():
            terms.append(_Term(term.text(), term.line, _categories(holder, ())))
    return terms


def _term_type(categories: list[tuple[str, str]], filename: str, line: int) -> str:
    for name, value in categories:
        if name == ENTITY_CLASS:
            if value not in TERM_TYPES:
                raise TbxError(f"{filename}:{line}: unknown {ENTITY_CLASS} '{value}' (one of {', '.join(TERM_TYPES)})")
            return value
    for name, value in categories:
        if name == "termType" and value in TERM_TYPES:
            return value
    return "term"


def read_tbx(fileobj: BinaryIO, filename: str = "termbase.tbx") -> TbxImport:
    """Read the TBX document ``fileobj`` (binary; martif or TBX 2019) into a
    termbase; ``filename`` names it in errors."""
    root = _parse(fileobj, filename)
    if root.tag not in ("martif", "tbx"):
        raise TbxError(
            f"{filename}:{root.line}: not a TBX file (root element <{root.tag}>, expected <martif> or <tbx>)"
        )
    result = TbxImport(Termbase())
    defined: dict[str, int] = {}
    sections = ("langSet", "langSec")
    for entry in root.iter("termEntry", "conceptEntry"):
        by_language: dict[str, list[_Term]] = {"zh": [], "en": []}
        categories = _categories(entry, sections)
        for section in entry.children:
            if section.tag not in sections:
                continue
            language = _language(section.attrs.get("xml:lang") or section.attrs.get("lang", ""))
            if language:
                by_language[language].extend(_terms(section))
                categories.extend(_categories(section, ("tig", "ntig", "termSec")))
        zh_terms, en_terms = by_language["zh"], by_language["en"]
        label = f" '{entry.attrs['id']}'" if "id" in entry.attrs else ""
        if not zh_terms or not en_terms:
            missing = "Chinese (zh)" if not zh_terms else "English (en)"
            result.skipped.append(f"{filename}:{entry.line}: entry{label} has no {missing} term")
            continue
        en = next((t for t in en_terms if t.preferred), en_terms[0]).text
        kind = _term_type(categories + [c for t in zh_terms + en_terms for c in t.categories], filename, entry.line)
        notes = [value for name, value in categories if name == "note" and value]
        if not notes:
            notes = [value for name, value in categories if name == "definition" and value]
        try:
            for what, text in [("English term", en), ("note", " ".join(notes))] + [
                ("Chinese term", t.text) for t in zh_terms
            ]:
                refuse_unsafe(text, f"{filename}:{entry.line}: entry{label}, {what}")
        except UnsafeTextError as exc:
            raise TbxError(f"{exc}; the whole file is refused (fix or remove that entry)") from None
        for zh in zh_terms:
            if zh.text in defined:
                raise TbxError(f"{filename}:{zh.line}: '{zh.text}' is already defined at line {defined[zh.text]}")
            defined[zh.text] = zh.line
            result.termbase.terms.append(Term(zh.text, en, kind, " ".join(notes)))
    return result


def load_tbx(path: Path) -> TbxImport:
    """Read the TBX file at ``path`` (:func:`read_tbx`)."""
    try:
        data = read_regular(path, str(path))  # a FIFO or device is refused, never read
    except OSError as exc:
        raise TbxError(f"{path}: cannot read: {exc.strerror}") from None
    return read_tbx(io.BytesIO(data), str(path))
