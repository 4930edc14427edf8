"""Every block of the README's "Use it in a repository" section, run as written in a real repository.

The YAML block becomes `.pre-commit-config.yaml` (only its placeholder URL is replaced by a snapshot of this
checkout), the TOML block `pyproject.toml`, and each shell block runs in that repository: first the set-up, then
the CI recipe, which must pass on fresh twins and fail with a diff on a stale one.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from .gitrepo import REPO_ROOT, commit, git, status

pytestmark = pytest.mark.e2e

SECTION = re.compile(r"^## Use it in a repository\n(.*?)^## ", re.S | re.M)
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
PLACEHOLDER = "https://example.invalid/your-org/toon-hooks"


def readme_blocks() -> dict[str, list[str]]:
    """The section's code blocks by language, in order."""
    section = SECTION.search((REPO_ROOT / "README.md").read_text(encoding="utf-8"))
    assert section, "README has no 'Use it in a repository' section"
    blocks: dict[str, list[str]] = {}
    for language, body in BLOCK.findall(section.group(1)):
        blocks.setdefault(language, []).append(body)
    return blocks


def shell(repo: Path, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=repo, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_readme_configuration_and_ci_recipe_work_as_written(tmp_path: Path, hook_repo: tuple[Path, str]) -> None:
    blocks = readme_blocks()
    assert set(blocks) - {"text"} == {"yaml", "toml", "sh"}  # text blocks show output; everything else runs
    assert len(blocks["yaml"]) == len(blocks["toml"]) == 1
    setup, ci = blocks["sh"]
    repo = tmp_path / "work"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    assert PLACEHOLDER in blocks["yaml"][0]
    (repo / ".pre-commit-config.yaml").write_text(blocks["yaml"][0].replace(PLACEHOLDER, str(hook_repo[0])))
    (repo / "pyproject.toml").write_text(blocks["toml"][0])
    installed = shell(repo, setup.replace(PLACEHOLDER, str(hook_repo[0])))
    assert installed.returncode == 0, installed.stdout
    assert f"rev: {hook_repo[1]}" in (repo / ".pre-commit-config.yaml").read_text()  # pinned to the commit

    (repo / "docs").mkdir()
    (repo / "docs" / "plan.md").write_text("# Plan\n\n**Owner:** ops\n\n- [ ] ship the twins\n")
    git(repo, "add", "-A")
    verbose = subprocess.run(["pre-commit", "run", "toon-sync", "--files", "docs/plan.md", "--verbose"], cwd=repo,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert verbose.returncode == 0, verbose.stdout
    assert "vs Markdown (1 file)" in verbose.stdout and "unavailable" not in verbose.stdout  # offline counts
    committed = commit(repo)
    assert committed.returncode == 0, committed.stdout
    assert (repo / "docs" / "plan.toon").exists() and status(repo) == ""

    passing = shell(repo, ci)
    assert passing.returncode == 0, passing.stdout
    (repo / "docs" / "plan.md").write_text("# Plan\n\n**Owner:** ops\n\n- [x] ship the twins\n")
    git(repo, "commit", "-q", "-am", "stale twin", "--no-verify")
    failing = shell(repo, ci)
    assert failing.returncode == 1, failing.stdout
    assert "docs/plan.toon:1:1: stale" in failing.stdout
    assert re.search(r"^\+.*\[x\] ship the twins", failing.stdout, re.M), failing.stdout  # the diff is shown
