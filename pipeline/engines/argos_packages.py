"""Argos packages: finding the installed zh→en package, listing, installing.

The Argos engine (:mod:`.argos`) asks :func:`find_package` for the newest
installed zh→en package; ``pipeline models`` lists and installs them. Both
go through argostranslate's package API, imported only after
:func:`prepare_argostranslate` has kept it from reaching the network.

Installing never damages what is installed, and a kill at any moment leaves
exactly one working zh→en model (the old one or the new one):

1. The archive is inspected before anything is written: one top-level
   directory, safe member names (no absolute path, no ``..``, no duplicate),
   regular files and directories only (no link, no device), sizes and
   compression ratios within :data:`LIMITS` (a zip bomb is refused), a
   ``metadata.json`` for zh→en whose fields are of the right types.
2. The members are unpacked into a private staging directory beside the
   packages directory (same file system), each file created afresh
   (``O_EXCL|O_NOFOLLOW``) and its CRC checked while it streams.
3. The unpacked package is loaded as the engine loads it, in a child
   process (a crash of CTranslate2 or SentencePiece on a hostile file is
   then one line, not a dead install): its tokenizer must know Chinese and
   agree with the model's vocabulary, and the model must translate a short
   sentence.
4. It is swapped in with ONE rename: ``renameat2(RENAME_EXCHANGE)`` on
   Linux, ``renamex_np(RENAME_SWAP)`` on macOS, which exchange the new
   directory with the installed one (a new name is then one plain rename).
   Where the file system cannot exchange, the old package is moved aside
   first and moved back by the next ``models install`` or ``models list``
   if a kill left no model.
5. Any other zh→en package in the packages directory is moved out (one
   rename each), so that argostranslate's discovery finds exactly the one
   installed. Leftovers of a killed install are removed by the next one.

Installs are serialised by a lock beside the packages directory.
``ARGOS_PACKAGES_DIR`` is respected, so a workspace can keep its own models.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError, NoModelError
from ..languages import SOURCE, TARGET
from ..textsafety import UnsafeTextError, printable, refuse_unsafe
from .ctranslate import PROBE, probe_coverage

SOURCE_CODE = SOURCE.argos
TARGET_CODE = TARGET.argos

STAGING_PREFIX = ".pipeline-install-"
LOCK_NAME = ".pipeline-models.lock"
#: Where the fallback swap keeps the installed package while the new one moves in.
_PREVIOUS = "previous"


@dataclass(frozen=True)
class ArchiveLimits:
    """What an archive may unpack to. Argos's published packages unpack to
    well under 1 GiB, at compression ratios under 10; a zip bomb is far
    outside both."""

    members: int = 10_000
    unpacked_bytes: int = 4 << 30  # in all, and for any one member
    ratio: int = 100  # uncompressed : compressed, for a member over ratio_floor
    ratio_floor: int = 1 << 20  # small members (a JSON of spaces) may compress well
    metadata_bytes: int = 1 << 20
    free_space_margin: int = 64 << 20  # left free on the disk after unpacking


LIMITS = ArchiveLimits()

#: Seconds the validating child may take to load and translate.
VALIDATION_TIMEOUT = 600

#: metadata.json fields argostranslate reads, and the type each must have.
_STRING_FIELDS = ("code", "package_version", "argos_version", "from_name", "to_name", "target_prefix", "type")
_LIST_FIELDS = ("from_codes", "to_codes", "links", "languages", "dependencies", "source_languages", "target_languages")


# --- Finding the installed packages ---------------------------------------------------


def prepare_argostranslate() -> None:
    """Keep argostranslate's import from reaching the network.

    With ``ARGOS_CHUNK_TYPE=SPACY`` importing ``argostranslate.translate``
    downloads a spaCy model (and a refused download can exit the process).
    An unknown value makes the import itself fail. We never use its sentence
    splitters, so the one that loads lazily is selected for this process
    before argostranslate reads its settings.
    """
    if os.environ.get("ARGOS_CHUNK_TYPE", "DEFAULT").upper() not in ("DEFAULT", "MINISBD"):
        os.environ["ARGOS_CHUNK_TYPE"] = "MINISBD"


def installed_packages():
    """Installed Argos translate packages, via argostranslate's package API."""
    prepare_argostranslate()
    from argostranslate import package as argos_package

    try:
        return [p for p in argos_package.get_installed_packages() if p.type == "translate"]
    except (ValueError, OSError) as exc:
        raise ModelError(f"Argos packages directory is damaged: {exc}") from None
    except (RecursionError, TypeError, AttributeError):  # a metadata.json nested too deep, or of the wrong shape
        raise ModelError(
            "Argos packages directory is damaged: a package's metadata.json is not what argostranslate reads"
        ) from None


