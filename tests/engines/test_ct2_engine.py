"""The ct2 engine (pipeline/engines/ct2.py) through the real SentencePiece +
CTranslate2 path, on random-weight models of the OPUS-MT and NLLB/M2M100
layouts built by pipeline/testing/random_model.py. Their output is
meaningless: these tests check loading, framing, batching and refusals,
never quality."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from pathlib import Path

import pytest

from pipeline.engines.ct2 import CT2Engine, inspect_model
from pipeline.engines.settings import DecodingSettings
from pipeline.errors import ModelError, PipelineError
from pipeline.terms.protect import PLACEHOLDER_RE

SEGMENTS = ["宁波推进新型工业化的冲锋号已经吹响。", "崔平很忙。", "工业对宁波有特殊意义。", "记者："]
FAST = DecodingSettings(threads=1, beam_size=2, max_decoding_length=10)


def spy_on(engine: CT2Engine) -> list:
    """Record what the engine hands CTranslate2 (batches and options)."""
    engine.load()
    calls = []
    real = engine._translator

    class Spy:
        def translate_batch(self, batch, **kwargs):
            calls.append(([list(t) for t in batch], kwargs))
            return real.translate_batch(batch, **kwargs)

    engine._translator = Spy()
    return calls


@pytest.mark.parametrize("layout", ["marian", "marian-split", "nllb", "m2m100"])
def test_every_layout_translates_offline_deterministically_and_stamped(ct2_models, layout, no_network):
    first = CT2Engine(ct2_models[layout], FAST).translate(SEGMENTS)
    second = CT2Engine(ct2_models[layout], FAST).translate(SEGMENTS)
    assert [d.text for d in first] == [d.text for d in second]
    assert all(d.text for d in first)
    signature = str(first[0].signature)
    assert re.fullmatch(
        rf"ct2:{re.escape(ct2_models[layout].name)}@[0-9a-f]{{12}};ctranslate2=[^;]+;beam=2;"
        r"max_len=10;length_penalty=1",
        signature,
    ), signature
    assert no_network == []


def test_marian_source_ends_with_eos_and_decoder_has_no_prefix(ct2_models):
    engine = CT2Engine(ct2_models["marian"], FAST)
    calls = spy_on(engine)
    engine.translate(SEGMENTS)
    sources = [t for batch, _ in calls for t in batch]
    assert sources and all(t[-1] == "</s>" and "</s>" not in t[:-1] for t in sources)
    assert all(kwargs["target_prefix"] is None for _, kwargs in calls)
    assert engine._tokenizer.source is not engine._tokenizer.target  # source.spm in, target.spm out


@pytest.mark.parametrize(
    ("layout", "source", "target"), [("nllb", "zho_Hans", "eng_Latn"), ("m2m100", "__zh__", "__en__")]
)
def test_multilingual_source_token_and_target_prefix(ct2_models, layout, source, target):
    engine = CT2Engine(ct2_models[layout], FAST)
    calls = spy_on(engine)
    drafts = engine.translate(SEGMENTS)
    sources = [t for batch, _ in calls for t in batch]
    assert all(t[0] == source and t[-1] == "</s>" for t in sources)
    assert all(kwargs["target_prefix"] == [[target]] * len(batch) for batch, kwargs in calls)
    # The prefix token is stripped: it never reaches a draft.
    assert not any(target in d.text for d in drafts)


def test_language_tokens_from_the_configuration_win(ct2_models):
    engine = CT2Engine(ct2_models["nllb"], FAST, source_token="zho_Hant", target_prefix="fra_Latn")
    calls = spy_on(engine)
    engine.translate(SEGMENTS[:1])
    assert calls[0][0][0][0] == "zho_Hant" and calls[0][1]["target_prefix"] == [["fra_Latn"]]
    with pytest.raises(ModelError, match="language token kor_Hang is not in the vocabulary"):
        CT2Engine(ct2_models["nllb"], FAST, source_token="kor_Hang", target_prefix="eng_Latn").load()


def test_batches_are_planned_as_for_argos(ct2_models):
    engine = CT2Engine(
        ct2_models["nllb"], DecodingSettings(threads=1, beam_size=1, batch_size=64, max_decoding_length=8)
    )
    calls = spy_on(engine)
    segments = [s * k for k in range(1, 6) for s in SEGMENTS]
    drafts = engine.translate(segments)
    assert len(drafts) == len(segments) and all(d.text for d in drafts)
    assert 1 < len(calls) < len(segments)
    lengths = [len(t) for batch, _ in calls for t in batch]
    assert lengths == sorted(lengths, reverse=True)
    for batch, kwargs in calls:
        assert len(batch) == 1 or len(batch) * max(len(t) for t in batch) <= 64
        assert kwargs["max_batch_size"] == 0 and kwargs["asynchronous"] is True and kwargs["beam_size"] == 1


def test_nllb_licence_is_said_once_when_loaded(ct2_models, caplog):
    with caplog.at_level(logging.WARNING, logger="pipeline.engines.ct2"):
        CT2Engine(ct2_models["m2m100"], FAST).translate(SEGMENTS[:1])
        assert not caplog.records  # M2M100 is MIT-licensed
        engine = CT2Engine(ct2_models["nllb"], FAST)
        engine.translate(SEGMENTS[:1])
        engine.translate(SEGMENTS[1:2])
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "CC-BY-NC-4.0" in lines[0] and "non-commercial" in lines[0]


def test_dropped_placeholders_are_put_back_with_target_pieces(ct2_models):
    # The random model drops every placeholder; attention puts it back, in
    # pieces of the *target* tokenizer (split vocabularies).
    engine = CT2Engine(ct2_models["marian-split"], DecodingSettings(threads=1, beam_size=1, max_decoding_length=8))
    assert engine.protect_placeholders(PLACEHOLDER_RE) is True
    calls = spy_on(engine)
    drafts = engine.translate(["据XT1X报道，崔平很忙。", "崔平很忙。"])
    assert PLACEHOLDER_RE.search(drafts[0].text), drafts[0].text
    assert any(kwargs["return_attention"] for _, kwargs in calls)


def test_a_source_longer_than_the_position_table_is_cut_and_noted(ct2_models):
    # OPUS-MT stores 512 positions; CTranslate2 raises on position 512.
    engine = CT2Engine(ct2_models["marian"], DecodingSettings(threads=1, beam_size=1, max_decoding_length=600))
    long = "国家统计局今天发布数据。" * 60
    calls = spy_on(engine)
    drafts = engine.translate([long, "崔平很忙。"])
    assert engine.max_positions == 512
    assert all(kwargs["max_input_length"] == 512 and kwargs["max_decoding_length"] <= 511 for _, kwargs in calls)
    assert "512 positions" in drafts[0].notes[0] and drafts[1].notes == ()


def test_symlinked_model_directory_outside_the_workspace_loads_as_itself(ct2_models, tmp_path):
    link = tmp_path / "workspace" / "models" / "opus"
    link.parent.mkdir(parents=True)
    link.symlink_to(ct2_models["marian"], target_is_directory=True)
    through_link = CT2Engine(link, FAST).translate(SEGMENTS[:2])
    direct = CT2Engine(ct2_models["marian"], FAST).translate(SEGMENTS[:2])
    assert [d.text for d in through_link] == [d.text for d in direct]
    assert through_link[0].signature == direct[0].signature  # named by what it is, not by the link


def test_random_models_have_the_converters_layouts(ct2_models):
    def files(layout):
        return sorted(p.name for p in ct2_models[layout].iterdir() if p.name != "README.md")

    assert files("marian") == ["config.json", "model.bin", "shared_vocabulary.json", "source.spm", "target.spm"]
    assert files("marian-split") == [
        "config.json",
        "model.bin",
        "source.spm",
        "source_vocabulary.json",
        "target.spm",
        "target_vocabulary.json",
    ]
    assert files("nllb") == ["config.json", "model.bin", "sentencepiece.bpe.model", "shared_vocabulary.json"]
    config = json.loads((ct2_models["marian"] / "config.json").read_text(encoding="utf-8"))
    assert config["decoder_start_token"] == "</s>" and not config.get("add_source_eos")


def test_a_directory_of_links_to_blobs_loads(ct2_models, tmp_path):
    # The Hugging Face cache: a snapshot directory of links into blobs/.
    blobs, snapshot = tmp_path / "blobs", tmp_path / "snapshots" / "abc123"
    blobs.mkdir()
    snapshot.mkdir(parents=True)
    for n, path in enumerate(sorted(ct2_models["nllb"].iterdir())):
        shutil.copy(path, blobs / f"blob{n}")
        (snapshot / path.name).symlink_to(blobs / f"blob{n}")
    drafts = CT2Engine(snapshot, FAST).translate(SEGMENTS[:2])
    assert [d.text for d in drafts] == [d.text for d in CT2Engine(ct2_models["nllb"], FAST).translate(SEGMENTS[:2])]


def test_a_directory_name_unfit_for_a_signature_is_refused(ct2_models, tmp_path):
    # The directory's name is the model's name in every draft's signature.
    hostile = tmp_path / "opus\u202emt"
    shutil.copytree(ct2_models["marian"], hostile)
    with pytest.raises(PipelineError, match="the model directory's name"):
        CT2Engine(hostile, FAST).load()


def test_version_changes_with_the_model(ct2_models, tmp_path):
    copy = tmp_path / ct2_models["marian"].name
    shutil.copytree(ct2_models["marian"], copy)
    same = CT2Engine(copy, FAST).signature()
    assert same == CT2Engine(ct2_models["marian"], FAST).signature()
    vocabulary = json.loads((copy / "shared_vocabulary.json").read_text(encoding="utf-8"))
    vocabulary[-1] = "<other>"
    (copy / "shared_vocabulary.json").write_text(json.dumps(vocabulary), encoding="utf-8")
    assert CT2Engine(copy, FAST).signature().version != same.version


# --- Bad model directories: one line each, naming what is wrong --------------------------------


def _copy(ct2_models, layout, tmp_path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(ct2_models[layout], target)
    return target


def _edit_vocabulary(path: Path, edit) -> None:
    vocabulary = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(edit(vocabulary)), encoding="utf-8")


BAD = {
    "missing model.bin": (lambda d: (d / "model.bin").unlink(), "model file model.bin is missing"),
    "truncated model.bin": (
        lambda d: (d / "model.bin").write_bytes((d / "model.bin").read_bytes()[:5000]),
        "cannot load the model at",
    ),
    "model.bin is a FIFO": (lambda d: ((d / "model.bin").unlink(), os.mkfifo(d / "model.bin")), "not a regular file"),
    "config.json is /dev/zero": (
        lambda d: ((d / "config.json").unlink(), (d / "config.json").symlink_to("/dev/zero")),
        "config.json is not a regular file",
    ),
    "config.json is not JSON": (lambda d: (d / "config.json").write_text("{"), "config.json is not valid JSON"),
    "vocabulary shorter than the model": (
        lambda d: _edit_vocabulary(d / "shared_vocabulary.json", lambda v: v[:-10]),
        "vocabulary has",
    ),
    "vocabulary longer than the model": (
        lambda d: _edit_vocabulary(d / "shared_vocabulary.json", lambda v: v + ["<x>"]),
        "do not belong to this model.bin",
    ),
    "no vocabulary": (lambda d: (d / "shared_vocabulary.json").unlink(), "no source vocabulary"),
    "target.spm missing": (lambda d: (d / "target.spm").unlink(), "source.spm without target.spm"),
    "no tokenizer": (
        lambda d: ((d / "target.spm").unlink(), (d / "source.spm").unlink()),
        "no SentencePiece model",
    ),
    "garbage tokenizer": (lambda d: (d / "source.spm").write_bytes(b"not a model"), "not a SentencePiece model"),
    "English tokenizer for the source": (
        lambda d: shutil.copy(d / "target.spm", d / "source.spm"),
        "does not know Chinese",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_marian_directory_is_refused_in_one_line(ct2_models, tmp_path, case):
    model = _copy(ct2_models, "marian", tmp_path)
    damage, expected = BAD[case]
    damage(model)
    with pytest.raises(ModelError) as caught:
        CT2Engine(model, FAST).translate(SEGMENTS[:1])
    message = str(caught.value)
    assert expected in message and "\n" not in message


def test_nllb_without_language_tokens_is_refused(ct2_models, tmp_path):
    model = _copy(ct2_models, "nllb", tmp_path)
    _edit_vocabulary(
        model / "shared_vocabulary.json",
        lambda v: [f"x{i}" if t.endswith(("_Hans", "_Latn")) else t for i, t in enumerate(v)],
    )
    with pytest.raises(ModelError, match="no Chinese and English language tokens.*engine.ct2.source_token"):
        CT2Engine(model, FAST).load()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: None, "no model directory given"),
        (lambda tmp: tmp / "absent", "no such model directory"),
        (lambda tmp: (tmp / "file").write_text("x") and tmp / "file", "not a directory"),
        (lambda tmp: (tmp / "a").symlink_to(tmp / "a") or tmp / "a", "cannot be resolved"),
    ],
)
def test_no_usable_directory_is_one_line(tmp_path, make, expected):
    with pytest.raises(ModelError, match=expected):
        inspect_model(make(tmp_path))
