"""The ``pipeline`` command on a temporary workspace holding a copy of the seed.

The POT of the seed is compared with the golden file
``golden/000_a24ceba1f548592f.pot`` (dates and the Babel version masked);
regenerate it with ``UPDATE_GOLDEN=1`` after an intended change and review
the diff.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
from click.testing import CliRunner

from pipeline.catalog import load_catalog, save_catalog
from pipeline.catalog.states import set_machine_draft, set_reviewed, set_untranslated
from pipeline.cli import main
from pipeline.segment import segment_document
from pipeline.workspace import Workspace
from pipeline.zh.script import HAN

DOC = "000_a24ceba1f548592f"
GOLDEN_POT = Path(__file__).parent / "golden" / f"{DOC}.pot"
EDITIONS = [".en.txt", ".en.md", ".bilingual.html", ".bilingual.md"]
HAN_RE = re.compile(f"[{HAN}]")


def run(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def ok(*args: str):
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def fails(*args: str) -> str:
    """Run a command that must fail with a one-line error (after any progress
    lines on stderr) and no traceback; return that line."""
    result = run(*args)
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("Error: ")]
    assert errors == lines[-1:], result.stderr
    return lines[-1]


def paths(ws: Path, doc: str = DOC) -> tuple[Path, Path]:
    w = Workspace(ws)
    return w.template_path(doc), w.catalog_path(doc)


def entries(catalog) -> list:
    return [m for m in catalog if m.id]


def fill(ws: Path, doc: str = DOC) -> dict[str, str]:
    """Give every entry the fake translation ``T<n>.``, reviewed; return msgid → translation."""
    _, po = paths(ws, doc)
    catalog = load_catalog(po)
    translations = {}
    for n, message in enumerate(entries(catalog), start=1):
        set_reviewed(message, f"T{n}.")
        translations[message.id] = f"T{n}."
    save_catalog(po, catalog)
    return translations


def read_edition(ws: Path, suffix: str, doc: str = DOC) -> str:
    return (ws / "build" / f"{doc}{suffix}").read_text(encoding="utf-8")


def mask(pot: str) -> str:
    return re.sub(
        r'^"(POT-Creation-Date|PO-Revision-Date|Generated-By): .*\\n"$',
        r'"\1: <masked>\\n"',
        pot,
        flags=re.MULTILINE,
    )


# --- extract ---------------------------------------------------------------------


def test_extract_writes_valid_catalogs(workspace, msgfmt_check):
    result = ok("extract", "-w", workspace)
    pot, po = paths(workspace)
    assert pot.is_file() and po.is_file()
    msgfmt_check(pot)
    msgfmt_check(po)
    template = polib.pofile(str(pot))
    catalog = polib.pofile(str(po))
    assert len(template) == len(catalog) > 50
    assert [e.msgid for e in template] == [e.msgid for e in catalog]
    assert catalog.percent_translated() == 0
    assert catalog.metadata["Language"] == "en"
    assert catalog.metadata["X-Source-Language"] == "zh_Hans"
    assert f"{DOC}: {len(catalog)} entries" in result.stderr


def test_pot_of_the_seed_matches_the_golden_file(workspace, golden):
    ok("extract", "-w", workspace)
    pot, _ = paths(workspace)
    golden(GOLDEN_POT, mask(pot.read_text(encoding="utf-8")))


def test_extract_again_is_a_no_op(workspace):
    ok("extract", "-w", workspace)
    pot, po = paths(workspace)
    before = pot.read_bytes(), po.read_bytes()
    stats = [(p.stat().st_ino, p.stat().st_mtime_ns) for p in (pot, po)]
    result = ok("extract", "-w", workspace)
    assert (pot.read_bytes(), po.read_bytes()) == before
    # Not even rewritten with the same bytes (git and make see no change).
    assert [(p.stat().st_ino, p.stat().st_mtime_ns) for p in (pot, po)] == stats
    assert f"{DOC}: unchanged" in result.stderr  # the stage cache saw nothing new

    # Without the cache the document is segmented and merged again, to the same bytes.
    (workspace / "locales" / ".pipeline-cache.json").unlink()
    result = ok("extract", "-w", workspace)
    assert "catalog unchanged" in result.stderr
    assert [(p.stat().st_ino, p.stat().st_mtime_ns) for p in (pot, po)] == stats


def test_extract_keeps_a_translated_catalog_byte_identical(workspace):
    ok("extract", "-w", workspace)
    fill(workspace)
    _, po = paths(workspace)
    before = po.read_bytes(), po.stat().st_ino
    ok("extract", "-w", workspace)
    assert (po.read_bytes(), po.stat().st_ino) == before


# --- build -----------------------------------------------------------------------


def test_build_writes_the_four_editions(workspace):
    ok("extract", "-w", workspace)
    result = ok("build", "-w", workspace)
    for suffix in EDITIONS:
        path = workspace / "build" / f"{DOC}{suffix}"
        assert path.is_file() and path.stat().st_size > 0
        assert f"build/{DOC}{suffix}" in result.stdout


def test_round_trip_extract_translate_build(workspace, seed_text, msgfmt_check):
    ok("extract", "-w", workspace)
    translations = fill(workspace)
    msgfmt_check(paths(workspace)[1])
    ok("build", "-w", workspace)
    doc = segment_document(DOC, seed_text)

    # .en.txt: one paragraph per block after repair, one blank line between.
    text = read_edition(workspace, ".en.txt")
    assert text.endswith("\n") and not text.endswith("\n\n") and not text.startswith("\n")
    assert "\n\n\n" not in text
    lines = text[:-1].split("\n")
    assert all(line for line in lines[0::2]) and all(line == "" for line in lines[1::2])
    paragraphs = text[:-1].split("\n\n")
    assert len(paragraphs) == len(doc.blocks)
    # The raw seed has 59 blank-line separated blocks; five sentences broken
    # by the page were joined (see tests/segment/test_golden_seed.py).
    raw_blocks = [c for c in re.split(r"\n[ \t\u3000]*\n", seed_text) if c.strip()]
    assert len(paragraphs) == len(raw_blocks) - 5

    # Each paragraph is its block's translations, in order; nothing is left in Chinese.
    for paragraph, block in zip(paragraphs, doc.blocks, strict=True):
        expected = " ".join(translations.get(s.text, s.text) for s in block.segments)
        assert paragraph == expected
    assert not HAN_RE.search(text)
    assert set(re.findall(r"T\d+\.", text)) == set(translations.values())

    # .bilingual.md: every source paragraph, in order, followed by its English.
    bilingual = read_edition(workspace, ".bilingual.md")
    starts, pos = [], 0
    for block in doc.blocks:
        at = bilingual.find(block.text + "\n\n", pos)
        assert at >= pos, f"{block.text!r} missing or out of order"
        starts.append(at)
        pos = at + len(block.text)
    for block, start, end in zip(doc.blocks, starts, starts[1:] + [len(bilingual)], strict=True):
        english = bilingual[start + len(block.text) : end]
        wanted = [translations[s.text] for s in block.segments if s.text in translations]
        assert re.findall(r"T\d+\.", english) == wanted
    # ... and no Chinese character of the seed is lost or doubled on the way
    # (the captions moved, so compare as multisets).
    assert Counter(HAN_RE.findall(bilingual)) == Counter(HAN_RE.findall(seed_text))


def test_reviewed_only_leaves_machine_drafts_out(workspace):
    ok("extract", "-w", workspace)
    fill(workspace)
    _, po = paths(workspace)
    catalog = load_catalog(po)
    draft = next(m for m in entries(catalog) if m.id == "崔平很忙。")
    set_machine_draft(draft, "Cui Ping is (machine) busy.", "test")
    save_catalog(po, catalog)

    ok("build", "-w", workspace)
    assert "Cui Ping is (machine) busy." in read_edition(workspace, ".en.txt")

    ok("build", "-w", workspace, "--reviewed-only")
    text = read_edition(workspace, ".en.txt")
    assert "Cui Ping is (machine) busy." not in text
    assert "崔平很忙。" in text  # the source stands in for it
    assert HAN_RE.findall(text) == list("崔平很忙")


def test_min_coverage_fails_an_untranslated_catalog(workspace):
    ok("extract", "-w", workspace)
    message = fails("build", "-w", workspace, "--min-coverage", "50")
    assert "coverage below 50%" in message and DOC in message


def test_min_coverage_passes_a_translated_catalog(workspace):
    ok("extract", "-w", workspace)
    fill(workspace)
    result = ok("build", "-w", workspace, "--min-coverage", "50")
    assert "coverage 100.0%" in result.stderr


# --- status ----------------------------------------------------------------------


def test_status(workspace):
    ok("extract", "-w", workspace)
    fill(workspace)
    _, po = paths(workspace)
    catalog = load_catalog(po)
    messages = entries(catalog)
    set_machine_draft(messages[3], "A machine draft.", "test")
    set_untranslated(messages[4])
    messages[5].flags.add("fuzzy")  # a draft of unknown origin
    save_catalog(po, catalog)
    total = len(messages)
    han = sum(len(HAN_RE.findall(m.id)) for m in messages)

    report = json.loads(ok("status", "-w", workspace, "--json").stdout)
    assert isinstance(report, list) and len(report) == 1
    (row,) = report
    assert row["doc"] == DOC
    assert row["segments"] == total
    assert (row["untranslated"], row["machine_draft"], row["fuzzy"], row["reviewed"]) == (1, 1, 1, total - 3)
    assert row["chinese_characters"] == han > 0
    assert row["english_words"] > 0
    assert row["percent_reviewed"] == round(100 * (total - 3) / total, 1)

    table = ok("status", "-w", workspace).stdout
    assert DOC in table and str(total) in table and f"{row['percent_reviewed']:.1f}%" in table


def test_status_without_catalogs_is_a_one_line_error(workspace):
    assert "extract" in fails("status", "-w", workspace)


# --- bad input -------------------------------------------------------------------


def test_binary_source(workspace):
    bad = workspace / "seeds" / "photo.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    message = fails("extract", "-w", workspace, bad)
    assert "seeds/photo.txt" in message and "binary" in message
    assert not paths(workspace, "photo")[1].exists()


def test_unsupported_source(workspace):
    bad = workspace / "seeds" / "article.pdf"
    bad.write_bytes(b"%PDF-1.7 not read")
    message = fails("extract", "-w", workspace, bad)
    assert "unsupported format '.pdf'" in message and ".html" in message


def test_missing_source(workspace):
    message = fails("extract", "-w", workspace, workspace / "seeds" / "missing.txt")
    assert "seeds/missing.txt" in message


def test_broken_catalog_is_a_one_line_error_with_file_and_line(workspace):
    ok("extract", "-w", workspace)
    _, po = paths(workspace)
    text = po.read_text(encoding="utf-8")
    po.write_text(
        text.replace('msgstr ""\n\n#. type: subtitle', 'msgstr "oops\n\n#. type: subtitle', 1), encoding="utf-8"
    )
    message = fails("build", "-w", workspace)
    assert re.search(rf"locales/en/LC_MESSAGES/{DOC}\.po:\d+: unterminated string", message)


def test_empty_source(tmp_path):
    ws = tmp_path / "ws"
    (ws / "seeds").mkdir(parents=True)
    (ws / "seeds" / "empty.txt").write_bytes(b"\n \n\n")
    result = ok("extract", "-w", ws)
    assert "warning" in result.stderr and "empty" in result.stderr
    _, po = paths(ws, "empty")
    assert entries(load_catalog(po)) == []
    ok("build", "-w", ws)
    assert (ws / "build" / "empty.en.txt").is_file()


def test_python_m_pipeline_help():
    proc = subprocess.run([sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Usage: pipeline" in proc.stdout
    for command in ("extract", "build", "status"):
        assert command in proc.stdout


# --- HTML ------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def test_bilingual_html_escapes_and_marks_states(tmp_path):
    ws = tmp_path / "ws"
    (ws / "seeds").mkdir(parents=True)
    source = f"标题\n\n他在网页里写了{SCRIPT}这段代码。又写了{IMG}。\n\n最后一段。\n"
    (ws / "seeds" / "xss.txt").write_text(source, encoding="utf-8")
    ok("extract", "-w", ws)
    _, po = paths(ws, "xss")
    catalog = load_catalog(po)
    by_id = {m.id: m for m in entries(catalog)}
    assert f"他在网页里写了{SCRIPT}这段代码。" in by_id
    set_machine_draft(by_id[f"又写了{IMG}。"], f"Then he wrote {IMG}.", "test")
    set_reviewed(by_id["标题"], "Title <b>bold</b>")
    save_catalog(po, catalog)
    ok("build", "-w", ws)

    html = read_edition(ws, ".bilingual.html", "xss")
    assert SCRIPT not in html and IMG not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count('<div class="zh" lang="zh-Hans">') == html.count('<div class="en" lang="en">') == 3

    spans = re.findall(r'<span class="([^"]*)"[^>]*>([^<]*)</span>', html)
    classes = {text: cls.split() for cls, text in spans}
    assert "machine-draft" in classes["Then he wrote &lt;img src=x onerror=alert(1)&gt;."]
    # The untranslated segments show their source in the English column, marked.
    untranslated = [text for cls, text in spans if "untranslated" in cls.split() and "seg" in cls.split()]
    assert "他在网页里写了&lt;script&gt;alert(1)&lt;/script&gt;这段代码。" in untranslated
    assert "最后一段。" in untranslated
    assert "untranslated" not in classes["Title &lt;b&gt;bold&lt;/b&gt;"]
    assert "machine-draft" not in classes["Title &lt;b&gt;bold&lt;/b&gt;"]
