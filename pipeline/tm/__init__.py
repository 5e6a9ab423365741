"""The translation memory: reviewed Chinese→English pairs, reused.

* :mod:`~pipeline.tm.units` — the :class:`Unit`: source, target, origin;
* :mod:`~pipeline.tm.tmx` — TMX 1.4b reading and writing;
* :mod:`~pipeline.tm.similarity` — match keys and the similarity measure
  (the numbers two sources mention: :func:`pipeline.zh.numbers.numbers_differ`);
* :mod:`~pipeline.tm.index`, :mod:`~pipeline.tm.memory` — exact and fuzzy lookup;
* :mod:`~pipeline.tm.store` — what a workspace's memory learns from, import, export;
* :mod:`~pipeline.tm.reuse` — the reuse policy for the translate stage.
"""

from .memory import DEFAULT_LIMIT, DEFAULT_THRESHOLD, Match, TranslationMemory
from .reuse import (
    TM_SUGGESTION_PREFIX,
    Reuse,
    ReuseOutcome,
    Suggestion,
    add_suggestions,
    apply_exact,
    reuse_from_memory,
    suggestions_of,
)
from .similarity import similarity
from .store import (
    ExportedMemory,
    ImportedMemory,
    exchanged_units,
    export_tmx,
    import_tmx,
    load_memory,
    units_from_catalog,
)
from .tmx import TmxError, read_tmx, write_tmx
from .units import Unit

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_THRESHOLD",
    "TM_SUGGESTION_PREFIX",
    "ExportedMemory",
    "ImportedMemory",
    "Match",
    "Reuse",
    "ReuseOutcome",
    "Suggestion",
    "TmxError",
    "TranslationMemory",
    "Unit",
    "add_suggestions",
    "apply_exact",
    "exchanged_units",
    "export_tmx",
    "import_tmx",
    "load_memory",
    "read_tmx",
    "reuse_from_memory",
    "similarity",
    "suggestions_of",
    "units_from_catalog",
    "write_tmx",
]
