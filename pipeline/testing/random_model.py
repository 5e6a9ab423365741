"""A random-weight Argos Translate package, for testing an install and the pipeline.

**A random-weight test model: it does not translate.** Its output is a
well-formed but meaningless token sequence. Never use it to produce drafts
for anyone to read: the package's ``README.md`` says so, and its
``metadata.json`` carries ``"random_weights": true``.

Why it exists
-------------
Real zh→en weights cannot be had offline (in CI, in the development
environment, on a machine being set up), yet the *real* loading path should
still be exercised: a zip archive installed with ``pipeline models install``
(or argostranslate's ``install_from_path``), found again among the installed
packages, tokenized with the package's SentencePiece model and decoded by
``ctranslate2.Translator``. This module makes such a package from scratch,
without torch:

* a SentencePiece model trained in memory on a few lines of text
  (deterministic: one thread, fixed seed);
* a CTranslate2 Transformer built with :mod:`ctranslate2.specs`, every weight
  filled with seeded random numbers, then validated, optionally quantized and
  saved by CTranslate2's own converter machinery (no torch, no checkpoint);
* ``metadata.json`` and a ``README.md`` in the layout argostranslate expects.

Use the packages to test loading, tokenization, batching, caching, timeouts
and throughput (the test suite and ``benchmarks/`` do), or to smoke-test an
install without weights; never to judge quality.

Two shapes are predefined: :data:`TINY` (builds in well under a second, for
the test suite) and :data:`BASE` (Transformer-base with a 32k vocabulary, the
shape of Argos's published packages, for benchmarks; ~7 s and ~90 MB with
int8 on two cores).

Example::

    from pipeline.testing.random_model import BASE, build_random_argos_package
    path = build_random_argos_package(tmp_dir)                  # tiny, float32
    path = build_random_argos_package(tmp_dir, shape=BASE, quantization="int8")

or, from a shell (then ``pipeline models install PATH``)::

    python -m pipeline.testing.random_model DEST_DIR [--shape tiny|base]
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import pathlib
import tempfile
import zipfile
from collections.abc import Iterable

import numpy as np
import sentencepiece as spm

from ..languages import SOURCE, TARGET

__all__ = [
    "BASE",
    "DEFAULT_TRAINING_TEXT",
    "ModelShape",
    "CT2_LAYOUTS",
    "TINY",
    "build_random_argos_package",
    "build_random_ct2_model",
]


@dataclasses.dataclass(frozen=True)
class ModelShape:
    """Hyper-parameters of the random Transformer.

    Attributes:
        layers: number of encoder layers *and* of decoder layers.
        d_model: model (embedding) dimension.
        heads: attention heads; must divide ``d_model``.
        ffn: inner dimension of the feed-forward blocks.
        vocab_size: size of the CTranslate2 vocabulary (embedding rows and
            output-projection rows).  ``None`` means "exactly the pieces
            SentencePiece learned".  A larger value pads the vocabulary with
            synthetic tokens ``<extra_00000>``, ``<extra_00001>``, ... so the
            embedding and projection matrices have a realistic size.
    """

    layers: int
    d_model: int
    heads: int
    ffn: int
    vocab_size: int | None = None

    def __post_init__(self) -> None:
        for field in ("layers", "d_model", "heads", "ffn"):
            if getattr(self, field) < 1:
                raise ValueError(f"ModelShape.{field} must be >= 1")
        if self.d_model % self.heads:
            raise ValueError("ModelShape.d_model must be divisible by heads")
        if self.vocab_size is not None and self.vocab_size < 4:
            raise ValueError("ModelShape.vocab_size must be >= 4 or None")


#: ~0.1M parameters; builds and loads in well under a second.
TINY = ModelShape(layers=2, d_model=64, heads=4, ffn=128, vocab_size=None)

#: Transformer-base with a 32k vocabulary, the shape of Argos's published packages.
BASE = ModelShape(layers=6, d_model=512, heads=8, ffn=2048, vocab_size=32000)

#: Default SentencePiece training text: Chinese news-style sentences (with
#: full-width punctuation and digits) followed by English sentences.
DEFAULT_TRAINING_TEXT: tuple = (
    "国务院总理今天在北京主持召开国务院常务会议，研究部署稳就业工作。",
    "国家统计局17日发布数据显示，2023年国内生产总值超过126万亿元，比上年增长5.2%。",
    "外交部发言人表示：“中方愿同各方一道，推动构建人类命运共同体。”",
    "据新华社报道，第19届亚运会于2023年9月23日在杭州开幕。",
    "今年前三季度，全国规模以上工业增加值同比增长4.0%。",
    "中国人民银行决定，自下月起下调金融机构存款准备金率0.25个百分点。",
    "记者从交通运输部获悉，春运期间全国铁路预计发送旅客4.8亿人次。",
    "“科技创新是提高社会生产力和综合国力的战略支撑，”专家说。",
    "上海市气象台发布高温橙色预警，预计最高气温将达到38摄氏度。",
    "截至10月底，全国已建成5G基站321.5万个，覆盖所有地级市。",
    "教育部表示，2024年高校毕业生规模预计达到1179万人。",
    "农业农村部数据显示，今年夏粮总产量2923亿斤，再创历史新高。",
    "深圳证券交易所今日收盘，创业板指数上涨1.35%。",
    "中国载人航天工程办公室宣布，神舟十七号航天员乘组已顺利进驻空间站。",
    "世界卫生组织发布报告称，全球约有三分之一的人口缺乏足够的体育锻炼。",
    "联合国秘书长呼吁各国采取紧急行动，应对气候变化带来的挑战。",
    "广东省今年第一季度进出口总额达到1.92万亿元，同比增长10.5%。",
    "“这是一次历史性的会晤，”两国领导人在联合新闻发布会上说。",
    "文化和旅游部统计，国庆假期国内旅游出游8.26亿人次。",
    "长江流域部分地区出现强降雨，防汛部门启动四级应急响应。",
    "The State Council held an executive meeting in Beijing on Tuesday.",
    "Official data showed that GDP grew by 5.2 percent in 2023.",
    "The foreign ministry spokesperson said China was willing to work with all parties.",
    "The 19th Asian Games opened in Hangzhou on September 23, 2023.",
    "Industrial output rose 4.0 percent year on year in the first three quarters.",
    "The central bank will cut the reserve requirement ratio by 0.25 percentage points.",
    "Railways are expected to carry 480 million passengers during the travel rush.",
    "Experts say that scientific innovation supports productivity and national strength.",
    "The Shanghai weather bureau issued an orange alert for temperatures of 38 degrees.",
    "By the end of October, 3.215 million 5G base stations had been built.",
    "The number of college graduates is expected to reach 11.79 million next year.",
    "Summer grain production reached a record high of 146 million tonnes.",
    "The ChiNext index closed 1.35 percent higher in Shenzhen today.",
    "The Shenzhou-17 crew has entered the space station, the agency announced.",
    "A report from the World Health Organization says a third of adults are inactive.",
    "The Secretary-General urged countries to take urgent action on climate change.",
    "Guangdong's foreign trade reached 1.92 trillion yuan in the first quarter.",
    '"This is a historic meeting," the two leaders told a joint press conference.',
    "Domestic tourists made 826 million trips during the National Day holiday.",
    "Heavy rain hit parts of the Yangtze River basin and flood alerts were raised.",
)

_LANGUAGE_NAMES = {
    "zh": "Chinese",
    "zt": "Chinese (traditional)",
    "en": "English",
    "ja": "Japanese",
    "ko": "Korean",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "ru": "Russian",
}

# Upper bound handed to SentencePiece as a *soft* limit (hard_vocab_limit=False):
# the trainer keeps as many pieces as the text supports, up to this number.
_SP_SOFT_VOCAB_LIMIT = 8000
_EXTRA_TOKEN = "<extra_{:05d}>"
# Fixed timestamp so identical arguments produce byte-identical archives.
_ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)

_README = """\
# {name}: RANDOM-WEIGHT TEST MODEL -- OUTPUT IS MEANINGLESS

