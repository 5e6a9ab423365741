"""Devices for the CTranslate2 engines (pipeline/engines/ctranslate.py and
settings.py): auto/cpu/cuda, compute types, batches planned for a GPU.

No GPU is available here: the CUDA path is checked for its refusal, and
for what the engine asks CTranslate2 for when CTranslate2 reports GPUs
(its Translator recorded, not run)."""

from __future__ import annotations

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
)


@pytest.fixture
def gpus(monkeypatch):
    """Pretend CTranslate2 sees ``n`` GPUs."""

    def set_count(n: int):
        monkeypatch.setattr(ctranslate, "cuda_devices", lambda: n)

    return set_count


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


def test_on_cuda_the_engine_asks_for_every_gpu_one_worker_each_in_float16(ct2_models, gpus, monkeypatch):
    gpus(2)
    made = []

    class Recorder:
        def __init__(self, path, **kwargs):
            made.append(kwargs)

    monkeypatch.setattr(ctranslate2, "Translator", Recorder)
    engine = CT2Engine(ct2_models["marian"], DecodingSettings(threads=8, beam_size=4), device="auto")
    signature = engine.signature()
    assert made == [{"device": "cuda", "compute_type": "float16", "device_index": [0, 1], "inter_threads": 1}]
    assert engine.settings.workers == 2 and engine.settings.tokens_per_batch == GPU_BATCH_SIZE
    assert str(signature).endswith(";device=cuda;compute=float16")


def test_on_the_cpu_the_engine_loads_as_before(ct2_models, gpus, monkeypatch):
    gpus(0)
    made = []
    real = ctranslate2.Translator

    def recorder(path, **kwargs):
        made.append(kwargs)
        return real(path, **kwargs)

    monkeypatch.setattr(ctranslate2, "Translator", recorder)
    engine = CT2Engine(ct2_models["marian"], DecodingSettings(threads=2, max_decoding_length=4))
    assert engine.translate(["崔平很忙。"])[0].text
    assert made == [
        {"device": "cpu", "compute_type": "default", "device_index": 0, "inter_threads": 2, "intra_threads": 1}
    ]
    assert "device=" not in str(engine.signature()) and "compute=" not in str(engine.signature())
