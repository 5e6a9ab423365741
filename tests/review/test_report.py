"""``pipeline report``: per reviewer, what they did in a period, from the history."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipeline.catalog.history import INTENT, HistoryRecord, history_path
from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.report import char_distance, parse_when, report
from pipeline.review.session import ReviewSession
from tests.review.conftest import PLAIN, plain_ids


def test_char_distance():
    assert char_distance("same", "same") == 0.0
    assert char_distance("", "abc") == 1.0
    assert char_distance("kitten", "sitting") == pytest.approx(3 / 7)
    assert char_distance("宁波港", "宁波市") == pytest.approx(1 / 3)  # characters, not bytes
    assert char_distance("abc", "xyz") == 1.0


def test_parse_when():
    assert parse_when("2026-12-01").isoformat() == "2026-12-01T00:00:00+00:00"
    assert parse_when("2026-12-01", end=True).isoformat() == "2026-12-02T00:00:00+00:00"
    assert parse_when("2026-12-01T10:30Z").isoformat() == "2026-12-01T10:30:00+00:00"
    with pytest.raises(PipelineError, match="not a date"):
        parse_when("yesterday")


def _write(ws, doc, records):
    """Decisions as a committed history (intent + commit lines), as the session writes them."""
    with open(history_path(ws, doc), "a", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps({**r.as_json(), "phase": INTENT}) + "\n")
            fh.write(json.dumps({"v": 1, "id": r.id, "phase": "commit"}) + "\n")


def _record(msgid, who, action, time, before="", after="", state_after="translated", state_before=None):
    if state_before is None:
        state_before = {"draft": "untranslated", "approve": "translated"}.get(action, "machine-draft")
    return HistoryRecord(time, "d", None, msgid, who, action, state_before, state_after, before, after)


def test_figures_per_reviewer_for_a_period(team):
    ws, doc = team
    history_path(ws, doc).unlink()  # only the decisions below
    records = [
        _record("崔平说。", "machine", "draft", "2026-12-01T08:00:00Z", "", "Cui Ping says", "machine-draft"),
        _record("甬江。", "machine", "draft", "2026-12-01T08:00:00Z", "", "Yongjiang river", "machine-draft"),
        _record("崔平说。", "Li Hua", "edit", "2026-12-01T09:00:00Z", "Cui Ping says", "Cui Ping said."),
        _record("甬江。", "Li Hua", "accept", "2026-12-01T09:02:00Z", "Yongjiang river", "Yongjiang river"),
        # a break of an hour: not counted as work
        _record(
            "甬江。",
            "Li Hua",
            "edit",
            "2026-12-01T10:02:00Z",
            "Yongjiang river",
            "The Yongjiang.",
            "translated",
            "translated",
        ),
        _record(
            "崔平说。", "Bo Wang", "approve", "2026-12-01T11:00:00Z", "Cui Ping said.", "Cui Ping said.", "approved"
        ),
        _record("甬江。", "Bo Wang", "approve", "2026-12-01T11:05:00Z", "The Yongjiang.", "The Yongjiang.", "approved"),
        _record(
            "崔平说。", "Li Hua", "edit", "2026-12-03T09:00:00Z", "Cui Ping said.", "Cui Ping, later."
        ),  # not in period
    ]
    _write(ws, doc, records)
    result = report(ws, [doc], parse_when("2026-12-01"), parse_when("2026-12-02"))
    assert [r.reviewer for r in result.reviewers] == ["Bo Wang", "Li Hua"]
    figures = {r.reviewer: r for r in result.reviewers}
    li, bo = figures["Li Hua"], figures["Bo Wang"]
    assert (li.translated, li.edited, li.approved, li.decisions) == (2, 2, 0, 3)
    assert li.translated_words == 3 + 2 and li.translated_han == 3 + 2  # "Cui Ping said." + "The Yongjiang."
    assert (li.drafts_taken, li.drafts_unchanged) == (2, 1)
    assert li.post_edit_distance == pytest.approx(char_distance("Cui Ping says", "Cui Ping said.") / 2)
    assert li.seconds == 120  # 09:00 -> 09:02; the hour's break is not work
    assert (bo.approved, bo.approved_words, bo.translated, bo.seconds) == (2, 5, 0, 300)
    assert "machine" not in figures
    # The CLI: a table, and JSON with the same figures.
    runner = CliRunner()
    args = ["report", "-w", str(ws.root), "--since", "2026-12-01", "--until", "2026-12-01"]
    table = runner.invoke(main, args)
    assert table.exit_code == 0 and "Li Hua" in table.output and "Bo Wang" in table.output
    data = json.loads(runner.invoke(main, [*args, "--json"]).stdout)
    assert {r["reviewer"]: r["edited"] for r in data["reviewers"]} == {"Bo Wang": 0, "Li Hua": 2}
    assert data["since"] == "2026-12-01T00:00:00Z" and data["until"] == "2026-12-02T00:00:00Z"
    bad = runner.invoke(main, ["report", "-w", str(ws.root), "--since", "soon"])
    assert bad.exit_code == 1 and "Traceback" not in bad.output


def test_report_from_real_sessions(team):
    ws, doc = team
    li = ReviewSession(ws, doc, "Li Hua")
    ids = plain_ids(li)
    li.accept(ids[0], PLAIN)
    li.accept(ids[1])
    ReviewSession(ws, doc, "Bo Wang").approve(ids[0])
    figures = {r.reviewer: r for r in report(ws, [doc]).reviewers}
    assert (figures["Li Hua"].translated, figures["Li Hua"].edited, figures["Li Hua"].drafts_taken) == (2, 1, 2)
    assert figures["Bo Wang"].approved == 1 and figures["Li Hua"].drafts_unchanged == 1
    assert 0 < figures["Li Hua"].post_edit_distance <= 0.5


def test_the_table_shows_reviewer_names_in_full_and_aligned():
    from pipeline.report import NAME_WIDTH, Report, ReviewerFigures, format_table

    long = "Desk editor (Ningbo Daily English desk)"
    hostile = "x" * (NAME_WIDTH + 20) + "\x1b[31m"
    table = format_table(Report(None, None, [ReviewerFigures("Li", 3), ReviewerFigures(long, approved=5)]))
    header, first, second = table.splitlines()
    assert second.startswith(long + " ") and first.startswith("Li ")
    assert len({len(line) for line in (header, first, second)}) == 1  # the columns line up
    cut = format_table(Report(None, None, [ReviewerFigures(hostile)])).splitlines()[1]
    assert cut.startswith("x" * NAME_WIDTH + " ") and "\x1b" not in cut
