"""pipeline.toml: the schema, the commented default and one-line errors."""

from __future__ import annotations

import pytest

from pipeline.config import DEFAULTS, SCHEMA, ConfigError, default_toml, load_config, parse_config


def test_the_commented_default_holds_every_key_and_reads_as_the_defaults():
    text = default_toml()
    assert parse_config(text.encode()).values == DEFAULTS.values
    for key in SCHEMA:
        assert f"# {key.leaf} = " in text
    # Uncommenting every key gives the same values, each now explicit.
    uncommented = "\n".join(line[2:] if " = " in line else line for line in text.splitlines())
    config = parse_config(uncommented.encode())
    assert config.values == DEFAULTS.values
    assert config.explicit == {key.name for key in SCHEMA}


def test_values_are_read_and_typed():
    config = parse_config(b'[engine]\nname = "ct2"\nbeam_size = 2\n[review]\napprovers = ["Li", "Wang"]\n')
    assert config["engine.name"] == "ct2" and config["engine.beam_size"] == 2
    assert config["review.approvers"] == ("Li", "Wang")
    assert config.get("engine.beam_size", override=5) == 5
    assert config.get("engine.beam_size", override=None) == 2


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            b'[engine]\nbeam_size = "four"\n',
            "pipeline.toml: engine.beam_size: expected an integer >= 1 and <= 64, got 'four'",
        ),
        (b"[engine]\nbeam_size = 0\n", "pipeline.toml: engine.beam_size: expected an integer >= 1 and <= 64, got 0"),
        (
            b"[engine]\nbeam_size = true\n",
            "pipeline.toml: engine.beam_size: expected an integer >= 1 and <= 64, got True",
        ),
        (b'[engine]\nname = "google"\n', 'pipeline.toml: engine.name: expected one of "argos", "ct2", "openai"'),
        (b"[engine]\nbeam = 2\n", "pipeline.toml: engine.beam: unknown key"),
        (b"[engin]\nname = 1\n", "pipeline.toml: engin: unknown section (did you mean engine?)"),
        (b"engine = 3\n", "pipeline.toml: engine: a section, expected a table ([engine])"),
        (b"[engine\n", "pipeline.toml: line 1: expected ']'"),
        (b"\xff\xfe", "pipeline.toml: not UTF-8"),
        (b"[review]\napprovers = [1]\n", "pipeline.toml: review.approvers: expected a list of at most"),
        # Hostile values: nan passes every comparison, inf overflows timers, 2**63-1 threads.
        (b"[engine.openai]\ntimeout = nan\n", "pipeline.toml: engine.openai.timeout: expected a number >= 1 and <= "),
        (b"[engine.openai]\ntimeout = inf\n", "pipeline.toml: engine.openai.timeout: expected a number"),
        (b"[distributed]\nlease_seconds = -inf\n", "pipeline.toml: distributed.lease_seconds: expected a number"),
        (b"[engine]\nthreads = 9223372036854775807\n", "pipeline.toml: engine.threads: expected an integer >= 0 and"),
        (b"[engine]\nbeam_size = 100000\n", "pipeline.toml: engine.beam_size: expected an integer >= 1 and <= 64"),
        (b"[engine]\nbatch_size = 9223372036854775807\n", "pipeline.toml: engine.batch_size: expected an integer"),
        # An integer beyond any float, for a number key (TOML's reader gives it whole).
        (
            b"[engine.openai]\ntimeout = 1" + b"0" * 400 + b"\n",
            "pipeline.toml: engine.openai.timeout: expected a number >= 1 and <= 86400, got 1000",
        ),
        # Bounds are written as the type reads: an integer's in full, a number's shortest.
        (
            b"[distributed]\nvisibility_timeout = 0\n",
            "pipeline.toml: distributed.visibility_timeout: expected an integer >= 1 and <= 2592000, got 0",
        ),
        # A value that would print escape sequences or start a new line in a catalog's header.
        (b'[engine]\nmodel = "a\\u202eb"\n', "pipeline.toml: engine.model: expected a string of one line"),
        (b'[review]\napprovers = ["Li\\nmsgstr"]\n', "pipeline.toml: review.approvers: expected a list of"),
        (b'[engine]\n"\\u001b[2J" = 1\n', "pipeline.toml: engine.\\x1b[2J: unknown key"),
        (b"# " + b"x" * (1 << 20) + b"\n", "pipeline.toml: 1,048,579 bytes; a configuration file is at most"),
        (b"[engine]\nbeam_size = 2\nbeam_size = 3\n", "pipeline.toml: line 3: engine.beam_size: given twice"),
        (b'[engine.openai.url]\nhost = "x"\n', "pipeline.toml: engine.openai.url: expected a string"),
    ],
)
def test_a_bad_file_is_one_line_naming_the_key(toml, message):
    with pytest.raises(ConfigError) as caught:
        parse_config(toml)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[engine]\nname = "argos"\n# the one we want\nname = "ct2"\n', "line 4: engine.name: given twice"),
        ('[engine]\nname = "argos"\n\n[engine]\nmodel = "x"\n', "line 4: [engine]: declared twice"),
        ('[engine.openai]\nurl = "a"\n[review]\n[engine.openai]\n', "line 4: [engine.openai]: declared twice"),
        ('review.approvers = []\nreview . "approvers" = []\n', "line 2: review.approvers: given twice"),
        ("[engine]\nopenai.url = 'a'\n  \"openai\" . 'url'='b'  # again\n", "line 3: engine.openai.url: given twice"),
        # The key's line, not the line where its (multi-line) value ends.
        ('[engine]\nmodel = "a"\nmodel = """b\nc"""\n', "line 3: engine.model: given twice"),
        ("[engine]\nthreads = 1\nthreads = [\n  1,\n  2,\n]\n", "line 3: engine.threads: given twice"),
        # A table header inside a multi-line string is text, not a table.
        ('[engine]\nmodel = """\n[review]\n"""\nmodel = "x"\n', "line 5: engine.model: given twice"),
        # The last line, without a newline after it ("at end of document").
        ('[engine]\nname = "a"\nname = "b"', "line 3: engine.name: given twice"),
        ("[engine]\nbeam_size = 4x\n", "line 2: engine.beam_size: expected newline or end of document"),
        # A line that begins no statement: its own number, no key from the line above.
        ("[engine]\nbeam_size = 4\nbeam\n", "line 3: expected '=' after a key"),
        ('[engine]\nmodel = """a\nb\n', "line 2: engine.model: unterminated string"),
        ('[engine]\n"\\u001b[2J" = 1\n"\\u001b[2J" = 2\n', "line 3: engine.\\x1b[2J: given twice"),
    ],
)
def test_a_toml_error_names_the_line_and_the_key(toml, message):
    with pytest.raises(ConfigError) as caught:
        parse_config(toml.encode())
    assert str(caught.value).startswith(f"pipeline.toml: {message}")
    assert "\n" not in str(caught.value) and "\x1b" not in str(caught.value)


def test_a_byte_order_mark_is_read_past():
    # Windows editors write one; tomllib refuses it as "Invalid statement".
    assert parse_config("\ufeff[engine]\nbeam_size = 2\n".encode())["engine.beam_size"] == 2


def test_a_workspace_without_the_file_has_the_defaults(tmp_path):
    assert load_config(tmp_path) is DEFAULTS
    (tmp_path / "pipeline.toml").write_text("[engine]\nbeam_size = 3\n")
    assert load_config(tmp_path)["engine.beam_size"] == 3


def test_a_link_out_of_the_workspace_is_refused(tmp_path):
    outside = tmp_path / "elsewhere.toml"
    outside.write_text("[engine]\nbeam_size = 3\n")
    root = tmp_path / "ws"
    root.mkdir()
    (root / "pipeline.toml").symlink_to(outside)
    with pytest.raises(Exception, match="pipeline.toml"):
        load_config(root)
