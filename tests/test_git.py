"""git plumbing on real repositories."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from toon_hooks import git


def sh(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    sh(tmp_path, "init", "-q", "-b", "main")
    for name in ("a.md", "f[1].md", "f1.md", "ünï cödé.md"):
        (tmp_path / name).write_text("x\n")
    (tmp_path / ".gitignore").write_text("ignored.md\n")
    sh(tmp_path, "add", "-A")
    sh(tmp_path, "commit", "-q", "-m", "init")
    return tmp_path


def test_listing_with_odd_names(repo: Path) -> None:
    assert set(git.tracked_files(str(repo))) == {".gitignore", "a.md", "f[1].md", "f1.md", "ünï cödé.md"}
    assert git.toplevel(str(repo)) == str(repo)
    assert git.toplevel("/") is None


def test_staged_unstaged_and_ignored(repo: Path) -> None:
    (repo / "a.md").write_text("changed\n")
    (repo / "f1.md").write_text("staged\n")
    sh(repo, "add", "f1.md")
    assert git.staged_files(str(repo)) == {"f1.md"}
    assert git.unstaged_files(str(repo), ["a.md", "f1.md", "f[1].md"]) == {"a.md"}
    assert git.ignored_files(str(repo), ["ignored.md", "a.md"]) == {"ignored.md"}


def test_add_uses_literal_pathspecs(repo: Path) -> None:
    (repo / "f[1].md").write_text("one\n")
    (repo / "f1.md").write_text("two\n")
    git.add(str(repo), ["f[1].md"])
    assert git.staged_files(str(repo)) == {"f[1].md"}  # a glob would have staged f1.md too


def test_remove_deletes_and_stages(repo: Path) -> None:
    git.remove(str(repo), ["ünï cödé.md"])
    assert not (repo / "ünï cödé.md").exists()
    assert git.staged_files(str(repo)) == {"ünï cödé.md"}


def test_path_limited_commit_is_recognised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_INDEX_FILE", "/r/.git/next-index-123.lock")
    assert git.is_path_limited_commit()
    monkeypatch.setenv("GIT_INDEX_FILE", "/r/.git/index.lock")  # git commit -a
    assert not git.is_path_limited_commit()


def test_precommit_stash_patch_paths(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "a.md").write_text("edited\n")
    (repo / "ünï cödé.md").write_text("edited\n")
    patch = subprocess.run(["git", "diff", "--binary", "--no-color"], cwd=repo, check=True,
                           capture_output=True).stdout
    home = tmp_path / "pc"
    home.mkdir()
    (home / f"patch1700000000-{os.getppid()}").write_bytes(patch)
    monkeypatch.setenv("PRE_COMMIT_HOME", str(home))
    assert git.precommit_stashed_paths() is None  # not inside pre-commit
    monkeypatch.setenv("PRE_COMMIT", "1")
    assert git.precommit_stashed_paths() == {"a.md", "ünï cödé.md"}
