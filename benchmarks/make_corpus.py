"""Generate a synthetic corpus of Chinese news interviews for scale benchmarks.

Each document has the seed's size and shape: a title, a subtitle, a byline,
lead paragraphs, a "记者手记" section, numbered sections with a quoted
heading, ``记者：`` questions and ``<name>：`` answers, captions with photo
credits, and sentences broken by a page break (some with a caption printed
between the halves), so the segmenter does the same work as on the seed.
A third of the documents are typed OCR-style, with half-width ``, `` and
``: `` in Chinese context, so the normaliser works too.

About 30% of each document's sentences are real seed sentences, drawn in a
shuffled order: across documents they repeat, as a translation memory would
see in a newsroom archive. The others are new: seed clauses recombined, with
names, places and numbers substituted, and never repeated in the corpus.

Generation is deterministic: the same seed file, ``--seed`` and document
count give byte-identical files, and the corpus of n documents is a prefix
of the corpus of 10·n, so the steps nest. Usage::

    python -m benchmarks.make_corpus OUT_DIR [--steps 1,10,100] [--seed 7]

writes ``OUT_DIR/corpus-1x/seeds/*.txt`` and so on, one workspace per step,
and prints what the segmenter finds in each.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.measure import SEED_DOCUMENT
from pipeline.segment import BlockType, Part, rules, segment_document
from pipeline.segment.normalize import normalize
from pipeline.sources import read_source
from pipeline.zh import script

DEFAULT_SEED_FILE = SEED_DOCUMENT
DEFAULT_STEPS = (1, 10, 100)
#: Share of a document's sentences that are real seed sentences.
SEED_SENTENCE_SHARE = 0.3
#: Share of documents typed OCR-style, with half-width punctuation.
HALF_WIDTH_SHARE = 1 / 3

# Names and places of the seed, and what a generated document puts in their
# place (one choice per document, so its speaker label repeats).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "平明华军伟芳敏静丽强磊洋勇艳杰娟涛超秀霞刚桂英玉兰萍建文辉力斌宇浩凯"
    "鹏飞鑫晨阳宁亮海波峰欣怡佳琳雪梅思源博远志成良田龙梁"
)
CITIES = [
    ("宁波", "浙江"),
    ("杭州", "浙江"),
    ("温州", "浙江"),
    ("苏州", "江苏"),
    ("无锡", "江苏"),
    ("南京", "江苏"),
    ("合肥", "安徽"),
    ("武汉", "湖北"),
    ("长沙", "湖南"),
    ("成都", "四川"),
    ("西安", "陕西"),
    ("青岛", "山东"),
    ("厦门", "福建"),
    ("郑州", "河南"),
    ("佛山", "广东"),
    ("东莞", "广东"),
    ("南昌", "江西"),
    ("昆明", "云南"),
]
LAB_NAMES = [
    "甬江",
    "之江",
    "西湖",
    "紫金山",
    "东湖",
    "岳麓",
    "崂山",
    "鹏城",
    "锦江",
    "天府",
    "嵩山",
    "滇池",
    "湘江",
    "珠江",
]
CREDITS_FILE = ["资料图片", "资料照片"]
HEADING_NOTES = "记者手记"


@dataclass
class SeedMaterial:
    """What documents are made of, taken from the seed by our own segmenter."""

    statements: list[str]  # body and answer sentences, as the segmenter cut them
    questions: list[str]  # sentences ending in ？
    captions: list[str]  # caption sentences (without their credit)
    clauses: list[str]  # top-level clauses of statements, for recombination
    question_clauses: list[str]  # last clauses of questions
    short_clauses: list[str]  # clauses short and plain enough for a title or heading

    @property
    def sentences(self) -> set[str]:
        return set(self.statements) | set(self.questions) | set(self.captions)


def _split_clauses(sentence: str) -> list[str]:
    """Clauses of ``sentence`` at top-level ，；： (never inside quotes or
    brackets), without the sentence-final punctuation."""
    core = sentence.rstrip(script.SENTENCE_ENDS + script.ELLIPSIS)
    clauses, start, closers = [], 0, []
    for i, ch in enumerate(core):
        if closers and ch == closers[-1]:
            closers.pop()
        elif ch in rules.QUOTE_PAIRS:
            closers.append(rules.QUOTE_PAIRS[ch])
        elif not closers and ch in "，；：":
            clauses.append(core[start:i])
            start = i + 1
    clauses.append(core[start:])
    return [c for c in clauses if c]


def load_seed_material(seed_file: Path = DEFAULT_SEED_FILE) -> SeedMaterial:
    """Segment the seed and collect its sentences and clauses by role."""
    source = read_source(seed_file, seed_file.name)
    document = segment_document(seed_file.stem, source.text)
    statements, questions, captions = [], [], []
    for block in document.blocks:
        for segment in block.segments:
            if segment.part is not Part.SENTENCE or not segment.translatable:
                continue
            if block.type is BlockType.CAPTION:
                captions.append(segment.text)
            elif block.type in (BlockType.BODY, BlockType.QA_TURN):
                (questions if segment.text.endswith("？") else statements).append(segment.text)
    clauses = [c for s in statements for c in _split_clauses(s) if script.count_han(c) >= 2]
    question_clauses = [_split_clauses(q)[-1] for q in questions]
    short = [
        c
        for c in clauses
        if 4 <= len(c) <= 14 and not any(p in c for p in rules.CLAUSE_PUNCT + "“”《》（）") and not re.search(r"\d", c)
    ]
    return SeedMaterial(statements, questions, captions, clauses, question_clauses, short)


@dataclass
class DocumentPlan:
    """The substitutions of one document: who is interviewed, where, by whom."""

    interviewee: str
    reporter: str
    photographers: list[str]
    city: str
    province: str
    lab: str
    others: list[str]
    half_width: bool

    def substitute(self, text: str, rng: random.Random) -> str:
        """Put this document's names and places, and fresh numbers, in ``text``."""
        for old, new in (
            ("崔主任", self.interviewee[0] + "主任"),
            ("崔平", self.interviewee),
            ("成良田", self.reporter),
            ("彭佳学", self.others[0]),
            ("李泽湘", self.others[1]),
            ("宁波", self.city),
            ("甬江", self.lab),
            ("浙江", self.province),
        ):
            text = text.replace(old, new)
        return re.sub(r"\d+", lambda m: _number_like(m.group(0), rng), text)


