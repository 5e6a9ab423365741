"""The checks for Chinese script left in the English: Han characters
(``han-in-target``), full-width punctuation (``fullwidth-punctuation``) and
a translation that copies the source (``source-copied``). Each is a small
function ``(source, target, context)`` that yields one line per problem.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator

from ..zh.script import CJK_SYMBOLS, HAN_RE, HAN_RUN_RE
from ..zh.width import FULLWIDTH_FORMS, fold_width
from .model import CheckContext

# --- han-in-target -------------------------------------------------------------


def check_han_in_target(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """Han characters left in the English."""
    runs = list(dict.fromkeys(HAN_RUN_RE.findall(target)))
    if runs:
        shown = ", ".join(runs[:5]) + (", …" if len(runs) > 5 else "")
        yield f"Chinese left in the translation: {shown}"


# --- fullwidth-punctuation ----------------------------------------------------

# CJK symbols and punctuation (、。〈〉《》「」【】〔〕 and the ideographic
# space) and the full-width forms (，：；？！（）％０-９Ａ-Ｚ); 〇 is a Han
# character and is reported by han-in-target. Curly quotes, the ellipsis and
# the em dash are English typography too and are not listed.
_FULLWIDTH_RE = re.compile(f"[{CJK_SYMBOLS}{FULLWIDTH_FORMS}]")


def check_fullwidth_punctuation(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """Chinese full-width punctuation or spaces in the English."""
    chars = list(dict.fromkeys(_FULLWIDTH_RE.findall(target)))
    if chars:
        shown = " ".join("ideographic space" if c == "\u3000" else c for c in chars)
        yield f"full-width punctuation in the translation: {shown}"


# --- source-copied -------------------------------------------------------------


def _comparable(text: str) -> str:
    """Text without width, case, spaces or punctuation differences."""
    text = fold_width(text).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def check_source_copied(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """A translation that is the source, or mostly the source's characters.

    Only sources with something to translate are checked: a segment without
    Han characters ("AI for Science", "Y-space", "2027", "CEO") legitimately
    stays as it is in the English."""
    source_han = Counter(HAN_RE.findall(source))
    target_han = Counter(HAN_RE.findall(target))
    if not source_han or not target_han:
        return  # nothing to translate, or nothing of the source left
    if _comparable(target) == _comparable(source):
        yield "the translation is a copy of the source"
        return
    shared = sum((source_han & target_han).values())
    letters = len(_comparable(target))
    # Mostly the source: it keeps at least half of the source's Han
    # characters, and they make up at least half of what it says.
    if shared * 2 >= sum(source_han.values()) and shared * 2 >= letters:
        yield (
            f"the translation is mostly the source: it keeps {shared} of its {sum(source_han.values())} "
            "Chinese characters"
        )
