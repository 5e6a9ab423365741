"""Term suggestions: entries the termbase lacks, proposed for a person to confirm.

``suggest_terms`` reads source text (the segments of documents, each with
its location), cuts it into words with jieba (``words_of``: each word with
its part of speech) and proposes

* **people**, from the places news text names them unambiguously: speaker
  labels (崔平：), bylines (记者 成良田), photo credits (（严龙 摄）), titles
  next to a name (主任崔平, 李泽湘教授, 习近平总书记), names with a ``·``
  (安吉拉·默克尔), and the words jieba tags as names where a role or a
  speech verb stands next to them (美国总统特朗普, 约翰逊表示). A name is
  either **foreign**, written in transliteration characters
  (``romanise.transliteration_score``: 默克尔, 约翰逊), and then gets no
  English: its spelling must be looked up; or **Chinese**, a known surname
  and a given name, proposed in Hanyu Pinyin (GB/T 28039, ``romanise.py``)
  with a warning that the press writes names from Taiwan and Hong Kong in
  other romanisations (``name_advice``);
* **organisations and places**: names ending in a suffix such as 实验室,
  大学, 公司 (organisations), jieba's organisation words (海关总署), known
  places, with or without 省, 市, 县, 区, and jieba's place words. A name is
  made of whole words: it starts at a word boundary and never takes in a
  verb, a preposition or a pronoun before it (告诉|英国广播公司). The English
  is proposed where it is mechanical (宁波市 → Ningbo, 浙江省 → Zhejiang
  Province, 甬江实验室 → Yongjiang Laboratory) and left empty otherwise;
* **recurring terms**: Han n-grams of 2–6 characters that occur at least
  three times, are whole words, are not part of a longer one that occurs
  as often, are not covered by another candidate, and are unusual in
  general news: their document frequency in the background (jieba's IDF
  table, ``background_idf``) is low (新型工业化, 贸易战; not 发展, 合作).
  They are ranked by how much more often the text uses them than general
  news does. Their English is left for a person.

Candidates are never confirmed entries: ``write_candidates`` merges them
into a candidates file (``locales/glossary-candidates.tsv``, same columns as
the glossary, evidence in the note) and never touches the glossary itself.
A person moves the rows they confirm into ``glossary.tsv``.
"""

from __future__ import annotations

import bisect
import io
import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from ..atomicfile import atomic_write
from ..catalog import load_catalog
from ..catalog.template import repairs_page_breaks
from ..config import load_config
from ..formats import load_document
from ..segment import Document
from ..segment.rules import (
    BYLINE_RE,
    KNOWN_SPEAKER_LABELS,
    PHOTO_CREDIT_RE,
    SPEAKER_LABEL_MIN_REPEATS,
    SPEAKER_LABEL_RE,
)
from ..sources import document_name
from ..workspace import Workspace
from ..zh.script import HAN_RUN_RE, is_han
from .lexicon import (
    COMMON_WORDS,
    DOUBLE_SURNAMES,
    GENERIC_HEADS,
    GEOGRAPHIC_NAME_ENDINGS,
    HONG_KONG_CONTEXT,
    HONORIFICS,
    KNOWN_PLACES,
    MIN_COMMON_WORDS_OF_A_NAME,
    NAME_BREAK_CHARS,
    NAME_FIRST_TAGS,
    NAME_FOLLOWERS,
    NAME_PART_SEPARATORS,
    NAME_PART_TAGS,
    NAME_PRECEDERS,
    NAME_SCOPE_WORDS,
    NOT_ORGANISATION_ENDINGS,
    NOT_PLACE_SUFFIX_WORDS,
    NUMERAL_STARTS,
    ORGANISATION_HEAD_CHARS,
    ORGANISATION_SUFFIXES,
    PERSON_CONTEXT_WORDS,
    PERSON_TAGS,
    PLACE_SUFFIXES,
    PROPER_NOUN_TAGS,
    REGION_CONTEXT_WINDOW,
    SINGLE_SURNAMES,
    SPEECH_VERBS,
    TAIWAN_CONTEXT,
    TITLES_AFTER_NAME,
    TITLES_BEFORE_NAME,
    TITLES_EITHER_SIDE,
    UNCHECKED_DICTIONARY_FREQUENCY,
    WELL_KNOWN_ORGANISATION_FREQUENCY,
)
from .romanise import is_transliterated_name, is_transliteration_character, pinyin_word, romanise_name
from .termbase import Term, Termbase, read_glossary_file, read_termbase, termbase_bytes

#: A Han n-gram is proposed when it occurs at least this often.
MIN_RECURRENCE = 3
NGRAM_SIZES = range(2, 7)
#: The part of an organisation's name before its suffix: 2 to this many characters.
MAX_ORGANISATION_PREFIX = 12
#: An n-gram is a fragment of a longer unit when one neighbouring character
#: accompanies at least this share of its occurrences.
FRAGMENT_SHARE = 0.8
#: ... and a side of an n-gram that never meets a text edge or a function
#: character is still a word boundary when it meets this many different characters.
MIN_NEIGHBOURS = 3

#: A part of a foreign name (between ·) is at most this many characters.
MAX_NAME_PART = 8
#: A recurring n-gram is a term only when general news uses it rarely: its
#: background IDF (``term_idf``) is at least this, i.e. it is in fewer than
#: about one document in 8,000 (发展 3.6, 合作 5.5, 足球 8.2; 贸易战 9.8). Tuned on newstest2018.
MIN_TERM_IDF = 9.0
#: ... and when most of its occurrences are whole words to jieba.
MIN_WHOLE_WORD_SHARE = 0.5
#: A term of one word is general vocabulary when jieba's dictionary counts
#: it this often or more (决赛 1761, 篮球 634, 恐龙 299; 色氨酸 20, 电商 5),
#: unless it is a proper noun. Tuned on newstest2018.
GENERAL_WORD_FREQUENCY = 100
#: A phrase of common words is a term when at least this share of the
#: occurrences of its least frequent word are in it. Tuned on newstest2018.
MIN_TERM_COHESION = 0.5
#: jieba tags that end a term besides nouns (n...): verbal nouns (攻坚),
#: abbreviations (冬奥会), Latin words.
TERM_HEAD_TAGS = frozenset({"vn", "j", "eng"})
#: ... and tags that never start one: verbs (not verbal nouns: 行动纲要),
#: adjectives used as adverbs, idioms and set phrases (学习贯彻, 深刻领会, 坚定不移).
NOT_TERM_START_TAGS = ("v", "ad", "i", "l")
#: jieba tags of names: a name is a term however often the dictionary counts it.
NAME_TAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt"})

