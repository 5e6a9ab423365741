"""``pipeline extract --explain`` and ``--no-repair`` on a workspace holding the seed."""

from __future__ import annotations

import re

from click.testing import CliRunner

from pipeline.catalog import load_catalog, save_catalog
from pipeline.catalog.states import set_reviewed
from pipeline.catalog.template import SEGMENTATION_HEADER
from pipeline.cli import main
from pipeline.workspace import Workspace
from pipeline.zh.script import HAN

DOC = "000_a24ceba1f548592f"
RAW_BLOCKS = 59  # blank-line separated blocks of the seed
JOINED_BLOCKS = 54  # after its five page-break joins


def ok(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def catalogs(ws):
    w = Workspace(ws)
    return load_catalog(w.template_path(DOC)), load_catalog(w.catalog_path(DOC))


def test_explain_lists_every_block_type_and_every_join(workspace):
    result = ok("extract", "-w", workspace, "--explain")
    lines = result.stdout.splitlines()
    assert lines[0] == f"{DOC}: {JOINED_BLOCKS} blocks, 5 page-break joins"
    blocks = [line for line in lines if re.match(r"  L\d+ ", line)]
    assert len(blocks) == JOINED_BLOCKS
    joins = [line for line in lines if line.split()[0] == "join"]
    assert len(joins) == 5
    assert all("continues this paragraph: " in line for line in joins)
    assert any(line.split()[1] == "qa-turn" and "dialogue" in line for line in blocks)
    # The log stays on stderr, as without --explain.
    assert f"{DOC}: 85 entries from {JOINED_BLOCKS} blocks" in result.stderr

    # A document the cache would skip is explained all the same.
    again = ok("extract", "-w", workspace, "--explain")
    assert again.stdout == result.stdout


def test_without_explain_extract_prints_nothing_on_stdout(workspace):
    assert ok("extract", "-w", workspace).stdout == ""


def test_no_repair_is_recorded_and_the_build_cuts_the_source_the_same_way(workspace, msgfmt_check):
    ok("extract", "-w", workspace, "--no-repair")
    template, catalog = catalogs(workspace)
    assert template.extra_headers[SEGMENTATION_HEADER] == "no-repair"
    assert catalog.extra_headers[SEGMENTATION_HEADER] == "no-repair"
    po = Workspace(workspace).catalog_path(DOC)
    msgfmt_check(po)
    # The halves of the five broken sentences are entries of their own.
    assert "断演进升级。" in {m.id for m in catalog if m.id}

    for n, message in enumerate(m for m in catalog if m.id):
        set_reviewed(message, f"T{n}.")
    save_catalog(po, catalog)
    ok("build", "-w", workspace)
    english = (workspace / "build" / f"{DOC}.en.txt").read_text(encoding="utf-8")
    # Every segment the build cut is in the catalog: no Chinese is left, and
    # each raw block is a paragraph of its own.
    assert not re.search(f"[{HAN}]", english)
    assert len(english.strip().split("\n\n")) == RAW_BLOCKS


def test_the_recorded_choice_holds_until_repair_is_asked_for(workspace):
    ok("extract", "-w", workspace, "--no-repair")
    result = ok("extract", "-w", workspace, "--explain")
    assert "page-break repair off" in result.stdout.splitlines()[0]
    assert catalogs(workspace)[1].extra_headers[SEGMENTATION_HEADER] == "no-repair"

    result = ok("extract", "-w", workspace, "--repair")
    assert f"from {JOINED_BLOCKS} blocks" in result.stderr
    template, catalog = catalogs(workspace)
    assert SEGMENTATION_HEADER not in template.extra_headers
    assert SEGMENTATION_HEADER not in catalog.extra_headers


def test_asking_for_no_repair_after_a_plain_extraction_is_not_skipped(workspace):
    ok("extract", "-w", workspace)
    result = ok("extract", "-w", workspace, "--no-repair")
    assert f"from {RAW_BLOCKS} blocks" in result.stderr
