"""``pipeline models install`` killed with SIGKILL at every step leaves
exactly one working zh→en model installed: the old one or the new one.

The install runs in a child process with an audit hook (:func:`sys.addaudithook`)
that counts the steps that change the file system (``os.rename``, the
rename-exchange, ``os.mkdir``, file creation, removals, starting the
validating child) and kills the process with SIGKILL just before step N.
A first, uninterrupted run counts the steps; then N runs over all of them.
After each kill the packages directory is checked as the translation
engine would see it, before any command could repair anything: argostranslate
must find exactly one zh→en package, and it must load and translate.
Each run installs the version that is not installed, so every run swaps.

The same is done with rename-exchange switched off (the portable fallback):
there a kill between its two renames may leave no model for a moment, so
the check is made after the next command (``models list``), which must
put the old package back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.engines.argos_packages import STAGING_PREFIX, install, validate_package
from pipeline.testing.random_model import build_random_argos_package

NAME = "translate-zh_en-0_1"

CHILD = r"""
import os, signal, sys
kill_at = int(sys.argv[2])
steps = 0
WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT
EVENTS = {
    "os.rename", "os.remove", "os.rmdir", "os.mkdir", "shutil.rmtree", "subprocess.Popen",
    "pipeline.engines.argos_packages.exchange",
}

def hook(event, args):
    global steps
    if event in EVENTS or (event == "open" and isinstance(args[2], int) and args[2] & WRITES):
        steps += 1
        if steps == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

from pathlib import Path
import pipeline.engines.argos_packages as models
if sys.argv[3] == "fallback":
    models._exchange = lambda a, b: False
sys.addaudithook(hook)
models.install(Path(sys.argv[1]))
sys.addaudithook(lambda *a: None)
print("steps", steps)
"""


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> dict[str, Path]:
    """Two versions of one package: the same name (a reinstall), and a new
    name (an upgrade as Argos names them)."""
    root = tmp_path_factory.mktemp("versions")
    return {
        "0.1": build_random_argos_package(root / "a"),
        "0.2": build_random_argos_package(root / "b", package_version="0.2", seed=7, name=NAME),
        "0.3": build_random_argos_package(root / "c", package_version="0.3", seed=8),
    }


def _run(archive: Path, kill_at: int, mode: str, env: dict) -> subprocess.CompletedProcess:
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(archive), str(kill_at), mode],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=120)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the validating child, if the install died before it
        except ProcessLookupError:
            pass
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _zh_en(packages: Path) -> list:
    """What the engine finds: argostranslate's discovery, before any repair."""
    from argostranslate.package import get_installed_packages

    return [p for p in get_installed_packages([packages]) if (p.from_code, p.to_code) == ("zh", "en")]


@pytest.mark.parametrize("mode", ["exchange", "fallback"])
def test_a_kill_at_any_step_leaves_one_working_model(mode, versions, packages_dir, tmp_path):
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(packages_dir)}
    install(versions["0.1"])
    order = ["0.2", "0.3", "0.1"]  # same name, new name, back to the first name: every run swaps
    completed = _run(versions["0.2"], 0, mode, env)
    assert completed.returncode == 0, completed.stderr
    total = int(completed.stdout.split()[-1])
    assert total > 10
    kills, trial = 0, 0
    for kill_at in range(1, total + 1):
        installed = {p.package_version for p in _zh_en(packages_dir)}
        wanted = order[trial % 3] if installed != {order[trial % 3]} else order[(trial + 1) % 3]
        trial += 1
        result = _run(versions[wanted], kill_at, mode, env)
        if result.returncode == -signal.SIGKILL:
            kills += 1
        else:
            assert result.returncode == 0, result.stderr
        found = _zh_en(packages_dir)
        if mode == "fallback" and not found:
            # Only the instant between the fallback's two renames; the next command puts it back.
            assert list((packages_dir.parent).glob(f"{STAGING_PREFIX}*/previous/*")), (
                f"no model and nothing to restore (step {kill_at})"
            )
            from pipeline.engines.argos_packages import list_models

            list_models()
            found = _zh_en(packages_dir)
        assert len(found) == 1, (
            f"step {kill_at}/{total}: {len(found)} zh→en packages: {sorted(os.listdir(packages_dir))}"
        )
        assert found[0].package_version in ("0.1", "0.2", "0.3")
        validate_package(found[0].package_path)  # it loads, tokenizes and translates
    assert kills >= total - 1
    # A last, uninterrupted install clears what the kills left.
    assert _run(versions["0.3"], 0, mode, env).returncode == 0
    assert [p.package_version for p in _zh_en(packages_dir)] == ["0.3"]
    assert sorted(os.listdir(packages_dir)) == ["translate-zh_en-0_3"]
    assert not list(packages_dir.parent.glob(STAGING_PREFIX + "*"))
