"""The Argos Translate engine: an installed zh→en Argos package, run
through CTranslate2 over whole catalogs at once.

argostranslate's own ``translate()`` re-splits every input into sentences
(its MiniSBD splitter downloads a model at run time) and decodes a batch of
one. Here the package is found (:mod:`.argos_packages`) and its tokenizer
loaded through argostranslate's package API, and the segments, already
split by our segmenter, go to CTranslate2 sorted by length and batched by
tokens (:mod:`.batching`).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence

from ..errors import ModelError
from .allocator import keep_freed_memory, release_free_memory
from .argos_packages import SOURCE_CODE, TARGET_CODE, find_package
from .base import Draft, Engine, Signature
from .batching import plan_batches
from .settings import DecodingSettings

#: Batches submitted ahead, per worker, while the oldest is collected.
BATCHES_IN_FLIGHT = 2

#: Argos's own decoding settings, kept so drafts match what Argos users know.
LENGTH_PENALTY = 0.2


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class _Tokenizer:
    """The package's tokenizer; SentencePiece decoding done by SentencePiece
    itself (argostranslate's decode turns every ``_`` into a space)."""

    def __init__(self, pkg):
        self.tokenizer = pkg.tokenizer
        self.sp = None
        if hasattr(pkg.tokenizer, "lazy_processor"):
            self.sp = pkg.tokenizer.lazy_processor()

    def encode(self, text: str) -> list[str]:
        if self.sp is not None:
            return self.sp.encode(text, out_type=str)
        return self.tokenizer.encode(text)

    def decode(self, tokens: list[str]) -> str:
        if self.sp is not None:
            text = self.sp.decode_pieces(tokens)
        else:
            text = self.tokenizer.decode(tokens)
        # Byte-fallback pieces can decode to control characters; no draft needs one.
        return " ".join(_CONTROL.sub(" ", text).split())


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
    the model's vocabulary). Without attention, the tokens come back as they are."""
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


class ArgosEngine(Engine):
    """Machine drafts from the installed zh→en Argos package.

    Once told the pattern of protected placeholders
    (:meth:`protect_placeholders`), batches that contain one are decoded
    with attention, and a placeholder the decoder dropped is put back by
    :func:`place_missing_placeholders`. Other batches decode as before."""

    def __init__(self, settings: DecodingSettings | None = None):
        self.settings = settings or DecodingSettings()
        self.placeholder_pattern: re.Pattern | None = None
        self._translator = None
        self._pkg = None
        self._tokenizer = None

    def load(self) -> None:
        """Load the package and the CTranslate2 model (once per engine)."""
        if self._translator is not None:
            return
        pkg = find_package()
        import ctranslate2

        keep_freed_memory()

        try:
            self._translator = ctranslate2.Translator(
                str(pkg.package_path / "model"),
                device="cpu",
                inter_threads=self.settings.workers,
                intra_threads=1,
            )
            self._tokenizer = _Tokenizer(pkg)
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"cannot load the zh→en model at {pkg.package_path}: {exc}") from None
        self._pkg = pkg

    def signature(self) -> Signature:
        self.load()
        import ctranslate2

        s = self.settings
        return Signature(
            engine="argos",
            model=self._pkg.code or f"translate-{SOURCE_CODE}_{TARGET_CODE}",
            version=self._pkg.package_version or "?",
            settings=(
                ("ctranslate2", ctranslate2.__version__),
                ("beam", str(s.beam_size)),
                ("max_len", s.cap_label),
                ("length_penalty", f"{LENGTH_PENALTY:g}"),
            ),
        )

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
        tokenized = [self._tokenizer.encode(text) for text in segments]
        prefix = self._pkg.target_prefix or None
        pattern = self.placeholder_pattern
        in_flight: deque = deque()
        for indices in plan_batches([len(t) for t in tokenized], self.settings):
            batch = [tokenized[i] for i in indices]
            protected = [bool(pattern and pattern.search(segments[i])) for i in indices]
            futures = self._translator.translate_batch(
                batch,
                target_prefix=[[prefix]] * len(batch) if prefix else None,
                max_batch_size=0,  # already cut: one CTranslate2 batch
                asynchronous=True,
                beam_size=self.settings.beam_size,
                length_penalty=LENGTH_PENALTY,
                replace_unknowns=True,
                max_decoding_length=self.settings.cap_for(max(len(t) for t in batch)),
                # Attention costs time and memory; only placeholders need it.
                return_attention=any(protected),
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
                tokens = place_missing_placeholders(source, tokens, attention, pattern, self._tokenizer.encode)
            if prefix and tokens and tokens[0] == prefix:
                tokens = tokens[1:]
            drafts.append(Draft(self._tokenizer.decode(tokens), signature))
        release_free_memory()  # what this batch's cache left behind (see .allocator)
        return indices, drafts
