"""Cost of the Word and Markdown formats: a 200-page DOCX and a 1 MB
Markdown file, read (as extract reads them) and written (as build writes
them), and the same at twice the size (a ratio near 2 is linear).

Not a test: it prints figures. The documents are made from the seed's
paragraphs, repeated:

* DOCX: each paragraph cut into runs of 3 to 9 characters with different
  edit-session ids (as Word cuts them), every third paragraph with a bold
  run, a hyperlink and a footnote reference, a two-column table every 20
  paragraphs; a page is 750 Chinese characters (A4, 11 pt, single spacing).
* Markdown: headings, paragraphs with emphasis, links and code spans,
  block quotes, list items and a table every 20 paragraphs.

"read" is sniffing, parsing and segmenting (the Document extract makes);
"write" is ``.en.docx`` / ``.en.md`` with every segment translated (a
changed text, so every paragraph is rebuilt), "bilingual" the
``.bilingual.docx`` table. Seconds of CPU time (``process_time``: the
machine is shared, and wall time moves with the neighbours' load), best
of ``--runs`` (default 3).

    .venv/bin/python -m benchmarks.bench_docx [--pages 200] [--md-mb 1] [--runs 3]
"""

from __future__ import annotations

import argparse
import time
from html import escape

from benchmarks.measure import SEED_DOCUMENT
from pipeline.editions.model import Coverage, Edition, EditionBlock, EditionSegment, Shown
from pipeline.formats import ReadContext, get_format, read_document
from pipeline.formats import docx as D
from pipeline.formats import markdown as M
from pipeline.testing.docx_files import docx_with_body

CHARS_PER_PAGE = 750


def seed_paragraphs() -> list[str]:
    text = SEED_DOCUMENT.read_text(encoding="utf-8")
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def _runs(text: str, k: int) -> str:
    out, pos, n = [], 0, 0
    while pos < len(text):
        step = 3 + (k + n) % 7
        rsid = f"{(k * 31 + n) % 997:08X}"
        out.append(f'<w:r w:rsidR="{rsid}"><w:t xml:space="preserve">{escape(text[pos : pos + step])}</w:t></w:r>')
        pos, n = pos + step, n + 1
    return "".join(out)


def make_docx(pages: int) -> bytes:
    paragraphs = seed_paragraphs()
    body, chars, k, notes = [], 0, 0, []
    while chars < pages * CHARS_PER_PAGE:
        text = paragraphs[k % len(paragraphs)]
        if k % 3 == 0 and len(text) > 12:
            note = len(notes) + 1
            notes.append(f'<w:footnote w:id="{note + 1}"><w:p><w:r><w:t>注释{note}。</w:t></w:r></w:p></w:footnote>')
            xml = (
                _runs(text[:4], k)
                + f"<w:r><w:rPr><w:b/></w:rPr><w:t>{escape(text[4:8])}</w:t></w:r>"
                + f'<w:hyperlink w:anchor="a{k}"><w:r><w:t>{escape(text[8:12])}</w:t></w:r></w:hyperlink>'
                + '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                + f'<w:footnoteReference w:id="{note + 1}"/></w:r>'
                + _runs(text[12:], k)
            )
        else:
            xml = _runs(text, k)
        body.append(f"<w:p>{xml}</w:p>")
        if k % 20 == 19:
            cell = "<w:tc><w:p><w:r><w:t>表格单元。</w:t></w:r></w:p></w:tc>"
            body.append(f"<w:tbl><w:tr>{cell}{cell}</w:tr></w:tbl>")
        chars += len(text)
        k += 1
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    rel = (
        '<Relationship Id="rIdFn" Target="footnotes.xml" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/footnotes"/></Relationships>'
    )
    over = (
        '<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.footnotes+xml"/></Types>'
    )
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {ns}>{"".join(notes)}</w:footnotes>'
    )
    return docx_with_body(
        "".join(body),
        extra_parts={"word/footnotes.xml": footnotes},
        patch={
            "word/_rels/document.xml.rels": lambda data: data.replace(b"</Relationships>", rel.encode()),
            "[Content_Types].xml": lambda data: data.replace(b"</Types>", over.encode()),
        },
    )


def make_markdown(megabytes: float) -> bytes:
    paragraphs = seed_paragraphs()
    out, size, k = [], 0, 0
    while size < megabytes * 1_000_000:
        text = paragraphs[k % len(paragraphs)]
        if k % 10 == 0:
            out.append(f"## {text[:20]}")
        elif k % 20 == 7:
            out.append(f"| 指标 | {text[:10]} |\n| --- | --- |\n| 规模 | {text[10:20]} |")
        elif k % 5 == 1:
            out.append(f"> {text[:6]}**{text[6:10]}**{text[10:]}")
        elif k % 5 == 2:
            out.append(f"- {text[:8]}[{text[8:12]}](https://example.org/{k}){text[12:]}")
        else:
            out.append(f"{text[:5]}*{text[5:9]}*{text[9:15]}`code {k}`{text[15:]}")
        size += len(out[-1].encode("utf-8")) + 2
        k += 1
    return ("\n\n".join(out) + "\n").encode("utf-8")


def edition(document) -> Edition:
    blocks = [
        EditionBlock(
            b.type, b.text, [EditionSegment(s.text, s.text + " EN", Shown.REVIEWED, s.part) for s in b.segments]
        )
        for b in document.blocks
    ]
    n = sum(len(b.segments) for b in blocks)
    return Edition(document.name, blocks, Coverage(n, n, n, 0))


def best_of(runs: int, func) -> float:
    """The least CPU time of ``runs`` calls of ``func``."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        func()
        best = min(best, time.process_time() - start)
    return best


def measure(fmt_name: str, data: bytes, where: str, runs: int, bilingual: bool) -> dict:
    fmt = get_format(fmt_name)
    ctx = ReadContext("bench", where)
    document = read_document(fmt, data, ctx)
    ed = edition(document)
    writer = D.write_english if fmt_name == "docx" else M.write_english
    row = {
        "MB": len(data) / 1e6,
        "segments": sum(len(b.segments) for b in document.blocks),
        "read": best_of(runs, lambda: read_document(fmt, data, ctx)),
        "write": best_of(runs, lambda: writer(document, ed)),
    }
    if bilingual:
        row["bilingual"] = best_of(runs, lambda: D.write_bilingual(document, ed))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--md-mb", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| source | size | MB | segments | read s | write s | bilingual s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    rows = []
    for scale in (1, 2):
        data = make_docx(args.pages * scale)
        row = measure("docx", data, "bench.docx", args.runs, True)
        rows.append(("DOCX", f"{args.pages * scale} pages", row))
    for scale in (1, 2):
        data = make_markdown(args.md_mb * scale)
        row = measure("markdown", data, "bench.md", args.runs, False)
        rows.append(("Markdown", f"{args.md_mb * scale:g} MB", row))
    for name, size, row in rows:
        bilingual = f"{row['bilingual']:.2f}" if "bilingual" in row else "–"
        figures = f"{row['MB']:.2f} | {row['segments']} | {row['read']:.2f} | {row['write']:.2f} | {bilingual}"
        print(f"| {name} | {size} | {figures} |")
    for name in ("DOCX", "Markdown"):
        a, b = (r for n, _, r in rows if n == name)
        print(f"{name}: ×2 size → read ×{b['read'] / a['read']:.2f}, write ×{b['write'] / a['write']:.2f}")


if __name__ == "__main__":
    main()
