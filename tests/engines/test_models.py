"""pipeline models: offline install, listing, and refusing bad packages."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.engines import argos_packages as models
from pipeline.engines.argos_packages import install, list_models
from pipeline.errors import ModelError
from pipeline.testing.random_model import DEFAULT_TRAINING_TEXT, build_random_argos_package


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
def test_bad_packages_are_refused_and_installed_models_stay_intact(
    damage, tiny_model, wrong_pair_model, packages_dir, tmp_path
):
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

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "pipeline", "models", *args], env=env, capture_output=True, text=True, timeout=120
        )

    assert run("install", str(tiny_model)).returncode == 0
    listed = run("list")
    assert listed.returncode == 0 and str(tmp_path / "pk") in listed.stdout


# --- Packages that are valid zips but not working models ----------------------------------


def rezip(model: Path, dest: Path, replace: dict[str, bytes | None] | None = None, extra=()) -> Path:
    """A copy of the archive ``model`` with the members ending in a key of
    ``replace`` given new content (None: left out), and ``extra`` members
    ``(ZipInfo or name, data)`` appended."""
    replace = replace or {}
    with zipfile.ZipFile(model) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            key = next((k for k in replace if info.filename.endswith(k)), None)
            if key is None:
                out.writestr(info, src.read(info))
            elif replace[key] is not None:
                out.writestr(info, replace[key])
        for info, data in extra:
            out.writestr(info, data)
    return dest


def _member(model: Path, suffix: str) -> bytes:
    with zipfile.ZipFile(model) as archive:
        return archive.read(next(n for n in archive.namelist() if n.endswith(suffix)))


GARBAGE = {
    # model.bin that CTranslate2 cannot read (random bytes, the zip is valid)
    "model-bin-garbage": lambda m: {"model/model.bin": bytes(range(256)) * 64},
    "model-bin-truncated": lambda m: {"model/model.bin": _member(m, "model/model.bin")[:5000]},
    "model-bin-empty": lambda m: {"model/model.bin": b""},
    "config-garbage": lambda m: {"model/config.json": b"{not json"},
    "tokenizer-garbage": lambda m: {"sentencepiece.model": b"\x00" * 100 + b"not a sentencepiece model"},
    "tokenizer-empty": lambda m: {"sentencepiece.model": b""},
    "vocabulary-missing": lambda m: {"model/shared_vocabulary.json": None},
}


@pytest.mark.parametrize("damage", sorted(GARBAGE))
def test_a_package_that_does_not_load_is_refused_and_the_installed_model_stays(
    damage, tiny_model, packages_dir, tmp_path
):
    install(tiny_model)
    before = _tree(packages_dir)
    bad = rezip(tiny_model, tmp_path / "bad.argosmodel", GARBAGE[damage](tiny_model))
    result = CliRunner().invoke(main, ["models", "install", str(bad)])
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert str(bad) in result.output
    assert _tree(packages_dir) == before
    assert not [p for p in packages_dir.parent.iterdir() if p.name.startswith(models.STAGING_PREFIX)]


@pytest.fixture(scope="session")
def english_tokenizer_model(tmp_path_factory) -> Path:
    """Metadata says zh→en, but the tokenizer (and the model's vocabulary)
    were built from English text only: Chinese becomes byte fallback."""
    english = [line for line in DEFAULT_TRAINING_TEXT if line.isascii()]
    return build_random_argos_package(tmp_path_factory.mktemp("model-en-tok"), training_text=english)


def test_a_tokenizer_that_does_not_know_chinese_is_refused(english_tokenizer_model, tiny_model, packages_dir):
    install(tiny_model)
    with pytest.raises(ModelError, match="does not know Chinese"):
        install(english_tokenizer_model)
    assert [m.version for m in list_models()] == ["0.1"]


def test_a_tokenizer_from_another_model_is_refused(english_tokenizer_model, tiny_model, packages_dir, tmp_path):
    """The tokenizer knows Chinese, but its pieces are not the model's vocabulary."""
    mixed = rezip(
        english_tokenizer_model,
        tmp_path / "mixed.argosmodel",
        {"sentencepiece.model": _member(tiny_model, "sentencepiece.model")},
    )
    with pytest.raises(ModelError, match="does not match the model's vocabulary"):
        install(mixed)
    assert list_models() == []


# --- Hostile archives ------------------------------------------------------------------------


def _info(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


TOP = "translate-zh_en-0_1"
HOSTILE = {
    "absolute-path": ([("/tmp/evil-pipeline-model", b"x")], "unsafe path"),
    "dot-dot": ([(f"{TOP}/../../evil", b"x")], "unsafe path"),
    "backslash": ([(f"{TOP}\\..\\evil", b"x")], "unsafe path"),
    "drive-letter": ([("C:/evil", b"x")], "unsafe path"),
    "duplicate-member": ([(f"{TOP}/metadata.json", b"{}")], "twice"),
    "symlink": ([(_info(f"{TOP}/link", stat.S_IFLNK | 0o777), b"/etc/passwd")], "symbolic link"),
    "char-device": ([(_info(f"{TOP}/dev", stat.S_IFCHR | 0o666), b"")], "special file"),
    "fifo": ([(_info(f"{TOP}/fifo", stat.S_IFIFO | 0o666), b"")], "special file"),
    "control-char-name": ([(f"{TOP}/a\x1b[2Jb", b"x")], "control character"),
    "second-top": ([("other/file", b"x")], "one top-level directory"),
}


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("attack", sorted(HOSTILE))
def test_hostile_archives_are_refused_before_anything_is_written(attack, tiny_model, packages_dir, tmp_path):
    extra, expected = HOSTILE[attack]
    bad = rezip(tiny_model, tmp_path / "bad.argosmodel", extra=extra)
    install(tiny_model)
    before = _tree(packages_dir)
    with pytest.raises(ModelError, match=expected) as excinfo:
        install(bad)
    assert "\n" not in str(excinfo.value) and "\x1b" not in str(excinfo.value)
    assert _tree(packages_dir) == before
    assert not Path("/tmp/evil-pipeline-model").exists()
    assert not [p for p in packages_dir.parent.iterdir() if p.name.startswith(models.STAGING_PREFIX)]


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tiny_model, packages_dir, tmp_path):
    bomb = rezip(tiny_model, tmp_path / "bomb.argosmodel", extra=[(f"{TOP}/zeros", bytes(64 << 20))])
    assert bomb.stat().st_size < 2 << 20
    with pytest.raises(ModelError, match="zip bomb"):
        install(bomb)
    assert list_models() == []


def test_an_archive_over_the_size_limit_is_refused(tiny_model, packages_dir, tmp_path, monkeypatch):
    """Many members, each harmless, that add up to more than the limit."""
    monkeypatch.setattr(models, "LIMITS", models.ArchiveLimits(unpacked_bytes=4 << 20))
    big = rezip(
        tiny_model, tmp_path / "big.argosmodel", extra=[(f"{TOP}/pad{i}", os.urandom(1 << 20)) for i in range(4)]
    )
    with pytest.raises(ModelError, match="more than 4194304 bytes"):
        install(big)
    assert list_models() == []


def test_too_many_members_are_refused(tiny_model, packages_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(models, "LIMITS", models.ArchiveLimits(members=20))
    many = rezip(tiny_model, tmp_path / "many.argosmodel", extra=[(f"{TOP}/f{i}", b"") for i in range(20)])
    with pytest.raises(ModelError, match="at most 20"):
        install(many)


def test_a_member_larger_than_its_header_says_is_refused(tiny_model, packages_dir, tmp_path):
    """The headers of README.md claim 10 bytes; its data inflates to more."""
    path = rezip(tiny_model, tmp_path / "lying.argosmodel")
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(f"{TOP}/README.md")
    # CRC, compressed size, size: the same 12 bytes in the local header and the central directory.
    fields = info.CRC.to_bytes(4, "little") + info.compress_size.to_bytes(4, "little")
    data = path.read_bytes()
    patched = data.replace(fields + info.file_size.to_bytes(4, "little"), fields + (10).to_bytes(4, "little"))
    assert data.count(fields) == 2 and patched != data
    path.write_bytes(patched)
    with pytest.raises(ModelError, match="corrupt archive"):
        install(path)
    assert list_models() == []


def test_a_deeply_nested_metadata_json_is_one_line(tiny_model, packages_dir, tmp_path):
    nested = rezip(tiny_model, tmp_path / "nested.argosmodel", {"metadata.json": b"[" * 100_000 + b"]" * 100_000})
    result = CliRunner().invoke(main, ["models", "install", str(nested)])
    assert result.exit_code == 1 and "Traceback" not in result.output and result.output.count("\n") == 1
    assert "nested too deeply" in result.output


def test_an_installed_package_with_nested_metadata_is_one_line(packages_dir):
    (packages_dir / "broken").mkdir()
    (packages_dir / "broken" / "metadata.json").write_text("[" * 100_000 + "]" * 100_000)
    result = CliRunner().invoke(main, ["models", "list"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "damaged" in result.output


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"source_languages": "zh"}, "must be a list"),
        ({"package_version": 1.9}, "must be a string"),
        ({"package_version": "1.9\n#, fuzzy"}, "control character"),
        ({"code": "translate\u202ezh_en"}, "bidirectional"),
        ({"from_code": "de"}, "de→en"),
    ],
)
def test_metadata_of_the_wrong_shape_is_refused(change, expected, tiny_model, packages_dir, tmp_path):
    import json

    metadata = json.loads(_member(tiny_model, "metadata.json"))
    metadata.update(change)
    bad = rezip(tiny_model, tmp_path / "meta.argosmodel", {"metadata.json": json.dumps(metadata).encode()})
    with pytest.raises(ModelError, match=expected):
        install(bad)
    assert list_models() == []