CANDIDATE_NOTE = "candidate"
#: Evidence from the page's layout, which no dictionary overrules.
_LAYOUT_EVIDENCE = frozenset({"speaker label", "byline", "photo credit"})

_BREAKS = re.compile(f"[{''.join(sorted(NAME_BREAK_CHARS))}]+")
_TITLES = {t: "either" for t in TITLES_EITHER_SIDE}
_TITLES.update({"副" + t: "either" for t in TITLES_EITHER_SIDE})
_TITLES.update({t: "after" for t in TITLES_AFTER_NAME})
_TITLES.update({t: "before" for t in TITLES_BEFORE_NAME})
_TITLE_RE = re.compile("|".join(sorted(_TITLES, key=len, reverse=True)))
_PLACE_RE = re.compile(
    "(" + "|".join(sorted(KNOWN_PLACES, key=len, reverse=True)) + ")(" + "|".join(PLACE_SUFFIXES) + ")?"
)
_ORGANISATION_END_RE = re.compile("(?:" + "|".join(sorted(ORGANISATION_SUFFIXES, key=len, reverse=True)) + ")$")
_SUFFIXES = frozenset(ORGANISATION_SUFFIXES) | frozenset(PLACE_SUFFIXES)
#: A place word (jieba's ns) ending in one of these is a place: 井陉县, 密西西比河.
_PLACE_ENDINGS = frozenset(PLACE_SUFFIXES) | GEOGRAPHIC_NAME_ENDINGS | frozenset("州镇乡村国")
_CREDIT_WORD = re.compile(r"[\s\u3000]*(?:摄影|摄|供图|制图|绘|发)$")
_NAME_SEPARATORS = re.compile(r"[\s\u3000、，,／/]+")


@dataclass(frozen=True)
class Passage:
    """A piece of source text and where it stands (``seeds/x.txt:5``).

    ``part`` and ``block`` are the segmenter's words for it (``speaker-label``,
    ``byline``); plain text passages are body sentences."""

    text: str
    location: str = ""
    part: str = "sentence"
    block: str = "body"


@dataclass(frozen=True)
class Candidate:
    """A proposed termbase entry with the evidence for it.

    ``en`` is empty when no English form can be proposed mechanically;
    ``evidence`` says how it was found (``speaker label``, ``title 主任``,
    ``suffix 实验室``, ``recurring``)."""

    zh: str
    en: str
    type: str
    count: int
    first_location: str
    evidence: tuple[str, ...] = ()
    #: What a person should know before confirming it: a foreign name's
    #: English must be looked up; a Chinese name may be romanised otherwise.
    advice: str = ""
    #: For people: ``foreign`` (transliterated) or ``chinese``.
    origin: str = ""

    @property
    def note(self) -> str:
        """``candidate; 4×; seeds/x.txt:5; speaker label, title 主任; <advice>``."""
        parts = [CANDIDATE_NOTE, f"{self.count}×"]
        if self.first_location:
            parts.append(self.first_location)
        if self.evidence:
            parts.append(", ".join(self.evidence))
        if self.advice:
            parts.append(self.advice)
        return "; ".join(parts)

    def as_term(self) -> Term:
        return Term(self.zh, self.en, self.type, self.note)


def document_passages(document: Document, source_ref: str) -> list[Passage]:
    """The translatable segments of a segmented document, as passages."""
    return [
        Passage(seg.text, f"{source_ref}:{seg.line}", seg.part.value, block.type.value)
        for block, seg in document.segments()
        if seg.translatable
    ]


def source_passages(path: Path, source_ref: str | None = None, repair: bool = True) -> list[Passage]:
    """Read and segment a source document into passages, in its format
    (plain text, HTML, …), with page-break repair or not (``repair``)."""
    document = load_document(path, source_ref or str(path), repair=repair)
    return document_passages(document, source_ref or str(path))


def workspace_passages(ws: Workspace, path: Path) -> list[Passage]:
    """The passages of the source at ``path`` of ``ws``, cut as ``pipeline
    extract`` and the build cut it: read inside the workspace, with its
    configuration, and with page-break repair as the document's catalog
    records (:func:`~pipeline.catalog.template.repairs_page_breaks`: on for
    a document not extracted yet), so that a candidate's line and evidence
    are those of the catalog's segments."""
    ref = ws.source_ref(path)  # a regular file inside the workspace, or refused
    doc = document_name(path, ref)
    po_path = ws.catalog_path(doc)
    catalog = load_catalog(po_path, ws.relative(po_path), inside=ws.root) if po_path.exists() else None
    repair = repairs_page_breaks(catalog)
    document = load_document(path, ref, inside=ws.root, name=doc, repair=repair, config=load_config(ws.root))
    return document_passages(document, ref)


# --- Words ----------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A word of a passage as jieba cuts it, with its part of speech (``tag``:
    nr person, nrt transliterated name, ns place, nt organisation, v verb ...)
    and where it starts in the passage."""

    text: str
    tag: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def is_han(self) -> bool:
        return all(is_han(ch) for ch in self.text)


def words_of(text: str) -> list[Word]:
    """``text`` cut into words by jieba, with parts of speech. jieba (and its
    dictionary, ~0.5 s) is loaded on first use."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict ..." on every run
    words, pos = [], 0
    for pair in jieba.posseg.cut(text):
        words.append(Word(pair.word, pair.flag, pos))
        pos += len(pair.word)
    return words


