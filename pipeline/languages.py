"""The language pair, spelled once for each convention that names it.

The pipeline translates Simplified Chinese into English, and each format
spells the two languages its own way:

* BCP 47 (``zh-Hans``, ``en``): XML's ``xml:lang`` in TMX, TBX and XLIFF,
  HTML's ``lang``, TMX's ``srclang``;
* gettext locale names (``zh_Hans``, ``en``): the catalog directory
  ``locales/en/LC_MESSAGES/`` and PO headers;
* Argos Translate package codes (``zh``, ``en``): which model to install
  and load.

A new format takes its spelling from here instead of writing the code again.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """One language of the pair, as each convention spells it."""

    name: str  # for people
    bcp47: str  # BCP 47 language tag
    gettext: str  # gettext locale name (language_Script, underscore)
    argos: str  # Argos Translate package code


SOURCE = Language(name="Chinese (Simplified)", bcp47="zh-Hans", gettext="zh_Hans", argos="zh")
TARGET = Language(name="English", bcp47="en", gettext="en", argos="en")
