"""``pipeline evaluate``: every score is compared with what sacrebleu itself
gives for the same strings (corpus_bleu, corpus_chrf, corpus_ter called
directly), so the command adds bookkeeping, never its own arithmetic.
Engines run for real: the ``openai`` engine against the local test server,
whose output is a deterministic transform, not a translation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sacrebleu
from babel.messages.catalog import Message
from click.testing import CliRunner

from pipeline.catalog import load_catalog
from pipeline.catalog.states import State, state_of
from pipeline.checks import check_message
from pipeline.cli import main
from pipeline.evaluate import EvaluateError, format_evaluation, read_reference, score
from pipeline.testing.chat_server import ChatServer, pseudo_translation
from pipeline.workspace import Workspace
from tests.support.fake_engine import FakeEngine

DOC = "000_a24ceba1f548592f"

HYPS = ["The cat sat on the mat.", "Ningbo issued a new plan last month.", "Growth was 5.2 percent."]
REFS = ["The cat is sitting on the mat.", "Last month Ningbo issued a new action plan.", "Growth was 5.2%."]


def run(*args, obj=None):
    result = CliRunner().invoke(main, [str(a) for a in args], obj=obj)
    assert "Traceback" not in result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def sacrebleu_scores(hyps, refs) -> dict:
    return {
        "bleu": sacrebleu.corpus_bleu(hyps, [refs]).score,
        "chrf": sacrebleu.corpus_chrf(hyps, [refs]).score,
        "ter": sacrebleu.corpus_ter(hyps, [refs]).score,
    }


def test_scores_are_sacrebleus():
    got = score(HYPS, REFS)
    assert {"bleu": got.bleu, "chrf": got.chrf, "ter": got.ter} == pytest.approx(sacrebleu_scores(HYPS, REFS))
    assert got.bleu != got.chrf  # three different measures, not one copied


# --- references -----------------------------------------------------------------------------


def test_reference_as_tsv_or_as_two_files(tmp_path):
    tsv = tmp_path / "ref.tsv"
    tsv.write_text("\ufeff你好。\tHello.\n\n再见。\tGoodbye.\n", encoding="utf-8")
    ref = read_reference(tsv)
    assert ref.sources == ("你好。", "再见。") and ref.targets == ("Hello.", "Goodbye.")
    zh, en = tmp_path / "ref.zh", tmp_path / "ref.en"
    zh.write_text("你好。\n再见。\n", encoding="utf-8")
    en.write_text("Hello.\nGoodbye.\n", encoding="utf-8")
    assert read_reference(zh, en).targets == ref.targets


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("你好。Hello.\n".encode(), r"ref.tsv:1: expected Chinese<TAB>English, got 1 field"),
        ("你好。\tHello.\tthird\n".encode(), r"ref.tsv:1: expected Chinese<TAB>English, got 3"),
        ("你好。\tHello.\n".encode("gb18030"), "not UTF-8 .*reads as GB18030: convert it with iconv"),
        ("你好。\tHel\x1blo.\n".encode(), "control character"),
        (b"\n\n", "no sentences"),
        ("你好。\t \n".encode(), r"ref.tsv:1: the English field is empty"),
        (b" \tHello.\n", r"ref.tsv:1: the Chinese field is empty"),
        # Columns swapped, or Chinese on both sides: every engine would score near zero, silently.
        ("Hello.\t你好。\n".encode(), r"ref.tsv:1: the English side is Chinese \(columns swapped"),
        ("你好。\t你好 ok\n".encode(), r"ref.tsv:1: the English side is Chinese"),
    ],
)
def test_a_bad_reference_is_one_line(tmp_path, content, message):
    tsv = tmp_path / "ref.tsv"
    tsv.write_bytes(content)
    with pytest.raises(Exception, match=message):
        read_reference(tsv)


def test_a_chinese_name_beside_its_english_is_english(tmp_path):
    tsv = tmp_path / "ref.tsv"
    tsv.write_text("崔平说。\tCui Ping (崔平) said.\n", encoding="utf-8")
    assert read_reference(tsv).targets == ("Cui Ping (崔平) said.",)


def test_the_english_file_of_a_pair_must_be_english(tmp_path):
    zh, en = tmp_path / "ref.zh", tmp_path / "ref.en"
    zh.write_text("你好。\n再见。\n", encoding="utf-8")
    en.write_text("Hello.\n再见。\n", encoding="utf-8")
    with pytest.raises(EvaluateError, match=r"ref.en:2: the English side is Chinese"):
        read_reference(zh, en)


def test_a_reference_too_large_to_score_is_refused_before_scoring(tmp_path, monkeypatch):
    # A million lines took sacrebleu 14 minutes and 23 GB; the bound is lowered here to keep the test small.
    import pipeline.evaluate as evaluate_module

    monkeypatch.setattr(evaluate_module, "MAX_REFERENCE_LINES", 3)
    tsv = tmp_path / "ref.tsv"
    tsv.write_text("你好。\tHello.\n" * 4, encoding="utf-8")
    with pytest.raises(EvaluateError, match="4 lines; at most 3 are scored"):
        read_reference(tsv)
    tsv.write_text("你好。\tHello.\n" * 3, encoding="utf-8")
    assert len(read_reference(tsv)) == 3


def test_names_in_the_table_cannot_move_the_cursor():
    # A signature comes from a catalog or a history line that a hand edit can fill with escapes.
    from pipeline.evaluate import Evaluation, Row

    evaluation = Evaluation(post_edit=True)
    evaluation.post_edit_engines.append(Row("evil\x1b[2J\u202esig", 1, hter=50.0, unchanged=0.0))
    evaluation.post_edit_documents.append(Row("doc\nsecond line", 1, hter=50.0, unchanged=0.0))
    text = format_evaluation(evaluation)
    assert "\x1b" not in text and "\u202e" not in text and "doc\nsecond" not in text
    assert "evil\\x1b[2J" in text


def test_files_of_different_lengths_are_refused(tmp_path):
    zh, en = tmp_path / "ref.zh", tmp_path / "ref.en"
    zh.write_text("你好。\n再见。\n", encoding="utf-8")
    en.write_text("Hello.\n", encoding="utf-8")
    with pytest.raises(EvaluateError, match="has 2 lines but .* has 1"):
        read_reference(zh, en)


# --- the current drafts ------------------------------------------------------------------------


@pytest.fixture
def drafted(workspace) -> Path:
    """The seed extracted and drafted by the fake engine."""
    assert run("extract", "-w", workspace).exit_code == 0
    result = run("translate", "-w", workspace, obj={"engine_factory": lambda s: FakeEngine()})
    assert result.exit_code == 0, result.output
    return workspace


def _entries(ws: Path):
    w = Workspace(ws)
    return list(load_catalog(w.catalog_path(DOC)))


def test_drafts_against_a_reference(drafted, tmp_path):
    drafts = [m for m in _entries(drafted) if m.id and state_of(m) is State.MACHINE_DRAFT][:6]
    assert len(drafts) == 6
    references = [f"Reference {n} for this sentence." for n in range(6)]
    tsv = tmp_path / "ref.tsv"
    lines = [f"{m.id}\t{ref}" for m, ref in zip(drafts, references, strict=True)]
    tsv.write_text("\n".join([*lines, "不在任何目录里的句子。\tNot in any catalog."]) + "\n", encoding="utf-8")
    result = run("evaluate", "-w", drafted, "--reference", tsv, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sentences"] == 7 and data["missing"] == 1
    (row,) = data["drafts"]
    assert row["name"] == str(FakeEngine().signature())
    assert row["segments"] == 6
    assert row["scores"] == pytest.approx(sacrebleu_scores([m.string for m in drafts], references))
    bleu = sacrebleu.BLEU()
    bleu.corpus_score(["a"], [["a"]])
    assert data["signatures"]["BLEU"] == str(bleu.get_signature())
    table = run("evaluate", "-w", drafted, "--reference", tsv).stdout
    assert "BLEU" in table and "nrefs:1|case:mixed" in table and "1 not in the catalogs" in table


# --- engines side by side ---------------------------------------------------------------------


@pytest.fixture
def server():
    with ChatServer(models=["model-a", "model-b"]) as chat:
        yield chat


def _configure(ws: Path, server: ChatServer) -> None:
    (ws / "pipeline.toml").write_text(
        f'[engine.openai]\nurl = "{server.url}"\nretries = 0\ntimeout = 10\n', encoding="utf-8"
    )


def test_engines_side_by_side_on_a_reference(workspace, server, tmp_path):
    _configure(workspace, server)
    sources = ["宁波市加快推进新型工业化。", "今年经济增长5.2%。", "这是第三句话，它的译文里会留下中文。"]
    references = ["Ningbo speeds up new industrialization.", "The economy grew 5.2% this year.", "A third sentence."]
    tsv = tmp_path / "ref.tsv"
    tsv.write_text("".join(f"{z}\t{e}\n" for z, e in zip(sources, references, strict=True)), encoding="utf-8")
    server.per_segment["第三句"] = ("han", None)  # always invalid: left untranslated, scored as empty
    result = run(
        "evaluate",
        "-w",
        workspace,
        "--reference",
        tsv,
        "--engine",
        "openai:model-a",
        "--engine",
        "openai:model-b",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = data["engines"]
    assert [r["name"].split("@")[0] for r in rows] == ["openai:model-a", "openai:model-b"]
    expected = sacrebleu_scores([pseudo_translation(sources[0]), pseudo_translation(sources[1]), ""], references)
    expected_findings: dict[str, int] = {}
    for source in sources[:2]:
        for finding in check_message(Message(source, pseudo_translation(source))):
            expected_findings[finding.code] = expected_findings.get(finding.code, 0) + 1
    for row in rows:
        assert row["segments"] == 3 and row["untranslated"] == 1
        assert row["scores"] == pytest.approx(expected)
        assert row["segments_per_second"] > 0
        # The checks of pipeline.checks ran over the two drafts (the untranslated one has none).
        assert row["findings"] == expected_findings and sum(expected_findings.values()) > 0
        assert row["checks_per_100"] == pytest.approx(100 * sum(row["findings"].values()) / 3)
    models = {r["body"]["model"] for r in server.requests}
    assert models == {"model-a", "model-b"}
    table = run("evaluate", "-w", workspace, "--reference", tsv, "--engine", "openai:model-a").stdout
    assert "seg/s" in table and "checks/100" in table and "untranslated" in table


def test_engines_on_the_documents_without_a_reference(workspace, server):
    _configure(workspace, server)
    assert run("extract", "-w", workspace).exit_code == 0
    result = run("evaluate", "-w", workspace, "--engine", "openai:model-a", "--sample", "5", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sentences"] == 5
    assert data["engines"][0]["scores"] is None
    assert sum(len(json.loads(r["body"]["messages"][-1]["content"])["segments"]) for r in server.requests) == 5


def test_a_remote_endpoint_is_refused_in_one_line(workspace, tmp_path):
    (workspace / "pipeline.toml").write_text('[engine.openai]\nurl = "http://203.0.113.7:8080/v1"\n', encoding="utf-8")
    tsv = tmp_path / "ref.tsv"
    tsv.write_text("你好。\tHello.\n", encoding="utf-8")
    result = run("evaluate", "-w", workspace, "--reference", tsv, "--engine", "openai:m")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == "Error: 1 of 1 engines could not be measured"
    assert "openai:m: failed: pipeline.toml: engine.openai.url: http://203.0.113.7:8080/v1 is not on this machine" in (
        result.stdout
    )


# --- post-editing ----------------------------------------------------------------------------


def _history(ws: Path, doc: str, records: list[dict]) -> None:
    path = Workspace(ws).catalog_path(doc).with_name(f"{doc}.history.jsonl")
    lines = []
    for n, record in enumerate(records):
        base = {
            "v": 1,
            "id": f"{doc}-{n}",
            "time": f"2026-12-04T21:{n:02d}:00Z",
            "doc": doc,
            "msgctxt": None,
            "reason": None,
            "overrides": [],
            "recovered": False,
        }
        lines.append(json.dumps({**base, **record, "phase": "intent"}, ensure_ascii=False))
        lines.append(json.dumps({"v": 1, "id": f"{doc}-{n}", "phase": "commit"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _draft(msgid, text, signature):
    return {
        "msgid": msgid,
        "who": "machine",
        "action": "draft",
        "state_before": "untranslated",
        "state_after": "machine-draft",
        "text_before": "",
        "text_after": text,
        "draft_signature": signature,
    }


def _decision(msgid, draft, final, signature):
    return {
        "msgid": msgid,
        "who": "Ann Li",
        "action": "accept" if draft == final else "edit",
        "state_before": "machine-draft",
        "state_after": "translated",
        "text_before": draft,
        "text_after": final,
        "draft_signature": signature,
    }


def test_post_edit_hter_and_unchanged_share(drafted):
    a, b = "argos:translate-zh_en@1.9;beam=4", "openai:qwen@prompt-1.x;temperature=0"
    pairs = [
        ("一。", "The cat sat on the mat.", "The cat sat on the mat.", a),
        ("二。", "Ningbo issued a new plan last month.", "Last month Ningbo issued a new action plan.", a),
        ("三。", "Growth was 5.2 percent.", "Growth was 5.2%.", b),
        ("四。", "A sentence left as it was.", "A sentence left as it was.", b),
        ("五。", "Another sentence.", "Another sentence, edited.", b),
    ]
    records = []
    for msgid, draft, final, signature in pairs:
        records += [_draft(msgid, draft, signature), _decision(msgid, draft, final, signature)]
    _history(drafted, DOC, records)
    result = run("evaluate", "-w", drafted, "--post-edit", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["post_edit"]
    by_name = {r["name"]: r for r in data["engines"]}
    for signature in (a, b):
        mine = [(d, f) for _, d, f, s in pairs if s == signature]
        row = by_name[signature]
        assert row["segments"] == len(mine)
        assert row["hter"] == pytest.approx(sacrebleu.corpus_ter([d for d, _ in mine], [[f for _, f in mine]]).score)
        assert row["unchanged"] == pytest.approx(100 * sum(d == f for d, f in mine) / len(mine))
    (doc_row,) = data["documents"]
    assert doc_row["name"] == DOC and doc_row["segments"] == 5
    assert doc_row["unchanged"] == pytest.approx(40.0)
    table = run("evaluate", "-w", drafted, "--post-edit").stdout
    assert "HTER" in table and "unchanged %" in table and "TER:" in table


def test_post_edit_without_history_says_so(drafted):
    result = run("evaluate", "-w", drafted, "--post-edit")
    assert result.exit_code == 0
    assert "no machine drafts reviewed yet" in result.stdout


# --- usage ---------------------------------------------------------------------------------


def test_nothing_to_do_is_a_usage_error(workspace):
    result = run("evaluate", "-w", workspace)
    assert result.exit_code == 2
    assert "give --reference FILE, --reviewed-reference, --engine NAME or --post-edit" in result.output


def test_unknown_engine_is_a_usage_error(workspace, tmp_path):
    tsv = tmp_path / "ref.tsv"
    tsv.write_text("你好。\tHello.\n", encoding="utf-8")
    result = run("evaluate", "-w", workspace, "--reference", tsv, "--engine", "nope")
    assert result.exit_code == 2 and "unknown engine 'nope'" in result.output


def test_the_table_for_people_names_every_column():
    from pipeline.evaluate import Evaluation, Row, Scores

    evaluation = Evaluation(reference="ref.tsv", sentences=3)
    evaluation.engines.append(Row("openai:m@prompt-1", 3, Scores(10.0, 20.0, 70.0), 2.0, 33.3, 1))
    text = format_evaluation(evaluation)
    assert text.splitlines()[1].split() == ["engine", "BLEU", "chrF", "TER", "seg/s", "checks/100", "untranslated"]
    assert text.splitlines()[2].split() == ["openai:m@prompt-1", "10.0", "20.0", "70.0", "1.5", "33.3", "1"]


def test_engines_against_the_reviewed_translations(drafted, server):
    from pipeline.catalog import save_catalog
    from pipeline.catalog.states import set_translated

    _configure(drafted, server)
    path = Workspace(drafted).catalog_path(DOC)
    catalog = load_catalog(path)
    reviewed = [m for m in catalog if m.id][:4]
    for n, message in enumerate(reviewed):
        set_translated(message, f"Reviewed English number {n}.")
    save_catalog(path, catalog)
    result = run("evaluate", "-w", drafted, "--reviewed-reference", "--engine", "openai:model-a", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sentences"] == 4 and data["reference"].startswith("the reviewed translations of")
    expected = sacrebleu_scores([pseudo_translation(m.id) for m in reviewed], [m.string for m in reviewed])
    assert data["engines"][0]["scores"] == pytest.approx(expected)
    assert run("evaluate", "-w", drafted, "--reviewed-reference").exit_code == 2


def test_a_ctranslate2_engine_and_an_llm_side_by_side(workspace, server, tmp_path, packages_dir):
    """The real Argos path (a random-weight model: its output is noise) next
    to the openai engine, on one reference."""
    from pipeline.engines import EngineRequest, create_engine
    from pipeline.engines.argos_packages import install
    from pipeline.testing.random_model import build_random_argos_package

    install(build_random_argos_package(tmp_path / "model"))
    _configure(workspace, server)
    sources = ["宁波市加快推进新型工业化。", "今年经济增长5.2%。"]
    references = ["Ningbo speeds up new industrialization.", "The economy grew 5.2% this year."]
    tsv = tmp_path / "ref.tsv"
    tsv.write_text("".join(f"{z}\t{e}\n" for z, e in zip(sources, references, strict=True)), encoding="utf-8")
    result = run(
        "evaluate", "-w", workspace, "--reference", tsv, "--engine", "argos", "--engine", "openai:model-a", "--json"
    )
    assert result.exit_code == 0, result.output
    argos, llm = json.loads(result.stdout)["engines"]
    assert argos["name"].startswith("argos:") and llm["name"].startswith("openai:model-a@")
    noise = [d.text for d in create_engine("argos", EngineRequest()).translate(sources)]
    assert argos["scores"] == pytest.approx(sacrebleu_scores(noise, references))
    assert llm["scores"] == pytest.approx(sacrebleu_scores([pseudo_translation(s) for s in sources], references))


def test_post_edit_end_to_end_through_review(drafted):
    """translate keeps each machine draft in the history; review decisions
    pair it with what the reviewer saved."""
    from pipeline.review.session import ReviewSession

    ws = Workspace(drafted)
    drafts = [
        m
        for m in _entries(drafted)
        if m.id and state_of(m) is State.MACHINE_DRAFT and not any(c.isdigit() for c in m.id)
    ]
    first, second = drafts[0], drafts[1]
    session = ReviewSession(ws, DOC, "Ann Li")
    session.accept(first.id, override="test text")  # unchanged
    session.accept(second.id, text="A reviewer's own English sentence.", override="test text")
    result = run("evaluate", "-w", drafted, "--post-edit", "--json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["post_edit"]["engines"]
    assert row["name"] == str(FakeEngine().signature())
    assert row["segments"] == 2 and row["unchanged"] == pytest.approx(50.0)
    finals = [first.string, "A reviewer's own English sentence."]
    assert row["hter"] == pytest.approx(sacrebleu.corpus_ter([first.string, second.string], [finals]).score)


def test_an_engine_that_fails_gets_its_line_and_the_others_are_measured(workspace, server, tmp_path, packages_dir):
    _configure(workspace, server)
    tsv = tmp_path / "ref.tsv"
    tsv.write_text("宁波市加快推进新型工业化。\tNingbo speeds up new industrialization.\n", encoding="utf-8")
    result = run("evaluate", "-w", workspace, "--reference", tsv, "--engine", "argos", "--engine", "openai:model-a")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == "Error: 1 of 2 engines could not be measured"
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["engine", "BLEU", "chrF", "TER", "seg/s", "checks/100", "untranslated"]
    assert lines[2].startswith("openai:model-a@")
    assert lines[3].startswith("argos: failed: no zh→en translation model is installed")


def test_without_a_reference_there_are_no_score_columns(workspace, server):
    _configure(workspace, server)
    assert run("extract", "-w", workspace).exit_code == 0
    lines = run("evaluate", "-w", workspace, "--engine", "openai:model-a", "--sample", "3").stdout.splitlines()
    assert lines[0] == "Engines on the same 3 segments (no reference)"
    assert lines[1].split() == ["engine", "seg/s", "checks/100", "untranslated"]


def test_a_fifo_reference_is_refused_without_blocking(tmp_path):
    import os

    fifo = tmp_path / "ref.tsv"
    os.mkfifo(fifo)
    with pytest.raises(EvaluateError, match="not a regular file"):
        read_reference(fifo)


def test_lines_are_split_at_line_feeds_only(tmp_path):
    zh, en = tmp_path / "ref.zh", tmp_path / "ref.en"
    zh.write_bytes("你好。\r\n再见。\r\n".encode())
    en.write_bytes("Hello\u2028there.\r\nGoodbye.\r\n".encode())
    assert read_reference(zh, en).targets == ("Hello\u2028there.", "Goodbye.")
