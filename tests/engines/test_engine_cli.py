"""Choosing and configuring engines: pipeline.toml under the command line
(`translate`, `run`), `--engine`, `--device`, the registry and
`pipeline engines list`, through the real engines and random-weight models."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.catalog import load_catalog
from pipeline.catalog.states import machine_signature
from pipeline.cli import main
from pipeline.engines import ENGINES, EngineRequest, create_engine, engine_maker
from pipeline.engines.argos import ArgosEngine
from pipeline.engines.argos_packages import install
from pipeline.engines.ct2 import CT2Engine
from pipeline.engines.ctranslate import cuda_devices
from pipeline.engines.settings import DecodingSettings
from pipeline.errors import PipelineError
from pipeline.workspace import Workspace

FAST = ["--beam-size", "1", "--max-decoding-length", "6", "--threads", "1"]
no_gpu = pytest.mark.skipif(cuda_devices() > 0, reason="this machine has a CUDA device: the refusal cannot happen")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def signatures(workspace: Path) -> set[str]:
    ws = Workspace(workspace)
    found = set()
    for doc in ws.documents():
        for message in load_catalog(ws.catalog_path(doc)):
            if message.id and machine_signature(message):
                found.add(machine_signature(message))
    return found


def one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # click's one-line error, not an escaped exception
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_registry_names_every_engine_and_makes_them_with_the_given_settings(ct2_models):
    assert list(ENGINES) == ["argos", "ct2", "openai"]
    request = EngineRequest(model=str(ct2_models["marian"]), device="cpu")
    settings = DecodingSettings(threads=1, beam_size=3)
    engine = engine_maker("ct2", request)(settings)
    assert isinstance(engine, CT2Engine) and engine.requested == settings
    assert isinstance(create_engine("argos", EngineRequest(settings)), ArgosEngine)
    with pytest.raises(PipelineError, match="unknown engine 'google'"):
        create_engine("google", request)


def test_translate_with_ct2_from_the_command_line(workspace, ct2_models, no_network, msgfmt_check):
    assert invoke("extract", "-w", str(workspace)).exit_code == 0
    result = invoke("translate", "-w", str(workspace), "--engine", "ct2", "--model", str(ct2_models["m2m100"]), *FAST)
    assert result.exit_code == 0, result.output
    (signature,) = signatures(workspace)
    assert signature.startswith(f"ct2:{ct2_models['m2m100'].name}@") and ";beam=1;max_len=6;" in signature
    msgfmt_check(Workspace(workspace).catalog_path(Workspace(workspace).documents()[0]))
    assert no_network == []


def test_pipeline_toml_chooses_the_engine_and_the_command_line_overrides_it(workspace, ct2_models, no_network):
    (workspace / "models").mkdir()
    (workspace / "models" / "opus").symlink_to(ct2_models["marian"], target_is_directory=True)
    (workspace / "pipeline.toml").write_text(
        '[engine]\nname = "ct2"\nmodel = "models/opus"\nbeam_size = 2\nmax_decoding_length = 5\nthreads = 1\n',
        encoding="utf-8",
    )
    assert invoke("extract", "-w", str(workspace)).exit_code == 0
    # Run from elsewhere: the file's relative model path is the workspace's.
    result = invoke("translate", "-w", str(workspace))
    assert result.exit_code == 0, result.output
    (from_file,) = signatures(workspace)
    assert from_file.startswith(f"ct2:{ct2_models['marian'].name}@") and ";beam=2;max_len=5;" in from_file

    # A new document, translated with the command line's beam over the file's.
    (workspace / "seeds" / "second.txt").write_text("崔平很忙。\n\n工业对宁波有特殊意义。\n", encoding="utf-8")
    result = invoke("run", "-w", str(workspace), "--beam-size", "1")
    assert result.exit_code == 0, result.output
    assert any(";beam=1;max_len=5;" in s for s in signatures(workspace))
    assert "engine: ct2:" in result.output
    assert no_network == []


@pytest.mark.parametrize(
    ("toml", "fragments"),
    [
        ('[engine]\nbeam_size = "four"\n', ("pipeline.toml: engine.beam_size: expected an integer >= 1",)),
        ('[engine]\ndevice = "gpu"\n', ("pipeline.toml: engine.device:",)),
        ('[engine]\ncompute_type = "int3"\n', ("pipeline.toml: engine.compute_type:",)),
        ("[engine.ct2]\nmodel = 3\n", ("pipeline.toml: engine.ct2.model: expected a string",)),
        ('[engine]\nname = "ct2"\nmodel = "no/such/dir"\n', ("no such model directory",)),
        (
            '[engine]\nname = "openai"\n[engine.openai]\nurl = "ftp://x"\n',
            ("Error: pipeline.toml: engine.openai.url: ftp://x: expected an http:// or https:// URL",),
        ),
        (
            '[engine]\nname = "openai"\n[engine.openai]\nurl = "http://203.0.113.7:8080/v1"\n',
            ("Error: pipeline.toml: engine.openai.url: http://203.0.113.7:8080/v1 is not on this machine",),
        ),
        ("[engine]\nname = 'argos'\nname = 'ct2'\n", ("Error: pipeline.toml: line 3: engine.name: given twice",)),
    ],
)
def test_a_bad_configuration_is_one_line_naming_file_and_key(workspace, toml, fragments):
    assert invoke("extract", "-w", str(workspace)).exit_code == 0
    (workspace / "pipeline.toml").write_text(toml, encoding="utf-8")
    for command in ("translate", "run"):
        one_line_error(invoke(command, "-w", str(workspace), *FAST), *fragments)


def test_a_bad_model_on_the_command_line_is_one_line(workspace, tmp_path):
    assert invoke("extract", "-w", str(workspace)).exit_code == 0
    (tmp_path / "empty").mkdir()
    result = invoke("translate", "-w", str(workspace), "--engine", "ct2", "--model", str(tmp_path / "empty"))
    one_line_error(result, "model.bin is missing")


@no_gpu
@pytest.mark.parametrize("engine", ["argos", "ct2"])
def test_device_cuda_without_a_gpu_is_refused_in_one_line(workspace, engine, ct2_models, tiny_model, packages_dir):
    install(tiny_model)
    assert invoke("extract", "-w", str(workspace)).exit_code == 0
    model = ["--model", str(ct2_models["marian"])] if engine == "ct2" else []
    for command in ("translate", "run"):
        result = invoke(command, "-w", str(workspace), "--engine", engine, *model, "--device", "cuda", *FAST)
        one_line_error(result, "--device cuda", "no CUDA device")
    # The same from pipeline.toml; --device cpu on the command line beats it.
    (workspace / "pipeline.toml").write_text('[engine]\ndevice = "cuda"\n', encoding="utf-8")
    one_line_error(invoke("translate", "-w", str(workspace), "--engine", engine, *model, *FAST), "no CUDA device")
    result = invoke("translate", "-w", str(workspace), "--engine", engine, *model, "--device", "cpu", *FAST)
    assert result.exit_code == 0, result.output


def test_default_run_is_argos_on_the_cpu_with_the_signature_it_always_had(workspace, tiny_model, packages_dir):
    install(tiny_model)
    result = invoke("run", "-w", str(workspace), "--max-decoding-length", "6", "--threads", "1")
    assert result.exit_code == 0, result.output
    (signature,) = signatures(workspace)
    assert re.fullmatch(
        r"argos:translate-zh_en@0\.1;ctranslate2=[0-9.]+;beam=4;max_len=6;length_penalty=0\.2", signature
    )


def test_engines_list_shows_what_is_configured_without_contacting_anything(
    workspace, ct2_models, tiny_model, packages_dir, no_network
):
    install(tiny_model)
    (workspace / "pipeline.toml").write_text(f'[engine.ct2]\nmodel = "{ct2_models["nllb"]}"\n', encoding="utf-8")
    result = invoke("engines", "list", "-w", str(workspace))
    assert result.exit_code == 0, result.output
    out = result.output
    assert re.search(r"^argos \(used\): .*\n  used: translate-zh_en 0\.1 at ", out, re.M), out
    assert re.search(r"^ct2: .*\n  model: .*nllb-200-random \(NLLB\) loads: ct2:nllb-200-random@", out, re.M), out
    assert "non-commercial" in out
    assert re.search(r"^openai: ", out, re.M)
    assert no_network == []

    (workspace / "pipeline.toml").write_text('[engine]\nname = "ct2"\nmodel = "nowhere"\n', encoding="utf-8")
    result = invoke("engines", "list", "-w", str(workspace), "--probe", "--engine", "argos", "--engine", "ct2")
    assert result.exit_code == 0, result.output
    assert "openai" not in result.output
    assert re.search(r"^ct2 \(used\): .*\n  error: .*nowhere: no such model directory", result.output, re.M)
    assert "probe: loads and translates (argos:translate-zh_en@0.1;" in result.output
