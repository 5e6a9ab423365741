"""Reading source documents: format, encoding and line ends.

Chinese text arrives as UTF-8 (with or without a BOM), as GB18030 or its
subset GBK/GB2312 from older Windows tools, and now and then as UTF-16 with
a BOM. The encoding is detected by strict decoding in that order, never
guessed statistically: UTF-8 almost never decodes by accident, and text
that is not UTF-8 but decodes strictly as GB18030 is GB18030 in practice.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from .atomicfile import read_regular
from .errors import SourceError, UnsafePathError
from .formats import SUPPORTED_SUFFIXES as _FORMAT_SUFFIXES
from .textsafety import describe, first_unsafe, refuse_unsafe
from .zh.script import count_han

#: Source formats that can be segmented, by suffix: the formats registry's
#: (:mod:`pipeline.formats`); :func:`read_source` reads the plain-text ones.
SUPPORTED_SUFFIXES = _FORMAT_SUFFIXES
TEXT_SUFFIXES = (".txt",)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Source:
    """A decoded source document."""

    path: Path
    text: str  # with \n line ends
    encoding: str

    @property
    def name(self) -> str:
        """The document name: the file's stem. Catalogs are named after it."""
        return document_name(self.path)


def document_name(path: Path, display: str | None = None) -> str:
    """The name of the document in the file at ``path`` (a source or a
    catalog): the file's stem. Files, headers and messages are named after
    it, so a name holding a line break, a control or a bidirectional
    control is refused with one line (:mod:`pipeline.textsafety`)."""
    return refuse_unsafe(path.stem, f"{display or repr(str(path))}: document name", name=True)


def _position(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return f"line {line}, byte {offset}"


def decode(data: bytes, where: str) -> tuple[str, str]:
    """Decode source bytes; return ``(text, encoding)`` or raise SourceError."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise SourceError(f"{where}: invalid {encoding} at {_position(data, exc.start)}") from None
    if b"\x00" in data:
        raise SourceError(
            f"{where}: looks like a binary file (NUL byte at {_position(data, data.index(0))}); "
            "expected UTF-8 or GB18030 text"
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        start = utf8_error.start
        bad = f"invalid byte 0x{data[start]:02x} at {_position(data, start)}"
        bad_line = data.count(b"\n", 0, start) + 1
        utf8_line = _utf8_chinese_line(data)
        if utf8_line is not None and _decodes(data.split(b"\n")[bad_line - 1], "gb18030"):
            # A GBK paragraph pasted into a UTF-8 file (or the reverse).
            # GB18030 alone would often "decode" the UTF-8 part into mojibake.
            raise SourceError(
                f"{where}: mixed encodings: line {utf8_line} is UTF-8 but line {bad_line} is not "
                f"({bad}; GBK?); convert the whole file to UTF-8"
            ) from None
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            raise SourceError(f"{where}: neither UTF-8 nor GB18030 ({bad})") from None


#: Han characters a line must hold, as valid multi-byte UTF-8, to count as
#: UTF-8 in a file that is not UTF-8 as a whole. GBK text forms valid UTF-8
#: Han by accident only in runs of one or two characters.
MIN_HAN_FOR_UTF8_LINE = 3


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _utf8_chinese_line(data: bytes) -> int | None:
    """The number of the first line that is valid UTF-8 with Chinese in it."""
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if raw.isascii() or not _decodes(raw, "utf-8"):
            continue
        if count_han(raw.decode("utf-8")) >= MIN_HAN_FOR_UTF8_LINE:
            return number
    return None


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_source(path: Path, display: str | None = None, inside: Path | None = None) -> Source:
    """Read and decode a source document, refusing what cannot be segmented.

    A FIFO, device or directory is refused without blocking on it; with
    ``inside`` (the workspace), so is a file that lies outside it."""
    where = display or str(path)
    if path.suffix.lower() not in TEXT_SUFFIXES:
        supported = ", ".join(TEXT_SUFFIXES)
        raise SourceError(f"{where}: unsupported format '{path.suffix or '(none)'}' (supported: {supported})")
    try:
        data = read_regular(path, where, inside)
    except UnsafePathError as exc:
        raise SourceError(str(exc)) from None
    except OSError as exc:
        raise SourceError(f"{where}: cannot read: {exc.strerror}") from None
    text, encoding = decode_text(data, where)
    return Source(path, text, encoding)


def decode_text(data: bytes, where: str) -> tuple[str, str]:
    """A plain-text source's bytes decoded (:func:`decode`), with ``\\n``
    line ends, refusing control characters: ``(text, encoding)``."""
    text, encoding = decode(data, where)
    text = normalize_newlines(text)
    bad = first_unsafe(text)
    if bad is not None:
        # file:line:column, as compilers say it; which characters are
        # refused, and their names, are pipeline.textsafety's.
        line = text.count("\n", 0, bad) + 1
        column = bad - (text.rfind("\n", 0, bad) + 1) + 1
        what = describe(text, bad).split(": ", 1)[1]
        raise SourceError(f"{where}:{line}:{column}: {what} in text")
    return text, encoding
