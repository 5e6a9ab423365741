"""Terminology: the termbase, term suggestions and term protection during MT.

* ``termbase``: ``locales/glossary.tsv`` (zh, en, type, note), matched longest first;
* ``tbx``: TBX export and import (TBX-Basic martif, TBX 2019);
* ``suggest``: candidate entries from source documents, for a person to confirm;
* ``protect``: an engine wrapper that keeps terms away from MT and puts
  their English back, and the ``# term:`` glossary-hit comments;
* ``lexicon`` and ``romanise``: surnames, titles, suffixes and places as
  data, and Hanyu Pinyin in the house style.
"""

from .termbase import TERM_TYPES, Term, Termbase, TermbaseError, load_termbase, save_termbase

__all__ = ["TERM_TYPES", "Term", "Termbase", "TermbaseError", "load_termbase", "save_termbase"]
