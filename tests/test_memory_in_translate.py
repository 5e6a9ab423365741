"""The translation memory answers before the engine; ``pipeline tm``;
``<doc>.tmx`` in builds; ``pipeline check`` on the command line."""

from __future__ import annotations

import io
import json

from click.testing import CliRunner

from pipeline.catalog import State, load_catalog, save_catalog, state_of
from pipeline.catalog.states import memory_stamp, set_reviewed
from pipeline.cli import main
from pipeline.tm import read_tmx, suggestions_of
from pipeline.workspace import Workspace
from tests.support.fake_engine import FakeEngine


def _invoke(*args, engine=None, code=0):
    obj = {"engine_factory": lambda s: engine or FakeEngine()}
    result = CliRunner().invoke(main, [str(a) for a in args], obj=obj)
    assert result.exit_code == code, result.output
    return result


def _reviewed_seed(workspace):
    """Extract the seed and review every entry with a recognisable translation."""
    _invoke("extract", "-w", workspace)
    ws = Workspace(workspace)
    doc = ws.documents()[0]
    catalog = load_catalog(ws.catalog_path(doc))
    for i, message in enumerate(m for m in catalog if m.id):
        set_reviewed(message, f"Reviewed sentence {i}.")
    save_catalog(ws.catalog_path(doc), catalog)
    return ws, doc, catalog


def test_exact_matches_come_from_memory_and_skip_the_engine(workspace):
    ws, doc, reviewed = _reviewed_seed(workspace)
    source = (workspace / "seeds" / f"{doc}.txt").read_text(encoding="utf-8")
    # A second document: the seed's first three paragraphs, one sentence changed a little,
    # one with a different number.
    second = "\n\n".join(
        [
            "工业对宁波有特殊意义。",
            "崔平很忙啊。",  # one character added: a fuzzy match
            "《行动纲要》提出到2028年要实现“三个新突破”，其中一个突破就是国家实验室、全国重点实验室、国家重大科技基础设施的突破。",
            "这是一句全新的话。",
        ]
    )
    (workspace / "seeds" / "second.txt").write_text(second, encoding="utf-8")
    assert "2027年" in source
    _invoke("extract", "-w", workspace)
    engine = FakeEngine()
    result = _invoke("translate", "second", "-w", workspace, engine=engine)
    assert "translation memory filled 1 entries" in result.output

    catalog = load_catalog(ws.catalog_path("second"))
    exact = catalog["工业对宁波有特殊意义。"]
    assert exact.string == reviewed["工业对宁波有特殊意义。"].string
    assert state_of(exact) is State.MACHINE_DRAFT and memory_stamp(exact).startswith(f"{doc};similarity=100")
    sent = [text for call in engine.calls for text in call]
    assert "工业对宁波有特殊意义。" not in sent and "这是一句全新的话。" in sent

    fuzzy = catalog["崔平很忙啊。"]
    assert fuzzy.string == FakeEngine.render("崔平很忙啊。")  # the engine's draft is the translation
    [suggestion] = suggestions_of(fuzzy)
    assert suggestion.text == reviewed["崔平很忙。"].string and 75 <= suggestion.percent < 100

    numbers = catalog[
        "《行动纲要》提出到2028年要实现“三个新突破”，其中一个突破就是国家实验室、全国重点实验室、国家重大科技基础设施的突破。"
    ]
    assert numbers.string == FakeEngine.render(numbers.id)  # never reused silently
    assert all(s.numbers_differ or s.percent < 100 for s in suggestions_of(numbers))


def test_accept_exact_marks_them_reviewed_and_no_tm_turns_it_off(workspace, tmp_path):
    ws, doc, reviewed = _reviewed_seed(workspace)
    (workspace / "seeds" / "second.txt").write_text("工业对宁波有特殊意义。\n\n崔平很忙。\n", encoding="utf-8")
    _invoke("extract", "-w", workspace)
    untouched = tmp_path / "copy"
    import shutil

    shutil.copytree(workspace, untouched)
    engine = FakeEngine()
    _invoke("translate", "second", "-w", workspace, "--accept-exact", engine=engine)
    catalog = load_catalog(ws.catalog_path("second"))
    assert {state_of(m) for m in catalog if m.id} == {State.REVIEWED}
    assert engine.calls == []  # the model was never needed

    _invoke("translate", "second", "-w", untouched, "--no-tm")
    other = load_catalog(Workspace(untouched).catalog_path("second"))
    assert all(memory_stamp(m) is None for m in other if m.id)


