"""The Argos engine through the real argostranslate + CTranslate2 path."""

from __future__ import annotations

import math

from click.testing import CliRunner

from pipeline.catalog import State, load_catalog, save_catalog, state_of
from pipeline.catalog.states import machine_signature, set_reviewed
from pipeline.cli import main
from pipeline.engines.argos import ArgosEngine
from pipeline.engines.argos_packages import install, prepare_argostranslate
from pipeline.engines.settings import DecodingSettings
from pipeline.workspace import Workspace

SEGMENTS = ["宁波推进新型工业化的冲锋号已经吹响。", "崔平很忙。", "工业对宁波有特殊意义。", "记者："]


def test_prepare_argostranslate_selects_a_lazy_splitter(monkeypatch):
    monkeypatch.setenv("ARGOS_CHUNK_TYPE", "SPACY")  # would download a spaCy model at import
    prepare_argostranslate()
    import os

    assert os.environ["ARGOS_CHUNK_TYPE"] == "MINISBD"


def test_engine_is_deterministic_and_stamped(tiny_model, packages_dir, no_network):
    install(tiny_model)
    settings = DecodingSettings(threads=1, beam_size=2, max_decoding_length=12)
    first = ArgosEngine(settings).translate(SEGMENTS)
    second = ArgosEngine(settings).translate(SEGMENTS)
    assert [d.text for d in first] == [d.text for d in second]
    assert all(d.text for d in first)
    sig = str(first[0].signature)
    assert sig.startswith("argos:translate-zh_en@0.1;")
    assert "beam=2" in sig and "max_len=12" in sig and " " not in sig
    assert no_network == []


def test_engine_batches_never_one_call_per_segment(tiny_model, packages_dir):
    install(tiny_model)
    engine = ArgosEngine(DecodingSettings(threads=1, beam_size=1, batch_size=64, max_decoding_length=8))
    engine.load()
    calls = []
    real = engine._translator

    class Spy:
        def translate_batch(self, batch, **kwargs):
            calls.append(([len(t) for t in batch], kwargs))
            return real.translate_batch(batch, **kwargs)

    engine._translator = Spy()
    segments = [s * k for k in range(1, 6) for s in SEGMENTS]  # 20 segments of varied length
    drafts = engine.translate(segments)
    assert len(drafts) == len(segments) and all(d.text for d in drafts)
    assert 1 < len(calls) < len(segments)
    lengths = [n for batch_lengths, _ in calls for n in batch_lengths]
    assert lengths == sorted(lengths, reverse=True)  # sorted by length across the whole job
    for batch_lengths, kwargs in calls:
        assert len(batch_lengths) == 1 or len(batch_lengths) * max(batch_lengths) <= 64
        assert kwargs["max_batch_size"] == 0 and kwargs["asynchronous"] is True  # CTranslate2 does not re-cut
        assert kwargs["beam_size"] == 1


def test_default_cap_follows_each_batch(tiny_model, packages_dir):
    install(tiny_model)
    engine = ArgosEngine(DecodingSettings(threads=1, beam_size=1, batch_size=16))
    engine.load()
    caps = []
    real = engine._translator

    class Spy:
        def translate_batch(self, batch, **kwargs):
            caps.append((max(len(t) for t in batch), kwargs["max_decoding_length"]))
            return real.translate_batch(batch, **kwargs)

    engine._translator = Spy()
    engine.translate(["崔平很忙。", "宁波推进新型工业化的冲锋号已经吹响。" * 4])
    assert caps and all(cap == min(512, math.ceil(2 * longest) + 10) for longest, cap in caps)


def test_translate_command_fills_drafts_and_leaves_reviewed_alone(
    workspace, tiny_model, packages_dir, no_network, msgfmt_check
):
    runner = CliRunner()
    ws = Workspace(workspace)
    assert runner.invoke(main, ["extract", "-w", str(workspace)]).exit_code == 0
    doc = ws.documents()[0]
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    reviewed = {}
    for message in list(catalog)[1:4]:
        set_reviewed(message, f"Reviewed by a person: {message.id[:4]}")
        reviewed[message.id] = message.string
    save_catalog(path, catalog)
    install(tiny_model)

    result = runner.invoke(
        main, ["translate", "-w", str(workspace), "--beam-size", "2", "--max-decoding-length", "16", "--threads", "2"]
    )
    assert result.exit_code == 0, result.output
    catalog = load_catalog(path)
    drafts = 0
    for message in catalog:
        if not message.id:
            continue
        if message.id in reviewed:
            assert state_of(message) is State.REVIEWED and message.string == reviewed[message.id]
        else:
            assert state_of(message) is State.MACHINE_DRAFT
            assert machine_signature(message).startswith("argos:translate-zh_en@0.1;")
            drafts += 1
    assert drafts > 50
    msgfmt_check(path)
    assert no_network == []

    before = path.read_bytes()
    again = runner.invoke(main, ["translate", "-w", str(workspace)])
    assert again.exit_code == 0
    assert "no model loaded" in again.output
    assert path.read_bytes() == before


def test_translate_without_model_says_so_and_run_still_builds(workspace, packages_dir):
    runner = CliRunner()
    assert runner.invoke(main, ["extract", "-w", str(workspace)]).exit_code == 0
    result = runner.invoke(main, ["translate", "-w", str(workspace)])
    assert result.exit_code == 0, result.output  # the real engine's missing model, not a fake
    assert "no zh→en translation model is installed" in result.output
    assert "pipeline models install" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(main, ["translate", "-w", str(workspace), "--require-model"])
    assert result.exit_code == 1
    assert "pipeline models install" in result.output and "Traceback" not in result.output

    result = runner.invoke(main, ["run", "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "no zh→en translation model is installed" in result.output
    assert list((workspace / "build").glob("*.en.txt"))
