"""Word and Markdown sources through the command line: extract and build
write catalogs gettext accepts and the documents in their own format; a
catalog that translates every segment to itself gives the source back; a
bad file is one line, exit 1, and no catalog."""

from __future__ import annotations

import io
import shutil
import zipfile

import polib
import pytest
from click.testing import CliRunner

from pipeline.cli import main

from .docx_support import FIXTURES, docx_with_body, formatted_text, pandoc
from .test_markdown import SAMPLE


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def ws(tmp_path):
    root = tmp_path / "ws"
    (root / "seeds").mkdir(parents=True)
    shutil.copyfile(FIXTURES / "word-features.docx", root / "seeds" / "features.docx")
    (root / "seeds" / "notes.md").write_text(SAMPLE, encoding="utf-8")
    return root


def translate_to_itself(po_path):
    catalog = polib.pofile(str(po_path))
    for entry in catalog:
        entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save()


def test_extract_and_build_word_and_markdown_sources(ws, msgfmt_check, tmp_path):
    result = run("extract", "--workspace", ws)
    assert result.exit_code == 0, result.output
    for doc in ("features", "notes"):
        msgfmt_check(ws / "locales" / "en" / "LC_MESSAGES" / f"{doc}.po")
        translate_to_itself(ws / "locales" / "en" / "LC_MESSAGES" / f"{doc}.po")
    assert 'msgid "据<1>新华社</1>报道，宁波市加快推进新型工业化。"' in (ws / "locales" / "features.pot").read_text()
    result = run("build", "--workspace", ws)
    assert result.exit_code == 0, result.output
    build = ws / "build"
    source = (FIXTURES / "word-features.docx").read_bytes()
    english = (build / "features.en.docx").read_bytes()
    assert formatted_text(english) == formatted_text(source)  # the identity test, through the catalog
    assert pandoc(english, "docx", tmp=tmp_path) == pandoc(source, "docx", tmp=tmp_path)
    assert "据新华社报道" in pandoc((build / "features.bilingual.docx").read_bytes(), "docx", tmp=tmp_path)
    assert (build / "notes.en.md").read_text(encoding="utf-8") == SAMPLE
    assert (build / "features.bilingual.html").exists() and (build / "notes.bilingual.html").exists()


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


BAD = {
    "truncated": lambda: (FIXTURES / "word-features.docx").read_bytes()[:3000],
    "tracked": lambda: (FIXTURES / "word-tracked.docx").read_bytes(),
    "macros": lambda: docx_with_body("<w:p><w:r><w:t>宁波。</w:t></w:r></w:p>", {"word/vbaProject.bin": b"x"}),
    "encrypted": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") * 4,
    "html-named-docx": lambda: b"<!DOCTYPE html><p>\xe5\xae\x81\xe6\xb3\xa2</p>",
    "odt-named-docx": lambda: _zip({"mimetype": b"application/vnd.oasis.opendocument.text"}),
    "path-traversal": lambda: docx_with_body("<w:p><w:r><w:t>宁波。</w:t></w:r></w:p>", {"../../evil.sh": b"x"}),
    "field-never-ended": lambda: docx_with_body('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r></w:p>'),
    "xml-too-big": lambda: docx_with_body(f'<w:p><w:pPr><w:pStyle w:val="{"x" * (11 << 20)}"/></w:pPr></w:p>'),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_bad_word_file_is_one_line_and_leaves_no_catalog(ws, kind):
    (ws / "seeds" / "features.docx").unlink()
    (ws / "seeds" / "notes.md").unlink()
    (ws / "seeds" / "bad.docx").write_bytes(BAD[kind]())
    result = run("extract", "--workspace", ws)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: seeds/bad.docx:"), result.output
    assert "Traceback" not in result.output
    assert not (ws / "locales" / "bad.pot").exists()
    assert not (ws / "locales" / "en" / "LC_MESSAGES" / "bad.po").exists()
