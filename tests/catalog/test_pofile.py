"""The strict PO reader and the writer, in memory."""

from __future__ import annotations

import io

import polib
import pytest

from pipeline.catalog.pofile import po_bytes, read_po, write_po
from pipeline.catalog.states import State, state_of
from pipeline.errors import CatalogError

HEADER = """\
# Translations of seeds/doc.txt from Chinese (zh-Hans).
#
msgid ""
msgstr ""
"Project-Id-Version: doc 1.0\\n"
"Report-Msgid-Bugs-To: \\n"
"POT-Creation-Date: 2024-03-01 08:00+0000\\n"
"PO-Revision-Date: 2024-03-02 09:30+0000\\n"
"Last-Translator: Li Hua <li@example.org>\\n"
"Language: en\\n"
"Language-Team: English\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"X-Source-Language: zh_Hans\\n"
"X-Poedit-Basepath: ..\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Generated-By: Babel 2.14.0\\n"
"""

ENTRIES = """
# checked against the printed page
#. type: body
#: seeds/doc.txt:9
msgid "决胜未来发展，宁波打出一张“王牌”。"
msgstr "To win the future, Ningbo plays a trump card."

#. type: qa-turn
#: seeds/doc.txt:88
#, fuzzy
#| msgid "《行动纲要》提出到2027年要实现“三个新突破”。"
msgid "《行动纲要》提出到2028年要实现“三个新突破”。"
msgstr "The Action Outline aims for three new breakthroughs by 2027."

# mt: argos-zh-en-1.9
#. type: body
#: seeds/doc.txt:15 seeds/doc.txt:40
#, fuzzy
msgid "宁波推进新型工业化的冲锋号已经吹响。"
msgstr "Ningbo has sounded the bugle."

#. type: caption, part: photo-credit
#: seeds/doc.txt:24
msgid "（严龙 摄）"
msgstr ""

# an old translator note
#~ msgid "崔平很忙。"
#~ msgstr "Cui Ping is busy."

#, fuzzy
#~ msgid "旧的机器草稿。"
#~ msgstr "An old machine draft."
"""

PO = HEADER + ENTRIES


