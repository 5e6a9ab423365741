"""``pipeline init``: a new workspace, laid out for a team that keeps it in git.

:func:`init_workspace` creates ``seeds/`` and ``locales/`` (the layout of
:mod:`pipeline.workspace`), a ``.gitignore`` that leaves out what must not be
committed (:data:`IGNORED`: editions, compiled catalogs, locks, the
machine-local stage cache, temporary files) and a README for the team.

It never overwrites a file, and running it again changes nothing:

* an existing ``.gitignore`` gets only the lines it lacks, appended in a block
  of their own (a line the file already has, anchored or not, or negated with
  ``!``, counts as present: the team decided);
* an existing README (any ``README*``) is left alone, and the report says so;
* a ``.gitignore`` that is a link or not a regular file is left alone too,
  and the report lists the lines to add by hand.

A new file is written through a temporary file and hard-linked into place,
so a crash leaves it whole or absent, and a file created meanwhile by
someone else is never replaced.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .atomicfile import atomic_write, read_regular
from .cache import RECORDS_SUFFIX
from .catalog.history import SUFFIX as HISTORY_SUFFIX
from .config import CONFIG_FILE, default_toml
from .errors import PipelineError, UnsafePathError, WriteError
from .languages import SOURCE, TARGET
from .textsafety import printable
from .workspace import CACHE_FILE, CATALOG_LOCKS_DIR, LOCK_FILE, OLD_CATALOG_LOCK_FILE, Workspace

GITIGNORE = ".gitignore"
GITATTRIBUTES = ".gitattributes"
README = "README.md"
#: Git attributes a workspace needs: the per-document history is append-only
#: JSON lines (pipeline.catalog.history), so two branches' appends merge by
#: keeping both sides' lines.
ATTRIBUTES = (f"*{HISTORY_SUFFIX} merge=union",)
#: The comment that opens the block of lines ``pipeline init`` adds.
GITIGNORE_HEADER = "# pipeline: generated and machine-local files (see README)"


@dataclass(frozen=True)
class Ignored:
    """A ``.gitignore`` pattern, relative to the workspace root, and why."""

    pattern: str
    why: str


#: The directory of per-document stage records (pipeline.cache.DocumentRecords).
RECORDS_DIR = CACHE_FILE.rsplit(".", 1)[0] + RECORDS_SUFFIX

#: What a workspace must not commit. Patterns with a slash are anchored at
#: the workspace root (the ``.gitignore`` beside ``seeds/`` and ``locales/``).
IGNORED = (
    Ignored("/build/", "editions and `build/<doc>.tmx`, rebuilt from `seeds/` and `locales/` by `pipeline build`"),
    Ignored("*.mo", "compiled catalogs (Poedit writes one beside each catalog it saves)"),
    Ignored(f"locales/{LOCK_FILE}", "the workspace lock, held while a command writes"),
    Ignored(f"locales/{CATALOG_LOCKS_DIR}/", "one lock per document, held around each write of its catalog"),
    Ignored(f"locales/{OLD_CATALOG_LOCK_FILE}", "the one catalog lock of earlier versions (no longer used)"),
    Ignored(f"locales/{CACHE_FILE}", "what each stage last saw, on this machine (deleting it only costs time)"),
    Ignored(f"locales/{RECORDS_DIR}/", "the same, one record per document, written by distributed runs' workers"),
    # pipeline.atomicfile's temporary files: .<target>.pipeline-<8>.tmp, and
    # older versions' .<target>.<8>.tmp, beside the file being replaced.
    Ignored(".*.tmp", "temporary files of writes in progress, or left by a killed command"),
    Ignored("*.po~", "the backup `msgmerge --update` leaves beside a catalog"),
    Ignored(
        "*.po.conflict-*", "another program's save kept aside when it raced one of ours (look at it, then delete it)"
    ),
)


@dataclass
class InitReport:
    """What :func:`init_workspace` did, with paths as the workspace names them."""

    created: list[str] = field(default_factory=list)
    gitignore_added: list[str] = field(default_factory=list)  # lines appended to an existing .gitignore
    attributes_added: list[str] = field(default_factory=list)  # lines appended to an existing .gitattributes
    kept: list[str] = field(default_factory=list)  # files already there, left as they were
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.gitignore_added or self.attributes_added)


# --- .gitignore ---------------------------------------------------------------


def _normalised(line: str) -> str:
    """A pattern as compared for presence: ``build``, ``/build``, ``build/``
    and ``!build/`` all stand for the same decision about ``build/``."""
    return line.strip().removeprefix("!").strip("/")


def missing_ignores(text: str) -> list[str]:
    """The patterns of :data:`IGNORED` that the ``.gitignore`` text lacks."""
    present = {_normalised(line) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")}
    return [item.pattern for item in IGNORED if _normalised(item.pattern) not in present]


def gitignore_with(text: str, patterns: list[str]) -> str:
    """``text`` with ``patterns`` appended in a block of their own, in the
    file's own line ending."""
    if not patterns:
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    block = newline.join([GITIGNORE_HEADER, *patterns]) + newline
    if not text:
        return block
    if not text.endswith(("\n", "\r")):
        text += newline
    return text + newline + block