# --- The swap ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def tiny_model_v2(tmp_path_factory) -> Path:
    return build_random_argos_package(tmp_path_factory.mktemp("model-v2"), package_version="0.2", seed=99)


def test_a_new_version_replaces_the_old_one_and_discovery_finds_one(tiny_model, tiny_model_v2, packages_dir):
    install(tiny_model)
    install(tiny_model_v2)
    assert [(m.name, m.version) for m in list_models()] == [("translate-zh_en-0_2", "0.2")]
    assert sorted(p.name for p in packages_dir.iterdir()) == ["translate-zh_en-0_2"]
    install(tiny_model)  # a downgrade is honoured too: the installed package is the one used
    assert [(m.name, m.version) for m in list_models()] == [("translate-zh_en-0_1", "0.1")]
    from pipeline.engines.argos_packages import find_package

    assert find_package().package_version == "0.1"


def test_other_language_packages_are_left_alone(tiny_model, wrong_pair_model, packages_dir, tmp_path):
    import shutil

    with zipfile.ZipFile(wrong_pair_model) as archive:
        archive.extractall(tmp_path / "de")
    shutil.move(str(next((tmp_path / "de").iterdir())), packages_dir)
    install(tiny_model)
    assert sorted((m.from_code, m.to_code) for m in list_models()) == [("de", "en"), ("zh", "en")]


