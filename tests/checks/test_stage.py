"""The check stage (``pipeline/check.py``) on a workspace: the seed extracted
by the real pipeline, translated with the clean catalog's translations."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.catalog import load_catalog, save_catalog
from pipeline.catalog.states import set_reviewed
from pipeline.check import (
    check_documents,
    findings_json,
    format_summary,
    format_table,
    has_errors,
)
from pipeline.checks import Finding, Severity
from pipeline.errors import CatalogError, PipelineError
from pipeline.extract import extract
from pipeline.workspace import Workspace

DATA = Path(__file__).parent / "data"
DOC = "000_a24ceba1f548592f"


@pytest.fixture
def translated(workspace, clean_catalog) -> Workspace:
    """The seed extracted into a workspace, every entry reviewed with the
    clean catalog's translation, and the test termbase as its glossary."""
    ws = Workspace(workspace)
    extract(ws, ws.seeds / f"{DOC}.txt")
    catalog = load_catalog(ws.catalog_path(DOC))
    reviewed = {m.id: m.string for m in clean_catalog if m.id}
    entries = [m for m in catalog if m.id]
    for message in entries:
        if message.id in reviewed:
            set_reviewed(message, reviewed[message.id])
    # clean.po was made from this segmentation; should the segmenter change,
    # the segments it no longer knows stay untranslated (and unchecked).
    known = sum(m.id in reviewed for m in entries)
    assert known >= 0.9 * len(entries), f"only {known} of {len(entries)} segments are in clean.po; regenerate it"
    save_catalog(ws.catalog_path(DOC), catalog)
    shutil.copyfile(DATA / "glossary.tsv", ws.glossary)
    return ws


def _edit(ws: Workspace, source_start: str, edit) -> None:
    path = ws.catalog_path(DOC)
    catalog = load_catalog(path)
    (message,) = [m for m in catalog if m.id and m.id.startswith(source_start)]
    message.string = edit(message.string)
    save_catalog(path, catalog)


def test_a_reviewed_workspace_has_no_findings(translated, msgfmt_check):
    msgfmt_check(translated.catalog_path(DOC))
    assert check_documents(translated, translated.resolve_documents([])) == []


def test_findings_name_the_document_and_the_source_line(translated):
    _edit(translated, "本报记者近日专访", lambda t: t.replace("Cui Ping", "Cui Pin"))
    _edit(translated, "《行动纲要》提出到2027年", lambda t: t.replace("2027", "2028"))
    findings = check_documents(translated, [DOC])
    assert [(f.document, f.location, f.code) for f in findings] == [
        (DOC, f"seeds/{DOC}.txt:21", "glossary"),
        (DOC, f"seeds/{DOC}.txt:88", "numbers"),
    ]


def test_the_workspace_glossary_is_used(translated):
    _edit(translated, "本报记者近日专访", lambda t: t.replace("Cui Ping", "Cui Pin"))
    assert [f.code for f in check_documents(translated, [DOC])] == ["glossary"]
    translated.glossary.unlink()  # no termbase: no glossary findings
    assert check_documents(translated, [DOC]) == []


def test_a_broken_catalog_is_a_one_line_error(translated):
    path = translated.catalog_path(DOC)
    path.write_text(path.read_text(encoding="utf-8") + '\nmsgid "broken\n', encoding="utf-8")
    with pytest.raises(CatalogError) as excinfo:
        check_documents(translated, [DOC])
    assert f"locales/en/LC_MESSAGES/{DOC}.po:" in str(excinfo.value)


def test_a_broken_glossary_is_a_one_line_error(translated):
    translated.glossary.write_text("zh\ten\n崔平\n", encoding="utf-8")
    with pytest.raises(PipelineError, match=r"glossary\.tsv:2: "):
        check_documents(translated, [DOC])


FINDINGS = [
    Finding(
        "doc", "seeds/doc.txt:88", "numbers", Severity.ERROR, "not in the translation: 2027年", "到2027年实现目标。"
    ),
    Finding(
        "a-longer-name", "seeds/a-longer-name.txt:7", "whitespace", Severity.WARNING, 'a space before "."', "崔平很忙。"
    ),
]


def test_format_table_aligns_columns_under_a_header():
    lines = format_table(FINDINGS).splitlines()
    assert lines[0].split() == ["document", "location", "check", "severity", "message"]
    assert lines[1].split(maxsplit=4) == [
        "doc",
        "seeds/doc.txt:88",
        "numbers",
        "error",
        "not in the translation: 2027年",
    ]
    assert lines[2].split(maxsplit=4) == [
        "a-longer-name",
        "seeds/a-longer-name.txt:7",
        "whitespace",
        "warning",
        'a space before "."',
    ]
    # Every column starts at the same place on every line.
    for column in ("location", "check", "severity", "message"):
        at = lines[0].index(column)
        assert all(line[at - 2 : at] == "  " and line[at] != " " for line in lines)


def test_format_table_of_nothing_is_empty():
    assert format_table([]) == ""


def test_findings_json_round_trips():
    data = json.loads(findings_json(FINDINGS))
    assert data[0] == {
        "document": "doc",
        "location": "seeds/doc.txt:88",
        "code": "numbers",
        "severity": "error",
        "message": "not in the translation: 2027年",
        "msgid": "到2027年实现目标。",
    }
    assert "2027年" in findings_json(FINDINGS)  # UTF-8, not \\u escapes
    assert json.loads(findings_json([])) == []


def test_summary_and_strictness():
    assert format_summary([]) == "no findings"
    assert format_summary(FINDINGS) == "2 findings: 1 error, 1 warning"
    assert format_summary(FINDINGS[1:] * 2) == "2 findings: 2 warnings"
    assert has_errors(FINDINGS)
    assert not has_errors(FINDINGS[1:])
