"""``pipeline translate --engine openai`` end to end against the local test
server: a server that dies mid-run leaves the finished drafts saved, the
catalog valid for GNU gettext, and a re-run asks only for the rest."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from pipeline.catalog import load_catalog
from pipeline.catalog.annotations import machine_signature
from pipeline.catalog.states import State, state_of
from pipeline.cli import main
from pipeline.engines import EngineRequest, create_engine
from pipeline.engines.openai import PROMPT_ID
from pipeline.testing.chat_server import ChatServer, pseudo_translation
from pipeline.workspace import Workspace

DOC = "000_a24ceba1f548592f"


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def configure(ws: Path, url: str) -> None:
    (ws / "pipeline.toml").write_text(
        "[engine]\n"
        'name = "openai"\n'
        "[engine.openai]\n"
        f'url = "{url}"\n'
        "batch = 2\ncontext = 1\nconcurrency = 1\nretries = 0\ntimeout = 10\n",
        encoding="utf-8",
    )


def asked(server: ChatServer) -> list[str]:
    return [s["text"] for r in server.requests for s in json.loads(r["body"]["messages"][-1]["content"])["segments"]]


def drafts(ws: Path) -> dict[str, str]:
    catalog = load_catalog(Workspace(ws).catalog_path(DOC))
    return {m.id: m.string for m in catalog if m.id and state_of(m) is State.MACHINE_DRAFT}


def test_a_server_that_dies_mid_run_keeps_finished_drafts_and_a_rerun_resumes(workspace, msgfmt_check):
    assert run("extract", "-w", workspace).exit_code == 0
    catalog_path = Workspace(workspace).catalog_path(DOC)
    segments = [m.id for m in load_catalog(catalog_path) if m.id]
    with ChatServer() as first:
        first.die_after = 3
        configure(workspace, first.url)
        result = run("translate", "-w", workspace, "--flush-seconds", "0")
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: openai: no usable answer from http://127.0.0.1:")
    assert re.search(r"\((connection refused|connection closed by the server)\); finished drafts are saved", last)
    saved = drafts(workspace)
    assert len(saved) == 6  # three answers of two segments
    assert all(text == pseudo_translation(msgid) for msgid, text in saved.items())
    for message in load_catalog(catalog_path):
        if message.id in saved:
            assert machine_signature(message).startswith(f"openai:echo-test@prompt-{PROMPT_ID};")
    msgfmt_check(catalog_path)

    with ChatServer() as second:
        configure(workspace, second.url)
        result = run("translate", "-w", workspace)
        assert result.exit_code == 0, result.output
    assert sorted(asked(second)) == sorted(set(segments) - set(saved))
    assert len(drafts(workspace)) == len(segments)
    msgfmt_check(catalog_path)


def test_translate_refuses_a_remote_endpoint_in_one_line(workspace):
    assert run("extract", "-w", workspace).exit_code == 0
    configure(workspace, "http://203.0.113.7:8080/v1")
    result = run("translate", "-w", workspace, "--model", "m")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: pipeline.toml: engine.openai.url: http://203.0.113.7:8080/v1 is not on this machine; the pipeline "
        "keeps text offline: "
        "pass --allow-remote (or set engine.openai.allow_remote = true) to send it there"
    )


def test_allow_remote_and_concurrency_reach_the_engine():
    request = EngineRequest(
        model="m",
        options={
            "engine.openai.url": "http://203.0.113.7:8080/v1",
            "engine.openai.allow_remote": True,
            "engine.openai.concurrency": 5,
        },
    )
    engine = create_engine("openai", request)  # nothing is contacted until it translates
    assert engine.settings.allow_remote and engine.settings.concurrency == 5


def test_the_termbase_goes_into_the_prompt_not_into_placeholders(workspace):
    assert run("extract", "-w", workspace).exit_code == 0
    (workspace / "locales" / "glossary.tsv").write_text(
        "zh\ten\ttype\tnote\n崔平\tCui Ping\tperson\t\n甬江实验室\tYongjiang Laboratory\torganisation\t\n",
        encoding="utf-8",
    )
    with ChatServer() as server:
        configure(workspace, server.url)
        result = run("translate", "-w", workspace)
        assert result.exit_code == 0, result.output
    payloads = [json.loads(r["body"]["messages"][-1]["content"]) for r in server.requests]
    texts = [s["text"] for p in payloads for s in p["segments"]]
    assert not any("XT0X" in t for t in texts)
    with_term = [p for p in payloads if any("崔平" in s["text"] for s in p["segments"])]
    assert with_term and all({"zh": "崔平", "en": "Cui Ping"} in p["glossary"] for p in with_term)
    without = [
        p
        for p in payloads
        if not any(
            "甬江实验室" in t for t in [*p["context_before"], *[s["text"] for s in p["segments"]], *p["context_after"]]
        )
    ]
    assert all({"zh": "甬江实验室", "en": "Yongjiang Laboratory"} not in p["glossary"] for p in without)
    signatures = {machine_signature(m) for m in load_catalog(Workspace(workspace).catalog_path(DOC)) if m.id}
    assert all(s.endswith(";terms=2") for s in signatures)
