"""A translation unit: one reviewed Chinese→English pair and where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Unit:
    """One pair in the translation memory.

    ``origin`` is the document whose catalog the pair was reviewed in, or,
    for a pair imported from a TMX file that does not name its document
    (``<prop type="x-document">``), that file's name. ``created_by`` and
    ``created_at`` (timezone-aware, UTC) say who made it and when, where
    known. ``properties`` are the TMX ``<prop type=…>`` pairs and ``notes``
    the ``<note>`` texts of the unit, ``attributes`` the other ``<tu>``
    attributes (``tuid``, ``changedate``, …), kept so that a unit survives
    a TMX round trip unchanged.
    """

    source: str
    target: str
    origin: str
    created_by: str | None = None
    created_at: datetime | None = None
    properties: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()

    def property(self, kind: str) -> str | None:
        """The value of the first ``<prop type="kind">``, if any."""
        return next((value for name, value in self.properties if name == kind), None)
