"""The ``placeholders`` check: the inline tags of a formatted source come
through the translation.

A msgid from an HTML, Markdown or Word source carries its inline
formatting as numbered tags (``据<1>新华社</1>报道，<2/>…``, see
:mod:`pipeline.inline`). The translation must hold every tag of the msgid
exactly once, no other, with pairs properly nested; their order may change
(English word order differs). A missing, extra, duplicated or badly nested
tag is an error: the build cannot put the formatting back, and shows the
source instead.

The ``refused-character`` check: a translation holding a character
:mod:`pipeline.textsafety` refuses (a control character, a bidirectional
override that would reorder the page around it) is an error too, for
every format: the build shows the source instead (typed in another editor;
the review app and the terminal refuse them).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..inline import tag_problems
from ..textsafety import describe, first_unsafe
from .model import CheckContext


def check_placeholders(source: str, target: str, context: CheckContext) -> Iterator[str]:
    yield from tag_problems(source, target)


def check_refused_characters(source: str, target: str, context: CheckContext) -> Iterator[str]:
    index = first_unsafe(target)
    if index is not None:
        yield describe(target, index) + " (the build shows the source)"
