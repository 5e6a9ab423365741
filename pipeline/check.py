"""Stage: quality checks over the English catalogs of a workspace.

Reads each document's catalog and the workspace termbase
(``locales/glossary.tsv``), runs :mod:`pipeline.checks`, and formats the
findings as a table for people or as JSON for machines. Nothing is written.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import replace

from .catalog import annotations, load_catalog
from .catalog.states import is_segment
from .checks import CHECKS, Finding, Severity, check_message, run_checks
from .terms import load_termbase
from .textsafety import json_output, printable
from .workspace import Workspace

_COLUMNS = ("document", "location", "check", "severity", "message")


def check_documents(ws: Workspace, docs: list[str]) -> list[Finding]:
    """The findings of every check on the catalogs of ``docs`` (document
    names, as :meth:`Workspace.resolve_documents` returns them), in
    document order, then catalog order; then each document's checks
    overridden in review (:func:`overridden_findings`)."""
    termbase = load_termbase(ws.glossary, inside=ws.root)
    findings: list[Finding] = []
    for doc in docs:
        path = ws.catalog_path(doc)
        catalog = load_catalog(path, ws.relative(path), inside=ws.root)
        findings.extend(run_checks(catalog, termbase, doc=doc))
        findings.extend(overridden_findings(catalog, termbase, doc))
    return findings


def overridden_findings(catalog, termbase, doc: str) -> list[Finding]:
    """The checks a reviewer overrode (``# no-check: <code> (override by
    NAME, WHEN): <reason>``, see :mod:`pipeline.review.session`) that still
    fire on the entry, shown as ``info``: "overridden by NAME, WHEN:
    REASON; <the finding>". They do not fail ``--strict``; a check that no
    longer fires (the text was fixed) is not shown."""
    out: list[Finding] = []
    for message in catalog:
        overrides = {o.code: o for o in annotations.overrides_of(message)} if message.id else {}
        if not overrides or not is_segment(message) or not message.string:
            continue
        unsilenced = copy.deepcopy(message)
        kept = [
            t for t in annotations.get(message, annotations.NO_CHECK) if annotations.parse_no_check(t) not in overrides
        ]
        annotations.put(unsilenced, annotations.NO_CHECK, kept)
        checks = tuple(c for c in CHECKS if c.code in overrides)
        for f in check_message(unsilenced, termbase=termbase, doc=doc, checks=checks):
            o = overrides[f.code]
            note = f"overridden by {o.who}, {o.when}" + (f": {o.reason}" if o.reason else "")
            out.append(replace(f, severity=Severity.INFO, message=f"{note}; was {f.severity.value}: {f.message}"))
    return out


def has_errors(findings: list[Finding]) -> bool:
    """True when a finding has severity ``error`` (``--strict`` fails then)."""
    return any(f.severity is Severity.ERROR for f in findings)


def format_table(findings: list[Finding]) -> str:
    """The findings as an aligned table with a header row (document,
    location, check, severity, message); an empty string for none."""
    if not findings:
        return ""
    # Escaped: a catalog written by another tool may hold terminal escapes.
    rows = [_COLUMNS] + [
        tuple(printable(cell, one_line=True) for cell in (f.document, f.location, f.code, f.severity.value, f.message))
        for f in findings
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def format_summary(findings: list[Finding]) -> str:
    """One line: ``3 findings: 1 error, 2 warnings`` (or ``no findings``)."""
    if not findings:
        return "no findings"
    counts = Counter(f.severity for f in findings)
    parts = []
    for severity in Severity:
        n = counts.get(severity, 0)
        if n:
            parts.append(f"{n} {severity.value}{'s' if n != 1 and severity is not Severity.INFO else ''}")
    total = len(findings)
    return f"{total} finding{'s' if total != 1 else ''}: {', '.join(parts)}"


def findings_json(findings: list[Finding]) -> str:
    """The findings as a JSON array of objects with the keys document,
    location, code, severity, message and msgid."""
    return json_output([f.as_dict() for f in findings])
