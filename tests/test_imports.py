"""Every module imports on its own.

A module that only imports after another one was imported first (an import
cycle that happens to resolve in the usual order, a name reached through a
package attribute that some other module set) works in the suite and breaks
the first time a user imports it alone. Here each module of ``pipeline`` and
``benchmarks`` is imported first, with no ``pipeline`` or ``benchmarks``
module loaded before it: all in one fresh interpreter (a subprocess, so the
suite's own imports do not count), which forgets every ``pipeline.*`` and
``benchmarks.*`` module between two imports. Third-party modules stay
loaded: their import order is not ours to check, and C extensions such as
CTranslate2 cannot be loaded twice.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

#: Packages whose every module must import on its own.
PACKAGES = ("pipeline", "benchmarks")
#: Modules that are programs, not libraries: importing one runs it.
NOT_IMPORTED = {"pipeline.__main__"}


def module_names() -> list[str]:
    """Every module of :data:`PACKAGES`, from the files (importing nothing)."""
    names = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            if "__pycache__" in parts or parts[:2] == ("benchmarks", "out"):  # benchmarks/out: results, git-ignored
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            name = ".".join(parts)
            if name not in NOT_IMPORTED:
                names.append(name)
    return names


# Runs in the subprocess: import each module named on stdin first, then
# forget our modules again. One JSON line out: {module: error or null}.
_IMPORT_EACH = r"""
import importlib, json, sys, traceback

ours = tuple(sys.argv[1:])
results = {}
for name in json.load(sys.stdin):
    for loaded in [m for m in sys.modules if m.split(".")[0] in ours]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
        results[name] = None
    except BaseException:  # SystemExit too: a module must not end the program
        results[name] = traceback.format_exc(limit=-3)
print(json.dumps(results))
"""

MODULES = module_names()


@pytest.fixture(scope="module")
def import_results() -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, *PACKAGES],
        input=json.dumps(MODULES),
        cwd=REPO,  # benchmarks/ is imported from the repository root, as the scripts are run
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_module_is_found():
    # A broken walk would make the test below check nothing.
    assert len(MODULES) > 50
    assert {"pipeline", "pipeline.cli", "pipeline.testing.random_model", "benchmarks.measure"} <= set(MODULES)
    assert "pipeline.__main__" not in MODULES


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_on_its_own(import_results, module):
    error = import_results[module]
    assert error is None, f"`import {module}` alone fails:\n{error}"
