"""``pipeline review DOC``: a keyboard-driven review in the terminal.

Single keys act on the entry shown: accept, edit (inline, or in $EDITOR for
long segments), approve, reject, comment, remove a comment, skip, undo,
quit. Every decision is saved
at once; quitting, Ctrl-C or a crash loses nothing but the entry on screen.
The queue holds what is not reviewed yet, so a new session resumes where the
last one stopped (an approver reviews ``--state translated``).

Post-editing starts from the draft: ``e`` puts the current text on the
``english:`` line, editable with readline (arrows, Ctrl-A/E, Ctrl-U), and
Enter saves it; ``E`` opens ``$EDITOR`` on the same text, with the source,
the draft's origin and the checks below it as comment lines (a line that is
``#`` or starts with ``# ``), which are stripped on return. Accepting or
approving a text on which an error-level check fires asks for a reason to
override it (empty: nothing is saved); see :mod:`pipeline.review.session`.

An edit that changed the text asks for the reason for the change (one
line; Enter: none), and ``r`` (reject) for the reason for rejecting it; the
reason lands in the entry's history, and one the session refuses is asked
again, so the decision is never lost for it. ``c`` adds a comment to the
entry shown (a note, or a query to the desk: ``# text`` in the PO; Enter:
cancelled); ``C`` removes one (a query resolved: pick it by its number when
there are several; Enter: cancelled), with an optional reason. Neither
changes the entry's text or state, so the entry stays on screen. The
comments people wrote on an entry are shown with it (``comment``).

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
from ..checks import Severity
from ..errors import PipelineError
from ..terms import Termbase
from ..textsafety import first_unsafe, printable, refuse_unsafe
from .queue import ReviewItem, build_queue, findings_for
from .session import GateRefused, ReviewConflict, ReviewSession, checked_comment, person_reason

KEYS = "[a]ccept  [e]dit  [E]ditor  [A]pprove  [r]eject  [c]omment  un[C]omment  [s]kip  [u]ndo  [q]uit"
#: Segments longer than this open in $EDITOR when edited.
LONG_SEGMENT = 120

_STATE_COLOURS = {
    State.MACHINE_DRAFT: "blue",
    State.FUZZY: "yellow",
    State.UNTRANSLATED: "red",
    State.TRANSLATED: "green",
    State.APPROVED: "cyan",
    State.EDITED_OUTSIDE_REVIEW: "magenta",
}


def _show(item: ReviewItem, session: ReviewSession, position: int, total: int) -> None:
    reviewed, entries = session.progress()
    approved = sum(session.state(m) is State.APPROVED for m in session.messages())
    echo, p = click.echo, printable
    echo()
    echo(
        click.style(f"{reviewed}/{entries} reviewed", bold=True)
        + (f" ({approved} approved)" if approved else "")
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
    if item.machine_draft and item.machine_draft != item.target:
        echo(click.style(f"  mt was  {p(item.machine_draft)}", dim=True))
    if item.translator:
        who = f"  by      {item.translator}" + (f"; approved by {item.approver}" if item.approver else "")
        echo(click.style(p(who, one_line=True), dim=True))
    for comment in item.comments:
        echo(click.style(p(f"  comment {comment}", one_line=True), fg="yellow"))
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


def _is_comment(line: str) -> bool:
    """A comment line of the $EDITOR text: ``#`` alone or ``# …`` (a
    translation may start with a hashtag: ``#MeToo`` is text)."""
    return line == "#" or line.startswith("# ")


def editor_text(item: ReviewItem) -> str:
    """What ``E`` opens in $EDITOR: the current text, then the source, the
    draft's origin and the checks as comment lines."""
    lines = [item.target, "", f"# Source: {item.msgid}"]
    if item.previous_source:
        lines.append(f"# Source before it changed: {item.previous_source}")
    if item.origin:
        lines.append(f"# Draft from {item.origin}")
    if item.machine_draft and item.machine_draft != item.target:
        lines.append(f"# Machine draft: {item.machine_draft}")
    lines += [f"# Check [{f.severity.value}] {f.code}: {f.message}" for f in item.findings]
    lines.append("# Lines that are '#' or start with '# ' are ignored. Save and close to accept; empty to cancel.")
    return "\n".join(line.replace("\n", " ") if line.startswith("#") else line for line in lines) + "\n"


def from_editor(edited: str) -> str:
    """The translation in a text saved in $EDITOR: its lines that are not
    comments, joined by spaces."""
    return " ".join(line for line in edited.splitlines() if not _is_comment(line)).strip()


def prefilled_input(prompt: str, text: str) -> str:
    """A line typed at ``prompt``, starting from ``text`` (readline: the
    text is on the line, editable, before the first key). Without a
    terminal, an empty line keeps ``text``."""
    try:
        import readline
    except ImportError:  # no readline on this Python
        readline = None
    if readline is None or not sys.stdin.isatty():
        return click.prompt(prompt.rstrip(": "), default=text, show_default=False)
    readline.set_startup_hook(lambda: readline.insert_text(text))
    try:
        return input(prompt)
    finally:
        readline.set_startup_hook(None)


def _edit(item: ReviewItem, external: bool) -> str | None:
    if external or len(item.target or item.msgid) > LONG_SEGMENT:
        edited = click.edit(editor_text(item))
        if edited is None:
            return None
        text = from_editor(edited)
    else:
        start = item.target or ""
        if first_unsafe(start) is not None:
            click.echo("  the draft holds control characters: type the translation")
            start = ""
        try:
            text = prefilled_input("  english: ", start).strip()
        except EOFError:
            return None
    refuse_unsafe(text, "your edit")
    return " ".join(text.split()) or None


