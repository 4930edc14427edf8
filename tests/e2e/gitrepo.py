"""Helpers for end-to-end tests: real git repositories with toon-hooks installed through pre-commit."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT_PARTS = ("src", "setup.py", "pyproject.toml", ".pre-commit-hooks.yaml", "README.md", "LICENSE")


def run(args: list[str], cwd: Path, *, check: bool = True, env: dict[str, str] | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command, returning its output; raise with both streams shown when `check` fails."""
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, input=stdin,
                          env={**os.environ, **(env or {})})
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def git(cwd: Path, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
    """Run git and return stdout."""
    return run(["git", *args], cwd, check=check, env=env).stdout


def snapshot_hook_repo(dest: Path, extra_hooks: str = "") -> tuple[Path, str]:
    """Commit the current checkout's package files into a fresh repo: pre-commit installs hooks from a rev.

    `extra_hooks` is appended to the snapshot's `.pre-commit-hooks.yaml` (the benchmark adds a no-op hook
    that shares the toon-hooks environment).
    """
    dest.mkdir(parents=True, exist_ok=True)
    for part in SNAPSHOT_PARTS:
        src = REPO_ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.so"))
        else:
            shutil.copy2(src, dest / part)
    with open(dest / ".pre-commit-hooks.yaml", "a", encoding="utf-8") as manifest:
        manifest.write(extra_hooks)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot")
    return dest, git(dest, "rev-parse", "HEAD").strip()


def make_repo(path: Path, hook_repo: Path, rev: str, *, hooks: tuple[str, ...] = ("toon-sync", "toon-orphans"),
              args: dict[str, list[str]] | None = None, config: str = "") -> Path:
    """Create a git repo using toon-hooks from `hook_repo`@`rev`, with pre-commit installed as its hook."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    lines = ["repos:", f"  - repo: {hook_repo}", f"    rev: {rev}", "    hooks:"]
    for hook in hooks:
        lines.append(f"      - id: {hook}")
        if args and hook in args:
            lines.append(f"        args: {args[hook]!r}".replace("'", '"'))
    (path / ".pre-commit-config.yaml").write_text("\n".join(lines) + "\n")
    if config:
        (path / "pyproject.toml").write_text(config)
    run([sys.executable, "-m", "pre_commit", "install", "-f"], path)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "init", "--no-verify")
    return path


def merged(args: list[str], cwd: Path, env: dict[str, str] | None) -> subprocess.CompletedProcess[str]:
    """Run a command whatever its exit code; `stdout` holds both streams, as a terminal would show them."""
    return subprocess.run(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env={**os.environ, **(env or {})})


def commit(path: Path, *args: str, message: str = "change",
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `git commit` (hooks included) and return the completed process, whatever its exit code."""
    return merged(["git", "commit", "-m", message, *args], path, env)


def precommit(path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `pre-commit` in `path`."""
    return merged([sys.executable, "-m", "pre_commit", *args], path, env)


def status(path: Path) -> str:
    """`git status --porcelain` (v1, untracked included)."""
    return git(path, "status", "--porcelain", "--untracked-files=all")


def committed_files(path: Path, rev: str = "HEAD") -> set[str]:
    """Paths changed by commit `rev`."""
    return {p for p in git(path, "show", "--name-only", "-z", "--pretty=format:", rev).split("\0") if p}


def head_blob(path: Path, file: str, rev: str = "HEAD") -> str:
    """Content of `file` at `rev`."""
    return git(path, "show", f"{rev}:{file}")
