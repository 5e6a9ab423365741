"""Document names that would break the files named after them.

Issue 12, Low: a seed named with a line break or a bidirectional control
made catalogs that could not be read back (the name goes into the
``X-Pipeline-Source`` header and into the catalog's file name). Such a name
is refused with one line, at the one place names are derived
(:func:`pipeline.sources.document_name`), before anything is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import PipelineError
from pipeline.sources import document_name
from tests.reliability.support import refused, succeeds

UNSAFE_NAMES = [
    pytest.param("第一\n篇.txt", "U+000A", id="newline"),
    pytest.param("第一\r篇.txt", "U+000D", id="carriage-return"),
    pytest.param("a\u2068b.txt", "U+2068", id="first-strong-isolate"),
    pytest.param("invoice\u202etxt.exe.txt", "U+202E", id="right-to-left-override"),
    pytest.param("tab\there.txt", "U+0009", id="tab"),
    pytest.param("line\u2028sep.txt", "U+2028", id="line-separator"),
]


@pytest.mark.parametrize("name,code", UNSAFE_NAMES)
def test_an_unsafe_seed_name_is_refused_before_anything_is_written(bare_workspace, name, code):
    (bare_workspace / "seeds" / name).write_text("宁波打出一张王牌。\n", encoding="utf-8")
    message = refused("extract", "-w", bare_workspace)
    assert code in message and "\n" not in message
    assert not (bare_workspace / "locales").exists() or not any(
        p.suffix in (".po", ".pot") for p in (bare_workspace / "locales").rglob("*")
    )


@pytest.mark.parametrize("name,code", UNSAFE_NAMES)
def test_an_unsafe_catalog_name_is_refused(bare_workspace, name, code):
    (bare_workspace / "seeds" / "good.txt").write_text("宁波打出一张王牌。\n", encoding="utf-8")
    succeeds("extract", "-w", bare_workspace)
    catalogs = bare_workspace / "locales" / "en" / "LC_MESSAGES"
    (catalogs / Path(name).with_suffix(".po")).write_bytes((catalogs / "good.po").read_bytes())
    for command in ("status", "build"):
        assert code in refused(command, "-w", bare_workspace)


@pytest.mark.parametrize("name", ["宁波日报 2024-05-01.txt", "Ningbo (final).txt", "a.b.c.txt", "مرحبا.txt"])
def test_ordinary_names_are_names(name):
    assert document_name(Path("seeds") / name) == name[: -len(".txt")]


def test_document_name_refuses_with_the_file_shown_on_one_line():
    with pytest.raises(PipelineError) as info:
        document_name(Path("seeds") / "a\nb.txt")
    assert "\n" not in str(info.value) and "'seeds/a\\nb.txt'" in str(info.value)
