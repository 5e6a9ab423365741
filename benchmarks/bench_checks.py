"""Benchmark: `pipeline check` on real news with professional translations.

Runs the quality checks, by the same code path as ``pipeline check``
(:func:`pipeline.checks.run_checks` over a catalog whose entries are the
corpus pairs, the reference as a reviewed translation), over the WMT news
development corpus (``../shared/corpora/wmt-news-dev/``, ``zh<TAB>en``), and
prints:

* per check: its findings, the entries it flags, and how many of its findings
  were judged false or true by a person who read them (the judgement file,
  ``benchmarks/checks-judgements.tsv``: corpus line ids and verdicts only,
  never corpus text);
* the share of entries flagged by any check (and what would stay flagged
  if every finding judged false were removed), and by an error-level check;
* recall on planted errors, per kind, with a fixed seed: a number changed,
  Chinese left in, the source copied, the second half dropped, a doubled
  word, a name swapped (with a termbase entry for the name).

Planted errors go into entries that no check flags as they are, so a
finding on the planted copy is the planted error's. The termbase for the
name swaps is mined from the corpus itself (jieba's person, place and
organisation words paired with the capitalised English phrase they occur
with most consistently); it is also in force for the flag-rate figures, so
the glossary check is measured on real terms.

Tune on newstest2018; newstest2019 is the held-out set::

    .venv/bin/python -m benchmarks.bench_checks                        # both sets, separately
    .venv/bin/python -m benchmarks.bench_checks --set newstest2018 --show numbers   # read the findings
    .venv/bin/python -m benchmarks.bench_checks --json out.json
    .venv/bin/python -m benchmarks.bench_checks --fit-omission     # the omission model's weights and trade-off

``--show CODE`` prints every finding of a check with its source and
translation (to the terminal only), for judging.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import CORPUS, read_corpus, require_corpus
from pipeline.catalog.pofile import Catalog
from pipeline.checks import CHECKS, Severity, run_checks
from pipeline.checks.terms import english_form_found, english_form_pattern
from pipeline.terms import Term, Termbase
from pipeline.terms.romanise import is_transliterated_name
from pipeline.zh.script import HAN_RE
from pipeline.zh.words import quiet_jieba, words

SETS = {"newstest2018": "newstest2018-zhen.tsv", "newstest2019": "newstest2019-zhen.tsv"}
TUNING_SET, HELD_OUT_SET = "newstest2018", "newstest2019"
JUDGEMENTS = Path(__file__).resolve().parent / "checks-judgements.tsv"
KINDS = ("number", "chinese", "copied", "truncated", "doubled", "name")
SEED = 11


@dataclass(frozen=True)
class Pair:
    set: str
    line: int  # 1-based line of the corpus file
    zh: str
    en: str

    @property
    def id(self) -> str:
        return f"{self.set}:{self.line}"


def load_pairs(corpus: Path, name: str) -> list[Pair]:
    """The pairs of one corpus file."""
    return [
        Pair(name, number, zh, en)
        for number, (zh, en) in enumerate(read_corpus(name, corpus), start=1)
        if zh.strip() and en.strip()
    ]


def pair_catalog(pairs: list[tuple[str, str, str]]) -> Catalog:
    """A catalog of reviewed entries ``(id, zh, en)``; the id is the entry's
    context, so that a sentence the corpus repeats stays two entries."""
    catalog = Catalog(locale="en", project="wmt-news-dev")
    for entry_id, zh, en in pairs:
        name, _, line = entry_id.partition(":")
        catalog.add(zh, en, locations=[(SETS.get(name, name), int(line))], context=entry_id)
    return catalog


def findings_by_entry(pairs: list[tuple[str, str, str]], termbase: Termbase | None):
    """``{entry id: [Finding]}`` from :func:`run_checks`, the path of ``pipeline check``."""
    catalog = pair_catalog(pairs)
    by_entry = defaultdict(list)
    for finding in run_checks(catalog, termbase):
        file, _, line = finding.location.rpartition(":")
        name = next(n for n, f in SETS.items() if f == file) if file in SETS.values() else file
        by_entry[f"{name}:{line}"].append(finding)
    return by_entry


# --- the termbase for name swaps ---------------------------------------------------

_CAPITALISED_RE = re.compile(r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?(?:\s+[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?){0,2}")
_NAME_TAGS = {"nr": "person", "nrt": "person", "nrfg": "person", "ns": "place", "nt": "organisation"}


def mine_termbase(pairs: list[Pair], min_count: int = 3, min_dice: float = 0.6) -> Termbase:
    """Names (jieba's nr, ns, nt words of two or more characters) paired with
    the capitalised English phrase they co-occur with most consistently
    (Dice coefficient over lines), where that phrase is theirs: no other
    name, not one inside the other, co-occurs with it as consistently (one
    phrase, one name), and a transliterated person's name has no fewer
    characters than the phrase has syllables (:func:`_could_be`)."""
    import jieba.posseg as pseg

    quiet_jieba()
    zh_count, en_count, both = Counter(), Counter(), Counter()
    types: dict[str, str] = {}
    for pair in pairs:
        names = set()
        for word, tag in pseg.cut(pair.zh):
            if tag in _NAME_TAGS and len(word) >= 2 and HAN_RE.fullmatch(word[0]):
                names.add(word)
                types.setdefault(word, _NAME_TAGS[tag])
        phrases = set()
        for m in _CAPITALISED_RE.finditer(pair.en):
            words = m.group().split()
            for i in range(len(words)):
                for j in range(i + 1, len(words) + 1):
                    phrases.add(" ".join(words[i:j]))
        zh_count.update(names)
        en_count.update(phrases)
        both.update((name, phrase) for name in names for phrase in phrases)
    dice = {
        (name, phrase): 2 * n / (zh_count[name] + en_count[phrase])
        for (name, phrase), n in both.items()
        if n >= min_count and 2 * n / (zh_count[name] + en_count[phrase]) >= min_dice
    }
    # One English phrase is one name: it belongs to the name most associated
    # with it. Two names that are not one inside the other (萧山, 萧山区) do
    # not share it: 新乡 keeps "Xinxiang" from 河南省, said in the same lines.
    # Names tied for it always come together, as the pieces of one name
    # (希瑟 and 杜威 in 希瑟杜威·哈博格, "Dewey-Hagborg"): neither has it.
    claims: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (name, phrase), d in dice.items():
        claims[phrase].append((d, name))

    def owns(name: str, phrase: str) -> bool:
        d = dice[name, phrase]
        return all(other_d < d or other in name or name in other for other_d, other in claims[phrase] if other != name)

    best: dict[str, tuple[float, str]] = {}
    for (name, phrase), d in sorted(dice.items()):  # ties broken the same way every run
        if d > best.get(name, (0, ""))[0] and owns(name, phrase) and _could_be(name, types[name], phrase):
            best[name] = (d, phrase)
    terms = [Term(name, phrase, types[name]) for name, (_, phrase) in sorted(best.items())]
    return Termbase(terms)


_VOWELS_RE = re.compile(r"[aeiouy]+")


def _syllables(word: str) -> int:
    """English syllables, roughly: groups of vowels, less a final silent e."""
    word = word.lower()
    groups = len(_VOWELS_RE.findall(word))
    return max(1, groups - (groups > 1 and word.endswith("e") and not word.endswith("le")))


def _could_be(name: str, kind: str, phrase: str) -> bool:
    """Whether ``phrase`` could be the English of the person ``name``: a
    transliterated foreign name writes each syllable of the original with
    a character at least (默克尔 Merkel, 特朗普 Trump, 伊丽莎白 Elizabeth), so
    a phrase of more syllables than the name has characters is the name of
    which it is a piece (扎克 of 扎克伯格 "Zuckerberg", 普拉 of 查亚普拉
    "Jayapura")."""
    if kind != "person" or not is_transliterated_name(name):
        return True
    return sum(_syllables(w) for w in re.split(r"[\s\-]+", phrase) if w) <= len(HAN_RE.findall(name))


def verified_termbase(candidates: Termbase, pairs: list[Pair], min_count: int = 3, min_share: float = 0.9) -> Termbase:
    """The candidates whose English form the professional references use:
    where the name stands as a word in a source (:meth:`Termbase.matches`),
    the reference says it the way the glossary check accepts in at least
    ``min_share`` of at least ``min_count`` lines. A newsroom termbase holds
    verified forms; a mined pair the references do not use (中国共产党 →
    "Communist", 日本 → "Japan" where the references say "Japanese") is a
    termbase error, not a translation error, and is left out."""
    seen, used = Counter(), Counter()
    for pair in pairs:
        for term in {t for _, _, t in candidates.matches(pair.zh)}:
            seen[term.zh] += 1
            used[term.zh] += english_form_found(term, pair.en)
    return Termbase([t for t in candidates if seen[t.zh] >= min_count and used[t.zh] >= min_share * seen[t.zh]])


def newsroom_termbase(all_pairs: dict[str, list[Pair]]) -> Termbase:
    """The termbase a newsroom would have: names mined from the tuning set
    and kept where the tuning set's references verify their English form.
    The held-out set's references never shaped it."""
    tuning = all_pairs[TUNING_SET]
    return verified_termbase(mine_termbase(tuning), tuning)


# --- planted errors ------------------------------------------------------------------

_DIGITS_RE = re.compile(r"(?<![\w.,])[0-9][0-9,.]*[0-9]?(?![\w])")
_WORD_RE = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


def plant_number(pair: Pair, rng: random.Random, termbase: Termbase) -> str | None:
    """One figure of the English changed by one digit (2018 → 2013)."""
    spots = [m for m in _DIGITS_RE.finditer(pair.en) if any(c.isdigit() for c in m.group())]
    if not spots:
        return None
    m = rng.choice(spots)
    positions = [i for i, c in enumerate(m.group()) if c.isdigit()]
    i = rng.choice(positions)
    old = m.group()[i]
    new = rng.choice([d for d in "0123456789" if d != old and not (d == "0" and i == 0)])
    figure = m.group()[:i] + new + m.group()[i + 1 :]
    return pair.en[: m.start()] + figure + pair.en[m.end() :]


def plant_chinese(pair: Pair, rng: random.Random, termbase: Termbase) -> str | None:
    """An English word replaced by a Chinese word of the source (MT that
    could not translate a term)."""
    han_words = [
        w for w in words(pair.zh) if len(w) >= 2 and HAN_RE.fullmatch(w[0]) and all(HAN_RE.fullmatch(c) for c in w)
    ]
    english = list(_WORD_RE.finditer(pair.en))
    if not han_words or not english:
        return None
    m, han = rng.choice(english), rng.choice(han_words)
    return pair.en[: m.start()] + han + pair.en[m.end() :]


def plant_copied(pair: Pair, rng: random.Random, termbase: Termbase) -> str | None:
    """The source as its own translation."""
    return pair.zh if HAN_RE.search(pair.zh) else None


_CLAUSE_END_RE = re.compile(
    r"[,;:]\s|\.\s+(?=[A-Z])|\s(?=(?:and|but|while|which|as|after|before|when|where|because|so|with)\s)|\s[—–-]+\s"
)


def plant_truncated(pair: Pair, rng: random.Random, termbase: Termbase) -> str | None:
    """The second half dropped, as an MT engine drops it: the English stops
    at the clause boundary nearest the middle (a comma, semicolon, colon,
    sentence end, dash or conjunction between 30% and 70% of its length)
    and keeps the original's final mark, so that it still reads as a
    sentence. Without such a boundary, the word boundary nearest the middle."""
    text = pair.en.rstrip()
    if len(text.split()) < 6:
        return None
    lo, hi, middle = 0.3 * len(text), 0.7 * len(text), len(text) / 2
    clauses = [m.start() for m in _CLAUSE_END_RE.finditer(text) if lo <= m.start() <= hi]
    if clauses:
        cut = min(clauses, key=lambda k: abs(k - middle))
    else:
        words = [m.start() for m in re.finditer(r"\s", text)]
        cut = min(words, key=lambda k: abs(k - middle))
    head = text[:cut].rstrip(",;:—–- ")
    end = text[-1] if text[-1] in ".!?" else ""
    return head + (end if not head.endswith(end) else "")


def plant_doubled(pair: Pair, rng: random.Random, termbase: Termbase) -> str | None:
    """A word written twice ("the the")."""
    words = list(_WORD_RE.finditer(pair.en))
    if not words:
        return None
    m = rng.choice(words)
    return pair.en[: m.end()] + " " + m.group() + pair.en[m.end() :]


def plant_name(pair: Pair, rng: random.Random, termbase: Termbase) -> str | None:
    """A name of the termbase, found in the source and translated as the
    termbase says, replaced by another name of the same type."""
    present = [t for _, _, t in termbase.matches(pair.zh) if english_form_pattern(t.en).search(pair.en)]
    if not present:
        return None
    term = rng.choice(present)
    others = [t for t in termbase if t.type == term.type and t.zh not in pair.zh and t.en not in pair.en]
    if not others:
        return None
    other = rng.choice(others)
    m = english_form_pattern(term.en).search(pair.en)
    return pair.en[: m.start()] + other.en + pair.en[m.end() :]


PLANTERS = {
    "number": plant_number,
    "chinese": plant_chinese,
    "copied": plant_copied,
    "truncated": plant_truncated,
    "doubled": plant_doubled,
    "name": plant_name,
}


def planted_recall(
    pairs: list[Pair], clean: set[str], termbase: Termbase, per_kind: int, seed: int = SEED, kinds=KINDS
):
    """``{kind: (caught, planted, {check code: count})}`` for each of
    ``kinds``, over up to ``per_kind`` entries per kind, drawn with ``seed``
    from the entries no check flags."""
    result = {}
    candidates = [p for p in pairs if p.id in clean]
    for kind in kinds:
        rng = random.Random(f"{seed}:{kind}")
        order = candidates[:]
        rng.shuffle(order)
        planted = []
        for pair in order:
            if len(planted) >= per_kind:
                break
            mutated = PLANTERS[kind](pair, rng, termbase)
            if mutated is not None and mutated != pair.en:
                planted.append((pair.id, pair.zh, mutated))
        found = findings_by_entry(planted, termbase)
        codes = Counter(code for entry_id, _, _ in planted for code in {f.code for f in found.get(entry_id, ())})
        caught = sum(1 for entry_id, _, _ in planted if found.get(entry_id))
        result[kind] = (caught, len(planted), dict(codes))
    return result


# --- the omission model ------------------------------------------------------------------


def omission_rows(pairs: list[Pair], seed: int = SEED):
    """``(features or None, z, truncated?, pair id)`` for every reference,
    and for the same reference with its second half dropped
    (:func:`plant_truncated`)."""
    from pipeline.checks.coverage import omission_features
    from pipeline.checks.length import length_z

    rng = random.Random(f"{seed}:omission")
    rows = []
    for pair in pairs:
        for truncated, en in ((False, pair.en), (True, plant_truncated(pair, rng, Termbase()))):
            if en is not None:
                rows.append((omission_features(pair.zh, en), length_z(pair.zh, en), truncated, pair.id))
    return rows


def _vector(f) -> list[float]:
    return [f.z, f.source_share, f.target_share, f.tail, f.last_clause]


def fit_omission(rows, l2: float = 1e-3) -> tuple[float, ...]:
    """Logistic regression (Newton's method) of truncated-or-not on the
    omission features, over the rows the omission check judges: those that
    have them and that length-ratio leaves (z ≥ −MAX_SHORT_Z)."""
    import numpy as np

    from pipeline.checks.length import MAX_SHORT_Z

    data = [(_vector(f), t) for f, _, t, _ in rows if f is not None and f.z >= -MAX_SHORT_Z]
    x = np.array([v + [1.0] for v, _ in data])
    y = np.array([float(t) for _, t in data])
    w = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (p - y) + l2 * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    return tuple(round(float(v), 2) for v in w)


def omission_curve(rows, weights, thresholds) -> list[tuple[float, float, float]]:
    """``(threshold, share of references flagged, share of truncations
    caught)`` by length-ratio's short bound or the omission check."""
    from pipeline.checks.coverage import omission_score
    from pipeline.checks.length import MAX_SHORT_Z

    refs = [r for r in rows if not r[2]]
    cuts = [r for r in rows if r[2]]

    def flagged(row, threshold):
        f, z, _, _ = row
        if z is not None and z < -MAX_SHORT_Z:
            return True
        return f is not None and omission_score(f, weights) > threshold

    return [
        (t, sum(flagged(r, t) for r in refs) / len(refs), sum(flagged(r, t) for r in cuts) / len(cuts))
        for t in thresholds
    ]


def omission_judged(rows, weights, thresholds, verdicts: dict) -> list[tuple[float, int, int, int]]:
    """``(threshold, omission findings on references, judged false,
    unjudged)``: what the content rule adds to length-ratio on correct text."""
    from pipeline.checks.coverage import omission_score
    from pipeline.checks.length import MAX_SHORT_Z

    out = []
    for t in thresholds:
        ids = [
            entry_id
            for f, z, truncated, entry_id in rows
            if not truncated and f is not None and f.z >= -MAX_SHORT_Z and omission_score(f, weights) > t
        ]
        judged = [verdicts.get((entry_id, "omission")) for entry_id in ids]
        out.append((t, len(ids), judged.count("false"), judged.count(None)))
    return out


def report_omission_fit(all_pairs: dict[str, list[Pair]], seed: int, verdicts: dict) -> None:
    from pipeline.checks.coverage import OMISSION_THRESHOLD, OMISSION_WEIGHTS

    rows = {name: omission_rows(all_pairs[name], seed) for name in SETS}
    weights = fit_omission(rows[TUNING_SET])
    print(f"fitted on {TUNING_SET}: weights (z, source share, target share, tail, last clause, constant) = {weights}")
    print(f"in force: {OMISSION_WEIGHTS}, threshold {OMISSION_THRESHOLD}")
    thresholds = [1.0, 1.5, 2.0, 2.25, 2.5, 2.75, 3.0, 3.5, 4.0, 5.0, 99.0]
    print("length-ratio (short) or omission, on every entry (not only those no check flags):")
    print(f"{'threshold':>9}  " + "  ".join(f"{n + ' refs flagged':>22} {'truncations caught':>18}" for n in SETS))
    for label, w in (("weights in force", OMISSION_WEIGHTS), ("weights just fitted", weights)):
        print(label)
        curves = {name: omission_curve(rows[name], w, thresholds) for name in SETS}
        for i, t in enumerate(thresholds):
            cells = "  ".join(f"{100 * curves[n][i][1]:>21.2f}% {100 * curves[n][i][2]:>17.1f}%" for n in SETS)
            print(f"{t:>9}  {cells}")
    print("omission findings on the references (weights in force), judged false, unjudged:")
    for name in SETS:
        for t, n, false, unjudged in omission_judged(rows[name], OMISSION_WEIGHTS, thresholds[:-1], verdicts):
            share = 100 * false / len(all_pairs[name])
            print(
                f"  {name} threshold {t}: {n} findings, {false} judged false ({share:.2f}% of entries), "
                f"{unjudged} unjudged"
            )


# --- judgements ----------------------------------------------------------------------


def load_judgements(path: Path) -> dict[tuple[str, str], str]:
    """``{(entry id, check code): "true" | "false"}`` from the judgement file
    (columns: set, line, check, verdict, reason; ``#`` starts a comment)."""
    verdicts = {}
    if not path.exists():
        return verdicts
    with open(path, encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if not row or row[0].startswith("#") or row[0] == "set":
                continue
            name, line, code, verdict = row[:4]
            verdicts[f"{name}:{line}", code] = verdict.strip()
    return verdicts


# --- report --------------------------------------------------------------------------


def measure(name: str, pairs: list[Pair], termbase: Termbase, verdicts: dict, per_kind: int, seed: int) -> dict:
    started = time.perf_counter()
    found = findings_by_entry([(p.id, p.zh, p.en) for p in pairs], termbase)
    elapsed = time.perf_counter() - started
    per_check = {}
    for check in CHECKS:
        entries = [e for e, fs in found.items() if any(f.code == check.code for f in fs)]
        findings = sum(1 for fs in found.values() for f in fs if f.code == check.code)
        judged = Counter(verdicts.get((e, check.code), "unjudged") for e in entries)
        per_check[check.code] = {
            "severity": check.severity.value,
            "findings": findings,
            "entries": len(entries),
            "judged_false": judged["false"],
            "judged_true": judged["true"],
            "unjudged": judged["unjudged"],
        }
    flagged = {e for e, fs in found.items() if fs}
    # The glossary check is the only one that reads the termbase: without
    # one, an entry is flagged by its other findings.
    flagged_without_termbase = {e for e, fs in found.items() if any(f.code != "glossary" for f in fs)}
    errors = {e for e, fs in found.items() if any(f.severity is Severity.ERROR for f in fs)}
    judged_false = {e for e, fs in found.items() if any(verdicts.get((e, f.code)) == "false" for f in fs)}
    # What would stay flagged if every finding judged false were removed.
    without_false = {e for e, fs in found.items() if any(verdicts.get((e, f.code)) != "false" for f in fs)}
    clean = {p.id for p in pairs} - flagged
    recall = planted_recall(pairs, clean, termbase, per_kind, seed)
    return {
        "set": name,
        "entries": len(pairs),
        "seconds": round(elapsed, 2),
        "termbase_terms": len(termbase),
        "flagged": len(flagged),
        "flagged_without_termbase": len(flagged_without_termbase),
        "flagged_with_a_false_finding": len(judged_false),
        "flagged_without_false_findings": len(without_false),
        "error_entries": len(errors),
        "error_entries_judged_false": len(
            {
                e
                for e in errors
                if any(verdicts.get((e, f.code)) == "false" for f in found[e] if f.severity is Severity.ERROR)
            }
        ),
        "checks": per_check,
        "recall": {k: {"caught": c, "planted": n, "by_check": codes} for k, (c, n, codes) in recall.items()},
    }


def print_report(r: dict) -> None:
    n = r["entries"]
    print(
        f"\n== {r['set']}: {n} entries, checked in {r['seconds']} s, termbase of {r['termbase_terms']} verified names"
    )
    print(
        f"{'check':<22} {'severity':<8} {'findings':>8} {'entries':>7} {'judged false':>12} {'judged true':>11} "
        f"{'unjudged':>8}"
    )
    for code, c in r["checks"].items():
        if c["findings"]:
            print(
                f"{code:<22} {c['severity']:<8} {c['findings']:>8} {c['entries']:>7} {c['judged_false']:>12}"
                f" {c['judged_true']:>11} {c['unjudged']:>8}"
            )
    print(f"entries flagged by any check: {r['flagged']} ({100 * r['flagged'] / n:.2f}%)")
    print(f"  without a termbase: {r['flagged_without_termbase']} ({100 * r['flagged_without_termbase'] / n:.2f}%)")
    print(
        f"  with a finding judged false: {r['flagged_with_a_false_finding']} "
        f"({100 * r['flagged_with_a_false_finding'] / n:.2f}%)"
    )
    print(
        f"  if every finding judged false were removed: {r['flagged_without_false_findings']} "
        f"({100 * r['flagged_without_false_findings'] / n:.2f}%)"
    )
    print(
        f"entries with an error-level finding: {r['error_entries']} ({100 * r['error_entries'] / n:.2f}%),"
        f" judged false: {r['error_entries_judged_false']}"
    )
    print("recall on planted errors (entries no check flags, fixed seed):")
    for kind, v in r["recall"].items():
        share = 100 * v["caught"] / v["planted"] if v["planted"] else math.nan
        codes = ", ".join(f"{code} {count}" for code, count in sorted(v["by_check"].items(), key=lambda x: -x[1]))
        print(f"  {kind:<10} {v['caught']:>4}/{v['planted']:<4} {share:5.1f}%   ({codes})")


def show(pairs: list[Pair], termbase: Termbase, code: str, verdicts: dict) -> None:
    """Every finding of one check, with its pair, for reading."""
    found = findings_by_entry([(p.id, p.zh, p.en) for p in pairs], termbase)
    by_id = {p.id: p for p in pairs}
    for entry_id, fs in found.items():
        for f in fs:
            if f.code == code:
                p = by_id[entry_id]
                verdict = verdicts.get((entry_id, code), "?")
                print(f"[{entry_id}] [{verdict}] {f.message}\n  zh: {p.zh}\n  en: {p.en}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--set", choices=[*SETS, "all"], default=None, help="one set (default: each set separately)")
    parser.add_argument("--judgements", type=Path, default=JUDGEMENTS)
    parser.add_argument("--per-kind", type=int, default=200, help="planted errors per kind (default 200)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--show", metavar="CHECK", help="print every finding of CHECK with its pair")
    parser.add_argument("--no-termbase", action="store_true", help="run without the mined termbase")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument(
        "--fit-omission",
        action="store_true",
        help="fit the omission model on the tuning set and print its trade-off curve",
    )
    args = parser.parse_args(argv)
    require_corpus(args.corpus)
    verdicts = load_judgements(args.judgements)
    names = list(SETS) if args.set in (None, "all") else [args.set]
    all_pairs = {name: load_pairs(args.corpus, name) for name in SETS}
    if args.fit_omission:
        report_omission_fit(all_pairs, args.seed, verdicts)
        return 0
    termbase = Termbase() if args.no_termbase else newsroom_termbase(all_pairs)
    if args.show:
        for name in names:
            show(all_pairs[name], termbase, args.show, verdicts)
        return 0
    if args.set == "all":
        reports = [
            measure("all", [p for n in SETS for p in all_pairs[n]], termbase, verdicts, args.per_kind, args.seed)
        ]
    else:
        reports = [measure(n, all_pairs[n], termbase, verdicts, args.per_kind, args.seed) for n in names]
    for r in reports:
        print_report(r)
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
