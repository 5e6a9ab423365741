"""The registry, the findings and ``run_checks`` over a catalog in memory."""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil

from babel.messages.catalog import Message

from pipeline.catalog.pofile import Catalog, po_bytes, read_po
from pipeline.catalog.states import MT_PREFIX
from pipeline.checks import (
    CHECKS,
    CHECKS_BY_CODE,
    Finding,
    Severity,
    check_entry,
    entry_location,
    run_checks,
)
from pipeline.checks.model import CheckContext


def test_every_check_has_a_unique_code_a_severity_and_a_one_line_title():
    codes = [check.code for check in CHECKS]
    assert len(codes) == len(set(codes))
    for check in CHECKS:
        assert check.code == check.code.lower() and " " not in check.code
        assert isinstance(check.severity, Severity)
        assert check.title and "\n" not in check.title and len(check.title) <= 80
        assert check.flag == f"no-check-{check.code}"


def test_the_checks_the_brief_requires_are_registered_with_their_severity():
    expected = {
        "han-in-target": Severity.ERROR,
        "source-copied": Severity.ERROR,
        "numbers": Severity.ERROR,
        "repetition": Severity.ERROR,
        "glossary": Severity.WARNING,
        "brackets-quotes": Severity.WARNING,
        "length-ratio": Severity.WARNING,
        "omission": Severity.WARNING,
        "end-punctuation": Severity.WARNING,
        "capitalisation": Severity.WARNING,
        "whitespace": Severity.WARNING,
    }
    assert {code: CHECKS_BY_CODE[code].severity for code in expected} == expected


def test_no_check_function_is_left_out_of_the_registry():
    """The registry is an explicit list; this guards against a check
    written but never listed."""
    import pipeline.checks

    modules = [
        importlib.import_module(f"pipeline.checks.{m.name}") for m in pkgutil.iter_modules(pipeline.checks.__path__)
    ]
    defined = {
        function
        for module in modules
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("check_") and function.__module__ == module.__name__
    }
    registered = [check.function for check in CHECKS]
    assert set(registered) == defined
    assert len(registered) == len(defined)


def test_severities_sort_by_rank():
    assert sorted(Severity, key=lambda s: s.rank) == [Severity.ERROR, Severity.WARNING, Severity.INFO]


#: The comment the template writes on a body sentence: the entry starts a
#: sentence, so its capitalisation is checked from the start.
BODY = ["type: body"]


def _catalog(*messages: Message, project: str = "doc") -> Catalog:
    catalog = Catalog(locale="en", project=project)
    for message in messages:
        catalog[message.id] = message
    return catalog


def test_run_checks_makes_findings_with_document_location_and_msgid():
    catalog = _catalog(
        Message(
            "到2027年实现目标。",
            "The goal is to be met by 2028.",
            locations=[("seeds/doc.txt", 88), ("seeds/doc.txt", 90)],
        ),
        project="doc",
    )
    (finding,) = run_checks(catalog)
    assert finding == Finding(
        document="doc",
        location="seeds/doc.txt:88",
        code="numbers",
        severity=Severity.ERROR,
        message="not in the translation: 2027年; not in the source: 2028",
        msgid="到2027年实现目标。",
    )
    assert finding.as_dict()["severity"] == "error"


def test_run_checks_names_the_document_it_is_given():
    catalog = _catalog(Message("崔平很忙。", "Cui Ping is busy ."), project="from-header")
    assert [f.document for f in run_checks(catalog)] == ["from-header"]
    assert [f.document for f in run_checks(catalog, doc="other")] == ["other"]


def test_an_entry_without_a_location_is_located_by_its_msgid():
    message = Message("崔平很忙。", "cui Ping is busy.")
    assert entry_location(message) == "崔平很忙。"
    assert entry_location(Message("x", locations=[("seeds/doc.txt", None)])) == "seeds/doc.txt"


def test_run_checks_covers_drafts_fuzzy_and_reviewed_but_not_untranslated():
    catalog = _catalog(
        Message("崔平很忙。", "cui Ping is busy.", locations=[("seeds/doc.txt", 1)], auto_comments=BODY),  # reviewed
        Message(
            "崔平很忙！",
            "cui Ping is busy!",
            flags=["fuzzy"],
            user_comments=[MT_PREFIX + "argos"],
            locations=[("seeds/doc.txt", 2)],
            auto_comments=BODY,
        ),
        Message(
            "崔平很累。", "cui Ping is tired.", flags=["fuzzy"], locations=[("seeds/doc.txt", 3)], auto_comments=BODY
        ),  # fuzzy
        Message("崔平很好。", "", locations=[("seeds/doc.txt", 4)], auto_comments=BODY),  # untranslated
    )
    findings = run_checks(catalog)
    assert [(f.location, f.code) for f in findings] == [
        ("seeds/doc.txt:1", "capitalisation"),
        ("seeds/doc.txt:2", "capitalisation"),
        ("seeds/doc.txt:3", "capitalisation"),
    ]


def test_run_checks_reads_the_block_type_from_the_catalog():
    heading = Message("记者手记", "Reporter's Notes", auto_comments=["type: heading"])
    body = Message("崔平很忙。", "Cui Ping is busy", auto_comments=["type: body"])
    title = Message("崔平很累。", "Cui Ping Is Tired", auto_comments=["type: title"])
    findings = run_checks(_catalog(heading, body, title))
    assert [(f.msgid, f.code) for f in findings] == [("崔平很忙。", "end-punctuation")]


def test_context_reads_parts_from_type_comments():
    message = Message("（严龙 摄）", "(Photo by Yan Long)", auto_comments=["type: caption, part: photo-credit"])
    context = CheckContext.for_message(message)
    assert context.block_types == ("caption",) and context.parts == ("photo-credit",)
    assert context.is_photo_credit(message.id)
    # Without comments, the source itself shows a credit or a speaker label.
    assert CheckContext().is_photo_credit("（资料图片）")
    assert CheckContext().is_speaker_label("崔平：")
    assert not CheckContext().is_speaker_label("崔平很忙。")


def test_check_entry_leaves_out_silenced_checks():
    context = CheckContext(block_types=("body",))
    all_codes = [check.code for check, _ in check_entry("崔平很忙。", "cui Ping is  busy", context)]
    assert all_codes == ["end-punctuation", "capitalisation", "whitespace"]
    silenced = [
        check.code for check, _ in check_entry("崔平很忙。", "cui Ping is  busy", context, {"no-check-capitalisation"})
    ]
    assert silenced == ["end-punctuation", "whitespace"]


def test_a_flag_silences_one_check_through_a_po_round_trip(msgfmt_check):
    catalog = _catalog(
        Message("到2027年实现目标。", "the goal is to be met by 2028.", flags=["no-check-numbers"], auto_comments=BODY)
    )
    data = po_bytes(catalog)
    msgfmt_check(data)
    reread = read_po(io.BytesIO(data), "doc.po")
    assert [f.code for f in run_checks(reread)] == ["capitalisation"]


def test_a_finding_is_one_line_even_when_the_translation_has_line_breaks():
    catalog = _catalog(Message("崔平很忙。", "Cui Ping\nis  busy.\n", locations=[("seeds/doc.txt", 1)]))
    messages = [f.message for f in run_checks(catalog)]
    assert messages and all("\n" not in m for m in messages)
    assert 'double space: "Cui Ping is  busy."' in messages
