"""The ``glossary`` check: a termbase term of the source said in the English
as the termbase says, and the patterns that find a term's English form in
a translation (also used by ``benchmarks/bench_checks.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .model import CheckContext

# --- glossary ------------------------------------------------------------------


@lru_cache(maxsize=4096)
def english_form_pattern(english: str) -> re.Pattern:
    """A pattern that finds a termbase's English form in a translation: case
    apart, spaces or hyphens between words, -ise/-ize spellings, and simple
    inflection or a possessive on the last word (Ningbo's, laboratories,
    the Laboratory's)."""
    words = [w for w in re.split(r"[\s\-‐–]+", english.strip()) if w]
    parts = [re.escape(word).replace("iz", "i[sz]").replace("'", "['’]") for word in words]
    if len(words[-1]) > 2 and words[-1][-1] in "yY" and words[-1][-2].lower() not in "aeiou":
        parts[-1] = parts[-1][:-1] + "(?:y|ie)"  # laboratory → laboratories
    body = r"[\s\-‐–]+".join(parts)
    return re.compile(rf"(?<![^\W_]){body}(?:['’]s|['’]|e?s)?(?![^\W_])", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _short_name_pattern(english: str) -> re.Pattern:
    """A person named by one part of the name, as news does after the first
    mention or with a title: "Xi", "President Xi", "Xi's" for Xi Jinping,
    "Merkel" for Angela Merkel. The first or the last word of the name, of
    two letters or more, not followed by another capitalised word ("Cui
    Pin" is not Cui Ping). Never matches for a one-word name."""
    words = [w for w in re.split(r"\s+", english.strip()) if w]
    if len(words) < 2:
        return re.compile(r"(?!)")
    parts = sorted({re.escape(w) for w in (words[0], words[-1]) if len(w) >= 2})
    if not parts:
        return re.compile(r"(?!)")
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(parts)})(?:['’]s|['’])?(?![^\W_])(?!\s+[A-Z])")


@lru_cache(maxsize=4096)
def _demonym_pattern(english: str) -> re.Pattern:
    """A place said by its adjective or the name of its people, made by a
    suffix on its last word (less a final vowel): Korea → Korean, New York
    → New Yorkers, Italy → Italian, Japan → Japanese, London → Londoner."""
    words = [w for w in re.split(r"[\s\-‐–]+", english.strip()) if w]
    last = words[-1]
    stem = last[:-1] if len(last) > 3 and last[-1] in "aeiouyAEIOUY" else last
    parts = [re.escape(w) for w in words[:-1]] + [re.escape(stem) + f"(?:{re.escape(last[-1])})?"]
    body = r"[\s\-‐–]+".join(parts)
    return re.compile(rf"(?<![^\W_]){body}(?:n|an|ian|ese|er|i)s?(?![^\W_])", re.IGNORECASE)


def english_form_found(term, target: str) -> bool:
    """Whether ``target`` says the term as the termbase does: its English
    form (see :func:`english_form_pattern`), for a person one part of the
    name (see :func:`_short_name_pattern`), for a place its adjective or
    the name of its people (see :func:`_demonym_pattern`)."""
    if english_form_pattern(term.en).search(target):
        return True
    if term.type == "place":
        return bool(_demonym_pattern(term.en).search(target))
    return term.type == "person" and bool(_short_name_pattern(term.en).search(target))


def check_glossary(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """A termbase term found in the source whose English form is missing
    from the translation. Without a termbase, nothing is checked."""
    if not context.termbase:
        return
    for term in context.termbase.terms_in(source):
        if not term.en:  # a candidate still waiting for its English
            continue
        if not english_form_found(term, target):
            yield f'"{term.zh}" should be translated "{term.en}" ({term.type})'