@lru_cache(maxsize=1)
def background_idf() -> tuple[dict[str, float], float]:
    """Inverse document frequency of words in general text, and the IDF of a
    word it has never seen: jieba's IDF table (``jieba/analyse/idf.txt``,
    which ships with jieba). 发展 is 3.6 (in every 36th document), 贸易战 9.8."""
    from jieba.analyse.tfidf import DEFAULT_IDF, IDFLoader

    loader = IDFLoader(DEFAULT_IDF)
    return loader.idf_freq, max(loader.idf_freq.values())


# --- People ---------------------------------------------------------------------


def is_person_name(zh: str, strict: bool = False) -> bool:
    """Whether ``zh`` can be a Chinese personal name: a known surname and a
    given name of one or two characters, none of them a function word.

    ``strict`` (for names found next to a title, inside running text) also
    refuses a name that starts with a function character (主任向记者 ...)."""
    if not 2 <= len(zh) <= 4 or not all(is_han(ch) for ch in zh):
        return False
    if zh[:2] in DOUBLE_SURNAMES and 3 <= len(zh) <= 4:
        given = zh[2:]
    elif zh[0] in SINGLE_SURNAMES and len(zh) <= 3:
        given = zh[1:]
    else:
        return False
    if any(ch in NAME_BREAK_CHARS for ch in given) or given in _TITLES or given in HONORIFICS:
        return False  # 王先生 is Mr Wang
    if strict and zh[0] in NAME_BREAK_CHARS:
        return False
    # 书记强调 is not a name 强调; a one-character follower (曾) may still be a surname.
    return not any(zh.find(word, 0 if len(word) > 1 else 1) != -1 for word in NAME_FOLLOWERS)


def _title_at(text: str, pos: int) -> bool:
    return _TITLE_RE.match(text, pos) is not None


def _name_ends_at(text: str, pos: int) -> bool:
    """Whether a name can end before ``pos``: the text ends, or a non-Han
    character, a function word, a following verb or a title comes next."""
    if pos < len(text) and text[pos] in NAME_PART_SEPARATORS:
        return False  # 肖恩|·萨顿 goes on
    if pos >= len(text) or not is_han(text[pos]) or text[pos] in NAME_BREAK_CHARS:
        return True
    return any(text.startswith(word, pos) for word in NAME_FOLLOWERS) or _title_at(text, pos)


def _name_starts_at(text: str, pos: int) -> bool:
    """Whether a name can start at ``pos``: after the start, a non-Han
    character, a function character or a word that precedes names."""
    if pos > 0 and text[pos - 1] in NAME_PART_SEPARATORS:
        return False
    if pos <= 0 or not is_han(text[pos - 1]) or text[pos - 1] in NAME_BREAK_CHARS:
        return True
    return any(text.endswith(word, 0, pos) for word in NAME_PRECEDERS)


def _name_after(text: str, pos: int) -> str | None:
    """The longest plausible name that starts at ``pos`` (主任|崔平)."""
    for length in (4, 3, 2):
        name = text[pos : pos + length]
        if len(name) == length and is_person_name(name, strict=True) and _name_ends_at(text, pos + length):
            return name
    return None


def _name_before(text: str, pos: int) -> str | None:
    """The longest plausible name that ends at ``pos`` (李泽湘|教授)."""
    for length in (4, 3, 2):
        start = pos - length
        if start < 0:
            continue
        name = text[start:pos]
        if is_person_name(name, strict=True) and _name_starts_at(text, start):
            return name
    return None


def _people(passages: list[Passage]) -> list[tuple[str, str, Passage]]:
    """``(name, evidence, passage)`` for every person named unambiguously by
    the layout or a title (speaker labels, bylines, credits, 主任崔平)."""
    found: list[tuple[str, str, Passage]] = []
    label_counts = Counter(m.group("label") for p in passages if (m := SPEAKER_LABEL_RE.match(p.text)))
    for p in passages:
        text = p.text
        label = SPEAKER_LABEL_RE.match(text)
        if label:
            name = label.group("label")
            repeated = label_counts[name] >= SPEAKER_LABEL_MIN_REPEATS
            if name not in KNOWN_SPEAKER_LABELS and (p.part == "speaker-label" or repeated) and is_person_name(name):
                found.append((name, "speaker label", p))
        if p.block == "byline" or BYLINE_RE.match(text):
            for token in HAN_RUN_RE.findall(text):
                if is_person_name(token):
                    found.append((token, "byline", p))
        for credit in PHOTO_CREDIT_RE.finditer(text):
            inner = _CREDIT_WORD.sub("", credit.group(0)[1:-1].strip())
            for token in _NAME_SEPARATORS.split(inner):
                if is_person_name(token):
                    found.append((token, "photo credit", p))
        for title in _TITLE_RE.finditer(text):
            side = _TITLES[title.group(0)]
            if side in ("either", "before") and (name := _name_after(text, title.end())):
                found.append((name, f"title {title.group(0)}", p))
            if side in ("either", "after") and (name := _name_before(text, title.start())):
                found.append((name, f"title {title.group(0)}", p))
    return found


#: jieba tags of words that never belong to a name: prepositions, conjunctions,
#: particles, pronouns, adverbs, numerals, measure words, locatives.
_FUNCTION_TAGS = ("p", "c", "u", "r", "d", "m", "q", "f", "y", "e", "o")


def _transliteration_word(word: Word) -> bool:
    """A word that can be (a piece of) a transliterated name: Han, not a
    function word, and every character a transliteration syllable."""
    return (
        word.is_han
        and not word.tag.startswith(_FUNCTION_TAGS)
        and all(ch not in NAME_BREAK_CHARS and is_transliteration_character(ch) for ch in word.text)
    )


