"""``pipeline evaluate``: scores that anyone can reproduce, to choose an
engine for a newsroom on its own documents.

Three measurements, each printed with what it was measured on:

* **Against a reference** (``--reference``: a TSV of ``zh<TAB>en`` lines,
  or Chinese and English files line for line; or ``--reviewed-reference``:
  the translations reviewers made or accepted in the documents): BLEU, chrF and TER from
  sacrebleu, each with its signature, so that anyone gets the same
  figure from the same text. Without ``--engine`` the current machine
  drafts of the documents are scored (a reference line is matched to the
  catalog entry whose source is the same text), one row per engine
  signature; entries a person has already translated are not drafts and
  are left out.
* **Engines side by side** (``--engine A --engine B``, ``NAME`` or
  ``NAME:MODEL``): each engine translates the same sample (the reference's
  Chinese, or the documents' segments) and gets one row: the scores when
  there is a reference, segments per second (wall time, model loading
  included), the checks of :mod:`pipeline.checks` fired per 100 segments,
  and the segments it left untranslated (which score as empty). An engine
  that cannot be made or fails gets a row that says why.
* **Post-editing** (``--post-edit``): what reviewers made of the machine
  drafts, from the review history (:mod:`pipeline.review.history`): HTER,
  the TER of each draft against the text the reviewer saved, and the share
  of drafts accepted unchanged, per engine signature and per document.

Nothing here writes to the workspace.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from .catalog import State, load_catalog, state_of
from .catalog.annotations import machine_signature
from .catalog.states import is_segment
from .engines.base import Engine
from .errors import PipelineError
from .textsafety import printable, refuse_unsafe
from .workspace import Workspace


class EvaluateError(PipelineError):
    """A reference or an evaluation that cannot be used; one line."""


#: The most reference sentences scored: test sets run to a few thousand;
#: sacrebleu keeps every sentence's statistics (a million lines took 14
#: minutes and 23 GB), so a larger file is refused with a hint to sample it.
MAX_REFERENCE_LINES = 100_000


# --- references -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """Source sentences and their reference translations, line for line."""

    name: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.sources)


def _lines(path: Path) -> list[str]:
    """The lines of a UTF-8 text file (a BOM and CRLF endings allowed),
    split at line feeds only, so that "line n" means the same in both files
    of a pair."""
    if not path.is_file():  # a FIFO or a device would block or never end
        raise EvaluateError(f"{path}: not a regular file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EvaluateError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = ""
        try:
            data.decode("gb18030")
            hint = "; it reads as GB18030: convert it with iconv -f GB18030 -t UTF-8"
        except UnicodeDecodeError:
            pass
        raise EvaluateError(f"{path}: not UTF-8 (byte {exc.start}){hint}") from None
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if lines and not lines[-1]:
        lines.pop()  # the final line feed
    if len(lines) > MAX_REFERENCE_LINES:
        raise EvaluateError(
            f"{path}: {len(lines):,} lines; at most {MAX_REFERENCE_LINES:,} are scored "
            "(take a sample, e.g. with shuf -n)"
        )
    refuse_unsafe("\n".join(lines), str(path))
    return lines


def read_reference(path: Path, english: Path | None = None) -> Reference:
    """A reference: ``path`` a TSV of ``zh<TAB>en`` lines (blank lines
    skipped), or, with ``english``, the Chinese lines of ``path`` and the
    English lines of ``english``, line for line."""
    if english is None:
        sources, targets = [], []
        for number, line in enumerate(_lines(path), 1):
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) != 2:
                raise EvaluateError(f"{path}:{number}: expected Chinese<TAB>English, got {len(fields)} field(s)")
            for column, value in zip(("Chinese", "English"), fields, strict=True):
                if not value.strip():
                    raise EvaluateError(f"{path}:{number}: the {column} field is empty")
            _check_english(fields[1], path, number)
            sources.append(fields[0].strip())
            targets.append(fields[1].strip())
        name = str(path)
    else:
        sources = [line.strip() for line in _lines(path)]
        targets = [line.strip() for line in _lines(english)]
        while sources and targets and not sources[-1] and not targets[-1]:
            sources.pop(), targets.pop()
        if len(sources) != len(targets):
            raise EvaluateError(f"{path} has {len(sources)} lines but {english} has {len(targets)}")
        for number, (zh, en) in enumerate(zip(sources, targets, strict=True), 1):
            if not zh or not en:
                raise EvaluateError(f"{path if not zh else english}:{number}: empty line")
            _check_english(en, english, number)
        name = f"{path} + {english}"
    if not sources:
        raise EvaluateError(f"{path}: no sentences")
    return Reference(name, tuple(sources), tuple(targets))


def _check_english(text: str, path: Path, number: int) -> None:
    """Refuse an "English" reference that is Chinese (columns swapped, or
    the wrong file): it would score every engine near zero, silently. A
    Chinese name kept beside its English is fine: the line is refused only
    when Han characters outnumber Latin letters."""
    from .zh.script import count_han

    han = count_han(text)
    if han and han >= sum(ch.isascii() and ch.isalpha() for ch in text):
        raise EvaluateError(f"{path}:{number}: the English side is Chinese (columns swapped, or the wrong file?)")


def reviewed_reference(ws: Workspace, docs: Sequence[str]) -> Reference:
    """The translations people made or accepted in ``docs`` (translated and
    approved entries) as a reference. It leans towards the engine whose
    drafts the reviewers edited: ``--post-edit`` measures that directly."""
    from .catalog.states import is_reviewed

    pairs: dict[str, str] = {}
    for doc in docs:
        path = ws.catalog_path(doc)
        for message in load_catalog(path, ws.relative(path), inside=ws.root):
            if is_segment(message) and message.id and is_reviewed(state_of(message)):
                pairs.setdefault(message.id, message.string)
    if not pairs:
        raise EvaluateError("no reviewed translations in the documents to use as a reference")
    names = ", ".join(docs) if len(docs) <= 3 else f"{len(docs)} documents"
    return Reference(f"the reviewed translations of {names}", tuple(pairs), tuple(pairs.values()))


# --- scores ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    bleu: float
    chrf: float
    ter: float


def score(hypotheses: Sequence[str], references: Sequence[str], signatures: dict[str, str] | None = None) -> Scores:
    """Corpus BLEU, chrF and TER of ``hypotheses`` against one reference
    each; ``signatures``, when given, receives each metric's sacrebleu
    signature (known once the metric has scored)."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    refs, hyps = [list(references)], list(hypotheses)
    metrics = {"BLEU": BLEU(), "chrF": CHRF(), "TER": TER()}
    values = {name: metric.corpus_score(hyps, refs).score for name, metric in metrics.items()}
    if signatures is not None:
        signatures.update((name, str(metric.get_signature())) for name, metric in metrics.items())
    return Scores(bleu=values["BLEU"], chrf=values["chrF"], ter=values["TER"])


