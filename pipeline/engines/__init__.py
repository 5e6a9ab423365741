"""Translation engines: the interface (:mod:`.base`), what engines share
(decoding settings, :mod:`.settings`; batch planning, :mod:`.batching`),
and the engines themselves: Argos through CTranslate2 (:mod:`.argos`,
its packages in :mod:`.argos_packages`).

Nothing here is imported at package import: CTranslate2 and
argostranslate load only when an engine first translates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Engine
    from .settings import DecodingSettings


def default_engine(settings: DecodingSettings) -> Engine:
    """The machine translation engine the pipeline uses: the installed
    zh→en Argos package (tests substitute their own, as pip-tools does
    with its repositories)."""
    from .argos import ArgosEngine

    return ArgosEngine(settings)
