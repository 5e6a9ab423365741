"""What the CTranslate2 engines share: the device and compute type, the
translator, batches decoded asynchronously in the plan of :mod:`.batching`,
and protected placeholders put back by attention.

:class:`CTranslate2Engine` runs any CTranslate2 sequence-to-sequence model;
an engine says where its model is, how its text becomes tokens and back
(a :class:`Tokenizer`), how the source is framed (language token, ``</s>``)
and which target prefix the decoder starts from: the Argos engine
(:mod:`.argos`) for an installed Argos package, the ``ct2`` engine
(:mod:`.ct2`) for a converted OPUS-MT or NLLB/M2M100 model directory.

Devices: ``auto`` is CUDA when CTranslate2 sees a GPU, else the CPU;
``cuda`` without one is refused in one line before any model loads. On the
CPU, workers of one thread each with glibc's allocator kept from returning
memory at every step (:mod:`.allocator`); on CUDA, one worker per GPU,
float16 (``compute_type``) and batches planned for the GPU
(:meth:`.settings.DecodingSettings.for_device`). The processes of
``run --jobs N`` share the GPUs out round robin, each loading the model
on its own share only (:func:`.settings.gpu_share`).
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from ..engine_choices import COMPUTE_TYPES, DEVICES
from ..errors import ModelError, PipelineError
from .allocator import keep_freed_memory, release_free_memory
from .base import Draft, Engine, Signature
from .batching import plan_batches
from .settings import DecodingSettings

#: Batches submitted ahead, per worker, while the oldest is collected.
BATCHES_IN_FLIGHT = 2

#: ``auto`` on CUDA: float16, the nearest to float32 weights (``int8_float16``
#: is faster and smaller, and may be chosen with ``engine.compute_type``).
GPU_COMPUTE_TYPE = "float16"


class DeviceError(PipelineError):
    """A device or compute type this machine cannot run."""


def cuda_devices() -> int:
    """How many CUDA devices CTranslate2 can use (0 without a GPU or a CUDA build)."""
    import ctranslate2

    try:
        return ctranslate2.get_cuda_device_count()
    except (RuntimeError, OSError):  # a broken driver: no usable GPU
        return 0


def resolve_device(requested: str) -> tuple[str, int]:
    """``(device, number of devices)`` for ``auto``, ``cpu`` or ``cuda``;
    ``cuda`` without a GPU is a :class:`DeviceError`."""
    if requested not in DEVICES:
        raise DeviceError(f"unknown device '{requested}' (expected one of: {', '.join(DEVICES)})")
    if requested == "cpu":
        return "cpu", 1
    count = cuda_devices()
    if count:
        return "cuda", count
    if requested == "cuda":
        raise DeviceError(
            "--device cuda: CTranslate2 sees no CUDA device on this machine "
            "(no NVIDIA GPU, driver or CUDA runtime); use --device cpu or auto"
        )
    return "cpu", 1


def resolve_compute_type(requested: str, device: str) -> str:
    """The compute type to load the model with on ``device``; one this
    machine cannot run is a :class:`DeviceError`."""
    if requested not in COMPUTE_TYPES:
        raise DeviceError(f"unknown compute type '{requested}' (expected one of: {', '.join(COMPUTE_TYPES)})")
    if requested == "auto":
        return GPU_COMPUTE_TYPE if device == "cuda" else "default"
    if requested == "default":
        return requested
    import ctranslate2

    supported = ctranslate2.get_supported_compute_types(device)
    if requested not in supported:
        raise DeviceError(
            f"compute type {requested} is not supported on {device} here (supported: {', '.join(sorted(supported))})"
        )
    return requested


# --- The model file ---------------------------------------------------------------------------

#: The variables whose first dimension :func:`variable_rows` reports.
SOURCE_EMBEDDINGS = ("encoder/embeddings_0/weight", "encoder/embeddings/weight")
TARGET_EMBEDDINGS = ("decoder/embeddings/weight",)
PROJECTION = ("decoder/projection/weight",)
POSITIONS = ("decoder/position_encodings/encodings",)
_BINARY_VERSIONS = (5, 6)  # the layout read here (CTranslate2 3.x and 4.x)


def variable_rows(model_bin: Path) -> dict[str, int] | None:
    """The first dimension of each variable in a CTranslate2 ``model.bin``
    (aliases resolved), read from its headers without loading the weights;
    None when the file is of another binary version or cannot be walked
    (CTranslate2 itself then says what is wrong as it loads)."""
    import struct

    rows: dict[str, int] = {}
    try:
        with model_bin.open("rb") as f:
            size = model_bin.stat().st_size

            def read(fmt: str):
                data = f.read(struct.calcsize(fmt))
                if len(data) != struct.calcsize(fmt):
                    raise EOFError
                return struct.unpack("<" + fmt, data)[0]

            def string() -> str:
                data = f.read(read("H"))
                return data[:-1].decode("utf-8")

            if read("I") not in _BINARY_VERSIONS:
                return None
            string()  # the spec's name
            read("I")  # its revision
            for _ in range(read("I")):
                name = string()
                dims = [read("I") for _ in range(read("B"))]
                read("B")  # dtype
                length = read("I")
                if f.tell() + length > size:
                    return None
                f.seek(length, 1)
                if dims:
                    rows[name] = dims[0]
            for _ in range(read("I")):
                alias, target = string(), string()
                if target in rows:
                    rows[alias] = rows[target]
    except (OSError, EOFError, UnicodeDecodeError, struct.error):
        return None
    return rows


def first_of(rows: dict[str, int], names: tuple[str, ...]) -> int | None:
    return next((rows[n] for n in names if n in rows), None)


# --- Tokens --------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def clean_decoded(text: str) -> str:
    """Decoded text as a draft holds it: byte-fallback pieces can decode to
    control characters, which no draft needs; whitespace collapsed."""
    return " ".join(_CONTROL.sub(" ", text).split())


class Tokenizer(Protocol):
    def encode(self, text: str) -> list[str]:
        """Source text → source pieces."""

    def encode_target(self, text: str) -> list[str]:
        """Target text → target pieces (a placeholder put back in the output)."""

    def decode(self, tokens: list[str]) -> str:
        """Target pieces → the draft's text."""


