"""Word documents (DOCX): paragraphs in, the same package out.

**Reading.** A DOCX is a zip of XML parts. The package is checked before
any XML is parsed (:class:`Package`): a broken or truncated zip, an
encrypted document (an OLE compound file), a legacy ``.doc``, a
macro-enabled document (``.docm``, or any ``vbaProject.bin``), duplicate
member names, a member named outside the package or stored as a link
(every member is copied into the English package), and more members or
more decompressed bytes than a document can hold (zip bombs) are refused
with one line. XML is parsed with lxml,
entities never resolved, no network, no DTD: a part that declares a DTD
is refused (Office never writes one).

The stories read, in order: the main document (body, tables nested to any
depth, text boxes), headers, footers, footnotes and endnotes. Every
paragraph with text is a block; its type comes from its style (Title →
title, Subtitle → subtitle, Heading N or an outline level → heading,
Caption → caption, else body).

Inside a paragraph, runs are read as *atoms*: text with its formatting
(the run properties, less what only records spelling, language and edit
history) or an element that is not text. Runs with the same formatting are
merged before segmenting, so that a sentence Word cut into five runs is
one segment. The formatting that holds most of the paragraph's text is its
base; a stretch of text in another formatting becomes a paired code
``<1>…</1>``, a hyperlink or an inline content control a paired code
around its runs; what is not text (a field, a footnote or comment
reference, a drawing, a tab, a break, a bookmark) becomes a standalone
code ``<2/>``, kept as it is. A phonetic guide (``w:ruby``: pinyin over
the characters it reads) is read through: its base runs (``w:rubyBase``)
join the sentence as any run does (the msgid reads 宁波 as plain text
would), its annotation (``w:rt``) is never read; a guide over no text is a
standalone code. Editing state is not formatting: spelling marks, the last
rendered page break and Word's ``_GoBack`` bookmark are dropped, and smart
tags and custom XML wrappers are read through (their runs are translated;
the wrappers are not written back). A text box that Word also writes as a
VML fallback is read once and written in both.

**Attributes a reader sees** are blocks of their own, after the paragraph
they are in, typed as their HTML analogue is (:data:`ATTRIBUTES`): a
hyperlink's ScreenTip (``w:hyperlink/@w:tooltip``, HTML's ``title``) and a
drawing's alt text and title (``wp:docPr/@descr`` and ``@title``, HTML's
``alt`` and ``title``). Translated, the attribute is written in English
(and so is the same text in the picture's own ``pic:cNvPr``); one whose
translation is its source is left as it was. A ScreenTip kept in a
HYPERLINK field's switches (``\\o``) is field code, left alone.

**What is refused or left alone.** Tracked changes are refused with one
line ("accept or reject tracked changes first"): the text of a paragraph
under revision is two texts. Comments are kept in place and not
translated: their anchors and reference marks are codes, ``comments.xml``
is copied as it is. Fields (``w:fldSimple``, ``w:fldChar`` … ``instrText``
… end, across paragraphs too) are kept whole as standalone codes; their
displayed result is Word's to update. A field never ended is refused (it
would swallow the rest of its story), and so is content Word imports from
another part when it opens the file (``w:altChunk``, ``w:subDoc``): its
text would be left out without a word.

**Writing.** The source package is copied member by member; only the
story parts that hold a translated paragraph are re-serialised. In such a
paragraph every child but its properties is taken out and the runs are
rebuilt from the translation: plain text in a run with the base
formatting, a paired code's text in a run with that code's formatting (or
inside a copy of the hyperlink), each standalone code's original elements
moved back in place. A translated paragraph has no phonetic guide
(pinyin over an English word means nothing); one whose segments all show
their source (untranslated, or the identity build) is rebuilt with its
guides as they were (:func:`pipeline.formats.ruby.ruby_back`). Styles, numbering, section
properties, images and every other part are byte for byte the source's.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections import Counter
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from lxml import etree

from ..errors import PipelineError, SourceError
from ..segment import Block, BlockType
from ..xmlsafe import unrepresentable

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_REL_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


# --- limits (a 200-page report with photos is a few MB of XML and tens of MB in all)
#: Members of the zip.
MAX_MEMBERS = 10_000
#: Decompressed bytes of the whole package, as its directory declares them.
#: zipfile stops reading a member at its declared size (and a member that
#: inflates further fails its CRC), so the declared sizes bound the work.
MAX_PACKAGE_BYTES = 1 << 30
#: Decompressed bytes of one XML part that we parse.
MAX_PART_BYTES = 256 << 20

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
WORD_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
}
MACRO_MAIN_TYPES = {
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
}

#: Elements that record a tracked change (revision marks).
TRACKED_CHANGES = frozenset(
    w(t)
    for t in (
        "ins",
        "del",
        "moveFrom",
        "moveTo",
        "rPrChange",
        "pPrChange",
        "sectPrChange",
        "tblPrChange",
        "tblPrExChange",
        "trPrChange",
        "tcPrChange",
        "tblGridChange",
        "numberingChange",
        "cellIns",
        "cellDel",
        "cellMerge",
    )
)


def _parser() -> etree.XMLParser:
    # Entities are never expanded, nothing is fetched, no DTD is loaded;
    # huge_tree stays off (libxml2's own depth and size limits hold).
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_xml(data: bytes, where: str) -> etree._Element:
    """Parse one XML part under the policy of this module."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise SourceError(f"{where}: refusing an XML part with a DTD or entity declarations (Word writes none)")
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        message = " ".join(str(exc.msg).split())  # libxml2 may end a line inside its message
        raise SourceError(f"{where}: not well-formed XML ({message})") from None


