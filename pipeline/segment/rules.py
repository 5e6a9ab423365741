"""Chinese segmentation rules, as data, in one place.

Everything the normaliser, the block classifier and the sentence splitter
decide about Chinese typography is defined here, so a rule can be read,
reviewed and changed without reading the algorithms that apply it. The
facts of the script they build on (Han characters, CJK punctuation, the
punctuation that ends a sentence) are in :mod:`pipeline.zh.script`.
"""

from __future__ import annotations

import re

from ..zh.script import HAN
from ..zh.width import fullwidth

# --- What is translated --------------------------------------------------------


def has_words(text: str) -> bool:
    """Whether ``text`` has anything to translate: a letter of any script.

    Han, Latin, but also a Cyrillic or Arabic quotation, which a translator
    must see; digits, symbols and punctuation alone (a section number) are
    copied verbatim.
    """
    return any(ch.isalpha() for ch in text)


# --- Normalisation (half-width → full-width) ---------------------------------

#: OCR-style half-width punctuation and the full-width form it takes in
#: Chinese context. Parentheses are converted in matched pairs.
HALF_TO_FULL = {ch: fullwidth(ch) for ch in ",:;?!"}  # ，：；？！
PAREN_PAIR = ("(", ")")
FULL_PAREN_PAIR = (fullwidth("("), fullwidth(")"))  # （ ）

# --- Sentences ---------------------------------------------------------------

# The sentence ends (。！？), the full stop, the ellipsis and the closing
# quotes and brackets are facts of the script: pipeline.zh.script. A run of
# sentence ends ends a sentence once, and closers stay with the sentence
# they close. The full stop is what running text has and headlines, which
# may hold ？ or ！, lack. The ellipsis ends a sentence only at the end of a
# block or before another sentence end; in the middle of a text it usually
# closes an enumeration (“……”目标计划) and the sentence goes on.

#: Pairs inside which no sentence is split (a quotation is kept whole) ...
QUOTE_PAIRS = {
    "\u201c": "\u201d",  # “ ”
    "\u2018": "\u2019",  # ‘ ’
    "\u300c": "\u300d",  # 「 」
    "\u300e": "\u300f",  # 『 』
    "\uff08": "\uff09",  # （ ）
    "\u300a": "\u300b",  # 《 》
}
#: ... unless the quotation is longer than this many characters, when it is
#: split like running text (a long quoted speech is several sentences).
MAX_UNSPLIT_QUOTE = 160
#: ； does not end a sentence by default.
SEMICOLON_ENDS_SENTENCE = False

# --- Blocks ------------------------------------------------------------------

#: A photo credit: （严龙 摄）, （资料图片）, （新华社发）, （图片由…提供）.
PHOTO_CREDIT = (
    r"[（(]\s*(?:"
    r"[^（）()\n]{1,30}?\s*(?:摄|摄影|供图|制图|绘|发)"
    r"|资料图片?|资料照片|图片来源[：:][^（）()\n]{1,30}"
    r"|(?:图片)?由[^（）()\n]{1,30}提供"
    r")\s*[）)]"
)
PHOTO_CREDIT_RE = re.compile(PHOTO_CREDIT)
#: A block that ends in a photo credit is a caption.
CAPTION_RE = re.compile(rf"(?:{PHOTO_CREDIT})\s*$")

#: A byline: 记者 成良田, 本报记者 张三 李四, 通讯员 王五, 文／图 赵六. The
#: space after the role is required: 记者手记 ("reporter's notes") is a heading.
_ROLE = r"(?:(?:本报|特约|见习)?记者|通讯员|实习生)"
BYLINE_RE = re.compile(
    rf"^(?:{_ROLE}[ \u3000]+|(?:(?:文|图|摄影)[ \u3000]*[／/:：]|文[／/]图[ \u3000:：]))[ \u3000]*"
    rf"[{HAN}·]{{2,5}}"
    rf"(?:(?:[ \u3000]+|[、，])(?:{_ROLE}[ \u3000]+)?[{HAN}·]{{2,5}})*$"
)

