"""Fixtures for the reliability tests (bad input, broken catalogs, kills, locks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.support import succeeds


@pytest.fixture
def bare_workspace(tmp_path) -> Path:
    """A workspace with an empty ``seeds/``: each test puts in the one source it needs."""
    root = tmp_path / "bare"
    (root / "seeds").mkdir(parents=True)
    return root


@pytest.fixture
def extracted(workspace) -> Path:
    """The seed workspace after ``pipeline extract``."""
    succeeds("extract", "-w", workspace)
    return workspace
