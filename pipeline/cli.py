"""The ``pipeline`` command. Thin: each command parses options, calls the
runner (:mod:`pipeline.runner`) or one stage module, and prints what it
reports. Logs and progress go to stderr, results to stdout or files; a
PipelineError becomes a one-line message and exit 1 (:class:`PipelineGroup`)."""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

import click

from . import __version__, runner
from .catalog import State
from .check import check_documents, findings_json, format_summary, format_table, has_errors
from .config import MAX_BATCH_SIZE, MAX_BEAM_SIZE, MAX_DECODING_LENGTH, MAX_THREADS, load_config
from .engines import ENGINES, EngineRequest, argos_packages, create_engine, engine_kind, engine_maker
from .engines.settings import BATCH_SIZE, CACHE_POSITIONS, COMPUTE_TYPES, DEVICES, GPU_BATCH_SIZE, DecodingSettings
from .errors import PipelineError
from .evaluate import evaluate, format_evaluation, read_reference
from .evaluate import reviewed_reference as reviewed_reference_of
from .review import terminal
from .review.queue import PENDING, build_queue
from .review.session import ReviewSession, reviewer_name
from .scaffold import init_workspace
from .segment.explain import explain as explain_segmentation
from .status import document_status
from .terms import load_termbase, save_termbase
from .terms.suggest import suggest_terms, workspace_passages, write_candidates
from .terms.tbx import load_tbx, save_tbx
from .terms.termbase import merge_termbase
from .textsafety import json_output, printable
from .tm import export_tmx, import_tmx
from .translate import FLUSH_SECONDS, TranslateSummary
from .workspace import Workspace


def log(message: str) -> None:
    click.echo(message, err=True)