This Argos Translate package was generated by `pipeline/testing/random_model.py`.
Its CTranslate2 Transformer has **random weights** (seed {seed}); it has never
been trained and produces meaningless token sequences.  It exists only so
tests and benchmarks can exercise the real argostranslate + CTranslate2
loading and decoding path offline.  Do not use it to translate anything.

- Direction: {from_code} -> {to_code}
- Shape: {layers} encoder + {layers} decoder layers, d_model={d_model},
  heads={heads}, ffn={ffn}, vocabulary={vocab} tokens
  ({sp_vocab} SentencePiece pieces{padding_note})
- Weights: {weights}
- EOS logit bias: {eos_bias}
"""


def build_random_argos_package(
    dest_dir,
    *,
    shape: ModelShape = TINY,
    from_code: str = SOURCE.argos,
    to_code: str = TARGET.argos,
    training_text: Iterable[str] | None = None,
    quantization: str | None = None,
    seed: int = 1234,
    package_version: str = "0.1",
    name: str | None = None,
    eos_bias: float | None = None,
) -> pathlib.Path:
    """Build ``<dest_dir>/<name>.argosmodel`` and return its path.

    Args:
        dest_dir: directory for the archive (created if missing).  An existing
            archive of the same name is replaced atomically.
        shape: model dimensions, e.g. :data:`TINY` or :data:`BASE`.
        from_code, to_code: language codes written to ``metadata.json``.
        training_text: sentences for the SentencePiece model; defaults to
            :data:`DEFAULT_TRAINING_TEXT`.  Blank lines are ignored.
        quantization: ``None`` (float32 weights) or any CTranslate2
            quantization type such as ``"int8"``, applied by CTranslate2
            itself when the model is saved.  (The ``*bfloat16`` types need
            torch inside CTranslate2's converter and therefore fail here.)
        seed: seeds the weights and SentencePiece; identical arguments give a
            byte-identical archive and therefore identical translations.
        package_version: ``package_version`` in ``metadata.json``.
        name: package name, used for the archive file and its top-level
            directory; default ``translate-<from>_<to>-<version with _>``.
        eos_bias: if set, added to the ``</s>`` logit of the output
            projection (whose bias is zero elsewhere), making ``</s>``
            reachable.  Logits of the random model have a standard deviation
            of about 1, and the effect is threshold-like because it must beat
            the largest of the other logits (which grows with the vocabulary).
            Measured with the default seed and text: TINY stops after ~5-40
            tokens at 2.0 and after 1-4 at 2.5; BASE never stops at 3.0 and
            stops after 1-2 tokens at 3.5 (with the odd sentence running on).
            A large value (10+) stops every sentence after one token.
            ``None`` (default) keeps the model plainly random; it then
            practically never emits ``</s>`` and decoding runs to
            ``max_decoding_length``.

    Returns:
        Path of the written ``.argosmodel`` archive.
    """
    if name is None:
        name = f"translate-{from_code}_{to_code}-{package_version.replace('.', '_')}"
    if not name or name in (".", "..") or "/" in name or os.sep in name:
        raise ValueError(f"invalid package name {name!r}")
    from ctranslate2.specs.model_spec import ACCEPTED_MODEL_TYPES

    if quantization is not None and quantization not in ACCEPTED_MODEL_TYPES:
        raise ValueError(f"quantization must be None or one of {', '.join(ACCEPTED_MODEL_TYPES)}")
    dest_dir = pathlib.Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    lines = list(DEFAULT_TRAINING_TEXT if training_text is None else training_text)

    with tempfile.TemporaryDirectory(prefix="random-argos-") as tmp:
        package_dir = pathlib.Path(tmp) / name
        package_dir.mkdir()

        sp_model = _train_sentencepiece(lines, seed=seed)
        (package_dir / "sentencepiece.model").write_bytes(sp_model)
        pieces = _pieces(sp_model)
        vocabulary = _pad_vocabulary(pieces, shape.vocab_size)

        spec = _random_transformer_spec(shape, vocabulary, seed=seed, eos_bias=eos_bias)
        _spec_converter(spec).convert(str(package_dir / "model"), quantization=quantization)

        metadata = {
            "package_version": package_version,
            "argos_version": "1.0",
            "type": "translate",
            "code": f"translate-{from_code}_{to_code}",
            "from_code": from_code,
            "from_name": _LANGUAGE_NAMES.get(from_code, from_code),
            "to_code": to_code,
            "to_name": _LANGUAGE_NAMES.get(to_code, to_code),
            "links": [],
            # Not read by argostranslate; lets callers recognise test models.
            "random_weights": True,
        }
        (package_dir / "metadata.json").write_text(
            json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        padding = len(vocabulary) - len(pieces)
        (package_dir / "README.md").write_text(
            _README.format(
                name=name,
                seed=seed,
                from_code=from_code,
                to_code=to_code,
                layers=shape.layers,
                d_model=shape.d_model,
                heads=shape.heads,
                ffn=shape.ffn,
                vocab=len(vocabulary),
                sp_vocab=len(pieces),
                padding_note=f" + {padding} synthetic <extra_NNNNN> tokens" if padding else "",
                weights=quantization or "float32",
                eos_bias="none" if eos_bias is None else eos_bias,
            ),
            encoding="utf-8",
        )
        return _zip_atomically(package_dir, dest_dir / f"{name}.argosmodel")


#: What the ct2 layouts write: the Marian (OPUS-MT) and NLLB/M2M100 shapes
#: of ``ct2-transformers-converter``'s output directories.
CT2_LAYOUTS = ("marian", "nllb", "m2m100")

#: The language tokens of the multilingual layouts, and a few others so that
#: the engine has to pick the right ones.
_LANGUAGE_CODES = {
    "nllb": ("zho_Hans", "eng_Latn", "zho_Hant", "fra_Latn", "deu_Latn"),
    "m2m100": ("__zh__", "__en__", "__fr__", "__de__"),
}

_CT2_README = """\
# {name}: RANDOM-WEIGHT TEST MODEL -- OUTPUT IS MEANINGLESS

A CTranslate2 model directory in the {layout} layout of ct2-transformers-converter,
generated by `pipeline/testing/random_model.py` with random weights (seed {seed}).
It has never been trained; it exists only so tests and benchmarks can exercise
the real loading and decoding path of the `ct2` engine offline.
"""


def build_random_ct2_model(
    dest_dir,
    *,
    layout: str = "marian",
    shape: ModelShape = TINY,
    shared_vocabulary: bool = True,
    training_text: Iterable[str] | None = None,
    quantization: str | None = None,
    seed: int = 1234,
    name: str | None = None,
    eos_bias: float | None = None,
) -> pathlib.Path:
    """Build a CTranslate2 model directory ``<dest_dir>/<name>`` as
    ``ct2-transformers-converter --copy_files ...`` writes it, with random
    weights, and return its path. **Its output is meaningless.**

    ``layout``:

    - ``"marian"`` (OPUS-MT): ``source.spm`` trained on the Chinese lines of
      the text, ``target.spm`` on the English ones, post-norm Swish
      Transformer whose decoder starts from a zero embedding, 512 stored
      positions; ``shared_vocabulary`` True writes ``shared_vocabulary.json``
      (the union of both tokenizers' pieces), False ``source_vocabulary.json``
      and ``target_vocabulary.json``.
    - ``"nllb"`` / ``"m2m100"``: one ``sentencepiece.bpe.model`` for both
      languages and a shared vocabulary ending in language tokens
      (``zho_Hans``, ``eng_Latn``… or ``__zh__``, ``__en__``…), pre-norm
      ReLU Transformer, 1024 stored positions.

    The other arguments are those of :func:`build_random_argos_package`
    (``vocab_size`` in ``shape`` pads the target vocabulary, and the source
    one when shared)."""
    if layout not in CT2_LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(CT2_LAYOUTS)}")
    if name is None:
        name = f"random-{layout}-zh-en"
    if not name or name in (".", "..") or "/" in name or os.sep in name:
        raise ValueError(f"invalid model name {name!r}")
    from ctranslate2.specs.model_spec import ACCEPTED_MODEL_TYPES

    if quantization is not None and quantization not in ACCEPTED_MODEL_TYPES:
        raise ValueError(f"quantization must be None or one of {', '.join(ACCEPTED_MODEL_TYPES)}")
    lines = list(DEFAULT_TRAINING_TEXT if training_text is None else training_text)
    dest_dir = pathlib.Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / name
    if target.exists():
        raise FileExistsError(f"{target} exists")

    with tempfile.TemporaryDirectory(prefix="random-ct2-", dir=str(dest_dir)) as tmp:
        model_dir = pathlib.Path(tmp) / name
        files: dict[str, bytes] = {}  # written after the converter, which makes the directory afresh
        if layout == "marian":
            chinese = [line for line in lines if _has_han(line)]
            english = [line for line in lines if not _has_han(line)]
            source_model = _train_sentencepiece(chinese, seed=seed)
            target_model = _train_sentencepiece(english, seed=seed)
            files = {"source.spm": source_model, "target.spm": target_model}
            source_pieces, target_pieces = _pieces(source_model), _pieces(target_model)
            if shared_vocabulary:
                merged = source_pieces + [p for p in target_pieces if p not in set(source_pieces)]
                source_vocabulary = target_vocabulary = _pad_vocabulary(merged, shape.vocab_size)
            else:
                source_vocabulary = source_pieces
                target_vocabulary = _pad_vocabulary(target_pieces, shape.vocab_size)
            options = {"pre_norm": False, "activation": "swish", "positions": 512, "start_from_zero_embedding": True}
        else:
            sp_model = _train_sentencepiece(lines, seed=seed)
            files = {"sentencepiece.bpe.model": sp_model}
            # The Hugging Face order: fairseq's specials, the pieces, the language tokens, <mask>.
            specials = ["<s>", "<pad>", "</s>", "<unk>"]
            pieces = [p for p in _pieces(sp_model) if p not in specials]
            vocabulary = specials + pieces + list(_LANGUAGE_CODES[layout]) + ["<mask>"]
            source_vocabulary = target_vocabulary = _pad_vocabulary(vocabulary, shape.vocab_size)
            options = {"pre_norm": True, "activation": "relu", "positions": 1024}
        spec = _random_transformer_spec(
            shape,
            source_vocabulary,
            seed=seed,
            eos_bias=eos_bias,
            target_vocabulary=target_vocabulary,
            **options,
        )
        spec.config.decoder_start_token = "</s>"  # both converters start the decoder from </s>
        _spec_converter(spec).convert(str(model_dir), quantization=quantization)
        for file_name, data in files.items():
            (model_dir / file_name).write_bytes(data)
        (model_dir / "README.md").write_text(_CT2_README.format(name=name, layout=layout, seed=seed), encoding="utf-8")
        os.replace(model_dir, target)
    return target


def _has_han(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in text)


# --------------------------------------------------------------------------
# SentencePiece
# --------------------------------------------------------------------------


def _train_sentencepiece(lines: list[str], *, seed: int) -> bytes:
    sentences = [" ".join(line.split()) for line in lines]
    sentences = [s for s in sentences if s]
    if not sentences:
        raise ValueError("training_text contains no non-blank line")
    # Sampling-related randomness only; single-threaded training on this little
    # text is deterministic anyway.  (Note: the seed is process-global.)
    spm.set_random_generator_seed(seed)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=model,
        model_type="unigram",  # SentencePiece's (and Argos's) default
        vocab_size=_SP_SOFT_VOCAB_LIMIT,
        hard_vocab_limit=False,  # keep as many pieces as the text supports
        character_coverage=1.0,  # every Chinese character gets a piece
        byte_fallback=True,  # unseen characters become <0xNN> pieces, not <unk>
        num_threads=1,
        input_sentence_size=0,  # use every sentence, no sampling
        shuffle_input_sentence=False,
        minloglevel=2,
    )
    return model.getvalue()


def _pieces(sp_model: bytes) -> list[str]:
    processor = spm.SentencePieceProcessor(model_proto=sp_model)
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    # CTranslate2's config refers to these by name (unk/bos/eos tokens).
    for special in ("<unk>", "<s>", "</s>"):
        if special not in pieces:
            raise RuntimeError(f"SentencePiece model lacks {special}")
    return pieces


def _pad_vocabulary(pieces: list[str], vocab_size: int | None) -> list[str]:
    if vocab_size is None or vocab_size == len(pieces):
        return list(pieces)
    if vocab_size < len(pieces):
        raise ValueError(
            f"shape.vocab_size={vocab_size} is smaller than the {len(pieces)} pieces "
            "SentencePiece learned from the training text; use vocab_size=None or "
            "a larger value"
        )
    existing = set(pieces)
    extra = [_EXTRA_TOKEN.format(i) for i in range(vocab_size - len(pieces))]
    if existing.intersection(extra):
        raise RuntimeError("synthetic <extra_NNNNN> token collides with a piece")
    return list(pieces) + extra


# --------------------------------------------------------------------------
# CTranslate2 model
# --------------------------------------------------------------------------


def _spec_converter(spec):
    """Hands a ready-made spec to CTranslate2's converter (validation,
    variable aliasing, quantization, serialization). CTranslate2 is
    imported here, not at the top: it is slow to import."""
    from ctranslate2.converters import Converter

    class SpecConverter(Converter):
        def _load(self):
            return spec

    return SpecConverter()


class _RandomWeights:
    """Draws float32 arrays from a seeded generator, in call order."""

    def __init__(self, seed: int):
        self._rng = np.random.default_rng(seed)

    def normal(self, shape, std: float) -> np.ndarray:
        array = self._rng.standard_normal(shape, dtype=np.float32)
        array *= np.float32(std)
        return array

    def linear(self, spec, out_dim: int, in_dim: int) -> None:
        # Variance-preserving init: outputs have roughly unit variance.
        spec.weight = self.normal((out_dim, in_dim), in_dim**-0.5)
        spec.bias = np.zeros(out_dim, dtype=np.float32)

    @staticmethod
    def layer_norm(spec, dim: int) -> None:
        spec.gamma = np.ones(dim, dtype=np.float32)
        spec.beta = np.zeros(dim, dtype=np.float32)

    def embeddings(self, spec, vocab_size: int, dim: int) -> None:
        # scale_embeddings multiplies by sqrt(dim): unit-variance inputs.
        spec.weight = self.normal((vocab_size, dim), dim**-0.5)


def _random_transformer_spec(
    shape: ModelShape,
    vocabulary: list[str],
    *,
    seed: int,
    eos_bias: float | None,
    target_vocabulary: list[str] | None = None,
    pre_norm: bool = True,
    activation: str = "relu",
    positions: int | None = None,
    start_from_zero_embedding: bool = False,
):
    """A Transformer with random weights: a ``ctranslate2.specs.TransformerSpec``.

    By default pre-norm with sinusoidal positions and ReLU FFNs (the
    OpenNMT-py architecture Argos models use) and one vocabulary. The
    Marian and NLLB shapes (:func:`build_random_ct2_model`) set what their
    converters set: post-norm and Swish (Marian), a decoder that starts
    from a zero embedding (Marian), a stored table of ``positions``
    sinusoidal position encodings, a target vocabulary of its own."""
    from ctranslate2.specs import TransformerSpec, common_spec

    target_vocabulary = vocabulary if target_vocabulary is None else target_vocabulary
    d, ffn, vocab_size = shape.d_model, shape.ffn, len(vocabulary)
    target_size = len(target_vocabulary)
    spec = TransformerSpec.from_config(
        shape.layers,
        shape.heads,
        pre_norm=pre_norm,
        activation={"relu": common_spec.Activation.RELU, "swish": common_spec.Activation.SWISH}[activation],
    )
    w = _RandomWeights(seed)

    encoder = spec.encoder
    w.embeddings(encoder.embeddings[0], vocab_size, d)
    for layer in encoder.layer:
        attention = layer.self_attention
        w.layer_norm(attention.layer_norm, d)
        w.linear(attention.linear[0], 3 * d, d)  # fused query/key/value
        w.linear(attention.linear[1], d, d)  # output
        w.layer_norm(layer.ffn.layer_norm, d)
        w.linear(layer.ffn.linear_0, ffn, d)
        w.linear(layer.ffn.linear_1, d, ffn)
    if pre_norm:
        w.layer_norm(encoder.layer_norm, d)

    decoder = spec.decoder
    w.embeddings(decoder.embeddings, target_size, d)
    for layer in decoder.layer:
        attention = layer.self_attention
        w.layer_norm(attention.layer_norm, d)
        w.linear(attention.linear[0], 3 * d, d)  # fused query/key/value
        w.linear(attention.linear[1], d, d)  # output
        cross = layer.attention
        w.layer_norm(cross.layer_norm, d)
        w.linear(cross.linear[0], d, d)  # query
        w.linear(cross.linear[1], 2 * d, d)  # fused key/value (encoder side)
        w.linear(cross.linear[2], d, d)  # output
        w.layer_norm(layer.ffn.layer_norm, d)
        w.linear(layer.ffn.linear_0, ffn, d)
        w.linear(layer.ffn.linear_1, d, ffn)
    if pre_norm:
        w.layer_norm(decoder.layer_norm, d)
    w.linear(decoder.projection, target_size, d)
    if eos_bias is not None:
        decoder.projection.bias[target_vocabulary.index("</s>")] = np.float32(eos_bias)
    if positions is not None:
        table = _sinusoids(positions, d)
        encoder.position_encodings.encodings = table
        decoder.position_encodings.encodings = table.copy()
    decoder.start_from_zero_embedding = start_from_zero_embedding

    spec.config.layer_norm_epsilon = 1e-6
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(target_vocabulary)  # identical lists → shared_vocabulary.json
    return spec


def _sinusoids(positions: int, dim: int) -> np.ndarray:
    """The sinusoidal position table (sines, then cosines) as the Marian and
    M2M100 converters store it."""
    half = dim // 2
    rates = np.exp(-np.log(10000.0) * np.arange(half, dtype=np.float64) / max(1, half - 1))
    angles = np.arange(positions, dtype=np.float64)[:, None] * rates[None, :]
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1).astype(np.float32)


# --------------------------------------------------------------------------
# Archive
# --------------------------------------------------------------------------


def _zip_atomically(package_dir: pathlib.Path, target: pathlib.Path) -> pathlib.Path:
    """Zip ``package_dir`` (as the archive's single top-level directory) into
    ``target`` via a temporary ``.part`` file in the same directory."""
    fd, part = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=str(target.parent))
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            root = package_dir.parent
            paths = [package_dir] + sorted(package_dir.rglob("*"))
            for path in paths:
                arcname = path.relative_to(root).as_posix()
                if path.is_dir():
                    info = zipfile.ZipInfo(arcname + "/", _ZIP_DATE_TIME)
                    info.external_attr = (0o40755 << 16) | 0x10
                    archive.writestr(info, b"")
                else:
                    info = zipfile.ZipInfo(arcname, _ZIP_DATE_TIME)
                    info.external_attr = 0o100644 << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    with path.open("rb") as src, archive.open(info, "w") as dst:
                        while chunk := src.read(1 << 20):
                            dst.write(chunk)
        os.chmod(part, 0o644)  # mkstemp creates 0600
        os.replace(part, target)
    except BaseException:
        try:
            os.unlink(part)
        except FileNotFoundError:
            pass
        raise
    return target


def _main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] + " Its output is meaningless: never use it to translate."
    )
    parser.add_argument("dest_dir")
    parser.add_argument("--shape", choices=("tiny", "base"), default="tiny")
    parser.add_argument("--quantization", default=None)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--eos-bias", type=float, default=None)
    args = parser.parse_args(argv)
    path = build_random_argos_package(
        args.dest_dir,
        shape={"tiny": TINY, "base": BASE}[args.shape],
        quantization=args.quantization,
        seed=args.seed,
        eos_bias=args.eos_bias,
    )
    print(path)


if __name__ == "__main__":
    _main()
