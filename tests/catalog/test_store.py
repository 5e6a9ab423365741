"""update_catalog: the compare-and-swap, each of its paths driven by hand.

The races are made to happen at the exact moment that matters by wrapping
the module's own steps (the check, the swap); the concurrency tests in
tests/reliability/test_concurrent_saves.py run them against a real
writer process.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pipeline.catalog import load_catalog, save_catalog, store
from pipeline.catalog.pofile import po_bytes
from pipeline.catalog.states import find, set_machine_draft, set_reviewed
from pipeline.catalog.template import new_catalog
from pipeline.errors import CatalogError


def _catalog(*texts: str):
    catalog = new_catalog("doc", "seeds/doc.txt", locale="en")
    for text in texts:
        catalog.add(text)
    return catalog


@pytest.fixture
def po(tmp_path) -> Path:
    path = tmp_path / "doc.po"
    save_catalog(path, _catalog("甲。", "乙。", "丙。"))
    return path


def _draft(msgid: str, text: str):
    def change(catalog):
        message = find(catalog, (None, msgid))
        if message.string:  # somebody translated it: theirs wins
            return None
        set_machine_draft(message, text, "fake:test@0")
        return catalog

    return change


def _foreign_save(path: Path, msgid: str, text: str) -> None:
    """Another program saving: a reviewed translation, renamed over the file."""
    catalog = load_catalog(path)
    set_reviewed(catalog[msgid], text)
    tmp = path.with_name("foreign.tmp")
    save_catalog(tmp, catalog)
    os.replace(tmp, path)


def test_an_update_applies_and_writes(po):
    update = store.update_catalog(po, _draft("甲。", "A."))
    assert update.written and update.attempts == 1
    assert load_catalog(po)["甲。"].string == "A."
    assert not store.update_catalog(po, _draft("甲。", "again")).written  # nothing to change: no write


def _someone_saves_after_our_first_read(po, monkeypatch):
    """Poedit saves the catalog right after the store's first read of it."""
    real = store.read_po
    calls = []

    def read_then_someone_saves(fileobj, display):
        catalog = real(fileobj, display)
        if not calls:
            _foreign_save(po, "乙。", "Typed in Poedit.")
        calls.append(1)
        return catalog

    monkeypatch.setattr(store, "read_po", read_then_someone_saves)


def test_a_save_between_read_and_check_is_seen_and_the_change_reapplied(po, monkeypatch):
    _someone_saves_after_our_first_read(po, monkeypatch)
    update = store.update_catalog(po, _draft("甲。", "A."))
    assert update.attempts == 2
    catalog = load_catalog(po)
    assert catalog["乙。"].string == "Typed in Poedit." and catalog["甲。"].string == "A."


def test_a_save_between_check_and_swap_is_swapped_back(po, monkeypatch):
    if not store.exchange(po, po):  # no RENAME_EXCHANGE on this system
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available here")
    real = store.exchange
    calls = []

    def someone_saves_first(a, b):
        if not calls:
            _foreign_save(po, "乙。", "Typed in Poedit.")
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(store, "exchange", someone_saves_first)
    update = store.update_catalog(po, _draft("甲。", "A."))
    assert update.written and update.attempts == 2
    assert len(calls) == 3  # the swap, the swap back, and the swap of the second attempt
    catalog = load_catalog(po)
    assert catalog["乙。"].string == "Typed in Poedit." and catalog["甲。"].string == "A."
    assert sorted(p.name for p in po.parent.iterdir()) == ["doc.po"]  # nothing left behind


def test_two_saves_inside_the_swap_keep_the_newest_and_the_other_beside_it(po, monkeypatch):
    if not store.exchange(po, po):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available here")
    real = store.exchange
    calls = []

    def saves_around_the_swap(a, b):
        calls.append(1)
        if len(calls) == 1:
            _foreign_save(po, "乙。", "First save.")
        result = real(a, b)
        if len(calls) == 1:
            _foreign_save(po, "丙。", "Second save.")
        return result

    monkeypatch.setattr(store, "exchange", saves_around_the_swap)
    store.update_catalog(po, _draft("甲。", "A."))
    catalog = load_catalog(po)
    assert catalog["丙。"].string == "Second save." and catalog["甲。"].string == "A."
    aside = [p for p in po.parent.iterdir() if ".conflict-" in p.name]
    assert len(aside) == 1 and load_catalog(aside[0])["乙。"].string == "First save."