class PipelineGroup(click.Group):
    """The ``pipeline`` group. The errors a user can fix (PipelineError),
    from any command, become click's one-line, exit-1 errors, escaped so
    that whatever they quote stays one line of printable text."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PipelineError as exc:
            raise click.ClickException(printable(str(exc), one_line=True)) from None


workspace_option = click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Workspace directory holding seeds/ and locales/.",
)
sources_argument = click.argument("sources", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
docs_argument = click.argument("docs", nargs=-1)
file_argument = click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
out_option = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory [default: WORKSPACE/build].",
)
reviewed_only_option = click.option("--reviewed-only", is_flag=True, help="Leave machine drafts out of the editions.")
broker_option = click.option(
    "--broker",
    default=None,
    metavar="URL",
    help="Redis broker of distributed runs [default: $PIPELINE_BROKER, else distributed.broker in pipeline.toml].",
)


#: Engine-specific command-line options of translate and run (declared in
#: :func:`decoding_options`), by parameter name: the pipeline.toml key each
#: overrides. Their values reach the engine as ``EngineRequest.options``.
ENGINE_OPTION_KEYS = {
    "compute_type": "engine.compute_type",
    "concurrency": "engine.openai.concurrency",
    "allow_remote": "engine.openai.allow_remote",
}


def decoding_options(func):
    """--engine, --model, --device and the decoding settings, shared by
    translate and run. Every one defaults to None, "not given": the value
    then comes from pipeline.toml (:func:`_translate_options`)."""
    options = [
        click.option(
            "--engine",
            "engine_name",
            type=click.Choice(list(ENGINES)),
            default=None,
            help="Translation engine [default: engine.name in pipeline.toml, else argos].",
        ),
        click.option(
            "--model",
            default=None,
            help="ct2: the CTranslate2 model directory; openai: the model name [default: engine.model].",
        ),
        click.option(
            "--device",
            type=click.Choice(DEVICES),
            default=None,
            help="CTranslate2 engines: where to decode [default: engine.device, else auto: CUDA if there is a GPU].",
        ),
        click.option(
            "--compute-type",
            type=click.Choice(COMPUTE_TYPES),
            default=None,
            metavar="TYPE",
            help=f"CTranslate2 engines: {', '.join(COMPUTE_TYPES)} [default: engine.compute_type, else auto: the "
            "model's own on the CPU, float16 on CUDA].",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 64),
            default=None,
            help="openai: requests sent at a time [default: engine.openai.concurrency, else 2].",
        ),
        click.option(
            "--allow-remote",
            is_flag=True,
            default=None,
            help="openai: allow an endpoint on another machine (the text leaves this one) [default: loopback only].",
        ),
        click.option(
            "--threads",
            type=click.IntRange(1, MAX_THREADS),
            default=None,
            help="CPU threads for decoding [default: all cores].",
        ),
        click.option(
            "--beam-size", type=click.IntRange(1, MAX_BEAM_SIZE), default=None, help="Beam size [default: 4]."
        ),
        click.option(
            "--batch-size",
            type=click.IntRange(1, MAX_BATCH_SIZE),
            default=None,
            help=f"Source tokens per batch, padding included [default: {BATCH_SIZE} on the CPU, {GPU_BATCH_SIZE} "
            f"on CUDA] (a batch also holds at most {CACHE_POSITIONS} decoder positions on the CPU: sentences x "
            "beam x cap).",
        ),
        click.option(
            "--max-decoding-length",
            type=click.IntRange(1, MAX_DECODING_LENGTH),
            default=None,
            help="Cap on output tokens [default: 2 x source tokens + 10, at most 512].",
        ),
        click.option(
            "--retranslate-fuzzy", is_flag=True, help="Replace the old translation of fuzzy entries with a new draft."
        ),
        click.option(
            "--tm/--no-tm",
            "use_memory",
            default=True,
            show_default=True,
            help="Let the translation memory answer before the engine.",
        ),
        click.option("--accept-exact", is_flag=True, help="Mark exact translation-memory matches as reviewed."),
        click.option(
            "--tm-threshold",
            type=click.IntRange(1, 100),
            default=75,
            show_default=True,
            metavar="PCT",
            help="Fuzzy matches at or above PCT percent become suggestions.",
        ),
        # How often finished drafts are saved; tests that interrupt runs lower it.
        click.option("--flush-seconds", type=click.FloatRange(0), default=FLUSH_SECONDS, hidden=True),
    ]
    for option in reversed(options):
        func = option(func)
    return func


min_coverage_option = click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PCT",
    help="Fail when a document is less translated than PCT percent.",
)


@click.group(cls=PipelineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipeline")
@click.pass_context
def main(ctx):
    """Offline Chinese→English translation pipeline: extract, translate, review, build."""
    ctx.ensure_object(dict)


def _engine_maker(ctx: click.Context):
    """The engine maker tests put in ``obj["engine_factory"]`` (as pip-tools
    does with its repositories); None: the default engine."""
    return ctx.obj.get("engine_factory")


def _engine_request(ws: Workspace, options: dict) -> tuple[str, EngineRequest]:
    """The engine's name and request from the command line's ``options``
    (popped from it) over the workspace's pipeline.toml: a given option wins,
    an option not given (None) takes the file's value, else the default."""
    config = load_config(ws.root)
    engine_options = {key: options.pop(param, None) for param, key in ENGINE_OPTION_KEYS.items()}
    name = config.get("engine.name", override=options.pop("engine_name", None))
    model = options.pop("model", None)
    # A model path on the command line is relative to where the command runs;
    # one in pipeline.toml, to the workspace. engine.model is the model of
    # engine.name: another engine chosen on the command line has its own.
    base = Path.cwd() if model is not None else ws.root
    if model is None:
        model = config["engine.model"] if name == config["engine.name"] else ""

    def value(param: str):  # 0 in pipeline.toml means "the default" (None) for these keys
        return config.get(f"engine.{param}", override=options.pop(param, None))

    settings = DecodingSettings(
        threads=value("threads") or None,
        beam_size=value("beam_size"),
        batch_size=value("batch_size") or None,
        max_decoding_length=value("max_decoding_length") or None,
    )
    device = value("device")
    return name, EngineRequest(settings, model, device, config, engine_options, ws.root, base)


def _translate_options(
    ctx: click.Context,
    ws: Workspace,
    decoding: dict,
    require_model: bool = False,
) -> tuple[runner.TranslateOptions, runner.EngineMaker | None]:
    """The translate stage's options and the engine maker, from the
    command line's ``decoding`` options over pipeline.toml."""
    options = dict(decoding)
    name, request = _engine_request(ws, options)
    maker = _engine_maker(ctx) or engine_maker(name, request)
    return _stage_options(request.settings, require_model=require_model, **options), maker


def _stage_options(
    settings: DecodingSettings,
    retranslate_fuzzy,
    use_memory,
    accept_exact,
    tm_threshold,
    flush_seconds,
    require_model: bool = False,
) -> runner.TranslateOptions:
    return runner.TranslateOptions(
        settings,
        retranslate_fuzzy=retranslate_fuzzy,
        use_memory=use_memory,
        accept_exact=accept_exact,
        tm_threshold=tm_threshold,
        flush_seconds=flush_seconds,
        require_model=require_model,
    )


