"""``pipeline init``: the workspace layout, a .gitignore merged, never a file
overwritten, idempotent."""

from __future__ import annotations

import errno
import os

from click.testing import CliRunner

from pipeline import scaffold
from pipeline.cli import main
from pipeline.scaffold import GITIGNORE_HEADER, IGNORED, gitignore_with, missing_ignores, readme_text
from tests.conftest import REPO

PATTERNS = [item.pattern for item in IGNORED]


def init(*args):
    result = CliRunner().invoke(main, ["init", *map(str, args)])
    return result


def snapshot(root):
    """Every path under ``root`` with its bytes (None for a directory) and mtime."""
    out = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        out[path.relative_to(root).as_posix()] = (None if path.is_dir() else path.read_bytes(), st.st_mtime_ns)
    return out


def test_a_new_workspace(tmp_path):
    root = tmp_path / "a" / "team"  # parents are made too
    result = init(root)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "seeds/",
        "locales/",
        ".gitignore",
        ".gitattributes",
        "README.md",
        "pipeline.toml",
    ]
    assert (root / "seeds").is_dir() and (root / "locales").is_dir()
    assert (root / ".gitignore").read_text() == "\n".join([GITIGNORE_HEADER, *PATTERNS]) + "\n"
    assert missing_ignores((root / ".gitignore").read_text()) == []
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert readme == readme_text("team")
    for needed in (
        "pipeline extract",
        "pipeline translate",
        "pipeline review",
        "pipeline build",
        "locales/en/LC_MESSAGES/<doc>.po",
        "What not to commit",
        "`*.mo`",
    ):
        assert needed in readme
    assert not list(root.rglob(".*.tmp"))


def test_init_is_idempotent(tmp_path):
    assert init(tmp_path).exit_code == 0
    before = snapshot(tmp_path)
    result = init(tmp_path)
    assert result.exit_code == 0 and result.stdout == ""
    assert "nothing changed" in result.stderr
    assert snapshot(tmp_path) == before  # not even rewritten with the same bytes


def test_default_directory_is_the_current_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert init().exit_code == 0
    assert (tmp_path / "seeds").is_dir() and (tmp_path / ".gitignore").is_file()


def test_an_existing_gitignore_gets_only_the_missing_lines(tmp_path):
    original = "# ours\r\nnode_modules/\r\nbuild\r\n!*.mo\r\n/locales/.pipeline.lock"  # CRLF, no final newline
    (tmp_path / ".gitignore").write_bytes(original.encode())
    result = init(tmp_path)
    assert result.exit_code == 0, result.output
    data = (tmp_path / ".gitignore").read_bytes().decode()
    # build, the team's decision on *.mo and the anchored lock count as present.
    added = [
        "locales/.locks/",
        "locales/.catalogs.lock",
        "locales/.pipeline-cache.json",
        "locales/.pipeline-cache.d/",
        ".*.tmp",
        "*.po~",
        "*.po.conflict-*",
    ]
    assert data == original + "\r\n\r\n" + "\r\n".join([GITIGNORE_HEADER, *added]) + "\r\n"
    assert "added to .gitignore: " + " ".join(added) in result.stderr
    assert ".gitignore" not in result.stdout.splitlines()  # not created
    assert init(tmp_path).exit_code == 0
    assert (tmp_path / ".gitignore").read_bytes().decode() == data


def test_gitignore_merge_keeps_bytes_that_are_not_utf8(tmp_path):
    original = b"caf\xe9/\n"  # Latin-1: kept as it is
    (tmp_path / ".gitignore").write_bytes(original)
    os.chmod(tmp_path / ".gitignore", 0o640)
    assert init(tmp_path).exit_code == 0
    data = (tmp_path / ".gitignore").read_bytes()
    assert data.startswith(original + b"\n" + GITIGNORE_HEADER.encode())
    assert os.stat(tmp_path / ".gitignore").st_mode & 0o777 == 0o640