# --- README -------------------------------------------------------------------


def readme_text(name: str) -> str:
    """The README stub of a new workspace called ``name``."""
    ignored = "\n".join(f"| `{item.pattern.lstrip('/')}` | {item.why} |" for item in IGNORED)
    catalogs = f"locales/{TARGET.gettext}/LC_MESSAGES"
    return f"""\
# {name}: translations from {SOURCE.name} into {TARGET.name}

A workspace of `pipeline`, the offline Chinese→English translation pipeline.
Chinese source documents go in `seeds/`; `pipeline extract` cuts them into
sentences and keeps one gettext catalog per document; translators review the
catalogs; `pipeline build` makes the English and bilingual editions.

## Working on it

```sh
pipeline extract          # seeds/<doc>.txt → locales/<doc>.pot and {catalogs}/<doc>.po
pipeline translate        # translation memory first, then machine drafts (needs a model:
                          #   pipeline models install translate-zh_en-*.argosmodel)
pipeline review DOC       # review in the terminal, or: pipeline serve (in a browser)
pipeline check --strict   # zh→en quality checks
pipeline build            # build/<doc>.en.txt, .en.md, .bilingual.html, .bilingual.md, .tmx
pipeline status           # how far each document is
```

Catalogs can also be edited in Poedit, Weblate or a text editor; `pipeline
extract` afterwards keeps what translators wrote. Run commands from this
directory, or pass `--workspace DIR`.

## What lives where

| path | what | commit it |
| --- | --- | --- |
| `seeds/<doc>.txt` | source documents (UTF-8 or GB18030) | yes |
| `locales/<doc>.pot` | the template of each document, written by `extract` | yes |
| `{catalogs}/<doc>.po` | the English catalogs: drafts, reviews, comments | yes |
| `locales/glossary.tsv` | the termbase (zh, en, type, note) | yes |
| `locales/tm/*.tmx` | imported translation memories | yes |
| `{catalogs}/<doc>.history.jsonl` | every review decision, machine drafts included (append-only) | yes |
| `pipeline.toml` | the workspace configuration: engine, decoding, approvers, formats | yes |

## What not to commit

`.gitignore` leaves these out:

| pattern | what |
| --- | --- |
{ignored}

Running `extract`, `translate`, `extract` and `build` again over unchanged
files changes nothing that git tracks.
"""


# --- the workspace ------------------------------------------------------------


def init_workspace(ws: Workspace) -> InitReport:
    """Create the layout of a workspace at ``ws.root`` (made if missing),
    its ``.gitignore`` and a README; never overwrite a file. Idempotent."""
    report = InitReport()
    try:
        ws.root.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise PipelineError(f"{ws.root}: exists and is not a directory") from None
    except OSError as exc:
        raise WriteError(f"{ws.root}: cannot be created ({exc.strerror})", exc.strerror or "") from None
    for directory in (ws.seeds, ws.locales):
        _directory(ws, directory, report)
    _gitignore(ws, report)
    _gitattributes(ws, report)
    _readme(ws, report)
    _config(ws, report)
    return report


def _directory(ws: Workspace, path: Path, report: InitReport) -> None:
    display = ws.display(path) + "/"
    ws.inside(path, display)
    try:
        os.mkdir(path)
    except FileExistsError:
        if not path.is_dir():
            raise PipelineError(f"{display}: exists and is not a directory; move it away first") from None
        return
    except OSError as exc:
        raise WriteError(f"{display}: cannot be created ({exc.strerror})", exc.strerror or "") from None
    report.created.append(display)