def _extend_transliteration(words: list[Word], first: int, last: int) -> tuple[int, int]:
    """``words[first:last + 1]`` widened over the transliteration words
    around them, which jieba often cuts off a long name (扎克|伯格,
    彭德尔|顿): never over a function word (萨顿|因, 当|弗拉基米尔), a word
    with other characters (发言人|霍普, 总统|唐纳德), nor past ``MAX_NAME_PART``
    characters on a side. Returns the first and last index."""
    length = 0
    while (
        first > 0 and _transliteration_word(words[first - 1]) and length + len(words[first - 1].text) <= MAX_NAME_PART
    ):
        first -= 1
        length += len(words[first].text)
    length = 0
    while (
        last + 1 < len(words)
        and _transliteration_word(words[last + 1])
        and length + len(words[last + 1].text) <= MAX_NAME_PART
    ):
        last += 1
        length += len(words[last].text)
    return first, last


def _dotted_names(words: list[Word]) -> list[str]:
    """Names whose parts a ``·`` joins (安吉拉·默克尔, 约翰·勒卡雷): the Han
    words on both sides of each separator, widened over the transliteration
    words around them (``_extend_transliteration``), when the whole reads as
    a transliteration (创卫·携手 is two slogans)."""
    names, i, n = [], 1, len(words)
    while i < n - 1:
        if not (_is_part_separator(words[i]) and words[i - 1].is_han and words[i + 1].is_han):
            i += 1
            continue
        first, last = i - 1, i + 1
        while last + 2 < n and _is_part_separator(words[last + 1]) and words[last + 2].is_han:
            last += 2
        first, last = _extend_transliteration(words, first, last)
        name = "".join(w.text for w in words[first : last + 1])
        if len(name) - name.count("·") >= 3 and is_transliterated_name(name):
            names.append(name)
        i = last + 2
    return names


def _is_part_separator(word: Word) -> bool:
    return len(word.text) == 1 and word.text in NAME_PART_SEPARATORS


def _person_context(words: list[Word], i: int) -> str | None:
    """The word next to ``words[i]`` that says it names a person: a role or
    title before it (美国总统|特朗普), an honorific (默克尔|女士) or a speech
    verb after it (约翰逊|表示). A role after a word does not count: 阿富汗|总统
    is a country's president."""
    before = words[i - 1].text if i > 0 else ""
    after = words[i + 1].text if i + 1 < len(words) else ""
    if before in PERSON_CONTEXT_WORDS or before in _TITLES:
        return before
    if after in HONORIFICS or after in SPEECH_VERBS:
        return after
    return None


def _dictionary_tag(word: str) -> str | None:
    """jieba's dictionary tag of ``word`` (None for a word it does not list)."""
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab.get(word)


def _people_in_words(passages: list[Passage], words: list[list[Word]]) -> list[tuple[str, str, Passage]]:
    """``(name, evidence, passage)`` for names that jieba's words show:
    names with a ``·``, and words jieba tags as person names (nr, nrt, nrfg)
    that a role, a title or a speech verb stands next to."""
    found: list[tuple[str, str, Passage]] = []
    for p, ws in zip(passages, words, strict=True):
        for name in _dotted_names(ws):
            found.append((name, "name with ·", p))
        for i, w in enumerate(ws):
            if w.tag not in PERSON_TAGS or len(w.text) < 2 or not w.is_han:
                continue
            if any(0 <= j < len(ws) and _is_part_separator(ws[j]) for j in (i - 1, i + 1)):
                continue  # a part of a name with ·, taken whole above
            if (listed := _dictionary_tag(w.text)) is not None and listed not in PERSON_TAGS:
                continue  # jieba lists it as something else (a place, a verb)
            if (context := _person_context(ws, i)) is None:
                continue
            first, last = i, i
            if is_transliterated_name(w.text):
                first, last = _extend_transliteration(ws, i, i)
                # ... but not over the word that said it is a person (主帅|默克尔).
                if i > 0 and ws[i - 1].text == context:
                    first = max(first, i)
                if i + 1 < len(ws) and ws[i + 1].text == context:
                    last = min(last, i)
            found.append(("".join(x.text for x in ws[first : last + 1]), f"next to {context}", p))
    return found


def name_origin(zh: str) -> str:
    """``foreign`` for a name in transliteration (默克尔, 安吉拉·默克尔),
    ``chinese`` for a Chinese name (崔平), empty for neither."""
    if any(sep in zh for sep in NAME_PART_SEPARATORS) or is_transliterated_name(zh):
        return "foreign"
    return "chinese" if is_person_name(zh) else ""


#: The note on a foreign name: its English is its own spelling, not pinyin.
FOREIGN_NAME_ADVICE = "foreign name in transliteration: look up its English spelling (no pinyin)"
#: The note on every Chinese name.
CHINESE_NAME_ADVICE = (
    "pinyin (GB/T 28039); a name from Taiwan or Hong Kong may be spelt otherwise in the press "
    "(Wade–Giles: Chen Shui-bian; Cantonese: Leung Chun-ying)"
)


def name_advice(origin: str, region_word: str | None = None) -> str:
    """What a person should check before confirming a name: a foreign name
    must be looked up; a Chinese one may have another romanisation, and
    ``region_word`` (台湾, 香港 next to the name) says which."""
    if origin == "foreign":
        return FOREIGN_NAME_ADVICE
    if region_word in TAIWAN_CONTEXT:
        return (
            f"pinyin (GB/T 28039), but named near {region_word}: the press writes Taiwanese names in "
            "Wade–Giles (Chen Shui-bian); check the person's own spelling"
        )
    if region_word in HONG_KONG_CONTEXT:
        return (
            f"pinyin (GB/T 28039), but named near {region_word}: the press writes Hong Kong and Macao names "
            "in Cantonese romanisation (Leung Chun-ying); check the person's own spelling"
        )
    return CHINESE_NAME_ADVICE


_REGION_RE = re.compile("|".join(sorted(TAIWAN_CONTEXT + HONG_KONG_CONTEXT, key=len, reverse=True)))


