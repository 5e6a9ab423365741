"""The ``brackets-quotes`` check: quotes and brackets balanced in the
English, and a quotation of speech still quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..zh.script import count_han
from ..zh.width import fold_width
from .model import CheckContext

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


#: The lenticular and tortoise-shell brackets, read as square brackets.
_CJK_SQUARE_BRACKETS = str.maketrans("【】〔〕", "[][]")


def _ascii_brackets(text: str) -> str:
    """The brackets of ``text`` in ASCII: （）［］ by the width fold, 【】〔〕 as []."""
    return fold_width(text).translate(_CJK_SQUARE_BRACKETS)