def read(text: str | bytes, name: str = "locales/en/LC_MESSAGES/doc.po"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_po(io.BytesIO(data), name)


def error(text: str | bytes, name: str = "doc.po") -> str:
    with pytest.raises(CatalogError) as info:
        read(text, name)
    message = str(info.value)
    assert "\n" not in message
    return message


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based number of the ``nth`` line of ``text`` that contains ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[nth - 1]


# --- Round trip ------------------------------------------------------------------


def test_round_trip_keeps_entries():
    catalog = read(PO)
    ids = [m.id for m in catalog if m.id]
    assert ids == [
        "决胜未来发展，宁波打出一张“王牌”。",
        "《行动纲要》提出到2028年要实现“三个新突破”。",
        "宁波推进新型工业化的冲锋号已经吹响。",
        "（严龙 摄）",
    ]
    again = read(po_bytes(catalog))
    assert [(m.id, m.string, m.locations, m.auto_comments) for m in again if m.id] == [
        (m.id, m.string, m.locations, m.auto_comments) for m in catalog if m.id
    ]
    assert again["宁波推进新型工业化的冲锋号已经吹响。"].locations == [("seeds/doc.txt", 15), ("seeds/doc.txt", 40)]


def test_round_trip_is_byte_stable():
    once = po_bytes(read(PO))
    assert po_bytes(read(once)) == once


def test_read_po_and_write_po_take_file_objects():
    """Babel's signatures, ``read_po(fileobj)`` and ``write_po(fileobj,
    catalog)``; the caller's file objects are left open."""
    source = io.BytesIO(po_bytes(read(PO)))
    catalog = read_po(source, "doc.po")
    out = io.BytesIO()
    write_po(out, catalog)
    assert not source.closed and not out.closed
    assert out.getvalue() == source.getvalue()
    assert [m.id for m in read_po(io.BytesIO(out.getvalue())) if m.id] == [m.id for m in read(PO) if m.id]


def test_round_trip_keeps_flags_and_translator_comments():
    catalog = read(po_bytes(read(PO)))
    assert catalog["决胜未来发展，宁波打出一张“王牌”。"].user_comments == ["checked against the printed page"]
    assert catalog["决胜未来发展，宁波打出一张“王牌”。"].flags == set()
    draft = catalog["宁波推进新型工业化的冲锋号已经吹响。"]
    assert draft.flags == {"fuzzy"}
    assert draft.user_comments == ["mt: argos-zh-en-1.9"]
    assert state_of(draft) is State.MACHINE_DRAFT


def test_round_trip_keeps_the_previous_msgid():
    text = po_bytes(read(PO)).decode("utf-8")
    assert '#| msgid "《行动纲要》提出到2027年要实现“三个新突破”。"' in text
    assert "# |" not in text  # not turned into a translator comment
    catalog = read(text)
    changed = catalog["《行动纲要》提出到2028年要实现“三个新突破”。"]
    assert changed.previous_id == ["《行动纲要》提出到2027年要实现“三个新突破”。"]
    assert changed.user_comments == []
    assert state_of(changed) is State.FUZZY


def test_previous_msgid_over_several_lines():
    po = HEADER + '\n#, fuzzy\n#| msgid ""\n#| "第一行"\n#| "第二行"\nmsgid "新的"\nmsgstr "New"\n'
    assert read(po)["新的"].previous_id == ["第一行第二行"]


def test_round_trip_keeps_obsolete_entries_and_their_state():
    catalog = read(po_bytes(read(PO)))
    assert set(catalog.obsolete) == {"崔平很忙。", "旧的机器草稿。"}
    reviewed = catalog.obsolete["崔平很忙。"]
    assert (reviewed.string, reviewed.user_comments, reviewed.flags) == (
        "Cui Ping is busy.",
        ["an old translator note"],
        set(),
    )
    # A fuzzy obsolete entry stays fuzzy: revived, it must not count as reviewed.
    assert catalog.obsolete["旧的机器草稿。"].flags == {"fuzzy"}
    text = po_bytes(catalog).decode("utf-8")
    assert '#, fuzzy\n#~ msgid "旧的机器草稿。"' in text


def test_obsolete_previous_msgid_is_accepted():
    # msgmerge and Poedit write "#~|" for obsolete entries that were fuzzy.
    po = HEADER + '\n#, fuzzy\n#~| msgid "更旧的。"\n#~ msgid "旧的。"\n#~ msgstr "Old."\n'
    assert read(po).obsolete["旧的。"].string == "Old."


def test_round_trip_keeps_unknown_headers():
    catalog = read(po_bytes(read(PO)))
    assert catalog.extra_headers == {"X-Source-Language": "zh_Hans", "X-Poedit-Basepath": ".."}
    text = po_bytes(catalog).decode("utf-8")
    assert '"X-Source-Language: zh_Hans\\n"' in text
    assert '"X-Poedit-Basepath: ..\\n"' in text
    assert catalog.last_translator == "Li Hua <li@example.org>"


def test_bom_is_accepted():
    catalog = read(b"\xef\xbb\xbf" + PO.encode("utf-8"))
    assert [m.id for m in catalog if m.id] == [m.id for m in read(PO) if m.id]
    assert len(catalog) == 4
    assert catalog.extra_headers["X-Source-Language"] == "zh_Hans"


def test_polib_loads_what_we_write():
    text = po_bytes(read(PO)).decode("utf-8")
    po = polib.pofile(text)
    active = {e.msgid: e for e in po if not e.obsolete}
    assert len(active) == 4
    changed = active["《行动纲要》提出到2028年要实现“三个新突破”。"]
    assert changed.previous_msgid == "《行动纲要》提出到2027年要实现“三个新突破”。"
    assert "fuzzy" in changed.flags
    assert po.metadata["X-Poedit-Basepath"] == ".."
    obsolete = {e.msgid: e for e in po.obsolete_entries()}
    assert set(obsolete) == {"崔平很忙。", "旧的机器草稿。"}
    assert "fuzzy" in obsolete["旧的机器草稿。"].flags
    assert po.percent_translated() == 25  # one of four active entries is translated and not fuzzy


def test_msgfmt_accepts_what_we_write(msgfmt_check):
    msgfmt_check(po_bytes(read(PO)))


# --- Strict errors with file:line -----------------------------------------------


def test_unbalanced_quote():
    po = PO.replace('msgstr "Ningbo has sounded the bugle."', 'msgstr "Ningbo has sounded the bugle.')
    number = line_of(po, "Ningbo has sounded the bugle.")
    assert error(po) == f"doc.po:{number}: unterminated string"


def test_git_conflict_marker():
    po = PO.replace(
        'msgstr "To win the future, Ningbo plays a trump card."',
        '<<<<<<< HEAD\nmsgstr "To win the future, Ningbo plays a trump card."\n'
        '=======\nmsgstr "Winning the future."\n>>>>>>> theirs',
    )
    number = line_of(po, "<<<<<<< HEAD")
    message = error(po)
    assert message.startswith(f"doc.po:{number}: ")
    assert "conflict" in message


def test_duplicate_msgid_reports_both_lines():
    po = PO + '\n#: seeds/doc.txt:99\nmsgid "决胜未来发展，宁波打出一张“王牌”。"\nmsgstr "Again."\n'
    first = line_of(po, 'msgid "决胜未来发展', 1)
    second = line_of(po, 'msgid "决胜未来发展', 2)
    message = error(po)
    assert message.startswith(f"doc.po:{second}: duplicate")
    assert f"line {first}" in message


def test_same_msgid_in_different_contexts_is_no_duplicate():
    po = HEADER + '\nmsgctxt "a"\nmsgid "好"\nmsgstr "Good"\n\nmsgctxt "b"\nmsgid "好"\nmsgstr "Fine"\n'
    assert len([m for m in read(po) if m.id]) == 2


def test_header_charset_not_utf8():
    po = PO.replace("charset=UTF-8", "charset=ISO-8859-1")
    number = line_of(po, "charset=ISO-8859-1")
    message = error(po)
    assert message.startswith(f"doc.po:{number}: ")
    assert "charset" in message and "UTF-8" in message


def test_non_utf8_bytes():
    data = PO.encode("gb18030")  # the header still says UTF-8
    number = line_of(PO, "决胜未来发展")  # the first line with Chinese text
    message = error(data)
    assert message.startswith(f"doc.po:{number}: not valid UTF-8")


def test_text_outside_an_entry():
    po = PO.replace('msgstr ""\n\n# an old', 'msgstr ""\nstray words\n\n# an old')
    number = line_of(po, "stray words")
    assert error(po).startswith(f"doc.po:{number}: ")


def test_error_names_the_file_it_was_given():
    assert error('msgid "x\n', name="locales/en/LC_MESSAGES/other.po").startswith("locales/en/LC_MESSAGES/other.po:1:")


# --- Wrapping (pipeline.catalog.pofile.wrap_string) -------------------------------
# GNU gettext's rule; tests/interop/test_gettext.py compares whole catalogs
# with the real msgcat.


def _unwrap(wrapped: str, prefix: str) -> str:
    from babel.messages.pofile import denormalize

    lines = [line.removeprefix(prefix) for line in wrapped.split("\n")]
    lines[0] = lines[0].split(" ", 1)[1]  # the keyword
    return denormalize("\n".join(lines))


def test_wrapping_fills_79_columns_by_display_width():
    from pipeline.catalog.linebreak import display_width
    from pipeline.catalog.pofile import wrap_string

    han = "上月，《宁波市加快推进新型工业化行动纲要》正式印发，绘就工业发展新蓝图，发展新质生产力，夯实宁波发展底座。"
    wrapped = wrap_string(han, "msgid")
    assert wrapped == (
        'msgid ""\n'
        '"上月，《宁波市加快推进新型工业化行动纲要》正式印发，绘就工业发展新蓝图，发展"\n'
        '"新质生产力，夯实宁波发展底座。"'
    )
    assert all(display_width(line) <= 79 for line in wrapped.split("\n"))
    english = "Last month, the Ningbo Action Plan for Accelerating New Industrialization was officially issued."
    assert wrap_string(english, "msgstr").split("\n")[1:] == [
        '"Last month, the Ningbo Action Plan for Accelerating New Industrialization "',
        '"was officially issued."',
    ]


def test_wrapping_breaks_after_each_line_feed_and_never_inside_an_escape():
    from pipeline.catalog.pofile import wrap_string

    assert wrap_string("one\ntwo", "msgid") == 'msgid ""\n"one\\n"\n"two"'
    assert wrap_string("ends\n", "msgid") == 'msgid "ends\\n"'
    assert wrap_string("", "msgstr") == 'msgstr ""'
    quoted = 'a "' + "x" * 70 + '" \\ b\tc'
    lines = wrap_string(quoted, "msgid").split("\n")
    assert not any(line.startswith(('"n', '"t', '""\\')) for line in lines[1:])
    # no-wrap: one line per line of text, however long
    assert wrap_string("y" * 200 + "\nz", "msgid", width=0) == 'msgid ""\n"' + "y" * 200 + '\\n"\n"z"'


def test_wrapped_text_reads_back_exactly():
    import random

    from pipeline.catalog.pofile import wrap_string

    alphabet = [*"ab Z9_-中。—.!,'\"&?\t\n\\é٣\u3000“”（）《》、", "--", "a-b", "中文", "Ningbo "]
    rng = random.Random(2)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))
        for prefix in ("", "#~ ", "#| "):
            assert _unwrap(wrap_string(text, "msgid", prefix), prefix) == text