def models_dir() -> str:
    prepare_argostranslate()
    from argostranslate import settings

    return str(settings.package_data_dir)


def no_model_message() -> str:
    return (
        f"no zh→en translation model is installed (looked in {models_dir()}); "
        "get Argos's translate-zh_en .argosmodel on a machine with internet and run "
        "'pipeline models install FILE.argosmodel'"
    )


def package_version(text):
    """A package's version, to pick the newest by; 0 when it is not one."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except (InvalidVersion, TypeError):
        return Version("0")


def find_package():
    """The newest installed zh→en package, or ModelError."""
    candidates = [p for p in installed_packages() if p.from_code == SOURCE_CODE and p.to_code == TARGET_CODE]
    if not candidates:
        raise NoModelError(no_model_message())
    return max(candidates, key=lambda p: package_version(p.package_version))


# --- Listing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InstalledModel:
    name: str
    from_code: str
    to_code: str
    version: str
    path: Path

    def row(self) -> str:
        """Name, pair, version and path, tab-separated, safe to print
        (a package installed by another tool may say anything)."""
        fields = (self.name, f"{self.from_code}→{self.to_code}", self.version, str(self.path))
        return "\t".join(printable(str(f), one_line=True) for f in fields)


def list_models() -> list[InstalledModel]:
    """The installed translate packages (after undoing a killed install's
    fallback swap, if one left no model)."""
    packages = _packages_dir()
    if packages.is_dir():
        with contextlib.suppress(ModelError):  # another install holds the lock: just list
            with _install_lock(packages):
                _recover(packages)
    return [
        InstalledModel(p.package_path.name, p.from_code, p.to_code, p.package_version, p.package_path)
        for p in installed_packages()
    ]


# --- Inspecting the archive -----------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    top: str
    metadata: dict
    members: list[zipfile.ZipInfo]
    unpacked_bytes: int


def _member_parts(where: str, info: zipfile.ZipInfo) -> tuple[str, ...]:
    """The path components of a member, or ModelError for an unsafe name or type."""
    name = info.filename
    try:
        refuse_unsafe(name, f"{where}: member name {name!r}", name=True)
    except UnsafeTextError as exc:
        raise ModelError(str(exc)) from None
    parts = name.rstrip("/").split("/")
    if (
        name.startswith("/")
        or "\\" in name
        or (len(name) > 1 and name[1] == ":")
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise ModelError(f"{where}: unsafe path in archive: {name!r}")
    mode = info.external_attr >> 16 if info.create_system == 3 else 0  # Unix mode, when the archiver wrote one
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        raise ModelError(f"{where}: a symbolic link in the archive: {name!r}")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise ModelError(f"{where}: a special file (device, pipe or socket) in the archive: {name!r}")
    if info.flag_bits & 0x1:
        raise ModelError(f"{where}: an encrypted member in the archive: {name!r}")
    return tuple(parts)


def _read_metadata(where: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict:
    if info.file_size > LIMITS.metadata_bytes:
        raise ModelError(f"{where}: metadata.json is {info.file_size} bytes; at most {LIMITS.metadata_bytes} allowed")
    try:
        with archive.open(info) as fh:
            data = fh.read(LIMITS.metadata_bytes + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise ModelError(f"{where}: corrupt archive: {exc}") from None
    try:
        metadata = json.loads(data)
    except RecursionError:
        raise ModelError(f"{where}: metadata.json is nested too deeply") from None
    except ValueError as exc:
        raise ModelError(f"{where}: metadata.json is not valid JSON: {exc}") from None
    if not isinstance(metadata, dict):
        raise ModelError(f"{where}: metadata.json is not an object")
    return metadata


def _check_metadata(where: str, metadata: dict) -> None:
    """Refuse what would make argostranslate fail later, in every command,
    or put a control character into a catalog's engine signature."""
    for key in ("from_code", "to_code", *_STRING_FIELDS):
        value = metadata.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ModelError(f"{where}: metadata.json: '{key}' must be a string")
        try:
            refuse_unsafe(value, f"{where}: metadata.json: '{key}'", name=True)
        except UnsafeTextError as exc:
            raise ModelError(str(exc)) from None
    for key in _LIST_FIELDS:
        if key in metadata and not isinstance(metadata[key], list):
            raise ModelError(f"{where}: metadata.json: '{key}' must be a list")
    pair = f"{metadata.get('from_code')}→{metadata.get('to_code')}"
    if (metadata.get("from_code"), metadata.get("to_code")) != (SOURCE_CODE, TARGET_CODE):
        raise ModelError(f"{where}: a {pair} package; pipeline needs {SOURCE_CODE}→{TARGET_CODE}")
    if metadata.get("type", "translate") != "translate":
        raise ModelError(f"{where}: a '{metadata.get('type')}' package, not a translation model")


