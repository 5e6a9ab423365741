#!/usr/bin/env python
"""Translate-stage throughput on a GPU against the CPU (not a test).

One prepared script, to run where there is an NVIDIA GPU (an H200 was the
target) and, for the comparison, on the development machine's CPU cores:

    python -m benchmarks.bench_gpu                     # CUDA (float16, int8_float16) if there is a GPU, then CPU
    python -m benchmarks.bench_gpu --device cuda       # the GPU only
    python -m benchmarks.bench_gpu --device cpu --cpu-scale 1   # the CPU only, on the seed once

What is measured: the real translate stage (``translate_documents`` with the
``ct2`` engine: catalog read, tokenization, batch plan, decoding, catalog
writes) on the seed's catalog repeated ``--scale`` times (default 20: 1,700
segments, each copy made distinct as in ``bench_translate --scale``), at
beam 4, with a random-weight Transformer-base model (6+6 layers, d_model
512, 8 heads, FFN 2048, 32k vocabulary, int8 weights on disk: the shape of
Argos's packages) built by ``pipeline/testing/random_model.py`` in the
M2M100 layout of the ``ct2`` engine (pre-norm, ReLU: Argos's architecture).
Random weights almost never emit ``</s>``, so every sentence is decoded to
the cap (``--max-decoding-length``, default 256, as in BENCHMARKS.md §1 and
§3): the worst case, and the same work on every device. Quality is not
measured and cannot be: the model translates nothing.

Per configuration: model load (not in the throughput), seconds, segments
per second, the engine's plan (workers, tokens and decoder positions per
batch), and on CUDA the GPU memory in use at its peak (``nvidia-smi``,
sampled every 0.2 s, when available). The CPU runs on ``--cpu-scale``
copies (default 1: about 90 s on two cores; throughput per segment holds
across scales, BENCHMARKS.md §3) unless told otherwise.

Without a GPU, ``--device cuda`` stops with the engine's one-line refusal.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import REPO, SEED_DOCUMENT, Meter, Sampler, log, machine_info, markdown_table

OUT = REPO / "benchmarks" / "out"


def ensure_model(quantization: str, seed: int) -> Path:
    """The BASE random model directory, built once and cached by its parameters."""
    from pipeline.testing import random_model

    shape = random_model.BASE
    source = Path(random_model.__file__).read_bytes()
    key = f"ct2-m2m100-base-{quantization}-seed{seed}-{hashlib.sha256(source).hexdigest()[:10]}"
    dest = OUT / "models" / key
    model = dest / "random-base-zh-en"
    if (model / "model.bin").is_file():
        return model
    shutil.rmtree(dest, ignore_errors=True)
    log(f"building the random Transformer-base model ({quantization}) in {dest} ...")
    started = time.perf_counter()
    path = random_model.build_random_ct2_model(
        dest, layout="m2m100", shape=shape, quantization=quantization, seed=seed, name=model.name
    )
    log(f"  built in {time.perf_counter() - started:.1f}s")
    return path


def scaled_workspace(root: Path, factor: int):
    """A workspace whose catalog is the seed's, ``factor`` times (copies made distinct)."""
    from benchmarks.bench_translate import scaled_catalog
    from pipeline.catalog import load_catalog, save_catalog
    from pipeline.extract import extract
    from pipeline.workspace import Workspace

    ws = Workspace(root / f"ws-x{factor}")
    ws.seeds.mkdir(parents=True)
    seed = ws.seeds / SEED_DOCUMENT.name
    shutil.copy2(SEED_DOCUMENT, seed)
    doc = extract(ws, seed).doc
    path = ws.catalog_path(doc)
    if factor > 1:
        save_catalog(path, scaled_catalog(load_catalog(path, "catalog"), factor))
    pristine = root / f"pristine-x{factor}.po"
    shutil.copy2(path, pristine)
    return ws, doc, pristine


