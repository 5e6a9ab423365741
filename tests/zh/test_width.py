"""The one width fold: full-width forms and ASCII."""

from __future__ import annotations

import pytest

from pipeline.zh.width import FULLWIDTH_TO_ASCII, fold_width, fullwidth


def test_fold_width():
    assert fold_width("２０２４年，ＡＩ　ｆｏｒ　Ｓｃｉｅｎｃｅ（３．５％）") == "2024年,AI for Science(3.5%)"


@pytest.mark.parametrize("text", ["……", "①", "、", "〇", "。", "“”", "宁波", "·", "—", "ｶ"])
def test_characters_without_an_ascii_form_stay(text):
    assert fold_width(text) == text


def test_one_character_for_one():
    text = "".join(chr(c) for c in range(0xFF00, 0xFF70)) + "\u3000"
    assert len(fold_width(text)) == len(text)


def test_fullwidth_is_the_inverse_of_the_fold():
    for code in range(0x20, 0x7F):
        ch = chr(code)
        assert fold_width(fullwidth(ch)) == ch
    assert len(FULLWIDTH_TO_ASCII) == 0x7F - 0x20  # the printable ASCII characters, space included


@pytest.mark.parametrize("ch", ["\t", "\n", "宁", "é", "，"])
def test_fullwidth_refuses_what_has_no_full_width_form(ch):
    with pytest.raises(ValueError):
        fullwidth(ch)