def _region_near(corpus: str, name: str) -> str | None:
    """The first Taiwan or Hong Kong word within ``REGION_CONTEXT_WINDOW``
    characters of an occurrence of ``name`` in the same passage."""
    for m in re.finditer(re.escape(name), corpus):
        lo = max(corpus.rfind("\x00", 0, m.start()) + 1, m.start() - REGION_CONTEXT_WINDOW)
        hi = corpus.find("\x00", m.end())
        hi = min(len(corpus) if hi == -1 else hi, m.end() + REGION_CONTEXT_WINDOW)
        if region := _REGION_RE.search(corpus, lo, hi):
            return region.group(0)
    return None


# --- Organisations and places ----------------------------------------------------


def proper_name_english(zh: str) -> str | None:
    """The English of a proper name that can be had mechanically: a known
    place (宁波 → Ningbo) or a two-character geographic name (甬江 → Yongjiang).
    Never for a transliterated foreign name, whose English is its own spelling."""
    if zh in KNOWN_PLACES:
        return KNOWN_PLACES[zh]
    if len(zh) == 2 and zh[-1] in GEOGRAPHIC_NAME_ENDINGS and not is_transliterated_name(zh):
        return pinyin_word(zh)
    return None


def _name_start_in_words(words: list[Word], last: int, limit: int) -> int:
    """The index of the first word of a name that ends with ``words[last]``:
    back over the words that can be part of a name (nouns, proper nouns),
    at most ``limit`` characters before the last word, and never over a verb,
    a preposition or a pronoun (告诉|英国广播公司). Its first word is a noun.
    A bare suffix word may take one verb that jieba's dictionary does not
    list as its modifier (超算|中心), never a listed verb (员工脱离|公司)."""
    start, length = last, 0
    while start > 0:
        previous = words[start - 1]
        modifier = (
            start == last
            and words[last].text in ORGANISATION_SUFFIXES
            and previous.tag == "v"
            and dictionary_frequency(previous.text) == 0
        )
        fits = previous.tag in NAME_PART_TAGS or modifier
        if not previous.is_han or not fits or length + len(previous.text) > limit:
            break
        start -= 1
        length += len(previous.text)
    while start < last and words[start].tag not in NAME_FIRST_TAGS:
        start += 1
    return start


def dictionary_frequency(word: str) -> int:
    """How often jieba's dictionary counts ``word`` (0: not listed)."""
    import jieba

    jieba.dt.check_initialized()
    return jieba.dt.FREQ.get(word) or 0


def _is_proper(word: Word) -> bool:
    """Whether ``word`` makes a phrase a name: a proper noun of jieba's
    dictionary (宁波, 孔子, 南水北调) or a word it does not list, found by its
    model (开滦, 科创). Entries added in bulk, unchecked (上市公司, 3), do not count."""
    frequency = dictionary_frequency(word.text)
    if frequency == 0:
        return word.is_han
    return word.tag in PROPER_NOUN_TAGS and frequency > UNCHECKED_DICTIONARY_FREQUENCY


def _is_organisation_word(word: Word) -> bool:
    """Whether a word jieba tags as an organisation (nt) names an
    institution: it ends like one (外交部, 新华社, 中共中央) or jieba's
    dictionary knows it well (联合国); not 国际化, 中俄关系, 公共交通."""
    if word.tag != "nt" or len(word.text) < 3 or not word.is_han or word.text.endswith(NOT_ORGANISATION_ENDINGS):
        return False
    frequency = dictionary_frequency(word.text)
    if 0 < frequency <= UNCHECKED_DICTIONARY_FREQUENCY:
        return False  # 全党全军, 商业机会, 美中关系: added in bulk, unchecked
    return word.text[-1] in ORGANISATION_HEAD_CHARS or frequency >= WELL_KNOWN_ORGANISATION_FREQUENCY


def _is_place_word(zh: str) -> bool:
    """A place (美国, 宁波市), a one-character country (叙, 美) or nothing
    (a bare class noun: 国家队)."""
    if len(zh) <= 1:
        return True
    if zh[-1] in PLACE_SUFFIXES and (zh[:-1] in KNOWN_PLACES or _dictionary_tag(zh[:-1]) == "ns"):
        return True
    return zh in KNOWN_PLACES or _dictionary_tag(zh) == "ns"


def _is_common_phrase(name: str, words: list[Word], suffix: str | None) -> bool:
    """Whether a name-shaped phrase is a common noun phrase, not a name:
    nothing proper before its suffix (能源|公司, 私人|银行, 有限公司: see
    ``MIN_COMMON_WORDS_OF_A_NAME``), or a place and a class noun (美国公司
    "US companies", 印度政府 "the Indian government"). An organisation word
    (外交部) is a name by itself."""
    if suffix is not None:
        modifiers = words[:-1]
        if len(words[-1].text) > len(suffix):
            modifiers = [*modifiers, words[-1]]  # 苹果公司, 有限公司: the word holds its modifier
        # Words of one character are pieces of a word jieba did not know (风|投|公司).
        words_of_name = [w for w in modifiers if len(w.text) > 1]
        if not any(_is_proper(w) for w in modifiers) and len(words_of_name) < MIN_COMMON_WORDS_OF_A_NAME:
            return True
    return any(name.endswith(head) and _is_place_word(name[: -len(head)]) for head in GENERIC_HEADS)