def _say_refused(error: Exception) -> None:
    """One red line: why a decision or an answer was refused."""
    click.echo(click.style(printable(f"  {error}", one_line=True), fg="red"))


def _reason(question: str) -> str | None:
    """The person's reason for a decision (Enter: none), asked again while
    the session's rule refuses it (an arrow key typed into it, one too long):
    the edit or decision made before it is never lost for it."""
    while True:
        try:
            reason = click.prompt(f"  {question} (Enter: none)", default="", show_default=False)
        except click.Abort:  # end of input: no reason
            return None
        try:
            return person_reason(reason)
        except PipelineError as exc:
            _say_refused(exc)


def _comment_to_remove(comments: tuple[str, ...]) -> str | None:
    """Which of the entry's ``comments`` to remove: a numbered list, and the
    number (Enter: cancelled); a number not on the list is asked again."""
    for n, comment in enumerate(comments, 1):
        click.echo(click.style(printable(f"  {n}. {comment}", one_line=True), fg="yellow"))
    choices = "1" if len(comments) == 1 else f"1-{len(comments)}"
    while True:
        try:
            answer = click.prompt(f"  remove comment ({choices}; Enter: cancel)", default="", show_default=False)
        except click.Abort:  # end of input: cancelled
            return None
        answer = answer.strip()
        if not answer:
            return None
        if answer.isdigit() and 1 <= int(answer) <= len(comments):
            return comments[int(answer) - 1]
        click.echo(click.style(f"  type a number from {choices}, or Enter to cancel", fg="red"))


def _comment() -> str | None:
    """A comment for the entry shown (Enter: none); one the session's rule
    refuses (a word that reads as a record, too long) is shown again,
    editable, to be mended rather than typed again."""
    text = ""
    while True:
        try:
            # On a terminal the refused text comes back to mend; from a pipe, Enter cancels.
            text = prefilled_input("  comment (Enter: cancel): ", text if sys.stdin.isatty() else "").strip()
        except EOFError:
            return None
        if not text:
            return None
        try:
            return checked_comment(text)
        except PipelineError as exc:
            _say_refused(exc)


def _with_override(decide, *args, **kwargs):
    """Call ``decide(*args, **kwargs)``; when error-level checks fire, show
    them and ask for a reason to override, then call it again with
    ``override=reason`` (empty: cancelled, None returned)."""
    try:
        return decide(*args, **kwargs)
    except GateRefused as refused:
        _say_refused(refused)
        _show_findings(refused.findings)
        while True:
            reason = click.prompt("  reason to override (empty: cancel)", default="", show_default=False).strip()
            if not reason:
                click.echo("  not saved")
                return None
            try:
                reason = person_reason(reason, "the override reason")
                break
            except PipelineError as exc:  # asked again: the edit is not lost for it
                _say_refused(exc)
        return decide(*args, override=reason, **kwargs)


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
    counts = {
        "accepted": 0,
        "edited": 0,
        "approved": 0,
        "rejected": 0,
        "commented": 0,
        "uncommented": 0,
        "skipped": 0,
        "undone": 0,
    }
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
                if _with_override(session.accept, item.msgid, expected=item.tag) is None:
                    continue
                counts["accepted"] += 1
            elif key == "A":
                if _with_override(session.approve, item.msgid, expected=item.tag) is None:
                    continue
                counts["approved"] += 1
            elif key in ("e", "E"):
                text = _edit(item, external=key == "E")
                if text is None:
                    click.echo("  edit cancelled")
                    continue
                message = session.catalog.get(item.msgid)
                findings = findings_for(session.doc, message, text, termbase)
                warnings = [f for f in findings if f.severity is not Severity.ERROR]
                _show_findings(warnings)
                if warnings and not click.confirm("  accept with these findings?", default=False):
                    continue
                reason = _reason("reason for the change") if text != item.target else None
                decided = _with_override(session.accept, item.msgid, text, expected=item.tag, reason=reason)
                if decided is None:
                    continue
                counts["edited" if decided.action == "edit" else "accepted"] += 1
            elif key == "r":
                session.reject(item.msgid, expected=item.tag, reason=_reason("reason for rejecting it"))
                counts["rejected"] += 1
            elif key == "c":
                text = _comment()
                if text is None:
                    click.echo("  no comment")
                    continue
                session.comment(item.msgid, text, expected=item.tag)
                counts["commented"] += 1
                queue = _refresh(session, termbase, queue)  # the entry stays on screen, with its comment
                continue
            elif key == "C":
                if not item.comments:
                    click.echo("  no comment to remove")
                    continue
                text = _comment_to_remove(item.comments)
                if text is None:
                    click.echo("  nothing removed")
                    continue
                session.uncomment(item.msgid, text, expected=item.tag, reason=_reason("reason for removing it"))
                counts["uncommented"] += 1
                queue = _refresh(session, termbase, queue)  # the entry stays on screen, without it
                continue
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
            _say_refused(exc)
            continue
        i += 1
        if key != "s":
            queue = _refresh(session, termbase, queue)
    return counts


def _refresh(session: ReviewSession, termbase: Termbase | None, queue: list[ReviewItem]) -> list[ReviewItem]:
    """The same queue with every item's current version (the file was saved)."""
    current = {item.msgid: item for item in build_queue(session, termbase, states=None)}
    return [current[item.msgid] for item in queue if item.msgid in current]