class _Printer(runner.Report):
    """Prints what the stages report: logs on stderr, the files written on stdout."""

    def __init__(self, ws: Workspace, explain: bool = False):
        self.ws = ws
        self.explain = explain

    def extracted(self, result) -> None:
        if self.explain and result.document is not None:
            click.echo(explain_segmentation(result.document), nl=False)
        if result.skipped:
            log(f"{result.doc}: unchanged")
            return
        r = result.report
        if result.empty:
            log(f"warning: {result.doc}: no text to translate; the catalog is empty")
        log(
            f"{result.doc}: {result.entries} entries from {result.blocks} blocks ({result.encoding}); "
            f"{r.kept} kept, {r.new} new, {r.fuzzy} fuzzy, {r.obsolete} obsolete"
            + (f"; {r.untouched} untouched (plural entries, kept as they are)" if r.untouched else "")
            + ("" if result.catalog_changed else "; catalog unchanged")
        )

    def engine_made(self, engine) -> None:
        log(f"engine: {engine.signature()}")

    def translated(self, summary: TranslateSummary) -> None:
        if summary.memory_exact or summary.memory_suggested:
            log(
                f"translate: translation memory filled {summary.memory_exact} entries and suggested matches for "
                f"{summary.memory_suggested}"
            )
        if summary.no_model:
            log(f"translate: {_no_model_line(summary)}")
            return
        if not summary.model_loaded:
            log(f"translate: nothing for the engine in {summary.documents} document(s); no model loaded")
        log(
            f"translate: {summary.entries} entries filled ({summary.segments} distinct segments) "
            f"in {summary.seconds:.1f}s, {summary.rate:.1f} segments/s; "
            f"{summary.reviewed} reviewed and {summary.fuzzy_kept} fuzzy left as they were"
        )

    def built(self, result, out_dir: Path) -> None:
        cov = result.coverage
        log(
            f"{result.doc}: coverage {cov.percent:.1f}% ({cov.translated}/{cov.segments} segments translated, "
            f"{cov.reviewed} reviewed, {cov.approved} approved, {cov.machine_drafts} machine drafts) "
            f"-> {self.ws.relative(out_dir)}/"
        )
        for path in result.paths:
            click.echo(self.ws.relative(path))

    def started(self, documents: int, jobs: int, settings: DecodingSettings) -> None:
        log(f"run: {documents} documents on {jobs} workers ({settings.workers} decoding thread(s) each)")

    def progress(self, line: str) -> None:
        log(line)

    def finished(self, result) -> None:
        if result.translated is not None and result.translated.no_model:
            log(f"warning: {result.doc}: {_no_model_line(result.translated)}")
        cov = result.built.coverage
        log(f"{result.doc}: coverage {cov.percent:.1f}% ({cov.translated}/{cov.segments} segments translated)")
        for path in result.built.paths:
            click.echo(self.ws.relative(path))


def _no_model_line(summary: TranslateSummary) -> str:
    """What a translation without a model did and what it left."""
    return (
        f"filled {summary.entries} entries from the translation memory; "
        f"{summary.need_model} entries need a model: {summary.no_model}"
    )


@main.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
def init_cmd(directory):
    """Lay out a workspace in DIRECTORY (default: here): seeds/, locales/,
    a .gitignore and a README for the team. Never overwrites a file."""
    ws = Workspace(directory)
    report = init_workspace(ws)
    for path in report.created:
        click.echo(path)
    if report.gitignore_added:
        log(f"init: added to .gitignore: {' '.join(report.gitignore_added)}")
    if report.attributes_added:
        log(f"init: added to .gitattributes: {' '.join(report.attributes_added)}")
    for name in report.kept:
        log(f"init: {name} exists; left as it is")
    for warning in report.warnings:
        log(f"warning: {warning}")
    where = printable(str(ws.root), one_line=True)
    log(f"init: {where} is a workspace" + ("" if report.changed else " already; nothing changed"))


@main.command("extract")
@sources_argument
@workspace_option
@click.option(
    "--repair/--no-repair",
    default=None,
    help="Join sentences broken by page breaks; --no-repair for sources with one paragraph per line. "
    "Recorded in the catalog, for later runs and the build [default: as last extracted, else --repair].",
)
@click.option("--explain", is_flag=True, help="Print every block type and every page-break join with its reason.")
def extract_cmd(sources, workspace, repair, explain):
    """Segment SOURCES (default: seeds/*) into locales/<doc>.pot and the English catalogs."""
    ws = Workspace(workspace)
    with ws.lock():
        runner.extract_documents(ws, sources, _Printer(ws, explain), repair, explain)


