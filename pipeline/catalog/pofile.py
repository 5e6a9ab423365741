"""Reading and writing PO files, strictly.

As in Babel, :func:`read_po` and :func:`write_po` work on binary file
objects and never touch the disk; :func:`load_catalog` and
:func:`save_catalog` are the path-based wrappers (a missing file is one
line naming it, a save is atomic).

Babel parses the catalogs; the writer writes what GNU gettext's ``msgcat``
writes, byte for byte. Around the parser this module adds what a catalog
edited by hand needs: a lexical check that reports ``file:line``
for broken quoting, merge-conflict markers and duplicate entries (which
Babel would otherwise merge silently), a UTF-8 check, and headers that
Babel does not know (``X-Source-Language``, Poedit's ``X-Poedit-*``) kept
through a read/write cycle.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import BinaryIO

from babel.messages import catalog as babel_catalog
from babel.messages.pofile import PoFileError, PoFileParser, unescape

from ..atomicfile import atomic_write, read_regular
from ..errors import CatalogError
from . import linebreak as _linebreak

_KNOWN_HEADERS = {
    "project-id-version",
    "report-msgid-bugs-to",
    "pot-creation-date",
    "po-revision-date",
    "last-translator",
    "language",
    "language-team",
    "plural-forms",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "generated-by",
}


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


#: What str.splitlines() takes for a line end besides ``\n``: carriage
#: return, vertical tab, form feed, the information separators, NEL, U+2028
#: and U+2029.
_OTHER_LINE_BREAKS = "\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029"
_LINE_BREAKS = re.compile(f"[\n{_OTHER_LINE_BREAKS}]")


def _one_line(text: str) -> str:
    """``text`` with its line breaks escaped (Babel quotes a msgid as it is):
    an error is one line."""
    return _LINE_BREAKS.sub(lambda m: repr(m.group())[1:-1], text)


def check_syntax(lines: list[str], filename: str) -> None:
    """Raise CatalogError at the first line that no PO tool would accept."""
    # Obsolete entries share the namespace of the active ones, as in msgfmt:
    # Babel keeps only one of two entries with the same msgid, silently.
    seen: dict[tuple[str | None, str], tuple[int, bool]] = {}
    keyword = None
    ctxt: str | None = None
    msgid: list[str] | None = None
    msgid_line = 0
    msgid_obsolete = False
    # The keyword before: a msgstr needs a msgid right before it (Babel
    # would silently drop a second msgstr, or pin an orphan on the header).
    previous_kw: str | None = None

    def finish_msgid() -> None:
        nonlocal msgid, ctxt
        if msgid is not None:
            key = (ctxt, "".join(msgid))
            if key in seen:
                first, first_obsolete = seen[key]
                if not key[1] and ctxt is None:
                    what = "a second header entry (empty msgid)"
                else:
                    what = "duplicate message definition"
                kinds = " (one of them obsolete)" if first_obsolete or msgid_obsolete else ""
                raise CatalogError(
                    f"{filename}:{msgid_line}: {what}{kinds}, first defined at line {first}; merge the two entries"
                )
            seen[key] = (msgid_line, msgid_obsolete)
        msgid, ctxt = None, None

    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        stripped = line.strip()
        if _CONFLICT.match(line):
            raise CatalogError(
                f"{filename}:{number}: git merge conflict marker '{line[:7]}'; resolve the conflict first"
            )
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
            if body.count('"') % 2 or (body.endswith('\\"') and body.count('"') == 1):
                raise CatalogError(f"{filename}:{number}: unterminated string")
            raise CatalogError(f"{filename}:{number}: unexpected text {body[:40]!r}")
        kw = match.group("kw")
        if kw is None:
            if keyword is None:
                raise CatalogError(f"{filename}:{number}: string without a msgid or msgstr keyword")
            if keyword == "msgid" and msgid is not None:
                msgid.append(_unquote(match.group("str")))
            elif keyword == "msgctxt":
                ctxt = (ctxt or "") + _unquote(match.group("str"))
            continue
        keyword = kw
        if kw.startswith("msgstr"):
            plural = kw != "msgstr"
            allowed = ("msgid", "msgid_plural", "msgstr[]") if plural else ("msgid",)
            if previous_kw not in allowed:
                if previous_kw in ("msgstr", "msgstr[]"):
                    raise CatalogError(f"{filename}:{number}: a second msgstr for the msgid at line {msgid_line}")
                raise CatalogError(f"{filename}:{number}: {kw} without a msgid before it")
            previous_kw = "msgstr[]" if plural else "msgstr"
        else:
            previous_kw = kw
        if kw == "msgctxt":
            finish_msgid()
            ctxt = _unquote(match.group("str"))
        elif kw == "msgid":
            saved_ctxt = ctxt
            finish_msgid()
            ctxt = saved_ctxt
            msgid = [_unquote(match.group("str"))]
            msgid_line = number
            msgid_obsolete = obsolete
        elif kw.startswith("msgstr"):
            finish_msgid()
    finish_msgid()


class _Parser(PoFileParser):
    """Babel's parser, keeping a translator comment that repeats an earlier
    one (Babel's Message drops it: a record cut into short lines may repeat
    a line, see :mod:`pipeline.catalog.annotations`)."""

    def _add_message(self) -> None:
        comments = list(self.user_comments)
        obsolete = self.obsolete
        before = len(self.catalog.obsolete if obsolete else self.catalog._messages)
        super()._add_message()
        added = self.catalog.obsolete if obsolete else self.catalog._messages
        if len(added) > before:
            message = next(reversed(added.values()))
            message.user_comments = comments


def read_po(fileobj: BinaryIO, filename: str = "<catalog>") -> Catalog:
    """Parse the PO/POT file ``fileobj`` (binary); ``filename`` names it in
    errors. Raise CatalogError with ``file:line`` when it is broken."""
    data = fileobj.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        if exc.end == len(data) and exc.reason == "unexpected end of data":
            raise CatalogError(f"{filename}:{line}: the file ends inside a character: truncated?") from None
        raise CatalogError(
            f"{filename}:{line}: not valid UTF-8; catalogs must be UTF-8 (convert with msgconv --to-code=UTF-8)"
        ) from None
    if not text.strip():
        # Every catalog we write has a header; an empty file is one that was
        # cut short, and reading it as "no entries" would hide the loss.
        raise CatalogError(
            f"{filename}:1: empty file, no PO header: truncated? Restore it, or delete it to start afresh"
        )
    # Only \n (and \r) end a line: str.splitlines() would also split at a
    # form feed or U+2028 inside a string.
    lines = list(io.StringIO(text, newline=""))
    check_syntax(lines, filename)
    babel_lines, previous = _split_previous(lines)
    catalog = Catalog()
    parser = _Parser(catalog, ignore_obsolete=False, abort_invalid=True)
    try:
        parser.parse(babel_lines)
    except PoFileError as exc:
        raise CatalogError(f"{filename}:{exc.lineno + 1}: {_one_line(str(exc).rsplit(' on ', 1)[0])}") from None
    except (ValueError, TypeError) as exc:  # a malformed header value
        raise CatalogError(f"{filename}: invalid header: {_one_line(str(exc))}") from None
    charset = (catalog.charset or "utf-8").lower().replace("_", "-")
    if charset not in ("utf-8", "utf8", "charset"):
        number = next((i for i, line in enumerate(lines, 1) if "charset=" in line), 1)
        raise CatalogError(
            f"{filename}:{number}: header declares charset={catalog.charset}, but catalogs must be UTF-8 "
            "(fix the Content-Type header, or convert with msgconv --to-code=UTF-8)"
        )
    catalog.charset = "utf-8"
    for message in (*catalog, *catalog.obsolete.values()):
        if message.id and message.lineno in previous:
            message.previous_id = previous[message.lineno]
    return catalog


# Several strings on one line are read too: that is how this module wrote a
# long previous msgid before it wrapped it as GNU gettext does.
_PREVIOUS_LINE = re.compile(
    rf"^#\|[ \t]*(?:(?P<kw>msgctxt|msgid|msgid_plural)[ \t]+)?(?P<str>{_STRING}(?:[ \t]*{_STRING})*)[ \t]*$"
)
_STRING_RE = re.compile(_STRING)


def _split_previous(lines: list[str]) -> tuple[list[str], dict[int, list[str]]]:
    """Babel's parser does not read previous msgids: it takes ``#| msgid`` for
    a translator comment and refuses ``#~|``. Blank those lines out for it
    (line numbers stay) and return the previous msgid of each entry, keyed by
    the line number of the entry's ``msgid`` (``#~ msgid`` for an obsolete
    entry, whose previous msgid is ``#~|``)."""
    out: list[str] = []
    previous: dict[int, list[str]] = {}
    pending: dict[str, str] = {}
    keyword = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("#~|"):
            stripped = "#|" + stripped[3:]
        if stripped.startswith("#|"):
            match = _PREVIOUS_LINE.match(stripped)
            if match:
                keyword = match.group("kw") or keyword
                if keyword:
                    strings = "".join(unescape(q) for q in _STRING_RE.findall(match.group("str")))
                    pending[keyword] = pending.get(keyword, "") + strings
            out.append("\n")
            continue
        if stripped.startswith(("msgid ", "#~ msgid ")):
            if "msgid" in pending:
                previous[number] = [pending["msgid"]]
                if "msgid_plural" in pending:
                    previous[number].append(pending["msgid_plural"])
            pending, keyword = {}, None
        elif not stripped:
            pending, keyword = {}, None
        out.append(line)
    return out, previous


