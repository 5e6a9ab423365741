"""What other tools receive (``tm export``, ``build/<doc>.tmx``): the reviewed
pairs of the documents as they are, never obsolete entries or sentences a
document no longer has; the memory itself keeps learning from both."""

from __future__ import annotations

import io

from babel.messages.catalog import Message

from pipeline.build import build
from pipeline.catalog import load_catalog, save_catalog
from pipeline.catalog.pofile import Catalog
from pipeline.tm import exchanged_units, export_tmx, load_memory, read_tmx, units_from_catalog


def _catalog() -> Catalog:
    catalog = Catalog(locale="en")
    catalog["新句子。"] = Message("新句子。", string="New sentence.")
    catalog["复活的句子。"] = Message("复活的句子。", string="Revived sentence.")  # live, but not in the document
    catalog["草稿。"] = Message("草稿。", string="Draft.", flags=["fuzzy"])
    catalog.obsolete["旧句子。"] = Message("旧句子。", string="Old sentence.")
    return catalog


def _pairs(units):
    return [(u.source, u.target) for u in units]


def test_exchanged_units_leave_out_obsolete_entries_and_sentences_not_in_the_document():
    catalog = _catalog()
    assert _pairs(exchanged_units(catalog, "doc", {"新句子。", "草稿。"})) == [("新句子。", "New sentence.")]
    # Without knowing the document's segments: live reviewed entries.
    assert _pairs(exchanged_units(catalog, "doc", None)) == [
        ("新句子。", "New sentence."),
        ("复活的句子。", "Revived sentence."),
    ]
    # The memory learns from obsolete reviewed entries all the same.
    assert ("旧句子。", "Old sentence.") in _pairs(units_from_catalog(catalog, "doc"))


def _revive_and_retire(ws, doc):
    """Make one reviewed entry obsolete and revive another obsolete one as
    live, as xliff2po does, without touching the template. Returns
    ``(retired, revived)`` sources."""
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    reviewed = [m for m in catalog if m.id and m.string and not m.fuzzy]
    retired = reviewed[0]
    del catalog[retired.id]
    catalog.obsolete[retired.id] = retired
    catalog["一个不在文件中的句子。"] = Message("一个不在文件中的句子。", string="A sentence not in the document.")
    save_catalog(path, catalog)
    return retired.id, "一个不在文件中的句子。"


def test_tm_export_keeps_to_the_template(reviewed, tmp_path):
    ws, doc, done = reviewed
    retired, revived = _revive_and_retire(ws, doc)
    buffer = io.BytesIO()
    count = export_tmx(ws, buffer).units
    sources = [u.source for u in read_tmx(io.BytesIO(buffer.getvalue())).units]
    assert count == len(sources) == len(done) - 1
    assert retired not in sources and revived not in sources
    assert set(sources) == set(done) - {retired}
    # The workspace's own memory still knows both.
    memory = load_memory(ws)
    assert memory.exact(retired) and memory.exact(revived)


def test_tm_export_without_a_template_gives_live_entries(reviewed):
    ws, doc, done = reviewed
    retired, revived = _revive_and_retire(ws, doc)
    ws.template_path(doc).unlink()
    buffer = io.BytesIO()
    export_tmx(ws, buffer)
    sources = {u.source for u in read_tmx(io.BytesIO(buffer.getvalue())).units}
    assert sources == (set(done) - {retired}) | {revived}


def test_build_tmx_leaves_out_sentences_removed_from_the_source(reviewed):
    ws, doc, done = reviewed
    gone = "记者 成良田"  # the byline, reviewed; the catalog still has it live
    assert gone in done
    source = ws.seeds / f"{doc}.txt"
    text = source.read_text(encoding="utf-8")
    assert text.count(gone + "\n") == 1
    source.write_text(text.replace(gone + "\n", ""), encoding="utf-8")  # no extract since
    build(ws, doc, ws.default_build)
    sources = {u.source for u in read_tmx(io.BytesIO((ws.default_build / f"{doc}.tmx").read_bytes())).units}
    assert sources == set(done) - {gone}


def test_build_tmx_always_imports_back_without_a_refused_translator_name(reviewed):
    # Another tool put a bidi override in the catalog's Last-Translator: the
    # build still writes its editions, and its TMX holds nothing a reader
    # refuses: every reviewed pair, without the name.
    ws, doc, done = reviewed
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    catalog.last_translator = "Li\u202eHua <li@example.org>"
    save_catalog(path, catalog)
    build(ws, doc, ws.default_build)
    data = (ws.default_build / f"{doc}.tmx").read_bytes()
    units = read_tmx(io.BytesIO(data)).units
    assert _pairs(units) == list(done.items())
    assert all(u.created_by is None for u in units) and b"creationid" not in data
