"""Fixtures for the real argostranslate + CTranslate2 path, with a tiny
random-weight model that the suite builds itself (no real zh→en weights
can be had offline)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from pipeline.testing.random_model import build_random_argos_package


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A deterministic random-weight zh→en .argosmodel (built in well under a second)."""
    return build_random_argos_package(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="session")
def wrong_pair_model(tmp_path_factory) -> Path:
    return build_random_argos_package(tmp_path_factory.mktemp("model-de"), from_code="de", to_code="en")


@pytest.fixture
def no_network(monkeypatch) -> list:
    """Block and record every attempt to open a network connection."""
    attempts: list = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", lambda self, *a, **k: refuse(*a))
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, *a, **k: refuse(*a))
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


@pytest.fixture(scope="session")
def ct2_models(tmp_path_factory) -> dict[str, Path]:
    """Random-weight CTranslate2 model directories of every layout the ct2
    engine reads: OPUS-MT with a shared and with split vocabularies, NLLB
    and M2M100 (each builds in well under a second)."""
    from pipeline.testing.random_model import build_random_ct2_model

    root = tmp_path_factory.mktemp("ct2")
    return {
        "marian": build_random_ct2_model(root, layout="marian"),
        "marian-split": build_random_ct2_model(root, layout="marian", shared_vocabulary=False, name="opus-split"),
        "nllb": build_random_ct2_model(root, layout="nllb", name="nllb-200-random"),
        "m2m100": build_random_ct2_model(root, layout="m2m100"),
    }
