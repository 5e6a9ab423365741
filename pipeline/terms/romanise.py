"""Hanyu Pinyin in the house style, for proposing English forms of names.

The convention is GB/T 28039-2011 (the Chinese phonetic alphabet spelling
rules for Chinese names), written for running English text:

* no tone marks (pypinyin's ``Style.NORMAL``);
* a person's surname first, then the given name as one word, each
  capitalised: 成良田 → Cheng Liangtian, 欧阳修 → Ouyang Xiu;
* a surname is read as a surname: 单 Shan, 曾 Zeng, 解 Xie (``SURNAME_READINGS``);
* ü is written ``u`` after j, q, x, y, as in all pinyin (徐 Xu), and ``yu``
  after l and n, where ``u`` would be another syllable: 吕 Lyu, 女 Nyu,
  略 Lyue — the form GB/T 28039 gives for when ü cannot be typed, and the
  form on Chinese passports;
* a syllable that starts with a, o or e and follows another syllable in the
  same word is set off with an apostrophe: 西安 Xi'an.

pypinyin is imported when first needed: it loads large dictionaries.
"""

from __future__ import annotations

import re

from .lexicon import DOUBLE_SURNAMES, SURNAME_READINGS

_U_UMLAUT_AFTER_L_N = re.compile(r"^([ln])v")


def _syllables(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(text, style=Style.NORMAL, v_to_u=False)
    # pypinyin writes ü as v (lv, nve); GB/T 28039 writes yu after l and n.
    return [_U_UMLAUT_AFTER_L_N.sub(r"\1yu", s) for s in syllables]


def join_syllables(syllables: list[str]) -> str:
    """One word from syllables, with an apostrophe where the syllable
    boundary would otherwise be ambiguous (xi + an → xi'an)."""
    out = ""
    for syllable in syllables:
        if out and syllable[:1] in ("a", "o", "e"):
            out += "'"
        out += syllable
    return out


def _capitalise(word: str) -> str:
    return word[:1].upper() + word[1:]


def pinyin_word(zh: str) -> str:
    """``zh`` romanised as one capitalised word: 甬江 → Yongjiang, 西安 → Xi'an."""
    return _capitalise(join_syllables(_syllables(zh)))


def split_name(zh: str) -> tuple[str, str]:
    """``(surname, given name)``; a double surname is taken whole (欧阳修 → 欧阳, 修)."""
    if len(zh) >= 3 and zh[:2] in DOUBLE_SURNAMES:
        return zh[:2], zh[2:]
    return zh[:1], zh[1:]


def romanise_name(zh: str) -> str:
    """A person's name in the house style: 彭佳学 → Peng Jiaxue, 曾国藩 → Zeng Guofan."""
    surname, given = split_name(zh)
    family = SURNAME_READINGS.get(surname) or join_syllables(_syllables(surname))
    if not given:
        return _capitalise(family)
    return f"{_capitalise(family)} {pinyin_word(given)}"