def _organisations(passages: list[Passage], words: list[list[Word]]) -> list[tuple[str, str, str, str, Passage]]:
    """``(zh, en, type, evidence, passage)`` for names that end in an
    organisation suffix at a word's end (甬江|实验室, 英国广播公司), and for
    jieba's organisation words that name an institution (海关总署), each
    taken back to where the name starts (``_name_start_in_words``); never a
    common phrase (``_is_common_phrase``: 能源公司, 美国公司)."""
    found = []
    for p, ws in zip(passages, words, strict=True):
        for i, w in enumerate(ws):
            if not w.is_han:
                continue
            suffix = _ORGANISATION_END_RE.search(w.text)
            if suffix is None and not _is_organisation_word(w):
                continue
            if i + 1 < len(ws) and len(ws[i + 1].text) == 1 and dictionary_frequency(w.text[-1] + ws[i + 1].text):
                continue  # jieba cut a longer word: 民政部|门 is 民政|部门, 天文学|家 is 天文|学家
            start = _name_start_in_words(ws, i, MAX_ORGANISATION_PREFIX)
            if suffix is None:
                # An organisation word is a whole name: only a place or a scope word
                # widens it (中国|外交部, 英国|国家统计局; not 代表|中共中央, 汪洋|代表|中共中央).
                while start < i and not all(_widens_a_name(x) for x in ws[start:i]):
                    start += 1
            elif _is_proper(w) and not any(_widens_a_name(x) or _is_proper(x) for x in ws[start:i]):
                start = i  # a whole name after common nouns: 建部|会同|人民银行
            # A name starts after another organisation's suffix that a proper noun follows
            # (制药公司|美国默克集团, 英国教育集团|培生集团).
            for k in range(i - 1, start, -1):
                if _ORGANISATION_END_RE.search(ws[k - 1].text) and _is_proper(ws[k]):
                    start = k
                    break
            name = p.text[ws[start].start : w.end]
            if _is_common_phrase(name, ws[start : i + 1], suffix and suffix.group(0)):
                continue
            if suffix is None:
                found.append((name, "", "organisation", "organisation word", p))
                continue
            prefix = name[: len(name) - len(suffix.group(0))]
            if len(prefix) < 2 or prefix[0] in NUMERAL_STARTS:
                continue  # a bare 本实验室 / 该公司 / 两家公司
            proper = proper_name_english(prefix)
            en = f"{proper} {ORGANISATION_SUFFIXES[suffix.group(0)]}" if proper else ""
            found.append((name, en, "organisation", f"suffix {suffix.group(0)}", p))
    return found


def _widens_a_name(word: Word) -> bool:
    """A place, an organisation, a person, an abbreviation, a scope word or
    a rank, which can stand before the name of an institution as part of it
    (中国|外交部, 弗里德曼|美术馆, 深圳|中级|人民法院)."""
    if word.text in NAME_SCOPE_WORDS or word.tag == "b":
        return True
    return word.tag in ("ns", "nt", "j", "nr", "nrt", "nrfg") and _is_proper(word)


def _not_part_of_a_name(zh: str) -> bool:
    """Whether ``zh``, before a name, is not part of it: a verb or a
    common noun that jieba's dictionary lists (建设, 巨头), not a scope word
    (国家, 中央), a proper noun or a word it does not know."""
    if zh in NAME_SCOPE_WORDS:
        return False
    tag = _dictionary_tag(zh)
    return tag is not None and tag not in PROPER_NOUN_TAGS


def _fragments(names: Iterable[str], corpus: str) -> set[str]:
    """The names that occur only inside longer ones (统计局 always in
    国家统计局, 法医学中心 in 瑞典国家法医学中心): the longest name that
    occurs is the name."""
    masked, inside = corpus, set()
    for name in sorted(set(names), key=len, reverse=True):
        if name not in masked:
            inside.add(name)
        masked = masked.replace(name, "\x00")
    return inside


def _places(passages: list[Passage], words: list[list[Word]]) -> list[tuple[str, str, str, str, Passage]]:
    """Known places, alone (宁波) and with an administrative suffix (宁波市),
    where they are whole words (not 海南 in 东海南部); and jieba's place
    words that end in an administrative or geographic ending (井陉县,
    密西西比河) or are transliterated (莫斯科)."""
    found = []
    for p, ws in zip(passages, words, strict=True):
        starts = {w.start for w in ws}
        ends = {w.end for w in ws}
        for m in _PLACE_RE.finditer(p.text):
            place, suffix = m.group(1), m.group(2)
            if m.start() not in starts or not (m.end(1) in ends or (suffix and m.end(2) in ends)):
                continue
            found.append((place, KNOWN_PLACES[place], "place", "known place", p))
            if suffix and not any(p.text.startswith(word, m.start(2)) for word in NOT_PLACE_SUFFIX_WORDS):
                en = " ".join(filter(None, [KNOWN_PLACES[place], PLACE_SUFFIXES[suffix]]))
                found.append((place + suffix, en, "place", f"suffix {suffix}", p))
        for i, w in enumerate(ws):
            if w.tag != "ns" or len(w.text) < 2 or not w.is_han or _PLACE_RE.fullmatch(w.text):
                continue
            if any(0 <= j < len(ws) and _is_part_separator(ws[j]) for j in (i - 1, i + 1)):
                continue  # 维多利亚·彭德尔顿 is a person
            # A one-character stem is a common word (城市, 两国, 山区) or a country everyone knows (美国).
            if w.text[-1] in _PLACE_ENDINGS and len(w.text) >= 3:
                found.append((w.text, "", "place", "place word", p))
            elif len(w.text) >= 3 and is_transliterated_name(w.text):
                found.append((w.text, "", "place", "foreign place word", p))
    return found


# --- Recurring n-grams -------------------------------------------------------------


def _stands_free(side: Counter, count: int) -> bool:
    """Whether an n-gram's neighbours on one side (None: a text edge or a
    function character) show a word boundary there: it stands free at least
    once or meets several different characters (制造业基地, 制造业体系,
    制造业集群), and no one character accompanies most of its occurrences."""
    bound = [c for ch, c in side.items() if ch is not None]
    if bound and max(bound) >= FRAGMENT_SHARE * count:
        return False
    return side[None] > 0 or len(bound) >= MIN_NEIGHBOURS