class SentencePieceTokenizer:
    """SentencePiece models for source and target (one model may be both)."""

    def __init__(self, source, target=None):
        self.source = source
        self.target = target or source

    def encode(self, text: str) -> list[str]:
        return self.source.encode(text, out_type=str)

    def encode_target(self, text: str) -> list[str]:
        return self.target.encode(text, out_type=str)

    def decode(self, tokens: list[str]) -> str:
        return clean_decoded(self.target.decode_pieces(tokens))


#: A sentence every zh→en tokenizer knows: common characters only.
PROBE = "国家统计局今天发布数据。"
#: Share of PROBE's characters the tokenizer must cover with pieces of the
#: model's vocabulary (not <unk>, not byte fallback).
MIN_PROBE_COVERAGE = 0.5


def probe_coverage(encode: Callable[[str], list[str]], vocabulary: set[str] | None, sp=None) -> tuple[int, int]:
    """``(covered, wanted)``: how many characters of :data:`PROBE` the
    tokenizer spells with pieces of the model's ``vocabulary`` (None: not
    stored, every piece counts), and how many it must. A tokenizer that does
    not know Chinese, or does not speak the model's vocabulary (a tokenizer
    from another model), covers few. ``sp``: the SentencePiece processor,
    which spells an unknown character as itself with the <unk> id."""
    tokens = encode(PROBE)
    unknown = {
        t
        for t in tokens
        if t == "<unk>" or t.startswith("<0x") or (sp is not None and sp.piece_to_id(t) == sp.unk_id())
    }
    known = [t for t in tokens if t not in unknown and (vocabulary is None or t in vocabulary)]
    covered = sum(len(_piece_text(t).strip()) for t in known)
    return covered, math.ceil(MIN_PROBE_COVERAGE * len(PROBE))


def probe_line(engine: Engine) -> str:
    """One line: whether ``engine`` loads and translates a sentence."""
    try:
        engine.translate([PROBE])
    except PipelineError as exc:
        return f"probe: fails: {exc}"
    return f"probe: loads and translates ({engine.signature()})"


# --- Placeholders ----------------------------------------------------------------------------

_BYTE_PIECE = re.compile(r"<0x([0-9A-Fa-f]{2})>")


def _piece_text(piece: str) -> str:
    """What a SentencePiece piece stands for, one character per byte-fallback
    piece (a stand-in for the bytes of a multi-byte character), so that
    positions in the text map back to pieces."""
    byte = _BYTE_PIECE.fullmatch(piece)
    if byte:
        value = int(byte.group(1), 16)
        return chr(value) if 0x20 <= value < 0x7F else "\ufffd"
    return piece.replace("\u2581", " ")