@main.command("build")
@docs_argument
@workspace_option
@out_option
@reviewed_only_option
@min_coverage_option
@click.option(
    "--approved-only", is_flag=True, help="Publish approved translations only; the rest shows the source, marked."
)
@click.option(
    "--min-approved",
    type=click.FloatRange(0, 100),
    metavar="PCT",
    help="Fail when a document has less than PCT%% of its segments approved.",
)
def build_cmd(docs, workspace, out, reviewed_only, min_coverage, approved_only, min_approved):
    """Rebuild the editions of DOCS (default: every catalog) from source and catalog."""
    ws = Workspace(workspace)
    building = runner.BuildOptions(out, reviewed_only, min_coverage, approved_only, min_approved)
    runner.build_documents(ws, ws.resolve_documents(docs), building, _Printer(ws))


@main.command("status")
@docs_argument
@workspace_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status_cmd(docs, workspace, as_json):
    """Segments, size and progress by state for each document."""
    ws = Workspace(workspace)
    rows = [document_status(ws, doc) for doc in ws.resolve_documents(docs)]
    if as_json:
        click.echo(json_output([r.as_dict() for r in rows]))
        return
    header = (
        f"{'document':<28} {'segments':>8} {'han':>6} {'words':>6} {'untransl':>8} "
        f"{'mt-draft':>8} {'fuzzy':>6} {'edited':>6} {'translated':>10} {'approved':>8} {'%rev':>6} {'%appr':>6}"
    )
    click.echo(header)
    for r in rows:
        click.echo(
            f"{r.doc:<28} {r.segments:>8} {r.chinese_characters:>6} {r.english_words:>6} {r.untranslated:>8} "
            f"{r.machine_draft:>8} {r.fuzzy:>6} {r.edited_outside_review:>6} {r.translated:>10} {r.approved:>8} "
            f"{r.percent_reviewed:>5.1f}% {r.percent_approved:>5.1f}%"
        )
    for r in rows:
        if r.edited_outside_review:
            log(
                f"{r.doc}: {r.edited_outside_review} entries edited outside review (changed after their "
                "reviewed-by record); review them again"
            )
        if r.untouched:
            log(f"{r.doc}: {r.untouched} entries that are not segments (msgctxt or plural), kept as they are")


