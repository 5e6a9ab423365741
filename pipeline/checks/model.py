"""The vocabulary of the quality checks: severities, checks, findings and the
context a check sees.

A check is a small function ``(source, target, context)`` that yields one
line of text per problem it finds; :func:`pipeline.checks.run_checks` turns
each line into a :class:`Finding` that says where the problem is. Checks
know nothing about files, catalogs or documents, so they are tested with
plain strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from babel.messages.catalog import Message

from ..catalog.annotations import NO_CHECK_FLAG, block_parts, block_types
from ..segment.model import BlockType, Part
from ..segment.rules import PHOTO_CREDIT_RE, SPEAKER_LABEL_RE
from ..terms import Termbase

#: The flag that silences one check on one entry: ``#, no-check-numbers``.
NO_CHECK_PREFIX = NO_CHECK_FLAG
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


class Severity(str, Enum):
    """How bad a finding is. ``pipeline check --strict`` fails on errors."""

    ERROR = "error"  # the English says something else, or is not English
    WARNING = "warning"  # probably wrong; a reviewer should look
    INFO = "info"  # worth knowing, nothing to fix

    @property
    def rank(self) -> int:
        """0 for the most severe, for sorting."""
        return list(Severity).index(self)


#: A check: ``(source, target, context)`` → one line per problem.
CheckFunction = Callable[[str, str, "CheckContext"], Iterable[str]]


@dataclass(frozen=True)
class Check:
    """One quality check, as listed in the registry."""

    code: str
    severity: Severity
    title: str
    function: CheckFunction

    @property
    def flag(self) -> str:
        """The PO flag that silences this check on an entry."""
        return NO_CHECK_PREFIX + self.code

    def run(self, source: str, target: str, context: CheckContext) -> list[str]:
        """The problems this check finds in one entry, one line each (a line
        break quoted from a translation becomes a space)."""
        return [_LINE_BREAKS.sub(" ", problem) for problem in self.function(source, target, context)]


@dataclass(frozen=True)
class Finding:
    """A problem in one entry of a document's catalog."""

    document: str
    location: str  # ``seeds/<file>:<line>`` of the entry's first location, or its msgid
    code: str
    severity: Severity
    message: str  # one line
    msgid: str

    def as_dict(self) -> dict[str, str]:
        return {
            "document": self.document,
            "location": self.location,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "msgid": self.msgid,
        }


#: Block types whose English legitimately drops the final full stop.
HEADING_TYPES = frozenset(
    t.value
    for t in (BlockType.TITLE, BlockType.SUBTITLE, BlockType.HEADING, BlockType.SECTION_NUMBER, BlockType.BYLINE)
)


@dataclass(frozen=True)
class CheckContext:
    """What a check may know about an entry besides its source and target."""

    block_types: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    termbase: Termbase | None = None

    @classmethod
    def for_message(cls, message: Message, termbase: Termbase | None = None) -> CheckContext:
        """The context of a catalog entry, read from its ``#. type:`` comments."""
        return cls(tuple(block_types(message)), tuple(block_parts(message)), termbase)

    @property
    def heading_like(self) -> bool:
        """Every block the entry stands in is a title, heading, byline or
        section number: English drops the final full stop there."""
        return bool(self.block_types) and all(t in HEADING_TYPES for t in self.block_types)

    def is_photo_credit(self, source: str) -> bool:
        """A photo credit: （严龙 摄）, （资料图片）."""
        return Part.PHOTO_CREDIT.value in self.parts or bool(PHOTO_CREDIT_RE.fullmatch(source.strip()))

    def is_speaker_label(self, source: str) -> bool:
        """A question-and-answer label: 记者：, 崔平：."""
        return Part.SPEAKER_LABEL.value in self.parts or bool(SPEAKER_LABEL_RE.fullmatch(source.strip()))
