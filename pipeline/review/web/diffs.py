"""Character diffs for the review page, computed on the server.

The page shows what a person made of the machine draft, and how the source
of a fuzzy entry changed since it was translated. The diff is by character,
except that a run of Latin letters or digits is one unit: "Draft 7." →
"Industry matters" is then two words replaced, not a scatter of the
letters they happen to share (Han characters are compared one by one). A
diff is a list of
``(op, text)`` runs, ``op`` one of ``equal``, ``delete``, ``insert``: plain
data that the page renders as text (Jinja escapes it; the script puts it in
through ``textContent``), never as markup.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

#: The most unit pairs one diff may weigh: units of the old text times units of the
#: new, once their common beginning and end are set aside. SequenceMatcher's worst
#: case grows with the cube of the length (two shuffled repeats of three Han
#: characters: 600 units each 1.4 s, 1,000 each 6.7 s, 2,000 each 70 s, on the dev
#: machine), and the page asks for a diff on every load. 500 × 500 stays under a
#: second and compares the longest sentence pair of the WMT dev corpus (443 units)
#: whole; past it the middle is shown deleted and inserted whole.
MAX_DIFF_WORK = 250_000

Diff = list[tuple[str, str]]

#: The units compared: a run of Latin letters or digits, or any other single character.
_UNIT_RE = re.compile(r"[0-9A-Za-z\u00c0-\u024f]+|.", re.DOTALL)


def char_diff(old: str, new: str) -> Diff:
    """The runs that turn ``old`` into ``new``, character by character."""
    if old == new:
        return [("equal", new)] if new else []
    a, b = _UNIT_RE.findall(old), _UNIT_RE.findall(new)
    # The common beginning and end cost nothing to find (a post-edit mostly keeps them).
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    mid_a, mid_b = a[head : len(a) - tail], b[head : len(b) - tail]
    runs: Diff = []
    _add(runs, "equal", "".join(a[:head]))
    if len(mid_a) * len(mid_b) > MAX_DIFF_WORK:
        _add(runs, "delete", "".join(mid_a))
        _add(runs, "insert", "".join(mid_b))
    else:
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, mid_a, mid_b, autojunk=False).get_opcodes():
            if tag in ("delete", "replace"):
                _add(runs, "delete", "".join(mid_a[i1:i2]))
            if tag in ("insert", "replace"):
                _add(runs, "insert", "".join(mid_b[j1:j2]))
            if tag == "equal":
                _add(runs, "equal", "".join(mid_b[j1:j2]))
    _add(runs, "equal", "".join(a[len(a) - tail :]))
    return runs


def _add(runs: Diff, op: str, text: str) -> None:
    if not text:
        return
    if runs and runs[-1][0] == op:
        runs[-1] = (op, runs[-1][1] + text)
    else:
        runs.append((op, text))
