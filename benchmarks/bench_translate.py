#!/usr/bin/env python
"""Throughput benchmark of the zh→en translate stage (not a test).

Compares, on the seed document's segments (the msgids of its catalog):

1. ``pipeline``  – the real stage: ``translate_documents()`` with an
   ``ArgosEngine``, end to end (catalog read, model load, tokenization,
   decoding, detokenization, catalog writes), on a fresh copy of the
   catalog for every repetition.
2. ``baseline``  – argostranslate's own per-segment path, as
   argos-translate-files and LibreTranslate use it:
   ``get_translation_from_codes("zh", "en").translate(segment)`` once per
   segment.
3. ``ceiling``   – raw CTranslate2: one ``translate_batch`` over all the
   pre-tokenized segments at once (tokenization and model load not timed).

The model is a random-weight Transformer-base (6+6 layers, d_model 512,
8 heads, FFN 2048, 32k vocabulary, int8) built by
``pipeline/testing/random_model.py``: the shape and size of Argos's published
packages, so the cost per decoding step is realistic. Random weights almost
never emit ``</s>``, so every sentence is decoded to the cap: all variants
use the same ``--max-decoding-length`` (default 256, which is also what
argostranslate gets, since it passes none and CTranslate2's default is 256;
the run checks that every output has that length) and the same beam
(``--beam-size``, default 4, Argos's default). Absolute speeds are
therefore those of the worst case (every sentence 256 tokens long); the
ratios between variants are the point.

Isolation: HOME, XDG_* and ARGOS_PACKAGES_DIR point into a temporary
directory (set before argostranslate or pipeline is imported: argostranslate
reads its settings at import time); the model is built once and cached in
``benchmarks/out/models/`` (git-ignored), keyed by shape, quantization,
seed and the builder's source, then installed with
``pipeline.engines.argos_packages.install``.

Every measured configuration runs in its own subprocess, so its peak RSS
(VmHWM; see peak_rss_mb) is its own. Each subprocess records wall time, its own CPU
time and the CPU time used by *other* processes during the run (from
/proc/stat), because a shared machine skews wall-clock numbers; before each
repetition it waits (up to ``--quiet-wait`` seconds) for the machine to be
idle.

Usage (from the repository root)::

    python -m benchmarks.bench_translate                  # default comparison
    python -m benchmarks.bench_translate --sweep          # + pipeline layouts and batch sizes
    python -m benchmarks.bench_translate --scale 20 --repeat 1   # memory/throughput at 20x
    python -m benchmarks.bench_translate --quick          # one pass of each, ~10 min here

See BENCHMARKS.md for results and benchmarks/README.md for details.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import (
    REPO,
    SEED_DOCUMENT,
    Meter,
    RssSampler,
    log,
    machine_info,
    markdown_table,
    median,
    peak_rss_mb,
    rss_mb,
    ru_maxrss_mb,
    wait_for_quiet,
)

MODULE = "benchmarks.bench_translate"  # workers run as ``python -m MODULE --_worker SPEC``
OUT = REPO / "benchmarks" / "out"
RESULT_MARK = "@@BENCH-RESULT "
CT2_DEFAULT_MAX_DECODING_LENGTH = 256  # Translator.translate_batch's default

# Settings argostranslate reads from the environment; a user's own values
# must not leak into the benchmark (the baseline sets its own).
_ARGOS_ENV = (
    "ARGOS_PACKAGES_DIR",
    "ARGOS_TRANSLATE_PACKAGE_DIR",
    "ARGOS_DEVICE_TYPE",
    "ARGOS_INTER_THREADS",
    "ARGOS_INTRA_THREADS",
    "ARGOS_BATCH_SIZE",
    "ARGOS_BEAM_SIZE",
    "ARGOS_COMPUTE_TYPE",
    "ARGOS_CHUNK_TYPE",
    "ARGOS_MODEL_PROVIDER",
    "ARGOS_DEBUG",
    "ARGOS_DEV_MODE",
    "SNAP",
)


# ---------------------------------------------------------------------------
# Isolation (must run before argostranslate / pipeline are imported)
# ---------------------------------------------------------------------------


def isolate(root: Path) -> None:
    """Point HOME, XDG_* and ARGOS_PACKAGES_DIR into ``root``."""
    if "argostranslate" in sys.modules or "pipeline.engines.argos" in sys.modules:
        raise RuntimeError("isolate() must run before argostranslate is imported")
    for name in _ARGOS_ENV:
        os.environ.pop(name, None)
    home = root / "home"
    dirs = {
        "HOME": home,
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_CACHE_HOME": home / ".cache",
        "ARGOS_PACKAGES_DIR": root / "argos" / "packages",
    }
    for name, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        os.environ[name] = str(path)


_CHECK_IMPORTS = (
    "import pipeline.translate, pipeline.extract, pipeline.engines.argos_packages, pipeline.engines.argos, "
    "pipeline.testing.random_model"
)


def snapshot_code(root: Path, attempts: int = 6) -> Path:
    """Copy the ``pipeline`` package into ``root/code`` and put it first on
    sys.path (ahead of the editable install), for this process and the
    workers: every repetition then runs the same code even if the working
    tree is edited meanwhile. Retried while the tree does not import (an
    edit in progress)."""
    code = root / "code"
    for attempt in range(attempts):
        shutil.rmtree(code, ignore_errors=True)
        shutil.copytree(REPO / "pipeline", code / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
        check = subprocess.run(
            [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(code)!r}); {_CHECK_IMPORTS}"],
            capture_output=True,
            text=True,
        )
        if check.returncode == 0:
            sys.path.insert(0, str(code))
            return code
        log(f"pipeline does not import (attempt {attempt + 1}): {check.stderr.strip().splitlines()[-1:]}; retrying")
        time.sleep(10)
    raise RuntimeError("the pipeline package in the working tree does not import")


def code_identity(code: Path) -> dict:
    """Commit and whether the benchmarked engine/stage differ from it."""
    out = {}
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        out["commit"] = head
        engine = ("argos.py", "batching.py", "settings.py")
        for rel in [*(f"pipeline/engines/{name}" for name in engine), "pipeline/translate.py"]:
            committed = subprocess.run(["git", "-C", str(REPO), "show", f"HEAD:{rel}"], capture_output=True).stdout
            current = (code / rel).read_bytes()
            out[rel] = {
                "sha256": hashlib.sha256(current).hexdigest()[:12],
                "modified_since_commit": current != committed,
            }
    except OSError:
        pass
    return out


# ---------------------------------------------------------------------------
# CTranslate2 batching, replicated to describe what each variant sends
# ---------------------------------------------------------------------------


def ct2_batches(lengths: list[int], max_batch_size: int, batch_type: str = "tokens") -> list[tuple[int, int]]:
    """(sentences, longest source) of each batch CTranslate2 makes of one
    ``translate_batch`` call: sorted longest first, filled while
    ``count x longest <= max_batch_size`` (src/batch_reader.cc,
    rebatch_input with padding)."""
    out, count, longest = [], 0, 0
    for n in sorted(lengths, reverse=True):
        if count and ((count + 1) * max(longest, n) if batch_type == "tokens" else count + 1) > max_batch_size:
            out.append((count, longest))
            count, longest = 0, 0
        count += 1
        longest = max(longest, n)
    if count:
        out.append((count, longest))
    return out


def cache_mb(batch: tuple[int, int], beam: int, cap: int, layers: int = 6, d_model: int = 512) -> float:
    """Decoder K/V cache of one batch at the last step (float32): self-
    attention over ``cap`` positions plus cross-attention over the source,
    for sentences x beam hypotheses (Transformer-base dimensions)."""
    sentences, longest = batch
    return layers * 2 * sentences * beam * (cap + longest) * d_model * 4 / 2**20


def schedule(calls: list[list[tuple[int, int]]], workers: int) -> dict:
    """Rough makespan of ``calls`` (each a blocking translate_batch call,
    its batches run by ``workers`` workers in order) with a batch costing its
    sentence count (every sentence is decoded to the same cap): how much of
    the time workers idle at the end of each call."""
    total = sum(n for call in calls for n, _ in call)
    makespan = 0.0
    for call in calls:
        free = [0.0] * workers
        for n, _ in call:
            i = free.index(min(free))
            free[i] += n
        makespan += max(free)
    ideal = total / workers
    return {
        "calls": len(calls),
        "batches": sum(len(c) for c in calls),
        "idle_share": 1 - ideal / makespan if makespan else 0.0,
    }


# ---------------------------------------------------------------------------
# Setup (parent process)
# ---------------------------------------------------------------------------


def ensure_model(quantization: str, seed: int) -> Path:
    """The BASE random package, built once and cached by its parameters."""
    from pipeline.testing import random_model

    shape = random_model.BASE
    source = Path(random_model.__file__).read_bytes()
    key = (
        f"base-L{shape.layers}-d{shape.d_model}-h{shape.heads}-f{shape.ffn}-v{shape.vocab_size}"
        f"-{quantization}-seed{seed}-{hashlib.sha256(source).hexdigest()[:10]}"
    )
    dest = OUT / "models" / key
    existing = sorted(dest.glob("*.argosmodel")) if dest.is_dir() else []
    if existing:
        return existing[0]
    log(f"building the random BASE model ({quantization}) in {dest} ...")
    t = time.perf_counter()
    path = random_model.build_random_argos_package(dest, shape=shape, quantization=quantization, seed=seed)
    log(f"  built in {time.perf_counter() - t:.1f}s")
    return path


def scaled_catalog(catalog, factor: int, seed: int = 0):
    """``factor`` copies of every entry, in shuffled order. Copy k>1 of a
    segment gets the suffix （k） so that every msgid is distinct (the stage
    translates each distinct source text once); the suffix adds 3-4 tokens."""
    from babel.messages.catalog import Message

    base = [m for m in catalog if m.id]
    entries = []
    for m in base:
        for k in range(1, factor + 1):
            text = m.id if k == 1 else f"{m.id}（{k}）"
            entries.append(Message(text, "", locations=list(m.locations), auto_comments=list(m.auto_comments)))
    random.Random(seed).shuffle(entries)
    for m in base:
        del catalog[m.id]
    for m in entries:
        catalog[m.id] = m
    return catalog


class Setup:
    """Temp workspace(s), installed model, segments."""

    def __init__(self, root: Path, args):
        from pipeline.catalog import load_catalog, save_catalog
        from pipeline.engines import argos_packages
        from pipeline.extract import extract
        from pipeline.workspace import Workspace

        self.root = root
        archive = ensure_model(args.quantization, args.model_seed)
        installed = argos_packages.install(archive)
        self.package = installed.path
        log(f"installed {installed.name} in {installed.path.parent}")

        ws = Workspace(root / "ws")
        ws.seeds.mkdir(parents=True)
        seed_copy = ws.seeds / args.seed_document.name
        shutil.copy2(args.seed_document, seed_copy)
        result = extract(ws, seed_copy)
        self.doc = result.doc
        catalog = load_catalog(ws.catalog_path(self.doc), ws.relative(ws.catalog_path(self.doc)))
        if args.segments:  # a prefix of the document, for quick trials
            for m in [m for m in catalog if m.id][args.segments :]:
                del catalog[m.id]
            save_catalog(ws.catalog_path(self.doc), catalog)
        self.segments = [m.id for m in catalog if m.id]
        log(f"extracted {self.doc}: {result.entries} entries; benchmarking {len(self.segments)} segments")
        self.workspaces = {1: self._freeze(ws, 1)}
        if args.scale and args.scale > 1:
            ws_n = Workspace(root / f"ws-x{args.scale}")
            path = ws_n.catalog_path(self.doc)
            path.parent.mkdir(parents=True)
            save_catalog(path, scaled_catalog(catalog, args.scale))
            self.workspaces[args.scale] = self._freeze(ws_n, args.scale)

    def _freeze(self, ws, factor: int) -> dict:
        """Keep the untranslated catalog, to restore before each repetition."""
        from pipeline.catalog import load_catalog

        path = ws.catalog_path(self.doc)
        pristine = self.root / f"pristine-x{factor}.po"
        shutil.copy2(path, pristine)
        segments = [m.id for m in load_catalog(path, "catalog") if m.id]
        seg_file = self.root / f"segments-x{factor}.json"
        seg_file.write_text(json.dumps(segments, ensure_ascii=False), encoding="utf-8")
        return {
            "ws": str(ws.root),
            "doc": self.doc,
            "pristine": str(pristine),
            "segments_file": str(seg_file),
            "n": len(segments),
        }


# ---------------------------------------------------------------------------
# Workers (one subprocess per measured configuration)
# ---------------------------------------------------------------------------


def summarise(reps: list[dict], n: int, inter: int, intra: int) -> dict:
    """Medians of the repetitions of one configuration that did ``n`` segments."""
    wall = median(r["wall"] for r in reps)
    cpu = median(r["cpu"] for r in reps)
    threads = inter * intra  # 0 when CTranslate2 picks the intra threads
    return {
        "reps": reps,
        "seconds": wall,
        "seg_per_s": n / wall,
        "cpu_s_per_seg": cpu / n,
        "utilization": cpu / (wall * threads) if threads else None,
        "foreign_cores": median(r["foreign_cores"] for r in reps),
    }


def _median_record(spec: dict, reps: list[dict], n: int) -> dict:
    return {
        **spec,
        "segments": n,
        **summarise(reps, n, spec["inter"], spec["intra"]),
        "peak_rss_mb": peak_rss_mb(),
        "ru_maxrss_mb": ru_maxrss_mb(),
        "pipeline_from": getattr(sys.modules.get("pipeline"), "__file__", None),
    }


def _tokenizer(package: Path):
    import sentencepiece as spm

    return spm.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))


def worker_pipeline(spec: dict) -> dict:
    from pipeline.engines.argos import ArgosEngine
    from pipeline.engines.batching import plan_batches
    from pipeline.engines.settings import DecodingSettings
    from pipeline.translate import translate_documents
    from pipeline.workspace import Workspace

    inter, intra = spec["inter"], spec["intra"]
    settings = DecodingSettings(
        threads=inter,
        beam_size=spec["beam"],
        batch_size=spec["batch"],
        max_decoding_length=spec["cap"],
        **({"cache_positions": spec["cache_positions"]} if spec.get("cache_positions") else {}),
    )

    if intra == 1:
        make_engine = lambda: ArgosEngine(settings)  # noqa: E731 - the stage exactly as shipped
    else:

        class LayoutEngine(ArgosEngine):
            """ArgosEngine whose translator runs ``inter`` workers of
            ``intra`` threads (the engine itself always uses 1 thread per
            worker). Only the Translator is replaced, after the engine
            loaded it; batching and decoding are the engine's."""

            def load(self):
                if self._translator is not None:
                    return
                super().load()
                import ctranslate2

                self._translator = None  # free the first one before loading again
                self._translator = ctranslate2.Translator(
                    str(self._pkg.package_path / "model"), device="cpu", inter_threads=inter, intra_threads=intra
                )

        make_engine = lambda: LayoutEngine(settings)  # noqa: E731

    info = spec["workspace"]
    ws = Workspace(Path(info["ws"]))
    path = ws.catalog_path(info["doc"])
    pristine = Path(info["pristine"]).read_bytes()
    n = info["n"]

    # What the engine will send to CTranslate2 (its batch plan is deterministic).
    sp = _tokenizer(Path(spec["package"]))
    segments = json.loads(Path(info["segments_file"]).read_text(encoding="utf-8"))
    lengths = [len(sp.encode(s, out_type=str)) for s in segments]
    batches = [(len(b), max(lengths[i] for i in b)) for b in plan_batches(lengths, settings)]

    reps = []
    devnull = open(os.devnull, "w")
    for rep in range(spec["repeat"]):
        path.write_bytes(pristine)  # a fresh, untranslated catalog
        quiet = wait_for_quiet(spec["quiet_wait"])
        with Meter() as m, RssSampler() as rss:
            summary = translate_documents(ws, [info["doc"]], make_engine, stream=devnull)
        if summary.segments != n:
            raise RuntimeError(f"pipeline translated {summary.segments} of {n} segments")
        reps.append({**m.as_dict(), **quiet, **rss.halves(), "entries_filled": summary.entries})
        log(
            f"    rep {rep + 1}: {m.wall:.1f}s ({n / m.wall:.3f} seg/s), cpu {m.cpu:.0f}s, "
            f"other load {m.foreign_cores:.2f} cores"
        )
    rec = _median_record(spec, reps, n)
    rec["plan"] = {
        **schedule([batches], inter),  # submitted asynchronously: no barrier between batches
        "max_sentences_per_batch": max(b[0] for b in batches),
        "max_cache_mb": max(cache_mb(b, spec["beam"], spec["cap"]) for b in batches),
        "source_tokens": sum(lengths),
    }
    return rec


