"""The pre-commit manifest is valid and declares what the hook relies on."""
from __future__ import annotations

import subprocess
import sys

import yaml
from conftest import REPO_ROOT


def test_manifest_validates_with_pre_commit() -> None:
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
                          cwd=REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_hook_runs_serially_and_orphans_always_runs() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"toon-sync", "toon-check", "toon-orphans"}
    assert all(h["require_serial"] for h in hooks.values())
    assert hooks["toon-orphans"]["always_run"] and hooks["toon-orphans"]["pass_filenames"] is False
    assert not any("stages" in h for h in hooks.values())  # the user's configuration chooses stages


def test_file_pattern_ignores_case() -> None:
    import re

    hooks = {h["id"]: h for h in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())}
    pattern = re.compile(hooks["toon-sync"]["files"])
    assert all(pattern.search(name) for name in ("README.MD", "scan.PDF", "a.toon", "x.Json", "y.jsonl"))
    assert not pattern.search("notes.txt")
