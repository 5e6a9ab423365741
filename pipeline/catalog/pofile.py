"""Reading and writing PO files, strictly.

Babel parses and writes the catalogs. Around it this module adds what a
catalog edited by hand needs: a lexical check that reports ``file:line``
for broken quoting, merge-conflict markers and duplicate entries (which
Babel would otherwise merge silently), a UTF-8 check, and headers that
Babel does not know (``X-Source-Language``, Poedit's ``X-Poedit-*``) kept
through a read/write cycle.
"""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path
from typing import BinaryIO

from babel.messages import catalog as babel_catalog
from babel.messages.pofile import PoFileError, PoFileParser, generate_po, unescape, write_po

from ..atomicfile import atomic_write
from ..errors import CatalogError

_KNOWN_HEADERS = {
    "project-id-version", "report-msgid-bugs-to", "pot-creation-date", "po-revision-date",
    "last-translator", "language", "language-team", "plural-forms", "mime-version",
    "content-type", "content-transfer-encoding", "generated-by",
}  # fmt: skip


class Catalog(babel_catalog.Catalog):
    """Babel's catalog, keeping the headers Babel does not model."""

    def __init__(self, *args, **kwargs):
        self.extra_headers: dict[str, str] = {}
        super().__init__(*args, **kwargs)

    def _get_mime_headers(self):
        headers = super()._get_mime_headers()
        at = next(i for i, (name, _) in enumerate(headers) if name == "MIME-Version")
        return headers[:at] + list(self.extra_headers.items()) + headers[at:]

    def _set_mime_headers(self, headers):
        headers = list(headers)
        super()._set_mime_headers(headers)
        for name, value in headers:
            if name.lower() not in _KNOWN_HEADERS:
                self.extra_headers[name] = value


_STRING = r'"(?:[^"\\]|\\.)*"'
_ENTRY_LINE = re.compile(rf"^(?:(?P<kw>msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)[ \t]+)?(?P<str>{_STRING})[ \t]*$")
_CONFLICT = re.compile(r"^(<<<<<<<|=======|>>>>>>>|\|\|\|\|\|\|\|)( |$)")


def _unquote(quoted: str) -> str:
    return quoted[1:-1]


def check_syntax(lines: list[str], filename: str) -> None:
    """Raise CatalogError at the first line that no PO tool would accept."""
    seen: dict[tuple[str | None, str], int] = {}
    keyword = None
    ctxt: str | None = None
    msgid: list[str] | None = None
    msgid_line = 0

    def finish_msgid() -> None:
        nonlocal msgid, ctxt
        if msgid is not None:
            key = (ctxt, "".join(msgid))
            if key in seen and key[1]:
                raise CatalogError(
                    f"{filename}:{msgid_line}: duplicate message definition "
                    f"(first defined at line {seen[key]}); merge the two entries"
                )
            seen.setdefault(key, msgid_line)
        msgid, ctxt = None, None

    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        stripped = line.strip()
        if _CONFLICT.match(line):
            raise CatalogError(f"{filename}:{number}: git merge conflict marker '{line[:7]}'; resolve the conflict first")
        if not stripped:
            keyword = None
            continue
        obsolete = stripped.startswith("#~") and not stripped.startswith("#~|")
        if stripped.startswith("#") and not obsolete:
            continue
        body = stripped[2:].strip() if obsolete else stripped
        if obsolete and not body:
            continue
        match = _ENTRY_LINE.match(body)
        if not match:
            if body.count('"') % 2 or (body.endswith("\\\"") and body.count('"') == 1):
                raise CatalogError(f"{filename}:{number}: unterminated string")
            raise CatalogError(f"{filename}:{number}: unexpected text {body[:40]!r}")
        kw = match.group("kw")
        if kw is None:
            if keyword is None:
                raise CatalogError(f"{filename}:{number}: string without a msgid or msgstr keyword")
            if keyword == "msgid" and msgid is not None:
                msgid.append(_unquote(match.group("str")))
            elif keyword == "msgctxt" and not obsolete:
                ctxt = (ctxt or "") + _unquote(match.group("str"))
            continue
        keyword = kw
        if obsolete:
            continue
        if kw == "msgctxt":
            finish_msgid()
            ctxt = _unquote(match.group("str"))
        elif kw == "msgid":
            saved_ctxt = ctxt
            finish_msgid()
            ctxt = saved_ctxt
            msgid = [_unquote(match.group("str"))]
            msgid_line = number
        elif kw.startswith("msgstr"):
            finish_msgid()
    finish_msgid()


