"""Source formats: a reader and writers per format, chosen by suffix.

A :class:`Format` reads a source file's bytes into today's
:class:`~pipeline.segment.Document` (typed blocks of segments; inline
formatting as codes, :mod:`pipeline.inline`), so that catalogs, memory,
checks, review and status work the same for every format. Its ``outputs``
write the same format back from the document and its edition
(``build/<doc>.en.html``, …); the plain editions (``.en.txt``, the
bilingual HTML and Markdown) are written for every format.

The suffix table is here, static, so that listing sources
(:data:`SUPPORTED_SUFFIXES`) imports no parser; each format's module is
imported when a file of its format is read, and defines ``FORMAT``.

**Sniffing** (:func:`sniff`) is one rule for every format: the first bytes
say what a file is, whatever its name (a ZIP archive, an OLE compound
file, a PDF, binary data, markup or text), and a format refuses a kind it
does not read, with one line: a DOCX renamed ``.html`` is "a ZIP archive,
not HTML", never a page of mojibake or an empty catalog.
"""

from __future__ import annotations

import codecs
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SourceError, UnsafePathError

#: Format name → (module, suffixes). The one table of source formats.
_TABLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "text": ("text", (".txt",)),
    "html": ("html", (".html", ".htm")),
    "markdown": ("markdown", (".md", ".markdown")),
    "docx": ("docx", (".docx",)),
}

#: Source suffixes that can be read (lower case), in the table's order.
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(s for _, suffixes in _TABLE.values() for s in suffixes)

_BY_SUFFIX = {suffix: name for name, (_, suffixes) in _TABLE.items() for suffix in suffixes}

#: Macro-enabled Word documents and templates: refused by name (their macros are never run nor kept).
_MACRO_SUFFIXES = frozenset({".docm", ".dotm"})


@dataclass(frozen=True)
class ReadContext:
    """What a reader knows besides the bytes: the document's name, how to
    name the file in a message, whether page breaks are repaired (plain
    text only) and the workspace configuration."""

    name: str
    where: str
    repair: bool = True
    config: Any = None  # pipeline.config.Config, or None for the defaults

    def setting(self, key: str) -> Any:
        """The workspace's value of ``key`` (declared in pipeline.config.SCHEMA), or its default."""
        if self.config is not None:
            return self.config[key]
        from ..config import DEFAULTS

        return DEFAULTS[key]


#: A writer: the document (as its reader made it) and its edition → bytes.
Writer = Callable[[Any, Any], bytes]


@dataclass(frozen=True)
class Format:
    """One source format. ``kinds``: the :func:`sniff` kinds it reads.
    ``outputs``: build outputs beside today's editions, by file suffix
    (``.en.html``); one with the suffix of a plain edition (``.en.md``)
    replaces that edition for this format."""

    name: str
    label: str
    suffixes: tuple[str, ...]
    kinds: frozenset[str]
    read: Callable[[bytes, ReadContext], Any]
    outputs: Mapping[str, Writer] = field(default_factory=dict)

    @property
    def formatted(self) -> bool:
        """Whether documents of this format have inline codes (all but plain text)."""
        return self.name != "text"


def format_for(path: Path, where: str | None = None) -> Format:
    """The format of the source at ``path``, by its suffix; a SourceError
    (one line) for a suffix no format reads."""
    where = where or str(path)
    suffix = path.suffix.lower()
    if suffix in _MACRO_SUFFIXES:
        raise SourceError(f"{where}: a macro-enabled Word document ({suffix}) is refused; save it as .docx")
    name = _BY_SUFFIX.get(suffix)
    if name is None:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise SourceError(f"{where}: unsupported format '{path.suffix or '(none)'}' (supported: {supported})")
    return get_format(name)


def get_format(name: str) -> Format:
    """The format called ``name`` (its module imported on first use)."""
    module_name, _ = _TABLE[name]
    module = importlib.import_module(f"{__name__}.{module_name}")
    fmt = getattr(module, "FORMAT", None)
    if fmt is None:
        raise SourceError(f"the {name} format is not available yet")
    return fmt


# --- Sniffing ---------------------------------------------------------------------------

#: What each kind is called in a refusal.
KIND_NAMES = {
    "zip": "a ZIP archive (DOCX, ODT, EPUB…)",
    "ole": "an OLE compound file (a legacy .doc, .xls, or an encrypted Office document)",
    "pdf": "a PDF document",
    "binary": "binary data",
    "html": "HTML",
    "text": "plain text",
    "empty": "an empty file",
}

_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"PK\x07\x08", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"%PDF-", "pdf"),
)

_UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: How much of a file sniffing reads.
SNIFF_BYTES = 8192
_HTML_WHITESPACE = " \t\n\r\f"


