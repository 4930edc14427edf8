"""End-to-end fixtures: one snapshot of this checkout as a hook repo and one pre-commit store per test run,
shared by all pytest-xdist workers so that the hook environment is built once, not once per worker."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from .gitrepo import make_repo, snapshot_hook_repo


def _run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temp folder of this test run: the workers' common parent under xdist, else the session's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout's package files committed in a temp repo, as pre-commit's `repo:` and `rev:`; the first
    worker makes it (under a lock), the others read its revision."""
    folder = _run_folder(tmp_path_factory)
    with open(folder / "hook-repo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        rev_file = folder / "hook-repo.rev"
        if rev_file.exists():
            return folder / "hook-repo", rev_file.read_text()
        repo, rev = snapshot_hook_repo(folder / "hook-repo")
        rev_file.write_text(rev)
        return repo, rev


@pytest.fixture(scope="session")
def precommit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's store for the run (pre-commit locks it while it installs, so workers may share it)."""
    home = _run_folder(tmp_path_factory) / "pre-commit-home"
    home.mkdir(exist_ok=True)
    return home


@pytest.fixture(autouse=True)
def _precommit_env(precommit_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRE_COMMIT_HOME", str(precommit_home))
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    monkeypatch.delenv("GIT_INDEX_FILE", raising=False)


@pytest.fixture
def repo(tmp_path: Path, hook_repo: tuple[Path, str]) -> Path:
    """A fresh git repo whose commits run toon-sync and toon-orphans from this checkout."""
    return make_repo(tmp_path / "work", *hook_repo)
