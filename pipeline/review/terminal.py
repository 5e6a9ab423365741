"""``pipeline review DOC``: a keyboard-driven review in the terminal.

Single keys act on the entry shown: accept, edit (inline, or in $EDITOR for
long segments), reject, skip, undo, quit. Every decision is saved at once;
quitting, Ctrl-C or a crash loses nothing but the entry on screen. The
queue holds what is not reviewed yet, so a new session resumes where the
last one stopped.

Text typed or saved in $EDITOR that holds a character
:mod:`pipeline.textsafety` refuses (a control character, an escape
sequence, a bidirectional control) is refused with one line, and the entry
is shown again; so is accepting a draft that holds one. Everything shown
comes from a catalog another tool may have written, so it is displayed
through :func:`~pipeline.textsafety.printable`: an escape sequence in a
translation is shown as ``\x1b[…``, never run by the terminal.
"""

from __future__ import annotations

import sys

import click

from ..catalog import State
from ..errors import PipelineError
from ..terms import Termbase
from ..textsafety import printable, refuse_unsafe
from .queue import ReviewItem, build_queue, findings_for
from .session import ReviewConflict, ReviewSession

KEYS = "[a]ccept  [e]dit  [E]ditor  [r]eject  [s]kip  [u]ndo  [q]uit"
#: Segments longer than this open in $EDITOR when edited.
LONG_SEGMENT = 120

_STATE_COLOURS = {
    State.MACHINE_DRAFT: "blue",
    State.FUZZY: "yellow",
    State.UNTRANSLATED: "red",
    State.REVIEWED: "green",
    State.EDITED_OUTSIDE_REVIEW: "magenta",
}


def _show(item: ReviewItem, session: ReviewSession, position: int, total: int) -> None:
    reviewed, entries = session.progress()
    echo, p = click.echo, printable
    echo()
    echo(
        click.style(f"{reviewed}/{entries} reviewed", bold=True)
        + f"  ·  {position}/{total} in queue  ·  "
        + click.style(item.state.value, fg=_STATE_COLOURS[item.state])
        + p(f"  ·  {', '.join(item.types) or '?'}  ·  {item.location}", one_line=True)
    )
    if item.before:
        echo(click.style(f"  before  {p(item.before)}", dim=True))
    echo(click.style(f"  source  {p(item.msgid)}", bold=True))
    if item.after:
        echo(click.style(f"  after   {p(item.after)}", dim=True))
    if item.previous_source:
        echo(click.style(f"  was     {p(item.previous_source)}", fg="yellow"))
    echo(f"  draft   {p(item.target) if item.target else click.style('(untranslated)', fg='red')}")
    if item.origin:
        echo(click.style(f"  origin  {p(item.origin)}", dim=True))
    for term in item.glossary:
        echo(p(f"  term    {term.zh} = {term.en}  ({term.type})"))
    for suggestion in item.suggestions:
        echo(f"  memory  {p(_suggestion(suggestion))}")
    _show_findings(item.findings)


def _suggestion(suggestion) -> str:
    percent = getattr(suggestion, "percent", None)
    origin = getattr(suggestion, "origin", "")
    text = getattr(suggestion, "text", str(suggestion))
    flag = " (numbers differ)" if getattr(suggestion, "numbers_differ", False) else ""
    return f"{percent}% {origin}{flag}: {text}"


def _show_findings(findings) -> None:
    for f in findings:
        colour = "red" if f.severity.value == "error" else "yellow"
        click.echo(
            click.style(printable(f"  check   [{f.severity.value}] {f.code}: {f.message}", one_line=True), fg=colour)
        )


def _edit(item: ReviewItem, external: bool) -> str | None:
    if external or len(item.target or item.msgid) > LONG_SEGMENT:
        template = (
            f"{item.target}\n\n# Source: {item.msgid}\n# Lines starting with # are ignored. Save and close to accept.\n"
        )
        edited = click.edit(template)
        if edited is None:
            return None
        text = " ".join(line for line in edited.splitlines() if not line.startswith("#")).strip()
    else:
        text = click.prompt("  english", default=item.target or "", show_default=False).strip()
    refuse_unsafe(text, "your edit")
    return " ".join(text.split()) or None


def _key() -> str:
    """One key press; from a pipe, one character (end of input quits)."""
    try:
        return click.getchar() or "q"  # '' is the end of input
    except OSError:  # no terminal: keys come from standard input
        return sys.stdin.read(1) or "q"
    except EOFError:
        return "q"


def review(session: ReviewSession, termbase: Termbase | None, queue: list[ReviewItem]) -> dict[str, int]:
    """Run the interactive loop over ``queue``; return counts of decisions."""
    counts = {"accepted": 0, "edited": 0, "rejected": 0, "skipped": 0, "undone": 0}
    i = 0
    while 0 <= i < len(queue):
        item = queue[i]
        _show(item, session, i + 1, len(queue))
        click.echo(click.style(KEYS, dim=True))
        key = _key()
        try:
            if key == "a":
                if not item.target:
                    click.echo("  nothing to accept: edit it, or skip")
                    continue
                refuse_unsafe(item.target, "the draft (press e to edit it)")
                session.accept(item.msgid, expected=item.tag)
                counts["accepted"] += 1
            elif key in ("e", "E"):
                text = _edit(item, external=key == "E")
                if text is None:
                    click.echo("  edit cancelled")
                    continue
                message = session.catalog.get(item.msgid)
                findings = findings_for(session.doc, message, text, termbase)
                _show_findings(findings)
                if findings and not click.confirm("  accept with these findings?", default=False):
                    continue
                session.accept(item.msgid, text, expected=item.tag)
                counts["edited"] += 1
            elif key == "r":
                session.reject(item.msgid, expected=item.tag)
                counts["rejected"] += 1
            elif key == "s":
                counts["skipped"] += 1
            elif key == "u":
                undone = session.undo()
                if undone is None:
                    click.echo("  nothing to undo")
                    continue
                counts["undone"] += 1
                queue = _refresh(session, termbase, queue)
                i = next((k for k, it in enumerate(queue) if it.msgid == undone.msgid), i)
                continue
            elif key in ("q", "\x03", "\x04"):
                break
            else:
                continue
        except ReviewConflict as conflict:
            click.echo(click.style(printable(f"  conflict: {conflict}", one_line=True), fg="red"))
            if conflict.current is not None:
                click.echo(printable(f"  now on disk: {conflict.current.string or '(untranslated)'}"))
            queue = _refresh(session, termbase, queue)
            continue
        except PipelineError as exc:
            click.echo(click.style(printable(f"  {exc}", one_line=True), fg="red"))
            continue
        i += 1
        if key != "s":
            queue = _refresh(session, termbase, queue)
    return counts


def _refresh(session: ReviewSession, termbase: Termbase | None, queue: list[ReviewItem]) -> list[ReviewItem]:
    """The same queue with every item's current version (the file was saved)."""
    current = {item.msgid: item for item in build_queue(session, termbase, states=None)}
    return [current[item.msgid] for item in queue if item.msgid in current]
