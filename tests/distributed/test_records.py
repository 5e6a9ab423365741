"""The stage cache as one record per document (distributed runs), beside
the single file that local commands keep."""

from __future__ import annotations

import json

from click.testing import CliRunner

from pipeline import __version__, runner
from pipeline.cache import DocumentRecords, StageCache
from pipeline.cli import main
from pipeline.workspace import Workspace


def _extract(workspace) -> Workspace:
    result = CliRunner().invoke(main, ["extract", "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    return Workspace(workspace)


def test_the_first_distributed_run_migrates_the_single_file(workspace):
    ws = _extract(workspace)
    doc = ws.documents()[0]
    records = DocumentRecords.beside(ws.cache_path)
    assert not records.directory.exists()
    paths = runner._distributed_paths(ws, [])
    assert [p.stem for p in paths] == [doc]
    migrated = records.load(doc)
    assert migrated["extract"] == StageCache(ws.cache_path).get("extract", doc)
    # A second time, the document's own record is kept as it is.
    records.save(doc, {"extract": {"seen": "by a worker"}})
    runner._distributed_paths(ws, [])
    assert records.load(doc) == {"extract": {"seen": "by a worker"}}


def test_a_local_command_skips_what_a_worker_recorded_then_takes_the_record_back(workspace):
    ws = _extract(workspace)
    doc = ws.documents()[0]
    records = DocumentRecords.beside(ws.cache_path)
    real = StageCache(ws.cache_path).get("extract", doc)
    ws.cache_path.unlink()  # only the worker's record is left
    records.save(doc, {"extract": real})
    again = CliRunner().invoke(main, ["extract", "-w", str(workspace)])
    assert f"{doc}: unchanged" in again.output  # the per-document record was read

    # A local command that changes the document's records owns them again:
    # the per-document file (now older) is removed, the single file has them.
    source = workspace / "seeds" / f"{doc}.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\n\n新增的一段话。\n", encoding="utf-8")
    changed = CliRunner().invoke(main, ["extract", "-w", str(workspace)])
    assert "1 new" in changed.output
    assert records.load(doc) is None
    assert StageCache(ws.cache_path).get("extract", doc) != real


def test_unreadable_records_count_as_none(workspace, tmp_path):
    ws = _extract(workspace)
    doc = ws.documents()[0]
    records = DocumentRecords.beside(ws.cache_path)
    records.directory.mkdir()
    records.path(doc).write_text("{not json")
    assert records.load(doc) is None
    records.path(doc).write_text(json.dumps({"version": "0.0.0-other", "extract": {}}))
    assert records.load(doc) is None
    records.path(doc).write_text(json.dumps({"version": __version__, "extract": {"x": 1}}))
    assert records.load(doc) == {"extract": {"x": 1}}


def test_records_are_never_written_through_a_planted_link(workspace, tmp_path):
    ws = _extract(workspace)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    records = DocumentRecords.beside(ws.cache_path)
    records.directory.symlink_to(elsewhere)
    records.save("doc", {"extract": {"x": 1}})
    assert list(elsewhere.iterdir()) == []
    assert records.load_all() == {}