@main.command("report")
@docs_argument
@workspace_option
@click.option("--since", help="From this date or time, UTC (2026-12-01, 2026-12-01T09:00Z).")
@click.option("--until", help="Before this date or time, UTC (a date: to the end of that day).")
@click.option(
    "--idle",
    type=click.IntRange(1),
    default=600,
    show_default=True,
    help="Seconds between two decisions above which the gap is a break, not work.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def report_cmd(docs, workspace, since, until, idle, as_json):
    """Per reviewer, for a period: entries and words translated, edited and
    approved, the post-edit distance of the drafts taken, and time spent."""
    from . import report as reporting

    ws = Workspace(workspace)
    start = reporting.parse_when(since) if since else None
    end = reporting.parse_when(until, end=True) if until else None
    result = reporting.report(ws, ws.resolve_documents(docs), start, end, idle)
    click.echo(reporting.format_json(result) if as_json else reporting.format_table(result))


@main.command("translate")
@docs_argument
@workspace_option
@decoding_options
@click.option(
    "--require-model",
    is_flag=True,
    help="Exit with status 1 when entries are left for a model and none is installed "
    "(what the translation memory filled is saved either way).",
)
@click.pass_context
def translate_cmd(ctx, docs, workspace, **decoding):
    """Fill untranslated entries of DOCS (default: every catalog): translation
    memory first, then machine drafts. Without a model, the memory's entries
    are saved and the command says how many entries need one."""
    ws = Workspace(workspace)
    with ws.lock():
        require_model = decoding.pop("require_model")
        options, make_engine = _translate_options(ctx, ws, decoding, require_model)
        runner.translate(ws, ws.resolve_documents(docs), options, _Printer(ws), make_engine)


@main.command("check")
@docs_argument
@workspace_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--strict", is_flag=True, help="Exit with status 1 when an error-severity finding remains.")
def check_cmd(docs, workspace, as_json, strict):
    """zh→en quality checks on every translated entry of DOCS (default: every catalog)."""
    ws = Workspace(workspace)
    findings = check_documents(ws, ws.resolve_documents(docs))
    if as_json:
        click.echo(findings_json(findings))
    elif findings:
        click.echo(format_table(findings))
    log(f"check: {format_summary(findings)}")
    if strict and has_errors(findings):
        raise PipelineError("errors remain (--strict)")


@main.command("evaluate")
@docs_argument
@workspace_option
@click.option(
    "--reference",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Reference translations: a TSV of Chinese<TAB>English lines, or the Chinese lines with --reference-en.",
)
@click.option(
    "--reference-en",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="The English lines of --reference, line for line.",
)
@click.option(
    "--reviewed-reference",
    is_flag=True,
    help="Use the reviewed translations of DOCS as the reference (it leans towards the engine whose drafts "
    "the reviewers edited).",
)
@click.option(
    "--engine",
    "engines",
    multiple=True,
    metavar="NAME[:MODEL]",
    help="Translate the same sample with this engine (repeat to compare engines).",
)
@click.option(
    "--sample",
    type=click.IntRange(1),
    default=200,
    show_default=True,
    help="Without --reference, --engine translates the first N segments of DOCS.",
)
@click.option("--post-edit", is_flag=True, help="HTER and drafts accepted unchanged, from the review history.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def evaluate_cmd(docs, workspace, reference, reference_en, reviewed_reference, engines, sample, post_edit, as_json):
    """Score engines and drafts (sacrebleu BLEU, chrF, TER) against a reference,
    side by side (--engine), or against what reviewers made of them (--post-edit)."""
    if not (reference or reviewed_reference or engines or post_edit):
        raise click.UsageError("give --reference FILE, --reviewed-reference, --engine NAME or --post-edit")
    if reference_en and not reference:
        raise click.UsageError("--reference-en needs --reference (the Chinese lines)")
    if reference and reviewed_reference:
        raise click.UsageError("give --reference FILE or --reviewed-reference, not both")
    if reviewed_reference and not engines:
        raise click.UsageError("--reviewed-reference scores engines: give --engine NAME")
    ws = Workspace(workspace)
    makers = {}
    for spec in engines:
        name, _, model = spec.partition(":")
        if name not in ENGINES:
            raise click.BadParameter(f"unknown engine '{name}' (known: {', '.join(ENGINES)})", param_hint="--engine")
        _, request = _engine_request(ws, {"engine_name": name, "model": model or None})
        makers[spec] = functools.partial(create_engine, name, request)
    needs_docs = post_edit or reviewed_reference or not engines or not reference
    documents = ws.resolve_documents(docs) if needs_docs else []
    ref = read_reference(reference, reference_en) if reference else None
    if reviewed_reference:
        ref = reviewed_reference_of(ws, documents)
    result = evaluate(ws, documents, ref, makers, post_edit, sample)
    if as_json:
        click.echo(json_output(result.as_dict()))
    else:
        click.echo(format_evaluation(result), nl=False)
    if result.failed:
        raise PipelineError(f"{len(result.failed)} of {len(result.engines)} engines could not be measured")


@main.command("run")
@sources_argument
@workspace_option
@out_option
@reviewed_only_option
@min_coverage_option
@decoding_options
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Documents processed in parallel, each worker loading the model once (--executor local).",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "celery"]),
    default="local",
    show_default=True,
    help="Where documents run: local processes (--jobs), or one Celery task each for `pipeline worker`s.",
)
@broker_option
@click.option(
    "--detach", is_flag=True, help="--executor celery: submit the documents and return (see `pipeline jobs`)."
)
@click.pass_context
def run_cmd(ctx, sources, workspace, out, reviewed_only, min_coverage, jobs, executor, broker, detach, **decoding):
    """Extract, machine-translate, then build, for SOURCES (default: seeds/*).

    Without a zh→en model, the translation memory still fills what it can,
    the editions are still built, with the untranslated segments marked,
    and the exit status is 0 (--min-coverage fails a run that falls short)."""
    ws = Workspace(workspace)
    if executor == "celery":
        local_only = [f"--{name}" for name in ("jobs", "threads") if _given(ctx, name)]
        if local_only:
            raise click.UsageError(
                f"{' and '.join(local_only)} {'is' if len(local_only) == 1 else 'are'} for --executor local; "
                "a Celery worker runs `pipeline worker -c N` processes of one decoding thread each"
            )
        _run_distributed(
            ctx, ws, sources, runner.BuildOptions(out, reviewed_only, min_coverage), broker, detach, decoding
        )
        return
    if broker or detach:
        raise click.UsageError("--broker and --detach need --executor celery")
    with ws.lock():
        translating, make_engine = _translate_options(ctx, ws, decoding)
        building = runner.BuildOptions(out, reviewed_only, min_coverage)
        runner.run(ws, sources, translating, building, _Printer(ws), jobs, make_engine)


def _given(ctx: click.Context, name: str) -> bool:
    """Whether the user gave the option ``name`` (on the command line or in the environment)."""
    given = (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.ENVIRONMENT)
    return ctx.get_parameter_source(name) in given


def _run_distributed(ctx, ws: Workspace, sources, building, broker, detach: bool, decoding: dict) -> None:
    """``run --executor celery``: one task per document for the workers."""
    from .distributed import celery_executor

    translating, _ = _translate_options(ctx, ws, dict(decoding))
    name, request = _engine_request(ws, dict(decoding))
    executor = celery_executor.for_workspace(ws, broker, translating, building, name, request)
    where = f"the Celery workers at {executor.masked_broker}"
    if detach:
        count = runner.submit(ws, sources, executor)
        log(f"run {executor.run_id}: {count} documents submitted to {where}; follow it with `pipeline jobs`")
        click.echo(executor.run_id)
        return
    log(f"run {executor.run_id}: documents go to {where}")
    runner.run_distributed(ws, sources, building, _Printer(ws), executor)


@main.command("worker")
@workspace_option
@broker_option
@click.option(
    "--concurrency",
    "-c",
    type=click.IntRange(1),
    default=None,
    help="Worker processes, one decoding thread each [default: one per core].",
)
@click.option("--loglevel", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="INFO", show_default=True)
@click.option("--name", default=None, help="Worker name [default: pipeline@HOST-PID].")
def worker_cmd(workspace, broker, concurrency, loglevel, name):
    """Run documents that `pipeline run --executor celery` submits (a Celery
    worker; each process loads the engine once). The broker comes from
    --broker, $PIPELINE_BROKER or distributed.broker in WORKSPACE's pipeline.toml."""
    from .distributed.state import broker_url
    from .distributed.worker import run_worker

    config = load_config(Workspace(workspace).root)
    url = broker_url(broker, config["distributed.broker"])
    if broker and "@" in broker and ":" in broker.split("@", 1)[0].split("//", 1)[-1]:
        log("warning: --broker with a password shows in the process list; prefer $PIPELINE_BROKER or pipeline.toml")
    run_worker(url, concurrency, config["distributed.visibility_timeout"], loglevel, name, log)


@main.command("jobs")
@click.argument("run_id", required=False)
@workspace_option
@broker_option
@click.option("--cancel", is_flag=True, help="Cancel RUN_ID: documents not yet started are not run.")
def jobs_cmd(run_id, workspace, broker, cancel):
    """Distributed runs of the workspace: documents queued, running, done and
    failed; with RUN_ID, each document's state and each failure's message."""
    from .distributed import jobs

    ws = Workspace(workspace)
    url = jobs.broker_for(ws, broker)
    if cancel:
        if not run_id:
            raise click.UsageError("--cancel needs RUN_ID")
        jobs.cancel(url, run_id)
        log(f"run {run_id}: cancelled; documents already running finish")
        return
    for line in jobs.describe(url, ws, run_id):
        click.echo(line)


@main.command("review")
@click.argument("doc")
@workspace_option
@click.option("--reviewer", help="Name recorded with each decision [default: $PIPELINE_REVIEWER, git user.name].")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice([s.value for s in State] + ["reviewed"]),
    help="Review entries in these states ('reviewed' means translated) [default: all not translated].",
)
@click.option("--check", "checks", multiple=True, help="Only entries on which this check fired.")
@click.option("--worst-first", is_flag=True, help="Order by the most severe check that fired.")
def review_cmd(doc, workspace, reviewer, states, checks, worst_first):
    """Review DOC's drafts in the terminal, one key per decision."""
    ws = Workspace(workspace)
    [doc] = ws.resolve_documents([doc])
    session = ReviewSession(ws, doc, reviewer_name(reviewer))
    termbase = load_termbase(ws.glossary, inside=ws.root)
    wanted = frozenset(State(s) for s in states) if states else PENDING
    queue = build_queue(session, termbase, wanted, frozenset(checks) or None, worst_first)
    if not queue:
        reviewed, total = session.progress()
        log(f"{doc}: nothing to review ({reviewed}/{total} reviewed)")
        return
    counts = terminal.review(session, termbase, queue)
    reviewed, total = session.progress()
    log(f"{doc}: {reviewed}/{total} reviewed; " + ", ".join(f"{n} {k}" for k, n in counts.items() if n))


