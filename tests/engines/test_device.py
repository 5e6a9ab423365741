"""Devices for the CTranslate2 engines (pipeline/engines/ctranslate.py and
settings.py): auto/cpu/cuda, compute types, batches planned for a GPU.

No GPU is available here: the CUDA path is checked for its refusal, and
for what the engine asks CTranslate2 for when CTranslate2 reports GPUs
(its Translator recorded, not run)."""

from __future__ import annotations

import os
import shutil

import ctranslate2
import pytest

from pipeline.engines import ctranslate
from pipeline.engines.ct2 import CT2Engine
from pipeline.engines.ctranslate import DeviceError, resolve_compute_type, resolve_device
from pipeline.engines.settings import (
    BATCH_SIZE,
    CACHE_POSITIONS,
    GPU_BATCH_SIZE,
    GPU_CACHE_POSITIONS,
    DecodingSettings,
    gpu_share,
)
from pipeline.workspace import Workspace


@pytest.fixture
def gpus(monkeypatch):
    """Pretend CTranslate2 sees ``n`` GPUs."""

    def set_count(n: int):
        monkeypatch.setattr(ctranslate, "cuda_devices", lambda: n)

    return set_count


@pytest.fixture
def translators(monkeypatch):
    """Record the keyword arguments of every ``ctranslate2.Translator`` made:
    ``translators(load=True)`` returns the list they go to; with ``load``
    False no model is loaded (there is no GPU to load it on)."""
    real = ctranslate2.Translator

    def record(load: bool) -> list[dict]:
        made: list[dict] = []

        def make(path, **kwargs):
            made.append(kwargs)
            return real(path, **kwargs) if load else object()

        monkeypatch.setattr(ctranslate2, "Translator", make)
        return made

    return record


def test_auto_is_cuda_only_when_there_is_a_gpu(gpus):
    gpus(0)
    assert resolve_device("auto") == ("cpu", 1)
    assert resolve_device("cpu") == ("cpu", 1)
    with pytest.raises(DeviceError, match="--device cuda: CTranslate2 sees no CUDA device"):
        resolve_device("cuda")
    gpus(2)
    assert resolve_device("auto") == ("cuda", 2)
    assert resolve_device("cpu") == ("cpu", 1)


def test_compute_type_auto_keeps_the_model_on_the_cpu_and_is_float16_on_cuda():
    assert resolve_compute_type("auto", "cpu") == "default"
    assert resolve_compute_type("auto", "cuda") == "float16"
    assert resolve_compute_type("int8", "cpu") == "int8"
    unsupported = {"float16", "bfloat16", "int8_float16"} - ctranslate2.get_supported_compute_types("cpu")
    for kind in unsupported:
        with pytest.raises(DeviceError, match=f"compute type {kind} is not supported on cpu"):
            resolve_compute_type(kind, "cpu")


def test_gpu_plan_is_one_worker_per_device_and_larger_batches_unless_given():
    settings = DecodingSettings(threads=2, beam_size=4)
    assert settings.for_device("cpu") is settings
    assert (settings.tokens_per_batch, settings.positions_per_batch) == (BATCH_SIZE, CACHE_POSITIONS)
    gpu = settings.for_device("cuda", devices=3)
    assert gpu.workers == 3 and gpu.beam_size == 4
    assert (gpu.tokens_per_batch, gpu.positions_per_batch) == (GPU_BATCH_SIZE, GPU_CACHE_POSITIONS)
    given = DecodingSettings(batch_size=512, cache_positions=4096).for_device("cuda")
    assert (given.tokens_per_batch, given.positions_per_batch) == (512, 4096)


def test_on_cuda_the_engine_asks_for_every_gpu_one_worker_each_in_float16(ct2_models, gpus, translators):
    gpus(2)
    made = translators(load=False)
    engine = CT2Engine(ct2_models["marian"], DecodingSettings(threads=8, beam_size=4), device="auto")
    signature = engine.signature()
    assert made == [{"device": "cuda", "compute_type": "float16", "device_index": [0, 1], "inter_threads": 1}]
    assert engine.settings.workers == 2 and engine.settings.tokens_per_batch == GPU_BATCH_SIZE
    assert str(signature).endswith(";device=cuda;compute=float16")


def test_on_the_cpu_the_engine_loads_as_before(ct2_models, gpus, translators):
    gpus(0)
    made = translators(load=True)
    engine = CT2Engine(ct2_models["marian"], DecodingSettings(threads=2, max_decoding_length=4))
    assert engine.translate(["崔平很忙。"])[0].text
    assert made == [
        {"device": "cpu", "compute_type": "default", "device_index": 0, "inter_threads": 2, "intra_threads": 1}
    ]
    assert "device=" not in str(engine.signature()) and "compute=" not in str(engine.signature())


# --- `run --jobs N` on CUDA: the processes share the GPUs out ------------------------------


