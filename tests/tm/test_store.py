"""What a workspace's memory learns from; importing and exporting TMX."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from babel.messages.catalog import Message
from click.testing import CliRunner

from pipeline.catalog import load_catalog, save_catalog
from pipeline.catalog.pofile import Catalog
from pipeline.catalog.states import set_machine_draft, set_reviewed
from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.tm import TmxError, Unit, export_tmx, import_tmx, load_memory, read_tmx, units_from_catalog
from pipeline.tm.store import BLOCK_TYPE_PROP
from pipeline.tm.tmx import tmx_bytes
from pipeline.workspace import Workspace

PARTNER = [
    Unit(
        "宁波舟山港货物吞吐量连续多年位居全球第一。",
        "Ningbo-Zhoushan Port has led the world in cargo throughput for years.",
        "partner",
    ),
    Unit(
        "新型工业化，宁波底气从何而来",
        "New industrialization: where Ningbo's confidence comes from (partner)",
        "partner",
    ),
]
TITLE = "新型工业化，宁波底气从何而来"  # reviewed in the ``reviewed`` fixture as well


def partner_tmx(tmp_path, name="partner.tmx", units=PARTNER):
    path = tmp_path / name
    path.write_bytes(tmx_bytes(units))
    return path


# --- Learning from catalogs ---------------------------------------------------


def test_units_from_catalog_take_reviewed_entries_only(reviewed):
    ws, doc, done = reviewed
    catalog = load_catalog(ws.catalog_path(doc))
    units = units_from_catalog(catalog, doc)
    assert {(u.source, u.target) for u in units} == set(done.items())  # no drafts, nothing untranslated
    assert {u.origin for u in units} == {doc}
    assert {u.created_by for u in units} == {"Li Hua <li@example.org>"}
    assert all(u.created_at.tzinfo == timezone.utc for u in units)
    first = next(u for u in units if u.source == next(iter(done)))
    assert first.properties == ((BLOCK_TYPE_PROP, "title"),)


def test_obsolete_reviewed_entries_are_learned_too():
    catalog = Catalog(locale="en", revision_date=datetime(2024, 5, 1, 16, 0, tzinfo=timezone(timedelta(hours=8))))
    catalog["新句子。"] = Message("新句子。", string="New sentence.")
    catalog.obsolete["旧句子。"] = Message("旧句子。", string="Old sentence.")
    catalog.obsolete["旧草稿。"] = Message("旧草稿。", string="Old draft.", flags=["fuzzy"])
    units = units_from_catalog(catalog, "doc")
    assert [(u.source, u.target) for u in units] == [("新句子。", "New sentence."), ("旧句子。", "Old sentence.")]
    assert units[0].created_by is None  # Babel's placeholder translator is nobody
    assert units[0].created_at == datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)


def test_pipeline_as_translator_is_no_reviewer(extracted):
    (doc,) = extracted.documents()
    catalog = load_catalog(extracted.catalog_path(doc))
    message = next(m for m in catalog if m.id)
    set_reviewed(message, "Reviewed.")
    assert catalog.last_translator == "pipeline"
    assert units_from_catalog(catalog, doc)[0].created_by is None


def test_load_memory_reads_catalogs_then_imported_tmx(two_documents, tmp_path):
    ws, doc, done, second = two_documents
    import_tmx(ws, partner_tmx(tmp_path))
    memory = load_memory(ws)
    assert len(memory) == len(done) + len(second) + len(PARTNER)
    source, target = list(done.items())[1]
    assert [(u.target, u.origin) for u in memory.exact(source)] == [(target, doc)]
    # Catalogs come before imported files: the workspace's own review comes first.
    assert [u.origin for u in memory.exact(TITLE)] == [doc, "partner"]
    assert [m.unit.origin for m in memory.fuzzy(TITLE)] == [doc, "partner"]
    assert memory.exact(PARTNER[0].source)[0].target == PARTNER[0].target
    (match,) = memory.fuzzy("宁波舟山港货物吞吐量连续15年位居全球第一。", limit=1)
    assert match.unit == PARTNER[0] and match.numbers_differ


def test_a_workspace_without_catalogs_has_an_empty_memory(workspace):
    memory = load_memory(Workspace(workspace))
    assert len(memory) == 0 and memory.fuzzy("宁波") == []


def test_load_memory_reports_a_broken_tmx_with_its_line(reviewed):
    ws, _, _ = reviewed
    ws.translation_memory.mkdir(parents=True)
    (ws.translation_memory / "bad.tmx").write_bytes(b'<?xml version="1.0"?>\n<tmx>\n<body>\n<tu>\n</body></tmx>')
    with pytest.raises(TmxError, match=r"^locales/tm/bad.tmx:5: not well-formed XML"):
        load_memory(ws)


# --- Import -------------------------------------------------------------------


def test_import_copies_the_file_unchanged(reviewed, tmp_path):
    ws, _, _ = reviewed
    path = partner_tmx(tmp_path)
    result = import_tmx(ws, path)
    assert result.path == ws.translation_memory / "partner.tmx"
    assert (result.units, result.skipped) == (2, 0)
    assert result.path.read_bytes() == path.read_bytes()
    assert [p.name for p in ws.translation_memory.iterdir()] == ["partner.tmx"]  # no temporary file left


def test_import_normalises_the_suffix(reviewed, tmp_path):
    ws, doc, _ = reviewed
    result = import_tmx(ws, partner_tmx(tmp_path, "Partner.TMX"))
    assert result.path.name == "Partner.tmx"
    assert [u.origin for u in load_memory(ws).exact(TITLE)] == [doc, "partner"]


def test_import_refuses_a_taken_name_and_keeps_the_old_file(reviewed, tmp_path):
    ws, _, _ = reviewed
    import_tmx(ws, partner_tmx(tmp_path))
    before = (ws.translation_memory / "partner.tmx").read_bytes()
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(TmxError, match=r"^locales/tm/partner.tmx already exists; remove it"):
        import_tmx(ws, partner_tmx(other, units=PARTNER[:1]))
    assert (ws.translation_memory / "partner.tmx").read_bytes() == before


def test_import_refuses_the_same_file_under_another_name(reviewed, tmp_path):
    ws, _, _ = reviewed
    import_tmx(ws, partner_tmx(tmp_path))
    copy = partner_tmx(tmp_path, "copy.tmx")
    with pytest.raises(TmxError, match="already imported as locales/tm/partner.tmx"):
        import_tmx(ws, copy)


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("broken.tmx", b"<tmx><body><tu></body></tmx>", r"broken.tmx:1: not well-formed XML"),
        (
            "german.tmx",
            b'<tmx><body><tu><tuv xml:lang="de"><seg>a</seg></tuv>'
            b'<tuv xml:lang="en"><seg>b</seg></tuv></tu></body></tmx>',
            r"no Chinese→English translation units \(languages found: de, en\)",
        ),
        ("notes.txt", b"", r"notes.txt: not a .tmx file"),
    ],
)
def test_import_refuses_bad_files_and_writes_nothing(reviewed, tmp_path, name, data, message):
    ws, _, _ = reviewed
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(TmxError, match=message):
        import_tmx(ws, path)
    assert not ws.translation_memory.exists()


def test_import_of_a_missing_file(reviewed, tmp_path):
    ws, _, _ = reviewed
    with pytest.raises(PipelineError, match="no such file"):
        import_tmx(ws, tmp_path / "missing.tmx")


# --- Export -------------------------------------------------------------------


def test_export_writes_reviewed_pairs_of_all_documents(two_documents, tmp_path):
    ws, doc, done, second = two_documents
    path = tmp_path / "out" / "all.tmx"
    assert export_tmx(ws, path).units == len(done) + len(second)
    units = read_tmx(io.BytesIO(path.read_bytes())).units
    assert {(u.source, u.target, u.origin) for u in units} == {(s, t, doc) for s, t in done.items()} | {
        (s, t, "second") for s, t in second.items()
    }
    assert {u.created_by for u in units if u.origin == doc} == {"Li Hua <li@example.org>"}


def test_export_of_some_documents_to_a_file_object(two_documents):
    ws, _, _, second = two_documents
    buffer = io.BytesIO()
    assert export_tmx(ws, buffer, docs=["second"]).units == len(second)
    assert {(u.source, u.target) for u in read_tmx(io.BytesIO(buffer.getvalue())).units} == set(second.items())


def test_export_of_an_unknown_document(reviewed, tmp_path):
    ws, _, _ = reviewed
    with pytest.raises(PipelineError, match="nosuchdoc: no catalog"):
        export_tmx(ws, tmp_path / "x.tmx", docs=["nosuchdoc"])
    assert not (tmp_path / "x.tmx").exists()


def test_export_import_into_another_workspace_keeps_every_unit(two_documents, tmp_path):
    ws, _, _, _ = two_documents
    exported = tmp_path / "ours.tmx"
    export_tmx(ws, exported)
    original = list(load_memory(ws))
    other = Workspace(tmp_path / "elsewhere")
    import_tmx(other, exported)
    assert list(load_memory(other)) == original  # origin, creator, date and block types survive


def _review_with(ws, doc, translations: dict[str, str]) -> None:
    """Review the entries of ``doc`` whose source is a key of ``translations``, as another tool might."""
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    for source, target in translations.items():
        set_reviewed(catalog[source], target)
    save_catalog(path, catalog)


def test_tm_export_leaves_out_a_refused_entry_with_a_warning_and_imports_back(reviewed, tmp_path):
    """A reviewed translation holding a C1 control or a bidi override (put in
    the catalog by another tool) would make the whole TMX unimportable: that
    entry is left out with one line naming it, the rest is exported."""
    ws, doc, done = reviewed
    sources = [m.id for m in load_catalog(ws.catalog_path(doc)) if m.id and m.id not in done][:2]
    _review_with(ws, doc, {sources[0]: "Ning\u202ebo", sources[1]: "a\x9b31m red"})
    exported = tmp_path / "out.tmx"
    result = CliRunner().invoke(main, ["tm", "export", "-w", str(ws.root), "-o", str(exported)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 2
    assert warnings[0].startswith(f"warning: {doc}: entry '{sources[0][:30]}")
    assert warnings[0].endswith("English segment: line 1, column 5: bidirectional control U+202E is not allowed")
    assert warnings[1].endswith("English segment: line 1, column 2: control character U+009B is not allowed")
    assert f"tm: {len(done)} reviewed pairs exported, 2 left out" in result.stderr
    # The file imports back, with every other pair.
    other = Workspace(tmp_path / "elsewhere")
    assert import_tmx(other, exported).units == len(done)
    assert {(u.source, u.target) for u in load_memory(other)} == set(done.items())


def test_export_without_refused_entries_leaves_nothing_out(reviewed):
    ws, _, done = reviewed
    exported = export_tmx(ws, io.BytesIO())
    assert (exported.units, exported.skipped, exported.uncredited) == (len(done), [], [])


@pytest.mark.parametrize("translator", ["Li\u202eHua <li@example.org>", "Li\x85Hua <li@example.org>"])
def test_tm_export_drops_a_refused_translator_name_once_and_keeps_every_pair(two_documents, tmp_path, translator):
    """A C1 control or a bidi override in a catalog's Last-Translator: every
    pair of that document is exported without its creator, with one warning
    for the document; the other document keeps its creator; a pair whose own
    text is refused is still left out."""
    ws, doc, done, second = two_documents
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    catalog.last_translator = translator
    save_catalog(path, catalog)
    bad_source = [m.id for m in catalog if m.id and m.id not in done][0]
    _review_with(ws, doc, {bad_source: "Ning\u202ebo"})
    catalog = load_catalog(ws.catalog_path("second"))
    catalog.last_translator = "Wang Fang <wang@example.org>"
    save_catalog(ws.catalog_path("second"), catalog)
    exported = tmp_path / "out.tmx"
    result = CliRunner().invoke(main, ["tm", "export", "-w", str(ws.root), "-o", str(exported)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 2, result.stderr
    assert warnings[0].startswith(f"warning: {doc}: {len(done)} entries exported without their creator ")
    assert "creationid: line 1, column 3: " in warnings[0] and warnings[0].endswith(" is not allowed")
    assert warnings[1].startswith(f"warning: {doc}: entry '{bad_source[:30]}")
    assert f"tm: {len(done) + len(second)} reviewed pairs exported, 1 left out" in result.stderr
    units = read_tmx(io.BytesIO(exported.read_bytes())).units
    assert {(u.source, u.target) for u in units} == {*done.items(), *second.items()}
    assert {u.origin: u.created_by for u in units} == {doc: None, "second": "Wang Fang <wang@example.org>"}


def test_a_catalog_edited_after_loading_is_seen_by_the_next_load(reviewed):
    ws, doc, done = reviewed
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    draft = next(m for m in catalog if m.id and m.id not in done)
    set_machine_draft(draft, "draft", "x")
    set_reviewed(draft)
    save_catalog(path, catalog)
    assert load_memory(ws).exact(draft.id)[0].target == "draft"
