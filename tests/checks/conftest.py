"""Fixtures for the quality checks: the clean test catalog and its termbase.

``data/clean.po`` holds correct, reviewed zh→en translations: every segment
of the seed document, as the segmenter cuts it, plus economic news
sentences full of figures. ``data/glossary.tsv`` is a small termbase for it.
No check may find anything in that catalog.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pipeline.catalog.pofile import Catalog, read_po
from pipeline.terms import Termbase, load_termbase

DATA = Path(__file__).parent / "data"


@pytest.fixture
def clean_po_bytes() -> bytes:
    return (DATA / "clean.po").read_bytes()


@pytest.fixture
def clean_catalog(clean_po_bytes) -> Catalog:
    """A fresh copy of the clean catalog, free to mutate."""
    return read_po(io.BytesIO(clean_po_bytes), "clean.po")


@pytest.fixture
def termbase() -> Termbase:
    return load_termbase(DATA / "glossary.tsv")
