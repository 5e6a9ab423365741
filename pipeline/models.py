"""Model management: install, list and check Argos zh→en packages.

Installing validates the whole archive first (zip integrity, metadata,
language pair, CTranslate2 model and tokenizer), unpacks it beside the
packages directory and moves it into place in one rename, so a corrupt or
wrong package never damages what is installed. ``ARGOS_PACKAGES_DIR`` is
respected, so a workspace can keep its own models.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .engines.argos import SOURCE_CODE, TARGET_CODE, installed_packages, models_dir, prepare_argostranslate
from .errors import ModelError


@dataclass(frozen=True)
class InstalledModel:
    name: str
    from_code: str
    to_code: str
    version: str
    path: Path


def list_models() -> list[InstalledModel]:
    return [
        InstalledModel(p.package_path.name, p.from_code, p.to_code, p.package_version, p.package_path)
        for p in installed_packages()
    ]


def _check_archive(path: Path) -> tuple[str, dict]:
    """Validate an .argosmodel; return its top-level directory and metadata."""
    where = str(path)
    if not path.is_file():
        raise ModelError(f"{where}: no such file")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ModelError(f"{where}: not an Argos package (not a zip archive, or truncated)") from None
    with archive:
        names = archive.namelist()
        tops = {PurePosixPath(n).parts[0] for n in names if n.strip("/")}
        if len(tops) != 1:
            raise ModelError(f"{where}: an Argos package has one top-level directory, found {len(tops)}")
        top = tops.pop()
        for name in names:
            pure = PurePosixPath(name)
            if pure.is_absolute() or ".." in pure.parts:
                raise ModelError(f"{where}: unsafe path in archive: {name}")
        try:
            bad = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ModelError(f"{where}: corrupt archive: {exc}") from None
        if bad is not None:
            raise ModelError(f"{where}: corrupt archive: bad CRC in {bad}")
        try:
            metadata = json.loads(archive.read(f"{top}/metadata.json"))
        except KeyError:
            raise ModelError(f"{where}: no metadata.json; not an Argos package") from None
        except ValueError as exc:
            raise ModelError(f"{where}: metadata.json is not valid JSON: {exc}") from None
        if not isinstance(metadata, dict):
            raise ModelError(f"{where}: metadata.json is not an object")
        pair = f"{metadata.get('from_code')}→{metadata.get('to_code')}"
        if (metadata.get("from_code"), metadata.get("to_code")) != (SOURCE_CODE, TARGET_CODE):
            raise ModelError(f"{where}: a {pair} package; pipeline needs {SOURCE_CODE}→{TARGET_CODE}")
        if metadata.get("type", "translate") != "translate":
            raise ModelError(f"{where}: a '{metadata.get('type')}' package, not a translation model")
        required = [f"{top}/model/model.bin", f"{top}/model/config.json"]
        missing = [r for r in required if r not in names]
        if not ({f"{top}/sentencepiece.model", f"{top}/bpe.model"} & set(names)):
            missing.append(f"{top}/sentencepiece.model")
        if missing:
            raise ModelError(f"{where}: incomplete package, missing {', '.join(missing)}")
    return top, metadata


def install(path: Path) -> InstalledModel:
    """Install the package at ``path``; replace an installed one of the same name."""
    top, metadata = _check_archive(path)
    packages = Path(models_dir())
    packages.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".pipeline-install-", dir=packages.parent))
    try:
        with zipfile.ZipFile(path) as archive:
            archive.extractall(staging)
        unpacked = staging / top
        prepare_argostranslate()
        from argostranslate.package import Package

        try:
            Package(unpacked)  # argostranslate can read it
        except Exception as exc:  # noqa: BLE001 - any failure means "not installable"
            raise ModelError(f"{path}: argostranslate cannot read this package: {exc}") from None
        target = packages / top
        old = None
        if target.exists():
            old = staging / (top + ".previous")
            target.rename(old)
        try:
            unpacked.rename(target)
        except OSError:
            if old is not None:
                old.rename(target)  # put the installed package back
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return InstalledModel(top, metadata["from_code"], metadata["to_code"], metadata.get("package_version", ""), target)


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
