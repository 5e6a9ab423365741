"""The XML security policy of every XML file we read (TMX, TBX): one parser
factory and its refusal rules, and the one rule for characters XML cannot
carry.

The parser is expat (the one under ElementTree and SAX), used directly for
its line numbers and its declaration hooks. It refuses:

* a ``<!DOCTYPE>`` with an internal subset, before any entity it declares
  could expand ("billion laughs") or name a file ("XXE");
* any entity declaration (defence in depth: they live in that subset);
* a reference to an entity it does not know (``&nbsp;`` with a DTD that is
  never read).

A ``<!DOCTYPE>`` that only names an external DTD, as many tools write it
(``<!DOCTYPE tmx SYSTEM "tmx14.dtd">``), is accepted; external DTDs and
entities are never loaded. Every refusal and every well-formedness error is
one line, ``file:line: why``, in the error class of the format.
"""

from __future__ import annotations

import re
from typing import BinaryIO
from xml.parsers import expat

from .errors import PipelineError

# Characters XML 1.0 cannot carry, not even as character references.
_NOT_XML_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def unrepresentable(text: str) -> str | None:
    """The first character of ``text`` that XML 1.0 cannot represent (a
    control character, a lone surrogate, U+FFFE, U+FFFF), or None."""
    bad = _NOT_XML_RE.search(text)
    return bad.group() if bad else None


class XmlRefused(Exception):
    """A construct the policy refuses; :func:`parse` turns it into the
    format's error with ``file:line``."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def make_parser(kind: str, namespace_separator: str | None = None) -> expat.XMLParserType:
    """An expat parser that refuses entity declarations, as this module says.

    ``kind`` names the format in messages ("TMX"); ``namespace_separator``
    turns on namespace processing (names become ``uri<sep>local``). The
    caller sets its own element and text handlers, and parses with
    :func:`parse`."""
    parser = expat.ParserCreate(namespace_separator=namespace_separator)
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(name, system_id, public_id, has_internal_subset) -> None:
        if has_internal_subset:
            raise XmlRefused(
                "refusing a <!DOCTYPE> with declarations: entity declarations are refused, they can expand "
                f"without bound or read files, and {kind} needs none",
                parser.CurrentLineNumber,
            )

    def entity_declaration(name, *args) -> None:
        raise XmlRefused(
            f"refusing the entity declaration '{name}': entity declarations are refused", parser.CurrentLineNumber
        )

    def skipped_entity(name, is_parameter_entity) -> None:
        raise XmlRefused(f"undefined entity &{name};", parser.CurrentLineNumber)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity_declaration
    parser.SkippedEntityHandler = skipped_entity
    parser.ExternalEntityRefHandler = lambda *args: 0  # never read an external entity or DTD
    return parser


def parse(parser: expat.XMLParserType, source: bytes | BinaryIO, filename: str, error: type[PipelineError]) -> None:
    """Feed ``source`` (bytes or a binary file) to ``parser``; a refusal or
    malformed XML raises ``error("file:line: why")``. Errors the caller's
    handlers raise pass through as they are."""
    try:
        if isinstance(source, (bytes, bytearray)):
            parser.Parse(source, True)
        else:
            parser.ParseFile(source)
    except XmlRefused as exc:
        raise error(f"{filename}:{exc.line}: {exc}") from None
    except expat.ExpatError as exc:
        raise error(f"{filename}:{exc.lineno}: not well-formed XML: {expat.ErrorString(exc.code)}") from None
