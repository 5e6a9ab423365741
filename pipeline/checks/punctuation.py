"""The checks of English punctuation and typography: the sentence-final mark
against the source's (``end-punctuation``), sentences that start in
lowercase (``capitalisation``) and stray spaces (``whitespace``). Each is a
small function ``(source, target, context)`` that yields one line per
problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..zh.script import CLOSERS
from .model import CheckContext

# --- end-punctuation -----------------------------------------------------------

_SOURCE_ENDS = {
    "。": "stop",
    "．": "stop",
    ".": "stop",
    "！": "exclamation",
    "!": "exclamation",
    "？": "question",
    "?": "question",
    "：": "colon",
    ":": "colon",
    "；": "semicolon",
    ";": "semicolon",
    "…": "ellipsis",
    "，": "comma",
    ",": "comma",
    "、": "comma",
}
_TARGET_ENDS = {
    ".": "stop",
    "!": "exclamation",
    "?": "question",
    ":": "colon",
    ";": "semicolon",
    "…": "ellipsis",
    ",": "comma",
}
_TARGET_CLOSERS = "\"'”’)]}»*_"
#: What a translation may end with, by how the source ends. A question may
#: become a statement ("请您谈谈…？" is a request: "Please tell us … ."), an
#: exclamation a full stop (English is sparing with "!"), an ellipsis a stop.
_ALLOWED_ENDS = {
    "stop": {"stop"},
    "exclamation": {"exclamation", "stop"},
    "question": {"question", "stop"},
    "colon": {"colon"},
    "semicolon": {"semicolon", "stop"},
    "ellipsis": {"ellipsis", "stop"},
}
#: Headings, titles, bylines and photo credits drop the full stop (and the
#: exclamation mark); one without punctuation may read as a question.
_HEADING_DROPS = {"stop", "exclamation"}
_HEADING_ALLOWED_WITHOUT_PUNCTUATION = {"none", "question", "exclamation"}
#: A final full stop that belongs to an abbreviation (U.S., Co., Ltd.).
_ABBREVIATION_END_RE = re.compile(r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Co|Ltd|Inc|Corp|Jr|Sr|St|etc|No|Bros)\.)$")
_NAMES = {
    "stop": "a full stop",
    "exclamation": '"!"',
    "question": '"?"',
    "colon": '":"',
    "semicolon": '";"',
    "ellipsis": "an ellipsis",
    "comma": "a comma",
    "none": "no final punctuation",
}


#: A source that asks a question, wherever its question mark stands or
#: when a question particle ends it without one (…行不行。, …吗。).
_SOURCE_QUESTION_RE = re.compile(r"[？?]|(?:吗|呢|行不行|是不是|好不好|对不对|有没有)[。！!.]?\s*[”」』\"]?\s*$")


def _source_end(source: str) -> tuple[str, set[str]]:
    """How the source ends, and what the English may end with: ？！ allows
    either mark."""
    stripped = source.rstrip().rstrip(CLOSERS + "》").rstrip()
    if not stripped:
        return "none", set()
    end = _SOURCE_ENDS.get(stripped[-1], "none")
    allowed = set(_ALLOWED_ENDS.get(end, ()))
    for ch in reversed(stripped[:-1]):
        kind = _SOURCE_ENDS.get(ch)
        if kind not in ("stop", "exclamation", "question"):
            break
        allowed |= _ALLOWED_ENDS[kind]
    return end, allowed


def _target_end(target: str) -> str:
    stripped = target.rstrip()
    while stripped and stripped[-1] in _TARGET_CLOSERS:  # ?' " : closers and spaces in any order
        stripped = stripped[:-1].rstrip()
    if stripped.endswith("..."):
        return "ellipsis"
    if not stripped:
        return "none"
    return _TARGET_ENDS.get(stripped[-1], "none")


def check_end_punctuation(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """The sentence-final punctuation of source and translation disagree."""
    (source_end, allowed), target_end = _source_end(source), _target_end(target)
    if source_end == "comma" or (source_end == "none" and not context.heading_like):
        return  # a fragment, or body text without final punctuation: anything goes
    heading = context.heading_like or context.is_photo_credit(source)
    if source_end == "none":
        allowed = _HEADING_ALLOWED_WITHOUT_PUNCTUATION
    elif heading and source_end in _HEADING_DROPS:
        allowed.add("none")
    abbreviation = target_end == "stop" and _ABBREVIATION_END_RE.search(target.rstrip().rstrip(_TARGET_CLOSERS))
    if abbreviation and allowed & {"none", "stop"}:
        return  # "Ningbo XYZ Co." ends a heading or a sentence alike
    if target_end == "question" and _SOURCE_QUESTION_RE.search(source):
        return  # the source asks somewhere (你们行不行。, a question moved to the end)
    if target_end not in allowed:
        source_mark = source.rstrip().rstrip(CLOSERS + "》").rstrip()[-1:]
        if source_end == "none":
            yield f"the source has no final punctuation but the translation ends with {_NAMES[target_end]}"
        else:
            yield f'the source ends with "{source_mark}" but the translation ends with {_NAMES[target_end]}'


# --- capitalisation ------------------------------------------------------------

#: Names that are written with a lowercase first letter even at the start
#: of a sentence.
LOWERCASE_NAMES = (
    "iPhone",
    "iPad",
    "iPod",
    "iOS",
    "iMac",
    "iCloud",
    "iQIYI",
    "iFlytek",
    "eBay",
    "macOS",
    "mRNA",
    "pH",
    "vivo",
    "realme",
)
_ABBREVIATIONS = {
    "etc",
    "vs",
    "no",
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "st",
    "co",
    "ltd",
    "inc",
    "corp",
    "approx",
    "fig",
    "vol",
    "dept",
    "gov",
    "est",
    "jr",
    "sr",
    "cf",
    "ca",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "assn",
    "govt",
    "univ",
    "gen",
    "col",
    "lt",
    "sgt",
    "rep",
    "sen",
    "rev",
    "mt",
    "ft",
}
_LEADING_QUOTES = "\"'“‘«"
_SENTENCE_START_RE = re.compile(r"(?<![.…])([.!?])([\"'”’)\]]*)\s+([^\W\d_][\w.-]*)")


def _lowercase_start(word: str) -> bool:
    return word[:1].islower() and not word.startswith(LOWERCASE_NAMES)


def check_capitalisation(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """An English sentence that starts with a lowercase letter: at the start
    of the translation or after a full stop, "?" or "!". Speaker labels and
    photo credits are styled by the editions; a translation that starts with
    a digit or a quotation mark is not checked at its start."""
    if context.is_speaker_label(source) or context.is_photo_credit(source):
        return
    start = target.lstrip().lstrip("([*_—–-").lstrip()
    # Chinese has no case, so only the segmenter knows that an entry starts
    # a sentence: an entry without block types (a catalog from elsewhere, a
    # line cut mid-sentence) may continue one, and its translator says so
    # with a lowercase start ("and allow all civilizations to coexist").
    if context.block_types and start[:1] and start[0] not in _LEADING_QUOTES and not start[0].isdigit():
        first = re.match(r"[^\s]+", start).group()
        if _lowercase_start(first):
            yield f'the translation starts with a lowercase letter: "{first}"'
    for m in _SENTENCE_START_RE.finditer(target):
        mark, closers, word = m.groups()
        if not _lowercase_start(word):
            continue
        if mark in "?!" and closers:
            continue  # "Why?" he asked.
        if mark == ".":
            before = re.search(r"(\S*)$", target[: m.start(1)]).group(1)
            if "." in before or before.lower().lstrip("(") in _ABBREVIATIONS or len(before) == 1:
                continue  # U.S. and, e.g. the, etc. and, J. smith
        yield f'a sentence starts with a lowercase letter: "{mark}{closers} {word}"'


# --- whitespace ----------------------------------------------------------------

_DOUBLE_SPACE_RE = re.compile(r"[ \t\u00a0]{2,}")
# A space before , ; : ? ! or a full stop (not before an ellipsis "..." or a
# decimal ".5").
_SPACE_BEFORE_RE = re.compile(r"[ \t\u00a0]+([,;:?!]|\.(?![.\d]))")


def check_whitespace(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """Leading, trailing or double spaces, and spaces before punctuation."""
    if target[:1].isspace():
        yield "the translation starts with a space"
    if target[-1:].isspace():
        yield "the translation ends with a space"
    if m := _DOUBLE_SPACE_RE.search(target.strip()):
        context_text = target.strip()[max(0, m.start() - 12) : m.end() + 12]
        yield f'double space: "{context_text}"'
    if m := _SPACE_BEFORE_RE.search(target.strip()):
        yield f'a space before "{m.group(1)}"'