@main.command("serve")
@workspace_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0 picks a free port.")
@click.option("--reviewer", help="Name recorded with each decision [default: $PIPELINE_REVIEWER, git user.name].")
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the access token (16+ characters) from this file, mode 600 [default: $PIPELINE_TOKEN, else generated].",
)
@click.option(
    "--token", help="Deprecated: every user can read it in the process list; use --token-file or $PIPELINE_TOKEN."
)
@click.option(
    "--no-token", is_flag=True, help="Serve without an access token (loopback only): every local user can review."
)
def serve_cmd(workspace, host, port, reviewer, token_file, token, no_token):
    """Review in a browser: Chinese | English side by side, saved as you go.

    Prints the address to open, with its access token (as Jupyter does)."""
    from .review.web import serve_command  # Flask only for this command

    serve_command(workspace, host, port, reviewer, token, log, token_file=token_file, no_token=no_token)


@main.group("terms")
def terms_group():
    """The termbase (locales/glossary.tsv): suggest entries, import and export TBX."""


@terms_group.command("suggest")
@sources_argument
@workspace_option
def terms_suggest_cmd(sources, workspace):
    """Propose names, organisations, places and recurring terms missing from
    the termbase, as candidates in locales/glossary-candidates.tsv."""
    ws = Workspace(workspace)
    with ws.lock():
        termbase = load_termbase(ws.glossary, inside=ws.root)
        passages = [p for path in runner.source_paths(ws, sources) for p in workspace_passages(ws, path)]
        update = write_candidates(ws.glossary_candidates, suggest_terms(passages, termbase), termbase, inside=ws.root)
    log(
        f"terms: {update.added} new candidates, {update.refreshed} refreshed, {update.confirmed} already in the "
        f"termbase; {update.total} candidates in {ws.relative(ws.glossary_candidates)} for a person to confirm"
    )


