"""The ``pipeline`` command. Thin: each command parses options, calls the
runner (:mod:`pipeline.runner`) or one stage module, and prints what it
reports. Logs and progress go to stderr, results to stdout or files; a
PipelineError becomes a one-line message and exit 1 (:class:`PipelineGroup`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import __version__, runner
from .catalog import State
from .check import check_documents, findings_json, format_summary, format_table, has_errors
from .engines import argos_packages
from .engines.settings import CACHE_POSITIONS, DecodingSettings
from .errors import PipelineError
from .review import terminal
from .review.queue import PENDING, build_queue
from .review.session import ReviewSession, reviewer_name
from .scaffold import init_workspace
from .segment.explain import explain as explain_segmentation
from .status import document_status
from .terms import load_termbase, save_termbase
from .terms.suggest import source_passages, suggest_terms, write_candidates
from .terms.tbx import load_tbx, save_tbx
from .terms.termbase import merge_termbase
from .textsafety import printable
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


def decoding_options(func):
    """--threads, --beam-size, --batch-size, --max-decoding-length, shared by translate and run."""
    options = [
        click.option(
            "--threads", type=click.IntRange(1), default=None, help="CPU threads for decoding [default: all cores]."
        ),
        click.option("--beam-size", type=click.IntRange(1), default=4, show_default=True),
        click.option(
            "--batch-size",
            type=click.IntRange(1),
            default=1024,
            show_default=True,
            help=f"Source tokens per batch, padding included (a batch also holds at most {CACHE_POSITIONS} "
            "decoder positions: sentences x beam x cap).",
        ),
        click.option(
            "--max-decoding-length",
            type=click.IntRange(1),
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


def _translate_options(
    threads,
    beam_size,
    batch_size,
    max_decoding_length,
    retranslate_fuzzy,
    use_memory,
    accept_exact,
    tm_threshold,
    flush_seconds,
    require_model: bool = False,
) -> runner.TranslateOptions:
    return runner.TranslateOptions(
        DecodingSettings(threads, beam_size, batch_size, max_decoding_length),
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
            f"{cov.reviewed} reviewed, {cov.machine_drafts} machine drafts) -> {self.ws.relative(out_dir)}/"
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
def build_cmd(docs, workspace, out, reviewed_only, min_coverage):
    """Rebuild the editions of DOCS (default: every catalog) from source and catalog."""
    ws = Workspace(workspace)
    building = runner.BuildOptions(out, reviewed_only, min_coverage)
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
        click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    header = (
        f"{'document':<28} {'segments':>8} {'han':>6} {'words':>6} {'untransl':>8} "
        f"{'mt-draft':>8} {'fuzzy':>6} {'edited':>6} {'reviewed':>8} {'%rev':>6}"
    )
    click.echo(header)
    for r in rows:
        click.echo(
            f"{r.doc:<28} {r.segments:>8} {r.chinese_characters:>6} {r.english_words:>6} {r.untranslated:>8} "
            f"{r.machine_draft:>8} {r.fuzzy:>6} {r.edited_outside_review:>6} {r.reviewed:>8} "
            f"{r.percent_reviewed:>5.1f}%"
        )
    for r in rows:
        if r.edited_outside_review:
            log(
                f"{r.doc}: {r.edited_outside_review} entries edited outside review (changed after their "
                "reviewed-by record); review them again"
            )
        if r.untouched:
            log(f"{r.doc}: {r.untouched} entries that are not segments (msgctxt or plural), kept as they are")


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
        options = _translate_options(**decoding)
        runner.translate(ws, ws.resolve_documents(docs), options, _Printer(ws), _engine_maker(ctx))


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
    help="Documents processed in parallel, each worker loading the model once.",
)
@click.pass_context
def run_cmd(ctx, sources, workspace, out, reviewed_only, min_coverage, jobs, **decoding):
    """Extract, machine-translate, then build, for SOURCES (default: seeds/*).

    Without a zh→en model, the translation memory still fills what it can,
    the editions are still built, with the untranslated segments marked,
    and the exit status is 0 (--min-coverage fails a run that falls short)."""
    ws = Workspace(workspace)
    with ws.lock():
        translating = _translate_options(**decoding)
        building = runner.BuildOptions(out, reviewed_only, min_coverage)
        runner.run(ws, sources, translating, building, _Printer(ws), jobs, _engine_maker(ctx))


@main.command("review")
@click.argument("doc")
@workspace_option
@click.option("--reviewer", help="Name recorded with each decision [default: $PIPELINE_REVIEWER, git user.name].")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice([s.value for s in State]),
    help="Review entries in these states [default: all not reviewed].",
)
@click.option("--check", "checks", multiple=True, help="Only entries on which this check fired.")
@click.option("--worst-first", is_flag=True, help="Order by the most severe check that fired.")
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
        termbase = load_termbase(ws.glossary)
        passages = [p for path in runner.source_paths(ws, sources) for p in source_passages(path, ws.source_ref(path))]
        update = write_candidates(ws.glossary_candidates, suggest_terms(passages, termbase), termbase)
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
    termbase = load_termbase(ws.glossary)
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
        merged = merge_termbase(load_termbase(ws.glossary), imported.termbase)
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