def test_an_obsolete_translation_ending_in_a_space_reads_back_unchanged():
    catalog = read(PO)
    text = "xxxx " + "y" * 66 + " "  # Babel wrote "...y \n"
    catalog.obsolete["崔平很忙。"].string = text
    again = read(po_bytes(catalog))
    assert again.obsolete["崔平很忙。"].string == text


def test_a_200k_character_line_is_written_whole_and_read_back(msgfmt_check):
    """A line of Han characters without punctuation: Babel's wrapper took
    minutes on it (quadratic); the file must stay a valid catalog, wrapped
    as gettext wraps it."""
    import random

    rng = random.Random(3)
    han = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(200_000))
    english = " ".join("word" for _ in range(40_000))
    catalog = read(PO)
    catalog.add(han, string=english, locations=[("seeds/doc.txt", 99)], flags={"fuzzy"}, previous_id=[han[:-1]])
    catalog.obsolete[han[1:]] = catalog.obsolete["崔平很忙。"].clone()
    catalog.obsolete[han[1:]].id = han[1:]
    data = po_bytes(catalog)
    text = data.decode("utf-8")
    # Han characters are break opportunities: every line fits in 79 columns.
    from pipeline.catalog.linebreak import display_width

    assert max(display_width(line) for line in text.splitlines()) <= 79
    assert f'\nmsgid ""\n"{han[:38]}"\n' in text
    msgfmt_check(data)

    again = read(data)
    assert again[han].string == english and again[han].previous_id == [han[:-1]]
    assert again.obsolete[han[1:]].string == "Cui Ping is busy."
    assert po_bytes(again) == data
    po = polib.pofile(text)
    entry = po.find(han)
    assert entry.msgstr == english and entry.previous_msgid == han[:-1]
    assert po.find(han[1:], include_obsolete_entries=True).obsolete
