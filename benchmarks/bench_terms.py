"""Benchmark: precision of ``pipeline terms suggest`` per type, on real news.

Runs the real suggester (``suggest_terms``) over every Chinese line of a
WMT news test set (``../shared/corpora/wmt-news-dev/``), all lines as one
input, as the issue measured it, and judges each suggestion against the
English references of the lines it occurs in:

* **person, foreign** (no pinyin proposed): correct when a reference has a
  capitalised word that is not the pinyin of the name and whose first letter
  can render the name's first syllable (默克尔 → M..., 约翰逊 → J/Y...);
  wrong when no reference has such a word (no name there);
* **person, Chinese** (pinyin proposed): correct when a reference has the
  pinyin (surname and given name, any order, hyphens and spaces ignored) or
  the surname in a Wade–Giles / Cantonese form; wrong when a reference has
  a matching foreign-looking name and no pinyin (a foreign name romanised),
  or no capitalised name at all; otherwise undecided;
* **organisation** (strict, ``judge_organisation``): wrong when it is never
  a whole name in its lines (its first word is, to jieba, not a noun:
  告诉英国广播公司; or it is always inside a longer word) or starts with a
  demonstrative or a count (该公司); correct when a reference has an
  organisation's acronym or a multi-word capitalised name with the English of
  its head (公司 Company/Corp, 委员会 Committee, 部 Ministry ...); wrong when
  a reference has that head in lower case after a modifier (美国公司 "US
  companies") or no capitalised name at all; otherwise undecided. It cannot
  tell which name of a line is the one (no alignment): the hand judgements
  below are the independent check;
* **place**: correct when a reference has its English (known places), its
  pinyin, or, for a transliterated place, a capitalised word whose first
  letter fits; wrong when no reference has a capitalised word after its
  first word; otherwise undecided;
* **term**: no automatic precision; the share of terms that are among the
  20,000 most frequent words of jieba's dictionary (``dict.txt``, a source
  the suggester does not rank with) is printed as the "common word" rate.

Automatic precision is correct / (correct + wrong), with the undecided
count beside it. Then a random sample of 50 suggestions per type (seeded)
is compared with hand judgements in ``benchmarks/terms_judgements.tsv``:
one line per suggestion, ``id<TAB>verdict<TAB>reason``, where the id is a
hash of the set, type and Chinese form (no corpus text is stored) and the
verdict is 1 (correct) or 0. ``--show TYPE`` prints the sample of a type
with its first source line and reference, for judging.

Run::

    .venv/bin/python -m benchmarks.bench_terms                   # newstest2018 (tuning) and 2019 (held out)
    .venv/bin/python -m benchmarks.bench_terms --sets 2019 --show person-foreign
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from benchmarks.measure import CORPUS, markdown_table, read_corpus, require_corpus, stopwatch

# ``--code DIR`` measures the suggester of another checkout (the code before a
# change): its ``pipeline`` package is imported instead of this one.
if "--code" in sys.argv[:-1]:
    sys.path.insert(0, sys.argv[sys.argv.index("--code") + 1])

from pipeline.terms.lexicon import KNOWN_PLACES, PLACE_SUFFIXES  # noqa: E402
from pipeline.terms.romanise import romanise_name, split_name  # noqa: E402
from pipeline.terms.suggest import Passage, suggest_terms  # noqa: E402

JUDGEMENTS = Path(__file__).with_name("terms_judgements.tsv")
TYPES = ("person-foreign", "person-chinese", "organisation", "place", "term")
SAMPLE = 50
COMMON_RANK = 20_000

#: English letters that can start the rendering of a syllable with this pinyin initial.
_INITIAL_LETTERS = {
    "b": "bpv",
    "p": "pb",
    "m": "m",
    "f": "fvp",
    "d": "dt",
    "t": "tdc",
    "n": "n",
    "l": "lr",
    "g": "gckq",
    "k": "kcqg",
    "h": "hjgwxfkc",
    "j": "jgzyck",
    "q": "ckqgj",
    "x": "sxczh",
    "zh": "jgzc",
    "ch": "ckcth",
    "sh": "sc",
    "r": "rjgz",
    "z": "zsctj",
    "c": "ctzsk",
    "s": "sczt",
    "y": "yjieahu",
    "w": "wvouh",
    "": "aeiouyh",
}
#: Surnames as the press spells them for Taiwan (Wade–Giles) and Hong Kong (Cantonese).
_OTHER_SURNAMES = {
    "陈": "chen chan",
    "张": "chang cheung",
    "李": "lee li",
    "王": "wong",
    "黄": "huang wong",
    "林": "lin lam",
    "刘": "liu lau",
    "吴": "wu ng",
    "蔡": "tsai choi",
    "郑": "cheng",
    "谢": "hsieh tse",
    "许": "hsu hui",
    "周": "chou chow",
    "杨": "yeung",
    "梁": "leung",
    "詹": "chan",
    "赵": "chao chiu",
    "徐": "hsu tsui",
    "郭": "kuo kwok",
    "罗": "lo law",
    "叶": "yeh yip",
    "苏": "so",
    "朱": "chu",
    "曾": "tseng tsang",
    "邱": "chiu yau",
    "洪": "hung",
    "江": "chiang kong",
    "蒋": "chiang",
    "宋": "sung",
    "柯": "ko",
    "卢": "lo",
    "彭": "pang",
    "钟": "chung",
    "萧": "hsiao siu",
    "庄": "chuang",
    "吕": "lui",
    "邓": "teng tang",
    "潘": "poon",
    "董": "tung",
    "韩": "hon",
    "冯": "fung",
    "姚": "yiu",
    "何": "ho",
    "胡": "wu",
    "马": "ma",
    "高": "kao ko",
    "侯": "hou hau",
    "余": "yu yue",
    "游": "yu",
    "魏": "wei ngai",
    "邹": "tsou chau",
}
_STOP = set(
    "The A An In On At For And But Or He She It They We I You His Her Its Their Our This That These Those "
    "As If When While After Before Since Mr Mrs Ms Dr President Prime Minister Chinese China Beijing".split()
)
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")
#: Acronyms that are not organisations: countries, units, common abbreviations.
_NOT_ORGANISATION_ACRONYMS = set(
    "US USA UK GB UAE DPRK ROK PRC AM PM TV ID OK CEO GDP CPI PPI AI IT VR DNA HIV".split()
)
#: English heads of organisation names, by the Chinese head they translate
#: (longest Chinese head first when judging).
_ORGANISATION_HEADS_EN = {
    "公司": r"compan(?:y|ies)|corp(?:oration)?s?|co|inc|ltd|group|firms?",
    "集团": r"groups?|corp(?:oration)?s?|holdings?|cartels?",
    "银行": r"banks?",
    "大学": r"universit(?:y|ies)|colleges?",
    "学院": r"colleges?|institutes?|academ(?:y|ies)|schools?",
    "委员会": r"committees?|commissions?|councils?|boards?",
    "中心": r"cent(?:er|re)s?|agenc(?:y|ies)",
    "协会": r"associations?|federations?|societ(?:y|ies)|unions?|councils?",
    "研究院": r"institutes?|academ(?:y|ies)",
    "研究所": r"institutes?|academ(?:y|ies)",
    "医院": r"hospitals?|infirmar(?:y|ies)",
    "基金会": r"foundations?|funds?|trusts?",
    "大会": r"congress(?:es)?|conferences?|assembl(?:y|ies)|conventions?",
    "实验室": r"laborator(?:y|ies)|labs?",
    "政府": r"governments?|administrations?",
    "部": r"ministr(?:y|ies)|departments?",
    "局": r"bureaus?|administrations?|agenc(?:y|ies)|offices?|authorit(?:y|ies)|services?",
    "党": r"part(?:y|ies)",
    "队": r"teams?|squads?|corps|forces?",
}
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'’\-]*(?:\s+(?:(?:of|for|and|the|on|de|&)\s+)*[A-Z][\w'’\-]*)+")
_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z'\-]+")


def _syllables(zh: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(zh, style=Style.NORMAL)


def _initial(syllable: str) -> str:
    for initial in ("zh", "ch", "sh", *"bpmfdtnlgkhjqxrzcsyw"):
        if syllable.startswith(initial):
            return initial
    return ""


def _capitalised(reference: str) -> list[str]:
    """Capitalised words of a reference, not counting a first word that is a common opener."""
    words = _CAPITALISED.findall(reference)
    return [w for w in words if w not in _STOP]


def _renders(part: str, word: str) -> bool:
    """Whether ``word`` can be the English of the transliteration ``part``:
    its first letter fits the first syllable, and a letter that fits the
    second syllable's initial follows within four letters (默克尔 Merkel:
    m, then k in "erke"; 特朗普 Trump: t, then r)."""
    syllables = _syllables(part)
    word = word.lower()
    if word[0] not in _INITIAL_LETTERS[_initial(syllables[0])]:
        return False
    if len(syllables) == 1:
        return True
    second = _INITIAL_LETTERS[_initial(syllables[1])]
    return any(ch in second for ch in word[1:5])


def _phonetic_name_in(zh: str, references: list[str]) -> bool:
    """Whether a reference has a capitalised word that can render a part of ``zh``."""
    parts = [p for p in re.split("[·•‧・]", zh) if p]
    return any(_renders(part, w) for r in references for w in _capitalised(r) for part in parts)


def _jieba_words(text: str) -> list[tuple[str, str, int]]:
    import jieba.posseg

    out, pos = [], 0
    for pair in jieba.posseg.cut(text):
        out.append((pair.word, pair.flag, pos))
        pos += len(pair.word)
    return out


def _pinyin_in(zh: str, references: list[str]) -> bool:
    """Whether a reference has ``zh`` in pinyin, surname read as a surname (解 Xie)."""
    surname, given = split_name(zh)
    s = romanise_name(zh).split()[0]
    g = "[-\\s']?".join(_syllables(given))
    pattern = re.compile(rf"\b(?:{s}\W+{g}|{g}\W+{s})\b", re.I)
    return any(pattern.search(r) for r in references)


def _other_romanisation_in(zh: str, references: list[str]) -> bool:
    surname, _ = split_name(zh)
    forms = _OTHER_SURNAMES.get(surname, "").split()
    return any(re.search(rf"\b{f}\b", r, re.I) for f in forms for r in references)


def kind_of(c) -> str:
    if c.type != "person":
        return c.type
    # A suggester without ``origin`` (before the fix) proposes pinyin for every name it calls Chinese.
    return f"person-{getattr(c, 'origin', '') or ('chinese' if c.en else 'foreign')}"


def judge(c, references: list[str], sources: list[str], common: set[str]) -> str:
    """``correct``, ``wrong`` or ``undecided`` (see the module docstring)."""
    kind = kind_of(c)
    names = [w for r in references for w in _capitalised(r)]
    if kind == "person-foreign":
        if c.en:
            return "wrong"
        if _pinyin_in(c.zh, references) and "·" not in c.zh:
            return "wrong"
        return "correct" if _phonetic_name_in(c.zh, references) else "wrong"
    if kind == "person-chinese":
        if _pinyin_in(c.zh, references) or _other_romanisation_in(c.zh, references):
            return "correct"
        return "wrong" if not names else "undecided"
    if kind == "organisation":
        return judge_organisation(c.zh, references, sources)
    if kind == "place":
        stem = c.zh
        while stem and stem[-1] in PLACE_SUFFIXES and len(stem) > 2:
            stem = stem[:-1]
        english = KNOWN_PLACES.get(stem, "")
        if english and any(english.lower() in r.lower() for r in references):
            return "correct"
        pinyin = "".join(_syllables(stem))
        if any(pinyin in re.sub(r"[^a-z]", "", r.lower()) for r in references):
            return "correct"
        if not names:
            return "wrong"
        return "correct" if _phonetic_name_in(stem, references) and not english else "undecided"
    if kind == "term":
        return "wrong" if c.zh in common else "undecided"
    return "undecided"


def _multiword_names(reference: str) -> list[str]:
    """Runs of two or more capitalised words (of/for/and/the between them
    allowed) that are not all common openers or titles (The, Prime Minister)."""
    runs = []
    for m in _CAPITALISED_RUN.finditer(reference):
        words = [w for w in re.findall(r"[A-Z][\w'’\-]*", m.group(0)) if w not in _STOP]
        if len(words) >= 2:
            runs.append(m.group(0))
    return runs


def judge_organisation(zh: str, references: list[str], sources: list[str]) -> str:
    """Strict: an organisation is correct only where a reference names one.

    Wrong when its first word is, to jieba, not a noun (告诉英国广播公司) or
    it starts with a demonstrative or a count (该公司). Its Chinese head
    (公司, 银行, 委员会, 部 ...) has English heads: correct when a reference
    has one capitalised inside a multi-word name (Bank of England) or an
    organisation's acronym (BBC); wrong when a reference has the head only in
    lower case (美国公司 "US companies", 私人银行 "private banks") or no
    capitalised name at all; otherwise undecided (微软公司 "Microsoft"). A
    name without a known head (联合国, 中共中央) is correct with a
    multi-word capitalised name or an acronym."""
    if zh[0] in "该这那本各两几某每其此":
        return "wrong"
    bad_starts = 0
    for source in sources:
        pos = source.find(zh)
        first = next(((w, t, st) for w, t, st in _jieba_words(source) if st <= pos < st + len(w)), None)
        bad_starts += first is not None and (first[2] != pos or first[1][:1] in "vpcrdmqfuy")
    if sources and bad_starts == len(sources):
        return "wrong"  # never a whole name: 告诉英国广播公司, or 统计局 only inside 国家统计局
    acronym = any(a not in _NOT_ORGANISATION_ACRONYMS for r in references for a in _ACRONYM.findall(r))
    runs = [run for r in references for run in _multiword_names(r)]
    head = next((h for h in sorted(_ORGANISATION_HEADS_EN, key=len, reverse=True) if zh.endswith(h)), None)
    if head is None:
        if acronym or runs:
            return "correct"
        return "wrong" if not any(_capitalised(r) for r in references) else "undecided"
    english = re.compile(rf"\b(?:{_ORGANISATION_HEADS_EN[head]})\b", re.I)
    if acronym or any(english.search(run) and any(w[0].isupper() for w in english.findall(run)) for run in runs):
        return "correct"
    # The head in lower case after a modifier ("US companies", "private banks"), not "the company".
    modified = re.compile(
        rf"\b(?!(?:the|a|an|this|that|its|their|our|his|her)\b)[A-Za-z\-]+\s+(?:{_ORGANISATION_HEADS_EN[head]})\b"
    )
    if any(modified.search(r) for r in references) or not any(_capitalised(r) for r in references):
        return "wrong"
    return "undecided"


def common_words() -> set[str]:
    """The most frequent words of jieba's dictionary (not its IDF table)."""
    from jieba import get_dict_file

    rows = []
    with get_dict_file() as f:
        for raw in f:
            parts = raw.decode("utf-8").split()
            if len(parts) == 3:
                rows.append((int(parts[1]), parts[0]))
    rows.sort(reverse=True)
    return {w for _, w in rows[:COMMON_RANK]}