# --- rows -----------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of a table: an engine (signature) or a document."""

    name: str
    segments: int
    scores: Scores | None = None
    seconds: float | None = None
    checks_per_100: float | None = None
    untranslated: int = 0
    #: Post-editing: HTER and the share of drafts accepted unchanged (percent).
    hter: float | None = None
    unchanged: float | None = None
    findings: dict[str, int] = field(default_factory=dict)
    #: Why the engine could not be measured (one line), or None.
    error: str | None = None

    @property
    def per_second(self) -> float | None:
        if self.seconds is None:
            return None
        return self.segments / self.seconds if self.seconds > 0 else None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["scores"] = asdict(self.scores) if self.scores else None
        data["segments_per_second"] = self.per_second
        return data


@dataclass
class Evaluation:
    """What ``pipeline evaluate`` measured; :func:`format_evaluation` and
    :meth:`as_dict` show it."""

    reference: str | None = None
    sentences: int = 0
    #: Reference sentences not found in any catalog (drafts mode).
    missing: int = 0
    #: Reference sentences whose entry is no longer a machine draft.
    not_drafts: int = 0
    drafts: list[Row] = field(default_factory=list)
    engines: list[Row] = field(default_factory=list)
    post_edit_engines: list[Row] = field(default_factory=list)
    post_edit_documents: list[Row] = field(default_factory=list)
    post_edit: bool = False  # whether post-editing was asked for
    signatures: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> list[Row]:
        """The engines that could not be measured."""
        return [r for r in self.engines if r.error is not None]

    def as_dict(self) -> dict:
        return {
            "reference": self.reference,
            "sentences": self.sentences,
            "missing": self.missing,
            "not_drafts": self.not_drafts,
            "signatures": self.signatures,
            "drafts": [r.as_dict() for r in self.drafts],
            "engines": [r.as_dict() for r in self.engines],
            "post_edit": {
                "engines": [r.as_dict() for r in self.post_edit_engines],
                "documents": [r.as_dict() for r in self.post_edit_documents],
            },
        }


# --- the current drafts against a reference -------------------------------------------------------