def test_without_rename_exchange_the_fallback_installs(tiny_model, tiny_model_v2, packages_dir, monkeypatch):
    monkeypatch.setattr(models, "_exchange", lambda a, b: False)
    install(tiny_model)
    install(tiny_model_v2)
    assert [m.version for m in list_models()] == ["0.2"]


def test_a_fallback_swap_killed_half_way_is_undone_by_the_next_command(tiny_model, packages_dir):
    """The state a kill between the fallback's two renames leaves: the old
    package moved aside into staging, nothing installed."""
    install(tiny_model)
    [installed] = packages_dir.iterdir()
    staging = packages_dir.parent / (models.STAGING_PREFIX + "killed")
    (staging / models._PREVIOUS).mkdir(parents=True)
    installed.rename(staging / models._PREVIOUS / installed.name)
    assert [m.version for m in list_models()] == ["0.1"]
    assert not staging.exists()


def test_leftovers_of_a_killed_install_are_removed_by_the_next(tiny_model, packages_dir):
    stale = packages_dir.parent / (models.STAGING_PREFIX + "stale") / TOP
    stale.mkdir(parents=True)
    (stale / "model.bin").write_bytes(b"x" * 1000)
    install(tiny_model)
    assert not stale.parent.exists()


def test_a_second_install_at_the_same_time_is_refused(tiny_model, packages_dir):
    import fcntl

    with open(packages_dir.parent / models.LOCK_NAME, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(ModelError, match="another 'pipeline models install' is running"):
            install(tiny_model)
    install(tiny_model)


def test_a_symlinked_lock_file_is_not_followed(tiny_model, packages_dir, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (packages_dir.parent / models.LOCK_NAME).symlink_to(victim)
    with pytest.raises(ModelError, match="cannot open"):
        install(tiny_model)
    assert victim.read_text() == "precious"


def test_models_list_escapes_what_a_package_says(packages_dir, tiny_model, tmp_path):
    """A package installed by another tool, whose version holds a terminal escape."""
    import json

    install(tiny_model)
    [installed] = packages_dir.iterdir()
    metadata = json.loads((installed / "metadata.json").read_text())
    metadata["package_version"] = "0.1\x1b[2J"
    (installed / "metadata.json").write_text(json.dumps(metadata))
    result = CliRunner().invoke(main, ["models", "list"])
    assert result.exit_code == 0 and "\x1b" not in result.output and "\\x1b[2J" in result.output


def test_code_inside_a_package_is_never_run_by_the_validation(tiny_model, packages_dir, tmp_path):
    """The validating child runs in the package directory, isolated (-I):
    a ctranslate2.py or sitecustomize.py shipped in the archive is data."""
    canary = tmp_path / "canary"
    payload = f"open({str(canary)!r}, 'w').write('ran')\n".encode()
    planted = rezip(
        tiny_model,
        tmp_path / "code.argosmodel",
        extra=[
            (f"{TOP}/{name}", payload)
            for name in ("ctranslate2.py", "sitecustomize.py", "argostranslate.py", "pipeline.py")
        ],
    )
    install(planted)
    assert not canary.exists()


def test_not_enough_disk_space_is_refused_before_unpacking(tiny_model, packages_dir, monkeypatch):
    import shutil

    real = shutil.disk_usage
    monkeypatch.setattr(models.shutil, "disk_usage", lambda p: real(p)._replace(free=1 << 20))
    with pytest.raises(ModelError, match="free beside the packages directory"):
        install(tiny_model)
    assert list_models() == []


def test_a_planted_staging_link_is_never_restored_from(tiny_model, packages_dir, tmp_path):
    """A '.pipeline-install-*' that is a link (or another user's directory)
    in a shared parent directory is not ours to move a model out of."""
    planted = tmp_path / "planted"
    with zipfile.ZipFile(tiny_model) as archive:
        archive.extractall(planted / models._PREVIOUS)
    (packages_dir.parent / (models.STAGING_PREFIX + "planted")).symlink_to(planted)
    assert list_models() == []
    assert (planted / models._PREVIOUS / TOP / "metadata.json").exists()


def test_a_failed_fallback_swap_puts_the_installed_package_back(tiny_model, tiny_model_v2, packages_dir, monkeypatch):
    install(tiny_model)
    monkeypatch.setattr(models, "_exchange", lambda a, b: False)
    real_rename = os.rename

    def rename(src, dst):
        if Path(src).parent.name.startswith(models.STAGING_PREFIX) and Path(dst).parent == packages_dir:
            raise OSError(28, "No space left on device")
        return real_rename(src, dst)

    monkeypatch.setattr(models.os, "rename", rename)
    with pytest.raises(ModelError, match="cannot move the package"):
        install(tiny_model_v2)
    assert [m.version for m in list_models()] == ["0.1"]