#: GNU gettext's page width: every string line of a catalog, quotes and
#: prefix included, fits in it unless one unbreakable piece is longer.
WRAP_WIDTH = 79
#: What the writer escapes: what Babel's reader (and every PO reader) reads
#: back. (GNU gettext also writes \\a \\b \\f \\v as escapes, which Babel
#: would read as two characters; those control characters stay raw here.)
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"})
_ESCAPE_PAIR = re.compile(r"\\.", re.DOTALL)
_NO_WRAP = 1 << 40
#: The order of the header fields: gettext's for those it knows (msgmerge
#: puts them in this order), then ``Plural-Forms``, then the others (``X-``
#: fields of the pipeline, Poedit...) in the order they were read, as msgcat,
#: msgmerge and Poedit keep them: a field another tool appended stays where
#: that tool put it, so its next save and ours agree.
_HEADER_ORDER = (
    "Project-Id-Version",
    "Report-Msgid-Bugs-To",
    "POT-Creation-Date",
    "PO-Revision-Date",
    "Last-Translator",
    "Language-Team",
    "Language",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Plural-Forms",
)
#: Babel's stamp: written by the writer we no longer use, and changing with
#: each Babel release, so it is not written.
_DROPPED_HEADERS = {"generated-by"}
#: gettext's order of format flags (after ``fuzzy``); other flags, which
#: gettext's tools drop, follow in alphabetical order.
_FORMATS = tuple(
    """
    c objc python python-brace java java-printf csharp javascript scheme lisp
    elisp librep ruby sh awk lua object-pascal smalltalk qt qt-plural kde
    kde-kuit boost tcl perl perl-brace php gcc-internal gfc-internal ycp
    """.split()
)
_FLAG_RANK = {"fuzzy": (0, 0)}
for _i, _name in enumerate(_FORMATS):
    _FLAG_RANK[f"{_name}-format"] = _FLAG_RANK[f"no-{_name}-format"] = (1, _i)