def gpu_memory_mib() -> int | None:
    """GPU memory in use now (MiB, all GPUs), from nvidia-smi; None without it."""
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout
        return sum(int(v) for v in out.split())
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def run_config(model: Path, ws, doc: str, pristine: Path, device: str, compute: str, args) -> dict:
    from pipeline.engines.ct2 import CT2Engine
    from pipeline.engines.settings import DecodingSettings
    from pipeline.translate import translate_documents

    shutil.copy2(pristine, ws.catalog_path(doc))
    settings = DecodingSettings(
        threads=args.threads if device == "cpu" else None,
        beam_size=args.beam_size,
        batch_size=args.batch_size,
        max_decoding_length=args.max_decoding_length,
    )
    engine = CT2Engine(model, settings, device=device, compute_type=compute)
    started = time.perf_counter()
    engine.load()
    load_seconds = time.perf_counter() - started
    plan = engine.settings
    log(
        f"{device}/{engine.compute_type}: {plan.workers} worker(s), {plan.tokens_per_batch} tokens and "
        f"{plan.positions_per_batch} positions per batch; translating ..."
    )
    gpu = Sampler(gpu_memory_mib, interval=0.2) if device == "cuda" else None
    with Meter() as meter, gpu or contextlib.nullcontext():
        summary = translate_documents(ws, [doc], lambda: engine, stream=io.StringIO())
    return {
        "device": device,
        "compute": engine.compute_type,
        "workers": plan.workers,
        "batch": f"{plan.tokens_per_batch} tok / {plan.positions_per_batch} pos",
        "segments": summary.segments,
        "load_s": load_seconds,
        "seconds": meter.wall,
        "rate": summary.segments / meter.wall if meter.wall else 0.0,
        "cpu_s": meter.cpu,
        "other_cores": meter.foreign_cores,
        "gpu_mib": gpu.peak if gpu else None,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", choices=("both", "cuda", "cpu"), default="both")
    parser.add_argument("--scale", type=int, default=20, help="copies of the seed's catalog on CUDA [20]")
    parser.add_argument("--cpu-scale", type=int, default=1, help="copies of the seed's catalog on the CPU [1]")
    parser.add_argument("--beam-size", type=int, default=4)
    parser.add_argument("--max-decoding-length", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=None, help="tokens per batch [the device's default]")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads [all cores]")
    parser.add_argument(
        "--compute-types",
        default="float16,int8_float16",
        help="compute types to measure on CUDA, comma-separated [float16,int8_float16]",
    )
    parser.add_argument("--quantization", default="int8", help="weights on disk [int8, as Argos ships them]")
    parser.add_argument("--model-seed", type=int, default=1234)
    args = parser.parse_args(argv)

    from pipeline.engines.ctranslate import cuda_devices
    from pipeline.errors import PipelineError

    gpus = cuda_devices()
    configs = []
    if args.device in ("both", "cuda"):
        if gpus or args.device == "cuda":
            configs += [("cuda", c.strip(), args.scale) for c in args.compute_types.split(",") if c.strip()]
        else:
            log("no CUDA device: measuring the CPU only")
    if args.device in ("both", "cpu"):
        configs.append(("cpu", "auto", args.cpu_scale))

    model = ensure_model(args.quantization, args.model_seed)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-gpu-") as tmp:
        workspaces = {}
        for device, compute, scale in configs:
            if scale not in workspaces:
                workspaces[scale] = scaled_workspace(Path(tmp), scale)
            ws, doc, pristine = workspaces[scale]
            try:
                rows.append((scale, run_config(model, ws, doc, pristine, device, compute, args)))
            except PipelineError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
    info = machine_info()
    print(f"machine: {info}; GPUs seen by CTranslate2: {gpus}")
    print(
        f"model: random Transformer-base ({args.quantization} on disk), beam {args.beam_size}, "
        f"every sentence decoded to {args.max_decoding_length} tokens"
    )
    print(
        markdown_table(
            (
                "device",
                "compute",
                "catalog",
                "workers",
                "batch plan",
                "segments",
                "load s",
                "seconds",
                "seg/s",
                "CPU s",
                "other cores",
                "GPU MiB",
            ),
            [
                (
                    r["device"],
                    r["compute"],
                    f"{scale}×",
                    str(r["workers"]),
                    r["batch"],
                    f"{r['segments']:,}",
                    f"{r['load_s']:.1f}",
                    f"{r['seconds']:.1f}",
                    f"{r['rate']:.2f}",
                    f"{r['cpu_s']:.0f}",
                    f"{r['other_cores']:.2f}",
                    "—" if r["gpu_mib"] is None else f"{r['gpu_mib']:,}",
                )
                for scale, r in rows
            ],
            left=2,
        )
    )
    cpu = next((r for _, r in rows if r["device"] == "cpu"), None)
    for _, r in rows:
        if r["device"] == "cuda" and cpu and cpu["rate"]:
            print(f"cuda/{r['compute']}: {r['rate'] / cpu['rate']:.1f}× the CPU's segments per second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
