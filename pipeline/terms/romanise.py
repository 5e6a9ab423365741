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

A foreign name in Chinese transliteration (默克尔, 约翰逊) has no pinyin
form in English: its English is the original spelling (Merkel, Johnson),
which must be looked up. ``transliteration_score`` tells such a name from a
Chinese one by its characters.

pypinyin is imported when first needed: it loads large dictionaries.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from ..zh.script import UNIFIED_IDEOGRAPHS
from .lexicon import DOUBLE_SURNAMES, SINGLE_SURNAMES, SURNAME_READINGS, TRANSLITERATION_CHARACTERS

#: The characters of the name model: the common block of Han characters.
_MODEL_CHARACTERS_RE = re.compile(f"[{UNIFIED_IDEOGRAPHS}]+")

#: A name whose score (``transliteration_score``) reaches this is a foreign
#: name in transliteration. Tuned on newstest2018 (benchmarks/bench_terms.py).
#: Below 0, since the costs are not equal: a Chinese name taken for a foreign
#: one is looked up, a foreign one taken for Chinese gets wrong pinyin (林恩
#: for Lynn, 戴蒙 for Damon, at -0.3).
TRANSLITERATION_THRESHOLD = -0.5
#: Weight of the Xinhua tables, as occurrences in foreign names added to
#: each of their characters.
_TABLE_WEIGHT = 20

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


# --- Foreign names in transliteration -------------------------------------------------


@lru_cache(maxsize=1)
def _name_character_model() -> tuple[dict[str, float], dict[str, float], dict[str, float], tuple[float, float, float]]:
    """Log probabilities of a character in a foreign name, as a Chinese
    surname and in a Chinese given name, and the log probabilities of an
    unseen character in each.

    Learnt from jieba's dictionary, which ships with jieba: its ``nrt``
    words are transliterated names (约翰逊, 罗德里格斯) and its ``nr``/``nrfg``
    words of 2-4 characters that start with a known surname are Chinese
    names. The Xinhua tables (``TRANSLITERATION_CHARACTERS``) are added to
    the foreign counts. The file is read once, only when a name is scored."""
    from jieba import get_dict_file

    foreign: Counter = Counter({ch: _TABLE_WEIGHT for ch in TRANSLITERATION_CHARACTERS})
    surnames: Counter = Counter()
    given: Counter = Counter()
    with get_dict_file() as lines:
        for raw in lines:
            parts = raw.decode("utf-8").split() if isinstance(raw, bytes) else raw.split()
            if len(parts) != 3 or len(parts[0]) < 2 or not _MODEL_CHARACTERS_RE.fullmatch(parts[0]):
                continue
            word, _, tag = parts
            if tag == "nrt":
                foreign.update(word)
            elif tag in ("nr", "nrfg") and len(word) <= 4:
                surname, rest = split_name(word)
                if surname in DOUBLE_SURNAMES or surname in SINGLE_SURNAMES:
                    surnames[surname] += 1
                    given.update(rest)

    def log_probabilities(counts: Counter) -> tuple[dict[str, float], float]:
        total = sum(counts.values()) + 0.5 * (len(counts) + 1)
        return {ch: math.log((n + 0.5) / total) for ch, n in counts.items()}, math.log(0.5 / total)

    f, f0 = log_probabilities(foreign)
    s, s0 = log_probabilities(surnames)
    g, g0 = log_probabilities(given)
    return f, s, g, (f0, s0, g0)


def transliteration_score(zh: str) -> float:
    """How much more likely ``zh`` is a foreign name in transliteration than
    a Chinese name: the log-likelihood ratio per character of a character
    model of each. Above 0 it leans foreign (默克尔 2.5, 特朗普), below
    Chinese (马英九, 赵秀平). The parts of a name with ``·`` count together."""
    chars = "".join(_MODEL_CHARACTERS_RE.findall(zh))
    if not chars:
        return 0.0
    f, s, g, (f0, s0, g0) = _name_character_model()
    foreign = sum(f.get(ch, f0) for ch in chars)
    name = "".join(chars)
    surname, rest = split_name(name)
    if surname not in DOUBLE_SURNAMES and surname not in SINGLE_SURNAMES:
        surname, rest = name[0], name[1:]
    chinese = s.get(surname, s0) + sum(g.get(ch, g0) for ch in rest)
    return (foreign - chinese) / len(chars)


def is_transliteration_character(ch: str) -> bool:
    """Whether ``ch`` is a syllable of transliterations: in the Xinhua
    tables, or more frequent in foreign names than in Chinese given names."""
    if ch in TRANSLITERATION_CHARACTERS:
        return True
    f, _, g, (f0, _, g0) = _name_character_model()
    # Clearly more frequent (e ≈ 2.7×): 人 and 当 are in a few foreign names too.
    return ch in f and f[ch] > g.get(ch, g0) + 1


def is_transliterated_name(zh: str) -> bool:
    """Whether ``zh`` reads as a foreign name in transliteration (默克尔,
    约翰逊, 安吉拉·默克尔), whose English must be looked up, not romanised."""
    return transliteration_score(zh) >= TRANSLITERATION_THRESHOLD
