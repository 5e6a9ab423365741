"""Shared fixtures.

* ``seed_path`` / ``seed_text``: the repository's real seed document.
* ``workspace``: a temporary workspace whose ``seeds/`` holds a copy of it.
* ``msgfmt_check``: ``msgfmt_check(path)`` runs GNU ``msgfmt -c`` and fails
  the test (never skips it) when msgfmt is missing or rejects the file;
  ``path`` may also be the bytes of a catalog, given on stdin.
* ``golden``: ``golden(path, actual)`` compares text with a golden file and
  shows a unified diff; ``UPDATE_GOLDEN=1 pytest ...`` rewrites the files.
* an autouse fixture that keeps every test (and argostranslate, which
  creates directories when it is imported) out of the real home directory.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED_NAME = "000_a24ceba1f548592f"

_ENV_DIRS = {
    "HOME": "home",
    "XDG_DATA_HOME": "data",
    "XDG_CONFIG_HOME": "config",
    "XDG_CACHE_HOME": "cache",
    "ARGOS_PACKAGES_DIR": "argos-packages",
}

# argostranslate reads these variables and creates its directories when it
# is first imported, which can happen while pytest collects the test modules,
# before any fixture runs. Point them at a throw-away directory right away;
# the autouse fixture below then gives each test a fresh one.
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="pipeline-tests-home-"))
for _var, _sub in _ENV_DIRS.items():
    os.environ[_var] = str(_SESSION_HOME / _sub)


def pytest_unconfigure(config):
    shutil.rmtree(_SESSION_HOME, ignore_errors=True)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """HOME, the XDG directories and Argos's package directory in a tmp dir."""
    root = tmp_path_factory.mktemp("home")
    for var, sub in _ENV_DIRS.items():
        (root / sub).mkdir()
        monkeypatch.setenv(var, str(root / sub))
    return root


@pytest.fixture
def seed_path() -> Path:
    path = REPO / "seeds" / f"{SEED_NAME}.txt"
    assert path.is_file(), f"the seed document {path} is missing"
    return path


@pytest.fixture
def seed_text(seed_path) -> str:
    return seed_path.read_text(encoding="utf-8")


@pytest.fixture
def workspace(tmp_path, seed_path) -> Path:
    """A workspace directory with ``seeds/<seed>.txt`` and nothing else."""
    root = tmp_path / "ws"
    (root / "seeds").mkdir(parents=True)
    shutil.copyfile(seed_path, root / "seeds" / seed_path.name)
    return root


def _msgfmt_check(path: Path | bytes) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt not found: install GNU gettext (apt-get install gettext) to run the catalog checks")
    if isinstance(path, bytes):  # a catalog in memory goes through stdin
        args, data, name = "-", path, "<catalog in memory>"
    else:
        args, data, name = str(path), None, str(path)
    proc = subprocess.run([msgfmt, "-c", "-o", os.devnull, args], input=data, capture_output=True)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, f"msgfmt -c rejected {name} (rc {proc.returncode}):\n{stderr}"


@pytest.fixture
def msgfmt_check():
    """``msgfmt_check(path)``: assert that ``msgfmt -c -o /dev/null path`` succeeds
    (``path`` may also be the bytes of a catalog)."""
    return _msgfmt_check


def _golden(path: Path, actual: str) -> None:
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"golden file {path} is missing; create it with UPDATE_GOLDEN=1 and review it")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"{path.name} (golden)",
                tofile=f"{path.name} (current)",
            )
        )
        pytest.fail(
            f"output differs from the golden file {path}.\n"
            "If the change is intended, review it and regenerate with UPDATE_GOLDEN=1.\n" + diff,
            pytrace=False,
        )


@pytest.fixture
def golden():
    """``golden(path, actual)``: compare ``actual`` with the golden file at ``path``."""
    return _golden


@pytest.fixture
def packages_dir(tmp_path, monkeypatch) -> Path:
    """A private Argos packages directory, for this process and its children.
    argostranslate reads ARGOS_PACKAGES_DIR once, at import, so its settings
    are patched too."""
    from pipeline.engines.argos_packages import prepare_argostranslate

    prepare_argostranslate()
    from argostranslate import settings

    directory = tmp_path / "argos-packages"
    directory.mkdir()
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(directory))
    monkeypatch.setattr(settings, "package_data_dir", directory)
    monkeypatch.setattr(settings, "package_dirs", [directory])
    return directory
