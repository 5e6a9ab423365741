"""Control characters from files other tools wrote: the termbase TSV is
refused with one line, and ``check`` shows what a catalog already holds
escaped, never as terminal escapes. (TMX, TBX and the terminal editor have
their tests beside their modules: tests/tm/test_tmx.py,
tests/terms/test_tbx.py, tests/review/test_terminal.py.)"""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from pipeline.catalog import load_catalog, save_catalog
from pipeline.check import format_table
from pipeline.checks import Finding, Severity
from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.terms.termbase import TermbaseError, read_termbase
from pipeline.textsafety import first_unsafe, printable
from pipeline.workspace import Workspace

ESCAPES = "\x1b[2J\x1b]0;pwned\x07"


@pytest.mark.parametrize(
    "cell, character",
    [
        ("Cui\x1bPing", "U+001B"),
        ("Cui\x00Ping", "U+0000"),
        ("Cui\x07", "U+0007"),
        ("崔\u202e平", "U+202E"),
        ("Cui\x9b", "U+009B"),
    ],
)
def test_a_glossary_with_a_control_character_is_refused_with_its_line(cell, character):
    text = f"zh\ten\ttype\tnote\n甬江\tYongjiang\tplace\t\n崔平\t{cell}\tperson\tnote\n"
    with pytest.raises(TermbaseError) as info:
        read_termbase(io.BytesIO(text.encode("utf-8")), "locales/glossary.tsv")
    message = str(info.value)
    assert message.startswith("locales/glossary.tsv: line 3, column ") and character in message
    assert "\n" not in message


def test_a_glossary_with_crlf_line_ends_is_still_read():
    assert len(read_termbase(io.BytesIO("zh\ten\r\n崔平\tCui Ping\r\n".encode()))) == 1


def test_every_command_that_reads_the_glossary_gives_one_line(workspace):
    (workspace / "locales").mkdir()
    (workspace / "locales" / "glossary.tsv").write_text("zh\ten\n崔平\tCui\x1b[2JPing\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", "-w", str(workspace)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "glossary.tsv: line 2, column 7: control character U+001B is not allowed" in result.output
    assert "\x1b" not in result.output


def test_printable_shows_every_refused_character_as_an_escape():
    text = "a\x1b[2Jb\x07\x00\x7f\x9b\u202e\u2066\udc80\u2028\r"
    shown = printable(text)
    assert first_unsafe(shown, name=True) is None
    assert shown == "a\\x1b[2Jb\\x07\\x00\\x7f\\x9b\\u202e\\u2066\\udc80\\u2028\\x0d"
    assert printable("line\tone\nline two") == "line\tone\nline two"
    assert printable("line\tone\nline two", one_line=True) == "line\\x09one\\x0aline two"
    assert printable("宁波 Ningbo ملاحظة") == "宁波 Ningbo ملاحظة"  # text is text, whatever its script


def test_the_check_table_escapes_what_the_catalog_holds():
    finding = Finding(
        "doc\x1b]0;t\x07", "seeds/x.txt:3", "numbers", Severity.ERROR, f"'5' missing in 'Five{ESCAPES}'", "五"
    )
    table = format_table([finding])
    assert first_unsafe(table.replace("\n", " "), name=True) is None
    assert "Five\\x1b[2J\\x1b]0;pwned\\x07" in table


def test_check_and_its_errors_never_print_raw_escapes(workspace):
    """A catalog another tool wrote with escapes in an entry's msgid and
    msgstr, and no location (the location shown is then the msgid)."""
    assert CliRunner().invoke(main, ["extract", "-w", str(workspace)]).exit_code == 0
    ws = Workspace(workspace)
    [doc] = ws.documents()
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    catalog.add("PLANTED-ID 3个", "PLANTED-STR 4", locations=[])
    save_catalog(path, catalog)
    data = (
        path.read_bytes()
        .replace(b"PLANTED-ID", f"id{ESCAPES}".encode())
        .replace(b"PLANTED-STR", f"str{ESCAPES}".encode())
    )
    path.write_bytes(data)
    result = CliRunner().invoke(main, ["check", "-w", str(workspace)], color=True)
    assert "Traceback" not in result.output
    assert "\x1b[2J" not in result.output and "\x07" not in result.output
    assert "\\x1b[2J" in result.output  # the entry was reported, escaped


def test_a_one_line_error_quoting_a_control_character_is_escaped():
    """The CLI's error line goes through printable: whatever an error quotes,
    from a command of a subgroup as from any other."""
    import click

    from pipeline.cli import PipelineGroup

    @click.group(cls=PipelineGroup)
    def cli():
        pass

    @cli.group()
    def sub():
        pass

    @sub.command()
    def fails():
        raise PipelineError(f"bad name 'a{ESCAPES}'\nsecond line")

    result = CliRunner().invoke(cli, ["sub", "fails"])
    assert result.exit_code == 1
    assert result.output == "Error: bad name 'a\\x1b[2J\\x1b]0;pwned\\x07'\\x0asecond line\n"
