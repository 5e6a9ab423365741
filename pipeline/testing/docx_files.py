"""Word files made from raw WordprocessingML, for tests and benchmarks:
python-docx's own template with another body (and parts added or patched),
so that every file is one Word and LibreOffice open."""

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