def _inspect(path: Path) -> tuple[zipfile.ZipFile, _Plan]:
    """Open and check the archive at ``path`` without unpacking it."""
    where = str(path)
    if not path.is_file():
        raise ModelError(f"{where}: no such file")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ModelError(f"{where}: not an Argos package (not a zip archive, or truncated)") from None
    try:
        return archive, _plan(where, archive)
    except BaseException:
        archive.close()
        raise


def _plan(where: str, archive: zipfile.ZipFile) -> _Plan:
    infos = archive.infolist()
    if len(infos) > LIMITS.members:
        raise ModelError(f"{where}: {len(infos)} members; an Argos package has at most {LIMITS.members}")
    seen: set[tuple[str, ...]] = set()
    tops: set[str] = set()
    total = 0
    for info in infos:
        parts = _member_parts(where, info)
        if parts in seen:
            raise ModelError(f"{where}: the archive holds {info.filename!r} twice")
        seen.add(parts)
        tops.add(parts[0])
        if info.file_size > LIMITS.unpacked_bytes:
            raise ModelError(
                f"{where}: {info.filename!r} unpacks to {info.file_size} bytes; at most {LIMITS.unpacked_bytes} allowed"
            )
        if info.file_size > LIMITS.ratio_floor and info.file_size > LIMITS.ratio * max(info.compress_size, 1):
            raise ModelError(
                f"{where}: {info.filename!r} compresses {info.file_size // max(info.compress_size, 1)}:1; "
                f"a model file is never above {LIMITS.ratio}:1 (a zip bomb?)"
            )
        total += info.file_size
        if total > LIMITS.unpacked_bytes:
            raise ModelError(f"{where}: unpacks to more than {LIMITS.unpacked_bytes} bytes; refused (a zip bomb?)")
    if len(tops) != 1:
        raise ModelError(f"{where}: an Argos package has one top-level directory, found {len(tops)}")
    top = tops.pop()
    if top.startswith("."):
        raise ModelError(f"{where}: the package directory {top!r} is hidden")
    for info in infos:
        if len(info.filename.rstrip("/").split("/")) == 1 and not info.is_dir():
            raise ModelError(f"{where}: {info.filename!r} is a file where the package directory should be")
    files = {info.filename: info for info in infos if not info.is_dir()}
    if f"{top}/metadata.json" not in files:
        raise ModelError(f"{where}: no metadata.json; not an Argos package")
    metadata = _read_metadata(where, archive, files[f"{top}/metadata.json"])
    _check_metadata(where, metadata)
    missing = [f"{top}/{r}" for r in ("model/model.bin", "model/config.json") if f"{top}/{r}" not in files]
    if not ({f"{top}/sentencepiece.model", f"{top}/bpe.model"} & set(files)):
        missing.append(f"{top}/sentencepiece.model")
    if missing:
        raise ModelError(f"{where}: incomplete package, missing {', '.join(missing)}")
    return _Plan(top, metadata, infos, total)


# --- Unpacking ------------------------------------------------------------------------

