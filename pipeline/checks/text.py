"""The checks other than numbers: Chinese left in the English, copies,
MT loops, terminology, quotes and brackets, length, punctuation, case and
spacing. Each is a small function ``(source, target, context)`` that yields
one line per problem.

Length ratio
------------
English characters (letters, spaces and punctuation: ``len()`` of the
translation) per Han character of the source. Latin letters and digits in
the source ("AI for Science", "6吋") pass into the English about one for
one, so they are subtracted from the English length first. Han characters
are counted as :func:`weighted_han` says: Chinese numerals, which English
writes in digits, not at all, and dotted transliterated names at 0.6.

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

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from ..zh.numbers import CN_NUMERALS
from ..zh.script import CLOSERS, HAN, HAN_RE, count_han
from ..zh.words import words as jieba_words
from .model import CheckContext
from .numbers import is_number_word

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


# --- doubled-word --------------------------------------------------------------

#: A word (with an apostrophe: hotel's, we're) written twice. A hyphen may
#: precede it: "high-temperature temperature" repeats the word too.
_DOUBLED_RE = re.compile(r"(?<![\w'’])([^\W\d_]+(?:['’][^\W\d_]+)*)\s+(\1)(?![\w'’-])", re.IGNORECASE)
#: Words that English doubles on purpose: "he had had enough", "the point
#: is that that". ("What it is is" and "we do do" are grammatical too, but
#: the 5,961 professional translations of the news corpus never write them,
#: while a slip doubles "is" as easily as any word.)
GRAMMATICAL_DOUBLES = frozenset({"had", "that"})


#: A source that repeats a word of two to four characters (波拉波拉 "Bora
#: Bora", 加油加油 "go go"): its English may repeat one too.
_SOURCE_REPEAT_RE = re.compile(f"([{HAN}]{{2,4}})\\1")


#: One syllable of Hanyu Pinyin, without tone marks.
_PINYIN_SYLLABLE_RE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ui|ao|ou|iu|ie|ve|ue|er|an|en|in|un|ia|ua|uo|a|o|e|i|u|v)"
)


def _syllable_twice(word: str, source: str) -> bool:
    """Whether the source has two Han characters in a row that both read
    ``word`` in pinyin (杨洋 for "Yang Yang"): then "Yang Yang" is a name, while
    "He He" or "In In" is a slip."""
    if not _PINYIN_SYLLABLE_RE.fullmatch(word):
        return False
    from pypinyin import Style, lazy_pinyin

    for run in _HAN_RUN_RE.findall(source):
        readings = lazy_pinyin(run, style=Style.NORMAL)
        if any(a == b == word for a, b in zip(readings, readings[1:])):
            return True
    return False


def check_doubled_word(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """The same word twice in a row ("the the"), a slip of typing or of MT.
    Not the doubles of English grammar (had had, that that), and not where
    the source repeats a word itself (波拉波拉 → "Bora Bora")."""
    if _SOURCE_REPEAT_RE.search(source):
        return
    for m in _DOUBLED_RE.finditer(target):
        if m.group(1)[:1].isupper() and m.group(2)[:1].isupper() and _syllable_twice(m.group(1).lower(), source):
            continue  # a Chinese name with one syllable twice: 杨洋 Yang Yang, 魏巍 Wei Wei
        if m.group(1).lower() not in GRAMMATICAL_DOUBLES:
            yield f'"{m.group()}": a word written twice'
            return


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


# --- brackets-quotes -----------------------------------------------------------

# Correspondence. Chinese puts quotation marks around speech and around
# slogans, coined terms and emphasis (“王牌”, “一带一路”, “十四五”), and
# English drops the second kind as often as it keeps it ("the Belt and Road
# Initiative"). So only speech must stay quoted: a quotation after a verb of
# saying or a colon, or an entry that is a quotation as a whole. It may
# become English quotes or italics. 《》 never counts: a title may become
# plain text, and quotation marks inside a title go with it. Brackets are
# not compared at all: professional translations turn an aside into a
# clause ("Joko Widodo, popularly known as Jokowi") and drop a gloss
# (Apple（苹果）); measured on news, that rule was wrong 35 times out of 36.
_SOURCE_QUOTATION_RE = re.compile(r"[“「『\"](?P<content>[^”」』\"]+)[”」』\"]")
_TITLE_RE = re.compile(r"《[^》]*》")
_SPEECH_BEFORE = ("：", ":", "说", "道", "表示", "所言", "指出", "强调", "认为", "问", "答")
_ITALICS_RE = re.compile(r"(?<![\w*])\*[^*\s](?:[^*]*[^*\s])?\*(?![\w*])|(?<![\w_])_[^_\s](?:[^_]*[^_\s])?_(?![\w_])")
# A straight single quote opens a quotation after a space or an opening
# bracket and before a letter ('trump card'); anywhere else it is an
# apostrophe (Ningbo's, workers', '90s).
_SINGLE_OPENING_RE = re.compile(r"(?:(?<=^)|(?<=[\s(\[“\"]))'(?=[^\W\d_])")
_SINGLE_CLOSING_RE = re.compile(r"(?<=[^\s(\[])'(?=[\s.,;:!?)\]”\"—–-]|$)")
_BRACKET_PAIRS = {")": "(", "]": "["}
#: A straight double quote, not an inch mark between figures (5"2: five
#: feet two).
_STRAIGHT_QUOTE_RE = re.compile(r'(?<!\d)"|"(?!\d)')


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
    """Any quotation mark or italics: a quotation that goes on in the next
    entry has only its opening mark here."""
    return bool(
        "“" in text
        or "”" in text
        or "‘" in text
        or '"' in text
        or _SINGLE_OPENING_RE.search(text)
        or _SINGLE_CLOSING_RE.search(text)
        or _ITALICS_RE.search(text)
    )


#: Quotation marks of a source, by whether they open or close. A mark
#: after the final punctuation closes whatever its shape (a source typo:
#: …很多。“).
_SOURCE_OPENING, _SOURCE_CLOSING = "“「『‘", "”」』’"


def source_quotes_unbalanced(source: str) -> bool:
    """Whether the source opens a quotation it does not close, or closes
    one it did not open: a quotation that runs over several entries (news
    quotes paragraph after paragraph, and English leaves such a quotation
    open or closes it alone, as the source does)."""
    opened = sum(source.count(ch) for ch in _SOURCE_OPENING)
    closed = sum(source.count(ch) for ch in _SOURCE_CLOSING)
    return opened != closed or source.count('"') % 2 == 1


def _quotations(source: str) -> list[str]:
    """The quotations of the source that English must keep quoted, with
    their quotation marks: speech, after a verb of saying or a colon, or a
    whole entry in quotation marks. A quoted phrase inside a sentence (a
    slogan, a coined term, a reported thought) may lose its quotes."""
    text = _TITLE_RE.sub(lambda m: "》" * len(m.group()), source)  # keep positions, drop titles
    found = []
    for m in _SOURCE_QUOTATION_RE.finditer(text):
        speech = text[: m.start()].rstrip().rstrip("，,").endswith(_SPEECH_BEFORE)  # 他说，“…”
        whole = not text[: m.start()].strip() and not text[m.end() :].strip("。！？!?.，, ")
        if (speech or whole) and count_han(m.group("content")) >= 2:
            found.append(m.group())
    return found


def _shorten(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[-1]


def check_brackets_quotes(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """Quotes or brackets unbalanced in the English where the source is
    balanced, and a quotation of speech that lost its quotation marks.

    Brackets and quotation marks that English drops on purpose are not
    findings: an aside in （） becomes a clause between commas or dashes, a
    gloss such as Apple（苹果） loses its Chinese, 《》 becomes italics or a
    capitalised title, and a quoted slogan or term may be plain text."""
    problem = _bracket_problem(target)
    if problem and not _bracket_problem(_ascii_brackets(source)):
        yield f"unbalanced brackets: {problem}"
    if not source_quotes_unbalanced(source):
        for problem in (_double_curly_problem(target), _single_curly_problem(target)):
            if problem:
                yield f"unbalanced quotation marks: {problem}"
        if len(_STRAIGHT_QUOTE_RE.findall(target)) % 2:
            yield 'unbalanced quotation marks: an odd number of "'
        if len(_SINGLE_OPENING_RE.findall(target)) > len(_SINGLE_CLOSING_RE.findall(target)):
            yield "unbalanced quotation marks: ' without a closing '"

    quotations = _quotations(source)
    if quotations and not _has_quotes(target):
        yield f"the source quotes {_shorten(quotations[0])} but the translation has no quotation marks"


def _ascii_brackets(text: str) -> str:
    return text.translate(str.maketrans("（）【】〔〕［］", "()[][][]"))


# --- length-ratio --------------------------------------------------------------

#: The length model (see the module docstring): log(English characters per
#: Han character) is about normal with this mean, and a variance that
#: shrinks with the length of the source: LENGTH_VARIANCE_FLOOR +
#: LENGTH_VARIANCE_PER_HAN / han. Fitted on the 3,960 professional
#: translations of WMT newstest2018 (benchmarks/bench_checks.py).
LOG_CHARS_PER_HAN = 1.42
LENGTH_VARIANCE_FLOOR = 0.035
LENGTH_VARIANCE_PER_HAN = 1.1
#: How many standard deviations below (short) or above (long) the mean a
#: translation may lie; the long side has the wider bound because
#: explanations unfold, while condensing has its limits.
MAX_SHORT_Z = 2.5
MAX_LONG_Z = 4.5
MIN_HAN_FOR_RATIO = 8
_LATIN_RE = re.compile(r"[A-Za-z0-9]")


#: A Latin gloss in brackets right after Chinese text: the original form
#: of a name the source has just transliterated (米歇尔·普拉蒂尼 (Michel
#: Platini), 麦维他公司（McVitie）).
_LATIN_GLOSS_RE = re.compile(f"(?<=[{HAN}·•?？])\\s*[(（]\\s*[A-Za-z][A-Za-z .'’&-]*[)）]")


#: A transliterated foreign name, written with a middle dot (吉尔伯托·罗德里格斯):
#: a Han character per syllable, where English spends about 2.5 letters,
#: so each of its characters weighs TRANSLITERATION_WEIGHT.
_DOTTED_NAME_RE = re.compile(f"(?<![{HAN}])[{HAN}]+(?:[·•][{HAN}]+)+")  # from a run's start: linear
TRANSLITERATION_WEIGHT = 0.6


def weighted_han(source: str) -> float:
    """The Han characters of the source as the length model counts them:
    numbers in Chinese numerals (七十七号, 二〇一八年, 一千五百多名) not at all,
    since English writes them in digits, about one for one, as if they passed
    through (two numerals or more, in words jieba reads as numbers: not
    统一, 一些, 三明治); transliterated names with a middle dot at
    :data:`TRANSLITERATION_WEIGHT`."""
    numerals = run = 0  # numerals of the number words in a row (二|〇|一|八年)
    for word in jieba_words(source) + ("",):
        if word and is_number_word(word):
            run += sum(ch in CN_NUMERALS for ch in word)
            continue
        numerals += run if run >= 2 else 0
        run = 0
    dotted = sum(count_han(m.group()) for m in _DOTTED_NAME_RE.finditer(source))
    return count_han(source) - numerals - (1 - TRANSLITERATION_WEIGHT) * dotted


def chars_per_han(source: str, target: str) -> float | None:
    """English characters per Han character of the source (as
    :func:`weighted_han` counts them), not counting the Latin letters and
    digits that pass through; None for short sources.

    A Latin gloss of a transliterated name does not pass through: English
    says the name once, in its Latin form, for the Han characters before
    the gloss; its letters are English written for them."""
    han = weighted_han(source)
    if count_han(source) < MIN_HAN_FOR_RATIO or han < MIN_HAN_FOR_RATIO / 2:
        return None
    passed = len(_LATIN_RE.findall(_LATIN_GLOSS_RE.sub("", source)))
    english = max(0, len(target.strip()) - passed)
    return english / han


def length_z(source: str, target: str) -> float | None:
    """How many standard deviations the translation's length lies from
    what the length model expects for the source; None for short sources."""
    ratio = chars_per_han(source, target)
    if ratio is None:
        return None
    spread = math.sqrt(LENGTH_VARIANCE_FLOOR + LENGTH_VARIANCE_PER_HAN / weighted_han(source))
    return (math.log(max(ratio, 0.05)) - LOG_CHARS_PER_HAN) / spread


def check_length_ratio(source: str, target: str, context: CheckContext) -> Iterator[str]:
    """A translation far shorter or longer than the length model expects."""
    z = length_z(source, target)
    if z is None:
        return
    ratio = chars_per_han(source, target)
    expected = math.exp(LOG_CHARS_PER_HAN)
    if z < -MAX_SHORT_Z:
        yield f"the translation is short: {ratio:.1f} characters per Chinese character (expected about {expected:.1f} for a source this long)"
    elif z > MAX_LONG_Z:
        yield f"the translation is long: {ratio:.1f} characters per Chinese character (expected about {expected:.1f} for a source this long)"


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
    "iPhone", "iPad", "iPod", "iOS", "iMac", "iCloud", "iQIYI", "iFlytek", "eBay", "macOS", "mRNA", "pH",
    "vivo", "realme",
)  # fmt: skip
_ABBREVIATIONS = {
    "etc", "vs", "no", "mr", "mrs", "ms", "dr", "prof", "st", "co", "ltd", "inc", "corp", "approx", "fig", "vol",
    "dept", "gov", "est", "jr", "sr", "cf", "ca", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "assn", "govt", "univ", "gen", "col", "lt", "sgt", "rep", "sen", "rev", "mt", "ft",
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
