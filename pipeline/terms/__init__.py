"""Terminology: the termbase, term suggestions and term protection during MT."""

from .termbase import TERM_TYPES, Term, Termbase, load_termbase

__all__ = ["TERM_TYPES", "Term", "Termbase", "load_termbase"]