_CREATE = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _unpack(where: str, archive: zipfile.ZipFile, plan: _Plan, staging: Path) -> Path:
    """Write the members under ``staging``; return the package directory.

    Nothing but regular files and directories is ever created, each file
    afresh, so no member can reach outside ``staging``; sizes are counted
    as the data streams (a header cannot lie about them)."""
    free = shutil.disk_usage(staging).free
    if plan.unpacked_bytes + LIMITS.free_space_margin > free:
        raise ModelError(
            f"{where}: unpacks to {plan.unpacked_bytes} bytes; only {free} free beside the packages directory"
        )
    written = 0
    for info in plan.members:
        dest = staging.joinpath(*info.filename.rstrip("/").split("/"))
        try:
            if info.is_dir():
                dest.mkdir(mode=0o755, parents=True, exist_ok=True)
                continue
            dest.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            fd = os.open(dest, _CREATE, 0o644)
            with os.fdopen(fd, "wb") as out, archive.open(info) as member:
                while chunk := member.read(1 << 20):
                    written += len(chunk)
                    if written > plan.unpacked_bytes:
                        raise ModelError(f"{where}: {info.filename!r} unpacks to more than its header says")
                    out.write(chunk)
        except FileExistsError:
            raise ModelError(
                f"{where}: {info.filename!r} collides with another member (same name on this file system)"
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ModelError(f"{where}: corrupt archive: {info.filename}: {exc}") from None
        except (NotImplementedError, RuntimeError) as exc:  # unknown compression, encryption
            raise ModelError(f"{where}: cannot unpack {info.filename}: {exc}") from None
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
                raise ModelError(f"{where}: the disk is full; nothing was installed") from None
            raise ModelError(f"{where}: cannot unpack {info.filename}: {exc.strerror or exc}") from None
    return staging / plan.top


# --- Validating: load it as the engine does ---------------------------------------------


def _vocabulary(model_dir: Path) -> set[str] | None:
    """The model's source vocabulary, when it is stored beside model.bin."""
    for name in ("source_vocabulary", "shared_vocabulary"):
        json_path, txt_path = model_dir / f"{name}.json", model_dir / f"{name}.txt"
        if json_path.is_file():
            tokens = json.loads(json_path.read_text(encoding="utf-8"))
            return {t for t in tokens if isinstance(t, str)}
        if txt_path.is_file():
            return set(txt_path.read_text(encoding="utf-8").splitlines())
    return None


def validate_package(directory: Path) -> None:
    """Load the unpacked package at ``directory`` as the Argos engine loads
    it, tokenize :data:`PROBE` and translate it; raise ModelError if that
    fails, or if the tokenizer does not know Chinese or does not speak the
    model's vocabulary. Run it in a child process (:func:`_validate`):
    hostile files can crash native code."""
    prepare_argostranslate()
    import ctranslate2
    from argostranslate.package import Package

    from .argos import _Tokenizer

    where = str(directory)
    try:
        pkg = Package(directory)
        tokenizer = _Tokenizer(pkg)
        tokens = tokenizer.encode(PROBE)
    except Exception as exc:  # noqa: BLE001 - a garbage tokenizer raises anything
        raise ModelError(f"{where}: the tokenizer cannot be loaded: {_one_line(exc)}") from None
    try:
        vocabulary = _vocabulary(directory / "model")
    except (OSError, ValueError, TypeError) as exc:
        raise ModelError(f"{where}: the model's vocabulary cannot be read: {_one_line(exc)}") from None
    covered, wanted = probe_coverage(tokenizer.encode, vocabulary, tokenizer.sp)
    if covered < wanted:
        raise ModelError(
            f"{where}: the tokenizer does not know Chinese, or does not match the model's vocabulary "
            f"({covered} of {len(PROBE)} characters of a test sentence recognised)"
        )
    try:
        translator = ctranslate2.Translator(str(directory / "model"), device="cpu", inter_threads=1, intra_threads=1)
        prefix = pkg.target_prefix or None
        result = translator.translate_batch(
            [tokens], beam_size=1, max_decoding_length=16, target_prefix=[[prefix]] if prefix else None
        )
        tokenizer.decode(result[0].hypotheses[0])
    except Exception as exc:  # noqa: BLE001 - a garbage model raises anything
        raise ModelError(f"{where}: CTranslate2 cannot load or run the model: {_one_line(exc)}") from None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


_CHILD = """\
import sys
sys.path.insert(0, {root!r})
from pathlib import Path
from pipeline.errors import ModelError
from pipeline.engines.argos_packages import validate_package
try:
    validate_package(Path(sys.argv[1]))
except ModelError as exc:
    print(exc)
    sys.exit(1)
"""


def _validate(where: str, directory: Path) -> None:
    """:func:`validate_package` in a child process, its verdict as ModelError."""
    root = str(Path(__file__).resolve().parents[2])
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD.format(root=root), str(directory)],
            cwd=directory,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=VALIDATION_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise ModelError(f"{where}: loading the model took over {VALIDATION_TIMEOUT} s; not installed") from None
    if done.returncode == 0:
        return
    lines = done.stdout.strip().splitlines()
    if done.returncode == 1 and lines:
        raise ModelError(lines[-1].replace(str(directory), f"{where} (unpacked)"))
    how = f"killed by signal {-done.returncode}" if done.returncode < 0 else f"exit status {done.returncode}"
    last = done.stderr.strip().splitlines()[-1:] or [""]
    raise ModelError(f"{where}: loading the model failed ({how}) {' '.join(last[0].split())[:300]}".rstrip())


