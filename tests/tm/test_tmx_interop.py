"""Interoperability with Translate Toolkit's TMX implementation (the
``translate-toolkit`` package of the test extra)."""

from __future__ import annotations

import io

import pytest

from pipeline.tm.tmx import read_tmx, tmx_bytes
from pipeline.tm.units import Unit

UNITS = [
    Unit("宁波推进新型工业化的冲锋号已经吹响。", "Ningbo has sounded the bugle for new industrialization.", "doc"),
    Unit("崔平：每个人都是新型工业化一份子", "Cui Ping: Everyone is part of new industrialization", "doc"),
    Unit(
        "甬江实验室主任崔平。（严龙 摄）",
        'Cui Ping, director of the "Yongjiang Laboratory" (photo: Yan Long) & <team>',
        "other doc",
    ),
    Unit("上月，《宁波市加快推进新型工业化行动纲要》正式印发。", "Last month, the Action Plan was issued.", "doc"),
]


@pytest.fixture
def toolkit_tmx():
    try:
        from translate.storage import tmx
    except ImportError:  # fail, never skip: the interop check is the point of this file
        pytest.fail("translate-toolkit is not installed; install the test extra: pip install -e '.[test]'")
    return tmx


def test_translate_toolkit_reads_our_tmx(toolkit_tmx, tmp_path):
    path = tmp_path / "export.tmx"
    path.write_bytes(tmx_bytes(UNITS))
    with open(path, "rb") as fh:
        store = toolkit_tmx.tmxfile(fh)
    assert store.sourcelanguage == "zh-Hans"
    assert [(unit.source, unit.target) for unit in store.units] == [(u.source, u.target) for u in UNITS]
    assert store.translate(UNITS[0].source) == UNITS[0].target


def test_we_read_translate_toolkits_tmx(toolkit_tmx):
    store = toolkit_tmx.tmxfile(sourcelanguage="zh-CN", targetlanguage="en-US")
    for unit in UNITS:
        store.addtranslation(unit.source, "zh-CN", unit.target, "en-US", comment="from Translate Toolkit")
    data = bytes(store)
    assert b"<!DOCTYPE" in data  # Translate Toolkit declares the TMX DTD; it must not be refused
    units = read_tmx(io.BytesIO(data), "toolkit.tmx").units
    assert [(u.source, u.target) for u in units] == [(u.source, u.target) for u in UNITS]
    assert {u.origin for u in units} == {"toolkit.tmx"}
    assert {u.notes for u in units} == {("from Translate Toolkit",)}