#: A credit line: who reported, edited or translated the piece
#: (凯文·卓鲍报道；乔纳森·奥迪斯编辑, 责任编辑：王五). Either two or more credits
#: (name + role, or role + name), or one role, a colon and the names.
_CREDIT_ROLE = r"(?:报道|编辑|责编|撰稿|撰文|采写|整理|编译|翻译|校对|审校|监制)"
_NAMES = rf"[{HAN}·A-Za-z]{{2,12}}(?:[、 \u3000][{HAN}·A-Za-z]{{2,12}})*"
_CREDIT = rf"(?:{_NAMES}[ \u3000]*{_CREDIT_ROLE}|(?:责任)?{_CREDIT_ROLE}[ \u3000]*[：:]?[ \u3000]*{_NAMES})"
CREDIT_LINE_RE = re.compile(
    rf"^[（(]?(?:{_CREDIT}(?:[ \u3000]*[；;，,|｜／/][ \u3000]*{_CREDIT})+"
    rf"|(?:责任)?{_CREDIT_ROLE}[ \u3000]*[：:][ \u3000]*{_NAMES})[）)]?$"
)

#: A dateline on a line of its own: 新华社北京3月5日电, 中新网5日电（记者 张三）,
#: 本报讯.
_DAY = "[0-9０-９一二三四五六七八九十]{1,3}"
DATELINE_RE = re.compile(rf"^(?:[{HAN}]{{0,12}}(?:{_DAY}月)?{_DAY}日电|本报讯)(?:[（(][^（）()\n]{{1,30}}[）)])?$")

#: A section number standing alone: 1, ２, 三, 一、, 4.
SECTION_NUMBER_RE = re.compile(r"^(?:[0-9０-９]{1,3}|[一二三四五六七八九十]{1,3})[、.．]?$")

#: A question-and-answer label at the start of a block: 记者：, 崔平：
SPEAKER_LABEL_RE = re.compile(rf"^(?P<label>[{HAN}·]{{1,6}}|[A-Z][A-Za-z.]{{0,10}})[：:][\s\u3000]*")
#: Labels of interview roles (问：, 答：, 记者：). Any other label must open
#: at least ``SPEAKER_LABEL_MIN_REPEATS`` blocks to name a speaker.
KNOWN_SPEAKER_LABELS = frozenset(["记者", "本报记者", "问", "答", "主持人", "Q", "A"])
SPEAKER_LABEL_MIN_REPEATS = 2
#: Verbs of saying. A label that ends in one is a reporting clause of running
#: news (他说：, 李强表示：), not the name of a speaker.
REPORTING_VERBS = tuple(
    """
    说 表示 指出 称 强调 认为 介绍 透露 坦言 回忆
    补充 解释 写道 问道 答道 宣布 提到 告诉记者
    """.split()
)
#: An interview is a dialogue: turns of different speakers that follow each
#: other directly (记者：… then 崔平：…) at least this many times. Speaker
#: labels are recognised only in such a document; elsewhere ``原标题：`` or
#: ``她说：`` opening a paragraph is running text.
MIN_DIALOGUE_EXCHANGES = 2

#: A block that holds no sentence end at all is a heading (or, at the top
#: of a document, the title or a subtitle): a headline, standfirst, subhead,
#: caption without a credit or dateline, whatever its length or clause
#: punctuation. A title or subtitle is at most ``MAX_TITLE_CHARS`` long.
MAX_TITLE_CHARS = 60
#: Clause punctuation: what running text has and most headlines lack.
CLAUSE_PUNCT = "，、；：,;:"

# --- Page-break repair ---------------------------------------------------------

#: Punctuation after which a printed line may break a sentence. A block
#: ending in it, or in a letter, digit or Han character, stops mid-clause. A
#: colon (他说：), semicolon (a list item), dash, opening quote or closing
#: quote ends a unit that the next paragraph does not continue.
MID_CLAUSE_PUNCT = "，、,"
#: Characters read on each side of a page break to see whether it falls
#: inside a word (并不 | 断演进 → 不断).
WORD_SPLIT_WINDOW = 4
#: A block without any sentence end is running text broken by a page break
#: (not a headline) only when it is longer than this, has clause
#: punctuation, and the break splits a word.
MAX_HEADING_CHARS = 30
