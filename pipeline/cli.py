"""The ``pipeline`` command. Thin: each command parses options, calls one
stage module, and reports. Logs and progress go to stderr, results to
stdout or files; a PipelineError becomes a one-line message and exit 1."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import click

from . import __version__
from . import models, runner
from .build import build
from .check import check_documents, findings_json, format_summary, format_table, has_errors
from .cache import StageCache
from .engines.argos import CACHE_POSITIONS, ArgosEngine, DecodingSettings
from .catalog import State
from .errors import NoModelError, PipelineError
from .review import terminal
from .review.queue import PENDING, build_queue
from .review.session import ReviewSession, reviewer_name
from .terms import Termbase, load_termbase, save_termbase
from .terms.protect import TermProtectingEngine
from .terms.suggest import source_passages, suggest_terms, write_candidates
from .terms.tbx import load_tbx, save_tbx
from .terms.termbase import merge_termbase
from .extract import extract
from .status import document_status
from .tm import TranslationMemory, export_tmx, import_tmx, load_memory
from .translate import FLUSH_SECONDS, MemoryPolicy, translate_documents
from .workspace import Workspace


def log(message: str) -> None:
    click.echo(message, err=True)


def handle_errors(func):
    """Turn the errors a user can fix into click's one-line, exit-1 errors."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PipelineError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


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
    "--out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Output directory [default: WORKSPACE/build]."
)
reviewed_only_option = click.option("--reviewed-only", is_flag=True, help="Leave machine drafts out of the editions.")


def decoding_options(func):
    """--threads, --beam-size, --batch-size, --max-decoding-length, shared by translate and run."""
    options = [
        click.option("--threads", type=click.IntRange(1), default=None, help="CPU threads for decoding [default: all cores]."),
        click.option("--beam-size", type=click.IntRange(1), default=4, show_default=True),
        click.option("--batch-size", type=click.IntRange(1), default=1024, show_default=True,
                     help=f"Source tokens per batch, padding included (a batch also holds at most {CACHE_POSITIONS} "
                          "decoder positions: sentences x beam x cap)."),
        click.option(
            "--max-decoding-length",
            type=click.IntRange(1),
            default=None,
            help="Cap on output tokens [default: 2 x source tokens + 10, at most 512].",
        ),
        click.option("--retranslate-fuzzy", is_flag=True, help="Replace the old translation of fuzzy entries with a new draft."),
        click.option("--tm/--no-tm", "use_memory", default=True, show_default=True,
                     help="Let the translation memory answer before the engine."),
        click.option("--accept-exact", is_flag=True, help="Mark exact translation-memory matches as reviewed."),
        click.option("--tm-threshold", type=click.IntRange(1, 100), default=75, show_default=True, metavar="PCT",
                     help="Fuzzy matches at or above PCT percent become suggestions."),
        # How often finished drafts are saved; tests that interrupt runs lower it.
        click.option("--flush-seconds", type=click.FloatRange(0), default=FLUSH_SECONDS, hidden=True),
    ]
    for option in reversed(options):
        func = option(func)
    return func


