"""Files a workspace must never reach: links, ``..`` and special files.

Issue 12, items 2 and 9. A workspace may come from someone else (a clone, a
tarball) and may sit in a directory other users can write. Whatever links,
special files or headers it holds:

* nothing outside the workspace is ever written through it: not by the
  workspace lock, a catalog lock, a temporary file, the stage cache, a
  catalog or an edition (``--out`` given explicitly is the user's choice);
* nothing outside it is ever read and published: a source, a catalog, the
  termbase or a memory that resolves outside is refused with one line that
  does not quote the file;
* a FIFO, a device or ``/proc`` file named like one of ours never hangs a
  command or fills its memory;
* links that stay inside the workspace keep working.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.atomicfile import atomic_write
from pipeline.catalog import load_catalog, save_catalog
from pipeline.catalog.template import SOURCE_HEADER
from pipeline.review.web import create_app
from pipeline.tm.tmx import tmx_bytes
from pipeline.tm.units import Unit
from pipeline.workspace import Workspace
from tests.conftest import REPO, SEED_NAME
from tests.reliability.support import hang_guard, invoke, refused, succeeds

#: What the file outside the workspace holds; it must appear in no output.
SECRET = "机密文件：不得外传。TOPSECRET-7f3a\n\n第二段机密内容。\n"
MARKERS = ("TOPSECRET", "机密")
TOKEN = "security-tests-token-0123456789abcdef"

WRITERS = [
    pytest.param(["extract"], id="extract"),
    pytest.param(["translate"], id="translate"),
    pytest.param(["run"], id="run"),
]


@pytest.fixture
def secret(tmp_path) -> Path:
    """A private file next to the workspace, not inside it."""
    path = tmp_path / "private" / "secret.txt"
    path.parent.mkdir()
    path.write_text(SECRET, encoding="utf-8")
    return path


def assert_unpublished(*texts: str) -> None:
    for text in texts:
        for marker in MARKERS:
            assert marker not in text, f"the outside file leaked: {text[:300]!r}"


def published(root: Path) -> str:
    """Everything the workspace holds now, as text (catalogs, editions, cache)."""
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()
    )


def one_line_refusal(*args) -> str:
    with hang_guard(60):
        message = refused(*args)
    assert_unpublished(message)
    return message


# --- the workspace lock, catalog lock and cache ------------------------------------


@pytest.mark.parametrize("command", WRITERS)
def test_a_symlinked_lock_file_never_writes_its_target(workspace, tmp_path, command):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (workspace / "locales").mkdir()
    (workspace / "locales" / ".pipeline.lock").symlink_to(victim)
    message = one_line_refusal(*command, "-w", workspace)
    assert ".pipeline.lock" in message
    assert victim.read_text() == "precious\n"


def test_a_dangling_lock_link_creates_nothing(workspace, tmp_path):
    target = tmp_path / "created-through-the-link"
    (workspace / "locales").mkdir()
    (workspace / "locales" / ".pipeline.lock").symlink_to(target)
    one_line_refusal("extract", "-w", workspace)
    assert not target.exists() and not target.is_symlink()


def test_a_hardlinked_lock_file_is_refused(workspace, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (workspace / "locales").mkdir()
    os.link(victim, workspace / "locales" / ".pipeline.lock")
    assert ".pipeline.lock" in one_line_refusal("extract", "-w", workspace)
    assert victim.read_text() == "precious\n"


def test_a_symlinked_catalog_lock_creates_nothing(workspace, tmp_path):
    target = tmp_path / "created-through-the-catalog-lock"
    locks = workspace / "locales" / ".locks"
    locks.mkdir(parents=True)
    (locks / f"{SEED_NAME}.lock").symlink_to(target)
    assert f".locks/{SEED_NAME}.lock" in one_line_refusal("extract", "-w", workspace)
    assert not target.exists()


def test_a_catalog_locks_directory_linked_out_of_the_workspace_is_refused(workspace, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (workspace / "locales").mkdir()
    (workspace / "locales" / ".locks").symlink_to(outside)
    assert ".locks" in one_line_refusal("extract", "-w", workspace)
    assert list(outside.iterdir()) == []


def test_the_old_workspace_wide_catalog_lock_is_no_longer_opened(workspace, tmp_path):
    target = tmp_path / "created-through-the-old-catalog-lock"
    (workspace / "locales").mkdir()
    (workspace / "locales" / ".catalogs.lock").symlink_to(target)
    succeeds("extract", "-w", workspace)
    assert not target.exists()


def test_a_symlinked_cache_is_ignored_and_replaced_never_written_through(workspace, tmp_path):
    victim = tmp_path / "victim.json"
    victim.write_text('{"precious": true}')
    cache = workspace / "locales" / ".pipeline-cache.json"
    cache.parent.mkdir()
    cache.symlink_to(victim)
    succeeds("extract", "-w", workspace)
    assert victim.read_text() == '{"precious": true}'
    assert cache.is_file() and not cache.is_symlink()


def test_a_fifo_named_like_the_cache_never_hangs(extracted):
    cache = Workspace(extracted).cache_path
    cache.unlink()
    os.mkfifo(cache)
    with hang_guard(60):
        succeeds("build", "-w", extracted)
    assert not cache.is_fifo() and cache.is_file()


def test_atomic_write_replaces_a_link_instead_of_writing_through_it(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    victim.chmod(0o600)
    link = tmp_path / "dir" / "edition.txt"
    link.parent.mkdir()
    link.symlink_to(victim)
    atomic_write(link, b"new\n")
    assert victim.read_text() == "precious\n"
    assert not link.is_symlink() and link.read_bytes() == b"new\n"
    # The new file takes the default mode, not the link's 0o777 nor the target's.
    assert link.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- directories that lead out ---------------------------------------------------


def test_a_catalog_directory_linked_out_of_the_workspace_is_refused(workspace, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (workspace / "locales" / "en").mkdir(parents=True)
    (workspace / "locales" / "en" / "LC_MESSAGES").symlink_to(elsewhere)
    message = one_line_refusal("extract", "-w", workspace)
    assert "outside the workspace" in message
    assert list(elsewhere.iterdir()) == []


def test_locales_linked_out_of_the_workspace_is_refused(workspace, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (workspace / "locales").symlink_to(elsewhere)
    one_line_refusal("extract", "-w", workspace)
    assert list(elsewhere.iterdir()) == []


def test_seeds_linked_out_of_the_workspace_is_refused(tmp_path, secret):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "seeds").symlink_to(secret.parent)
    secret.rename(secret.with_suffix(".txt").with_name("article.txt"))
    assert "seeds" in one_line_refusal("extract", "-w", root)
    assert not (root / "locales" / "en").exists()


def test_the_default_build_directory_linked_out_is_refused(extracted, tmp_path):
    elsewhere = tmp_path / "public_html"
    elsewhere.mkdir()
    (extracted / "build").symlink_to(elsewhere)
    message = one_line_refusal("build", "-w", extracted)
    assert "build" in message and "outside the workspace" in message
    assert list(elsewhere.iterdir()) == []
    # An --out the user names is theirs to choose.
    succeeds("build", "-w", extracted, "--out", tmp_path / "chosen")
    assert (tmp_path / "chosen" / f"{SEED_NAME}.en.txt").is_file()


# --- sources and catalogs that lead out ------------------------------------------


def test_a_symlinked_seed_out_of_the_workspace_is_refused(bare_workspace, secret):
    (bare_workspace / "seeds" / "evil.txt").symlink_to(secret)
    message = one_line_refusal("extract", "-w", bare_workspace)
    assert "seeds/evil.txt" in message and "outside the workspace" in message
    message = one_line_refusal("extract", "-w", bare_workspace, bare_workspace / "seeds" / "evil.txt")
    assert "outside the workspace" in message
    assert not (bare_workspace / "locales" / "en" / "LC_MESSAGES" / "evil.po").exists()
    assert_unpublished(published(bare_workspace))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_run_refuses_a_symlinked_seed(bare_workspace, secret, jobs):
    (bare_workspace / "seeds" / "evil.txt").symlink_to(secret)
    result = invoke("run", "-w", bare_workspace, "--jobs", jobs)
    assert result.exit_code == 1 and "outside the workspace" in result.stderr, result.output
    assert_unpublished(result.output, published(bare_workspace))


@pytest.mark.parametrize("command", [["extract"], ["terms", "suggest"]])
def test_a_source_given_from_outside_the_workspace_is_refused(bare_workspace, secret, command):
    message = one_line_refusal(*command, "-w", bare_workspace, secret)
    assert "outside the workspace" in message
    assert_unpublished(published(bare_workspace))


def test_a_seed_replaced_by_a_link_after_extraction_is_not_built(extracted, secret):
    seed = extracted / "seeds" / f"{SEED_NAME}.txt"
    seed.unlink()
    seed.symlink_to(secret)
    one_line_refusal("build", "-w", extracted)
    assert_unpublished(published(extracted))


@pytest.mark.parametrize("header", ["absolute", "../../private/secret.txt", "seeds/../../private/secret.txt"])
def test_a_source_header_leading_out_is_refused_by_build_run_and_the_web_view(extracted, secret, header):
    ws = Workspace(extracted)
    path = ws.catalog_path(SEED_NAME)
    catalog = load_catalog(path)
    catalog.extra_headers[SOURCE_HEADER] = str(secret) if header == "absolute" else header
    save_catalog(path, catalog)
    message = one_line_refusal("build", "-w", extracted)
    assert SOURCE_HEADER in message and "outside the workspace" in message
    assert_unpublished(published(extracted))
    client = create_app(ws, "x", TOKEN).test_client()
    response = client.get(f"/doc/{SEED_NAME}/bilingual", headers={"Authorization": f"token {TOKEN}"})
    assert response.status_code >= 400
    body = response.get_data(as_text=True)
    assert_unpublished(body)
    assert "outside the workspace" in body


@pytest.mark.parametrize("command", [["status"], ["build"], ["check"], ["translate"], ["extract"]])
def test_a_symlinked_catalog_is_refused_without_quoting_its_target(extracted, secret, command):
    po = Workspace(extracted).catalog_path(SEED_NAME)
    po.unlink()
    po.symlink_to(secret)
    message = one_line_refusal(*command, "-w", extracted)
    assert "outside the workspace" in message
    assert secret.read_text(encoding="utf-8") == SECRET


def test_a_symlinked_catalog_on_the_dashboard_shows_a_refusal_not_the_file(extracted, secret):
    po = Workspace(extracted).catalog_path(SEED_NAME)
    po.unlink()
    po.symlink_to(secret)
    client = create_app(Workspace(extracted), "x", TOKEN).test_client()
    body = client.get("/", headers={"Authorization": f"token {TOKEN}"}).get_data(as_text=True)
    assert_unpublished(body)
    assert "outside the workspace" in body


def test_a_symlinked_template_is_refused(extracted, secret):
    pot = Workspace(extracted).template_path(SEED_NAME)
    pot.unlink()
    pot.symlink_to(secret)
    (extracted / "seeds" / f"{SEED_NAME}.txt").write_text("新的内容。\n", encoding="utf-8")
    one_line_refusal("extract", "-w", extracted)
    assert secret.read_text(encoding="utf-8") == SECRET


def test_a_symlinked_termbase_is_refused(extracted, secret):
    secret.write_text("zh\ten\ttype\tnote\n崔平\tTOPSECRET Cui\tperson\t\n", encoding="utf-8")  # a valid termbase
    (extracted / "locales" / "glossary.tsv").symlink_to(secret)
    (extracted / "seeds" / f"{SEED_NAME}.txt").write_text("崔平很忙。\n", encoding="utf-8")
    one_line_refusal("extract", "-w", extracted)
    assert_unpublished(published(extracted))


def test_a_symlinked_translation_memory_is_refused(extracted, secret):
    first = next(m.id for m in load_catalog(Workspace(extracted).catalog_path(SEED_NAME)) if m.id)
    secret.write_bytes(tmx_bytes([Unit(first, "TOPSECRET translation", "secret.tmx")]))  # a valid memory
    (extracted / "locales" / "tm").mkdir()
    (extracted / "locales" / "tm" / "evil.tmx").symlink_to(secret)
    one_line_refusal("translate", "-w", extracted)
    assert_unpublished(published(extracted))


def test_links_that_stay_inside_the_workspace_keep_working(bare_workspace):
    texts = bare_workspace / "texts"
    texts.mkdir()
    (texts / "article.txt").write_text("宁波打出一张王牌。\n\n崔平很忙。\n", encoding="utf-8")
    (bare_workspace / "seeds" / "article.txt").symlink_to(Path("..") / "texts" / "article.txt")
    succeeds("extract", "-w", bare_workspace)
    succeeds("build", "-w", bare_workspace)
    assert "崔平" in (bare_workspace / "build" / "article.bilingual.md").read_text(encoding="utf-8")


# --- special files named like ours -----------------------------------------------


def test_a_fifo_named_like_a_seed_is_refused_without_hanging(bare_workspace):
    os.mkfifo(bare_workspace / "seeds" / "pipe.txt")
    assert "seeds/pipe.txt" in one_line_refusal("extract", "-w", bare_workspace)
    assert "seeds/pipe.txt" in one_line_refusal("extract", "-w", bare_workspace, bare_workspace / "seeds" / "pipe.txt")


def test_a_fifo_named_like_a_catalog_is_refused_without_hanging(extracted):
    os.mkfifo(extracted / "locales" / "en" / "LC_MESSAGES" / "pipe.po")
    for command in ("status", "build", "check"):
        assert "pipe.po" in one_line_refusal(command, "-w", extracted)


# A regression here would read /dev/zero until memory runs out: run the
# command in a child with an address-space ceiling and a timeout.
_SPECIAL_SEED = """
import os, sys
from pathlib import Path
ws = Path(sys.argv[1])
(ws / "seeds" / "special.txt").symlink_to(sys.argv[2])
from pipeline.cli import main
main(["extract", "-w", str(ws)])
"""


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


@pytest.mark.parametrize("target", ["/dev/zero", "/proc/self/environ", "/dev/stdin"])
def test_a_seed_linked_to_a_device_or_proc_file_is_refused(bare_workspace, target):
    if not Path(target).exists():
        pytest.skip(f"{target} does not exist here")
    proc = subprocess.run(
        [sys.executable, "-c", _SPECIAL_SEED, str(bare_workspace), target],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        preexec_fn=_limited,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO), "TOPSECRET_ENV": "TOPSECRET-env"},
    )
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "special.txt" in lines[0], proc.stderr
    assert_unpublished(proc.stderr)
    assert not (bare_workspace / "locales" / "en" / "LC_MESSAGES" / "special.po").exists()
    assert_unpublished(published(bare_workspace))


def test_the_workspace_itself_may_be_reached_through_a_link(extracted, tmp_path):
    alias = tmp_path / "alias"
    alias.symlink_to(extracted)
    succeeds("build", "-w", alias)
    shutil.rmtree(extracted / "build")
    succeeds("run", "-w", alias)
