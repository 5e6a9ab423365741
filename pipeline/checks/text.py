"""The checks other than numbers: Chinese left in the English, copies,
MT loops, terminology, quotes and brackets, length, punctuation, case and
spacing. Each is a small function ``(source, target, context)`` that yields
one line per problem.

Length ratio
------------
English characters (letters, spaces and punctuation: ``len()`` of the
translation) per Han character of the source. Latin letters and digits in
the source ("AI for Science", "6吋") pass into the English about one for
one, so they are subtracted from the English length first.

What is known: the translation trade's rule of thumb is that 1,000 Chinese
characters become 600–700 English words; at about 6 characters per English
word with its space, that is 3.5–4.5 English characters per Han character,
more for official and political prose ("scientific and technological" for
科技, "new quality productive forces" for 新质生产力).

What we measured: the 93 correct translations in ``tests/checks/data/clean.po``
whose source has at least 8 Han characters (news and interview prose from
the seed, plus economic news with figures) run from 3.3 to 7.9, mean 4.8,
median 4.7. The shortest are headings (“每一个人都是新型工业化的一份子” →
"Every One of Us Is Part of New Industrialization", 3.3); the longest are
classical four-character lines, which English has to unfold (道阻且长，行则将至
→ "The road is long and hard, but keep walking and you will arrive", 7.9).

The bounds keep a margin around both: **2.0 to 12.0**, 60% of the lowest
and one and a half times the highest correct ratio (the upper margin is the
wider one because classical lines and dense terms unfold unpredictably,
while condensing has its limits). Below 2.0 the English has lost a large
part of the sentence (a truncated draft, a skipped clause: "当前，宁波正奋力
争创国家新型工业化示范区，…" cut after its first clause measures 1.6); above
12 it says far more than the source (a hallucinated
continuation, two sentences pasted together; MT loops are also caught by
the repetition check). Sources of fewer than 8 Han characters are not
measured: in a short label one word moves the ratio by a whole point, and a
short phrase may need a long one (国之大者 → "the country's most fundamental
interests", 10.0; 新华社 → "Xinhua", 2.0).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from ..segment.rules import CLOSERS, HAN, HAN_RE, count_han
from .model import CheckContext

# --- han-in-target -------------------------------------------------------------

_HAN_RUN_RE = re.compile(f"[{HAN}]+")


def check_han_in_target(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """Han characters left in the English."""
    runs = list(dict.fromkeys(_HAN_RUN_RE.findall(target)))
    if runs:
        shown = ", ".join(runs[:5]) + (", …" if len(runs) > 5 else "")
        yield f"Chinese left in the translation: {shown}"


# --- fullwidth-punctuation ----------------------------------------------------

# CJK symbols and punctuation (、。〈〉《》「」【】〔〕 and the ideographic
# space) and the full-width forms (，：；？！（）％０-９Ａ-Ｚ); 〇 is a Han
# character and is reported by han-in-target. Curly quotes, the ellipsis and
# the em dash are English typography too and are not listed.
_FULLWIDTH_RE = re.compile("[\u3000-\u3006\u3008-\u303f\uff01-\uff65]")


def check_fullwidth_punctuation(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """Chinese full-width punctuation or spaces in the English."""
    chars = list(dict.fromkeys(_FULLWIDTH_RE.findall(target)))
    if chars:
        shown = " ".join("ideographic space" if c == "\u3000" else c for c in chars)
        yield f"full-width punctuation in the translation: {shown}"


# --- source-copied -------------------------------------------------------------


def _comparable(text: str) -> str:
    """Text without width, case, spaces or punctuation differences."""
    text = unicodedata.normalize("NFKC", text).casefold()
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
        yield f"the translation is mostly the source: it keeps {shared} of its {sum(source_han.values())} Chinese characters"


# --- repetition ----------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_MAX_NGRAM = 4
_MIN_REPEATS = 3


def _loops(units: list[str], max_n: int) -> Iterator[tuple[int, int, int]]:
    """``(start, n, repeats)`` for each run of a unit of ``n`` items repeated
    at least three times in a row; at each position the shortest unit wins."""
    i = 0
    while i < len(units):
        found = None
        for n in range(1, max_n + 1):
            if i + n * _MIN_REPEATS > len(units):
                break
            unit = units[i : i + n]
            repeats = 1
            while units[i + repeats * n : i + (repeats + 1) * n] == unit:
                repeats += 1
            if repeats >= _MIN_REPEATS:
                found = (i, n, repeats)
                break
        if found:
            yield found
            i += found[1] * found[2]
        else:
            i += 1


def check_repetition(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """A word or phrase of up to four words repeated three or more times in a
    row: a machine translation stuck in a loop. Not when the source repeats
    itself (加油！加油！加油！ → "Go! Go! Go!")."""
    words = [w.casefold() for w in _WORD_RE.findall(target)]
    loops = list(_loops(words, _MAX_NGRAM))
    if not loops:
        return
    # Letters only: the zeros of 1000万 are not the source repeating itself.
    source_letters = [ch for ch in source if unicodedata.category(ch)[0] == "L"]
    if any(True for _ in _loops(source_letters, 8)):
        return
    for start, n, repeats in loops:
        yield f'"{" ".join(words[start : start + n])}" repeated {repeats} times in a row'


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


def check_glossary(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """A termbase term found in the source whose English form is missing
    from the translation. Without a termbase, nothing is checked."""
    if not context.termbase:
        return
    seen = set()
    for _, _, term in context.termbase.matches(source):
        if term.zh in seen or not term.en:  # a candidate still waiting for its English
            continue
        seen.add(term.zh)
        if not english_form_pattern(term.en).search(target):
            yield f'"{term.zh}" should be translated "{term.en}" ({term.type})'


# --- brackets-quotes -----------------------------------------------------------

# Correspondence. Chinese puts quotation marks around speech and around
# slogans, coined terms and emphasis (“王牌”, “一带一路”, “十四五”), and
# English drops the second kind as often as it keeps it ("the Belt and Road
# Initiative"). So only a real quotation must stay quoted: one after a verb
# of saying or a colon, or one long or punctuated enough to be a sentence.
# It may become English quotes or italics. 《》 never counts: a title may
# become plain text, and quotation marks inside a title go with it.
_SOURCE_QUOTATION_RE = re.compile(r"[“「『\"](?P<content>[^”」』\"]+)[”」』\"]")
_TITLE_RE = re.compile(r"《[^》]*》")
_SPEECH_BEFORE = ("：", ":", "说", "道", "表示", "所言", "指出", "强调", "认为", "问", "答")
_SENTENCE_PUNCTUATION = "，。！？；,!?;"
_MIN_QUOTATION_HAN = 8
# Brackets around Chinese text (an aside: （如蒸汽机、电力、计算机）) must stay
# an aside, in brackets or between dashes; brackets around Latin letters
# only (（AI）) gloss an abbreviation that English may simply use.
_SOURCE_ASIDE_RE = re.compile(r"[（(](?P<content>[^（）()]*)[）)]")
_TARGET_DASH_ASIDE_RE = re.compile(r"[—–]\s?[^—–]+\s?[—–]|\s[—–]\s")
_ITALICS_RE = re.compile(r"(?<![\w*])\*[^*\s](?:[^*]*[^*\s])?\*(?![\w*])|(?<![\w_])_[^_\s](?:[^_]*[^_\s])?_(?![\w_])")
# A straight single quote opens a quotation after a space or an opening
# bracket and before a letter ('trump card'); anywhere else it is an
# apostrophe (Ningbo's, workers', '90s).
_SINGLE_OPENING_RE = re.compile(r"(?:(?<=^)|(?<=[\s(\[“\"]))'(?=[^\W\d_])")
_SINGLE_CLOSING_RE = re.compile(r"(?<=[^\s(\[])'(?=[\s.,;:!?)\]”\"]|$)")
_BRACKET_PAIRS = {")": "(", "]": "["}


def _bracket_problem(text: str) -> str | None:
    stack = []
    for ch in text:
        if ch in "([":
            stack.append(ch)
        elif ch in ")]":
            if not stack or stack[-1] != _BRACKET_PAIRS[ch]:
                return f'"{ch}" without an opening "{_BRACKET_PAIRS[ch]}"'
            stack.pop()
    if stack:
        closer = {v: k for k, v in _BRACKET_PAIRS.items()}[stack[-1]]
        return f'"{stack[-1]}" without a closing "{closer}"'
    return None


def _double_curly_problem(text: str) -> str | None:
    """“ and ” must alternate, starting with “ (English nests ‘ ’ inside)."""
    inside = False
    for ch in text:
        if ch == "“":
            if inside:
                return "“ opened twice without ”"
            inside = True
        elif ch == "”":
            if not inside:
                return "” without an opening “"
            inside = False
    return "“ without a closing ”" if inside else None


def _single_curly_problem(text: str) -> str | None:
    """Every ‘ needs a later ’ (which is also the apostrophe, so a ’ alone
    is fine)."""
    open_quotes = 0
    for ch in text:
        if ch == "‘":
            open_quotes += 1
        elif ch == "’" and open_quotes:
            open_quotes -= 1
    return "‘ without a closing ’" if open_quotes else None


def _has_quotes(text: str) -> bool:
    return bool(
        "“" in text
        or "‘" in text
        or text.count('"') >= 2
        or _SINGLE_OPENING_RE.search(text)
        or _ITALICS_RE.search(text)
    )


def _quotations(source: str) -> list[str]:
    """The quotations of the source that English must keep quoted, with
    their quotation marks."""
    text = _TITLE_RE.sub(lambda m: "》" * len(m.group()), source)  # keep positions, drop titles
    found = []
    for m in _SOURCE_QUOTATION_RE.finditer(text):
        content = m.group("content")
        speech = text[: m.start()].rstrip().endswith(_SPEECH_BEFORE)
        sentence = count_han(content) >= _MIN_QUOTATION_HAN or any(p in content for p in _SENTENCE_PUNCTUATION)
        if speech or sentence:
            found.append(m.group())
    return found


def _shorten(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[-1]


def check_brackets_quotes(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """Unbalanced quotes or brackets in the English, and quotes or brackets
    of the source that the English lost."""
    problem = _bracket_problem(target)
    if problem:
        yield f"unbalanced brackets: {problem}"
    for problem in (_double_curly_problem(target), _single_curly_problem(target)):
        if problem:
            yield f"unbalanced quotation marks: {problem}"
    if target.count('"') % 2:
        yield 'unbalanced quotation marks: an odd number of "'
    if len(_SINGLE_OPENING_RE.findall(target)) > len(_SINGLE_CLOSING_RE.findall(target)):
        yield "unbalanced quotation marks: ' without a closing '"

    quotations = _quotations(source)
    if quotations and not _has_quotes(target):
        yield f"the source quotes {_shorten(quotations[0])} but the translation has no quotation marks"
    # A photo credit may be written without brackets ("Photo: Yan Long").
    asides = [m.group() for m in _SOURCE_ASIDE_RE.finditer(source) if HAN_RE.search(m.group("content"))]
    kept = "(" in target or "[" in target or _TARGET_DASH_ASIDE_RE.search(target)
    if asides and not kept and not context.is_photo_credit(source):
        yield f"the source has {_shorten(asides[0])} in brackets but the translation has no brackets"


# --- length-ratio --------------------------------------------------------------

#: English characters per Han character: the bounds and the shortest source
#: measured. See the module docstring for how they were chosen.
MIN_CHARS_PER_HAN = 2.0
MAX_CHARS_PER_HAN = 12.0
MIN_HAN_FOR_RATIO = 8
_LATIN_RE = re.compile(r"[A-Za-z0-9]")


def chars_per_han(source: str, target: str) -> float | None:
    """English characters per Han character of the source, not counting
    the Latin letters and digits that pass through; None for short sources."""
    han = count_han(source)
    if han < MIN_HAN_FOR_RATIO:
        return None
    english = max(0, len(target.strip()) - len(_LATIN_RE.findall(source)))
    return english / han


def check_length_ratio(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """A translation far shorter or longer than its source."""
    ratio = chars_per_han(source, target)
    if ratio is None:
        return
    normal = f"(normal {MIN_CHARS_PER_HAN:g}–{MAX_CHARS_PER_HAN:g})"
    if ratio < MIN_CHARS_PER_HAN:
        yield f"the translation is short: {ratio:.1f} characters per Chinese character {normal}"
    elif ratio > MAX_CHARS_PER_HAN:
        yield f"the translation is long: {ratio:.1f} characters per Chinese character {normal}"


# --- end-punctuation -----------------------------------------------------------

_SOURCE_ENDS = {
    "。": "stop", "．": "stop", ".": "stop", "！": "exclamation", "!": "exclamation", "？": "question",
    "?": "question", "：": "colon", ":": "colon", "；": "semicolon", ";": "semicolon", "…": "ellipsis",
    "，": "comma", ",": "comma", "、": "comma",
}  # fmt: skip
_TARGET_ENDS = {
    ".": "stop", "!": "exclamation", "?": "question", ":": "colon", ";": "semicolon", "…": "ellipsis", ",": "comma",
}  # fmt: skip
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
    "stop": "a full stop", "exclamation": '"!"', "question": '"?"', "colon": '":"', "semicolon": '";"',
    "ellipsis": "an ellipsis", "comma": "a comma", "none": "no final punctuation",
}  # fmt: skip


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
    stripped = target.rstrip().rstrip(_TARGET_CLOSERS).rstrip()
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
    "iPhone", "iPad", "iPod", "iOS", "iMac", "iCloud", "iQIYI", "iFlytek", "eBay", "macOS", "mRNA", "pH",
    "vivo", "realme",
)  # fmt: skip
_ABBREVIATIONS = {
    "etc", "vs", "no", "mr", "mrs", "ms", "dr", "prof", "st", "co", "ltd", "inc", "corp", "approx", "fig", "vol",
    "dept", "gov", "est", "jr", "sr", "cf", "ca", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec",
}  # fmt: skip
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
    if start[:1] and start[0] not in _LEADING_QUOTES and not start[0].isdigit():
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