def read_catalog(fileobj: BinaryIO, filename: str = "<catalog>") -> Catalog:
    """Parse a PO/POT file. Raise CatalogError with ``file:line`` when it is broken."""
    data = fileobj.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CatalogError(f"{filename}:{line}: not valid UTF-8; catalogs must be UTF-8 (convert with msgconv --to-code=UTF-8)") from None
    # Only \n (and \r) end a line: str.splitlines() would also split at a
    # form feed or U+2028 inside a string.
    lines = list(io.StringIO(text, newline=""))
    check_syntax(lines, filename)
    babel_lines, previous = _split_previous(lines)
    catalog = Catalog()
    parser = PoFileParser(catalog, ignore_obsolete=False, abort_invalid=True)
    try:
        parser.parse(babel_lines)
    except PoFileError as exc:
        raise CatalogError(f"{filename}:{exc.lineno + 1}: {str(exc).rsplit(' on ', 1)[0]}") from None
    except (ValueError, TypeError) as exc:  # a malformed header value
        raise CatalogError(f"{filename}: invalid header: {exc}") from None
    charset = (catalog.charset or "utf-8").lower().replace("_", "-")
    if charset not in ("utf-8", "utf8", "charset"):
        number = next((i for i, l in enumerate(lines, 1) if "charset=" in l), 1)
        raise CatalogError(
            f"{filename}:{number}: header declares charset={catalog.charset}, but catalogs must be UTF-8 "
            "(fix the Content-Type header, or convert with msgconv --to-code=UTF-8)"
        )
    catalog.charset = "utf-8"
    for message in catalog:
        if message.id and message.lineno in previous:
            message.previous_id = previous[message.lineno]
    return catalog


_PREVIOUS_LINE = re.compile(rf"^#\|[ \t]*(?:(?P<kw>msgctxt|msgid|msgid_plural)[ \t]+)?(?P<str>{_STRING})[ \t]*$")


def _split_previous(lines: list[str]) -> tuple[list[str], dict[int, list[str]]]:
    """Babel's parser does not read previous msgids: it takes ``#| msgid`` for
    a translator comment and refuses ``#~|``. Blank those lines out for it
    (line numbers stay) and return the previous msgid of each entry, keyed by
    the line number of the entry's ``msgid``. The previous source of an
    obsolete entry (``#~|``) is dropped."""
    out: list[str] = []
    previous: dict[int, list[str]] = {}
    pending: dict[str, str] = {}
    keyword = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("#~|"):
            out.append("\n")
            continue
        if stripped.startswith("#|"):
            match = _PREVIOUS_LINE.match(stripped)
            if match:
                keyword = match.group("kw") or keyword
                if keyword:
                    pending[keyword] = pending.get(keyword, "") + unescape(match.group("str"))
            out.append("\n")
            continue
        if stripped.startswith("msgid "):
            if "msgid" in pending:
                previous[number] = [pending["msgid"]]
                if "msgid_plural" in pending:
                    previous[number].append(pending["msgid_plural"])
            pending, keyword = {}, None
        elif not stripped:
            pending, keyword = {}, None
        out.append(line)
    return out, previous


def _entry(message, locale, obsolete: bool) -> str:
    """One entry as Babel writes it, except that translator comments stay on
    one line each, as GNU gettext keeps them (Babel wraps them at 76 columns,
    and a wrapped comment reads back as two comments), and that an obsolete
    entry keeps its flags (Babel drops them: a fuzzy entry that became
    obsolete would come back reviewed)."""
    single = babel_catalog.Catalog(locale=locale, charset="utf-8")
    bare = message.clone()
    bare.user_comments = []
    if obsolete:
        single.obsolete[bare.id] = bare
    else:
        single[bare.id] = bare
    lines = list(generate_po(single, omit_header=True, include_previous=True, width=76))
    if obsolete and message.flags:
        at = next(i for i, line in enumerate(lines) if line.startswith("#~"))
        lines.insert(at, "#, " + ", ".join(sorted(message.flags)) + "\n")
    at = next(i for i, line in enumerate(lines) if line.strip())
    comments = [f"# {c}\n" if c else "#\n" for c in message.user_comments]
    return "".join(lines[:at] + comments + lines[at:])


def write_catalog(fileobj: BinaryIO, catalog: Catalog) -> None:
    """Write ``catalog`` as a PO file, with previous msgids (``#|``)."""
    header = copy.copy(catalog)
    header._messages = type(catalog._messages)()  # the header alone
    header.obsolete = type(catalog.obsolete)()
    write_po(fileobj, header, width=76)
    for message in catalog:
        if message.id:
            fileobj.write(_entry(message, catalog.locale, obsolete=False).encode("utf-8"))
    for message in catalog.obsolete.values():
        fileobj.write(_entry(message, catalog.locale, obsolete=True).encode("utf-8"))


def catalog_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_catalog(buf, catalog)
    return buf.getvalue()


def load_catalog(path: Path, display: str | None = None) -> Catalog:
    """Read the catalog at ``path``."""
    try:
        with open(path, "rb") as fh:
            return read_catalog(fh, display or str(path))
    except FileNotFoundError:
        raise CatalogError(f"{display or path}: no such catalog") from None


def save_catalog(path: Path, catalog: Catalog) -> None:
    """Write ``catalog`` to ``path`` atomically."""
    atomic_write(path, catalog_bytes(catalog))