def _placeholders(tokens: list[str], pattern: re.Pattern) -> dict[str, tuple[str, list[int]]]:
    """Placeholder number → (its text, the indices of the tokens that spell it)."""
    text, owner = "", []
    for index, token in enumerate(tokens):
        piece = _piece_text(token)
        text += piece
        owner += [index] * len(piece)
    found: dict[str, tuple[str, list[int]]] = {}
    for match in pattern.finditer(text):
        indices = sorted({owner[i] for i in range(match.start(), match.end())})
        found.setdefault(match.group(1), (match.group(0).strip(), indices))
    return found


def place_missing_placeholders(
    source_tokens: list[str],
    output_tokens: list[str],
    attention: list[list[float]] | None,
    pattern: re.Pattern,
    encode: Callable[[str], list[str]],
) -> list[str]:
    """``output_tokens`` with every placeholder of the source that the decoder
    dropped put back, after the output word that attends most to it.

    Placeholders (``pattern``, group 1 their number) stand for protected
    terms (:mod:`pipeline.terms.protect`). ``attention`` is CTranslate2's
    target × source attention for this hypothesis, one row per output token.
    A placeholder goes after the output token whose attention to the
    placeholder's source tokens is highest, moved to the end of that word so
    that no word is split, spelled as ``encode`` spells it (valid pieces of
    the model's target vocabulary). Without attention, the tokens come back
    as they are."""
    if not attention:
        return output_tokens
    wanted = _placeholders(source_tokens, pattern)
    present = _placeholders(output_tokens, pattern)
    insertions: dict[int, list[str]] = {}
    for number, (spelling, columns) in wanted.items():
        if number in present:
            continue
        rows = attention[: len(output_tokens)]
        if rows:
            scores = [sum(row[c] for c in columns if c < len(row)) for row in rows]
            after = max(range(len(scores)), key=scores.__getitem__)
            while after + 1 < len(output_tokens) and not output_tokens[after + 1].startswith("\u2581"):
                after += 1
        else:
            after = -1
        insertions.setdefault(after, []).extend(encode(" " + spelling))
    out = list(insertions.get(-1, []))
    for index, token in enumerate(output_tokens):
        out.append(token)
        out.extend(insertions.get(index, []))
    return out


# --- The engine ------------------------------------------------------------------------------


