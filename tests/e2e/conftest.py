"""End-to-end fixtures: one snapshot of this checkout as a hook repo and one pre-commit store per session."""
from __future__ import annotations

from pathlib import Path

import pytest

from .gitrepo import make_repo, snapshot_hook_repo


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout's package files committed in a temp repo, as pre-commit's `repo:` and `rev:`."""
    return snapshot_hook_repo(tmp_path_factory.mktemp("hook-repo"))


@pytest.fixture(scope="session")
def precommit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's store, shared by the session so the hook environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(autouse=True)
def _precommit_env(precommit_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRE_COMMIT_HOME", str(precommit_home))
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    monkeypatch.delenv("GIT_INDEX_FILE", raising=False)


@pytest.fixture
def repo(tmp_path: Path, hook_repo: tuple[Path, str]) -> Path:
    """A fresh git repo whose commits run toon-sync and toon-orphans from this checkout."""
    return make_repo(tmp_path / "work", *hook_repo)
