"""Full-width forms and ASCII: the one width fold.

Chinese text writes digits, Latin letters and punctuation in two widths:
``２０２４`` and ``2024``, ``ＡＩ`` and ``AI``, ``，`` and ``,``. Unicode's
Halfwidth and Fullwidth Forms block puts each full-width ASCII character
(U+FF01–U+FF5E) at one fixed distance from its ASCII form, and the
ideographic space (U+3000) is the full-width space. Characters that have no
ASCII form (``…``, ``①``, ``、``, ``〇``) are not folded.
"""

from __future__ import annotations

#: From a full-width ASCII form to its ASCII character.
_OFFSET = 0xFEE0

#: Full-width ASCII (U+FF01–U+FF5E) and the ideographic space to ASCII, for
#: :meth:`str.translate`: one character for one, so offsets are kept.
FULLWIDTH_TO_ASCII: dict[int, int] = {code: code - _OFFSET for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


#: The Halfwidth and Fullwidth Forms block up to its half-width CJK
#: punctuation (U+FF01–U+FF65): the full-width ASCII forms that the fold
#: maps, the white parentheses ｟｠ and the half-width ｡｢｣､･. A class for a
#: regular expression's ``[...]``.
FULLWIDTH_FORMS = "\uff01-\uff65"

#: The view of the fold that reads figures: full-width digits, per cent
#: sign and full stop only (``２０．５％`` → ``20.5%``); commas, colons and
#: letters stay as written. One character for one, so offsets are kept.
DIGITS_TO_ASCII: dict[int, int] = {ord(ch): FULLWIDTH_TO_ASCII[ord(ch)] for ch in "０１２３４５６７８９％．"}


def fold_width(text: str) -> str:
    """``text`` with its full-width ASCII forms and ideographic spaces in
    ASCII (``２０２４年，ＡＩ`` → ``2024年,AI``)."""
    return text.translate(FULLWIDTH_TO_ASCII)


def fullwidth(ch: str) -> str:
    """The full-width form of a printable ASCII character (``,`` → ``，``,
    ``(`` → ``（``); the ideographic space for a space."""
    if ch == " ":
        return "\u3000"
    if not "!" <= ch <= "~":
        raise ValueError(f"no full-width form: {ch!r}")
    return chr(ord(ch) + _OFFSET)
