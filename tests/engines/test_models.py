"""pipeline models: offline install, listing, and refusing bad packages."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.errors import ModelError
from pipeline.models import install, list_models



def truncated_copy(model: Path, dest: Path) -> Path:
    data = model.read_bytes()
    dest.write_bytes(data[: len(data) // 2])
    return dest


def corrupted_copy(model: Path, dest: Path) -> Path:
    """Same size, but a byte of the model weights flipped (bad CRC)."""
    with zipfile.ZipFile(model) as archive:
        info = next(i for i in archive.infolist() if i.filename.endswith("model.bin"))
    data = bytearray(model.read_bytes())
    offset = info.header_offset + 30 + len(info.filename) + len(info.extra) + 100
    data[offset] ^= 0xFF
    dest.write_bytes(bytes(data))
    return dest


def _tree(directory):
    return sorted((p.relative_to(directory).as_posix(), p.stat().st_size) for p in directory.rglob("*"))


def test_install_and_list(tiny_model, packages_dir):
    result = CliRunner().invoke(main, ["models", "install", str(tiny_model)])
    assert result.exit_code == 0, result.output
    models = list_models()
    assert [(m.from_code, m.to_code, m.version) for m in models] == [("zh", "en", "0.1")]
    listed = CliRunner().invoke(main, ["models", "list"])
    assert "translate-zh_en-0_1" in listed.output and "zh→en" in listed.output


def test_reinstall_replaces_in_one_step(tiny_model, packages_dir):
    install(tiny_model)
    install(tiny_model)
    assert len(list_models()) == 1
    assert [p.name for p in packages_dir.iterdir()] == ["translate-zh_en-0_1"]


@pytest.mark.parametrize("damage", ["truncated", "corrupted", "not-a-zip", "wrong-pair"])
def test_bad_packages_are_refused_and_installed_models_stay_intact(damage, tiny_model, wrong_pair_model, packages_dir, tmp_path):
    install(tiny_model)
    before = _tree(packages_dir)
    bad = {
        "truncated": lambda: truncated_copy(tiny_model, tmp_path / "t.argosmodel"),
        "corrupted": lambda: corrupted_copy(tiny_model, tmp_path / "c.argosmodel"),
        "not-a-zip": lambda: (tmp_path / "x.argosmodel").write_text("hello") and tmp_path / "x.argosmodel",
        "wrong-pair": lambda: wrong_pair_model,
    }[damage]()
    with pytest.raises(ModelError) as excinfo:
        install(bad)
    assert "\n" not in str(excinfo.value)
    if damage == "wrong-pair":
        assert "de→en" in str(excinfo.value)
    assert _tree(packages_dir) == before
    assert not [p for p in packages_dir.parent.iterdir() if p.name.startswith(".pipeline-install-")]

    result = CliRunner().invoke(main, ["models", "install", str(bad)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_from_index_offline_is_a_clear_error(packages_dir, no_network):
    result = CliRunner().invoke(main, ["models", "install", "--from-index"])
    assert result.exit_code == 1
    assert "pipeline models install FILE.argosmodel" in result.output
    assert "Traceback" not in result.output
    assert no_network  # it did try, and was refused


def test_install_needs_file_or_index():
    result = CliRunner().invoke(main, ["models", "install"])
    assert result.exit_code == 2


def test_argos_packages_dir_is_respected(tiny_model, tmp_path):
    """In a fresh process, ARGOS_PACKAGES_DIR decides where models live."""
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(tmp_path / "pk"), "HOME": str(tmp_path)}
    run = lambda *args: subprocess.run(
        [sys.executable, "-m", "pipeline", "models", *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert run("install", str(tiny_model)).returncode == 0
    listed = run("list")
    assert listed.returncode == 0 and str(tmp_path / "pk") in listed.stdout