_OTHER_FLAG = (3, 0)


def _flag_rank(flag: str) -> tuple:
    if flag.startswith("range:"):
        return (2, 0, flag)
    if flag in ("wrap", "no-wrap"):
        return (4, 0, flag)
    return (*_FLAG_RANK.get(flag, _OTHER_FLAG), flag)


def wrap_string(text: str, keyword: str = "msgid", prefix: str = "", width: int = WRAP_WIDTH) -> str:
    """``keyword`` and ``text`` as GNU gettext writes them (``msgcat``,
    ``msgmerge``), every line but the last ending in ``\\n``; the one place
    where catalogs are wrapped. Linear in the length of ``text``.

    gettext's rule (``wrap`` in its write-po.c): the text is cut after each
    ``\\n`` into portions, each starting a line of its own; each portion is
    escaped and filled to ``width`` columns (the quotes and ``prefix``
    included) at the break opportunities of Unicode's line-breaking
    algorithm, by display width (:mod:`pipeline.catalog.linebreak`): a Han
    character counts two columns and may end a line, a Latin word is never
    cut, no line starts inside an escape such as ``\\n``. When the text
    takes more than one line, the keyword stands on its own line with
    ``""``. ``width=0`` does not wrap (the ``no-wrap`` flag) but still
    starts a line after each ``\\n``."""
    after_break = len(prefix) + 1  # the prefix and the opening quote
    fill = (width if width and width > 0 else _NO_WRAP) - 1 - after_break
    portions = text.split("\n")
    last = portions.pop()
    portions = [p + "\n" for p in portions] + ([last] if last or not portions else [])
    out: list[str] = []
    first = True
    for index, portion in enumerate(portions):
        escaped = portion.translate(_ESCAPES)
        no_break = {m.start() + 1 for m in _ESCAPE_PAIR.finditer(escaped)} if "\\" in escaped else set()
        if portion.endswith("\n"):
            no_break.add(len(escaped) - 2)  # no break right before the final \n
        lead = f"{prefix}{keyword} " if first else prefix
        column = len(lead) + 1 - after_break
        prepared = _linebreak.Prepared(escaped, no_break)
        breaks = prepared.fill(fill, column) if escaped else []
        if first and escaped and (index < len(portions) - 1 or column > fill or breaks):
            out.append(f'{prefix}{keyword} ""')
            lead = prefix
            breaks = prepared.fill(fill, 0)
        first = False
        cuts = [0, *breaks, len(escaped)]
        for i in range(len(cuts) - 1):
            out.append(f'{lead if i == 0 else prefix}"{escaped[cuts[i] : cuts[i + 1]]}"')
    return "\n".join(out)