@terms_group.command("export")
@file_argument
@workspace_option
def terms_export_cmd(file, workspace):
    """Write the termbase as TBX to FILE."""
    ws = Workspace(workspace)
    termbase = load_termbase(ws.glossary, inside=ws.root)
    save_tbx(file, termbase)
    log(f"terms: {len(termbase)} entries written to {file}")


@terms_group.command("import")
@file_argument
@workspace_option
def terms_import_cmd(file, workspace):
    """Add the entries of the TBX FILE to the termbase (existing entries win)."""
    ws = Workspace(workspace)
    with ws.lock():
        imported = load_tbx(file)
        merged = merge_termbase(load_termbase(ws.glossary, inside=ws.root), imported.termbase)
        save_termbase(ws.glossary, merged.termbase)
    log(f"terms: {len(merged.added)} entries added, {len(imported.skipped)} skipped")
    for reason in imported.skipped:
        log(f"terms: skipped {reason}")
    for kept, incoming in merged.conflicts:
        log(f"terms: {kept.zh}: kept '{kept.en}', the file says '{incoming.en}'")


@main.group("tm")
def tm_group():
    """The translation memory: every reviewed entry, plus imported TMX files."""


@tm_group.command("import")
@file_argument
@workspace_option
def tm_import_cmd(file, workspace):
    """Add the TMX FILE to the memory (kept in locales/tm/)."""
    ws = Workspace(workspace)
    with ws.lock():
        imported = import_tmx(ws, file)
    log(
        f"tm: {imported.units} units imported into {ws.relative(imported.path)}"
        + (f", {imported.skipped} skipped" if imported.skipped else "")
    )


@tm_group.command("export")
@docs_argument
@workspace_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    show_default=True,
    help="TMX file to write ('-' for standard output).",
)
def tm_export_cmd(docs, workspace, output):
    """Write the reviewed pairs of DOCS (default: all) as TMX 1.4b: the
    sentences each document has now, no obsolete entries."""
    ws = Workspace(workspace)
    if output == "-":
        exported = export_tmx(ws, click.get_binary_stream("stdout"), docs)
    else:
        exported = export_tmx(ws, Path(output), docs)
    for line in exported.uncredited + exported.skipped:
        log(f"warning: {line}")
    skipped = f", {len(exported.skipped)} left out" if exported.skipped else ""
    log(f"tm: {exported.units} reviewed pairs exported{skipped}")


@main.group("xliff")
def xliff_group():
    """Exchange a document with translators outside the workspace (XLIFF 1.2: OmegaT, Trados, memoQ)."""