@pytest.mark.parametrize(
    ("devices", "processes", "shares"),
    [
        (1, 1, [[0]]),
        (4, 1, [[0, 1, 2, 3]]),  # one process: every GPU, one worker each (as before)
        (1, 3, [[0], [0], [0]]),
        (2, 4, [[0], [1], [0], [1]]),  # more processes than GPUs: process i on GPU i mod 2
        (3, 3, [[0], [1], [2]]),
        (4, 2, [[0, 2], [1, 3]]),  # fewer: every GPU used, none by two processes
        (3, 2, [[0, 2], [1]]),
    ],
)
def test_processes_share_the_gpus_round_robin(devices, processes, shares):
    assert [gpu_share(devices, n, processes) for n in range(processes)] == shares


@pytest.mark.parametrize("devices", range(1, 9))
@pytest.mark.parametrize("processes", range(1, 9))
def test_every_gpu_is_used_and_every_process_has_one(devices, processes):
    shares = [gpu_share(devices, n, processes) for n in range(processes)]
    assert all(shares)
    used = [gpu for share in shares for gpu in share]
    assert set(used) == set(range(devices))
    if processes <= devices:
        assert sorted(used) == list(range(devices))  # none shared


def test_a_process_of_a_run_decodes_on_its_share_of_the_gpus():
    shared = DecodingSettings(threads=8, beam_size=2).shared_by(2)
    first, second = shared.for_process(0), shared.for_process(1)
    assert (first.gpus(4), second.gpus(4)) == ([0, 2], [1, 3])
    assert second.for_device("cuda", devices=4).workers == 2  # one worker per GPU of its share
    assert shared.for_process(3).gpus(4) == [1, 3]  # numbers past the count wrap round
    assert DecodingSettings().gpus(4) == [0, 1, 2, 3]
    # On the CPU the number changes nothing: the threads are shared out as before.
    for settings in (first, second):
        assert settings.for_device("cpu") is settings and settings.workers == 4


def test_on_cuda_each_process_of_a_run_asks_for_its_own_gpus(ct2_models, gpus, translators):
    gpus(4)
    made = translators(load=False)
    shared = DecodingSettings(threads=8, beam_size=4).shared_by(2)
    signatures = set()
    for number in (0, 1):
        engine = CT2Engine(ct2_models["marian"], shared.for_process(number), device="cuda")
        signatures.add(str(engine.signature()))
        assert engine.settings.workers == 2
    assert [m["device_index"] for m in made] == [[0, 2], [1, 3]]
    assert all(m["inter_threads"] == 1 and m["device"] == "cuda" for m in made)
    assert len(signatures) == 1  # where a draft was decoded is not part of its signature


def test_on_the_cpu_a_process_of_a_run_loads_as_before(ct2_models, gpus, translators):
    gpus(0)
    made = translators(load=True)
    settings = DecodingSettings(threads=4, max_decoding_length=4).shared_by(2).for_process(1)
    engine = CT2Engine(ct2_models["marian"], settings)
    assert engine.translate(["崔平很忙。"])[0].text
    assert made == [
        {"device": "cpu", "compute_type": "default", "device_index": 0, "inter_threads": 2, "intra_threads": 1}
    ]


def test_the_workers_of_a_local_run_number_themselves(workspace, seed_path, tmp_path):
    from pipeline import runner
    from tests.support.fake_engine import FakeEngine

    for i in range(1, 4):
        text = seed_path.read_text(encoding="utf-8").replace("2027", str(2030 + i))
        (workspace / "seeds" / f"copy{i}.txt").write_text(text, encoding="utf-8")
    ws = Workspace(workspace)
    told = tmp_path / "told"

    def make(settings):
        with told.open("a") as f:  # one short line per write: appends do not interleave
            f.write(f"{os.getpid()} {settings.process} {settings.processes}\n")
        return FakeEngine()

    options = runner.TranslateOptions(DecodingSettings(threads=2))
    runner.run(ws, ws.default_sources(), options, runner.BuildOptions(), runner.Report(), jobs=2, make_engine=make)
    lines = [line.split() for line in told.read_text().splitlines()]
    numbers = {pid: int(number) for pid, number, _ in lines}
    assert len(numbers) == len(lines)  # each worker made its engine once
    assert sorted(numbers.values()) == list(range(len(numbers)))  # numbered 0, 1, ... in the order they made one
    assert all(processes == "2" for _, _, processes in lines)
    assert os.getpid() not in map(int, numbers)  # the parent makes none

    told.unlink()
    serial = Workspace(shutil.copytree(workspace / "seeds", tmp_path / "serial" / "seeds").parent)
    runner.run(serial, serial.default_sources(), options, runner.BuildOptions(), runner.Report(), make_engine=make)
    assert told.read_text().split()[1:] == ["0", "1"]  # one process: every GPU its own
