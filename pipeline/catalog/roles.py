"""Who may do what in review: the workspace's roles, from ``pipeline.toml``.

::

    [review]
    approvers = ["Bo Wang", "Ann Li"]
    allow_self_approval = false

- Anyone may translate: accept a draft, edit, reject, import.
- Only an approver may approve or unapprove an entry, and never an entry
  they wrote or accepted last themselves, unless ``allow_self_approval``
  (a one-person desk). Who wrote it last is the entry's ``reviewed-by``
  record, or the document's history when the record is gone.
- An approved entry may be changed only by an approver (as in Weblate,
  where approved strings are editable only by reviewers); a change of its
  text demotes it to translated, so another approver signs the new text off.

**Names.** A person is compared under one key, :func:`name_key`: the
name in Unicode NFKC form, case-folded, with each run of whitespace made
one space and the ends stripped. ``Bo Wang``, ``bo wang``, ``BO  WANG``,
``Bo\u00a0Wang`` and the full-width ``Ｂｏ Ｗａｎｇ`` are one person, so
none of these spellings lets an approver approve their own translation,
and each of them is an approver when one of them is listed. Every
comparison of two names (these checks, :func:`pipeline.catalog.states.state_of`
under roles) goes through it; the names themselves are kept as written.

Every refusal is a :class:`RoleRefused`, one line. A workspace with no
approvers configured cannot approve; its approved entries (from a cloned
catalog) can still be changed by anyone, which demotes them.

The roles are the workspace's, read by review and by the stages that
count approvals (``status``, ``build --approved-only``), so they live in
the catalog layer; :mod:`pipeline.review.roles` is the name review code
imports them by.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..config import load_config
from ..errors import PipelineError
from ..workspace import Workspace


class RoleRefused(PipelineError):
    """A decision the reviewer's role does not allow."""


def name_key(name: str) -> str:
    """The key under which two spellings of a person's name are the same
    person (see the module's docstring): NFKC, case-folded, whitespace
    runs made one space, stripped."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def display_name(name: str) -> str:
    """``name`` as it is written into a catalog: its whitespace runs made
    one space, the ends stripped (the spelling and case are the person's)."""
    return " ".join(name.split())


def same_person(a: str | None, b: str | None) -> bool:
    """Whether the names ``a`` and ``b`` are one person's (None is nobody)."""
    return a is not None and b is not None and name_key(a) == name_key(b)


def is_listed(name: str | None, approvers) -> bool:
    """Whether ``name`` is one of ``approvers`` (under :func:`name_key`)."""
    return name is not None and name_key(name) in {name_key(a) for a in approvers}


@dataclass(frozen=True)
class Roles:
    approvers: frozenset[str] = frozenset()
    allow_self_approval: bool = False
    _keys: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_keys", frozenset(name_key(a) for a in self.approvers))

    def is_approver(self, name: str | None) -> bool:
        return name is not None and name_key(name) in self._keys

    def check_approve(self, who: str, translator: str | None, verb: str = "approve") -> None:
        """Refuse ``who`` approving (or unapproving) an entry last written by ``translator``."""
        if not self.approvers:
            raise RoleRefused(f"nobody may {verb}: no approvers in pipeline.toml (review.approvers)")
        if not self.is_approver(who):
            raise RoleRefused(f"{who} may not {verb}: not in review.approvers ({', '.join(sorted(self.approvers))})")
        if verb == "approve" and same_person(translator, who) and not self.allow_self_approval:
            raise RoleRefused(
                f"{who} may not approve their own translation (review.allow_self_approval is false); "
                "another approver must"
            )

    def check_change_approved(self, who: str) -> None:
        """Refuse a translator's change of an approved entry."""
        if self.approvers and not self.is_approver(who):
            raise RoleRefused(
                f"this entry is approved; only an approver ({', '.join(sorted(self.approvers))}) may change it"
            )


def roles_for(ws: Workspace) -> Roles:
    """The roles of ``ws``, from its ``pipeline.toml`` (defaults without one)."""
    config = load_config(Path(ws.root))
    return Roles(frozenset(config["review.approvers"]), bool(config["review.allow_self_approval"]))
