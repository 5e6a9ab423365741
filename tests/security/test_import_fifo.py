"""Imports of a file given on the command line read only regular files: a
FIFO (or a device) is refused in one line instead of blocking forever."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize("command, name", [(["terms", "import"], "terms.tbx"), (["tm", "import"], "memory.tmx")])
def test_a_fifo_given_to_an_import_is_refused_without_blocking(tmp_path, command, name):
    (tmp_path / "seeds").mkdir()
    fifo = tmp_path / name
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", *command, str(fifo), "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and "Traceback" not in proc.stderr
