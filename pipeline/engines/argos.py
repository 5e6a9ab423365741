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

from pathlib import Path

from .argos_packages import SOURCE_CODE, TARGET_CODE, find_package
from .ctranslate import (
    BATCHES_IN_FLIGHT,
    CTranslate2Engine,
    clean_decoded,
    place_missing_placeholders,
    probe_line,
)
from .settings import DecodingSettings

__all__ = ["BATCHES_IN_FLIGHT", "LENGTH_PENALTY", "ArgosEngine", "place_missing_placeholders"]

#: Argos's own decoding settings, kept so drafts match what Argos users know.
LENGTH_PENALTY = 0.2


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

    encode_target = encode  # one vocabulary for both sides

    def decode(self, tokens: list[str]) -> str:
        if self.sp is not None:
            return clean_decoded(self.sp.decode_pieces(tokens))
        return clean_decoded(self.tokenizer.decode(tokens))


class ArgosEngine(CTranslate2Engine):
    """Machine drafts from the installed zh→en Argos package (the shared
    CTranslate2 decoding of :class:`.ctranslate.CTranslate2Engine`)."""

    name = "argos"
    length_penalty = LENGTH_PENALTY

    def __init__(self, settings: DecodingSettings | None = None, device: str = "auto", compute_type: str = "auto"):
        super().__init__(settings, device, compute_type)
        self._pkg = None

    def _open(self) -> Path:
        pkg = find_package()
        self._tokenizer = _Tokenizer(pkg)
        self.target_prefix = pkg.target_prefix or None
        self._pkg = pkg
        return pkg.package_path / "model"

    def _identity(self) -> tuple[str, str]:
        return self._pkg.code or f"translate-{SOURCE_CODE}_{TARGET_CODE}", self._pkg.package_version or "?"


def make_engine(request) -> ArgosEngine:
    """The registry's factory (:data:`pipeline.engines.ENGINES`)."""
    return ArgosEngine(request.settings, request.device, request.get("engine.compute_type"))


def describe(request, probe: bool = False) -> list[str]:
    """``pipeline engines list``'s lines for Argos: the installed zh→en
    packages (the newest is used); with ``probe``, whether it loads."""
    from ..errors import PipelineError
    from ..textsafety import printable
    from .argos_packages import installed_packages, models_dir, package_version

    try:
        packages = [p for p in installed_packages() if p.from_code == SOURCE_CODE and p.to_code == TARGET_CODE]
    except PipelineError as exc:
        return [f"error: {exc}"]
    if not packages:
        return [f"no zh→en package installed (looked in {models_dir()}); see 'pipeline models install'"]
    packages.sort(key=lambda p: package_version(p.package_version), reverse=True)
    lines = [
        printable(
            f"{'used' if i == 0 else 'installed'}: {p.code} {p.package_version} at {p.package_path}", one_line=True
        )
        for i, p in enumerate(packages)
    ]
    if probe:
        lines.append(probe_line(ArgosEngine(request.settings, request.device, request.get("engine.compute_type"))))
    return lines
