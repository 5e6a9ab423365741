"""Which characters we refuse in text that people or other tools hand us.

One rule for every input: source documents, translations saved in the web
app or the terminal editor, imported TMX/TBX/XLIFF, reviewer names and
document names. A refused character gets one line that names where it is.

- Text (sources, translations, notes): C0/C1 control characters other than
  tab and line feed (carriage return and form feed are tolerated in
  sources, which normalise them), lone surrogates, and the bidirectional
  embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069),
  which make text display in another order than it is stored; and the
  noncharacters U+FFFE and U+FFFF, which XML (HTML, DOCX, XLIFF, TMX)
  cannot carry.
- Names (reviewer names, document names, anything written on one line of a
  file header or comment): all of the above, and any line break at all,
  so a name can never start a new line in a PO file.

Text that got in before (a catalog written by another tool) is shown with
:func:`printable`, which spells those characters as escapes, so that
displaying it can never move the cursor, ring the bell or reorder a line.
Every ``--json`` output is written by :func:`json_output`, which does the
same inside JSON strings.
"""

from __future__ import annotations

import json
import re

from .errors import PipelineError

# C0/C1 controls other than tab, line feed, carriage return and form feed;
# lone surrogates; bidi embeddings, overrides and isolates.
_TEXT_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
# In names: also every line break, tab and Unicode line/paragraph separator.
_NAME_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u2028\u2029\x85\ufffe\uffff]")


class UnsafeTextError(PipelineError):
    """Text holding a character we refuse; the message says which and where."""


def first_unsafe(text: str, name: bool = False) -> int | None:
    """Index of the first refused character in ``text``, or None."""
    match = (_NAME_UNSAFE if name else _TEXT_UNSAFE).search(text)
    return match.start() if match else None


def describe(text: str, index: int) -> str:
    """``line L, column C: control character U+XXXX`` for the character at ``index``."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    code = ord(text[index])
    kind = (
        "lone surrogate"
        if 0xD800 <= code <= 0xDFFF
        else ("bidirectional control" if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 else "control character")
    )
    if code in (0xFFFE, 0xFFFF):
        kind = "noncharacter"  # XML (HTML, DOCX, XLIFF, TMX) cannot carry it
    return f"line {line}, column {column}: {kind} U+{code:04X}"


def refuse_unsafe(text: str, where: str, name: bool = False) -> str:
    """Return ``text`` unchanged, or raise :class:`UnsafeTextError` naming
    ``where`` and the position of the first refused character."""
    index = first_unsafe(text, name=name)
    if index is not None:
        raise UnsafeTextError(f"{where}: {describe(text, index)} is not allowed")
    return text


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, one_line: bool = False) -> str:
    """``text`` safe to print on a terminal: every character the name rule
    refuses (controls, lone surrogates, bidi controls, line separators) is
    shown as ``\\x1b`` or ``\\u202e``. Tab and line feed are kept, unless
    ``one_line`` (a table cell, a one-line message)."""
    kept = "" if one_line else "\t\n"
    return _NAME_UNSAFE.sub(lambda m: m.group() if m.group() in kept else _escape(ord(m.group())), text)


# What JSON output spells as \uXXXX although JSON allows it raw: the C1
# controls and DEL (JSON itself escapes only C0), lone surrogates, the
# noncharacters U+FFFE/U+FFFF, line and paragraph separators, and every
# format character (Unicode category Cf: bidi embeddings, overrides,
# isolates and marks, zero-width characters, the byte-order mark, tags).
_JSON_ESCAPED = re.compile(
    "[\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\ufffe\uffff\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def _json_escape(match: re.Match) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # JSON spells a supplementary character as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_output(value: object) -> str:
    """``value`` as the JSON of a ``--json`` output: indented, Chinese and
    other text readable as it is, but every invisible character that could
    move the cursor or reorder a line on a terminal (C1 controls, bidi and
    other format characters, line separators, lone surrogates) spelled as a
    ``\\uXXXX`` escape, so that the output is safe to display and still
    decodes to the same strings."""
    # These characters can only stand inside JSON strings, where \uXXXX means the same.
    return _JSON_ESCAPED.sub(_json_escape, json.dumps(value, ensure_ascii=False, indent=2))