def worker_ceiling(spec: dict) -> dict:
    """One raw ``translate_batch`` over all pre-tokenized segments. "tuned":
    with the engine's allocator settings and at most as many sentences per
    batch as the engine's position bound allows at this cap (the strongest
    raw CTranslate2 we know); "default": glibc's defaults and ``batch``
    tokens per batch, as CTranslate2 is documented."""
    import ctranslate2

    tuned = spec.get("ceiling") == "tuned"
    if tuned:
        from pipeline.engines.allocator import keep_freed_memory
        from pipeline.engines.settings import CACHE_POSITIONS

        if not keep_freed_memory():
            raise RuntimeError("could not apply the allocator settings")
        positions = spec.get("cache_positions") or CACHE_POSITIONS
        batching = {"max_batch_size": max(1, positions // (spec["beam"] * spec["cap"])), "batch_type": "examples"}
    else:
        batching = {"max_batch_size": spec["batch"], "batch_type": "tokens"}
    info = spec["workspace"]
    segments = json.loads(Path(info["segments_file"]).read_text(encoding="utf-8"))
    sp = _tokenizer(Path(spec["package"]))
    tokens = [sp.encode(s, out_type=str) for s in segments]  # not timed
    t = time.perf_counter()
    translator = ctranslate2.Translator(
        str(Path(spec["package"]) / "model"), device="cpu", inter_threads=spec["inter"], intra_threads=spec["intra"]
    )
    load_s = time.perf_counter() - t
    rss_loaded = rss_mb()
    reps = []
    lengths_out = set()
    for rep in range(spec["repeat"]):
        quiet = wait_for_quiet(spec["quiet_wait"])
        with Meter() as m:
            results = translator.translate_batch(
                tokens,
                **batching,
                beam_size=spec["beam"],
                length_penalty=0.2,  # as the engine and argostranslate
                replace_unknowns=True,
                max_decoding_length=spec["cap"],
            )
        lengths_out.update(len(r.hypotheses[0]) for r in results)
        reps.append({**m.as_dict(), **quiet})
        log(
            f"    rep {rep + 1}: {m.wall:.1f}s ({len(tokens) / m.wall:.3f} seg/s), cpu {m.cpu:.0f}s, "
            f"other load {m.foreign_cores:.2f} cores"
        )
        del results
    rec = _median_record(spec, reps, len(tokens))
    batches = ct2_batches([len(t) for t in tokens], batching["max_batch_size"], batching["batch_type"])
    rec.update(
        load_s=load_s,
        rss_after_load_mb=rss_loaded,
        output_lengths=sorted(lengths_out),
        plan={
            **schedule([batches], spec["inter"]),
            "max_sentences_per_batch": max(b[0] for b in batches),
            "max_cache_mb": max(cache_mb(b, spec["beam"], spec["cap"]) for b in batches),
        },
    )
    return rec


def worker_baseline(spec: dict) -> dict:
    """argostranslate's per-segment path. Runs in a process whose ARGOS_*
    environment (threads, beam, batch) the parent has set."""
    import ctranslate2

    calls = []

    class RecordingTranslator:
        """Passes everything to a real Translator; records the keyword
        arguments argostranslate gives translate_batch and output lengths."""

        def __init__(self, *a, **kw):
            self.kwargs = kw
            self._t = real_translator(*a, **kw)

        def translate_batch(self, *a, **kw):
            passed_cap = kw.get("max_decoding_length")
            if passed_cap is None and spec["cap"] != CT2_DEFAULT_MAX_DECODING_LENGTH:
                # Only when the benchmark's cap differs from CTranslate2's
                # default, which argostranslate relies on: same cap everywhere.
                kw["max_decoding_length"] = spec["cap"]
            results = self._t.translate_batch(*a, **kw)
            calls.append(
                {
                    "kwargs": sorted(kw),
                    "max_decoding_length": passed_cap,
                    "beam_size": kw.get("beam_size"),
                    "n": len(a[0]),
                    "out_lengths": [len(r.hypotheses[0]) for r in results],
                }
            )
            return results

    real_translator = ctranslate2.Translator
    ctranslate2.Translator = RecordingTranslator  # argostranslate.translate calls ctranslate2.Translator(...)

    from argostranslate import settings as argos_settings
    from argostranslate import translate as argos_translate

    class IdentitySentencizer:
        """Our segments are already sentences. argostranslate's default
        splitter (MiniSBD) downloads an ONNX model on first use, which fails
        offline; this replaces it with the identity."""

        def split_sentences(self, text: str) -> list[str]:
            return [text]

    all_segments = json.loads(Path(spec["workspace"]["segments_file"]).read_text(encoding="utf-8"))
    count = spec["baseline_segments"]
    # Evenly spread over the document, so the subset has its mix of lengths.
    segments = (
        [all_segments[i * len(all_segments) // count] for i in range(count)]
        if count < len(all_segments)
        else all_segments
    )

    reps = []
    for rep in range(spec["repeat"]):
        # Fresh objects every repetition: argostranslate keeps one
        # CachedTranslation per language pair (lru_cache + a module list);
        # clearing both gives a new cache, a new PackageTranslation and a new
        # (lazily loaded) Translator, as a new process would have.
        argos_translate.get_installed_languages.cache_clear()
        argos_translate.installed_translates.clear()
        translation = argos_translate.get_translation_from_codes("zh", "en")
        if not isinstance(translation, argos_translate.CachedTranslation):
            raise RuntimeError(f"unexpected translation object {translation!r}")
        underlying = translation.underlying
        underlying.sentencizer = IdentitySentencizer()
        underlying_calls = [0]
        real_hypotheses = underlying.hypotheses

        def counted(*a, _calls=underlying_calls, _real=real_hypotheses, **kw):
            _calls[0] += 1
            return _real(*a, **kw)

        underlying.hypotheses = counted
        first = len(calls)
        quiet = wait_for_quiet(spec["quiet_wait"])
        with Meter() as m:
            for segment in segments:
                translation.translate(segment)
        if underlying_calls[0] != len(segments):  # a cache hit would make this smaller
            raise RuntimeError(f"{underlying_calls[0]} model calls for {len(segments)} segments")
        reps.append({**m.as_dict(), **quiet, "ct2_calls": len(calls) - first})
        log(
            f"    rep {rep + 1}: {m.wall:.1f}s ({len(segments) / m.wall:.3f} seg/s), cpu {m.cpu:.0f}s, "
            f"other load {m.foreign_cores:.2f} cores"
        )
    rec = _median_record(spec, reps, len(segments))
    rec.update(
        argos_settings={
            "inter_threads": argos_settings.inter_threads,
            "intra_threads": argos_settings.intra_threads,
            "beam_size": argos_settings.beam_size,
            "batch_size": argos_settings.batch_size,
        },
        translate_batch_kwargs=calls[0]["kwargs"] if calls else [],
        max_decoding_length_passed=calls[0]["max_decoding_length"] if calls else None,
        beam_passed=calls[0]["beam_size"] if calls else None,
        output_lengths=sorted({n for c in calls for n in c["out_lengths"]}),
        sentences_per_call=sorted({c["n"] for c in calls}),
    )
    return rec


def worker_profile(spec: dict) -> dict:
    """Cost per sentence against sentences per batch: one CTranslate2 worker
    of one thread, the segment of median length repeated (no padding),
    decoded in batches of n sentences; CPU time is the robust measure on a
    shared machine."""
    import ctranslate2

    segments = json.loads(Path(spec["workspace"]["segments_file"]).read_text(encoding="utf-8"))
    sp = _tokenizer(Path(spec["package"]))
    tokens = sorted((sp.encode(s, out_type=str) for s in segments), key=len)
    sentence = tokens[len(tokens) // 2]
    if spec.get("allocator") == "tuned":
        from pipeline.engines.allocator import keep_freed_memory

        keep_freed_memory()
    translator = ctranslate2.Translator(
        str(Path(spec["package"]) / "model"), device="cpu", inter_threads=1, intra_threads=1
    )
    rows = []
    for cap in spec["profile_caps"]:
        for n in spec["profile_sizes"]:
            total = max(n, spec["profile_sentences"])
            with Meter() as m:
                translator.translate_batch(
                    [sentence] * total,
                    max_batch_size=n,
                    batch_type="examples",
                    beam_size=spec["beam"],
                    length_penalty=0.2,
                    replace_unknowns=True,
                    max_decoding_length=cap,
                )
            kv_mb = 6 * 2 * n * spec["beam"] * (cap + len(sentence)) * 512 * 4 / 2**20  # K and V, self + cross, float32
            rows.append(
                {
                    "cap": cap,
                    "sentences_per_batch": n,
                    "sentences": total,
                    "cpu_s_per_sentence": m.cpu / total,
                    "sys_share": m.sys / m.cpu if m.cpu else 0.0,
                    "wall_s_per_sentence": m.wall / total,
                    "foreign_cores": m.foreign_cores,
                    "cache_mb_per_batch": kv_mb,
                }
            )
            log(
                f"    cap {cap} n {n:>3}: {m.cpu / total:.2f} CPU-s/sentence "
                f"({m.sys / m.cpu if m.cpu else 0:.0%} system), "
                f"{m.wall / total:.2f} s wall, other load {m.foreign_cores:.2f}"
            )
    return {**spec, "source_tokens": len(sentence), "profile": rows, "peak_rss_mb": peak_rss_mb()}


WORKERS = {
    "pipeline": worker_pipeline,
    "ceiling": worker_ceiling,
    "baseline": worker_baseline,
    "profile": worker_profile,
}


def worker_main(spec: dict) -> None:
    rec = WORKERS[spec["variant"]](spec)
    print(RESULT_MARK + json.dumps(rec), flush=True)


# ---------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------


def run_config(spec: dict, label: str) -> dict | None:
    env = dict(os.environ)
    if spec["variant"] == "baseline":
        env.update(
            ARGOS_INTER_THREADS=str(spec["inter"]),
            ARGOS_INTRA_THREADS=str(spec["intra"]),
            ARGOS_BEAM_SIZE=str(spec["beam"]),
            ARGOS_BATCH_SIZE=str(spec["batch"]),
        )
    log(f"  {label} ...")
    proc = subprocess.run(
        [sys.executable, "-m", MODULE, "--_worker", json.dumps(spec)],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            rec = json.loads(line[len(RESULT_MARK) :])
            rec["label"] = label
            return rec
    log(f"  {label}: FAILED (exit {proc.returncode})")
    return None


def merge_records(recs: list[dict], label: str) -> dict:
    """One record from the single-repetition records of one configuration."""
    rec = dict(recs[0])
    reps = [r for x in recs for r in x["reps"]]
    rec.update(
        label=label,
        **summarise(reps, rec["segments"], rec["inter"], rec["intra"]),
        peak_rss_mb=max(x["peak_rss_mb"] for x in recs),
        ru_maxrss_mb=max(x["ru_maxrss_mb"] for x in recs),
    )
    if "output_lengths" in rec:
        rec["output_lengths"] = sorted({n for x in recs for n in x["output_lengths"]})
    return rec


def layout_str(inter: int, intra: int) -> str:
    return f"{inter}x{intra if intra else '0 (CT2 default)'}"


def parse_layout(text: str) -> tuple[int, int]:
    inter, intra = text.lower().split("x")
    return int(inter), int(intra)


def fmt_table(rows: list[dict]) -> str:
    head = (
        "variant",
        "layout",
        "batch",
        "segs",
        "reps",
        "median s",
        "seg/s",
        "cpu s/seg",
        "util",
        "other load",
        "peak RSS MB",
    )
    return markdown_table(
        head,
        [
            (
                r["label"],
                layout_str(r["inter"], r["intra"]),
                str(r["batch"]),
                str(r["segments"]),
                str(len(r["reps"])),
                f"{r['seconds']:.1f}",
                f"{r['seg_per_s']:.3f}",
                f"{r['cpu_s_per_seg']:.2f}",
                f"{r['utilization']:.2f}" if r.get("utilization") else "-",
                f"{r['foreign_cores']:.2f}",
                f"{r['peak_rss_mb']:.0f}",
            )
            for r in rows
        ],
    )


def versions() -> dict:
    """CTranslate2's and argostranslate's versions (the machine's are in machine_info)."""
    from importlib.metadata import PackageNotFoundError, version

    import ctranslate2

    argos = "?"
    for dist in ("argostranslate", "argos-translate-lt"):
        try:
            argos = version(dist)
            break
        except PackageNotFoundError:
            continue
    return {"ctranslate2": ctranslate2.__version__, "argostranslate": argos}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--seed-document", type=Path, default=SEED_DOCUMENT, help="source document (default: %(default)s)")
    p.add_argument("--threads", type=int, default=None, help="total CPU threads for every variant (default: all cores)")
    p.add_argument("--beam-size", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=1024, help="tokens per CTranslate2 batch (pipeline and ceiling)")
    p.add_argument("--max-decoding-length", type=int, default=256, help="decoding cap for every variant")
    p.add_argument("--repeat", type=int, default=3, help="repetitions per configuration; the median is reported")
    p.add_argument("--baseline-segments", type=int, default=20, help="segments for the per-segment baseline")
    p.add_argument(
        "--baseline-layouts",
        default="1x2,2x1",
        help="argostranslate layouts (inter x intra) probed on --baseline-probe-segments besides its "
        "default (1x0: 0 = CTranslate2's default of 4 threads); the fastest is measured too, as "
        "'baseline, tuned layout' (default: %(default)s)",
    )
    p.add_argument("--baseline-probe-segments", type=int, default=4)
    p.add_argument("--ceiling-layouts", default=None, help="raw CTranslate2 layouts (default: 2x1,1x2 for 2 threads)")
    p.add_argument("--sweep", action="store_true", help="also time the pipeline at other layouts and batch sizes")
    p.add_argument("--skip", default="", help="comma-separated variants not to run: baseline, pipeline, ceiling")
    p.add_argument("--sweep-batch-sizes", default="512,2048,4096")
    p.add_argument(
        "--cache-positions",
        type=int,
        default=None,
        help="decoder positions per batch for the pipeline and the tuned ceiling (default: the engine's)",
    )
    p.add_argument(
        "--sweep-cache-positions", default="", help="with --sweep: also time the pipeline at these position bounds"
    )
    p.add_argument("--sweep-repeat", type=int, default=1)
    p.add_argument(
        "--ceilings",
        default="tuned",
        help="raw CTranslate2 variants: tuned (the engine's allocator settings and position bound), "
        "default (glibc defaults, --batch-size tokens) (default: %(default)s)",
    )
    p.add_argument(
        "--scale",
        type=int,
        default=0,
        help="scale mode: a catalog SCALE x the seed; pipeline and ceiling only, at 1x and SCALEx",
    )
    p.add_argument(
        "--profile-batches",
        action="store_true",
        help="only measure CPU time per sentence against sentences per batch (1 worker x 1 thread)",
    )
    p.add_argument("--profile-sizes", default="1,2,4,8,16,32")
    p.add_argument(
        "--profile-caps",
        default=None,
        help="decoding caps for --profile-batches (default: --max-decoding-length and 64)",
    )
    p.add_argument("--profile-sentences", type=int, default=16, help="sentences decoded per size (at least one batch)")
    p.add_argument(
        "--profile-allocator",
        choices=("tuned", "default"),
        default="tuned",
        help="glibc allocator settings for --profile-batches (default: the engine's, 'tuned')",
    )
    p.add_argument("--segments", type=int, default=0, help="use only the first N segments of the seed (quick trials)")
    p.add_argument(
        "--quick", action="store_true", help="one repetition, ceiling 2x1 only, 10 baseline segments, no probing"
    )
    p.add_argument(
        "--quiet-wait", type=float, default=60, help="max seconds to wait for an idle machine before each repetition"
    )
    p.add_argument("--quantization", default="int8")
    p.add_argument("--model-seed", type=int, default=1234)
    p.add_argument("--json", type=Path, default=None, help="also write all results as JSON to this file")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    p.add_argument("--_worker", help=argparse.SUPPRESS)
    return p


# ---------------------------------------------------------------------------
# The run (parent process), step by step
# ---------------------------------------------------------------------------


class Bench:
    """One benchmark run: its settings, the configurations it measures and
    the merged rows of their results."""

    def __init__(self, args, setup: Setup, code: Path, threads: int):
        self.args, self.setup, self.threads = args, setup, threads
        self.skip = {x.strip() for x in args.skip.split(",") if x.strip()}
        self.common = {
            "package": str(setup.package),
            "beam": args.beam_size,
            "cap": args.max_decoding_length,
            "quiet_wait": args.quiet_wait,
            "code": str(code),
            "cache_positions": args.cache_positions,
        }
        self.rows: list[dict] = []

    def config(self, variant, inter, intra, batch, factor=1, repeat=None, label=None, **extra) -> dict:
        label = label or f"{variant}{'' if factor == 1 else f' x{factor}'}"
        spec = {
            **self.common,
            "variant": variant,
            "inter": inter,
            "intra": intra,
            "batch": batch,
            "workspace": self.setup.workspaces[factor],
            "factor": factor,
            "repeat": 1,
            **extra,
        }
        return {"spec": spec, "label": label, "repeat": repeat or self.args.repeat}

    def execute(self, configs: list[dict]) -> list[dict | None]:
        """Repetitions round-robin over ``configs`` (each in a fresh
        subprocess), so that load from other processes falls on all of
        them alike; then one merged record per configuration."""
        got: list[list[dict]] = [[] for _ in configs]
        for r in range(max(c["repeat"] for c in configs)):
            for c, recs in zip(configs, got, strict=True):
                if r < c["repeat"]:
                    spec = c["spec"]
                    layout = layout_str(spec["inter"], spec["intra"])
                    name = f"{c['label']} [{layout}, batch {spec['batch']}] rep {r + 1}/{c['repeat']}"
                    rec = run_config(spec, name)
                    if rec:
                        recs.append(rec)
                        if self.args.json:  # every repetition as it comes: a killed run keeps its data
                            with open(self.args.json.with_suffix(".reps.jsonl"), "a", encoding="utf-8") as f:
                                f.write(json.dumps({**rec, "label": c["label"], "round": r + 1}) + "\n")
        merged = []
        for c, recs in zip(configs, got, strict=True):
            rec = merge_records(recs, c["label"]) if recs else None
            if rec:
                self.rows.append(rec)
            merged.append(rec)
        return merged


def profile_batches(bench: Bench, results: dict) -> None:
    """``--profile-batches``: CPU time per sentence against sentences per batch."""
    args = bench.args
    caps = [int(x) for x in (args.profile_caps or f"{args.max_decoding_length},64").split(",")]
    spec = {
        **bench.common,
        "variant": "profile",
        "inter": 1,
        "intra": 1,
        "batch": 0,
        "workspace": bench.setup.workspaces[1],
        "profile_sizes": [int(x) for x in args.profile_sizes.split(",")],
        "profile_caps": caps,
        "profile_sentences": args.profile_sentences,
        "allocator": args.profile_allocator,
    }
    rec = run_config(spec, f"batch profile [1x1, allocator {args.profile_allocator}]")
    if not rec:
        return
    results["profile"] = rec["profile"]
    print(
        f"\nCost per sentence against sentences per batch: 1 worker x 1 thread, beam {args.beam_size}, "
        f"the median-length segment ({rec['source_tokens']} tokens) repeated; cache = decoder K/V per batch"
    )
    head = (
        "cap",
        "sentences/batch",
        "CPU s/sentence",
        "system share",
        "wall s/sentence",
        "other load",
        "K/V cache MB/batch",
    )
    print(
        markdown_table(
            head,
            [
                (
                    str(r["cap"]),
                    str(r["sentences_per_batch"]),
                    f"{r['cpu_s_per_sentence']:.2f}",
                    f"{r.get('sys_share', 0):.0%}",
                    f"{r['wall_s_per_sentence']:.2f}",
                    f"{r['foreign_cores']:.2f}",
                    f"{r['cache_mb_per_batch']:.0f}",
                )
                for r in rec["profile"]
            ],
            left=0,
        )
    )


def scale_runs(bench: Bench) -> None:
    """``--scale K``: the pipeline and the tuned ceiling at 1x and Kx the seed."""
    args = bench.args
    ceil_inter, ceil_intra = parse_layout(args.ceiling_layouts or f"{bench.threads}x1")
    configs = []
    for factor in (1, args.scale):
        configs.append(bench.config("pipeline", bench.threads, 1, args.batch_size, factor))
        configs.append(bench.config("ceiling", ceil_inter, ceil_intra, args.batch_size, factor, ceiling="tuned"))
    bench.execute([c for c in configs if c["spec"]["variant"] not in bench.skip])


def probe_baseline_layout(bench: Bench) -> tuple[int, int] | None:
    """argostranslate at its default layout (1 worker x CTranslate2's default
    threads) and at ``--baseline-layouts``, on a few segments: the fastest,
    when it is not the default."""
    args = bench.args
    layouts = [parse_layout(x) for x in args.baseline_layouts.split(",") if x]
    if not layouts or "baseline" in bench.skip:
        return None
    probes = bench.execute(
        [
            bench.config(
                "baseline",
                inter,
                intra,
                32,
                repeat=1,
                label="baseline probe",
                baseline_segments=args.baseline_probe_segments,
            )
            for inter, intra in [(1, 0), *layouts]
        ]
    )
    probes = [r for r in probes if r]
    if probes:
        top = max(probes, key=lambda r: r["seg_per_s"])
        if (top["inter"], top["intra"]) != (1, 0):
            return top["inter"], top["intra"]
    return None


def comparison_configs(bench: Bench, tuned_layout: tuple[int, int] | None, ceiling_layouts: str) -> list[dict]:
    """The default comparison (baseline, pipeline, ceilings), less ``--skip``,
    plus the ``--sweep`` configurations."""
    args, threads = bench.args, bench.threads
    configs = [
        bench.config("baseline", 1, 0, 32, baseline_segments=args.baseline_segments),
        bench.config("pipeline", threads, 1, args.batch_size),  # 1. the stage as shipped
    ]
    if tuned_layout:
        configs.append(
            bench.config(
                "baseline", *tuned_layout, 32, label="baseline, tuned layout", baseline_segments=args.baseline_segments
            )
        )
    configs += [
        bench.config("ceiling", *parse_layout(x), args.batch_size, label=f"ceiling ({kind})", ceiling=kind)
        for kind in args.ceilings.split(",")
        for x in ceiling_layouts.split(",")
    ]
    configs = [c for c in configs if c["spec"]["variant"] not in bench.skip]
    if args.sweep:
        if threads > 1:
            configs.append(
                bench.config("pipeline", 1, threads, args.batch_size, repeat=args.sweep_repeat, label="pipeline sweep")
            )
        for bs in (int(x) for x in args.sweep_batch_sizes.split(",") if x):
            if bs != args.batch_size:
                configs.append(
                    bench.config("pipeline", threads, 1, bs, repeat=args.sweep_repeat, label="pipeline sweep")
                )
        for cp in (int(x) for x in args.sweep_cache_positions.split(",") if x):
            configs.append(
                bench.config(
                    "pipeline",
                    threads,
                    1,
                    args.batch_size,
                    repeat=args.sweep_repeat,
                    label=f"pipeline sweep, {cp} positions",
                    cache_positions=cp,
                )
            )
    return configs


def compare(merged: list[dict], results: dict) -> None:
    """The pipeline against the baselines and the best ceiling, into ``results``."""
    by_label = {r["label"]: r for r in merged}
    pipeline_rec = by_label.get("pipeline")
    for key, label in (("", "baseline"), ("_tuned", "baseline, tuned layout")):
        if label in by_label and pipeline_rec:
            results[f"speedup_vs_baseline{key}"] = pipeline_rec["seg_per_s"] / by_label[label]["seg_per_s"]
            results[f"cpu_speedup_vs_baseline{key}"] = by_label[label]["cpu_s_per_seg"] / pipeline_rec["cpu_s_per_seg"]
    ceilings = [r for r in merged if r["variant"] == "ceiling"]
    if ceilings and pipeline_rec:
        best_ceiling = max(ceilings, key=lambda r: r["seg_per_s"])
        results["best_ceiling"] = f"{best_ceiling['label']} {layout_str(best_ceiling['inter'], best_ceiling['intra'])}"
        results["time_vs_ceiling"] = pipeline_rec["seconds"] / best_ceiling["seconds"]
        results["cpu_vs_ceiling"] = pipeline_rec["cpu_s_per_seg"] / best_ceiling["cpu_s_per_seg"]


def comparison_runs(bench: Bench, results: dict, ceiling_layouts: str) -> None:
    """The default comparison: baseline (and its tuned layout), pipeline, ceilings."""
    tuned_layout = probe_baseline_layout(bench)
    merged = [r for r in bench.execute(comparison_configs(bench, tuned_layout, ceiling_layouts)) if r]
    compare(merged, results)


def report_rows(rows: list[dict]) -> None:
    """What each variant sent to CTranslate2, under the table."""
    for r in rows:
        if r["variant"] == "baseline" and r["label"] != "baseline probe":
            print(
                f"{r['label']}: argostranslate settings {r['argos_settings']}; translate_batch got "
                f"max_decoding_length={r['max_decoding_length_passed']} (so CTranslate2's default applies), "
                f"beam_size={r['beam_passed']}; {r['sentences_per_call']} sentence(s) per call; "
                f"output lengths {r['output_lengths']}"
            )
        if r["variant"] == "ceiling":
            print(
                f"{r['label']} {layout_str(r['inter'], r['intra'])}: output lengths {r['output_lengths']}; "
                f"model load {r['load_s']:.2f}s, RSS after load {r['rss_after_load_mb']:.0f} MB; "
                f"{r['plan']['batches']} CT2 batches, largest {r['plan']['max_sentences_per_batch']} sentences; "
                f"largest K/V cache of one batch ~{r['plan'].get('max_cache_mb', 0):.0f} MB"
            )
        if r["variant"] == "pipeline":
            if r.get("factor", 1) != 1:
                print(f"{r['label']}: {r['segments']} segments, {r['plan']['source_tokens']} source tokens")
            plan = r["plan"]
            print(
                f"{r['label']} {layout_str(r['inter'], r['intra'])} batch {r['batch']}: "
                f"{plan['batches']} CT2 batches, largest {plan['max_sentences_per_batch']} sentences; "
                f"modelled worker idle share {plan['idle_share']:.0%}; "
                f"largest K/V cache of one batch ~{plan.get('max_cache_mb', 0):.0f} MB"
            )


def report_targets(results: dict) -> None:
    """The ratios against the targets (>= 5x the baseline, <= 1.15 the ceiling's time)."""
    if "speedup_vs_baseline" in results:
        s = results["speedup_vs_baseline"]
        print(
            f"\npipeline vs per-segment baseline (argostranslate's defaults): {s:.2f}x the segments/s "
            f"(target >= 5x: {'met' if s >= 5 else 'MISSED'}); "
            f"{results['cpu_speedup_vs_baseline']:.2f}x less CPU time per segment"
        )
    if "speedup_vs_baseline_tuned" in results:
        print(
            "pipeline vs per-segment baseline at its fastest layout: "
            f"{results['speedup_vs_baseline_tuned']:.2f}x the segments/s; "
            f"{results['cpu_speedup_vs_baseline_tuned']:.2f}x less CPU time per segment"
        )
    if "time_vs_ceiling" in results:
        c = results["time_vs_ceiling"]
        print(
            f"pipeline time / raw CTranslate2 ceiling time ({results['best_ceiling']}): {c:.2f} "
            f"(target <= 1.15: {'met' if c <= 1.15 else 'MISSED'}); CPU time per segment "
            f"{results['cpu_vs_ceiling']:.2f}x the ceiling's"
        )


def report_scale(rows: list[dict], scale: int) -> None:
    """Throughput and peak memory at 1x and ``scale``x, per variant."""
    for variant in ("pipeline", "ceiling"):
        recs = {r["factor"]: r for r in rows if r["variant"] == variant}
        if 1 in recs and scale in recs:
            a, b = recs[1], recs[scale]
            print(
                f"{variant}: 1x {a['segments']} segs {a['seg_per_s']:.3f} seg/s peak {a['peak_rss_mb']:.0f} MB; "
                f"{scale}x {b['segments']} segs {b['seg_per_s']:.3f} seg/s peak {b['peak_rss_mb']:.0f} MB"
            )
            for r in (a, b):
                if r["reps"] and "rss_peak_first_half_mb" in r["reps"][0]:
                    h = r["reps"][0]
                    print(
                        f"  {r['label']}: peak RSS {h['rss_peak_first_half_mb']:.0f} MB in the first half of the run, "
                        f"{h['rss_peak_second_half_mb']:.0f} MB in the second"
                    )


def report(args, threads: int, setup: Setup, results: dict) -> None:
    """The whole report, on stdout."""
    info, rows = results["machine"], results["rows"]
    print()
    print(
        f"machine: {info['cores']} CPUs ({info['cpu']}), {info['ram_gb']} GB RAM, Python {info['python']}, "
        f"CTranslate2 {info['ctranslate2']}, argostranslate {info['argostranslate']}"
    )
    print(
        f"model: random Transformer-base {args.quantization}; beam {args.beam_size}; "
        f"max_decoding_length {args.max_decoding_length} for every variant; {threads} threads in total"
    )
    print(f"seed: {setup.doc} ({setup.workspaces[1]['n']} segments); code: {json.dumps(results['code'])}")
    if rows:
        print()
        print(fmt_table(rows))
        print()
        print(
            "util = own CPU time / (wall time x threads); "
            "other load = CPU cores used by other processes during the run."
        )
    report_rows(rows)
    report_targets(results)
    if args.scale and args.scale > 1:
        report_scale(rows, args.scale)
    print(f"\ntotal benchmark time {results['elapsed_s'] / 60:.1f} min")


def run_benchmark(args) -> int:
    """Set up (isolated home, code snapshot, model, seed catalog), measure
    what the options ask for, report, and clean up."""
    threads = args.threads or len(os.sched_getaffinity(0))
    if args.quick:
        args.repeat = 1
        args.baseline_segments = min(args.baseline_segments, 10)
        args.baseline_layouts = ""
    ceiling_layouts = args.ceiling_layouts or (
        f"{threads}x1" if args.quick else ",".join(sorted({f"{threads}x1", f"1x{threads}"}, reverse=True))
    )

    started = time.time()
    root = Path(tempfile.mkdtemp(prefix="bench-translate-"))
    isolate(root)
    try:
        code = snapshot_code(root)
        setup = Setup(root, args)
        info = {**machine_info(), **versions()}
        log(f"machine: {info}")
        results: dict = {
            "machine": info,
            "code": code_identity(code),
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "_worker"},
        }
        bench = Bench(args, setup, code, threads)
        if args.profile_batches:
            profile_batches(bench, results)
        elif args.scale and args.scale > 1:
            scale_runs(bench)
        else:
            comparison_runs(bench, results, ceiling_layouts)
        results["rows"] = bench.rows
        results["elapsed_s"] = time.time() - started
        report(args, threads, setup, results)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            log(f"wrote {args.json}")
    finally:
        if args.keep:
            log(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args._worker:
        spec = json.loads(args._worker)
        sys.path.insert(0, spec["code"])  # the parent's snapshot of pipeline/
        worker_main(spec)  # environment already isolated by the parent
        return 0
    return run_benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
