"""A merge where both branches changed a source: the generated twin never needs a hand merge."""
from __future__ import annotations

from pathlib import Path

import pytest

from toon_hooks import twins

from .gitrepo import commit, git, merged, run, status

pytestmark = pytest.mark.e2e

BASE = "tasks[2]{id,title,done}:\n  1,Write spec,false\n  2,Ship it,false\n"
OURS = "tasks[2]{id,title,done}:\n  1,Write spec,true\n  2,Ship it,false\n"
THEIRS = "tasks[2]{id,title,done}:\n  1,Write the spec,false\n  2,Ship it,false\n"
RESOLVED = "tasks[2]{id,title,done}:\n  1,Write the spec,true\n  2,Ship it,false\n"


def conflicting_merge(repo: Path) -> str:
    """Commit BASE, change it on two branches, merge; return the merge's output (it conflicts in plan.toon)."""
    (repo / "plan.toon").write_text(BASE)
    git(repo, "add", "plan.toon")
    assert commit(repo, message="base").returncode == 0
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "plan.toon").write_text(THEIRS)
    assert commit(repo, "-a", message="theirs").returncode == 0
    git(repo, "checkout", "-q", "main")
    (repo / "plan.toon").write_text(OURS)
    assert commit(repo, "-a", message="ours").returncode == 0
    return merged(["git", "merge", "other"], repo, None).stdout


def resolve_source_and_commit(repo: Path) -> None:
    (repo / "plan.toon").write_text(RESOLVED)
    git(repo, "add", "plan.toon")


def assert_twin_matches_resolved_source(repo: Path) -> None:
    twin = (repo / "plan.md").read_text()
    assert twins.parse_marker(twin) is not None and "Write the spec" in twin and "<<<<<<<" not in twin
    assert run(["toon-hooks", "check", "--all"], repo, check=False).returncode == 0
    assert status(repo) == ""


def test_without_the_driver_sync_regenerates_and_stages_the_conflicted_twin(repo: Path) -> None:
    out = conflicting_merge(repo)
    assert "CONFLICT" in out and "<<<<<<<" in (repo / "plan.md").read_text()
    resolve_source_and_commit(repo)
    synced = run(["toon-hooks", "sync", "plan.toon"], repo, check=False)
    assert synced.returncode == 0, synced.stderr
    assert "merge conflict resolved by regenerating" in synced.stderr
    done = commit(repo, message="merge")
    assert done.returncode == 0, done.stdout
    assert_twin_matches_resolved_source(repo)


def test_with_the_driver_only_the_source_conflicts_and_the_commit_regenerates_the_twin(repo: Path) -> None:
    installed = run(["toon-hooks", "merge-driver", "--install"], repo)
    assert "registered" in installed.stderr
    git(repo, "add", ".gitattributes")
    assert commit(repo, message="merge driver").returncode == 0
    out = conflicting_merge(repo)
    assert "CONFLICT (content): Merge conflict in plan.toon" in out and "plan.md" not in out.split("CONFLICT")[-1]
    assert "<<<<<<<" not in (repo / "plan.md").read_text()
    resolve_source_and_commit(repo)
    done = commit(repo, message="merge")  # toon-sync regenerates plan.md from the merged source and stages it
    assert done.returncode == 0, done.stdout
    assert_twin_matches_resolved_source(repo)
