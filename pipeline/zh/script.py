"""The Chinese script: Han characters and CJK punctuation, as data.

Character classes are strings for a regular expression's ``[...]``, so a
rule elsewhere can combine them (``f"[{HAN}·]{{2,5}}"``).
"""

from __future__ import annotations

import re

# --- Han characters ------------------------------------------------------------

#: CJK Unified Ideographs (U+4E00–U+9FFF): the block of the common characters.
UNIFIED_IDEOGRAPHS = "\u4e00-\u9fff"

#: Han ideographs: CJK Unified Ideographs, Extension A, compatibility
#: ideographs, the supplementary planes (Extension B onwards) and 〇.
HAN = "\u3007" + "\u3400-\u4dbf" + UNIFIED_IDEOGRAPHS + "\uf900-\ufaff" + "\U00020000-\U0003134f"
HAN_RE = re.compile(f"[{HAN}]")
#: A run of Han ideographs.
HAN_RUN_RE = re.compile(f"[{HAN}]+")


def is_han(ch: str) -> bool:
    """True for a single Han ideograph."""
    return bool(HAN_RE.match(ch))


def count_han(text: str) -> int:
    """Number of Han ideographs in ``text``."""
    return len(HAN_RE.findall(text))


# --- Punctuation ---------------------------------------------------------------

#: Full-width and CJK punctuation, plus the curly quotes, ellipsis and dash
#: that Chinese text shares with English typography.
CJK_PUNCT = (
    "\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018\u2019\u201c\u201d\u2026\u2014\u00b7"
)

#: The CJK Symbols and Punctuation block (the ideographic space, 、。〈〉《》「」【】〔〕)
#: without 〇 (U+3007), which is a Han character.
CJK_SYMBOLS = "\u3000-\u3006\u3008-\u303f"

#: A character of Chinese text, Han or CJK punctuation: next to one, half-width
#: punctuation is read as Chinese punctuation and a space separates nothing.
CJK_CONTEXT_RE = re.compile(f"[{HAN}{CJK_PUNCT}]")

#: The punctuation that ends a Chinese sentence: 。！？
SENTENCE_ENDS = "\u3002\uff01\uff1f"
#: The full stop, the sentence end of running text (a headline may end in ？ or ！).
FULL_STOP = "\u3002"  # 。
#: The Chinese ellipsis, written doubled (……).
ELLIPSIS = "\u2026"  # …
#: Closing quotes and brackets: ” ’ 」 』 ） 》 〉 】 〕 and the straight quotes.
CLOSERS = "\u201d\u2019\u300d\u300f\uff09\u300b\u3009\u3011\u3015\"'"
