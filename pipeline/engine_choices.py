"""What the ``[engine]`` keys of ``pipeline.toml`` and the engine options
of the command line may name: the engines, the devices and the compute
types, defined once.

They live here, below both :mod:`pipeline.config`, which refuses a file
that names anything else as it reads it, and :mod:`pipeline.engines`,
which makes the engine a name stands for (engine ``x`` is the module
``pipeline/engines/x.py``) and runs it on a device. Data only: nothing
here imports an engine.
"""

from __future__ import annotations

#: Every engine, by the name ``--engine`` and ``engine.name`` take, with one
#: line of help; the registry (:data:`pipeline.engines.ENGINES`) makes
#: engine ``x`` with the module ``pipeline.engines.x``.
ENGINES: dict[str, str] = {
    "argos": "the installed zh→en Argos Translate package",
    "ct2": "a CTranslate2 model directory (OPUS-MT/Marian or NLLB/M2M100)",
    "openai": "an OpenAI-compatible chat-completions endpoint",
}

DEFAULT_ENGINE = "argos"

#: Where CTranslate2 engines run: ``auto`` is CUDA when there is a GPU.
DEVICES = ("auto", "cpu", "cuda")
#: CTranslate2 compute types; ``auto`` is the model's own weights on the
#: CPU and float16 on CUDA (:mod:`pipeline.engines.ctranslate`).
COMPUTE_TYPES = (
    "auto",
    "default",
    "float32",
    "float16",
    "bfloat16",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
)