def _comment_lines(mark: str, comments) -> list[str]:
    """Comments as gettext writes them: ``mark``, a space unless the
    comment is empty, the comment; a comment holding line breaks takes one
    line per line."""
    out = []
    for comment in comments:
        for line in _LINE_BREAKS.split(comment):
            out.append(f"{mark} {line}" if line else mark)
    return out


def _reference_lines(locations) -> list[str]:
    """``#:`` lines as gettext writes them: each reference once, without a
    leading ``./``, as many on a line as fit in the page width."""
    out: list[str] = []
    line, column, seen = "#:", 2, set()
    for filename, lineno in locations:
        while filename.startswith("./"):
            filename = filename[2:]
        ref = f"{filename}:{lineno}" if lineno is not None else filename
        if ref in seen:
            continue
        seen.add(ref)
        size = len(ref.encode("utf-8")) + 1  # gettext counts bytes here
        if column > 2 and column + size > WRAP_WIDTH:
            out.append(line)
            line, column = "#:", 2
        line += " " + ref
        column += size
    if column > 2:
        out.append(line)
    return out


def _entry(message, num_plurals: int, obsolete: bool) -> str:
    """One entry as GNU gettext writes it, in its order: translator comments
    (``#``), extracted comments (``#.``), references (``#:``), flags
    (``#,``), previous msgid (``#|``), then the strings; an obsolete entry
    has the same comments, ``#~|`` and ``#~`` lines."""
    lines = _comment_lines("#", message.user_comments) + _comment_lines("#.", message.auto_comments)
    lines += _reference_lines(message.locations)
    flags = set(message.flags)
    first = message.string[0] if isinstance(message.string, (list, tuple)) and message.string else message.string
    if not first:
        flags.discard("fuzzy")  # as gettext: an untranslated entry is not fuzzy
    if flags:
        lines.append("#, " + ", ".join(sorted(flags, key=_flag_rank)))
    width = 0 if "no-wrap" in message.flags else WRAP_WIDTH
    prefix = "#~ " if obsolete else ""
    previous = "#~| " if obsolete else "#| "
    if message.previous_id:
        lines.append(wrap_string(message.previous_id[0], "msgid", previous, width))
        if len(message.previous_id) > 1:
            lines.append(wrap_string(message.previous_id[1], "msgid_plural", previous, width))
    if message.context is not None:
        lines.append(wrap_string(message.context, "msgctxt", prefix, width))
    if isinstance(message.id, (list, tuple)):
        lines.append(wrap_string(message.id[0], "msgid", prefix, width))
        lines.append(wrap_string(message.id[1], "msgid_plural", prefix, width))
        strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string or ""]
        strings += [""] * (num_plurals - len(strings))
        lines += [wrap_string(s or "", f"msgstr[{n}]", prefix, width) for n, s in enumerate(strings)]
    else:
        lines.append(wrap_string(message.id, "msgid", prefix, width))
        lines.append(wrap_string(message.string or "", "msgstr", prefix, width))
    return "\n".join(lines) + "\n"