min_coverage_option = click.option(
    "--min-coverage", type=click.FloatRange(0, 100), default=None, metavar="PCT", help="Fail when a document is less translated than PCT percent."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipeline")
@click.pass_context
def main(ctx):
    """Offline Chinese→English translation pipeline: extract, translate, review, build."""
    ctx.ensure_object(dict)
    # Tests put a fake engine here, as pip-tools does with its repositories.
    ctx.obj.setdefault("engine_factory", lambda settings: ArgosEngine(settings))


def _engine_factory(ctx, ws: Workspace, settings: DecodingSettings):
    """A function that makes the engine: the configured MT engine, with the
    workspace's termbase protecting its terms."""
    factory = ctx.obj["engine_factory"]
    termbase = load_termbase(ws.glossary)

    def make():
        engine = factory(settings)
        return TermProtectingEngine(engine, termbase) if len(termbase) else engine

    return make


def _memory_policy(ws: Workspace, use_memory: bool, accept_exact: bool, tm_threshold: int) -> MemoryPolicy | None:
    """The translation memory, loaded at most once per process, on first need."""
    if not use_memory:
        return None
    loaded: list[TranslationMemory] = []

    def load() -> TranslationMemory:
        if not loaded:
            loaded.append(load_memory(ws))
        return loaded[0]

    return MemoryPolicy(load, accept_exact, tm_threshold / 100)


def _translate(
    ctx, ws: Workspace, docs: list[str], threads, beam_size, batch_size, max_decoding_length, retranslate_fuzzy,
    use_memory, accept_exact, tm_threshold, flush_seconds,
) -> None:
    settings = DecodingSettings(threads, beam_size, batch_size, max_decoding_length)
    build_engine = _engine_factory(ctx, ws, settings)

    def make_engine():
        engine = build_engine()
        log(f"engine: {engine.signature()}")
        return engine

    cache = StageCache(ws.cache_path)
    try:
        summary = translate_documents(
            ws, docs, make_engine, retranslate_fuzzy, flush_seconds=flush_seconds, cache=cache,
            memory=_memory_policy(ws, use_memory, accept_exact, tm_threshold),
        )
    finally:
        cache.save()
    if summary.memory_exact or summary.memory_suggested:
        log(f"translate: translation memory filled {summary.memory_exact} entries and suggested matches for "
            f"{summary.memory_suggested}")
    if not summary.model_loaded:
        log(f"translate: nothing for the engine in {summary.documents} document(s); no model loaded")
    log(
        f"translate: {summary.entries} entries filled ({summary.segments} distinct segments) in {summary.seconds:.1f}s, "
        f"{summary.rate:.1f} segments/s; {summary.reviewed} reviewed and {summary.fuzzy_kept} fuzzy left as they were"
    )


def _sources(ws: Workspace, sources: tuple[Path, ...]) -> list[Path]:
    paths = list(sources) or ws.default_sources()
    if not paths:
        raise PipelineError(f"no source documents in {ws.seeds}")
    seen: dict[str, Path] = {}
    for path in paths:
        if path.stem in seen and seen[path.stem] != path:
            raise PipelineError(f"{path} and {seen[path.stem]} would share the catalog '{path.stem}'; rename one")
        seen[path.stem] = path
    return paths


def _extract_all(ws: Workspace, sources: tuple[Path, ...]) -> list[str]:
    docs = []
    cache = StageCache(ws.cache_path)
    termbase = load_termbase(ws.glossary)
    try:
        for path in _sources(ws, sources):
            docs.append(_extract_one(ws, path, cache, termbase))
    finally:
        cache.save()
    return docs


def _extract_one(ws: Workspace, path: Path, cache: StageCache, termbase: Termbase) -> str:
    result = extract(ws, path, cache, termbase)
    if result.skipped:
        log(f"{result.doc}: unchanged")
        return result.doc
    r = result.report
    if result.empty:
        log(f"warning: {result.doc}: no text to translate; the catalog is empty")
    log(
        f"{result.doc}: {result.entries} entries from {result.blocks} blocks ({result.encoding}); "
        f"{r.kept} kept, {r.new} new, {r.fuzzy} fuzzy, {r.obsolete} obsolete"
        + ("" if result.catalog_changed else "; catalog unchanged")
    )
    return result.doc


def _build_all(ws: Workspace, docs: list[str], out: Path | None, reviewed_only: bool, min_coverage: float | None) -> None:
    out_dir = out or ws.default_build
    short = []
    cache = StageCache(ws.cache_path)
    try:
        results = [build(ws, doc, out_dir, reviewed_only, cache) for doc in docs]
    finally:
        cache.save()
    for doc, result in zip(docs, results):
        cov = result.coverage
        log(
            f"{doc}: coverage {cov.percent:.1f}% ({cov.translated}/{cov.segments} segments translated, "
            f"{cov.reviewed} reviewed, {cov.machine_drafts} machine drafts) -> {ws.relative(out_dir)}/"
        )
        for path in result.paths:
            click.echo(ws.relative(path))
        if min_coverage is not None and cov.percent < min_coverage:
            short.append(f"{doc} {cov.percent:.1f}%")
    if short:
        raise PipelineError(f"coverage below {min_coverage:g}%: {', '.join(short)}")


@main.command("extract")
@sources_argument
@workspace_option
@handle_errors
def extract_cmd(sources, workspace):
    """Segment SOURCES (default: seeds/*) into locales/<doc>.pot and the English catalogs."""
    ws = Workspace(workspace)
    with ws.lock():
        _extract_all(ws, sources)


@main.command("build")
@docs_argument
@workspace_option
@out_option
@reviewed_only_option
@min_coverage_option
@handle_errors
def build_cmd(docs, workspace, out, reviewed_only, min_coverage):
    """Rebuild the editions of DOCS (default: every catalog) from source and catalog."""
    ws = Workspace(workspace)
    _build_all(ws, ws.resolve_documents(docs), out, reviewed_only, min_coverage)


@main.command("status")
@docs_argument
@workspace_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def status_cmd(docs, workspace, as_json):
    """Segments, size and progress by state for each document."""
    ws = Workspace(workspace)
    rows = [document_status(ws, doc) for doc in ws.resolve_documents(docs)]
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    header = f"{'document':<28} {'segments':>8} {'han':>6} {'words':>6} {'untransl':>8} {'mt-draft':>8} {'fuzzy':>6} {'reviewed':>8} {'%rev':>6}"
    click.echo(header)
    for r in rows:
        click.echo(
            f"{r.doc:<28} {r.segments:>8} {r.chinese_characters:>6} {r.english_words:>6} {r.untranslated:>8} "
            f"{r.machine_draft:>8} {r.fuzzy:>6} {r.reviewed:>8} {r.percent_reviewed:>5.1f}%"
        )


@main.command("translate")
@docs_argument
@workspace_option
@decoding_options
@click.pass_context
@handle_errors
def translate_cmd(ctx, docs, workspace, **decoding):
    """Fill untranslated entries of DOCS (default: every catalog) with machine drafts."""
    ws = Workspace(workspace)
    with ws.lock():
        _translate(ctx, ws, ws.resolve_documents(docs), **decoding)


@main.command("check")
@docs_argument
@workspace_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--strict", is_flag=True, help="Exit with status 1 when an error-severity finding remains.")
@handle_errors
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


@main.command("run")
@sources_argument
@workspace_option
@out_option
@reviewed_only_option
@min_coverage_option
@decoding_options
@click.option("--jobs", "-j", type=click.IntRange(1), default=1, show_default=True,
              help="Documents processed in parallel, each worker loading the model once.")
@click.pass_context
@handle_errors
def run_cmd(ctx, sources, workspace, out, reviewed_only, min_coverage, jobs, **decoding):
    """Extract, machine-translate, then build, for SOURCES (default: seeds/*).

    Without a zh→en model the editions are still built, with the
    untranslated segments marked."""
    ws = Workspace(workspace)
    with ws.lock():
        if jobs > 1:
            _run_parallel(ctx, ws, sources, out, reviewed_only, min_coverage, jobs, **decoding)
            return
        docs = _extract_all(ws, sources)
        try:
            _translate(ctx, ws, docs, **decoding)
        except NoModelError as exc:
            log(f"warning: {exc}; building without machine drafts")
        _build_all(ws, docs, out, reviewed_only, min_coverage)


def _run_parallel(ctx, ws, sources, out, reviewed_only, min_coverage, jobs, threads, beam_size, batch_size,
                  max_decoding_length, retranslate_fuzzy, use_memory, accept_exact, tm_threshold, flush_seconds) -> None:
    settings = runner.worker_settings(DecodingSettings(threads, beam_size, batch_size, max_decoding_length), jobs)
    factory = _engine_factory(ctx, ws, settings)
    options = runner.RunOptions(out or ws.default_build, reviewed_only, retranslate_fuzzy, flush_seconds)
    paths = _sources(ws, sources)
    log(f"run: {len(paths)} documents on {jobs} workers ({settings.workers} decoding thread(s) each)")
    memory = _memory_policy(ws, use_memory, accept_exact, tm_threshold)
    results = runner.run_parallel(ws, paths, options, jobs, factory, log, memory)
    errors, short = [], []
    for result in results:
        if result.error:
            errors.append(result.error)
            continue
        if result.no_model:
            log(f"warning: {result.doc}: {result.no_model}")
        cov = result.built.coverage
        log(f"{result.doc}: coverage {cov.percent:.1f}% ({cov.translated}/{cov.segments} segments translated)")
        for path in result.built.paths:
            click.echo(ws.relative(path))
        if min_coverage is not None and cov.percent < min_coverage:
            short.append(f"{result.doc} {cov.percent:.1f}%")
    if errors:
        raise PipelineError(errors[0] + (f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""))
    if short:
        raise PipelineError(f"coverage below {min_coverage:g}%: {', '.join(short)}")


@main.command("review")
@click.argument("doc")
@workspace_option
@click.option("--reviewer", help="Name recorded with each decision [default: $PIPELINE_REVIEWER, git user.name].")
@click.option("--state", "states", multiple=True, type=click.Choice([s.value for s in State]),
              help="Review entries in these states [default: all not reviewed].")
@click.option("--check", "checks", multiple=True, help="Only entries on which this check fired.")
@click.option("--worst-first", is_flag=True, help="Order by the most severe check that fired.")
@handle_errors
def review_cmd(doc, workspace, reviewer, states, checks, worst_first):
    """Review DOC's drafts in the terminal, one key per decision."""
    ws = Workspace(workspace)
    [doc] = ws.resolve_documents([doc])
    session = ReviewSession(ws, doc, reviewer_name(reviewer))
    termbase = load_termbase(ws.glossary)
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
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on; anything but loopback needs a token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0 picks a free port.")
@click.option("--reviewer", help="Name recorded with each decision [default: $PIPELINE_REVIEWER, git user.name].")
@click.option("--token", help="Access token every request must carry [generated for non-loopback hosts].")
@handle_errors
def serve_cmd(workspace, host, port, reviewer, token):
    """Review in a browser: Chinese | English side by side, saved as you go."""
    from .review.web import serve_command  # Flask only for this command

    serve_command(workspace, host, port, reviewer, token, log)


@main.group("terms")
def terms_group():
    """The termbase (locales/glossary.tsv): suggest entries, import and export TBX."""


@terms_group.command("suggest")
@sources_argument
@workspace_option
@handle_errors
def terms_suggest_cmd(sources, workspace):
    """Propose names, organisations, places and recurring terms missing from
    the termbase, as candidates in locales/glossary-candidates.tsv."""
    ws = Workspace(workspace)
    with ws.lock():
        termbase = load_termbase(ws.glossary)
        passages = [p for path in _sources(ws, sources) for p in source_passages(path, ws.relative(path))]
        update = write_candidates(ws.glossary_candidates, suggest_terms(passages, termbase), termbase)
    log(
        f"terms: {update.added} new candidates, {update.refreshed} refreshed, {update.confirmed} already in the "
        f"termbase; {update.total} candidates in {ws.relative(ws.glossary_candidates)} for a person to confirm"
    )


@terms_group.command("export")
@file_argument
@workspace_option
@handle_errors
def terms_export_cmd(file, workspace):
    """Write the termbase as TBX to FILE."""
    ws = Workspace(workspace)
    termbase = load_termbase(ws.glossary)
    save_tbx(file, termbase)
    log(f"terms: {len(termbase)} entries written to {file}")


@terms_group.command("import")
@file_argument
@workspace_option
@handle_errors
def terms_import_cmd(file, workspace):
    """Add the entries of the TBX FILE to the termbase (existing entries win)."""
    ws = Workspace(workspace)
    with ws.lock():
        imported = load_tbx(file)
        merged = merge_termbase(load_termbase(ws.glossary), imported.termbase)
        save_termbase(ws.glossary, merged.termbase)
    log(f"terms: {len(merged.added)} entries added, {imported.skipped} skipped")
    for kept, incoming in merged.conflicts:
        log(f"terms: {kept.zh}: kept '{kept.en}', the file says '{incoming.en}'")


@main.group("tm")
def tm_group():
    """The translation memory: every reviewed entry, plus imported TMX files."""


@tm_group.command("import")
@file_argument
@workspace_option
@handle_errors
def tm_import_cmd(file, workspace):
    """Add the TMX FILE to the memory (kept in locales/tm/)."""
    ws = Workspace(workspace)
    with ws.lock():
        imported = import_tmx(ws, file)
    log(f"tm: {imported.units} units imported into {ws.relative(imported.path)}"
        + (f", {imported.skipped} skipped" if imported.skipped else ""))


@tm_group.command("export")
@docs_argument
@workspace_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True), default="-", show_default=True,
              help="TMX file to write ('-' for standard output).")
