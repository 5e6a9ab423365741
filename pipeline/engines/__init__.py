"""Translation engines: the interface (:mod:`.base`), what engines share
(decoding settings, :mod:`.settings`; batch planning, :mod:`.batching`;
the allocator, :mod:`.allocator`; running a CTranslate2 model,
:mod:`.ctranslate`), and the engines themselves, registered by name in
:data:`ENGINES`:

- ``argos``: the installed zh→en Argos package (:mod:`.argos`, its
  packages in :mod:`.argos_packages`);
- ``ct2``: any CTranslate2 translation model directory, OPUS-MT (Marian)
  or NLLB/M2M100 (:mod:`.ct2`);
- ``openai``: an OpenAI-compatible chat-completions endpoint (:mod:`.openai`).

The names are defined with the other engine choices, below the
configuration that refuses any other (:mod:`pipeline.engine_choices`);
engine ``x`` is the module ``pipeline.engines.x``. An engine module
provides ``make_engine(request: EngineRequest) -> Engine`` and
``describe(request: EngineRequest, probe: bool) -> list[str]`` (the lines
``pipeline engines list`` prints; ``probe``: load the model or contact
the endpoint to say whether it works). Nothing here imports an
engine module at package import: CTranslate2, argostranslate and HTTP
clients load only when an engine is made.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import engine_choices
from ..config import DEFAULTS, Config
from ..engine_choices import DEFAULT_ENGINE
from ..errors import PipelineError
from .settings import DecodingSettings

if TYPE_CHECKING:
    from .base import Engine


@dataclass(frozen=True)
class EngineRequest:
    """What an engine is made from: the decoding settings common to every
    engine, the model and device (``engine.model``, ``engine.device``),
    and for engine-specific keys the workspace configuration and the
    command-line values that override it."""

    settings: DecodingSettings = field(default_factory=DecodingSettings)
    model: str = ""  # "" : the engine's default (argos: the installed package)
    device: str = "auto"  # auto | cpu | cuda (CTranslate2 engines)
    config: Config | None = None  # None: every default
    #: Command-line values of engine-specific keys, by their pipeline.toml
    #: name (``{"engine.openai.concurrency": 8}``); None means "not given".
    options: Mapping[str, Any] = field(default_factory=dict)
    #: The workspace root: relative paths in pipeline.toml are relative to it.
    workspace: Path | None = None
    #: What a relative ``model`` path is relative to (the directory the
    #: command runs in, for ``--model``); None: the workspace.
    model_base: Path | None = None

    def get(self, key: str) -> Any:
        """An engine-specific setting: the command line's value, else pipeline.toml's."""
        return (self.config or DEFAULTS).get(key, override=self.options.get(key))

    def where(self, key: str) -> str:
        """Where the value :meth:`get` gives for ``key`` comes from, to begin
        an error line about it: ``pipeline.toml: engine.openai.url`` when
        the file gives it, else the key's name (a default, or a value from
        the command line)."""
        if self.options.get(key) is not None:
            return key
        return (self.config or DEFAULTS).where(key)

    def path(self, value: str, base: Path | None = None) -> Path:
        """``value`` as a path; a relative one is relative to ``base``, else the workspace."""
        path = Path(value).expanduser()
        base = base or self.workspace
        return path if path.is_absolute() or base is None else base / path

    def model_path(self) -> Path:
        """``model`` as a path (relative to :attr:`model_base`, else the workspace)."""
        return self.path(self.model, self.model_base)


@dataclass(frozen=True)
class EngineKind:
    """A registered engine: its name, the module that makes it, one line of help."""

    name: str
    module: str
    summary: str

    def load_module(self):
        try:
            return importlib.import_module(self.module)
        except ImportError as exc:
            raise PipelineError(f"engine {self.name} is not available: {exc}") from None

    def make(self, request: EngineRequest) -> Engine:
        return self.load_module().make_engine(request)

    def describe(self, request: EngineRequest, probe: bool = False) -> list[str]:
        return self.load_module().describe(request, probe)


#: Every engine, by the name ``--engine`` and ``engine.name`` take.
ENGINES: dict[str, EngineKind] = {
    name: EngineKind(name, f"{__name__}.{name}", summary) for name, summary in engine_choices.ENGINES.items()
}


def engine_kind(name: str) -> EngineKind:
    try:
        return ENGINES[name]
    except KeyError:
        raise PipelineError(f"unknown engine '{name}' (known: {', '.join(ENGINES)})") from None


def create_engine(name: str, request: EngineRequest) -> Engine:
    """The engine ``name`` made for ``request``."""
    return engine_kind(name).make(request)


def engine_maker(name: str, request: EngineRequest) -> Callable[[DecodingSettings], Engine]:
    """What the runner calls to make the engine (once per worker, with that
    worker's share of the decoding settings): engine ``name`` for
    ``request`` with the settings it is given."""
    kind = engine_kind(name)

    def make(settings: DecodingSettings) -> Engine:
        return kind.make(replace(request, settings=settings))

    return make


def default_engine(settings: DecodingSettings) -> Engine:
    """The machine translation engine the pipeline uses without a
    configuration: the installed zh→en Argos package (tests substitute their
    own, as pip-tools does with its repositories)."""
    return create_engine(DEFAULT_ENGINE, EngineRequest(settings))
