"""The ``ct2`` engine: any CTranslate2 translation model directory.

Two layouts, as ``ct2-transformers-converter`` writes them (with
``--copy_files`` for the tokenizer files):

- **OPUS-MT (Marian)**: ``model.bin``, ``config.json``, ``source.spm`` and
  ``target.spm``, and a shared vocabulary (``shared_vocabulary.json``) or
  split ones (``source_vocabulary.json``, ``target_vocabulary.json``). The
  source is its pieces followed by ``</s>``; the decoder starts from the
  model's own start token.
- **NLLB / M2M100**: ``model.bin``, ``config.json``, one SentencePiece
  model (``sentencepiece.bpe.model``) and the shared vocabulary. The source
  is the source-language token, its pieces and ``</s>``; the decoder
  starts from the target-language token (the target prefix). The tokens
  are found in the vocabulary (NLLB: ``zho_Hans`` → ``eng_Latn``; M2M100:
  ``__zh__`` → ``__en__``) or given in ``pipeline.toml``
  (``engine.ct2.source_token``, ``engine.ct2.target_prefix``).

The directory is inspected before CTranslate2 loads it
(:func:`inspect_model`): every file read must be a regular file (a link to
one is fine: the Hugging Face cache is made of links), the layout must be
one of the two, and the source tokenizer must know Chinese in the model's
vocabulary (a test sentence, as for Argos packages). Anything else is one
line naming the directory and what is wrong.

Decoding (batches, allocator, position bound, placeholders, devices) is the
one the Argos engine uses: :class:`.ctranslate.CTranslate2Engine`.

NLLB's weights are licensed CC-BY-NC-4.0 (non-commercial); loading one says
so in one line on stderr.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError
from ..textsafety import printable, refuse_unsafe
from .ctranslate import (
    PROBE,
    PROJECTION,
    SOURCE_EMBEDDINGS,
    TARGET_EMBEDDINGS,
    CTranslate2Engine,
    SentencePieceTokenizer,
    first_of,
    probe_coverage,
    probe_line,
    variable_rows,
)
from .settings import DecodingSettings

log = logging.getLogger(__name__)

NAME = "ct2"

#: Files a model directory's parts may be read from, and the most each may
#: hold (a config or a tokenizer of gigabytes is not one).
MAX_SMALL_FILE = 64 << 20
MARIAN_SPM = ("source.spm", "target.spm")
#: The single SentencePiece model of NLLB/M2M100, under the names the
#: Hugging Face repositories (and a --copy_files conversion) give it.
SINGLE_SPM = ("sentencepiece.bpe.model", "sentencepiece.model", "spm.model")
#: Source- and target-language tokens, in the order they are looked for.
LANGUAGE_TOKENS = (("zho_Hans", "eng_Latn"), ("__zh__", "__en__"))
NLLB_LICENCE = "ct2: {model} is an NLLB model; NLLB's weights are licensed CC-BY-NC-4.0: non-commercial use only"


@dataclass(frozen=True)
class ModelLayout:
    """What :func:`inspect_model` found in a model directory."""

    path: Path  # resolved
    kind: str  # "marian" or "nllb" (NLLB or M2M100)
    source_spm: Path
    target_spm: Path
    source_token: str | None
    target_prefix: str | None
    append_eos: bool  # the source ends with </s> (unless the model's config adds it itself)
    nllb: bool  # the NLLB licence applies

    @property
    def label(self) -> str:
        return {"marian": "OPUS-MT/Marian", "nllb": "NLLB" if self.nllb else "M2M100"}[self.kind]


def _regular(path: Path, what: str, where: Path, limit: int | None = MAX_SMALL_FILE) -> Path:
    """``path`` if it is (or links to) a regular file of at most ``limit``
    bytes; a FIFO or a device would hang or never end a read."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ModelError(f"{where}: {what} {path.name} is missing") from None
    except OSError as exc:
        raise ModelError(f"{where}: {what} {path.name} cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ModelError(f"{where}: {what} {path.name} is not a regular file")
    if limit is not None and info.st_size > limit:
        raise ModelError(f"{where}: {what} {path.name} is {info.st_size} bytes, more than such a file holds")
    return path


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _read_json(path: Path, where: Path):
    try:
        return json.loads(_regular(path, "file", where).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ModelError(f"{where}: {path.name} is not valid JSON ({type(exc).__name__})") from None


def _vocabulary(where: Path, side: str) -> list[str]:
    """The ``side`` ("source" or "target") vocabulary: its own file or the shared one."""
    for name in (f"{side}_vocabulary", "shared_vocabulary"):
        json_path, txt_path = where / f"{name}.json", where / f"{name}.txt"
        if _exists(json_path):
            tokens = _read_json(json_path, where)
            if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
                raise ModelError(f"{where}: {json_path.name} is not a list of tokens")
            return tokens
        if _exists(txt_path):
            try:
                return _regular(txt_path, "vocabulary", where).read_text(encoding="utf-8").splitlines()
            except UnicodeDecodeError:
                raise ModelError(f"{where}: {txt_path.name} is not UTF-8") from None
    raise ModelError(
        f"{where}: no {side} vocabulary (shared_vocabulary.json, or source_ and target_vocabulary.json): "
        "not a CTranslate2 translation model"
    )


def _language_tokens(vocabulary: set[str], source_token: str, target_prefix: str, where: Path) -> tuple[str, str]:
    if source_token and target_prefix:
        found = (source_token, target_prefix)
    else:
        pair = next(((s, t) for s, t in LANGUAGE_TOKENS if s in vocabulary and t in vocabulary), None)
        if pair is None:
            raise ModelError(
                f"{where}: one SentencePiece model but no Chinese and English language tokens in the vocabulary "
                f"({' / '.join(f'{s}, {t}' for s, t in LANGUAGE_TOKENS)}): not an NLLB/M2M100 model with Chinese; "
                "set engine.ct2.source_token and engine.ct2.target_prefix in pipeline.toml"
            )
        found = (source_token or pair[0], target_prefix or pair[1])
    for token in found:
        if token not in vocabulary:
            raise ModelError(f"{where}: the language token {printable(token, one_line=True)} is not in the vocabulary")
    return found


def inspect_model(path: Path | None, source_token: str = "", target_prefix: str = "") -> ModelLayout:
    """The layout of the CTranslate2 model directory at ``path``, or
    ModelError naming what is wrong. Reads the small files only (not
    ``model.bin``, which CTranslate2 checks as it loads)."""
    if path is None:
        raise ModelError("ct2: no model directory given (engine.ct2.model in pipeline.toml, or --model DIR)")
    if not _exists(path):
        raise ModelError(f"{path}: no such model directory")
    try:
        where = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # a link loop
        raise ModelError(f"{path}: the model directory cannot be resolved: {exc}") from None
    if not where.is_dir():
        raise ModelError(f"{path}: not a directory; a ct2 model is a directory holding model.bin")
    # The name goes into every draft's signature, in catalogs.
    refuse_unsafe(where.name, f"{where}: the model directory's name", name=True)
    _regular(where / "model.bin", "model file", where, limit=None)
    config = {}
    if _exists(where / "config.json"):
        config = _read_json(where / "config.json", where)
        if not isinstance(config, dict):
            raise ModelError(f"{where}: config.json is not a JSON object")
    source_vocabulary = set(_vocabulary(where, "source"))
    target_vocabulary = set(_vocabulary(where, "target"))
    marian = [name for name in MARIAN_SPM if _exists(where / name)]
    single = next((name for name in SINGLE_SPM if _exists(where / name)), None)
    if len(marian) == 1:
        missing = next(name for name in MARIAN_SPM if name not in marian)
        raise ModelError(f"{where}: {marian[0]} without {missing}: an OPUS-MT model needs both")
    if marian:
        kind = "marian"
        source_spm = _regular(where / "source.spm", "tokenizer", where)
        target_spm = _regular(where / "target.spm", "tokenizer", where)
        tokens = (source_token or None, target_prefix or None)
        for token, vocabulary in zip(tokens, (source_vocabulary, target_vocabulary), strict=True):
            if token and token not in vocabulary:
                raise ModelError(f"{where}: the token {printable(token, one_line=True)} is not in the vocabulary")
    elif single:
        kind = "nllb"
        source_spm = target_spm = _regular(where / single, "tokenizer", where)
        tokens = _language_tokens(source_vocabulary & target_vocabulary, source_token, target_prefix, where)
    else:
        raise ModelError(
            f"{where}: no SentencePiece model: expected source.spm and target.spm (OPUS-MT) or "
            "sentencepiece.bpe.model (NLLB/M2M100), copied in with ct2-transformers-converter --copy_files"
        )
    name_or_path = ""
    if _exists(where / "source_config.json"):  # written by recent converters
        source_config = _read_json(where / "source_config.json", where)
        if isinstance(source_config, dict):
            name_or_path = str(source_config.get("_name_or_path", ""))
    # NLLB's language tokens are FLORES-200 codes (eng_Latn); M2M100's are __en__.
    nllb = kind == "nllb" and ("eng_Latn" in target_vocabulary or "nllb" in (name_or_path + where.name).lower())
    return ModelLayout(
        where,
        kind,
        source_spm,
        target_spm,
        tokens[0],
        tokens[1],
        append_eos=not config.get("add_source_eos", False),
        nllb=nllb,
    )


def check_vocabulary_sizes(where: Path) -> None:
    """Refuse vocabulary files whose sizes differ from the model's
    embeddings (files from another model, or a conversion gone wrong):
    CTranslate2 would load them, and index past an embedding table on
    the first token that is not in it."""
    rows = variable_rows(where / "model.bin")
    if not rows:
        return
    for side, names in (("source", SOURCE_EMBEDDINGS), ("target", TARGET_EMBEDDINGS), ("target", PROJECTION)):
        expected = first_of(rows, names)
        size = len(_vocabulary(where, side))
        if expected is not None and expected != size:
            raise ModelError(
                f"{where}: the {side} vocabulary has {size} tokens but the model's {names[0]} has {expected} rows: "
                "the vocabulary files do not belong to this model.bin"
            )


def _load_sentencepiece(path: Path, where: Path):
    import sentencepiece as spm

    try:
        return spm.SentencePieceProcessor(model_file=str(path))
    except (RuntimeError, OSError) as exc:
        raise ModelError(f"{where}: {path.name} is not a SentencePiece model ({_first_line(exc)})") from None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def model_version(path: Path) -> str:
    """A short digest of the model's files (model.bin's size and first and
    last MiB, and every small file): a different model, a re-conversion or a
    new quantization is a different engine for the caches; reading
    gigabytes at every load is not needed for that."""
    digest = hashlib.sha256()
    for child in sorted(path.iterdir()):
        try:
            info = child.stat()
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        digest.update(f"{child.name}\0{info.st_size}\0".encode())
        with child.open("rb") as handle:
            if info.st_size <= 2 << 20:
                digest.update(handle.read())
            else:
                digest.update(handle.read(1 << 20))
                handle.seek(-(1 << 20), os.SEEK_END)
                digest.update(handle.read())
    return digest.hexdigest()[:12]


class CT2Engine(CTranslate2Engine):
    """Drafts from a CTranslate2 model directory (OPUS-MT or NLLB/M2M100)."""

    name = NAME
    #: Hugging Face's default for these models' beam search.
    length_penalty = 1.0

    def __init__(
        self,
        model: Path | str | None,
        settings: DecodingSettings | None = None,
        device: str = "auto",
        compute_type: str = "auto",
        source_token: str = "",
        target_prefix: str = "",
    ):
        super().__init__(settings, device, compute_type)
        self.model = None if model is None else Path(model)
        self.source_token_request = source_token
        self.target_prefix_request = target_prefix
        self.layout: ModelLayout | None = None
        self._version: str | None = None

    def _open(self) -> Path:
        layout = inspect_model(self.model, self.source_token_request, self.target_prefix_request)
        source = _load_sentencepiece(layout.source_spm, layout.path)
        target = (
            source if layout.target_spm == layout.source_spm else _load_sentencepiece(layout.target_spm, layout.path)
        )
        self._tokenizer = SentencePieceTokenizer(source, target)
        check_vocabulary_sizes(layout.path)
        vocabulary = set(_vocabulary(layout.path, "source"))
        covered, wanted = probe_coverage(self._tokenizer.encode, vocabulary, source)
        if covered < wanted:
            raise ModelError(
                f"{layout.path}: the source tokenizer does not know Chinese, or does not match the model's "
                f"vocabulary: not a zh→en model ({covered} characters of the test sentence {PROBE} recognised, "
                f"{wanted} needed)"
            )
        self.target_prefix = layout.target_prefix
        self.layout = layout
        return layout.path

    def _loaded(self) -> None:
        if self.layout.nllb:
            log.warning(NLLB_LICENCE.format(model=self.layout.path.name))

    def _frame(self, tokens: list[str]) -> list[str]:
        layout = self.layout
        head = [layout.source_token] if layout.source_token else []
        tail = ["</s>"] if layout.append_eos else []
        return head + tokens + tail

    def _identity(self) -> tuple[str, str]:
        if self._version is None:
            self._version = model_version(self.layout.path)
        return self.layout.path.name, self._version


def make_engine(request) -> CT2Engine:
    """The registry's factory (:data:`pipeline.engines.ENGINES`)."""
    configured = request.get("engine.ct2.model")
    if request.model:
        model = request.model_path()
    elif configured:
        model = request.path(configured)
    else:
        model = None
    return CT2Engine(
        model,
        request.settings,
        request.device,
        request.get("engine.compute_type"),
        request.get("engine.ct2.source_token"),
        request.get("engine.ct2.target_prefix"),
    )


def describe(request, probe: bool = False) -> list[str]:
    """``pipeline engines list``'s lines for ct2: the configured model
    directory, its layout, and whether it loads (always: loading a model
    directory contacts nothing)."""
    from ..errors import PipelineError

    if not (request.model or request.get("engine.ct2.model")):
        return ["not configured (engine.ct2.model in pipeline.toml, or --engine ct2 --model DIR)"]
    engine = make_engine(request)
    try:
        engine.load()
    except PipelineError as exc:
        return [printable(f"error: {exc}", one_line=True)]
    lines = [
        printable(f"model: {engine.layout.path} ({engine.layout.label}) loads: {engine.signature()}", one_line=True)
    ]
    if engine.layout.nllb:
        lines.append("licence: NLLB weights are CC-BY-NC-4.0, non-commercial use only")
    if probe:
        lines.append(probe_line(engine))
    return lines
