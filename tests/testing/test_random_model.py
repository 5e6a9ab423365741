"""The random-weight test model says what it is, and is reproducible."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest

from pipeline.testing.random_model import TINY, ModelShape, build_random_argos_package


def _members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_package_is_marked_as_random_weights(tmp_path):
    members = _members(build_random_argos_package(tmp_path))
    top = "translate-zh_en-0_1/"
    assert json.loads(members[top + "metadata.json"])["random_weights"] is True
    readme = members[top + "README.md"].decode("utf-8")
    assert "RANDOM-WEIGHT TEST MODEL -- OUTPUT IS MEANINGLESS" in readme
    assert "Do not use it to translate anything." in readme
    assert {top + "sentencepiece.model", top + "model/model.bin"} <= set(members)


def test_same_arguments_give_the_same_archive(tmp_path):
    a = build_random_argos_package(tmp_path / "a", seed=5)
    b = build_random_argos_package(tmp_path / "b", seed=5)
    c = build_random_argos_package(tmp_path / "c", seed=6)
    assert a.read_bytes() == b.read_bytes()
    assert _members(a)["translate-zh_en-0_1/model/model.bin"] != _members(c)["translate-zh_en-0_1/model/model.bin"]


@pytest.mark.parametrize("bad", [{"heads": 3}, {"layers": 0}, {"vocab_size": 2}])
def test_impossible_shapes_are_refused(bad):
    fields = {"layers": TINY.layers, "d_model": TINY.d_model, "heads": TINY.heads, "ffn": TINY.ffn, **bad}
    with pytest.raises(ValueError):
        ModelShape(**fields)


def test_command_line_builds_a_package(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.testing.random_model", str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "translate-zh_en-0_1.argosmodel")
    assert (tmp_path / "translate-zh_en-0_1.argosmodel").is_file()