def _recurring(texts: list[str], min_count: int) -> list[str]:
    """Han n-grams that recur and look like units of their own.

    An n-gram is left out when it contains a function character, starts
    with a numeral, is general vocabulary (``COMMON_WORDS``), a title or a
    bare suffix (实验室); when it lies inside a longer recurring n-gram with
    the same count (新型工业 in 新型工业化); and when a side of it shows
    no word boundary (``_stands_free``): 工业革 is always 工业革命 or
    工业革新, 新型 nearly always 新型工业化. Those are fragments of longer
    units, not terms of their own."""
    # N-grams never span a function character, so cut the Han runs there: a
    # neighbour beyond a piece's edge is a text edge or a function character.
    pieces = [piece for text in texts for run in HAN_RUN_RE.findall(text) for piece in _BREAKS.split(run) if piece]

    def ngrams():
        for piece in pieces:
            for size in NGRAM_SIZES:
                for i in range(len(piece) - size + 1):
                    yield piece, i, piece[i : i + size]

    counts = Counter(gram for _, _, gram in ngrams())
    # Neighbours (None past an edge) only of the n-grams that recur.
    neighbours: dict[str, tuple[Counter, Counter]] = {}
    for piece, i, gram in ngrams():
        if counts[gram] < min_count:
            continue
        if gram not in neighbours:
            neighbours[gram] = (Counter(), Counter())
        left, right = neighbours[gram]
        end = i + len(gram)
        left[piece[i - 1] if i > 0 else None] += 1
        right[piece[end] if end < len(piece) else None] += 1
    frequent = {g: n for g, n in counts.items() if n >= min_count}
    terms = []
    for gram, n in frequent.items():
        if (
            gram in COMMON_WORDS
            or gram[0] in NUMERAL_STARTS
            or gram in _SUFFIXES
            or gram in _TITLES
            or gram in PERSON_CONTEXT_WORDS
        ):
            continue
        # Inside a longer recurring n-gram with the same count: then a one-character
        # extension has that count too (新型工业 → 新型工业化).
        if any(c == n for side in neighbours[gram] for ch, c in side.items() if ch is not None):
            continue
        if all(_stands_free(side, n) for side in neighbours[gram]):
            terms.append(gram)
    return terms


def term_idf(zh: str) -> float:
    """How unusual ``zh`` is in general news, as an inverse document
    frequency (``background_idf``). A word the background has never seen
    is as rare as its rarest; a phrase of several known words lies between
    the IDF of its rarest word (it is at least that rare) and the sum of
    its words' IDFs (as rare as if they never went together): the middle."""
    idf, unseen = background_idf()
    if zh in idf:
        return idf[zh]
    import jieba

    parts = [idf.get(w, unseen) for w in jieba.cut(zh, HMM=False)]
    if len(parts) <= 1:
        return unseen
    return (max(parts) + min(unseen, sum(parts))) / 2


def _occurrences_as_words(corpus: str, word_at: dict[int, Word], gram: str) -> tuple[float, list[list[Word]]]:
    """The share of ``gram``'s occurrences in ``corpus`` that start and end
    at word boundaries (新质生产力 does; 工业化进 does not), and the words
    of those occurrences. ``word_at`` maps an offset to the word starting there."""
    hits, whole = 0, []
    pos = corpus.find(gram)
    while pos != -1:
        hits += 1
        ws, at, end = [], pos, pos + len(gram)
        while at < end and at in word_at:
            ws.append(word_at[at])
            at += len(word_at[at].text)
        if ws and at == end:
            whole.append(ws)
        pos = corpus.find(gram, pos + 1)
    return (len(whole) / hits if hits else 0.0), whole


def _is_person_reference(zh: str) -> bool:
    """A name with an honorific, or an anonymised one (普京先生, 尹女士,
    李某, 克林顿夫妇): a way of referring to a person, not a term."""
    return zh.endswith(tuple(HONORIFICS) + ("某", "夫妇"))


def _noun_like(word: Word) -> bool:
    return word.tag.startswith("n") or word.tag in TERM_HEAD_TAGS or dictionary_frequency(word.text) == 0


def is_term_shaped(words: list[Word], cohesion: float = 1.0) -> bool:
    """Whether words make a term: a noun or a noun phrase, the way a
    termbase holds one (新质生产力, 茶壶炼油厂, 兴奋剂, 比特币), not a
    phrase that starts with a verb or holds a function word (学习贯彻,
    进入新时代, 贺函中表示), not a bare verb, adjective or idiom (脱贫,
    坚定不移), and neither a word nor a phrase of words that general news
    uses all the time (``GENERAL_WORD_FREQUENCY``: 决赛, 篮球, 芯片; 门票销售,
    外国游客) unless the text uses its words mostly together: ``cohesion``
    is the share of the occurrences of its least frequent word that are in
    it (``MIN_TERM_COHESION``: 新型工业化, 行动纲要). Names (jieba's nr, ns,
    nt) are terms whatever their frequency."""
    first = words[0].tag if words else ""
    if not words or not _noun_like(words[-1]) or (first.startswith(NOT_TERM_START_TAGS) and first != "vn"):
        return False
    if any(w.tag.startswith(_FUNCTION_TAGS) for w in words):
        return False
    if len(words) == 1 and words[0].tag in NAME_TAGS:
        return True
    # One of its words, at least, is unusual (红船|精神, 页岩|气田), or its
    # words go together in the text (新型|工业化); not 门票|销售, 外国|游客.
    if any(dictionary_frequency(w.text) < GENERAL_WORD_FREQUENCY for w in words):
        return True
    return len(words) > 1 and cohesion >= MIN_TERM_COHESION


# --- Putting it together ---------------------------------------------------------


@dataclass
class _Found:
    en: str
    type: str
    evidence: list[str] = field(default_factory=list)
    score: float = 0.0


def _mask(text: str, words: Iterable[str]) -> str:
    """``text`` with every occurrence of ``words`` (longest first) blanked
    out, character for character, so that offsets stay where they were."""
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, "\x00" * len(word))
    return text


