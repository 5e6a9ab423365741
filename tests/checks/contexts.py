"""Contexts and a helper shared by the tests of the checks: an entry in
body text, a heading, a title, a photo credit, a speaker label."""

from __future__ import annotations

from pipeline.checks import CHECKS_BY_CODE
from pipeline.checks.model import CheckContext

BODY = CheckContext(block_types=("body",))
HEADING = CheckContext(block_types=("heading",))
TITLE = CheckContext(block_types=("title",))
CREDIT = CheckContext(block_types=("caption",), parts=("photo-credit",))
LABEL = CheckContext(block_types=("qa-turn",), parts=("speaker-label",))


def problems(code: str, source: str, target: str, context: CheckContext = BODY) -> list[str]:
    return CHECKS_BY_CODE[code].run(source, target, context)