def candidate_id(year: str, kind: str, zh: str) -> str:
    return hashlib.sha1(f"newstest{year}|{kind}|{zh}".encode()).hexdigest()[:12]


def load_judgements() -> dict[str, int]:
    if not JUDGEMENTS.exists():
        return {}
    out = {}
    for line in JUDGEMENTS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            cid, verdict, *_ = line.split("\t")
            out[cid] = int(verdict)
    return out


def run(year: str, show: str | None, common: set[str]) -> None:
    pairs = read_corpus(f"newstest{year}", CORPUS)
    passages = [Passage(zh, f"newstest{year}:{n}") for n, (zh, _) in enumerate(pairs, start=1)]
    with stopwatch() as suggesting:
        candidates = suggest_terms(passages)
    lines_of: dict[str, list[int]] = defaultdict(list)
    by_kind: dict[str, list] = defaultdict(list)
    for c in candidates:
        by_kind[kind_of(c)].append(c)
    # Lines of each candidate (at most 5), found with one scan per candidate.
    for c in candidates:
        for n, (zh, _) in enumerate(pairs):
            if c.zh in zh:
                lines_of[c.zh].append(n)
                if len(lines_of[c.zh]) == 5:
                    break
    judged = load_judgements()
    print(f"\nnewstest{year}: {len(pairs)} lines, {len(candidates)} suggestions in {suggesting.wall:.1f} s")
    head = (
        "type",
        "suggestions",
        "auto correct",
        "auto wrong",
        "undecided",
        "auto precision",
        "hand sample",
        "hand precision",
        "auto agrees with hand",
    )
    table, samples = [], []
    for kind in TYPES:
        items = by_kind.get(kind, [])
        verdicts = {}
        for c in items:
            rows = lines_of[c.zh]
            verdicts[c.zh] = judge(c, [pairs[n][1] for n in rows], [pairs[n][0] for n in rows], common)
        tally = Counter(verdicts.values())
        decided = tally["correct"] + tally["wrong"]
        auto = f"{tally['correct'] / decided:.0%}" if decided else "–"
        if kind == "term":
            auto = f"common words: {tally['wrong']}/{len(items)} ({tally['wrong'] / len(items):.0%})" if items else "–"
        sample = random.Random(f"{year}-{kind}").sample(items, min(SAMPLE, len(items)))
        hand = [(judged[cid], verdicts[c.zh]) for c in sample if (cid := candidate_id(year, kind, c.zh)) in judged]
        hand_p = f"{sum(v for v, _ in hand) / len(hand):.0%}" if hand else "–"
        agree = [(v == 1) == (a == "correct") for v, a in hand if a != "undecided"]
        agree_s = f"{sum(agree)}/{len(agree)}" if agree else "–"
        counts = (len(items), tally["correct"], tally["wrong"], tally["undecided"])
        table.append((kind, *map(str, counts), auto, f"{len(hand)}/{len(sample)}", hand_p, agree_s))
        if show == kind:
            samples = [(c, verdicts[c.zh]) for c in sample]
    print(markdown_table(head, table))
    for c, verdict in samples:  # --show: the hand-judgement sample of one type
        n = lines_of[c.zh][0]
        at = pairs[n][0].find(c.zh)
        context = pairs[n][0][max(0, at - 20) : at + len(c.zh) + 20]
        print(
            f"{candidate_id(year, show, c.zh)}\t{c.zh}\t{c.en}\t{c.count}×\t{verdict}\t"
            f"{', '.join(c.evidence)}\n    {context}\n    {pairs[n][1][:220]}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="2018,2019", help="years of the test sets (2018 tuning, 2019 held out)")
    parser.add_argument("--show", choices=TYPES, help="print the hand-judgement sample of this type")
    parser.add_argument("--code", help="import the pipeline package from this checkout instead (before/after)")
    args = parser.parse_args()
    require_corpus(CORPUS)
    common = common_words()
    for year in args.sets.split(","):
        run(year.strip(), args.show, common)
    return 0


if __name__ == "__main__":
    sys.exit(main())
