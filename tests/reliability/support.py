"""Helpers shared by the reliability tests: running the CLI the way a user
does, and the hypothesis settings profiles.

Profiles
--------
``pipeline-ci`` (the default) keeps every property test in this directory
bounded for CI. ``pipeline-soak`` runs many more examples with looser
deadlines, for a person to run by hand::

    PIPELINE_SOAK=1 /work/venv-dev/bin/python -m pytest -q tests/reliability

The profiles are registered here and applied per test (``@FUZZ``,
``fuzz_settings(...)``), never loaded globally, so the rest of the suite
keeps hypothesis's defaults.
"""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, settings

from pipeline.cli import main
from tests.support.fake_engine import FakeEngine

SOAK = os.environ.get("PIPELINE_SOAK") == "1"

settings.register_profile(
    "pipeline-ci",
    max_examples=150,
    deadline=timedelta(seconds=2),  # generous: a loaded CI machine is slow, a hang is not
    derandomize=True,  # CI runs the same examples every time; the soak explores
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "pipeline-soak",
    max_examples=5000,
    deadline=timedelta(seconds=10),
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = "pipeline-soak" if SOAK else "pipeline-ci"
FUZZ = settings.get_profile(PROFILE)


def fuzz_settings(scale: float = 1.0, **overrides) -> settings:
    """The active profile with ``scale`` times its examples (heavier tests use fewer)."""
    return settings(FUZZ, max_examples=max(1, int(FUZZ.max_examples * scale)), **overrides)


class Hung(BaseException):
    """Not an Exception (nor an OSError, as TimeoutError is): no handler in
    the code under test can swallow it and carry on after the hang."""


@contextmanager
def hang_guard(seconds: float):
    """Fail with :class:`Hung` when the block runs longer than ``seconds``.

    A hypothesis deadline only judges an example after it returns; an
    endless loop never returns, so a timer interrupts it (main thread, POSIX)."""

    def expire(signum, frame):
        raise Hung(f"still running after {seconds:g}s: a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def fake_engine_obj() -> dict:
    """The click context object that makes translate/run use the fake engine."""
    return {"engine_factory": lambda settings: FakeEngine()}


def invoke(*args, obj: dict | None = None) -> Result:
    """Run ``pipeline ARGS`` in-process; an unexpected exception fails the test."""
    result = CliRunner().invoke(main, [str(a) for a in args], obj=obj if obj is not None else fake_engine_obj())
    assert "Traceback" not in result.output, result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"pipeline {' '.join(map(str, args))} raised {result.exception!r}") from result.exception
    return result


def succeeds(*args, obj: dict | None = None) -> Result:
    result = invoke(*args, obj=obj)
    assert result.exit_code == 0, result.output
    return result


def refused(*args, obj: dict | None = None) -> str:
    """Run a command that must refuse with exit code 1 and exactly one error
    line on stderr (log lines about earlier, successful documents may
    precede it); return the error without its ``Error: `` prefix."""
    result = invoke(*args, obj=obj)
    assert result.exit_code == 1, f"exit code {result.exit_code}:\n{result.output}"
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("Error: ")]
    assert errors == lines[-1:], f"expected one error line, last:\n{result.stderr}"
    return errors[0][len("Error: ") :]


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path → bytes): to prove nothing changed."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