def test_tm_export_import_round_trip_and_build_tmx(workspace, tmp_path):
    ws, doc, reviewed = _reviewed_seed(workspace)
    exported = tmp_path / "seed.tmx"
    _invoke("tm", "export", "-w", workspace, "-o", exported)
    units = read_tmx(io.BytesIO(exported.read_bytes())).units
    assert {(u.source, u.target) for u in units} == {(m.id, m.string) for m in reviewed if m.id}

    other = tmp_path / "other"
    (other / "seeds").mkdir(parents=True)
    (other / "seeds" / "news.txt").write_text("工业对宁波有特殊意义。\n", encoding="utf-8")
    _invoke("tm", "import", exported, "-w", other)
    _invoke("extract", "-w", other)
    _invoke("translate", "-w", other, "--accept-exact")
    news = load_catalog(Workspace(other).catalog_path("news"))
    assert news["工业对宁波有特殊意义。"].string == reviewed["工业对宁波有特殊意义。"].string

    _invoke("build", "-w", workspace)
    built = read_tmx(io.BytesIO((workspace / "build" / f"{doc}.tmx").read_bytes())).units
    assert len(built) == len(units)


def test_check_command_table_json_and_strict(workspace):
    ws, doc, reviewed = _reviewed_seed(workspace)
    catalog = load_catalog(ws.catalog_path(doc))
    catalog["崔平很忙。"].string = "Cui Ping 很忙."
    save_catalog(ws.catalog_path(doc), catalog)
    result = _invoke("check", "-w", workspace)
    assert "han-in-target" in result.output
    data = json.loads(_invoke("check", "-w", workspace, "--json").stdout)
    assert any(f["code"] == "han-in-target" and f["msgid"] == "崔平很忙。" for f in data)
    strict = _invoke("check", "-w", workspace, "--strict", code=1)
    assert "Traceback" not in strict.output


def _no_model(settings):
    from pipeline.engines.argos_packages import no_model_message
    from pipeline.errors import NoModelError

    raise NoModelError(no_model_message())


def _second_document(workspace):
    """A reviewed seed, and a second document: two sentences the memory has,
    one it has not."""
    ws, doc, reviewed = _reviewed_seed(workspace)
    (workspace / "seeds" / "second.txt").write_text(
        "工业对宁波有特殊意义。\n\n崔平很忙。\n\n这是一句全新的话。\n", encoding="utf-8"
    )
    return ws, reviewed


def test_without_a_model_the_memory_fills_are_saved_and_translate_exits_0(workspace):
    ws, reviewed = _second_document(workspace)
    _invoke("extract", "-w", workspace)
    result = CliRunner().invoke(main, ["translate", "second", "-w", str(workspace)], obj={"engine_factory": _no_model})
    assert result.exit_code == 0, result.output
    assert (
        "filled 2 entries from the translation memory; 1 entries need a model: no zh→en translation model is installed"
    ) in result.output
    assert "'pipeline models install FILE.argosmodel'" in result.output
    catalog = load_catalog(ws.catalog_path("second"))  # on disk
    for text in ("工业对宁波有特殊意义。", "崔平很忙。"):
        assert catalog[text].string == reviewed[text].string
        assert memory_stamp(catalog[text]).startswith(f"{ws.documents()[0]};similarity=100")
    assert state_of(catalog["这是一句全新的话。"]) is State.UNTRANSLATED


def test_require_model_exits_1_and_still_saves_the_memory_fills(workspace):
    ws, reviewed = _second_document(workspace)
    _invoke("extract", "-w", workspace)
    result = CliRunner().invoke(
        main, ["translate", "second", "-w", str(workspace), "--require-model"], obj={"engine_factory": _no_model}
    )
    assert result.exit_code == 1
    assert "filled 2 entries from the translation memory; 1 entries need a model" in result.output
    assert (
        "Error: 1 entries left untranslated (--require-model); the 2 entries filled from the translation "
        "memory are saved" in result.output
    )
    assert "Traceback" not in result.output
    catalog = load_catalog(ws.catalog_path("second"))
    assert catalog["工业对宁波有特殊意义。"].string == reviewed["工业对宁波有特殊意义。"].string
    # Nothing left for a model: --require-model is satisfied without one.
    result = CliRunner().invoke(
        main,
        ["translate", "second", "-w", str(workspace), "--require-model", "--no-tm"],
        obj={"engine_factory": lambda s: FakeEngine()},
    )
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(
        main, ["translate", "second", "-w", str(workspace), "--require-model"], obj={"engine_factory": _no_model}
    )
    assert result.exit_code == 0, result.output


def test_run_without_a_model_extracts_fills_from_memory_and_builds(workspace):
    ws, reviewed = _second_document(workspace)
    for jobs in ("1", "2"):
        result = CliRunner().invoke(
            main, ["run", "-w", str(workspace), "--jobs", jobs], obj={"engine_factory": _no_model}
        )
        assert result.exit_code == 0, result.output
        assert "1 entries need a model: no zh→en translation model is installed" in result.output
        edition = (workspace / "build" / "second.en.txt").read_text(encoding="utf-8")
        assert reviewed["工业对宁波有特殊意义。"].string in edition and "这是一句全新的话。" in edition
    catalog = load_catalog(ws.catalog_path("second"))
    assert catalog["崔平很忙。"].string == reviewed["崔平很忙。"].string