def suggest_terms(
    passages: Iterable[Passage | str],
    termbase: Termbase | None = None,
    min_recurrence: int = MIN_RECURRENCE,
) -> list[Candidate]:
    """Propose the entries ``termbase`` lacks: people first, then
    organisations and places, most frequent first, then recurring terms,
    most unusual first (count × IDF).

    ``passages`` are :class:`Passage` objects (see :func:`document_passages`)
    or plain strings, located as ``<text>:N``."""
    items = [p if isinstance(p, Passage) else Passage(p, f"<text>:{n}") for n, p in enumerate(passages, start=1)]
    termbase = termbase or Termbase()
    words = [words_of(p.text) for p in items]
    found: dict[str, _Found] = {}

    def add(zh: str, en: str, kind: str, evidence: str) -> None:
        if zh in termbase:
            return
        entry = found.setdefault(zh, _Found(en, kind))
        if evidence not in entry.evidence:
            entry.evidence.append(evidence)

    for name, evidence, _ in _people(items) + _people_in_words(items, words):
        origin = name_origin(name)
        listed = _dictionary_tag(name)
        if evidence not in _LAYOUT_EVIDENCE and listed is not None and listed not in PERSON_TAGS:
            continue  # 常委, 欧盟, 万达 next to a title: jieba lists them as other words
        if origin:
            add(name, romanise_name(name) if origin == "chinese" else "", "person", evidence)
    # All passages in one text, so that counting and finding is one pass per candidate.
    corpus = "\x00".join(p.text for p in items)
    starts = list(itertools.accumulate((len(p.text) + 1 for p in items[:-1]), initial=0))

    organisations = _organisations(items, words)
    standalone = Counter(zh for zh, *_ in organisations)
    fragments = _fragments(standalone, corpus)
    for zh, en, kind, evidence, _ in organisations:
        # 建设甬江实验室 seen once is 甬江实验室 (seen often) after a verb we do not list;
        # 巨头阿里巴巴集团 is 阿里巴巴集团 after a common noun.
        if any(
            zh.endswith(o) and o != zh and standalone[o] >= standalone[zh] and _not_part_of_a_name(zh[: -len(o)])
            for o in standalone
        ):
            continue
        if zh in fragments:
            continue
        if zh not in found or found[zh].type != "person":
            add(zh, en, kind, evidence)
    for zh, en, kind, evidence, _ in _places(items, words):
        if zh not in found or found[zh].type != "person":
            add(zh, en, kind, evidence)

    covered = [t.zh for t in termbase if t.zh] + list(found)
    masked = [_mask(p.text, covered) for p in items]
    word_at = {offset + w.start: w for offset, ws in zip(starts, words, strict=True) for w in ws}
    for gram in _recurring(masked, min_recurrence):
        idf = term_idf(gram)
        if idf < MIN_TERM_IDF:
            continue
        share, occurrences = _occurrences_as_words(corpus, word_at, gram)
        if share < MIN_WHOLE_WORD_SHARE or _is_person_reference(gram):
            continue
        if any(gram.endswith(head) and _is_place_word(gram[: -len(head)]) for head in GENERIC_HEADS):
            continue  # 日本队, 印度政府: a place and a class noun
        cohesion = corpus.count(gram) / min(corpus.count(w.text) for w in occurrences[0])
        if is_term_shaped(occurrences[0], cohesion):
            add(gram, "", "term", "recurring")
            found[gram].score = idf

    order = {kind: i for i, kind in enumerate(("person", "organisation", "place", "term", "title"))}
    ranked = []
    for zh, entry in found.items():
        first = corpus.find(zh)
        passage = items[bisect.bisect_right(starts, first) - 1]
        count = corpus.count(zh)
        advice, origin = "", ""
        if entry.type == "person":
            origin = name_origin(zh)
            advice = name_advice(origin, _region_near(corpus, zh) if origin == "chinese" else None)
        candidate = Candidate(zh, entry.en, entry.type, count, passage.location, tuple(entry.evidence), advice, origin)
        weight = -count * entry.score if entry.type == "term" else -count
        ranked.append(((order.get(entry.type, len(order)), weight, first, zh), candidate))
    return [candidate for _, candidate in sorted(ranked)]


# --- The candidates file -----------------------------------------------------------


@dataclass(frozen=True)
class CandidatesUpdate:
    """What ``write_candidates`` did to the candidates file."""

    added: int
    refreshed: int
    confirmed: int  # dropped: the termbase has them now
    total: int


def read_candidates(fileobj: BinaryIO, filename: str = "glossary-candidates.tsv") -> list[Term]:
    """The rows of the candidates file ``fileobj`` (binary; the English may
    still be empty)."""
    return list(read_termbase(fileobj, filename, require_en=False))


def load_candidates(path: Path, display: str | None = None, inside: Path | None = None) -> list[Term]:
    """The rows of the candidates file at ``path``; none when it does not
    exist. Read as :func:`~pipeline.terms.termbase.load_termbase` reads the
    termbase (with ``inside``, checked inside the workspace on the file opened)."""
    data = read_glossary_file(path, display, inside)
    return [] if data is None else read_candidates(io.BytesIO(data), display or str(path))


def write_candidates(
    path: Path, candidates: Iterable[Candidate], termbase: Termbase | None = None, inside: Path | None = None
) -> CandidatesUpdate:
    """Merge ``candidates`` into the candidates file at ``path``, atomically.

    Rows already there stay in place, with what a person wrote in them: an
    English form they filled in, their type, a note that is not ours. A
    candidate found again gets fresh evidence; new ones are appended; rows
    the ``termbase`` now has are dropped, confirmed. Only ``path`` is written
    (and read: with ``inside``, as :func:`load_candidates` reads it)."""
    termbase = termbase or Termbase()
    fresh = {c.zh: c for c in candidates}
    rows: list[Term] = []
    refreshed = confirmed = 0
    for row in load_candidates(path, inside=inside):
        if row.zh in termbase:
            confirmed += 1
            continue
        new = fresh.pop(row.zh, None)
        if new is not None:
            ours = not row.note or row.note.startswith(CANDIDATE_NOTE)
            row = Term(row.zh, row.en or new.en, row.type, new.note if ours else row.note)
            refreshed += 1
        rows.append(row)
    added = [c.as_term() for c in fresh.values() if c.zh not in termbase]
    rows.extend(added)
    atomic_write(path, termbase_bytes(Termbase(rows)))
    return CandidatesUpdate(added=len(added), refreshed=refreshed, confirmed=confirmed, total=len(rows))