class Package:
    """A DOCX package, checked before anything in it is parsed."""

    def __init__(self, data: bytes, where: str, suffix: str = ".docx"):
        self.where = where
        if suffix.lower() in (".docm", ".dotm"):
            raise SourceError(f"{where}: a macro-enabled Word document ({suffix}) is refused; save it as .docx")
        if data.startswith(CFB_MAGIC):
            if "EncryptedPackage".encode("utf-16-le") in data:
                raise SourceError(f"{where}: an encrypted (password-protected) document; remove the password first")
            raise SourceError(f"{where}: an OLE compound file (Word 97-2003 .doc?), not DOCX; save it as .docx")
        if not data.startswith(ZIP_MAGICS):
            raise SourceError(f"{where}: not a DOCX file (no zip signature)")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
            raise SourceError(f"{where}: corrupt or truncated DOCX (broken zip: {exc})") from None
        if len(infos) > MAX_MEMBERS:
            raise SourceError(f"{where}: {len(infos)} zip members, more than a document holds ({MAX_MEMBERS})")
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            raise SourceError(f"{where}: duplicate member names in the zip (an ambiguous package)")
        for info in infos:
            # We copy every member into the English package: one that an
            # unzip would write outside its folder, or as a link, is never
            # passed on (Office writes neither).
            if _unsafe_member(info):
                raise SourceError(
                    f"{where}: unsafe zip member {info.filename!r} (a path outside the package or a link)"
                )
        total = sum(info.file_size for info in infos)
        if total > MAX_PACKAGE_BYTES:
            raise SourceError(f"{where}: decompresses to {total} bytes, more than {MAX_PACKAGE_BYTES} (a zip bomb?)")
        self.infos = infos
        self.names = set(names)
        if any(name.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for name in names):
            raise SourceError(f"{where}: the document holds macros (vbaProject.bin); save it as a plain .docx")
        try:
            # Every member's CRC, before any is used: a package damaged
            # anywhere (an image too) is refused at extraction, not at build.
            bad = self.zip.testzip()
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError, zlib.error) as exc:
            raise SourceError(f"{where}: corrupt or truncated DOCX ({exc})") from None
        if bad is not None:
            raise SourceError(f"{where}: corrupt or truncated DOCX (bad CRC in {bad})")
        if "[Content_Types].xml" not in self.names:
            raise SourceError(f"{where}: not a DOCX package (no [Content_Types].xml)")
        self.main = self._main_part()

    def read(self, name: str) -> bytes:
        info = self.zip.getinfo(name)
        if info.file_size > MAX_PART_BYTES:
            raise SourceError(f"{self.where}: {name} is {info.file_size} bytes, more than {MAX_PART_BYTES}")
        try:
            with self.zip.open(info) as member:
                data = member.read(MAX_PART_BYTES + 1)
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError, zlib.error) as exc:
            raise SourceError(f"{self.where}: corrupt or truncated DOCX ({name}: {exc})") from None
        return data

    def xml(self, name: str) -> etree._Element:
        return parse_xml(self.read(name), f"{self.where}: {name}")

    def _main_part(self) -> str:
        types = self.xml("[Content_Types].xml")
        overrides = {
            el.get("PartName", "").lstrip("/"): el.get("ContentType", "") for el in types.iter(f"{{{CT_NS}}}Override")
        }
        # A part without an Override has the type its extension's Default
        # gives it (OPC); part names and extensions match case-insensitively.
        defaults = {
            el.get("Extension", "").lower(): el.get("ContentType", "") for el in types.iter(f"{{{CT_NS}}}Default")
        }
        by_lower = {name.lower(): kind for name, kind in overrides.items()}
        for name in self.names:
            if name not in overrides:
                extension = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
                overrides[name] = by_lower.get(name.lower()) or defaults.get(extension, "")
        if any(t in MACRO_MAIN_TYPES for t in overrides.values()):
            raise SourceError(f"{self.where}: a macro-enabled Word document is refused; save it as .docx")
        main = None
        if "_rels/.rels" in self.names:
            for rel in self.xml("_rels/.rels").iter(f"{{{PKG_REL_NS}}}Relationship"):
                if rel.get("Type", "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
                    main = rel.get("Target", "").lstrip("/")
        if main is None or main not in self.names:
            raise SourceError(f"{self.where}: not a Word document (no main document part)")
        if overrides.get(main) not in WORD_MAIN_TYPES:
            kind = overrides.get(main) or "unknown"
            raise SourceError(f"{self.where}: not a Word document (main part of type {kind})")
        return main

    def related(self, source: str) -> list[tuple[str, str]]:
        """(relationship type, part name) of the internal parts ``source`` refers to."""
        directory = PurePosixPath(source).parent
        rels = str(directory / "_rels" / (PurePosixPath(source).name + ".rels"))
        if rels not in self.names:
            return []
        out = []
        for rel in self.xml(rels).iter(f"{{{PKG_REL_NS}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            kind = rel.get("Type", "")
            kind = kind[len(_REL_BASE) :] if kind.startswith(_REL_BASE) else kind
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else _normalise(directory / target)
            if path in self.names:
                out.append((kind, path))
        return out

    def stories(self) -> list[str]:
        """The parts that hold translatable paragraphs, in reading order."""
        related = self.related(self.main)
        order = ("header", "footer", "footnotes", "endnotes")
        parts = [self.main]
        for kind in order:
            parts.extend(sorted((p for k, p in related if k == kind), key=_natural))
        return list(dict.fromkeys(parts))

    def styles(self) -> dict[str, tuple[str, int | None]]:
        """Paragraph style id → (lower-case name, outline level or None)."""
        names = [p for k, p in self.related(self.main) if k == "styles"]
        if not names:
            return {}
        out = {}
        for style in self.xml(names[0]).iter(w("style")):
            name = style.find(w("name"))
            level = style.find(f"{w('pPr')}/{w('outlineLvl')}")
            out[style.get(w("styleId"), "")] = (
                (name.get(w("val"), "") if name is not None else "").lower(),
                _int(level.get(w("val"))) if level is not None else None,
            )
        return out


def _unsafe_member(info: zipfile.ZipInfo) -> bool:
    """A member named as an absolute path, with ``..``, a backslash or a
    drive letter, or stored as a symbolic link."""
    name = info.filename
    if name.startswith("/") or "\\" in name or re.match(r"[A-Za-z]:", name):
        return True
    if any(part == ".." for part in name.split("/")):
        return True
    return info.create_system == 3 and (info.external_attr >> 16) & 0o170000 == 0o120000


def _normalise(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


def _natural(name: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def refuse_tracked_changes(root: etree._Element, where: str) -> None:
    for el in root.iter(*TRACKED_CHANGES):
        local = etree.QName(el).localname
        raise SourceError(
            f"{where}: the document has tracked changes (w:{local}); accept or reject tracked changes first"
        )


STRICT_W_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"


def refuse_foreign_main(root: etree._Element, where: str) -> None:
    """The main part must be a (transitional) WordprocessingML document:
    any other vocabulary would read as a document without text."""
    if root.tag == w("document"):
        return
    if etree.QName(root).namespace == STRICT_W_NS:
        raise SourceError(
            f"{where}: a Strict Open XML document is not supported; save it as a Word Document (.docx) in Word"
        )
    raise SourceError(f"{where}: not a Word document (its main part is <{etree.QName(root).localname}>)")


#: Content Word imports from elsewhere when it opens the file: its text is
#: in another part, in another format, and would be silently left out.
EMBEDDED_CONTENT = {
    w("altChunk"): "an imported document (w:altChunk); open and save it in Word first",
    w("subDoc"): "a subdocument of a master document (w:subDoc); insert its text into the document first",
}


def refuse_embedded_content(root: etree._Element, where: str) -> None:
    for el in root.iter(*EMBEDDED_CONTENT):
        raise SourceError(f"{where}: the document holds {EMBEDDED_CONTENT[el.tag]}")


# --------------------------------------------------------------------------- atoms


# Run properties that only record spelling, language or the author's IME;
# runs that differ in them alone are the same formatting.
_IGNORED_RPR = frozenset(w(t) for t in ("lang", "noProof", "proofErr", "rPrChange", "specVanish", "webHidden"))
_IGNORED_ATTRS = frozenset({w("hint")})
# Zero-width elements between runs that only record editing state.
_DROPPED = frozenset({w("proofErr"), w("lastRenderedPageBreak")})
# The text of a phonetic guide's base.
_RUBY_BASE_TEXT = f"{w('rubyBase')}/{w('r')}/{w('t')}"


def format_key(rpr: etree._Element | None) -> str:
    """The formatting of a run, as a canonical string: runs with the same
    key look the same."""
    if rpr is None:
        return ""
    parts = []
    for child in rpr:
        if not isinstance(child.tag, str) or child.tag in _IGNORED_RPR:
            continue
        attrs = sorted((k, v) for k, v in child.attrib.items() if k not in _IGNORED_ATTRS)
        if child.tag == w("rFonts") and not attrs:
            continue  # held only the hint
        parts.append(f"{child.tag}{attrs}")
    return ";".join(parts)


@dataclass
class Atom:
    """One piece of a paragraph: text with its formatting, or elements
    that are not text (``elements``: (run properties, element, from a run));
    ``ruby``: the phonetic guide (``w:ruby``) whose base it is in."""

    text: str | None
    key: str = ""
    rpr: etree._Element | None = None
    link: etree._Element | None = None
    elements: list[tuple[etree._Element | None, etree._Element, bool]] = field(default_factory=list)
    ruby: etree._Element | None = None


class _FieldState:
    """Complex fields (fldChar begin … end) may span runs and paragraphs."""

    def __init__(self) -> None:
        self.depth = 0


def _code_atom(out: list[Atom], element: tuple, link, ruby) -> None:
    """Consecutive codes merge: a field's runs, a reference with its run."""
    last = out[-1] if out else None
    if last is not None and last.text is None and last.link is link and last.ruby is ruby and last.elements:
        last.elements.append(element)
    else:
        out.append(Atom(None, link=link, elements=[element], ruby=ruby))


def _run_atoms(run: etree._Element, link, fields: _FieldState, out: list[Atom], ruby=None) -> None:
    rpr = run.find(w("rPr"))
    key = format_key(rpr)

    def code(el: etree._Element) -> None:
        _code_atom(out, (rpr, el, True), link, ruby)

    for child in run:
        tag = child.tag
        if tag == w("rPr") or tag in _DROPPED or not isinstance(tag, str):
            continue
        if tag == w("fldChar"):
            kind = child.get(w("fldCharType"))
            code(child)
            if kind == "begin":
                fields.depth += 1
            elif kind == "end" and fields.depth:
                fields.depth -= 1
            continue
        if fields.depth:
            code(child)
            continue
        if tag == w("t"):
            if child.text:
                last = out[-1] if out else None
                if last is not None and last.text is not None and (last.key, last.link, last.ruby) == (key, link, ruby):
                    last.text += child.text
                else:
                    out.append(Atom(child.text, key, rpr, link, ruby=ruby))
            continue
        if tag == w("ruby") and any(t.text for t in child.iterfind(_RUBY_BASE_TEXT)):
            _ruby_atoms(child, link, fields, out)
            continue
        code(child)  # a guide over no text is not text either


def _ruby_atoms(ruby: etree._Element, link, fields: _FieldState, out: list[Atom]) -> None:
    """The base of a phonetic guide, its atoms marked with the guide; the
    annotation (``w:rt``, the pinyin) and ``w:rubyPr`` are never read."""
    base = ruby.find(w("rubyBase"))
    for child in base if base is not None else ():
        if child.tag == w("r"):
            _run_atoms(child, link, fields, out, ruby)
        elif child.tag not in _DROPPED and isinstance(child.tag, str):
            _code_atom(out, (None, child, False), link, ruby)


def without_ruby(atoms: list[Atom]) -> list[Atom]:
    """The atoms as a translation reads them: phonetic guides gone, their
    base merged with the text around it as one run with another."""
    out: list[Atom] = []
    ruby = None  # the guide of the last atom read
    for atom in atoms:
        last = out[-1] if out else None
        if last is not None and atom.ruby is not ruby and last.link is atom.link:
            if last.text is not None and atom.text is not None and last.key == atom.key:
                last.text += atom.text
                ruby = atom.ruby
                continue
            if last.text is None and atom.text is None and last.elements and atom.elements:
                last.elements.extend(atom.elements)
                ruby = atom.ruby
                continue
        out.append(Atom(atom.text, atom.key, atom.rpr, atom.link, list(atom.elements)))
        ruby = atom.ruby
    return out


def _link_atoms(link: etree._Element, fields: _FieldState, out: list[Atom]) -> None:
    """The runs of a hyperlink, or of an inline content control's content."""
    children = link.find(w("sdtContent")) if link.tag == w("sdt") else link
    for child in children:
        if child.tag == w("r"):
            _run_atoms(child, link, fields, out)
        elif child.tag not in _DROPPED and isinstance(child.tag, str):
            out.append(Atom(None, link=link, elements=[(None, child, False)]))


_FLATTENED = frozenset({w("smartTag"), w("customXml")})


def paragraph_atoms(p: etree._Element, fields: _FieldState, dropped_ids: set[str]) -> list[Atom]:
    """The atoms of paragraph ``p``, runs of the same formatting merged."""
    out: list[Atom] = []

    def walk(parent: etree._Element) -> None:
        for child in parent:
            tag = child.tag
            if tag == w("pPr") or tag in _DROPPED or not isinstance(tag, str):
                continue
            if tag == w("r"):
                _run_atoms(child, None, fields, out)
            elif tag == w("hyperlink") and not fields.depth:
                _link_atoms(child, fields, out)
            elif tag == w("sdt") and child.find(w("sdtContent")) is not None and not fields.depth:
                _link_atoms(child, fields, out)  # an inline content control: a container, like a link
            elif tag in _FLATTENED:
                walk(child)
            elif tag in (w("bookmarkStart"), w("bookmarkEnd")) and child.get(w("id")) in dropped_ids:
                continue
            elif out and out[-1].text is None and out[-1].link is None:
                out[-1].elements.append((None, child, False))
            else:
                out.append(Atom(None, elements=[(None, child, False)]))

    walk(p)
    return out


def goback_bookmarks(root: etree._Element) -> set[str]:
    """Ids of Word's ``_GoBack`` bookmarks (where the cursor was last):
    editing state, dropped rather than turned into codes."""
    return {b.get(w("id")) for b in root.iter(w("bookmarkStart")) if b.get(w("name")) == "_GoBack"}


# --------------------------------------------------------------------------- codes


@dataclass
class Code:
    """What a tag number stands for in one paragraph: a stretch of text in
    another formatting (``rpr``), a hyperlink (``link``, with its inner base
    formatting ``rpr``), a phonetic guide (``link``: the ``w:ruby``; in
    :attr:`Paragraph.ruby_pieces` only), or elements kept as they are
    (``elements``)."""

    kind: str  # "format", "link", "ruby" or "standalone"
    rpr: etree._Element | None = None
    link: etree._Element | None = None
    elements: list[tuple[etree._Element | None, etree._Element, bool]] = field(default_factory=list)


def _base(atoms: list[Atom]) -> tuple[str, etree._Element | None]:
    """The formatting that holds most of the text (the first of equals)."""
    chars: Counter[str] = Counter()
    first: dict[str, etree._Element | None] = {}
    for atom in atoms:
        if atom.text is not None:
            chars[atom.key] += len(atom.text)
            first.setdefault(atom.key, atom.rpr)
    if not chars:
        return "", None
    key = max(chars, key=lambda k: chars[k])  # max keeps the first of equals
    return key, first[key]


@dataclass
class Paragraph:
    """A paragraph read for translation: its pieces and what each tag stands
    for; for a paragraph with phonetic guides, ``ruby_pieces`` (pieces and
    codes with each guide as a pair around its base) and ``ruby``, their
    block (:func:`pipeline.formats.ruby.ruby_back`)."""

    element: etree._Element
    type: BlockType
    pieces: list
    codes: dict[int, Code]
    base: etree._Element | None
    ruby_pieces: tuple[list, dict[int, Code]] | None = None
    ruby: Block | None = field(default=None, repr=False)


def paragraph_pieces(atoms: list[Atom]) -> tuple[list, dict[int, Code], etree._Element | None]:
    """Pieces and codes of a paragraph's atoms; the base run properties.
    Atoms of a phonetic guide's base (read as they are, not
    :func:`without_ruby`) are in a pair of kind ``ruby``."""
    pieces: list = []
    codes: dict[int, Code] = {}

    def new(code: Code) -> int:
        n = len(codes) + 1
        codes[n] = code
        return n

    def emit_atom(atom: Atom, base_key: str) -> None:
        if atom.text is None:
            pieces.append(("standalone", new(Code("standalone", elements=atom.elements))))
        elif atom.key == base_key:
            pieces.append(atom.text)
        else:
            n = new(Code("format", rpr=atom.rpr))
            pieces.extend([("open", n), atom.text, ("close", n)])

    def emit(seq: list[Atom], base_key: str) -> None:
        k = 0
        while k < len(seq):
            ruby = seq[k].ruby
            end = k + 1
            while ruby is not None and end < len(seq) and seq[end].ruby is ruby:
                end += 1
            n = new(Code("ruby", link=ruby)) if ruby is not None else 0
            if n:
                pieces.append(("open", n))
            for atom in seq[k:end]:
                emit_atom(atom, base_key)
            if n:
                pieces.append(("close", n))
            k = end

    plain = [a for a in atoms if a.link is None]
    base_key, base_rpr = _base(plain or atoms)
    i = 0
    while i < len(atoms):
        link = atoms[i].link
        j = i + 1
        while j < len(atoms) and (atoms[j].link is link if link is not None else atoms[j].link is None):
            j += 1
        if link is None:
            emit(atoms[i:j], base_key)
        else:
            inner_key, inner_rpr = _base(atoms[i:j])
            n = new(Code("link", rpr=inner_rpr, link=link))
            pieces.append(("open", n))
            emit(atoms[i:j], inner_key)
            pieces.append(("close", n))
        i = j
    return pieces, codes, base_rpr


def _block_type(p: etree._Element, styles: dict[str, tuple[str, int | None]]) -> BlockType:
    ppr = p.find(w("pPr"))
    style_id, level = "", None
    if ppr is not None:
        style = ppr.find(w("pStyle"))
        style_id = style.get(w("val"), "") if style is not None else ""
        outline = ppr.find(w("outlineLvl"))
        level = _int(outline.get(w("val"))) if outline is not None else None
    name, style_level = styles.get(style_id, (style_id.lower(), None))
    if level is None:
        level = style_level
    if level is None and re.fullmatch(r"heading ?[1-9]", name):
        level = int(name[-1]) - 1
    # Heading 1 is the title, as h1 in HTML and # in Markdown (pandoc maps
    # one to the other); outline level 9 is body text.
    if name == "title" or level == 0:
        return BlockType.TITLE
    if name == "subtitle":
        return BlockType.SUBTITLE
    if name == "caption":
        return BlockType.CAPTION
    if level is not None and level < 9:
        return BlockType.HEADING
    return BlockType.BODY


def _in_fallback(p: etree._Element) -> bool:
    return any(a.tag == f"{{{MC_NS}}}Fallback" for a in p.iterancestors())


def _story(p: etree._Element) -> etree._Element | None:
    """The text box a paragraph is in, or None: each story has its own fields."""
    for a in p.iterancestors(w("txbxContent")):
        return a
    return None


def story_paragraphs(root: etree._Element, styles, include_fallback: bool = False, where: str = "") -> list[Paragraph]:
    """The paragraphs of one story part that hold text, in document order.

    Text boxes Word also writes as a VML fallback (``mc:Fallback``) are read
    once, from the drawing; ``include_fallback`` reads the copies too (the
    writer translates both)."""
    fields: dict[object, _FieldState] = {}
    dropped = goback_bookmarks(root)
    out = []
    for p in root.iter(w("p")):
        if not include_fallback and _in_fallback(p):
            continue
        state = fields.setdefault(_story(p), _FieldState())
        atoms = paragraph_atoms(p, state, dropped)
        if not any(a.text and a.text.strip() for a in atoms):
            continue
        pieces, codes, base = paragraph_pieces(without_ruby(atoms))
        ruby = paragraph_pieces(atoms)[:2] if any(a.ruby is not None for a in atoms) else None
        out.append(Paragraph(p, _block_type(p, styles), pieces, codes, base, ruby))
    if any(state.depth for state in fields.values()):
        # Everything after the field's start would be read as the field.
        raise SourceError(f"{where}: a field (w:fldChar begin) is never ended; open and save the document in Word")
    return out


# --------------------------------------------------------------------------- attributes

#: Attributes a reader sees, each translated as a block of its own: (element,
#: attribute) → the HTML attribute it is the analogue of, whose block type it
#: takes (:data:`pipeline.formats.html.ATTRIBUTES`).
ATTRIBUTES = {
    (w("hyperlink"), w("tooltip")): "title",  # Word's ScreenTip
    (f"{{{WP_NS}}}docPr", "descr"): "alt",  # a drawing's alt text
    (f"{{{WP_NS}}}docPr", "title"): "title",
}


@dataclass
class Attribute:
    """A translatable attribute: its element, its name and its value as read
    (white space collapsed)."""

    element: etree._Element
    name: str
    value: str

    @property
    def label(self) -> str:
        """The attribute as Word's XML spells it (``w:tooltip``, ``descr``)."""
        qname = etree.QName(self.name)
        return f"w:{qname.localname}" if qname.namespace == W_NS else qname.localname

    def block_type(self) -> BlockType:
        from .html import ATTRIBUTE_TYPES

        return ATTRIBUTE_TYPES.get(ATTRIBUTES[(self.element.tag, self.name)], BlockType.BODY)


def paragraph_attributes(p: etree._Element) -> list[Attribute]:
    """The translatable attributes of paragraph ``p``'s own content (not
    those of a paragraph nested in it, in a text box), in document order."""
    out = []
    for el in p.iter(*{tag for tag, _ in ATTRIBUTES}):
        if next(el.iterancestors(w("p")), None) is not p:
            continue
        for tag, name in ATTRIBUTES:
            value = " ".join((el.get(name) or "").split()) if tag == el.tag else ""
            if value:
                out.append(Attribute(el, name, value))
    return out


def write_attribute(attribute: Attribute, pieces: list, where: str) -> bool:
    """Set ``attribute`` to the text of ``pieces`` (:func:`pipeline.inline.rebuild`'s
    stream) unless that is its source; the same text in the drawing's other
    non-visual properties (``pic:cNvPr``) follows. Whether it changed."""
    from ..inline import Text

    text = "".join(p.text for p in pieces if isinstance(p, Text)).strip()
    if text == attribute.value:
        return False
    refuse_unrepresentable(text, where)
    el, name = attribute.element, attribute.name
    source = el.get(name)
    el.set(name, text)
    if el.tag == f"{{{WP_NS}}}docPr":
        frame = el.getparent()  # wp:inline or wp:anchor
        for other in frame.iter() if frame is not None else ():
            if isinstance(other.tag, str) and etree.QName(other).localname == "cNvPr" and other.get(name) == source:
                other.set(name, text)
    return True


# --------------------------------------------------------------------------- writing


def _text_run(text: str, rpr: etree._Element | None) -> etree._Element:
    run = etree.Element(w("r"))
    if rpr is not None:
        run.append(deepcopy(rpr))
    for chunk in re.split(r"([\t\n])", text):
        if chunk == "\t":
            etree.SubElement(run, w("tab"))
        elif chunk == "\n":
            etree.SubElement(run, w("br"))
        elif chunk:
            t = etree.SubElement(run, w("t"))
            t.text = chunk
            if chunk != chunk.strip(" ") or "  " in chunk:
                t.set(f"{{{XML_NS}}}space", "preserve")
    return run


def refuse_unrepresentable(text: str, where: str) -> None:
    """One line for a translation holding a character XML cannot carry
    (U+FFFE, U+FFFF; :mod:`pipeline.textsafety` keeps controls out)."""
    bad = unrepresentable(text)
    if bad is not None:
        raise PipelineError(f"{where}: a translation holds U+{ord(bad):04X}, which Word files cannot carry")


def rebuild_paragraph(par: Paragraph, pieces: list, where: str = "") -> None:
    """Replace the runs of ``par`` by ``pieces`` (:func:`pipeline.inline.rebuild`'s
    stream, whose codes carry this paragraph's :class:`Code` as ``data``).
    A standalone code the stream lacks is put back at the end, so no field,
    reference or drawing is ever lost; one it repeats is placed once.
    Text shown untranslated is highlighted, as today's editions mark it."""
    from ..editions.model import Shown
    from ..inline import Begin, Close, End, Open, Single, Text

    p = par.element
    for child in list(p):
        if child.tag != w("pPr"):
            p.remove(child)
    stack: list[tuple[etree._Element, etree._Element | None]] = [(p, par.base)]
    placed: set[int] = set()
    marked = False

    def place(code: Code) -> None:
        parent = stack[-1][0]
        current_run, current_source = None, None
        for rpr, el, in_run in code.elements:
            if in_run:
                if current_run is None or current_source is not rpr:
                    current_run = etree.SubElement(parent, w("r"))
                    if rpr is not None:
                        current_run.append(deepcopy(rpr))
                    current_source = rpr
                current_run.append(el)
            else:
                parent.append(el)
                current_run = None
        placed.add(id(code))

    for piece in pieces:
        parent, rpr = stack[-1]
        if isinstance(piece, Text):
            refuse_unrepresentable(piece.text, where)
            if piece.text:
                parent.append(_text_run(piece.text, _highlighted(rpr) if marked else rpr))
        elif isinstance(piece, Begin):
            marked = piece.shown is Shown.UNTRANSLATED
        elif isinstance(piece, End):
            marked = False
        elif isinstance(piece, Single):
            code = piece.code.data
            if code.kind == "standalone" and id(code) not in placed:
                place(code)
            elif code.kind in ("link", "ruby"):  # an empty link (a bookmark target) or guide
                _container(parent, code.link)
        elif isinstance(piece, Open):
            code = piece.code.data
            if code.kind == "link":
                stack.append((_container(parent, code.link), code.rpr))
            elif code.kind == "ruby":  # its base has the formatting around it
                stack.append((_container(parent, code.link), rpr))
            else:
                stack.append((parent, code.rpr))
        elif isinstance(piece, Close) and len(stack) > 1:
            stack.pop()
    stack[:] = [(p, par.base)]
    for code in par.codes.values():
        if code.kind == "standalone" and id(code) not in placed:
            place(code)


def _container(parent: etree._Element, source: etree._Element) -> etree._Element:
    """A copy of a hyperlink, content control or phonetic guide without its
    runs, appended to ``parent``; returns where the runs go. A guide is
    copied in a run with its run's properties, its annotation as it was."""
    if source.tag == w("ruby"):
        run = etree.SubElement(parent, w("r"))
        rpr = source.getparent().find(w("rPr"))
        if rpr is not None:
            run.append(deepcopy(rpr))
        shell = etree.SubElement(run, source.tag, dict(source.attrib))
        for child in source:
            if child.tag != w("rubyBase"):
                shell.append(deepcopy(child))  # rubyPr, rt
        base = source.find(w("rubyBase"))
        return etree.SubElement(shell, w("rubyBase"), dict(base.attrib) if base is not None else {})
    shell = etree.SubElement(parent, source.tag, dict(source.attrib))
    if source.tag != w("sdt"):
        return shell
    for child in source:
        if child.tag != w("sdtContent"):
            shell.append(deepcopy(child))  # sdtPr, sdtEndPr
    content = source.find(w("sdtContent"))
    return etree.SubElement(shell, content.tag, dict(content.attrib))


def _highlighted(rpr: etree._Element | None) -> etree._Element:
    out = deepcopy(rpr) if rpr is not None else etree.Element(w("rPr"))
    for old in out.findall(w("highlight")):
        out.remove(old)
    mark = etree.Element(w("highlight"))
    mark.set(w("val"), "yellow")
    # rPr children have a schema order; highlight goes before these.
    later = {
        w(t)
        for t in (
            "u",
            "effect",
            "bdr",
            "shd",
            "fitText",
            "vertAlign",
            "rtl",
            "cs",
            "em",
            "lang",
            "eastAsianLayout",
            "specVanish",
            "oMath",
        )
    }
    for k, child in enumerate(out):
        if child.tag in later:
            out.insert(k, mark)
            break
    else:
        out.append(mark)
    return out


# --------------------------------------------------------------------------- package


@dataclass
class Story:
    """One part with paragraphs: its name, parsed root and paragraphs."""

    name: str
    root: etree._Element
    paragraphs: list[Paragraph]


def read_stories(data: bytes, where: str, suffix: str = ".docx", include_fallback: bool = False):
    """The checked package and its stories, in reading order; tracked
    changes refused."""
    package = Package(data, where, suffix)
    styles = package.styles()
    stories = []
    for name in package.stories():
        root = package.xml(name)
        if name == package.main:
            refuse_foreign_main(root, where)
        refuse_tracked_changes(root, f"{where}: {name}")
        refuse_embedded_content(root, f"{where}: {name}")
        stories.append(Story(name, root, story_paragraphs(root, styles, include_fallback, f"{where}: {name}")))
    return package, stories


def _serialise(root: etree._Element) -> bytes:
    # The declaration as Word writes it.
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + etree.tostring(root, encoding="UTF-8")


def write_package(package: Package, replaced: dict[str, bytes]) -> bytes:
    """The source package with the members in ``replaced`` swapped in;
    every other member copied as it is, in the same order, with the same
    names, dates and compression."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in package.infos:
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.compress_type = info.compress_type
            copy.external_attr = info.external_attr
            copy.create_system = info.create_system
            copy.comment = info.comment
            copy.extra = info.extra
            if info.filename in replaced:
                target.writestr(copy, replaced[info.filename])
                continue
            with package.zip.open(info) as src, target.open(copy, "w") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
    return out.getvalue()


# --------------------------------------------------------------------------- the format


@dataclass(frozen=True)
class Native:
    """What the writers need of the source: its bytes (re-read for each
    output, so that writing one never changes another) and how to name it."""

    data: bytes
    where: str
    suffix: str


def _builder(par: Paragraph, ruby: bool = False):
    from ..inline import build_from_pieces

    return build_from_pieces(*par.ruby_pieces) if ruby else build_from_pieces(par.pieces, par.codes)


def _blocks(stories: list[Story], where: str, fallbacks: bool = False):
    """(story, paragraph or attribute, block, is a fallback copy) in reading
    order, a paragraph's attributes after it. The line of a block is the
    paragraph's number among those with text (fallback copies, read by the
    writer only, are not counted; an attribute has the line of the last
    paragraph read); a body paragraph is typed by its text as in HTML
    (byline, caption, qa-turn), an attribute as its HTML analogue."""
    from ..inline import InlineBuilder, classify_text, make_block
    from ..segment.blocks import find_speakers
    from ..textsafety import describe, first_unsafe

    pending = []
    line = 0
    for story in stories:
        with_text = {par.element: par for par in story.paragraphs}
        for p in story.root.iter(w("p")):
            fallback = _in_fallback(p)
            if fallback and not fallbacks:
                continue
            par = with_text.get(p)
            if par is not None:
                line += not fallback
                builder = _builder(par)
                what = "text"
            for anchor in ([par] if par is not None else []) + paragraph_attributes(p):
                if isinstance(anchor, Attribute):
                    builder = InlineBuilder()
                    builder.literal_text(anchor.value)
                    what = f"the {anchor.label} attribute"
                bad = first_unsafe(builder.plain)
                if bad is not None:
                    found = describe(builder.plain, bad).split(": ", 1)[1]
                    raise SourceError(f"{where}: paragraph {max(line, 1)} ({story.name}): {found} in {what}")
                pending.append((story, anchor, builder, max(line, 1), fallback))
    bodies = [
        b.plain.strip()
        for _, p, b, _, fb in pending
        if isinstance(p, Paragraph) and p.type is BlockType.BODY and not fb
    ]
    speakers = find_speakers(bodies).labels
    for story, par, builder, line, fallback in pending:
        if isinstance(par, Attribute):
            reason = f"{story.name}: the {par.label} attribute"
            block = make_block(builder, par.block_type(), line, anchor=par, reason=reason, where=where)
            if block is not None:
                yield story, par, block, fallback
            continue
        btype, reason = par.type, f"{story.name}: paragraph style"
        if btype is BlockType.BODY:
            btype, reason = classify_text(builder.plain.strip(), speakers)
        block = make_block(builder, btype, line, anchor=par, reason=reason, where=where)
        if block is not None and par.ruby_pieces is not None:
            par.ruby = make_block(_builder(par, ruby=True), btype, line, anchor=par, reason=reason, where=where)
        if block is not None:
            yield story, par, block, fallback


def read(data: bytes, ctx):
    """The document of a DOCX source (see the module docstring)."""
    from ..segment import Document

    suffix = PurePosixPath(ctx.where).suffix or ".docx"
    _, stories = read_stories(data, ctx.where, suffix)
    blocks = [block for _, _, block, _ in _blocks(stories, ctx.where)]
    return Document(ctx.name, blocks, repair=False, native=Native(data, ctx.where, suffix), encoding="docx")


def _key(block) -> tuple[str, ...]:
    return tuple(seg.text for seg in block.segments)


def _english(block, eblock) -> list:
    """The pieces a paragraph is rebuilt from: its translation, or its
    source with its phonetic guides."""
    from ..inline import rebuild
    from .ruby import ruby_back

    return ruby_back(block, eblock) or rebuild(block, eblock)


def write_english(document, edition) -> bytes:
    """``<doc>.en.docx``: the source package, each paragraph's runs rebuilt
    from its translation, each translated attribute set; everything else
    as it was."""
    from ..inline import rebuild

    native: Native = document.native
    package, stories = read_stories(native.data, native.where, native.suffix, include_fallback=True)
    fresh = list(_blocks(stories, native.where, fallbacks=True))
    main = [(story, anchor, block) for story, anchor, block, fallback in fresh if not fallback]
    if [_key(b) for _, _, b in main] != [_key(b) for b in document.blocks]:
        raise SourceError(f"{native.where}: the source changed while it was being built; build again")
    by_text = {}
    jobs = []
    for (story, anchor, block), eblock in zip(main, edition.blocks, strict=True):
        by_text.setdefault(_key(block), eblock)
        jobs.append((story, anchor, block, eblock))
    for story, anchor, block, fallback in fresh:
        eblock = by_text.get(_key(block)) if fallback else None
        if eblock is not None:  # a text box's VML copy gets the drawing's translation
            jobs.append((story, anchor, block, eblock))
    replaced: dict[str, etree._Element] = {}
    # Attributes first: a rebuilt paragraph copies its hyperlinks (their tooltips) from the source.
    for story, anchor, block, eblock in jobs:
        where = f"{native.where}: paragraph {block.line}"
        if isinstance(anchor, Attribute) and write_attribute(anchor, rebuild(block, eblock), where):
            replaced[story.name] = story.root
    for story, anchor, block, eblock in jobs:
        if isinstance(anchor, Paragraph):
            rebuild_paragraph(anchor, _english(block, eblock), f"{native.where}: paragraph {block.line}")
            replaced[story.name] = story.root
    return write_package(package, {name: _serialise(root) for name, root in replaced.items()})


#: How the bilingual table shows a block type (bold, italic).
_BILINGUAL_STYLE = {
    BlockType.TITLE: (True, False),
    BlockType.SUBTITLE: (True, False),
    BlockType.HEADING: (True, False),
    BlockType.SECTION_NUMBER: (True, False),
    BlockType.BYLINE: (False, True),
    BlockType.CAPTION: (False, True),
}


def _bilingual_rpr(bold: bool, italic: bool, shown) -> etree._Element:
    from ..editions.model import Shown
    from ..languages import TARGET

    rpr = etree.Element(w("rPr"))
    # In the schema's order: b, i, color, sz, highlight, lang.
    if bold:
        etree.SubElement(rpr, w("b"))
    if italic:
        etree.SubElement(rpr, w("i"))
    if shown is Shown.MACHINE_DRAFT:
        etree.SubElement(rpr, w("color")).set(w("val"), "2456A6")
    etree.SubElement(rpr, w("sz")).set(w("val"), "22")
    if shown is Shown.UNTRANSLATED:
        etree.SubElement(rpr, w("highlight")).set(w("val"), "yellow")
    lang = etree.SubElement(rpr, w("lang"))
    lang.set(w("val"), TARGET.bcp47)
    lang.set(w("eastAsia"), "zh-CN")
    return rpr


def write_bilingual(document, edition) -> bytes:
    """``<doc>.bilingual.docx``: a two-column table, Chinese and English,
    one row per segment (sentence-aligned, as the bilingual HTML);
    untranslated text highlighted, machine drafts in blue, as the bilingual
    HTML marks them. Made with python-docx; the rows are written with lxml
    (python-docx's row API walks the whole table for each row)."""
    import docx

    from ..inline import plain_edition
    from ..languages import TARGET

    plain = plain_edition(edition, document)
    out = docx.Document()
    title = f"{document.name} · Chinese | English"
    out.core_properties.title = title
    out.core_properties.author = "pipeline"
    out.core_properties.language = TARGET.bcp47
    cov = plain.coverage
    out.add_heading(title, level=1)
    out.add_paragraph(f"{cov.summary()} Highlighted: untranslated; blue: machine draft, not reviewed.")
    table = out.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    tbl = table._tbl
    widths = [col.get(w("w")) for col in tbl.tblGrid.iterchildren(w("gridCol"))]

    def cell(tr, width, text: str, rpr) -> None:
        tc = etree.SubElement(tr, w("tc"))
        if width:
            tc_w = etree.SubElement(etree.SubElement(tc, w("tcPr")), w("tcW"))
            tc_w.set(w("w"), width)
            tc_w.set(w("type"), "dxa")
        etree.SubElement(tc, w("p")).append(_text_run(text, rpr))

    for source_block, block in zip(document.blocks, plain.blocks, strict=True):
        bold, italic = _BILINGUAL_STYLE.get(block.type, (False, False))
        for seg in block.segments:
            tr = etree.SubElement(tbl, w("tr"))
            refuse_unrepresentable(seg.target, f"{document.native.where}: paragraph {source_block.line}")
            cell(tr, widths[0], seg.source, _bilingual_rpr(bold, False, None))  # Chinese has no italics
            cell(tr, widths[1], seg.target, _bilingual_rpr(bold, italic, seg.shown))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _format():
    from . import Format

    return Format(
        name="docx",
        label="DOCX",
        suffixes=(".docx",),
        kinds=frozenset({"zip", "ole"}),  # the reader says what an OLE file is (encrypted, .doc)
        read=read,
        outputs={".en.docx": write_english, ".bilingual.docx": write_bilingual},
    )


FORMAT = _format()