def _gitignore(ws: Workspace, report: InitReport) -> None:
    path = ws.root / GITIGNORE
    for _ in range(2):  # created meanwhile by someone else: merge into theirs
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            if _create(path, gitignore_with("", [item.pattern for item in IGNORED])):
                report.created.append(GITIGNORE)
                return
            continue
        except OSError as exc:
            raise WriteError(f"{GITIGNORE}: cannot be read ({exc.strerror})", exc.strerror or "") from None
        if not stat.S_ISREG(mode):
            _leave_gitignore(report, "is a link" if stat.S_ISLNK(mode) else "is not a regular file")
            return
        try:
            data = read_regular(path, GITIGNORE, inside=ws.root, follow_links=False)
        except UnsafePathError:
            _leave_gitignore(report, "is not a regular file")
            return
        except OSError as exc:
            raise WriteError(f"{GITIGNORE}: cannot be read ({exc.strerror})", exc.strerror or "") from None
        text = data.decode("utf-8", "surrogateescape")  # kept byte for byte, whatever it holds
        missing = missing_ignores(text)
        if missing:
            atomic_write(path, gitignore_with(text, missing).encode("utf-8", "surrogateescape"))
            report.gitignore_added.extend(missing)
        else:
            report.kept.append(GITIGNORE)
        return


def _gitattributes(ws: Workspace, report: InitReport) -> None:
    """``.gitattributes`` with :data:`ATTRIBUTES`: created, or the missing
    lines appended to the one there (a link or a special file is left
    alone, with a warning)."""
    path = ws.root / GITATTRIBUTES
    text = "".join(line + "\n" for line in ATTRIBUTES)
    if _create(path, text):
        report.created.append(GITATTRIBUTES)
        return
    try:
        data = read_regular(path, GITATTRIBUTES, inside=ws.root, follow_links=False)
    except (UnsafePathError, OSError):
        report.warnings.append(
            f"{GITATTRIBUTES} is not a regular file; left as it is: make sure it holds {text.strip()}"
        )
        return
    existing = data.decode("utf-8", "surrogateescape")
    lines = {line.strip() for line in existing.splitlines()}
    missing = [line for line in ATTRIBUTES if line not in lines]
    if not missing:
        report.kept.append(GITATTRIBUTES)
        return
    if existing and not existing.endswith("\n"):
        existing += "\n"
    atomic_write(path, (existing + "".join(line + "\n" for line in missing)).encode("utf-8", "surrogateescape"))
    report.attributes_added.extend(missing)


def _leave_gitignore(report: InitReport, why: str) -> None:
    patterns = " ".join(item.pattern for item in IGNORED)
    report.warnings.append(f"{GITIGNORE} {why}; left as it is: make sure it ignores {patterns}")


def _readme(ws: Workspace, report: InitReport) -> None:
    try:
        existing = sorted(name for name in os.listdir(ws.root) if name.casefold().startswith("readme"))
    except OSError as exc:
        raise WriteError(f"{ws.root}: cannot be listed ({exc.strerror})", exc.strerror or "") from None
    name = printable(Path(os.path.abspath(ws.root)).name, one_line=True)
    if existing or not _create(ws.root / README, readme_text(name)):
        report.kept.append(existing[0] if existing else README)
        return
    report.created.append(README)


def _config(ws: Workspace, report: InitReport) -> None:
    """The commented default ``pipeline.toml``; one already there is kept."""
    if _create(ws.root / CONFIG_FILE, default_toml()):
        report.created.append(CONFIG_FILE)
    else:
        report.kept.append(CONFIG_FILE)


class _Exists(Exception):
    """The file appeared before ours could be put in place."""


def _link_new(tmp: str, path: Path) -> None:
    """Put the finished temporary file ``tmp`` in place as ``path``, which
    must not exist: a hard link fails on any existing name, a link included."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise _Exists() from None
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        _copy_new(tmp, path)  # a file system without hard links (FAT, some network mounts)
    os.unlink(tmp)


_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS}


def _copy_new(tmp: str, path: Path) -> None:
    """``tmp`` copied to a new file ``path``, created exclusively (never a
    file that exists, never through a link); not atomic, but never an overwrite."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    except FileExistsError:
        raise _Exists() from None
    try:
        with open(tmp, "rb") as source:
            data = source.read()
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.unlink(path)  # ours, half written: absent is better
        raise
    finally:
        os.close(fd)


def _create(path: Path, text: str) -> bool:
    """Write a new file at ``path`` whole; False when a file (or link) is
    already there, which is left as it is."""
    try:
        return atomic_write(path, text.encode("utf-8"), install=_link_new)  # False: it held this already
    except _Exists:
        return False
