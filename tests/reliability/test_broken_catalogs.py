"""Catalogs edited by hand and broken: every command that reads a catalog
reports ``file:line`` and what is wrong in one line (exit 1), and never
writes the broken file: its bytes, and so the entries around the error,
are exactly as they were.

A catalog cut exactly between two entries is a valid, shorter catalog and
cannot be told from one; a cut anywhere else is caught (an unterminated
string, a keyword without a string, a character cut in half, an empty file).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.workspace import Workspace
from tests.reliability.support import invoke, refused
from tests.support.fake_engine import FakeEngine

DOC = "000_a24ceba1f548592f"
PO = f"locales/en/LC_MESSAGES/{DOC}.po"
POT = f"locales/{DOC}.pot"
TRANSLATED = "决胜未来发展，宁波打出一张“王牌”。"


def line_of(text: str, needle: str, nth: int = 1) -> int:
    hits = [n for n, line in enumerate(text.split("\n"), start=1) if needle in line]
    return hits[nth - 1]


@dataclass(frozen=True)
class Breakage:
    """A way to break a catalog: the broken bytes, and the line and words the error must give."""

    name: str
    breaks: Callable[[str], tuple[bytes, int]]
    says: str


def _unbalanced_quote(text: str) -> tuple[bytes, int]:
    broken = text.replace(f'msgid "{TRANSLATED}"\nmsgstr ""', f'msgid "{TRANSLATED}"\nmsgstr "To win the future', 1)
    return broken.encode(), line_of(broken, '"To win the future')


def _duplicate_msgid(text: str) -> tuple[bytes, int]:
    broken = text + f'\n#: seeds/{DOC}.txt:999\nmsgid "{TRANSLATED}"\nmsgstr "Again."\n'
    return broken.encode(), line_of(broken, f'msgid "{TRANSLATED}"', 2)


def _duplicate_obsolete(text: str) -> tuple[bytes, int]:
    # Babel would keep only one of the two, silently: a translation lost.
    broken = (
        text
        + '\n#~ msgid "崔平很忙了。"\n#~ msgstr "Cui is busy."\n'
        + '\n#~ msgid "崔平很忙了。"\n#~ msgstr "Cui Ping is busy."\n'
    )
    return broken.encode(), line_of(broken, '#~ msgid "崔平很忙了。"', 2)


def _second_msgstr(text: str) -> tuple[bytes, int]:
    # A merge resolved by keeping both sides: Babel would drop one translation.
    broken = text.replace(
        f'msgid "{TRANSLATED}"\nmsgstr ""',
        f'msgid "{TRANSLATED}"\nmsgstr "Ningbo plays a trump card."\nmsgstr "To win."',
        1,
    )
    return broken.encode(), line_of(broken, 'msgstr "To win."')


def _wrong_charset(text: str) -> tuple[bytes, int]:
    broken = re.sub("charset=utf-8", "charset=ISO-8859-1", text, count=1, flags=re.IGNORECASE)
    assert broken != text
    return broken.encode(), line_of(broken, "charset=ISO-8859-1")


def _conflict_marker(text: str) -> tuple[bytes, int]:
    entry = re.compile(rf'msgid "{re.escape(TRANSLATED)}"\nmsgstr "[^\n]*"')
    ours = entry.search(text).group(0)
    theirs = f'msgid "{TRANSLATED}"\nmsgstr "To win the future."'
    broken = text.replace(ours, f"<<<<<<< HEAD\n{ours}\n=======\n{theirs}\n>>>>>>> review", 1)
    return broken.encode(), line_of(broken, "<<<<<<< HEAD")


def _truncated_in_a_string(text: str) -> tuple[bytes, int]:
    cut = text.index(f'msgid "{TRANSLATED}"') + len('msgid "决胜未来')
    return text[:cut].encode(), text[:cut].count("\n") + 1


def _truncated_in_a_character(text: str) -> tuple[bytes, int]:
    data = text.encode()
    cut = data.index(f'msgid "{TRANSLATED}"'.encode()) + len(b'msgid "') + 2  # inside 决 (3 bytes)
    return data[:cut], data[:cut].count(b"\n") + 1


def _truncated_to_nothing(text: str) -> tuple[bytes, int]:
    return b"", 1


def _binary_garbage(text: str) -> tuple[bytes, int]:
    data = bytes(range(256)) * 4  # a NUL first, 0x80 the first byte that is not UTF-8
    return data, data.count(b"\n", 0, 0x80) + 1


BREAKAGES = [
    Breakage("unbalanced-quote", _unbalanced_quote, "unterminated string"),
    Breakage("duplicate-msgid", _duplicate_msgid, "duplicate message definition"),
    Breakage("duplicate-obsolete", _duplicate_obsolete, "duplicate message definition (one of them obsolete)"),
    Breakage("second-msgstr", _second_msgstr, "a second msgstr for the msgid at line"),
    Breakage("wrong-charset", _wrong_charset, "charset=iso-8859-1, but catalogs must be UTF-8"),
    Breakage("conflict-marker", _conflict_marker, "git merge conflict marker '<<<<<<<'"),
    Breakage("truncated-in-a-string", _truncated_in_a_string, "unterminated string"),
    Breakage("truncated-in-a-character", _truncated_in_a_character, "the file ends inside a character"),
    Breakage("truncated-to-nothing", _truncated_to_nothing, "empty file"),
    Breakage("binary-garbage", _binary_garbage, "not valid UTF-8"),
]

# Every command that reads a catalog. 'check' is the newest; the guard keeps
# this list honest on a tree that does not have it.
COMMANDS = [
    pytest.param(["extract"], id="extract"),
    pytest.param(["translate", "--flush-seconds", "0"], id="translate"),
    pytest.param(["build"], id="build"),
    pytest.param(["status"], id="status"),
    pytest.param(["run"], id="run"),
    pytest.param(
        ["check"],
        id="check",
        marks=pytest.mark.skipif("check" not in main.commands, reason="no 'pipeline check' in this tree"),
    ),
]


def catalog_files(ws: Path) -> dict[str, bytes]:
    """Everything under locales/ that a command could have written, but the locks and the stage cache."""
    locales = ws / "locales"
    return {
        p.relative_to(ws).as_posix(): p.read_bytes()
        for p in sorted(locales.rglob("*"))
        if p.is_file()
        and p.name not in (".pipeline.lock", ".catalogs.lock", ".pipeline-cache.json")
        and p.parent.name != ".locks"
    }


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda b: b.name)
@pytest.mark.parametrize("command", COMMANDS)
def test_broken_catalog_is_reported_and_left_as_it_was(extracted, command, breakage):
    po = extracted / PO
    data, line = breakage.breaks(po.read_text(encoding="utf-8"))
    po.write_bytes(data)
    before = catalog_files(extracted)

    message = refused(*command, "-w", extracted)

    assert message.startswith(f"{PO}:{line}: "), message
    assert breakage.says in message
    assert catalog_files(extracted) == before  # no byte changed, no temporary file left


def test_a_broken_template_stops_extract_and_is_left_as_it_was(extracted):
    pot = extracted / POT
    data, line = _conflict_marker(pot.read_text(encoding="utf-8"))
    pot.write_bytes(data)
    before = catalog_files(extracted)
    message = refused("extract", "-w", extracted)
    assert message.startswith(f"{POT}:{line}: git merge conflict marker")
    assert catalog_files(extracted) == before


def test_one_broken_catalog_stops_translate_before_any_catalog_is_written(extracted, seed_path):
    shutil.copyfile(seed_path, extracted / "seeds" / "second.txt")
    invoke("extract", "-w", extracted)
    second = Workspace(extracted).catalog_path("second")
    data, line = _duplicate_msgid(second.read_text(encoding="utf-8"))
    second.write_bytes(data)
    before = catalog_files(extracted)
    message = refused("translate", "-w", extracted)
    assert message.startswith(f"locales/en/LC_MESSAGES/second.po:{line}: duplicate message definition")
    assert catalog_files(extracted) == before  # the sound catalog got no drafts either


def _engine_that_edits(path: Path, edit: Callable[[Path], None]) -> dict:
    """A fake engine that applies ``edit`` to the catalog after its first batch,
    once the translate stage has saved that batch: an edit made meanwhile."""

    def after_batch(n: int) -> None:
        if n == 0:
            edit(path)

    return {"engine_factory": lambda settings: FakeEngine(after_batch=after_batch)}


def test_catalog_broken_during_translate_is_reported_and_left_as_it_was(extracted):
    po = extracted / PO
    broken: list[bytes] = []

    def break_it(path: Path) -> None:  # e.g. a git merge in another terminal
        data, _ = _conflict_marker(path.read_text(encoding="utf-8"))
        path.write_bytes(data)
        broken.append(data)

    message = refused("translate", "-w", extracted, "--flush-seconds", "0", obj=_engine_that_edits(po, break_it))
    assert re.match(rf"{re.escape(PO)}:\d+: git merge conflict marker", message)
    assert po.read_bytes() == broken[0]


def test_catalog_removed_during_translate_is_a_one_line_error(extracted):
    po = extracted / PO
    message = refused("translate", "-w", extracted, "--flush-seconds", "0", obj=_engine_that_edits(po, Path.unlink))
    assert message.startswith(f"{PO}: ")
    assert not po.exists()  # nothing is made up in its place