def test_gitignore_with():
    assert gitignore_with("a\n", []) == "a\n"
    assert gitignore_with("", ["x"]) == f"{GITIGNORE_HEADER}\nx\n"
    assert gitignore_with("a", ["x"]) == f"a\n\n{GITIGNORE_HEADER}\nx\n"
    assert missing_ignores("# *.mo\n  *.mo  \n") == [p for p in PATTERNS if p != "*.mo"]  # a comment is no pattern


def test_an_existing_readme_is_left_alone(tmp_path):
    (tmp_path / "Readme.rst").write_text("Our project.\n")
    result = init(tmp_path)
    assert result.exit_code == 0
    assert not (tmp_path / "README.md").exists()
    assert (tmp_path / "Readme.rst").read_text() == "Our project.\n"
    assert "Readme.rst exists; left as it is" in result.stderr


def test_a_readme_link_is_never_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere.md"
    root = tmp_path / "ws"
    root.mkdir()
    (root / "README.md").symlink_to(elsewhere)  # dangling: writing through it would create elsewhere.md
    assert init(root).exit_code == 0
    assert not elsewhere.exists() and (root / "README.md").is_symlink()


def test_a_file_that_appears_meanwhile_is_never_replaced(tmp_path):
    # Between the check and the write, someone else creates the file.
    (tmp_path / "README.md").write_text("theirs\n")
    assert scaffold._create(tmp_path / "README.md", "ours\n") is False
    assert (tmp_path / "README.md").read_text() == "theirs\n"
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]  # no temporary file left


def test_a_file_system_without_hard_links(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(scaffold.os, "link", no_links)
    assert init(tmp_path).exit_code == 0
    assert missing_ignores((tmp_path / ".gitignore").read_text()) == []
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == readme_text(tmp_path.name)
    assert not list(tmp_path.rglob(".*.tmp"))
    (tmp_path / "README.md").write_text("edited\n")
    assert init(tmp_path).exit_code == 0 and (tmp_path / "README.md").read_text() == "edited\n"


def test_a_gitignore_link_is_left_alone_with_a_warning(tmp_path):
    shared = tmp_path / "shared-ignore"
    shared.write_text("x\n")
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".gitignore").symlink_to(shared)
    result = init(root)
    assert result.exit_code == 0
    assert (root / ".gitignore").is_symlink() and shared.read_text() == "x\n"
    assert "warning: .gitignore is a link; left as it is: make sure it ignores /build/ *.mo" in result.stderr


def test_seeds_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "seeds").write_text("not a directory")
    result = init(tmp_path)
    assert result.exit_code == 1
    assert result.stderr == "Error: seeds/: exists and is not a directory; move it away first\n"


def test_locales_leading_out_of_the_workspace_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "ws"
    root.mkdir()
    (root / "locales").symlink_to(outside)
    result = init(root)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "leads outside the workspace" in result.stderr
    assert list(outside.iterdir()) == []


def test_a_file_in_place_of_the_workspace_is_one_line(tmp_path):
    (tmp_path / "ws").write_text("x")
    result = init(tmp_path / "ws")
    assert result.exit_code == 2 and "is a file" in result.stderr and "Traceback" not in result.output


def test_this_repository_ignores_what_a_workspace_must_not_commit():
    # The repository root is itself a workspace (seeds/, locales/).
    assert missing_ignores((REPO / ".gitignore").read_text(encoding="utf-8")) == []


def test_history_files_merge_by_union(tmp_path):
    """Two branches' appends to a document's history keep both sides' lines:
    init writes the attribute, or appends it to a .gitattributes there."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".gitattributes").write_text("*.png binary")  # no final newline
    result = init(root)
    assert result.exit_code == 0, result.output
    assert (root / ".gitattributes").read_text() == "*.png binary\n*.history.jsonl merge=union\n"
    assert "added to .gitattributes" in result.output
    again = init(root)
    assert (root / ".gitattributes").read_text() == "*.png binary\n*.history.jsonl merge=union\n"
    assert "added to .gitattributes" not in again.output
