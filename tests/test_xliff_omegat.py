"""OmegaT (Debian's ``omegat``, run headless in its console modes) opens the
XLIFF that ``pipeline xliff export --omegat`` writes, translates it, and its
translated file comes back through ``pipeline xliff import``. The entries'
comments by people travel as ``<note from="translator">``: OmegaT keeps
every note as it was, and they come back without being added twice.
(OmegaT's own notes stay in its project memory; its console modes cannot
add a note to the file, so a note added outside is tested with Translate
Toolkit in ``tests/test_xliff.py``.)

Skipped, with the reason, where OmegaT is not installed; under ``CI`` it must
be (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner
from lxml import etree

from pipeline.catalog import State, annotations, load_catalog, state_of
from pipeline.cli import main
from pipeline.review.history import read_history
from pipeline.review.session import ReviewSession

from .test_xliff import QUERY, TAGGED, _commented, team  # noqa: F401  (the fixture)

OMEGAT = shutil.which("omegat")

PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>zh-CN</source_lang>
    <target_lang>en</target_lang>
    <source_tok>org.omegat.tokenizer.LuceneSmartChineseTokenizer</source_tok>
    <target_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</target_tok>
    <sentence_seg>false</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
"""


def _omegat(project: Path, *args: str) -> None:
    result = subprocess.run(
        [OMEGAT, str(project), *args], capture_output=True, text=True, timeout=240, check=False, env=os.environ
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


@pytest.fixture
def project(tmp_path):
    if OMEGAT is None:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail("omegat is not installed; CI must install it (see .ci/run)", pytrace=False)
        pytest.skip("OmegaT is not installed (apt-get install omegat): the XLIFF is not checked against it")
    root = tmp_path / "omegat-project"
    for sub in ("source", "target", "tm", "glossary", "omegat", "dictionary"):
        (root / sub).mkdir(parents=True)
    (root / "omegat.project").write_text(PROJECT, encoding="utf-8")
    return root


def _segments(tmx: Path) -> list[str]:
    """The source segments of a TMX that OmegaT wrote, in OmegaT's own tag shortcuts (<g0>…</g0>, <x1/>)."""
    return [seg.text or "" for seg in etree.parse(str(tmx)).iterfind(".//tu/tuv[1]/seg")]


def test_omegat_opens_translates_and_gives_back_the_export(team, project, tmp_path):  # noqa: F811
    ws, doc, ids = team
    comments = _commented(ws, doc, ids)
    comments[TAGGED] = [QUERY]
    ReviewSession(ws, doc, "Li Hua").comment(TAGGED, QUERY)  # on a unit OmegaT translates
    xlf = project / "source" / f"{doc}.xlf"
    result = CliRunner().invoke(main, ["xliff", "export", doc, "-w", str(ws.root), "-o", str(xlf), "--omegat"])
    assert result.exit_code == 0, result.output

    # OmegaT opens it: every unit is a segment of its project, tags as OmegaT's own.
    pseudo = tmp_path / "pseudo.tmx"
    _omegat(project, "--mode=console-createpseudotranslatetmx", f"--pseudotranslatetmx={pseudo}")
    segments = _segments(pseudo)
    units = etree.parse(str(xlf)).getroot().findall(".//{urn:oasis:names:tc:xliff:document:1.2}trans-unit")
    assert len(segments) == len(units)
    tagged = next(s for s in segments if s.startswith("据"))
    assert tagged == "据<g0>新华社</g0>报道，<x1/>宁波加快推进新型工业化。"

    # A translator's work, as OmegaT keeps it (project_save.tmx); OmegaT writes the translated file.
    untranslated = load_catalog(ws.catalog_path(doc))[ids[-1]].id
    work = {tagged: "<g0>Xinhua</g0> reports: <x1/>Ningbo speeds up new industrialization.", untranslated: "Done."}
    tus = "".join(
        f'<tu><tuv lang="zh-CN"><seg>{escape(zh)}</seg></tuv>'
        f'<tuv lang="en" changeid="OmegaT User"><seg>{escape(en)}</seg></tuv></tu>'
        for zh, en in work.items()
    )
    (project / "omegat" / "project_save.tmx").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.1"><header creationtool="OmegaT" '
        'o-tmf="OmegaT TMX" adminlang="EN-US" datatype="plaintext" segtype="paragraph" srclang="zh-CN"/>'
        f"<body>{tus}</body></tmx>",
        encoding="utf-8",
    )
    _omegat(project, "--mode=console-translate")
    translated = project / "target" / f"{doc}.xlf"
    assert translated.is_file()
    # Every note, ours and the translators', as it was exported.
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}

    def notes(path):
        root = etree.parse(str(path)).getroot()
        return [(n.get("from"), n.get("annotates"), n.text) for n in root.iterfind(".//x:trans-unit/x:note", ns)]

    assert notes(translated) == notes(xlf)
    assert sum(origin == "translator" for origin, _, _ in notes(translated)) == sum(map(len, comments.values()))
    history_before = len(read_history(ws, doc))

    result = CliRunner().invoke(
        main, ["xliff", "import", str(translated), "-w", str(ws.root), "--translator", "OmegaT User", "--json"]
    )
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["took"] == 2 and report["refused"] == 0, report
    assert report["notes"] == [] and report["comments_added"] == 0
    assert [r.action for r in read_history(ws, doc)[history_before:]] == ["import", "import"]
    catalog = load_catalog(ws.catalog_path(doc))
    assert catalog[TAGGED].string == "<1>Xinhua</1> reports: <2/>Ningbo speeds up new industrialization."
    assert catalog[ids[-1]].string == "Done."
    assert state_of(catalog[TAGGED]) is State.TRANSLATED
    assert state_of(catalog[ids[3]]) is State.MACHINE_DRAFT  # untouched by OmegaT: still the draft
    for msgid, texts in comments.items():  # the comments, as they were, on the entries translated too
        assert annotations.people_comments(catalog[msgid]) == texts