@xliff_group.command("export")
@click.argument("doc")
@workspace_option
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path), help="XLIFF file.")
@click.option(
    "--omegat",
    is_flag=True,
    help="For OmegaT's built-in XLIFF filter, which translates the target: a copy of the source in every "
    "target, the drafts and translations in notes.",
)
def xliff_export_cmd(doc, workspace, output, omegat):
    """Write DOC's segments, states, context, glossary hits and checks as XLIFF 1.2."""
    from .xliff import export_xliff

    summary = export_xliff(Workspace(workspace), doc, output, omegat)
    states = ", ".join(f"{n} {state}" for state, n in sorted(summary.states.items()))
    log(f"xliff: {summary.units} units written to {printable(str(summary.path), one_line=True)} ({states})")


@xliff_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@workspace_option
@click.option(
    "--translator", help="Record the translations as this person's [default: the file's <phase contact-name>]."
)
@click.option("--doc", help="The document the file must be for [default: the file's 'original'].")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@click.pass_context
def xliff_import_cmd(ctx, file, workspace, translator, doc, as_json):
    """Take FILE's translations back where the source still matches; report
    every unit as taken, skipped or refused (exit 1 when any was refused)."""
    from .xliff import import_xliff

    ws = Workspace(workspace)
    with ws.lock():
        report = import_xliff(ws, file, translator, doc)
    if as_json:
        click.echo(json_output(report.as_dict()))
    else:
        for o in [*report.outcomes, *report.notes]:  # a unit left empty, a comment added: only counted
            if (o.result != "took" or o.warnings) and not (o.result == "skipped" and o.reason == "no translation"):
                what = printable(o.msgid or "", one_line=True)[:40]
                unit = printable(o.unit, one_line=True)
                click.echo(f"{o.result:<8} {unit} (line {o.line}) {what}: {printable(o.reason, one_line=True)}")
                for warning in o.warnings:
                    click.echo(f"{'':<8} warning {printable(warning, one_line=True)}")
    notes = f"; notes: {report.comments_added} added as comments, {report.notes_refused} refused"
    notes = notes if report.notes else ""
    log(
        f"xliff: {report.took} taken, {report.skipped} skipped, {report.refused} refused{notes} "
        f"for {report.doc} as {printable(report.translator, one_line=True)}"
    )
    if report.failed:
        ctx.exit(1)


@main.group("models")
def models_group():
    """Install and list Argos zh→en translation models (ARGOS_PACKAGES_DIR is respected)."""


@models_group.command("install")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from-index", is_flag=True, help="Download from the Argos package index (needs internet).")
def models_install_cmd(file, from_index):
    """Install FILE.argosmodel offline (or --from-index)."""
    if bool(file) == from_index:
        raise click.UsageError("give either FILE or --from-index")
    model = argos_packages.install_from_index() if from_index else argos_packages.install(file)
    click.echo(f"installed {model.name} ({model.from_code}→{model.to_code} {model.version}) in {model.path.parent}")


@models_group.command("list")
def models_list_cmd():
    """Installed packages and their versions."""
    installed = argos_packages.list_models()
    if not installed:
        log(f"no models installed in {argos_packages.models_dir()}")
    for model in installed:
        click.echo(model.row())


@main.group("engines")
def engines_group():
    """The translation engines and how this workspace configures them."""


@engines_group.command("list")
@workspace_option
@click.option(
    "--engine",
    "only",
    type=click.Choice(list(ENGINES)),
    multiple=True,
    help="Only this engine (repeatable) [default: every engine].",
)
@click.option(
    "--probe", is_flag=True, help="Also translate a test sentence with each (loads models, contacts endpoints)."
)
def engines_list_cmd(workspace, only, probe):
    """Each engine, whether it is the one used, and what is configured for it:
    installed Argos packages, the ct2 model directory (loaded to say whether
    it works), the openai endpoint (contacted only with --probe)."""
    ws = Workspace(workspace)
    chosen, request = _engine_request(ws, {})
    for name, kind in ENGINES.items():
        if only and name not in only:
            continue
        used = " (used)" if name == chosen else ""
        click.echo(f"{name}{used}: {kind.summary}")
        # engine.model is the model of the engine used; the others have their own keys.
        engine_request = request if name == chosen else replace(request, model="")
        try:
            lines = engine_kind(name).describe(engine_request, probe)
        except PipelineError as exc:
            lines = [f"not available: {exc}"]
        for line in lines:
            click.echo(f"  {printable(line, one_line=True)}")
