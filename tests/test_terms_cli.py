"""``pipeline terms`` and the termbase in the pipeline: suggestions, TBX,
glossary hits recorded on entries, and term protection during translate."""

from __future__ import annotations

from click.testing import CliRunner

from pipeline.catalog import load_catalog
from pipeline.cli import main
from pipeline.terms import load_termbase
from pipeline.terms.protect import glossary_hits_of
from pipeline.terms.termbase import Term, Termbase, save_termbase
from pipeline.workspace import Workspace
from tests.support.fake_engine import FakeEngine


def _invoke(*args, **kwargs):
    result = CliRunner().invoke(main, [str(a) for a in args], **kwargs)
    assert result.exit_code == 0, result.output
    return result


def test_suggest_writes_candidates_never_the_termbase(workspace):
    ws = Workspace(workspace)
    _invoke("terms", "suggest", "-w", workspace)
    candidates = ws.glossary_candidates.read_text(encoding="utf-8")
    assert "崔平\tCui Ping\tperson" in candidates
    assert "成良田\tCheng Liangtian\tperson" in candidates
    assert not ws.glossary.exists()


def test_tbx_export_then_import_into_an_empty_workspace(workspace, tmp_path):
    ws = Workspace(workspace)
    save_termbase(
        ws.glossary, Termbase([Term("崔平", "Cui Ping", "person", "director"), Term("宁波", "Ningbo", "place")])
    )
    _invoke("terms", "export", tmp_path / "glossary.tbx", "-w", workspace)
    other = tmp_path / "other"
    other.mkdir()
    _invoke("terms", "import", tmp_path / "glossary.tbx", "-w", other)
    assert list(load_termbase(Workspace(other).glossary)) == list(load_termbase(ws.glossary))


def test_extract_records_glossary_hits_and_translate_protects_terms(workspace):
    ws = Workspace(workspace)
    save_termbase(
        ws.glossary,
        Termbase([Term("崔平", "Cui Ping", "person"), Term("甬江实验室", "Yongjiang Laboratory", "organisation")]),
    )
    _invoke("extract", "-w", workspace)
    doc = ws.documents()[0]
    catalog = load_catalog(ws.catalog_path(doc))
    caption = catalog["甬江实验室主任崔平。"]
    assert sorted(glossary_hits_of(caption)) == [("崔平", "Cui Ping"), ("甬江实验室", "Yongjiang Laboratory")]

    _invoke("translate", "-w", workspace, obj={"engine_factory": lambda s: FakeEngine()})
    catalog = load_catalog(ws.catalog_path(doc))
    draft = catalog["甬江实验室主任崔平。"].string
    assert "Cui Ping" in draft and "Yongjiang Laboratory" in draft  # put back though the fake engine mangles
    assert "XT" not in "".join(m.string for m in catalog if m.id)  # no placeholder debris
    assert catalog["崔平："].string == "Cui Ping:"  # terms only: no MT needed


def test_changing_the_termbase_updates_the_hits(workspace):
    ws = Workspace(workspace)
    _invoke("extract", "-w", workspace)
    doc = ws.documents()[0]
    assert glossary_hits_of(load_catalog(ws.catalog_path(doc))["崔平很忙。"]) == []
    save_termbase(ws.glossary, Termbase([Term("崔平", "Cui Ping", "person")]))
    _invoke("extract", "-w", workspace)
    assert glossary_hits_of(load_catalog(ws.catalog_path(doc))["崔平很忙。"]) == [("崔平", "Cui Ping")]