@handle_errors
def tm_export_cmd(docs, workspace, output):
    """Write the reviewed pairs of DOCS (default: all) as TMX 1.4b."""
    ws = Workspace(workspace)
    if output == "-":
        count = export_tmx(ws, click.get_binary_stream("stdout"), docs)
    else:
        count = export_tmx(ws, Path(output), docs)
    log(f"tm: {count} reviewed pairs exported")


@main.group("models")
def models_group():
    """Install and list Argos zh→en translation models (ARGOS_PACKAGES_DIR is respected)."""


@models_group.command("install")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from-index", is_flag=True, help="Download from the Argos package index (needs internet).")
@handle_errors
def models_install_cmd(file, from_index):
    """Install FILE.argosmodel offline (or --from-index)."""
    if bool(file) == from_index:
        raise click.UsageError("give either FILE or --from-index")
    model = models.install_from_index() if from_index else models.install(file)
    click.echo(f"installed {model.name} ({model.from_code}→{model.to_code} {model.version}) in {model.path.parent}")


@models_group.command("list")
@handle_errors
def models_list_cmd():
    """Installed packages and their versions."""
    installed = models.list_models()
    if not installed:
        log(f"no models installed in {models.models_dir()}")
    for model in installed:
        click.echo(f"{model.name}\t{model.from_code}→{model.to_code}\t{model.version}\t{model.path}")