def sniff(data: bytes) -> str:
    """What ``data`` is, from its first bytes: ``zip``, ``ole``, ``pdf``,
    ``binary`` (a NUL byte in the first 8 KiB of a file without a UTF-16/32
    byte order mark), ``html`` (after a BOM and white space, ``<`` followed
    by a letter, ``!`` or ``?``: a doctype, a tag, a comment, an XML
    declaration), ``text`` otherwise, or ``empty``."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    head = data[:SNIFF_BYTES]
    text = None
    for bom, encoding in _UNICODE_BOMS:
        if head.startswith(bom):
            text = head[len(bom) :].decode(encoding, errors="ignore")
            break
    if text is None:
        if b"\x00" in head:
            return "binary"
        text = head.decode("latin-1")  # only ASCII matters below
    core = text.lstrip(_HTML_WHITESPACE)
    if not core:
        return "empty" if not data.strip() else "text"
    if core[0] == "<" and len(core) > 1 and (core[1].isascii() and core[1].isalpha() or core[1] in "!?"):
        return "html"
    return "text"


def refuse_kind(where: str, kind: str, fmt: Format) -> SourceError:
    """The one-line refusal of a file whose content is not ``fmt``'s."""
    return SourceError(f"{where}: looks like {KIND_NAMES.get(kind, kind)}, not {fmt.label}; is the extension right?")


# --- Reading ----------------------------------------------------------------------------


def read_bytes(path: Path, where: str, inside: Path | None = None) -> bytes:
    """The bytes of a source file: a regular file (inside ``inside``, the
    workspace), refused with one line otherwise."""
    from ..atomicfile import read_regular

    try:
        return read_regular(path, where, inside)
    except UnsafePathError as exc:
        raise SourceError(str(exc)) from None
    except OSError as exc:
        raise SourceError(f"{where}: cannot read: {exc.strerror}") from None


def load_document(
    path: Path,
    where: str | None = None,
    inside: Path | None = None,
    name: str | None = None,
    repair: bool = True,
    config: Any = None,
) -> Any:
    """Read and segment the source at ``path`` in its format: the
    :class:`~pipeline.segment.Document`, with ``encoding`` set. Refuses,
    with one line (SourceError), an unsupported suffix, a file that is not
    regular or lies outside ``inside``, content of another kind than the
    suffix says, and whatever the format's reader refuses."""
    where = where or str(path)
    fmt = format_for(path, where)
    data = read_bytes(path, where, inside)
    return read_document(fmt, data, ReadContext(name or path.stem, where, repair, config))


def read_document(fmt: Format, data: bytes, ctx: ReadContext) -> Any:
    """``data`` read as ``fmt``, after sniffing (see :func:`sniff`)."""
    kind = sniff(data)
    if kind not in fmt.kinds:
        raise refuse_kind(ctx.where, kind, fmt)
    return fmt.read(data, ctx)


# --- Writing ----------------------------------------------------------------------------


def output_paths(out_dir: Path, doc: str, fmt: Format) -> list[Path]:
    """The files ``fmt``'s own outputs go to (``build/<doc>.en.html``, …)."""
    return [out_dir / f"{doc}{suffix}" for suffix in fmt.outputs]


def merge_paths(paths: list[Path], more: list[Path]) -> list[Path]:
    """``paths`` then those of ``more`` not in it: a format's output that
    replaces a plain edition (a Markdown source's ``.en.md``) is listed once."""
    return paths + [p for p in more if p not in paths]


def render_outputs(out_dir: Path, doc: str, fmt: Format, document: Any, edition: Any) -> list[tuple[Path, bytes]]:
    """``fmt``'s own outputs of ``document`` and their bytes, written
    nowhere yet: a writer that refuses (a DOCX cannot carry a character)
    then leaves ``build/`` as it was, plain editions included."""
    return [(out_dir / f"{doc}{suffix}", writer(document, edition)) for suffix, writer in fmt.outputs.items()]


def write_rendered(rendered: list[tuple[Path, bytes]]) -> list[Path]:
    """Write what :func:`render_outputs` made (atomically); their paths."""
    from ..atomicfile import atomic_write

    for path, data in rendered:
        atomic_write(path, data)
    return [path for path, _ in rendered]


def write_outputs(out_dir: Path, doc: str, fmt: Format, document: Any, edition: Any) -> list[Path]:
    """Write ``fmt``'s own outputs of ``document`` (atomically); return their
    paths. Called after the plain editions: an output with an edition's
    suffix (a Markdown source's ``.en.md``) replaces it."""
    return write_rendered(render_outputs(out_dir, doc, fmt, document, edition))


__all__ = [
    "KIND_NAMES",
    "SUPPORTED_SUFFIXES",
    "Format",
    "ReadContext",
    "format_for",
    "get_format",
    "load_document",
    "merge_paths",
    "output_paths",
    "read_bytes",
    "read_document",
    "refuse_kind",
    "render_outputs",
    "sniff",
    "write_outputs",
    "write_rendered",
]
