"""``<doc>.bilingual.html``: Chinese and English side by side, one row per
paragraph, sentences aligned. One standalone file, no external assets.

Every piece of text goes through :func:`html.escape`; nothing from the
source document or the catalog is ever written unescaped. The page's only
style and script are :data:`STYLE` and :data:`SCRIPT`, inline;
:data:`CONTENT_SECURITY_POLICY` allows exactly those, by hash, for a server
that shows the page (``pipeline serve``).
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from string import Template

from ..languages import SOURCE, TARGET
from ..segment import BlockType, Part
from .model import Edition, EditionBlock, Shown

#: A "\" at the end of a line joins it to the next: the page keeps one rule per line.
STYLE = Template("""
:root { --ink:#1d1d1f; --muted:#6b6b70; --rule:#e3e3e8; --hi:#ffe9a8; \
--draft:#e8f0ff; --draft-ink:#2456a6; --untr:#fff0f0; --untr-ink:#a12a2a; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; color: var(--ink); \
font: 16px/1.6 Georgia, "Times New Roman", serif; }
[lang="$source"] { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun", serif; }
header { border-bottom: 2px solid var(--ink); margin-bottom: 1rem; }
header h1 { font-size: 1.5rem; line-height: 1.3; margin: 0 0 .25rem; }
header .original { font-size: 1.1rem; margin: 0 0 .25rem; }
.meta { color: var(--muted); font-size: .85rem; margin: 0 0 .75rem; }
.legend span { margin-right: 1rem; padding: 0 .25rem; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 2rem; padding: .5rem 0; \
border-bottom: 1px solid var(--rule); break-inside: avoid; }
.row > div { min-width: 0; overflow-wrap: anywhere; }
.type-title { font-size: 1.6rem; font-weight: bold; line-height: 1.3; }
.type-subtitle { font-size: 1.2rem; font-weight: bold; }
.type-heading, .type-section-number { font-weight: bold; font-size: 1.1rem; }
.type-byline, .type-caption { font-style: italic; color: var(--muted); font-size: .92rem; }
.type-byline .zh, .type-caption .zh { font-style: normal; } /* Chinese has no italics */
.label { font-weight: bold; }
.seg { border-radius: 2px; outline: none; }
.seg:hover, .seg:focus, .seg.linked { background: var(--hi); }
.seg:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; } /* 6.4:1 on white: visible, not pale */
.machine-draft { background: var(--draft); color: var(--draft-ink); border-bottom: 1px dashed var(--draft-ink); }
.untranslated { background: var(--untr); color: var(--untr-ink); border-bottom: 1px dotted var(--untr-ink); }
@media (max-width: 720px) { .row { grid-template-columns: 1fr; gap: .25rem; } body { padding: .75rem; } }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  .seg:hover, .seg.linked { background: none; }
  .machine-draft { background: none; border-bottom: 1px dashed #000; color: #000; }
  .untranslated { background: none; border-bottom: 1px dotted #000; color: #000; }
}
""").substitute(source=SOURCE.bcp47)

# Hovering or focusing a sentence highlights its counterpart in the other column.
SCRIPT = """
(function () {
  function link(ev, on) {
    var seg = ev.target.closest && ev.target.closest('.seg');
    if (!seg) return;
    document.querySelectorAll('.seg[data-seg="' + seg.dataset.seg + '"]').forEach(function (el) {
      el.classList.toggle('linked', on);
    });
  }
  document.addEventListener('mouseover', function (ev) { link(ev, true); });
  document.addEventListener('mouseout', function (ev) { link(ev, false); });
  document.addEventListener('focusin', function (ev) { link(ev, true); });
  document.addEventListener('focusout', function (ev) { link(ev, false); });
})();
"""


def _csp_hash(code: str) -> str:
    """The CSP source that allows the inline ``<style>``/``<script>`` holding ``code``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii") + "'"


#: The Content-Security-Policy to serve a bilingual page with: its own inline
#: style and script, by hash, and nothing else (no other script, no request).
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src {_csp_hash(STYLE)}; script-src {_csp_hash(SCRIPT)}; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


_TITLES = {Shown.MACHINE_DRAFT: "machine draft, not reviewed", Shown.UNTRANSLATED: "untranslated"}


def _span(seg_id: str, text: str, classes: list[str], lang: str | None = None, title: str | None = None) -> str:
    attrs = f' class="{" ".join(classes)}" data-seg="{seg_id}" tabindex="0"'
    if lang:
        attrs += f' lang="{lang}"'
    if title:
        attrs += f' title="{escape(title)}"'
    return f"<span{attrs}>{escape(text)}</span>"


def _row(index: int, block: EditionBlock) -> str:
    zh_parts, en_parts = [], []
    pos = 0
    for k, seg in enumerate(block.segments):
        seg_id = f"{index}.{k + 1}"
        start = block.source.find(seg.source, pos)
        if start > pos:  # the text between two segments (rarely anything but nothing)
            zh_parts.append(escape(block.source[pos:start]))
        pos = max(pos, start + len(seg.source)) if start >= 0 else pos
        extra = ["label"] if seg.part is Part.SPEAKER_LABEL else []
        zh_parts.append(_span(seg_id, seg.source, ["seg", *extra]))
        en_classes = ["seg", *extra]
        if seg.shown in _TITLES:
            en_classes.append(seg.shown.value)
        lang = SOURCE.bcp47 if seg.shown is Shown.UNTRANSLATED else None
        en_parts.append(_span(seg_id, seg.target, en_classes, lang, _TITLES.get(seg.shown)))
    zh_parts.append(escape(block.source[pos:]))
    return (
        f'<div class="row type-{block.type.value}" id="p{index}">\n'
        f'  <div class="zh" lang="{SOURCE.bcp47}">{"".join(zh_parts)}</div>\n'
        f'  <div class="en" lang="{TARGET.bcp47}">{" ".join(en_parts)}</div>\n'
        f"</div>"
    )


def render_html(edition: Edition) -> str:
    """The bilingual HTML page for ``edition``."""
    cov = edition.coverage
    rows = "\n".join(_row(i, block) for i, block in enumerate(edition.blocks, start=1))
    # The heading is the document's title: in English once translated, with the Chinese beneath.
    title_block = next((b for b in edition.blocks if b.type is BlockType.TITLE), None)
    title = title_block.english if title_block else edition.name
    translated_title = title_block is not None and all(seg.translated for seg in title_block.segments)
    heading = (
        f'<h1>{escape(title)}</h1>\n<p class="original" lang="{SOURCE.bcp47}">{escape(title_block.source)}</p>'
        if translated_title
        else f'<h1 lang="{SOURCE.bcp47 if title_block else TARGET.bcp47}">{escape(title)}</h1>'
    )
    return f"""<!DOCTYPE html>
<html lang="{TARGET.bcp47}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<header>
{heading}
<p class="meta">{escape(edition.name)} · Chinese | English ·
{escape(cov.summary())}
<span class="legend"><span class="seg machine-draft">machine draft</span>\
<span class="seg untranslated">untranslated</span></span></p>
</header>
<main>
{rows}
</main>
<script>{SCRIPT}</script>
</body>
</html>
"""