# --- Swapping it in ----------------------------------------------------------------------


def _exchange(a: Path, b: Path) -> bool:
    """Swap the directories ``a`` and ``b`` in one atomic step; False where
    this system or file system cannot (then nothing was changed)."""
    import ctypes

    sys.audit("pipeline.engines.argos_packages.exchange", str(a), str(b))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if sys.platform.startswith("linux"):
            call = lambda: libc.renameat2(-100, bytes(a), -100, bytes(b), 2)  # AT_FDCWD, RENAME_EXCHANGE  # noqa: E731
            libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        elif sys.platform == "darwin":
            call = lambda: libc.renamex_np(bytes(a), bytes(b), 2)  # RENAME_SWAP  # noqa: E731
            libc.renamex_np.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        else:
            return False
    except (OSError, AttributeError):  # no libc symbol (old glibc, musl)
        return False
    if call() == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _package_codes(directory: Path) -> tuple[str, str] | None:
    """``(from_code, to_code)`` of the package at ``directory``; None when
    it is not a readable package."""
    try:
        metadata_path = directory / "metadata.json"
        if metadata_path.stat().st_size > LIMITS.metadata_bytes:
            return None
        metadata = json.loads(metadata_path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(metadata, dict):
        return None
    return metadata.get("from_code"), metadata.get("to_code")


def _zh_en_packages(packages: Path) -> list[Path]:
    if not packages.is_dir():
        return []
    return sorted(p for p in packages.iterdir() if p.is_dir() and _package_codes(p) == (SOURCE_CODE, TARGET_CODE))


def _active(candidates: list[Path]) -> Path:
    """The one of ``candidates`` the engine would use (the newest version)."""

    def version(path: Path):
        try:
            return package_version(json.loads((path / "metadata.json").read_bytes()).get("package_version", ""))
        except (OSError, ValueError, AttributeError):
            return package_version("0")

    return max(candidates, key=version)


def _swap_in(unpacked: Path, packages: Path, staging: Path) -> Path:
    """Make ``unpacked`` the installed zh→en package, in one rename."""
    target = packages / unpacked.name
    installed = _zh_en_packages(packages)
    replaced = target if os.path.lexists(target) else (_active(installed) if installed else None)
    if replaced is None:
        os.rename(unpacked, target)  # nothing installed: one plain rename
    elif _exchange(unpacked, replaced):
        # The new package is in place, the old one is at `unpacked` (removed with staging).
        if replaced != target:
            os.rename(replaced, target)  # a new name: the one model renamed, atomically
    else:
        # This file system cannot exchange: move the old one aside, where
        # _recover finds it if a kill comes before the next rename.
        aside = staging / _PREVIOUS
        aside.mkdir()
        os.rename(replaced, aside / replaced.name)
        try:
            os.rename(unpacked, target)
        except OSError:
            os.rename(aside / replaced.name, replaced)  # before staging is removed
            raise
    # Any other zh→en package goes, one rename each, so discovery finds one.
    for other in _zh_en_packages(packages):
        if other != target:
            try:
                os.rename(other, staging / f"superseded-{other.name}")
            except OSError as exc:
                raise ModelError(
                    f"installed {target.name}, but cannot move the older {other.name} out of {packages} "
                    f"({exc.strerror or exc}); remove it, or the newest version is used"
                ) from None
    return target


def _recover(packages: Path) -> None:
    """Undo what a killed install left: put back a package the fallback swap
    moved aside when no zh→en package is installed, then remove staging
    directories. The caller holds the install lock."""
    for staging in sorted(packages.parent.glob(STAGING_PREFIX + "*")):
        if not _ours(staging):  # another user's, in a shared directory: never restored from
            continue
        aside = staging / _PREVIOUS
        try:
            if aside.is_dir() and not _zh_en_packages(packages):
                for previous in aside.iterdir():
                    if not os.path.lexists(packages / previous.name):
                        os.rename(previous, packages / previous.name)
        except OSError as exc:
            raise ModelError(
                f"cannot restore the package a killed install left in {aside}: {exc.strerror or exc}"
            ) from None
        shutil.rmtree(staging, ignore_errors=True)


def _ours(path: Path) -> bool:
    """A real directory (not a link) that this user owns."""
    try:
        info = path.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == getattr(os, "getuid", lambda: info.st_uid)()


@contextlib.contextmanager
def _install_lock(packages: Path):
    """Hold the models lock (beside the packages directory) or refuse."""
    try:
        import fcntl
    except ImportError:  # not POSIX: installs are not serialised
        yield
        return
    path = packages.parent / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise ModelError(f"cannot open {path}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ModelError(f"another 'pipeline models install' is running (it holds {path})") from None
        yield
    finally:
        os.close(fd)


def _packages_dir() -> Path:
    # Resolved, so that staging sits on the packages directory's own file system.
    return Path(os.path.realpath(models_dir()))


def install(path: Path) -> InstalledModel:
    """Install the package at ``path`` as the zh→en model; replace the
    installed one (see the module docstring for what is checked)."""
    path = Path(path)
    where = str(path)
    archive, plan = _inspect(path)
    with archive:
        packages = _packages_dir()
        try:
            packages.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ModelError(f"cannot create the packages directory {packages}: {exc.strerror or exc}") from None
        with _install_lock(packages):
            _recover(packages)
            try:
                staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=packages.parent))
            except OSError as exc:
                raise ModelError(f"cannot write beside {packages}: {exc.strerror or exc}") from None
            try:
                unpacked = _unpack(where, archive, plan, staging)
                _validate(where, unpacked)
                try:
                    target = _swap_in(unpacked, packages, staging)
                except OSError as exc:
                    raise ModelError(f"cannot move the package into {packages}: {exc.strerror or exc}") from None
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    metadata = plan.metadata
    return InstalledModel(
        plan.top, metadata["from_code"], metadata["to_code"], metadata.get("package_version", ""), target
    )


def install_from_index() -> InstalledModel:
    """Download and install zh→en from the Argos package index (needs internet)."""
    prepare_argostranslate()
    from argostranslate import package as argos_package
    from argostranslate import settings

    hint = "no network? get the .argosmodel elsewhere and run 'pipeline models install FILE.argosmodel'"
    argos_package.update_package_index()  # logs and returns on network errors
    if not Path(settings.local_package_index).exists():
        raise ModelError(f"cannot download the Argos package index from {settings.remote_package_index} ({hint})")
    try:
        available = argos_package.get_available_packages()
    except (ValueError, OSError, RecursionError) as exc:
        raise ModelError(f"cannot read the Argos package index: {exc}") from None
    matches = [p for p in available if p.from_code == SOURCE_CODE and p.to_code == TARGET_CODE]
    if not matches:
        raise ModelError("the Argos package index lists no zh→en package")
    try:
        downloaded = Path(matches[0].download())
    except Exception as exc:  # noqa: BLE001 - argostranslate raises bare Exception
        raise ModelError(f"download failed: {exc} ({hint})") from None
    return install(downloaded)
