"""The workspace lock: while one command writes a workspace, a second one
that would write it refuses clearly, naming the holder, and changes nothing.
A holder that dies (even by SIGKILL) leaves no stale lock behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from pipeline.workspace import Workspace
from tests.conftest import REPO
from tests.reliability.support import refused, succeeds, tree_bytes

WRITERS = [
    pytest.param(["extract"], id="extract"),
    pytest.param(["translate"], id="translate"),
    pytest.param(["run"], id="run"),
]


def _unlocked_files(ws) -> dict[str, bytes]:
    # The lock file itself holds the holder's pid, which is the point.
    return {k: v for k, v in tree_bytes(ws).items() if not k.endswith(".pipeline.lock")}


@pytest.mark.parametrize("command", WRITERS)
def test_second_writer_refuses_while_the_lock_is_held(extracted, command):
    before = _unlocked_files(extracted)
    with Workspace(extracted).lock():
        message = refused(*command, "-w", extracted)
        # Reading is not writing: status works meanwhile.
        succeeds("status", "-w", extracted)
    assert f"another pipeline command (pid {os.getpid()}) is writing this workspace" in message
    assert message.startswith(str(extracted))
    assert _unlocked_files(extracted) == before


def test_extract_on_a_fresh_workspace_writes_nothing_while_locked(workspace):
    with Workspace(workspace).lock():
        refused("extract", "-w", workspace)
    assert not Workspace(workspace).catalog_path("000_a24ceba1f548592f").exists()
    assert not Workspace(workspace).template_path("000_a24ceba1f548592f").exists()


HOLD = """
import sys, time
from pathlib import Path
from pipeline.workspace import Workspace
with Workspace(Path(sys.argv[1])).lock():
    print("locked", flush=True)
    time.sleep(120)
"""


def test_lock_of_a_killed_holder_is_released(extracted):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(extracted)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        message = refused("translate", "-w", extracted)
        assert f"(pid {holder.pid})" in message
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    assert holder.returncode == -signal.SIGKILL
    succeeds("translate", "-w", extracted)  # the kernel dropped the dead holder's lock