def score_drafts(ws: Workspace, docs: Sequence[str], reference: Reference, evaluation: Evaluation) -> None:
    """Score the machine drafts of ``docs`` whose source is a reference
    sentence, one row per engine signature."""
    drafts: dict[str, tuple[str, str | None]] = {}  # source -> (draft, signature)
    found: set[str] = set()
    for doc in docs:
        path = ws.catalog_path(doc)
        for message in load_catalog(path, ws.relative(path), inside=ws.root):
            if not is_segment(message) or message.id in drafts:
                continue
            found.add(message.id)
            if state_of(message) is State.MACHINE_DRAFT:
                drafts[message.id] = (message.string, machine_signature(message))
    by_signature: dict[str, tuple[list[str], list[str]]] = {}
    for zh, en in zip(reference.sources, reference.targets, strict=True):
        if zh not in found:
            evaluation.missing += 1
        elif zh not in drafts:
            evaluation.not_drafts += 1
        else:
            text, signature = drafts[zh]
            hyps, refs = by_signature.setdefault(signature or "(no signature)", ([], []))
            hyps.append(text)
            refs.append(en)
    for signature, (hyps, refs) in sorted(by_signature.items()):
        evaluation.drafts.append(Row(signature, len(hyps), score(hyps, refs, evaluation.signatures)))


# --- engines side by side ----------------------------------------------------------------------


def run_engine(
    name: str,
    make: Callable[[], Engine],
    sample: Sequence[str],
    termbase=None,
    references: Sequence[str] | None = None,
    signatures: dict[str, str] | None = None,
) -> Row:
    """Translate ``sample`` with the engine ``make`` makes, timed (model
    loading included), and measure its drafts. An engine that cannot be
    made or fails gets a row that says why (the others are still measured)."""
    from .checks import run_checks

    started = time.monotonic()
    try:
        drafts = make().translate(list(sample))
    except PipelineError as exc:
        return Row(name, len(sample), error=printable(str(exc), one_line=True))
    seconds = time.monotonic() - started
    label = str(drafts[0].signature) if drafts else name
    texts = [d.text.strip() for d in drafts]
    catalog = Catalog(locale="en", project=name)
    for source, text in zip(sample, texts, strict=True):
        if text and source not in catalog:
            catalog[source] = Message(source, text, flags={"fuzzy"})
    findings = run_checks(catalog, termbase, doc=name)
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.code] = counts.get(finding.code, 0) + 1
    row = Row(
        label,
        len(sample),
        seconds=seconds,
        checks_per_100=100.0 * len(findings) / len(sample) if sample else 0.0,
        untranslated=sum(not t for t in texts),
        findings=dict(sorted(counts.items())),
    )
    if references is not None:
        row.scores = score(texts, references, signatures)
    return row


# --- post-editing --------------------------------------------------------------------------


def post_edit_rows(ws: Workspace, docs: Sequence[str], evaluation: Evaluation) -> None:
    """HTER and drafts accepted unchanged, per engine signature and per
    document, from the review history of ``docs``."""
    from .review.history import post_edits, read_history

    by_signature: dict[str, list[tuple[str, str]]] = {}
    by_doc: dict[str, list[tuple[str, str]]] = {}
    for doc in docs:
        for edit in post_edits(read_history(ws, doc)):
            pair = (edit.draft, edit.final)
            by_signature.setdefault(edit.signature or "(no signature)", []).append(pair)
            by_doc.setdefault(doc, []).append(pair)
    signatures = evaluation.signatures
    evaluation.post_edit_engines = [_post_edit_row(n, pairs, signatures) for n, pairs in sorted(by_signature.items())]
    evaluation.post_edit_documents = [_post_edit_row(n, pairs, signatures) for n, pairs in sorted(by_doc.items())]


def hter(drafts: Sequence[str], finals: Sequence[str], signatures: dict[str, str] | None = None) -> float:
    """Corpus TER of the machine drafts against the texts reviewers saved."""
    from sacrebleu.metrics import TER

    metric = TER()
    value = metric.corpus_score(list(drafts), [list(finals)]).score
    if signatures is not None:
        signatures["TER"] = str(metric.get_signature())
    return value


def _post_edit_row(name: str, pairs: list[tuple[str, str]], signatures: dict[str, str]) -> Row:
    drafts, finals = [d for d, _ in pairs], [f for _, f in pairs]
    unchanged = sum(d == f for d, f in pairs)
    return Row(name, len(pairs), hter=hter(drafts, finals, signatures), unchanged=100.0 * unchanged / len(pairs))


# --- the command ----------------------------------------------------------------------------


