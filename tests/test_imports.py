"""Every module imports on its own, and none imports a higher layer.

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

import ast
import json
import re
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


# --- Layers ---------------------------------------------------------------------------------
#
# docs/architecture.md's "Layers" table is the rule: a module never imports
# one of a higher layer. The table is read from the page itself, so the page
# and the test cannot disagree. An import only for type annotations (under
# ``if TYPE_CHECKING:``) is not an import at run time and does not count; an
# import inside a function does.

ARCHITECTURE = REPO / "docs" / "architecture.md"
_LAYER_ROW = re.compile(r"^\| (\d+)\. [^|]+\| ([^|]+) \|", re.MULTILINE)


def layers() -> dict[str, int]:
    """Module (``pipeline.engines``, ``pipeline.terms.tbx``) → its layer,
    from the table of docs/architecture.md."""
    found = {}
    for number, modules in _LAYER_ROW.findall(ARCHITECTURE.read_text(encoding="utf-8")):
        for name in re.findall(r"`([^`]+)`", modules):
            found["pipeline." + name.strip("/").replace("/", ".")] = int(number)
    return found


def layer_of(module: str, table: dict[str, int]) -> int | None:
    """The layer of ``module``: that of the longest name in ``table`` that is
    it or a package holding it; None for a module the table leaves out."""
    parts = module.split(".")
    for end in range(len(parts), 1, -1):
        if ".".join(parts[:end]) in table:
            return table[".".join(parts[:end])]
    return None


def _type_checking_only(tree: ast.AST) -> set[int]:
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside.update(id(n) for statement in node.body for n in ast.walk(statement))
    return inside


def imported_modules(module: str, path) -> list[tuple[str, int]]:
    """``(module imported, line)`` for each import of ours in ``path``
    (``from .x import y`` as ``x.y``: y may be a module; the longest name
    the table knows decides)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    typing_only = _type_checking_only(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            found += [(f"{target}.{alias.name}", node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
    return [(name, line) for name, line in found if name.split(".")[0] == "pipeline"]


def test_the_layer_table_names_real_modules():
    table = layers()
    assert len(table) > 20 and table["pipeline.errors"] == 0 and table["pipeline.cli"] == 6
    for name in table:
        path = REPO / name.replace(".", "/")
        assert path.is_dir() or path.with_suffix(".py").is_file(), f"docs/architecture.md names {name}: no such module"


def test_no_module_imports_a_higher_layer():
    table = layers()
    upward = []
    for module in MODULES:
        if not module.startswith("pipeline.") or (mine := layer_of(module, table)) is None:
            continue
        parts = module.split(".")
        path = REPO.joinpath(*parts).with_suffix(".py")
        if not path.is_file():
            path = REPO.joinpath(*parts, "__init__.py")
        for name, line in imported_modules(module, path):
            theirs = layer_of(name, table)
            if theirs is not None and theirs > mine:
                upward.append(f"{path.relative_to(REPO)}:{line}: layer {mine} imports {name} (layer {theirs})")
    assert upward == [], "\n".join(upward)
