"""Screenshots of ``pipeline serve`` for the documentation.

Builds a demo workspace from the seed document (some segments reviewed,
some hand-written stand-ins for machine drafts with typical mistakes, stamped
as illustrations (no real engine made them), a fuzzy entry, translation-memory
suggestions and a glossary, so that every state and the checks show), serves
it on a free loopback port and saves::

    docs/review-dashboard.png
    docs/review-document.png

Run from the repository root (needs ``pip install playwright`` and Debian's
``chromium`` and ``fonts-noto-cjk``; never ``playwright install``)::

    .venv/bin/python docs/make_screenshots.py [--out docs]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
from pathlib import Path

from pipeline.catalog import load_catalog, save_catalog
from pipeline.catalog.states import set_machine_draft
from pipeline.extract import extract
from pipeline.review.session import ReviewSession
from pipeline.review.web import create_server
from pipeline.terms import Term, Termbase, save_termbase
from pipeline.tm.memory import Match
from pipeline.tm.reuse import add_suggestions
from pipeline.tm.units import Unit
from pipeline.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_a24ceba1f548592f.txt"
CHROMIUM = "/usr/bin/chromium"
REVIEWER = "Li Hua"
# The drafts below were written by hand to show the states and checks; no
# zh→en model can be had here, and the screenshot must not pass them off as
# a real engine's output, so their stamp says what they are.
MT = "illustration:hand-written-drafts@0;not-machine-output"

GLOSSARY = [
    Term("崔平", "Cui Ping", "person", "director of Yongjiang Laboratory"),
    Term("甬江实验室", "Yongjiang Laboratory", "organisation"),
    Term("宁波", "Ningbo", "place"),
    Term("成良田", "Cheng Liangtian", "person"),
]

#: Segment index (0-based) → English, accepted by the reviewer.
REVIEWED = {
    0: "New industrialization: where does Ningbo's confidence come from?",
    1: "Cui Ping: everyone is a part of new industrialization",
    2: "By our reporter Cheng Liangtian",
    3: 'To win the future, Ningbo plays its "trump card".',
    4: "Last month, Ningbo's action plan for accelerating new industrialization was issued, drawing a new "
    "blueprint for industry, developing new quality productive forces and strengthening the foundation of Ningbo's "
    "development.",
    14: "Cui Ping, director of Yongjiang Laboratory.",
    15: "(Photo by Yan Long)",
}
#: Segment index → a machine draft, with the mistakes MT makes.
DRAFTS = {
    5: '"Three full coverage" "three new breakthroughs" "four big improvements" "six first demonstrations"... '
    "The goals and plans are exciting and inspiring.",
    6: "The bugle call for Ningbo to promote new industrialization has been sounded.",
    7: "Industry has special significance for Ningbo.",
    8: "As an important advanced manufacturing base in the country, industry is the base of Ningbo's development, "
    "is the root, the advantage and the hard core of Ningbo.",
    9: "At present, Ningbo is striving to build a national new industrialization demonstration zone, constantly "
    "consolidating the advantages of Ningbo's industry and driving Ningbo to strive for the first place with "
    "industrial innovation.",
    10: "What are the laws of new industrialization?",
    11: "how to walk the road of new industrialization?",
    12: "How do strategic scientific and technological forces exert force?",
    13: "Our reporter recently interviewed Cui Pin, director of Yongjiang Lab.",
    17: "Cui Ping is very busy.",
    18: "Planning, building, recruiting, researching, serving... In recent years, Cui Ping seems to have "
    "returned to the passionate years of starting a business 30 years ago.",
}
#: A fuzzy entry: the translation of an older version of the sentence.
FUZZY = {
    19: (
        "欣慰的是，甬江实验室不负众望，不到三年时间，就已取得累累硕果。",
        "Gratifyingly, Yongjiang Laboratory has lived up to expectations, with rich results in less than three years.",
    )
}
#: Translation-memory suggestions: (percent, origin, English, numbers differ).
SUGGESTIONS = {
    13: [(86, "ningbo-daily-2023", "Our reporter interviewed Cui Ping, director of Yongjiang Laboratory.", False)],
    18: [
        (
            92,
            "ningbo-daily-2023",
            "Cui Ping seems to have returned to the passionate years of his start-up 10 years ago.",
            True,
        ),
        (78, "press-2022.tmx", "In recent years he seems to be back in the days of his first company.", False),
    ],
}
#: What the document screenshot shows: from this segment (1-based) down, focused on that one.
FIRST_SHOWN, FOCUSED, EDITED = 13, 19, 13


def demo_workspace(root: Path) -> Workspace:
    """A workspace holding the seed in every translation state."""
    (root / "seeds").mkdir(parents=True)
    shutil.copyfile(SEED, root / "seeds" / SEED.name)
    ws = Workspace(root)
    save_termbase(ws.glossary, Termbase(GLOSSARY))
    doc = extract(ws, root / "seeds" / SEED.name).doc
    path = ws.catalog_path(doc)
    catalog = load_catalog(path)
    messages = [m for m in catalog if m.id]
    for index, text in {**REVIEWED, **DRAFTS}.items():
        set_machine_draft(messages[index], text, MT)
    for index, (old_source, text) in FUZZY.items():
        messages[index].string = text
        messages[index].flags.add("fuzzy")
        messages[index].previous_id = [old_source]
    for index, suggestions in SUGGESTIONS.items():
        source = messages[index].id
        matches = [Match(Unit(source, text, origin), pct / 100, differ) for pct, origin, text, differ in suggestions]
        add_suggestions(messages[index], matches)
    save_catalog(path, catalog)
    session = ReviewSession(ws, doc, REVIEWER)
    for index, text in REVIEWED.items():
        session.accept(messages[index].id, text)
    return ws


def take_screenshots(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ws = demo_workspace(Path(tmp) / "ws")
        server = create_server(ws, "127.0.0.1", 0, REVIEWER, None)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.port}"
        paths = [out / "review-dashboard.png", out / "review-document.png"]
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1440, "height": 540})
                page.goto(base + "/")
                page.screenshot(path=str(paths[0]))
                page.set_viewport_size({"width": 1440, "height": 1000})

                page.click(".doc-link")
                page.wait_for_selector("body.ready")
                # An edit not saved yet...
                page.click(f"#seg-{EDITED} .en-text")
                page.keyboard.press("Control+a")
                page.keyboard.type("How can strategic science and technology forces play their part?")
                page.keyboard.press("Escape")
                page.wait_for_timeout(600)  # the live checks answer
                # ...and the focus on a segment with a wrong number, memory suggestions and a term.
                page.click(f"#seg-{FOCUSED} .zh-text")
                page.evaluate(f"document.querySelector('#seg-{FIRST_SHOWN}').scrollIntoView({{block: 'start'}})")
                page.wait_for_timeout(300)
                page.screenshot(path=str(paths[1]))
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
        return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="directory for the PNG files")
    for path in take_screenshots(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
