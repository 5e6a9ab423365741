"""Every ``--json`` output (status, report, check, evaluate, xliff import) is
written by one encoder, :func:`pipeline.textsafety.json_output`: valid JSON,
Chinese readable as it is, and every invisible character that could move the
cursor or reorder a line (C1 controls, bidi and other format characters,
line separators, lone surrogates) spelled as ``\\uXXXX``. Plain ``json.dumps``
escapes only C0."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from click.testing import CliRunner

from pipeline.catalog import load_catalog, save_catalog
from pipeline.catalog.states import set_reviewed
from pipeline.cli import main
from pipeline.textsafety import json_output
from pipeline.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
#: Categories that are never visible text: controls, format characters,
#: surrogates, line and paragraph separators.
INVISIBLE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def _raw(output: str) -> list[str]:
    """The characters of ``output`` that should have been escaped."""
    return [ch for ch in output if unicodedata.category(ch) in INVISIBLE and ch not in "\n"]


@pytest.mark.parametrize(
    "text",
    [
        "宁波\u202e常住人口",  # right-to-left override
        "Ning\x85bo \x9b31m red",  # C1: next line, control sequence introducer
        "a\u2066b\u2069c\u200fd\u061ce",  # isolates, right-to-left and Arabic letter marks
        "line\u2028separator\u2029paragraph",
        "zero\u200bwidth\ufeffBOM\xadsoft hyphen\x7fDEL",
        "tag \U000e0041\U000e007f",  # supplementary format characters: a surrogate pair each
        "lone \ud800 surrogate",
    ],
)
def test_invisible_characters_are_escaped_and_the_json_decodes_to_the_same_text(text):
    output = json_output({"msgid": text, "list": [text]})
    assert json.loads(output) == {"msgid": text, "list": [text]}
    assert _raw(output) == []
    output.encode("utf-8")  # even a lone surrogate leaves printable, encodable output


def test_chinese_and_other_ordinary_text_stay_readable():
    text = "宁波“十四五”，工业化。\u3000𠀋 café\xa0naïve — 😀 Ω"
    output = json_output([text])
    assert text in output and "\\u" not in output
    assert output == json.dumps([text], ensure_ascii=False, indent=2)


def test_the_escape_is_the_json_escape():
    assert json_output("a\u202eb") == '"a\\u202eb"'
    assert json_output("\x85") == '"\\u0085"'
    assert json_output("\U000e0041") == '"\\udb40\\udc41"' == json.dumps("\U000e0041")


def test_every_invisible_character_of_this_unicode_version_is_escaped():
    invisible = [chr(c) for c in range(0x7F, sys.maxunicode + 1) if unicodedata.category(chr(c)) in INVISIBLE]
    assert len(invisible) > 2000  # C1, Cf, the surrogates, U+2028/U+2029
    # Apart: a lone high surrogate escaped next to a lone low one reads back as the pair's character.
    output = json_output(invisible)
    assert _raw(output) == []
    assert json.loads(output) == invisible


def test_every_json_output_goes_through_the_one_encoder():
    for module in ("cli.py", "check.py", "report.py", "evaluate.py"):
        source = (REPO / "pipeline" / module).read_text(encoding="utf-8")
        assert not re.search(r"\bjson\.dumps?\(", source), f"pipeline/{module} writes JSON itself"


def test_check_json_escapes_a_bidi_override_and_keeps_chinese_readable(tmp_path, seed_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / seed_path.name).write_bytes(seed_path.read_bytes())
    runner = CliRunner()
    assert runner.invoke(main, ["extract", "-w", str(tmp_path)]).exit_code == 0
    ws = Workspace(tmp_path)
    (doc,) = ws.documents()
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    source = "宁波\u202e常住人口达到1100万。"  # a catalog another tool wrote
    catalog[source] = Message(source)
    set_reviewed(catalog[source], "Ningbo\x85 has 12 million residents.")
    save_catalog(path, catalog)

    result = runner.invoke(main, ["check", "-w", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)
    mine = [f for f in findings if f["msgid"] == source]
    assert {f["code"] for f in mine} >= {"numbers", "refused-character"}
    assert "\u202e" not in result.stdout and "\\u202e" in result.stdout
    assert "宁波\\u202e常住人口达到1100万。" in result.stdout  # the Chinese as it is
    assert _raw(result.stdout) == []
