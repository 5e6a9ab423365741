"""The workspace configuration: ``pipeline.toml`` at the workspace root.

What a team fixes once (the engine and its model, decoding settings,
reviewer roles, format options, the broker of a distributed run) lives
there; a command-line option overrides it for one run. Every key the file
may hold is declared once, in :data:`SCHEMA`: its type, its default and one
line of help. The reader checks the file against it, and ``pipeline init``
writes the commented default from it (:func:`default_toml`), so the two
never disagree.

A bad file is refused with one line that names the file and the key::

    pipeline.toml: engine.beam_size: expected an integer >= 1 and <= 64, got 'four'

A workspace without the file has every default.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .atomicfile import read_regular
from .engine_choices import COMPUTE_TYPES, DEFAULT_ENGINE, DEVICES, ENGINES
from .errors import PipelineError
from .textsafety import first_unsafe, printable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONFIG_FILE = "pipeline.toml"
#: The largest pipeline.toml read (bytes); the commented default is about 4 KB.
MAX_CONFIG_BYTES = 1 << 20
#: The longest string value, and the most strings in a list value.
MAX_STRING = 4096
MAX_LIST = 1000


class ConfigError(PipelineError):
    """A ``pipeline.toml`` that cannot be used; the message names the key."""


# --- value types: each checks a TOML value and says what it expected ----------------------


@dataclass(frozen=True)
class Type:
    """A key's type: ``check`` returns the value or None when it does not fit;
    ``expected`` says what fits, for the error line."""

    expected: str
    check: Callable[[Any], Any]

    def toml(self, value: Any) -> str:
        """``value`` written as TOML."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return _toml_string(value)
        if isinstance(value, list | tuple):
            return "[" + ", ".join(self.toml(v) for v in value) + "]"
        return repr(value)


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _bounded(kind: str, read: Callable[[Any], Any], minimum: float | None, maximum: float | None, spec: str) -> Type:
    """A numeric type: ``read`` gives the number a TOML value stands for (None
    when it stands for none), which must lie within the bounds; ``expected``
    is ``kind`` and the bounds, written with the format ``spec``."""
    bounds = [f"{sign} {bound:{spec}}" for sign, bound in ((">=", minimum), ("<=", maximum)) if bound is not None]
    expected = kind + (" " + " and ".join(bounds) if bounds else "")

    def check(value):
        number = read(value)
        if number is None or (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            return None
        return number

    return Type(expected, check)


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        return None
    return number if math.isfinite(number) else None  # nan passes every comparison; inf overflows timers


def integer(minimum: int | None = None, maximum: int | None = None) -> Type:
    return _bounded("an integer", _integer, minimum, maximum, "")


def number(minimum: float | None = None, maximum: float | None = None) -> Type:
    return _bounded("a number", _finite, minimum, maximum, "g")


def boolean() -> Type:
    return Type("true or false", lambda value: value if isinstance(value, bool) else None)


def _one_line(value: Any) -> bool:
    """A string that can be shown and written on one line: every value of
    the file is one (a name, a path, a URL); the rule is textsafety's."""
    return isinstance(value, str) and len(value) <= MAX_STRING and first_unsafe(value, name=True) is None


def string(choices: tuple[str, ...] | None = None) -> Type:
    if choices:
        expected = "one of " + ", ".join(f'"{c}"' for c in choices)
        return Type(expected, lambda value: value if value in choices else None)
    expected = f"a string of one line (at most {MAX_STRING} characters, no control or bidi characters)"
    return Type(expected, lambda value: value if _one_line(value) else None)


def strings() -> Type:
    def check(value):
        if isinstance(value, list) and len(value) <= MAX_LIST and all(_one_line(v) for v in value):
            return tuple(value)
        return None

    return Type(f"a list of at most {MAX_LIST} one-line strings", check)


@dataclass(frozen=True)
class Key:
    """One key of ``pipeline.toml``: ``name`` is dotted (``engine.beam_size``)."""

    name: str
    type: Type
    default: Any
    help: str

    @property
    def section(self) -> str:
        return self.name.rpartition(".")[0]

    @property
    def leaf(self) -> str:
        return self.name.rpartition(".")[2]


#: Upper bounds: far above any real use, low enough that a typo (or a
#: hostile file) cannot ask for 2**63 threads or an unending timer.
#: The command line's options take the same bounds.
MAX_THREADS = 1024
MAX_BEAM_SIZE = 64
MAX_BATCH_SIZE = 1 << 20
MAX_DECODING_LENGTH = 1 << 16
MAX_SECONDS = 24 * 3600.0

#: Every key the file may hold, in the order ``pipeline init`` writes them.
#: A default of None means "unset": the program decides (the help says how).
SCHEMA: tuple[Key, ...] = (
    Key("engine.name", string(tuple(ENGINES)), DEFAULT_ENGINE, f"The translation engine: {', '.join(ENGINES)}."),
    Key(
        "engine.model",
        string(),
        "",
        'argos: "" (the installed zh-en package); ct2: a CTranslate2 model directory; openai: the model name.',
    ),
    Key("engine.device", string(DEVICES), "auto", "CTranslate2 engines: auto, cpu or cuda."),
    Key("engine.threads", integer(0, MAX_THREADS), 0, "CPU threads for decoding; 0 means every core."),
    Key("engine.beam_size", integer(1, MAX_BEAM_SIZE), 4, "Beam size."),
    Key(
        "engine.batch_size",
        integer(0, MAX_BATCH_SIZE),
        0,
        "Source tokens per batch, padding included; 0 means 1024 on the CPU, 16384 on a GPU.",
    ),
    Key(
        "engine.max_decoding_length",
        integer(0, MAX_DECODING_LENGTH),
        0,
        "Cap on output tokens; 0 means 2 x source tokens + 10, at most 512.",
    ),
    Key(
        "engine.compute_type",
        string(COMPUTE_TYPES),
        "auto",
        "CTranslate2 engines: auto is the model's own weights on the CPU, float16 on a GPU.",
    ),
    Key(
        "engine.ct2.model",
        string(),
        "",
        "ct2: the CTranslate2 model directory, used when engine.model gives none (relative to the workspace).",
    ),
    Key(
        "engine.ct2.source_token",
        string(),
        "",
        'ct2: the source-language token (NLLB "zho_Hans", M2M100 "__zh__"); "" means found in the vocabulary.',
    ),
    Key(
        "engine.ct2.target_prefix",
        string(),
        "",
        'ct2: the target-language token the decoder starts from (NLLB "eng_Latn"); "" means found in the vocabulary.',
    ),
    Key(
        "engine.openai.url",
        string(),
        "http://127.0.0.1:8080/v1",
        "openai: the endpoint's base URL (llama-server :8080, Ollama :11434, vLLM :8000; path /v1).",
    ),
    Key(
        "engine.openai.allow_remote",
        boolean(),
        False,
        "openai: allow an endpoint that is not on this machine (text leaves it).",
    ),
    Key("engine.openai.concurrency", integer(1, 64), 2, "openai: requests sent at a time."),
    Key("engine.openai.timeout", number(1, MAX_SECONDS), 120.0, "openai: seconds to wait for one answer."),
    Key("engine.openai.retries", integer(0, 10), 4, "openai: retries after no answer, a 429 or a 5xx (with backoff)."),
    Key("engine.openai.batch", integer(1, 64), 8, "openai: segments translated per request."),
    Key("engine.openai.context", integer(0, 20), 2, "openai: neighbouring segments shown on each side, for context."),
    Key(
        "engine.openai.api_key_env",
        string(),
        "",
        'openai: the name of the environment variable holding an API key ("" means none); never the key itself.',
    ),
    Key("review.approvers", strings(), (), "Reviewer names allowed to approve translations."),
    Key(
        "review.allow_self_approval",
        boolean(),
        False,
        "Let an approver approve their own translation (a one-person desk).",
    ),
    Key(
        "formats.markdown.front_matter",
        strings(),
        ("title", "description"),
        "Markdown: the YAML front-matter keys whose values are translated.",
    ),
    Key("distributed.broker", string(), "", "Celery broker URL for `run --executor celery` and `pipeline worker`."),
    Key(
        "distributed.lease_seconds",
        number(1, MAX_SECONDS),
        60.0,
        "A document's lease: renewed every third of it while the document runs; a dead worker's lapses after it.",
    ),
    Key(
        "distributed.visibility_timeout",
        integer(1, 30 * 24 * 3600),
        3600,
        "Seconds before an unacknowledged task (its worker machine died) is delivered again; "
        "keep it above the longest document.",
    ),
    Key(
        "distributed.draft_cache",
        boolean(),
        True,
        "Share machine drafts between documents and workers in Redis: each sentence is decoded once per archive.",
    ),
)

KEYS: dict[str, Key] = {key.name: key for key in SCHEMA}


@dataclass(frozen=True)
class Config:
    """The values of one workspace's ``pipeline.toml``, defaults filled in.
    ``source`` is the file they came from, or None when there is none."""

    values: Mapping[str, Any]
    source: Path | None = None
    #: The keys the file gives itself (not left to their default).
    explicit: frozenset[str] = frozenset()
    #: The file's name in error lines.
    display: str = CONFIG_FILE

    def __getitem__(self, name: str) -> Any:
        return self.values[KEYS[name].name]

    def get(self, name: str, override: Any = None) -> Any:
        """The value of ``name``, or ``override`` (a command-line option)
        when it is given (not None)."""
        return self[name] if override is None else override

    def is_set(self, name: str) -> bool:
        """Whether the file gives ``name`` itself (not the default)."""
        return name in self.explicit

    def where(self, name: str) -> str:
        """Where the value of ``name`` comes from, to begin an error line
        about it that a program finds wrong after reading it (an endpoint
        URL that is not on this machine): ``pipeline.toml: engine.openai.url``
        when the file gives it, else the key alone (its default)."""
        return f"{self.display}: {name}" if self.is_set(name) else name


DEFAULTS = Config({key.name: key.default for key in SCHEMA})


def load_config(root: Path) -> Config:
    """The configuration of the workspace at ``root``: its ``pipeline.toml``
    checked against :data:`SCHEMA`, or every default when there is none."""
    path = root / CONFIG_FILE
    if not path.exists() and not path.is_symlink():
        return DEFAULTS
    data = read_regular(path, CONFIG_FILE, inside=root)
    return parse_config(data, CONFIG_FILE, path)


def parse_config(data: bytes, display: str = CONFIG_FILE, path: Path | None = None) -> Config:
    """``data`` (the bytes of a ``pipeline.toml``) checked against
    :data:`SCHEMA`; a :class:`ConfigError` names the first bad key."""
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{display}: {len(data):,} bytes; a configuration file is at most {MAX_CONFIG_BYTES:,}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{display}: not UTF-8 (byte {exc.start})") from None
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some Windows editors write
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{display}: {_toml_error(str(exc), text)}") from None
    values = {key.name: key.default for key in SCHEMA}
    explicit = []
    for name, value in _flatten(table, display):
        key = KEYS.get(name)
        if key is None:
            raise ConfigError(f"{display}: {_name(name)}: unknown key{_did_you_mean(name)}")
        checked = key.type.check(value)
        if checked is None:
            raise ConfigError(f"{display}: {name}: expected {key.type.expected}, got {_shown(value)}")
        values[name] = checked
        explicit.append(name)
    return Config(values, path, frozenset(explicit), display)


# --- TOML errors: the line and the key --------------------------------------------------------

#: Where tomllib says the error is, at the end of its message.
_POSITION_RE = re.compile(r" \(at (?:line (\d+), column \d+|end of document)\)$")
#: A line that begins a statement: a table header, or a key and its ``=``.
#: The key is read by tomllib itself (quoted and dotted keys), and a line
#: inside a multi-line string is told apart by :func:`_begins_statement`.
_HEADER_RE = re.compile(r"\s*\[\[?([^\[\]]+)\]\]?\s*(?:#.*)?$")
_KEY_RE = re.compile(r"\s*([^=#\[\s][^=#]*?)\s*=")
#: tomllib's messages for a key or table given twice, as ours say it.
_TWICE = (
    (re.compile(r"Cannot overwrite a value"), "given twice"),
    (re.compile(r"Cannot declare \(.*\) twice"), "declared twice"),
)
#: The most lines walked back from the error to find its statement (a long
#: multi-line value), and the most candidate lines tried on the way.
_MAX_WALK = 200
_MAX_TRIES = 20


def _toml_error(message: str, text: str) -> str:
    """tomllib's ``message`` as our one line: ``line N: KEY: reason``. The
    line and key are those of the statement the error is in (a key given
    twice: the second; a table declared twice: its second header), found in
    ``text``; without a position, or a key where it can be found, less."""
    position = _POSITION_RE.search(message)
    reason = message[: position.start()] if position else message
    reason = next((ours for pattern, ours in _TWICE if pattern.match(reason)), reason[:1].lower() + reason[1:])
    if position is None:
        return reason
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    number = int(position.group(1)) if position.group(1) else len(text.rstrip("\n").split("\n"))
    statement = _statement(lines, number)
    if statement is None:
        return f"line {number}: {reason}"
    number, key = statement
    return f"line {number}: {_name(key)}: {reason}"


def _statement(lines: list[str], number: int) -> tuple[int, str] | None:
    """``(line number, dotted key)`` of the statement that holds line
    ``number`` (1-based) of the file, with the table of the header above it
    (``[engine]`` itself for a header): the statement that line begins, or,
    when it lies inside a multi-line value, the nearest one begun above it;
    None when there is none to be found."""
    index = number - 1
    if _begins_statement(lines, index):  # the line is a statement of its own
        return _qualified(lines, index)
    tries = 0
    for above in range(index - 1, max(-1, index - _MAX_WALK), -1):
        if _key_on(lines[above]) is None:
            continue
        tries += 1
        if tries > _MAX_TRIES:
            break
        if _begins_statement(lines, above):
            return _qualified(lines, above)
    return None


def _qualified(lines: list[str], index: int) -> tuple[int, str] | None:
    key = _key_on(lines[index])
    if key is None:
        return None
    header, name = key
    if header:
        return index + 1, f"[{name}]"
    table = _table_above(lines, index)
    if table is None:
        return None
    return index + 1, f"{table}.{name}" if table else name


def _key_on(line: str) -> tuple[bool, str] | None:
    """``(is a header, dotted key)`` for a line that looks like the start of
    a statement, the key read as TOML reads it; None for any other line."""
    header = _HEADER_RE.match(line)
    if header:
        return _dotted(f"[{header.group(1)}]", True)
    key = _KEY_RE.match(line)
    return _dotted(f"{key.group(1)} = 0", False) if key else None


def _dotted(statement: str, header: bool) -> tuple[bool, str] | None:
    try:
        table = tomllib.loads(statement)
    except tomllib.TOMLDecodeError:
        return None
    parts = []
    while isinstance(table, dict) and len(table) == 1:
        name, table = next(iter(table.items()))
        parts.append(name)
    return (header, ".".join(parts)) if parts else None


def _begins_statement(lines: list[str], index: int) -> bool:
    """Whether line ``index`` begins a statement: the lines before it read
    as TOML (they would not if it were inside a multi-line string or array
    begun above it)."""
    try:
        tomllib.loads("\n".join(lines[:index]))
    except tomllib.TOMLDecodeError:
        return False
    return True


def _table_above(lines: list[str], index: int) -> str | None:
    """The dotted name of the table in effect at line ``index`` (a header
    above it, not in a multi-line string); "" for the top level; None when
    it is not found within :data:`_MAX_TRIES` headers."""
    tries = 0
    for above in range(index - 1, -1, -1):
        key = _key_on(lines[above]) if lines[above].lstrip().startswith("[") else None
        if key is None:
            continue
        tries += 1
        if tries > _MAX_TRIES:
            return None
        if _begins_statement(lines, above):
            return key[1]
    return ""


def _section_names() -> frozenset[str]:
    names = set()
    for key in SCHEMA:
        parts = key.name.split(".")
        for i in range(1, len(parts)):
            names.add(".".join(parts[:i]))
    return frozenset(names)


def _flatten(table: Mapping[str, Any], display: str, prefix: str = ""):
    """``(dotted name, value)`` for every leaf of ``table``; a table is a
    section only where the schema has one (a table given for a key is a
    bad value, not a section)."""
    sections = _section_names()
    for name, value in table.items():
        dotted = f"{prefix}{name}"
        if isinstance(value, dict) and dotted in sections:
            yield from _flatten(value, display, dotted + ".")
        elif dotted in sections:
            raise ConfigError(f"{display}: {dotted}: a section, expected a table ([{dotted}])")
        elif isinstance(value, dict) and dotted not in KEYS:
            raise ConfigError(f"{display}: {_name(dotted)}: unknown section{_did_you_mean(dotted)}")
        else:
            yield dotted, value


def _did_you_mean(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, [*KEYS, *_section_names()], n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def _name(name: str) -> str:
    """A key name from the file, safe to print on one line (a quoted TOML
    key can hold any character)."""
    shown = printable(name, one_line=True)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _shown(value: Any) -> str:
    text = printable(repr(value), one_line=True)
    return text if len(text) <= 60 else text[:57] + "..."


def default_toml() -> str:
    """The commented default ``pipeline.toml`` that ``pipeline init``
    writes: every key, commented out, with its default and its help."""
    lines = [
        "# The workspace configuration of `pipeline`. Command-line options override it.",
        "# Every key is shown with its default; remove the '#' to change one.",
    ]
    section = None
    for key in SCHEMA:
        if key.section != section:
            section = key.section
            lines += ["", f"[{section}]"]
        lines.append(f"# {key.help}")
        lines.append(f"# {key.leaf} = {key.type.toml(key.default)}")
    return "\n".join(lines) + "\n"
