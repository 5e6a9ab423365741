"""The stage cache: a re-run over unchanged files does no work, and any
change to an input makes the stage run again."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipeline.build import build
from pipeline.cache import StageCache
from pipeline.catalog import load_catalog, save_catalog
from pipeline.catalog.states import set_reviewed
from pipeline.cli import main
from pipeline.workspace import Workspace
from tests.support.fake_engine import FakeEngine


def _extract(workspace):
    result = CliRunner().invoke(main, ["extract", "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    ws = Workspace(workspace)
    return ws, ws.documents()[0]


def test_build_is_skipped_until_an_input_changes(workspace):
    ws, doc = _extract(workspace)
    out = workspace / "build"
    cache = StageCache(ws.cache_path)
    first = build(ws, doc, out, cache=cache)
    assert not first.skipped
    assert build(ws, doc, out, cache=cache).skipped

    # The catalog changes: rebuilt, and the edition shows the new translation.
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    message = next(m for m in catalog if m.id)
    set_reviewed(message, "A brand new reviewed sentence.")
    save_catalog(path, catalog)
    again = build(ws, doc, out, cache=cache)
    assert not again.skipped
    assert "A brand new reviewed sentence." in (out / f"{doc}.en.txt").read_text()
    assert again.coverage.reviewed == first.coverage.reviewed + 1

    # Other options, or a deleted edition: rebuilt.
    assert not build(ws, doc, out, reviewed_only=True, cache=cache).skipped
    (out / f"{doc}.en.md").unlink()
    assert not build(ws, doc, out, reviewed_only=True, cache=cache).skipped
    assert (out / f"{doc}.en.md").exists()


def test_extract_runs_again_when_the_source_changes(workspace):
    ws, doc = _extract(workspace)
    source = workspace / "seeds" / f"{doc}.txt"
    source.write_text(source.read_text() + "\n\n新增的一段话。\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", "-w", str(workspace)])
    assert "1 new" in result.output
    assert "新增的一段话。" in {m.id for m in load_catalog(ws.catalog_path(doc))}


def test_a_cache_from_another_version_is_ignored(workspace):
    ws, doc = _extract(workspace)
    data = json.loads(ws.cache_path.read_text())
    data["version"] = "0.0.0-other"
    ws.cache_path.write_text(json.dumps(data))
    result = CliRunner().invoke(main, ["extract", "-w", str(workspace)])
    assert "catalog unchanged" in result.output  # really extracted, not skipped


def test_a_corrupt_cache_is_ignored(workspace):
    ws, doc = _extract(workspace)
    ws.cache_path.write_text("{not json")
    result = CliRunner().invoke(main, ["run", "-w", str(workspace)])
    assert result.exit_code == 0, result.output


def test_the_cache_is_saved_on_the_way_out_even_when_a_stage_fails(tmp_path):
    path = tmp_path / "cache.json"
    with pytest.raises(RuntimeError):
        with StageCache(path) as cache:
            cache.put("extract", "doc", {"seen": 1})
            raise RuntimeError("a stage failed")
    assert StageCache(path).get("extract", "doc") == {"seen": 1}


@pytest.mark.parametrize("args", [["extract"], ["translate"], ["build"], ["run"], ["run", "--jobs", "2"]])
def test_each_command_reads_and_saves_the_stage_cache_once(workspace, monkeypatch, args):
    _extract(workspace)
    reads, saves = [], []
    real_init, real_save = StageCache.__init__, StageCache.save

    def init(self, path, data=None):
        if data is None:  # read from disk (a worker gets the parent's snapshot instead)
            reads.append(path)
        real_init(self, path, data)

    def save(self):
        saves.append(self.path)
        real_save(self)

    monkeypatch.setattr(StageCache, "__init__", init)
    monkeypatch.setattr(StageCache, "save", save)
    result = CliRunner().invoke(main, [*args, "-w", str(workspace)], obj={"engine_factory": lambda s: FakeEngine()})
    assert result.exit_code == 0, result.output
    assert len(reads) == 1 and len(saves) == 1


def test_a_run_that_fails_its_coverage_still_remembers_its_stages(workspace):
    """One cache for the whole run, saved on the way out: the extraction a
    failed run did is not done again."""
    result = CliRunner().invoke(main, ["run", "-w", str(workspace), "--reviewed-only", "--min-coverage", "50"])
    assert result.exit_code == 1 and "coverage below 50%" in result.output
    doc = Workspace(workspace).documents()[0]
    again = CliRunner().invoke(main, ["extract", "-w", str(workspace)])
    assert f"{doc}: unchanged" in again.output
