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
from babel.messages.pofile import PoFileError, PoFileParser, escape, generate_po, unescape, write_po

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


def read_catalog(fileobj: BinaryIO, filename: str = "<catalog>") -> Catalog:
    """Parse a PO/POT file. Raise CatalogError with ``file:line`` when it is broken."""
    data = fileobj.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        if exc.end == len(data) and exc.reason == "unexpected end of data":
            raise CatalogError(f"{filename}:{line}: the file ends inside a character: truncated?") from None
        raise CatalogError(f"{filename}:{line}: not valid UTF-8; catalogs must be UTF-8 (convert with msgconv --to-code=UTF-8)") from None
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
    parser = PoFileParser(catalog, ignore_obsolete=False, abort_invalid=True)
    try:
        parser.parse(babel_lines)
    except PoFileError as exc:
        raise CatalogError(f"{filename}:{exc.lineno + 1}: {_one_line(str(exc).rsplit(' on ', 1)[0])}") from None
    except (ValueError, TypeError) as exc:  # a malformed header value
        raise CatalogError(f"{filename}: invalid header: {_one_line(str(exc))}") from None
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
                    strings = "".join(unescape(q) for q in _STRING_RE.findall(match.group("str")))
                    pending[keyword] = pending.get(keyword, "") + strings
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


#: The width every catalog is wrapped to (see wrap_string).
WRAP_WIDTH = 76

# Text runs: whitespace, word characters (\w, which includes Han), the rest.
_RUNS = re.compile(r"\s+|\w+|[^\s\w]+")
_WORD_CHAR = re.compile(r"\w")
_ASCII_LETTER = re.compile("[a-zA-Z]")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_BEFORE_DASHES = frozenset("!\"'&.,?")  # besides word characters


def _is_word(char: str) -> bool:
    return bool(char) and _WORD_CHAR.match(char) is not None


def _word_chunks(line: str) -> list[str]:
    """``line`` cut where Babel's ``WORD_SEP`` cuts it, as ``re.split`` gives
    it (pieces and separators alternating), in linear time.

    Babel's separators are a whitespace run, an ASCII word ending in a
    letter and a hyphen before another such word (``[^\\s\\w]*\\w+[a-zA-Z]-``,
    punctuation in front included), and a run of two or more hyphens after
    a word character or ``!"'&.,?`` and before a word character. Its regex
    tries the second one at every position of a run of word characters and
    reads to the end of the run each time: quadratic on a long run of Han
    characters, which are all word characters. Here each run is looked at a
    constant number of times. tests/catalog/test_pofile.py compares the two
    on random strings."""
    runs = [m.span() for m in _RUNS.finditer(line)]
    kinds = ["s" if line[a].isspace() else "w" if _is_word(line[a]) else "p" for a, _ in runs]
    pieces: list[str] = []
    last = 0

    def cut(start: int, end: int) -> None:
        nonlocal last
        pieces.append(line[last:start])
        pieces.append(line[start:end])
        last = end

    def hyphenated(i: int) -> bool:
        """Whether word run ``i``, from its start, is an ASCII word ending in
        a letter, followed by ``-`` and a word run holding a letter after
        its first character."""
        start, end = runs[i]
        return (
            end - start >= 2
            and line[end - 1] in _ASCII_LETTERS
            and i + 2 < len(runs)
            and runs[i + 1][1] - runs[i + 1][0] == 1 and line[end] == "-"
            and kinds[i + 2] == "w"
            and _ASCII_LETTER.search(line, runs[i + 2][0] + 1, runs[i + 2][1]) is not None
        )  # fmt: skip

    i = 0
    while i < len(runs):
        start, end = runs[i]
        if kinds[i] == "s":
            cut(start, end)
            i += 1
        elif kinds[i] == "w":  # a word run where a match may start
            if hyphenated(i):
                cut(start, end + 1)
                i += 2  # on to the word after the hyphen
            else:
                i += 1
        else:  # punctuation, perhaps before a word run
            if i + 1 < len(runs) and kinds[i + 1] == "w":
                if hyphenated(i + 1):
                    cut(start, runs[i + 1][1] + 1)
                    i += 3
                    continue
                dashes = start + len(line[start:end].rstrip("-"))
                before = line[dashes - 1] if dashes > 0 else ""
                if end - dashes >= 2 and (before in _BEFORE_DASHES or _is_word(before)):
                    cut(dashes, end)
                    i += 1  # the word run may start a match of its own
                    continue
                i += 2  # no match can start inside the word run either
            else:
                i += 1
    pieces.append(line[last:])
    return pieces