def evaluate(
    ws: Workspace,
    docs: Sequence[str],
    reference: Reference | None = None,
    engines: dict[str, Callable[[], Engine]] | None = None,
    post_edit: bool = False,
    sample: int = 200,
) -> Evaluation:
    """Everything ``pipeline evaluate`` measures. ``engines`` maps a label
    (``--engine`` as given) to what makes that engine; each is given the
    workspace's termbase as ``translate`` gives it."""
    from .runner import with_termbase
    from .terms import load_termbase

    evaluation = Evaluation(post_edit=post_edit)
    if reference is not None:
        evaluation.reference = reference.name
        evaluation.sentences = len(reference)
        if not engines:
            score_drafts(ws, docs, reference, evaluation)
    if engines:
        termbase = load_termbase(ws.glossary, inside=ws.root)
        if reference is not None:
            texts, refs = list(reference.sources), list(reference.targets)
        else:
            texts, refs = _document_sample(ws, docs, sample), None
            evaluation.sentences = len(texts)
        if not texts:
            raise EvaluateError("nothing to translate: the documents have no segments")
        for label, make in engines.items():
            evaluation.engines.append(
                run_engine(
                    label,
                    lambda make=make: with_termbase(make(), termbase),
                    texts,
                    termbase,
                    refs,
                    evaluation.signatures,
                )
            )
    if post_edit:
        post_edit_rows(ws, docs, evaluation)
    return evaluation


def _document_sample(ws: Workspace, docs: Sequence[str], limit: int) -> list[str]:
    """The first ``limit`` distinct segments of ``docs``, in document order."""
    seen: dict[str, None] = {}
    for doc in docs:
        path = ws.catalog_path(doc)
        for message in load_catalog(path, ws.relative(path), inside=ws.root):
            if is_segment(message) and message.id:
                seen.setdefault(message.id, None)
                if len(seen) >= limit:
                    return list(seen)
    return list(seen)


# --- output --------------------------------------------------------------------------------


def _cell(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Columns padded to their widest cell; the first left-aligned, the rest right."""
    header = [printable(c, one_line=True) for c in header]
    rows = [[printable(c, one_line=True) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(header), *(line(r) for r in rows)]


def format_evaluation(evaluation: Evaluation) -> str:
    """The tables for people."""
    out: list[str] = []
    if evaluation.drafts or evaluation.reference and not evaluation.engines:
        out.append(
            f"Current machine drafts against {printable(evaluation.reference or '', one_line=True)} "
            f"({evaluation.sentences} sentences; {evaluation.missing} not in the catalogs, "
            f"{evaluation.not_drafts} no longer machine drafts)"
        )
        rows = [[r.name, str(r.segments), *_score_cells(r)] for r in evaluation.drafts]
        out += _table(["engine", "segments", "BLEU", "chrF", "TER"], rows) if rows else ["(no drafts to score)"]
        out.append("")
    if evaluation.engines:
        where = f"against {printable(evaluation.reference, one_line=True)}" if evaluation.reference else "no reference"
        out.append(f"Engines on the same {evaluation.sentences} segments ({where})")
        measured = [r for r in evaluation.engines if r.error is None]
        scored = evaluation.reference is not None
        header = ["engine", *(["BLEU", "chrF", "TER"] if scored else []), "seg/s", "checks/100", "untranslated"]
        rows = [
            [
                r.name,
                *(_score_cells(r) if scored else []),
                _cell(r.per_second),
                _cell(r.checks_per_100),
                str(r.untranslated),
            ]
            for r in measured
        ]
        out += _table(header, rows) if rows else []
        out += [f"{r.name}: failed: {r.error}" for r in evaluation.engines if r.error is not None]
        out.append("")
    if evaluation.post_edit_engines or evaluation.post_edit_documents:
        for title, rows_of in (
            ("Post-editing by engine signature", evaluation.post_edit_engines),
            ("Post-editing by document", evaluation.post_edit_documents),
        ):
            out.append(title)
            rows = [[r.name, str(r.segments), _cell(r.hter), _cell(r.unchanged)] for r in rows_of]
            out += _table(["", "drafts", "HTER", "unchanged %"], rows)
            out.append("")
    elif evaluation.post_edit:
        out += ["Post-editing: no machine drafts reviewed yet in the review history", ""]
    if evaluation.signatures:
        out.append("sacrebleu signatures:")
        out += [f"  {name}: {signature}" for name, signature in evaluation.signatures.items()]
    return "\n".join(out).rstrip() + "\n"


def _score_cells(row: Row) -> list[str]:
    if row.scores is None:
        return ["-", "-", "-"]
    return [_cell(row.scores.bleu), _cell(row.scores.chrf), _cell(row.scores.ter)]
