"""Quality checks for Chinese→English catalogs.

Every check is listed once, in :data:`CHECKS`, with its code, severity and
one-line title. A check is a small function over one entry's source,
translation and :class:`CheckContext`; :func:`run_checks` runs the checks
over every translated entry of a catalog (machine drafts, fuzzy and
reviewed alike; untranslated entries are skipped) and returns
:class:`Finding` objects.

A translator silences one check on one entry with a translator comment,
for instance when an English text quotes the Chinese on purpose ("the
hukou (户口) system")::

    # no-check: han-in-target

The older flag ``#, no-check-han-in-target`` is still honoured, but GNU
gettext's tools (msgcat, msgmerge) drop flags they do not know, so the
comment is the form that survives them (:mod:`pipeline.catalog.annotations`).
"""

from __future__ import annotations

from collections.abc import Collection

from babel.messages.catalog import Catalog, Message

from ..catalog import annotations
from ..catalog.states import State, state_of
from ..inline import TAG_RE, strip_tags
from ..terms import Termbase
from . import coverage, length, numbers, placeholders, punctuation, quotes, repetition, script, terms
from .model import NO_CHECK_PREFIX, Check, CheckContext, Finding, Severity

#: The registry: every check, in the order findings are reported for an entry.
CHECKS: tuple[Check, ...] = (
    Check("han-in-target", Severity.ERROR, "Chinese characters left in the English", script.check_han_in_target),
    Check("source-copied", Severity.ERROR, "The translation is a copy of the source", script.check_source_copied),
    Check("numbers", Severity.ERROR, "A figure changed between source and translation", numbers.check_numbers),
    Check(
        "placeholders",
        Severity.ERROR,
        "An inline tag (<1>…</1>, <2/>) missing, extra, duplicated or badly nested",
        placeholders.check_placeholders,
    ),
    Check(
        "refused-character",
        Severity.ERROR,
        "A refused character (control, bidirectional, U+FFFE) in the translation",
        placeholders.check_refused_characters,
    ),
    Check("repetition", Severity.ERROR, "A word or phrase repeated three times in a row", repetition.check_repetition),
    Check("doubled-word", Severity.WARNING, 'A word written twice in a row ("the the")', repetition.check_doubled_word),
    Check(
        "numbers-unpaired",
        Severity.WARNING,
        "A figure left out of the translation, or added by it",
        numbers.check_numbers_unpaired,
    ),
    Check("glossary", Severity.WARNING, "A termbase term is not translated as the termbase says", terms.check_glossary),
    Check(
        "brackets-quotes",
        Severity.WARNING,
        "Quotes or brackets unbalanced, or lost in translation",
        quotes.check_brackets_quotes,
    ),
    Check(
        "end-punctuation",
        Severity.WARNING,
        "Sentence-final punctuation differs from the source",
        punctuation.check_end_punctuation,
    ),
    Check(
        "capitalisation", Severity.WARNING, "An English sentence starts in lowercase", punctuation.check_capitalisation
    ),
    Check(
        "whitespace",
        Severity.WARNING,
        "Double, leading or trailing spaces, or a space before punctuation",
        punctuation.check_whitespace,
    ),
    Check(
        "fullwidth-punctuation",
        Severity.WARNING,
        "Chinese full-width punctuation in the English",
        script.check_fullwidth_punctuation,
    ),
    Check(
        "length-ratio",
        Severity.WARNING,
        "The translation is far shorter or longer than usual",
        length.check_length_ratio,
    ),
    Check(
        "omission",
        Severity.WARNING,
        "Part of the source seems untranslated (content and length)",
        coverage.check_omission,
    ),
)

CHECKS_BY_CODE: dict[str, Check] = {check.code: check for check in CHECKS}


def entry_location(message: Message) -> str:
    """``seeds/<file>:<line>`` of the entry's first location, or its msgid."""
    if not message.locations:
        return _text(message.id)
    filename, line = message.locations[0]
    return f"{filename}:{line}" if line else filename


def _text(value) -> str:
    """The first form of a msgid or msgstr (catalogs here have no plurals)."""
    if isinstance(value, (tuple, list)):
        return value[0] if value else ""
    return value or ""


def check_entry(
    source: str, target: str, context: CheckContext, flags: Collection[str] = (), checks: tuple[Check, ...] = CHECKS
) -> list[tuple[Check, str]]:
    """The problems of one entry: ``(check, message)`` pairs, in registry
    order, leaving out the checks silenced by ``no-check-<code>`` flags."""
    problems = []
    # Inline tags (<1>…</1>, pipeline.inline) are the placeholders check's;
    # the others see the text without them (refused-character: the text as
    # it is, so that its column is the msgstr's).
    plain = (strip_tags(source), strip_tags(target)) if TAG_RE.search(source + target) else (source, target)
    for check in checks:
        if check.flag in flags:
            continue
        texts = (source, target) if check.code in ("placeholders", "refused-character") else plain
        problems.extend((check, message) for message in check.run(*texts, context))
    return problems


def _silencing_flags(message: Message) -> set[str]:
    """``no-check-<code>`` for each check silenced on ``message``, by a
    ``# no-check: <code>`` comment or by the older flag
    (:func:`pipeline.catalog.annotations.silenced_checks`)."""
    return {NO_CHECK_PREFIX + code for code in annotations.silenced_checks(message)}


def check_message(
    message: Message,
    target: str | None = None,
    termbase: Termbase | None = None,
    doc: str = "",
    checks: tuple[Check, ...] = CHECKS,
) -> list[Finding]:
    """The findings of one catalog entry, in registry order: its translation,
    or ``target`` (a text being typed for it), against its source and its
    ``#.`` comments, leaving out the checks its flags silence."""
    source = _text(message.id)
    target = _text(message.string) if target is None else target
    context = CheckContext.for_message(message, termbase)
    return [
        Finding(doc, entry_location(message), check.code, check.severity, problem, source)
        for check, problem in check_entry(source, target, context, _silencing_flags(message), checks)
    ]


def run_checks(
    catalog: Catalog, termbase: Termbase | None = None, doc: str | None = None, checks: tuple[Check, ...] = CHECKS
) -> list[Finding]:
    """Run ``checks`` over every translated entry of ``catalog``.

    ``doc`` names the document in the findings (default: the catalog's
    project, which is the document name in our catalogs); ``termbase``
    feeds the glossary check, which finds nothing without one."""
    document = doc if doc is not None else (catalog.project or "")
    findings = []
    for message in catalog:
        if not message.id or state_of(message) is State.UNTRANSLATED:
            continue
        findings.extend(check_message(message, termbase=termbase, doc=document, checks=checks))
    return findings


__all__ = [
    "CHECKS",
    "CHECKS_BY_CODE",
    "NO_CHECK_PREFIX",
    "Check",
    "CheckContext",
    "Finding",
    "Severity",
    "check_entry",
    "check_message",
    "entry_location",
    "run_checks",
]