def wrap_string(text: str, prefix: str = "", width: int = WRAP_WIDTH) -> str:
    """``text`` as the quoted string(s) after a PO keyword: the one place
    where catalogs are wrapped. Linear in the length of ``text``.

    The rule (Babel's ``normalize``, which our catalogs have always
    followed): a logical line of ``text`` (up to and including ``\\n``)
    whose quoted, escaped form plus ``prefix`` is longer than ``width`` is
    cut into chunks at the separators of ``_word_chunks``, and the chunks
    are packed greedily: a line takes the next chunk while 2 (the quotes)
    plus, for each chunk, its escaped length plus ``len(prefix)`` stays
    under ``width``. A chunk that alone is too long stands on a line of its
    own, so a run of Han characters is never cut. A string of more than one
    line starts with ``""`` on the keyword's line."""
    if width and width > 0:
        lines = []
        for line in text.splitlines(True):
            if len(escape(line)) + len(prefix) > width:
                chunks = _word_chunks(line)
                chunks.reverse()
                while chunks:
                    buf = []
                    size = 2
                    while chunks:
                        length = len(escape(chunks[-1])) - 2 + len(prefix)
                        if size + length < width:
                            buf.append(chunks.pop())
                            size += length
                        else:
                            if not buf:
                                buf.append(chunks.pop())
                            break
                    lines.append("".join(buf))
            else:
                lines.append(line)
    else:
        lines = text.splitlines(True)
    if len(lines) > 1 and not lines[-1]:
        # An empty last chunk alone on a line (a line ending in a separator,
        # with a prefix): dropped. (Babel adds "\\n" to the line before,
        # which changes the text.)
        del lines[-1]
    if len(lines) <= 1:
        return escape(text)
    return '""\n' + "\n".join(prefix + escape(line) for line in lines)


def _previous_lines(previous_id: list[str]) -> list[str]:
    """``#| msgid`` (and ``#| msgid_plural``) laid out as GNU gettext does: a
    long one continues on ``#| "..."`` lines. (Babel runs it through its
    comment wrapper instead, which gives ``#| msgid "" "first part"``.)"""
    out = [f"#| msgid {wrap_string(previous_id[0], prefix='#| ')}\n"]
    if len(previous_id) > 1:
        out.append(f"#| msgid_plural {wrap_string(previous_id[1], prefix='#| ')}\n")
    return out


def _message_lines(message, num_plurals: int, prefix: str) -> list[str]:
    """The keyword lines of an entry (``msgctxt``, ``msgid``,
    ``msgid_plural``, ``msgstr``/``msgstr[n]``), as Babel lays them out."""
    def line(keyword: str, text: str) -> str:
        return f"{prefix}{keyword} {wrap_string(text, prefix=prefix)}\n"

    out = [line("msgctxt", message.context)] if message.context else []
    if isinstance(message.id, (list, tuple)):
        out += [line("msgid", message.id[0]), line("msgid_plural", message.id[1])]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string or ""]
        out += [line(f"msgstr[{n}]", strings[n] if n < len(strings) else "") for n in range(num_plurals)]
    else:
        out += [line("msgid", message.id), line("msgstr", message.string or "")]
    return out


def _entry(message, locale, obsolete: bool) -> str:
    """One entry as Babel writes it, except that translator comments stay on
    one line each, as GNU gettext keeps them (Babel wraps them at 76 columns,
    and a wrapped comment reads back as two comments), that an obsolete
    entry keeps its flags (Babel drops them: a fuzzy entry that became
    obsolete would come back reviewed), and that a long previous msgid is
    wrapped as GNU gettext wraps it."""
    single = babel_catalog.Catalog(locale=locale, charset="utf-8")
    bare = message.clone()
    bare.user_comments = []
    bare.previous_id = []
    if obsolete:
        single.obsolete[bare.id] = bare
    else:
        single[bare.id] = bare
    # Babel writes the comments; the strings are wrapped here, in linear
    # time (width=0: Babel only quotes them, and they are replaced).
    lines = list(generate_po(single, omit_header=True, width=0))
    prefix = "#~ " if obsolete else ""
    at = next(i for i, line in enumerate(lines) if line.startswith((f"{prefix}msgctxt ", f"{prefix}msgid ")))
    lines[at:] = _message_lines(bare, single.num_plurals, prefix) + ["\n"]
    if obsolete and message.flags:
        at = next(i for i, line in enumerate(lines) if line.startswith("#~"))
        lines.insert(at, "#, " + ", ".join(sorted(message.flags)) + "\n")
    if message.previous_id and not obsolete:  # Babel never writes it for an obsolete entry
        at = next(i for i, line in enumerate(lines) if line.startswith(("msgctxt ", "msgid ")))
        lines[at:at] = _previous_lines(list(message.previous_id))
    at = next(i for i, line in enumerate(lines) if line.strip())
    comments = [f"# {c}\n" if c else "#\n" for c in message.user_comments]
    return "".join(lines[:at] + comments + lines[at:])


def write_catalog(fileobj: BinaryIO, catalog: Catalog) -> None:
    """Write ``catalog`` as a PO file, with previous msgids (``#|``)."""
    header = copy.copy(catalog)
    header._messages = type(catalog._messages)()  # the header alone
    header.obsolete = type(catalog.obsolete)()
    # Babel writes the header comment line by line with str.splitlines(): a
    # form feed in a hand-edited comment would start a line without "#", a
    # file that no PO reader accepts. Such a character becomes a space.
    # (The raw comment: Babel fills in PROJECT, VERSION... when it is read.)
    if catalog._header_comment:
        header._header_comment = re.sub(f"[{_OTHER_LINE_BREAKS}]", " ", catalog._header_comment)
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
