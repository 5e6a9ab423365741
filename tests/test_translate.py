"""The translate stage with a fake engine: which entries get drafts, resuming,
and never overwriting a translator's work."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from pipeline.catalog import State, load_catalog, save_catalog, state_of
from pipeline.catalog.states import machine_signature, set_reviewed
from pipeline.cli import main
from pipeline.translate import translate_documents
from pipeline.workspace import Workspace
from tests.support.fake_engine import FakeEngine


def _extract(workspace):
    result = CliRunner().invoke(main, ["extract", "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    ws = Workspace(workspace)
    return ws, ws.documents()[0]


def _states(catalog):
    return {m.id: state_of(m) for m in catalog if m.id}


def test_translate_command_with_fake_engine(workspace):
    ws, doc = _extract(workspace)
    engine = FakeEngine()
    result = CliRunner().invoke(main, ["translate", "-w", str(workspace)], obj={"engine_factory": lambda s: engine})
    assert result.exit_code == 0, result.output
    catalog = load_catalog(ws.catalog_path(doc))
    assert set(_states(catalog).values()) == {State.MACHINE_DRAFT}
    assert all(machine_signature(m) == "fake:fake-zh_en@0;batch=8" for m in catalog if m.id)
    assert all(m.string == FakeEngine.render(m.id) for m in catalog if m.id)
    assert "segments/s" in result.output  # the summary line


def test_rerun_loads_no_engine(workspace):
    ws, doc = _extract(workspace)
    translate_documents(ws, [doc], FakeEngine)
    before = ws.catalog_path(doc).read_bytes()

    def must_not_load():
        raise AssertionError("the engine was created for an unchanged catalog")

    summary = translate_documents(ws, [doc], must_not_load)
    assert summary.model_loaded is False and summary.entries == 0
    assert ws.catalog_path(doc).read_bytes() == before


def test_reviewed_never_touched_and_fuzzy_kept_unless_asked(workspace):
    ws, doc = _extract(workspace)
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    messages = [m for m in catalog if m.id]
    set_reviewed(messages[0], "A reviewed sentence.")
    messages[1].string = "An old translation."
    messages[1].flags.add("fuzzy")
    messages[1].previous_id = ["旧的原文。"]
    save_catalog(path, catalog)

    translate_documents(ws, [doc], FakeEngine)
    catalog = load_catalog(path)
    assert catalog[messages[0].id].string == "A reviewed sentence."
    assert state_of(catalog[messages[0].id]) is State.REVIEWED
    assert catalog[messages[1].id].string == "An old translation."
    assert state_of(catalog[messages[1].id]) is State.FUZZY

    result = CliRunner().invoke(
        main, ["translate", "-w", str(workspace), "--retranslate-fuzzy"], obj={"engine_factory": lambda s: FakeEngine()}
    )
    assert result.exit_code == 0, result.output
    catalog = load_catalog(path)
    assert catalog[messages[1].id].string == FakeEngine.render(messages[1].id)
    assert state_of(catalog[messages[1].id]) is State.MACHINE_DRAFT
    assert catalog[messages[0].id].string == "A reviewed sentence."


def test_all_documents_go_to_the_engine_in_one_job_and_repeats_once(workspace, seed_path):
    shutil.copyfile(seed_path, workspace / "seeds" / "copy.txt")
    CliRunner().invoke(main, ["extract", "-w", str(workspace)])
    ws = Workspace(workspace)
    engine = FakeEngine(batch=1000)
    summary = translate_documents(ws, ws.documents(), lambda: engine)
    assert len(engine.calls) == 1  # one job for both catalogs
    sent = engine.calls[0]
    assert len(sent) == len(set(sent))  # a sentence in two catalogs is translated once
    assert summary.entries == 2 * len(sent)


def test_interrupted_run_keeps_finished_batches_and_resumes(workspace):
    ws, doc = _extract(workspace)

    def interrupt(batch_number):
        if batch_number == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        translate_documents(ws, [doc], lambda: FakeEngine(batch=10, after_batch=interrupt), flush_seconds=3600)
    states = _states(load_catalog(ws.catalog_path(doc)))
    assert list(states.values()).count(State.MACHINE_DRAFT) == 30  # three finished batches were saved

    engine = FakeEngine(batch=10)
    translate_documents(ws, [doc], lambda: engine)
    assert sum(len(c) for c in engine.calls) == len(states) - 30  # only the rest
    assert set(_states(load_catalog(ws.catalog_path(doc))).values()) == {State.MACHINE_DRAFT}


def test_edits_made_during_a_run_are_not_overwritten(workspace):
    ws, doc = _extract(workspace)
    path = ws.catalog_path(doc)
    ids = [m.id for m in load_catalog(path) if m.id]
    target = ids[-1]  # translated in the last batch

    def translator_edits(batch_number):
        if batch_number == 0:  # meanwhile, in Poedit...
            catalog = load_catalog(path)
            set_reviewed(catalog[target], "Typed by the translator.")
            save_catalog(path, catalog)

    translate_documents(ws, [doc], lambda: FakeEngine(batch=10, after_batch=translator_edits), flush_seconds=0)
    catalog = load_catalog(path)
    assert catalog[target].string == "Typed by the translator."
    assert state_of(catalog[target]) is State.REVIEWED
    assert sum(state_of(m) is State.MACHINE_DRAFT for m in catalog if m.id) == len(ids) - 1


def test_translate_refuses_while_another_command_holds_the_workspace(workspace):
    ws, _ = _extract(workspace)
    with ws.lock():
        result = CliRunner().invoke(
            main, ["translate", "-w", str(workspace)], obj={"engine_factory": lambda s: FakeEngine()}
        )
    assert result.exit_code == 1
    assert "another pipeline command" in result.output


def test_a_draft_for_an_entry_the_last_read_catalog_lacks_is_kept_for_the_save(tmp_path):
    """Another program's save of the moment may lack an entry (an in-place
    writer caught half-way); the translate stage reads that catalog after a
    flush. A draft for the entry waits for the next save instead of failing."""
    from babel.messages.catalog import Catalog

    from pipeline.translate import _CatalogFile

    entry = _CatalogFile("doc", tmp_path / "doc.po", "doc.po", Catalog(locale="en"))
    entry.add((None, "宁波很忙。"), lambda message: None)
    assert entry.pending[(None, "宁波很忙。")].seen == ""