class CTranslate2Engine(Engine):
    """A CTranslate2 translation model, decoded in the batches of
    :func:`.batching.plan_batches`.

    A subclass implements :meth:`_open` (find the model, load its
    tokenizer; return the model directory) and :meth:`_identity` (the
    model's name and version for the signature), and may frame the source
    (:meth:`_frame`) and set :attr:`target_prefix`.

    Once told the pattern of protected placeholders
    (:meth:`protect_placeholders`), batches that contain one are decoded
    with attention, and a placeholder the decoder dropped is put back by
    :func:`place_missing_placeholders`. Other batches decode without."""

    #: The signature's engine name.
    name = "ctranslate2"
    length_penalty: float = 1.0

    def __init__(self, settings: DecodingSettings | None = None, device: str = "auto", compute_type: str = "auto"):
        self.requested = settings or DecodingSettings()
        #: The settings as run on the device (known once loaded).
        self.settings = self.requested
        self.device_request = device
        self.compute_request = compute_type
        self.device = "cpu"
        self.compute_type = "default"
        self.placeholder_pattern: re.Pattern | None = None
        self.target_prefix: str | None = None
        #: The rows of the model's stored position table: the most tokens a
        #: source or an output may have (None: positions computed, no bound).
        self.max_positions: int | None = None
        self._translator = None
        self._tokenizer: Tokenizer | None = None

    # --- what a subclass provides

    def _open(self) -> Path:
        """Find the model and load its tokenizer (:attr:`_tokenizer`); the
        directory CTranslate2 loads. Raise ModelError when it cannot be used."""
        raise NotImplementedError

    def _identity(self) -> tuple[str, str]:
        """The model's name and version, for the signature."""
        raise NotImplementedError

    def _frame(self, tokens: list[str]) -> list[str]:
        """The source tokens as the model reads them (a language token, ``</s>``)."""
        return tokens

    def _loaded(self) -> None:
        """Called once the translator is loaded (a licence line, say)."""

    # --- shared

    def load(self) -> None:
        """Resolve the device, open the model and load it (once per engine)."""
        if self._translator is not None:
            return
        device, devices = resolve_device(self.device_request)
        compute_type = resolve_compute_type(self.compute_request, device)
        model_dir = self._open()
        rows = variable_rows(model_dir / "model.bin")
        self.max_positions = first_of(rows, POSITIONS) if rows else None
        import ctranslate2

        settings = self.requested.for_device(device, devices)
        if device == "cpu":
            keep_freed_memory()
            placement = {"device_index": 0, "inter_threads": settings.workers, "intra_threads": 1}
        else:  # one worker per GPU of this process's share (every GPU, unless run --jobs shares them out)
            placement = {"device_index": self.requested.gpus(devices), "inter_threads": 1}
        try:
            self._translator = ctranslate2.Translator(
                str(model_dir), device=device, compute_type=compute_type, **placement
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"cannot load the model at {model_dir}: {_one_line(exc)}") from None
        self.settings, self.device, self.compute_type = settings, device, compute_type
        self._loaded()

    def signature(self) -> Signature:
        self.load()
        import ctranslate2

        s = self.settings
        fields = [
            ("ctranslate2", ctranslate2.__version__),
            ("beam", str(s.beam_size)),
            ("max_len", s.cap_label),
            ("length_penalty", f"{self.length_penalty:g}"),
        ]
        # Only what differs from the CPU and the model's own weights, so that
        # drafts made as before keep the signature they had.
        if self.device != "cpu":
            fields.append(("device", self.device))
        if self.compute_type != "default":
            fields.append(("compute", self.compute_type))
        model, version = self._identity()
        return Signature(engine=self.name, model=model, version=version, settings=tuple(fields))

    def protect_placeholders(self, pattern: re.Pattern) -> bool:
        self.placeholder_pattern = pattern
        return True

    def translate_batches(self, segments: Sequence[str]) -> Iterator[tuple[list[int], list[Draft]]]:
        """Translate ``segments`` in the batches of :func:`.batching.plan_batches`.

        Batches are submitted to CTranslate2 asynchronously, a few ahead of
        the one being collected, so that a worker that finishes takes the next
        at once; at most :data:`BATCHES_IN_FLIGHT` per worker are queued, and
        only the ones being decoded hold a cache, so memory stays bounded by
        the model and one batch per worker."""
        self.load()
        signature = self.signature()
        tokenized = [self._frame(self._tokenizer.encode(text)) for text in segments]
        prefix = self.target_prefix
        pattern = self.placeholder_pattern
        in_flight: deque = deque()
        bound = {}
        if self.max_positions:  # a stored position table: longer sources are cut, outputs capped
            bound["max_input_length"] = self.max_positions
        for indices in plan_batches([len(t) for t in tokenized], self.settings):
            batch = [tokenized[i] for i in indices]
            protected = [bool(pattern and pattern.search(segments[i])) for i in indices]
            cap = self.settings.cap_for(max(len(t) for t in batch))
            if self.max_positions:
                cap = min(cap, self.max_positions - (1 if prefix else 0) - 1)
            futures = self._translator.translate_batch(
                batch,
                target_prefix=[[prefix]] * len(batch) if prefix else None,
                max_batch_size=0,  # already cut: one CTranslate2 batch
                asynchronous=True,
                beam_size=self.settings.beam_size,
                length_penalty=self.length_penalty,
                replace_unknowns=True,
                max_decoding_length=cap,
                # Attention costs time and memory; only placeholders need it.
                return_attention=any(protected),
                **bound,
            )
            in_flight.append((indices, batch, protected, futures))
            if len(in_flight) > BATCHES_IN_FLIGHT * self.settings.workers:
                yield self._collect(*in_flight.popleft(), prefix, signature)
        while in_flight:
            yield self._collect(*in_flight.popleft(), prefix, signature)

    def _collect(self, indices, batch, protected, futures, prefix, signature) -> tuple[list[int], list[Draft]]:
        """Wait for one batch's results and turn them into drafts."""
        pattern = self.placeholder_pattern
        drafts = []
        for source, has_placeholders, future in zip(batch, protected, futures, strict=True):
            result = future.result()
            tokens = result.hypotheses[0]
            if has_placeholders:
                # Rows of the attention include the target prefix, so place before stripping it.
                attention = result.attention[0] if result.attention else None
                tokens = place_missing_placeholders(source, tokens, attention, pattern, self._tokenizer.encode_target)
            if prefix and tokens and tokens[0] == prefix:
                tokens = tokens[1:]
            notes = ()
            if self.max_positions and len(source) > self.max_positions:
                notes = (
                    f"the source is {len(source)} tokens, more than the model's {self.max_positions} positions: "
                    "its end was not translated; split the sentence",
                )
            drafts.append(Draft(self._tokenizer.decode(tokens), signature, notes))
        if self.device == "cpu":
            release_free_memory()  # what this batch's cache left behind (see .allocator)
        return indices, drafts


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