def test_without_rename_exchange_the_check_still_refuses_a_stale_write(po, monkeypatch):
    monkeypatch.setattr(store, "_renameat2", None)
    _someone_saves_after_our_first_read(po, monkeypatch)
    store.update_catalog(po, _draft("甲。", "A."))
    catalog = load_catalog(po)
    assert catalog["乙。"].string == "Typed in Poedit." and catalog["甲。"].string == "A."


def test_a_new_catalog_is_created_but_never_over_one_that_appeared(tmp_path, monkeypatch):
    path = tmp_path / "new.po"
    real = store.po_bytes
    calls = []

    def someone_creates_it(catalog):
        data = real(catalog)
        if not calls:
            save_catalog(path, _catalog("丁。"))
        calls.append(1)
        return data

    monkeypatch.setattr(store, "po_bytes", someone_creates_it)
    seen = []

    def change(catalog):
        seen.append(catalog is None)
        return catalog if catalog is not None else _catalog("戊。")

    store.update_catalog(path, change)
    assert seen == [True, False]  # the second attempt got the file that appeared
    assert "丁。" in [m.id for m in load_catalog(path)]


def test_a_broken_catalog_is_reported_and_never_overwritten(po):
    po.write_bytes(b'msgid "x"\nmsgstr "unterminated\n')
    before = po.read_bytes()
    with pytest.raises(CatalogError, match=r"doc\.po:2"):
        store.update_catalog(po, _draft("甲。", "A."), display="doc.po")
    assert po.read_bytes() == before


def test_a_vanished_catalog_is_waited_for_then_reported(po, monkeypatch):
    monkeypatch.setattr(store, "MISSING_WAIT_SECONDS", 0.05)
    po.unlink()
    seen = []
    store.update_catalog(po, lambda catalog: seen.append(catalog), wait_if_missing=True)
    assert seen == [None] and not po.exists()


def test_what_change_raises_is_raised_and_nothing_is_written(po):
    before = po.read_bytes()

    def change(catalog):
        raise CatalogError("refused")

    with pytest.raises(CatalogError, match="refused"):
        store.update_catalog(po, change)
    assert po.read_bytes() == before


def test_a_file_that_keeps_changing_is_given_up_on_with_one_line(po, monkeypatch):
    monkeypatch.setattr(store, "RETRY_SECONDS", 0.2)
    real = store.read_po

    def someone_always_saves(fileobj, display):
        catalog = real(fileobj, display)
        with open(po, "ab") as fh:  # every read is stale by the time of the check
            fh.write(b"\n")
        return catalog

    monkeypatch.setattr(store, "read_po", someone_always_saves)
    with pytest.raises(CatalogError, match="kept saving the catalog") as info:
        store.update_catalog(po, _draft("甲。", "A."), display="doc.po")
    assert "\n" not in str(info.value)
    assert load_catalog(po)["甲。"].string == ""


def test_the_snapshot_identity_sees_an_in_place_rewrite_of_the_same_size(po):
    first = store.snapshot(po)
    data = first.data.replace("甲".encode(), "乙".encode(), 1)
    assert len(data) == len(first.data)
    with open(po, "r+b") as fh:  # same inode, same size, maybe the same mtime tick
        fh.write(data)
    assert store.snapshot(po).identity != first.identity


def test_a_save_swapped_out_comes_back_even_when_ours_was_deleted_meanwhile(po, monkeypatch):
    if not store.exchange(po, po):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available here")
    real = store.exchange
    calls = []

    def save_then_delete(a, b):
        calls.append(1)
        if len(calls) == 1:
            _foreign_save(po, "乙。", "Typed in Poedit.")
            result = real(a, b)
            po.unlink()  # an editor that deletes the file before writing it anew
            return result
        return real(a, b)

    monkeypatch.setattr(store, "exchange", save_then_delete)
    store.update_catalog(po, _draft("甲。", "A."))
    catalog = load_catalog(po)
    assert catalog["乙。"].string == "Typed in Poedit." and catalog["甲。"].string == "A."
    assert sorted(p.name for p in po.parent.iterdir()) == ["doc.po"]


def test_the_path_wrappers_save_what_write_po_writes_and_name_the_file_in_errors(tmp_path):
    catalog = _catalog("甲。")
    path = tmp_path / "doc.po"
    save_catalog(path, catalog)
    assert path.read_bytes() == po_bytes(catalog)
    with pytest.raises(CatalogError, match=r"^locales/en/LC_MESSAGES/nope\.po: no such catalog$"):
        load_catalog(tmp_path / "nope.po", "locales/en/LC_MESSAGES/nope.po")
    path.write_bytes(b'msgid "x\n')
    with pytest.raises(CatalogError, match=rf"^{re.escape(str(path))}:1: unterminated string$"):
        load_catalog(path)