def _header_fields(catalog: Catalog) -> list[tuple[str, str]]:
    """The header's fields in gettext's order, with ``charset=UTF-8``."""
    fields = [(name, value.strip()) for name, value in catalog._get_mime_headers()]
    fields = [(n, v) for n, v in fields if n.lower() not in _DROPPED_HEADERS]
    rank = {name.lower(): i for i, name in enumerate(_HEADER_ORDER)}
    fields.sort(key=lambda field: rank.get(field[0].lower(), len(rank)))  # stable: others keep their order
    return [
        (n, re.sub(r"charset=[\w.:-]+", "charset=UTF-8", v) if n.lower() == "content-type" else v) for n, v in fields
    ]


def _header(catalog: Catalog) -> str:
    # Babel keeps the header comment as lines starting with "#"; a form feed
    # or another line break inside one becomes a space (a line without "#"
    # would break the file).
    comment = re.sub(f"[{_OTHER_LINE_BREAKS}]", " ", catalog._header_comment or "")
    lines = [line for line in comment.split("\n") if line]
    lines = [line if line.startswith("#") else f"# {line}" for line in lines]
    if catalog.fuzzy:
        lines.append("#, fuzzy")
    lines.append(wrap_string("", "msgid"))
    lines.append(wrap_string("".join(f"{name}: {value}\n" for name, value in _header_fields(catalog)), "msgstr"))
    return "\n".join(lines) + "\n"


def write_po(fileobj: BinaryIO, catalog: Catalog) -> None:
    """Write ``catalog`` to the binary ``fileobj`` as GNU gettext writes it:
    ``msgcat`` gives back the same bytes."""
    entries = [_header(catalog)]
    entries += [_entry(m, catalog.num_plurals, obsolete=False) for m in catalog if m.id]
    entries += [_entry(m, catalog.num_plurals, obsolete=True) for m in catalog.obsolete.values()]
    fileobj.write("\n".join(entries).encode("utf-8"))


def po_bytes(catalog: Catalog) -> bytes:
    """``catalog`` as the bytes of a PO file (:func:`write_po`)."""
    buf = io.BytesIO()
    write_po(buf, catalog)
    return buf.getvalue()


def load_catalog(path: Path, display: str | None = None, inside: Path | None = None) -> Catalog:
    """Read the catalog at ``path`` (:func:`read_po`); ``display`` names it in errors.

    Read through :func:`~pipeline.atomicfile.read_regular`: a FIFO or a
    device is refused without blocking, and with ``inside`` (a workspace's
    root) a file that does not lie inside it, checked on the file actually
    opened (one open: a link swapped in after a check cannot lead out)."""
    display = display or str(path)
    try:
        data = read_regular(path, display, inside=inside)
    except FileNotFoundError:
        raise CatalogError(f"{display}: no such catalog") from None
    return read_po(io.BytesIO(data), display)


def save_catalog(path: Path, catalog: Catalog) -> None:
    """Write ``catalog`` to ``path`` atomically (:func:`write_po`)."""
    atomic_write(path, po_bytes(catalog))
