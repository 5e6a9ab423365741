"""Word files made from raw WordprocessingML, for tests and benchmarks:
python-docx's own template with another body (and parts added or patched),
so that every file is one Word and LibreOffice open; runs as Word writes
them (:func:`ruby_run`), links with their relationships (:func:`external_links`)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping


def docx_with_body(
    body_xml: str,
    extra_parts: Mapping[str, bytes | str] | None = None,
    patch: Mapping[str, Callable[[bytes], bytes]] | None = None,
) -> bytes:
    """A Word file from python-docx's template whose body is ``body_xml``
    (paragraphs and tables in the ``w:`` namespace); ``extra_parts`` are
    added as they are, and ``patch[name]`` rewrites the template's part
    ``name`` (a relationship or a content type for an added part)."""
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                head, _, rest = data.decode("utf-8").partition("<w:body>")
                _, _, tail = rest.partition("<w:sectPr")
                data = (head + "<w:body>" + body_xml + "<w:sectPr" + tail).encode("utf-8")
            if patch and info.filename in patch:
                data = patch[info.filename](data)
            target.writestr(info, data)
        for name, data in (extra_parts or {}).items():
            target.writestr(name, data)
    return out.getvalue()


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def external_links(targets: Mapping[str, str]) -> dict[str, Callable[[bytes], bytes]]:
    """A ``patch`` for :func:`docx_with_body` adding a hyperlink relationship
    per ``targets`` item (relationship id → URL), as Word writes one for
    ``<w:hyperlink r:id="…">``."""
    from xml.sax.saxutils import quoteattr

    rels = "".join(
        f'<Relationship Id={quoteattr(rid)} Type="{_HYPERLINK}" Target={quoteattr(url)} TargetMode="External"/>'
        for rid, url in targets.items()
    )
    return {
        "word/_rels/document.xml.rels": lambda data: data.replace(
            b"</Relationships>", rels.encode() + b"</Relationships>"
        )
    }


def ruby_run(base: str, annotation: str, rpr: str = "") -> str:
    """A run with a phonetic guide as Word writes one (Home › Phonetic
    Guide): ``annotation`` (pinyin) over ``base``, both in a run with the
    run properties ``rpr`` (``w:`` XML, e.g. ``<w:b/>``); body XML for
    :func:`docx_with_body`."""
    from lxml import etree

    def w(tag: str) -> str:
        return f"{{{W_NS}}}{tag}"

    def properties(parent, xml: str) -> None:
        holder = etree.fromstring(f'<w:rPr xmlns:w="{W_NS}"><w:rFonts w:hint="eastAsia"/>{xml}</w:rPr>')
        parent.append(holder)

    def text_run(parent, text: str, xml: str) -> None:
        run = etree.SubElement(parent, w("r"))
        properties(run, xml)
        etree.SubElement(run, w("t")).text = text

    run = etree.Element(w("r"), nsmap={"w": W_NS})
    properties(run, rpr)
    ruby = etree.SubElement(run, w("ruby"))
    guide = etree.SubElement(ruby, w("rubyPr"))
    for tag, value in (("rubyAlign", "distributeSpace"), ("hps", "10"), ("hpsRaise", "18"), ("hpsBaseText", "21")):
        etree.SubElement(guide, w(tag)).set(w("val"), value)
    etree.SubElement(guide, w("lid")).set(w("val"), "zh-CN")
    text_run(etree.SubElement(ruby, w("rt")), annotation, '<w:sz w:val="10"/>')
    text_run(etree.SubElement(ruby, w("rubyBase")), base, rpr)
    return etree.tostring(run, encoding="unicode")
