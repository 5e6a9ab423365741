"""Workspaces with extracted, partly reviewed catalogs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.catalog import load_catalog, save_catalog
from pipeline.catalog.states import set_machine_draft, set_reviewed
from pipeline.extract import extract
from pipeline.workspace import Workspace
from tests.conftest import REPO, SEED_NAME

SEED = REPO / "seeds" / f"{SEED_NAME}.txt"


def english(source: str) -> str:
    """A stand-in reviewed translation that names its source."""
    return f"EN[{source}]"


@pytest.fixture(scope="session")
def extracted_template(tmp_path_factory) -> Path:
    """The seed workspace after ``pipeline extract``, made once per session."""
    root = tmp_path_factory.mktemp("tm-template") / "ws"
    (root / "seeds").mkdir(parents=True)
    shutil.copyfile(SEED, root / "seeds" / SEED.name)
    ws = Workspace(root)
    for source in ws.default_sources():
        extract(ws, source)
    return root


@pytest.fixture
def extracted(tmp_path, extracted_template) -> Workspace:
    """A fresh copy of the extracted seed workspace."""
    root = tmp_path / "ws"
    shutil.copytree(extracted_template, root)
    return Workspace(root)


@pytest.fixture
def reviewed(extracted):
    """The seed catalog with its first 10 entries reviewed by Li Hua and the
    next 5 machine drafts. Returns ``(ws, doc, {source: translation})``."""
    ws = extracted
    (doc,) = ws.documents()
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    catalog.last_translator = "Li Hua <li@example.org>"
    messages = [m for m in catalog if m.id]
    done = {}
    for message in messages[:10]:
        set_reviewed(message, english(message.id))
        done[message.id] = message.string
    for message in messages[10:15]:
        set_machine_draft(message, english(message.id), "fake:model@0")
    save_catalog(path, catalog)
    return ws, doc, done


@pytest.fixture
def two_documents(reviewed):
    """``reviewed`` plus a second document, ``second``, with its own reviews."""
    ws, doc, done = reviewed
    shutil.copyfile(ws.seeds / f"{doc}.txt", ws.seeds / "second.txt")
    extract(ws, ws.seeds / "second.txt")
    path = ws.catalog_path("second")
    catalog = load_catalog(path)
    second = {}
    for message in [m for m in catalog if m.id][20:23]:
        set_reviewed(message, "SECOND " + english(message.id))
        second[message.id] = message.string
    save_catalog(path, catalog)
    return ws, doc, done, second
