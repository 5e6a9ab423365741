"""Ruby (phonetic guides: pinyin over Chinese), the rule HTML and DOCX share.

A format reads a ruby's base text into the sentence with no code, and never
its annotation (``rt``/``rp``/``rtc`` in HTML, ``w:rt`` in DOCX), so a
translated sentence is built without ruby: pinyin over English means
nothing. For the identity build, each block that holds ruby keeps a twin
block, read with every ruby as a paired code (``block.anchor.ruby``); when
every segment of the block shows its source, the block is rebuilt from the
twin (:func:`ruby_back`), so the ruby is written back as it was.
"""

from __future__ import annotations

from types import SimpleNamespace

from ..inline import rebuild, resolve


def ruby_back(block, eblock) -> list | None:
    """The pieces of ``block`` rebuilt from its twin with ruby (see the
    module docstring) when all its segments show their source (untranslated,
    or translated as itself); None otherwise: rebuilt without ruby."""
    from ..editions.model import Shown

    twin = block.anchor.ruby
    if twin is None or twin.text != block.text or len(twin.segments) != len(block.segments):
        return None
    shows = []
    for seg, eseg, tseg in zip(block.segments, eblock.segments, twin.segments, strict=True):
        target, kept = resolve(seg.text, eseg.target)
        if target != seg.text:
            return None
        shows.append(SimpleNamespace(target=tseg.text, shown=eseg.shown if kept else Shown.UNTRANSLATED))
    return rebuild(twin, SimpleNamespace(segments=shows))