def _number_like(digits: str, rng: random.Random) -> str:
    """A random number with as many digits as ``digits``."""
    if len(digits) == 1:
        return str(rng.randint(1, 9))
    return str(rng.randint(10 ** (len(digits) - 1), 10 ** len(digits) - 1))


def _person(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name not in used:
            used.add(name)
            return name


@dataclass
class CorpusStats:
    """What went into the documents written so far."""

    seed_sentences: int = 0
    new_sentences: int = 0
    page_breaks: int = 0


@dataclass
class CorpusGenerator:
    """Writes documents one after another; new sentences are unique across
    everything it has written, so the corpus of n documents is a prefix of
    the corpus of more."""

    material: SeedMaterial
    seed: int = 7
    used: set[str] = field(default_factory=set)
    stats: CorpusStats = field(default_factory=CorpusStats)

    def __post_init__(self) -> None:
        self.used |= self.material.sentences

    # --- sentences ----------------------------------------------------------

    def _new_sentence(self, rng: random.Random, plan: DocumentPlan, question: bool = False) -> str:
        """Seed clauses recombined, with this document's names and numbers."""
        for _ in range(1000):
            count = rng.choice((2, 2, 3, 3, 3, 4))
            clauses = rng.sample(self.material.clauses, count - (1 if question else 0))
            if question:
                clauses.append(rng.choice(self.material.question_clauses))
            text = plan.substitute("，".join(clauses), rng) + ("？" if question else "。")
            if text not in self.used:
                self.used.add(text)
                self.stats.new_sentences += 1
                return text
        raise RuntimeError("cannot find a new sentence; the seed is too small")

    def _sentence(self, rng: random.Random, plan: DocumentPlan, deck: list[str], question: bool = False) -> str:
        if deck and rng.random() < SEED_SENTENCE_SHARE:
            self.stats.seed_sentences += 1
            return deck.pop()
        return self._new_sentence(rng, plan, question)

    def _paragraph(self, rng, plan, deck, low: int, high: int) -> str:
        return "".join(self._sentence(rng, plan, deck) for _ in range(rng.randint(low, high)))

    def _short(self, rng: random.Random, plan: DocumentPlan) -> str:
        return plan.substitute(rng.choice(self.material.short_clauses), rng)

    def _caption(self, rng: random.Random, plan: DocumentPlan, caption_deck: list[str]) -> str:
        if caption_deck and rng.random() < 0.5:
            text = caption_deck.pop()
            self.stats.seed_sentences += 1
        else:
            template = rng.choice(("甬江实验室主任崔平", "崔平和科研人员交流", "甬江实验室实景图", "宁波{short}"))
            text = plan.substitute(template.format(short=self._short(rng, plan)), rng) + "。"
        credit = rng.choice(plan.photographers) + " 摄" if rng.random() < 0.75 else rng.choice(CREDITS_FILE)
        # Half of the credits on a line of their own and half-width, as the
        # seed has them: the normaliser and the caption rule both see them.
        return text + ("\n(" + credit + ")" if rng.random() < 0.5 else "（" + credit + "）")

    # --- documents ------------------------------------------------------------

    def plan(self, rng: random.Random) -> DocumentPlan:
        """Who and where one document is about, and how it is typed."""
        people: set[str] = set()
        city, province = rng.choice(CITIES)
        return DocumentPlan(
            interviewee=_person(rng, people),
            reporter=_person(rng, people),
            photographers=[_person(rng, people) for _ in range(2)],
            city=city,
            province=province,
            lab=rng.choice(LAB_NAMES),
            others=[_person(rng, people) for _ in range(2)],
            half_width=rng.random() < HALF_WIDTH_SHARE,
        )

    def document(self, index: int) -> str:
        """The text of document ``index`` (call in order 0, 1, 2, ...)."""
        rng = random.Random(f"{self.seed}:{index}")
        plan = self.plan(rng)
        deck = list(self.material.statements)
        rng.shuffle(deck)
        questions = list(self.material.questions)
        rng.shuffle(questions)
        caption_deck = list(self.material.captions)
        rng.shuffle(caption_deck)

        # (block type, text); body and qa-turn paragraphs may get a page break later.
        paragraphs: list[tuple[str, str]] = [
            ("title", self._short(rng, plan) + "，" + self._short(rng, plan)),
            ("subtitle", f"{plan.interviewee}：" + self._short(rng, plan)),
            ("byline", f"记者 {plan.reporter}"),
        ]
        for _ in range(rng.randint(5, 7)):
            paragraphs.append(("body", self._paragraph(rng, plan, deck, 1, 2)))
        paragraphs.append(
            (
                "body",
                "".join(self._sentence(rng, plan, questions, True) for _ in range(rng.randint(2, 3)))
                + self._sentence(rng, plan, deck),
            )
        )
        paragraphs.append(("caption", self._caption(rng, plan, caption_deck)))
        paragraphs.append(("heading", HEADING_NOTES))
        for _ in range(rng.randint(6, 9)):
            paragraphs.append(("body", self._paragraph(rng, plan, deck, 1, 2)))
        paragraphs.append(("caption", self._caption(rng, plan, caption_deck)))
        for number in range(1, rng.randint(3, 5) + 1):
            paragraphs.append(("section-number", str(number)))
            paragraphs.append(("heading", "“" + self._short(rng, plan) + "”"))
            question = self._paragraph(rng, plan, deck, 1, 2) + self._sentence(rng, plan, questions, True)
            paragraphs.append(("qa-turn", "记者：" + question))
            paragraphs.append(("qa-turn", f"{plan.interviewee}：" + self._paragraph(rng, plan, deck, 2, 4)))
            for _ in range(rng.randint(2, 5)):
                paragraphs.append(("body", self._paragraph(rng, plan, deck, 1, 3)))
            if rng.random() < 0.4:
                paragraphs.append(("caption", self._caption(rng, plan, caption_deck)))
        paragraphs.append(("caption", self._caption(rng, plan, caption_deck)))

        blocks = self._break_pages(rng, plan, caption_deck, paragraphs)
        if plan.half_width:
            blocks = [_half_width(b) for b in blocks]
        # Blank lines between blocks, now and then two or three (a page break).
        out = []
        for block in blocks:
            out.append(block)
            out.append("\n" * rng.choice((2, 2, 2, 2, 3, 4)))
        return "\n" + "".join(out)

    def _break_pages(self, rng, plan, caption_deck, paragraphs: list[tuple[str, str]]) -> list[str]:
        """Cut one to three long paragraphs in the middle of a sentence, as a
        page break does; half of the cuts get a caption printed between."""
        candidates = [i for i, (kind, text) in enumerate(paragraphs) if kind in ("body", "qa-turn") and len(text) > 60]
        cuts = set(rng.sample(candidates, min(len(candidates), rng.randint(1, 3))))
        blocks: list[str] = []
        for i, (_kind, text) in enumerate(paragraphs):
            if i not in cuts:
                blocks.append(text)
                continue
            at = _cut_point(text, rng)
            if at is None:
                blocks.append(text)
                continue
            self.stats.page_breaks += 1
            blocks.append(text[:at])
            if rng.random() < 0.5:
                blocks.append(self._caption(rng, plan, caption_deck))
            blocks.append(text[at:])
        return blocks


def _cut_point(text: str, rng: random.Random) -> int | None:
    """Where a page break may fall in ``text``: between two Han characters,
    after a clause mark (so the first half is body text, not a heading),
    with a second half that the segmenter reads as body text."""
    first_clause = min((text.find(p) for p in "，；" if p in text), default=-1)
    if first_clause < 0:
        return None
    points = [
        i
        for i in range(max(first_clause + 2, 20), len(text) - 6)
        if script.is_han(text[i - 1])
        and script.is_han(text[i])
        and text[i - 1] not in script.SENTENCE_ENDS
        and not rules.SPEAKER_LABEL_RE.match(text[i:])
    ]
    return rng.choice(points) if points else None


def _half_width(block: str) -> str:
    """``block`` as OCR gives it: ``, `` and ``: `` between Chinese
    characters. Kept only where the normaliser restores the original."""
    lines = []
    for line in block.split("\n"):
        ocr = re.sub(f"(?<=[{script.HAN}])，(?=[{script.HAN}])", ", ", line)
        ocr = re.sub(f"(?<=[{script.HAN}])：(?=[{script.HAN}“])", ": ", ocr)
        lines.append(ocr if normalize(ocr) == line else line)
    return "\n".join(lines)


def generate(
    count: int, seed: int = 7, seed_file: Path = DEFAULT_SEED_FILE
) -> tuple[list[tuple[str, str]], CorpusStats]:
    """``count`` documents as (file name, text), and what went into them."""
    generator = CorpusGenerator(load_seed_material(seed_file), seed)
    docs = [(f"doc-{i + 1:04d}.txt", generator.document(i)) for i in range(count)]
    return docs, generator.stats


def write_step(out_dir: Path, step: int, docs: list[tuple[str, str]]) -> Path:
    """Write the first ``step`` documents into ``out_dir/corpus-<step>x/seeds``."""
    seeds = out_dir / f"corpus-{step}x" / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    for old in seeds.glob("*.txt"):
        old.unlink()
    for name, text in docs[:step]:
        (seeds / name).write_text(text, encoding="utf-8")
    return seeds.parent


#: Blocks whose sentences are drawn from the seed or made new.
_RUNNING_TEXT = frozenset({BlockType.BODY, BlockType.QA_TURN, BlockType.CAPTION})


def describe(docs: list[tuple[str, str]], seed_sentences: set[str]) -> dict:
    """What the segmenter finds in ``docs``: blocks by type, segments, Han
    characters, repeats of seed sentences."""
    types: Counter = Counter()
    segments = translatable = han = sentences = from_seed = 0
    distinct: set[str] = set()
    digest = hashlib.sha256()
    for name, text in docs:
        digest.update(name.encode() + b"\0" + text.encode())
        document = segment_document(name, text)
        for block in document.blocks:
            types[block.type.value] += 1
            for segment in block.segments:
                segments += 1
                if segment.translatable:
                    translatable += 1
                    distinct.add(segment.text)
                    han += script.count_han(segment.text)
                if segment.part is Part.SENTENCE and block.type in _RUNNING_TEXT:
                    sentences += 1
                    from_seed += segment.text in seed_sentences
    return {
        "documents": len(docs),
        "bytes": sum(len(t.encode()) for _, t in docs),
        "segments": segments,
        "translatable": translatable,
        "distinct": len(distinct),
        "han": han,
        "sentences": sentences,
        "seed_sentence_share": round(from_seed / sentences, 3) if sentences else 0.0,
        "blocks": dict(sorted(types.items())),
        "sha256": digest.hexdigest()[:16],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--steps", default="1,10,100", help="documents per step, comma-separated [1,10,100]")
    parser.add_argument("--seed", type=int, default=7, help="random seed [7]")
    parser.add_argument("--seed-file", type=Path, default=DEFAULT_SEED_FILE)
    args = parser.parse_args(argv)
    steps = sorted({int(s) for s in args.steps.split(",")})
    docs, stats = generate(max(steps), args.seed, args.seed_file)
    seed_sentences = load_seed_material(args.seed_file).sentences
    for step in steps:
        workspace = write_step(args.out_dir, step, docs)
        d = describe(docs[:step], seed_sentences)
        print(
            f"{workspace}: {d['documents']} documents, {d['bytes'] / 1024:.0f} KiB, {d['segments']} segments "
            f"({d['distinct']} distinct of {d['translatable']} translatable; {d['seed_sentence_share']:.0%} of "
            f"{d['sentences']} sentences from the seed), "
            f"{d['han']} Han characters; sha256 {d['sha256']}"
        )
    print(
        f"sentences: {stats.seed_sentences} from the seed, {stats.new_sentences} new; {stats.page_breaks} page breaks",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
