"""Every git call toon-hooks makes: one small function each, `-z` output, literal pathspecs.

Read-only calls run with GIT_OPTIONAL_LOCKS=0 so they never take the index lock a concurrent commit holds.
`GIT_INDEX_FILE` is inherited untouched: `git commit -a` and `git commit <paths>` point it at a temporary
index, and staging must go there (see the pre-commit reference notes, experiment G).
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .errors import GitError

if TYPE_CHECKING:
    import subprocess


def _run(args: Sequence[str], *, cwd: str, stdin: bytes | None = None, read_only: bool = True,
         ok: tuple[int, ...] = (0,), literal: bool = True) -> subprocess.CompletedProcess[bytes]:
    import subprocess  # not at module level: a warm hook run starts no git process

    env = dict(os.environ)
    if read_only:
        env["GIT_OPTIONAL_LOCKS"] = "0"
    try:
        prefix = ["git", "--literal-pathspecs"] if literal else ["git"]
        proc = subprocess.run([*prefix, *args], cwd=cwd, input=stdin, env=env,
                              capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    if proc.returncode not in ok:
        message = proc.stderr.decode(errors="replace").strip() or f"exit code {proc.returncode}"
        raise GitError(f"git {' '.join(args[:2])} failed: {message}")
    return proc


def _zsplit(data: bytes) -> list[str]:
    return [item for item in data.decode("utf-8", "surrogateescape").split("\0") if item]


def _nul_paths(paths: Iterable[str]) -> bytes:
    return b"".join(p.encode("utf-8", "surrogateescape") + b"\0" for p in paths)


def toplevel(cwd: str = ".") -> str | None:
    """Return the work tree root containing `cwd`, or None outside a git work tree.

    Found by looking for `.git` (a folder, or a file in worktrees and submodules) upwards, as git does:
    this runs on every commit, and a `git rev-parse` process would cost more than the rest of a warm run.
    """
    here = os.path.abspath(cwd)
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def tracked_files(root: str) -> list[str]:
    """Return every path in the index (what `pre-commit run --all-files` sees)."""
    return _zsplit(_run(["ls-files", "-z", "--deduplicate"], cwd=root).stdout)


def staged_files(root: str) -> set[str]:
    """Return paths whose index content differs from HEAD (deletions included)."""
    return set(_zsplit(_run(["diff", "--cached", "--name-only", "-z", "--no-ext-diff", "--no-renames"],
                            cwd=root).stdout))


def unstaged_files(root: str, paths: Sequence[str]) -> set[str]:
    """Return those of `paths` whose work-tree content differs from the index."""
    if not paths:
        return set()
    # git diff takes no --pathspec-from-file; listing everything and intersecting avoids argv limits.
    return set(paths) & set(_zsplit(_run(["diff", "--name-only", "-z", "--no-ext-diff"], cwd=root).stdout))


def ignored_files(root: str, paths: Sequence[str]) -> set[str]:
    """Return those of `paths` that .gitignore rules exclude."""
    if not paths:
        return set()
    # check-ignore rejects pathspec magic; its --stdin paths are taken literally anyway.
    proc = _run(["check-ignore", "-z", "--stdin"], cwd=root, stdin=_nul_paths(paths), ok=(0, 1), literal=False)
    return set(_zsplit(proc.stdout))


def add(root: str, paths: Sequence[str]) -> None:
    """Stage `paths` with one `git add` (literal pathspecs, NUL-separated on stdin)."""
    if paths:
        _run(["add", "--pathspec-from-file=-", "--pathspec-file-nul"], cwd=root,
             stdin=_nul_paths(paths), read_only=False)


def remove(root: str, paths: Sequence[str]) -> None:
    """Delete `paths` from the work tree and stage the removal."""
    if paths:
        _run(["rm", "-q", "--pathspec-from-file=-", "--pathspec-file-nul"], cwd=root,
             stdin=_nul_paths(paths), read_only=False)


def is_path_limited_commit() -> bool:
    """True inside `git commit <paths>`, whose temporary index is discarded for the real one afterwards."""
    index = os.environ.get("GIT_INDEX_FILE", "")
    return os.path.basename(index).startswith("next-index")


_PATCH_PATH = re.compile(rb'^diff --git "?a/(.*?)"? "?b/', re.MULTILINE)


def precommit_stashed_paths() -> set[str] | None:
    """Return the paths whose unstaged edits pre-commit stashed before running this hook.

    pre-commit removes unstaged changes from the work tree while hooks run and re-applies them afterwards
    from a patch file named `patch<time>-<pid>` (pid = the pre-commit process, our parent). A hook that
    re-stages a file with a stashed edit makes that re-apply fail and the edit vanishes from the work tree,
    so the hook must know these paths. Returns None when not run by pre-commit (or no patch exists).
    """
    if not os.environ.get("PRE_COMMIT"):
        return None
    home = os.environ.get("PRE_COMMIT_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pre-commit")
    suffix = f"-{os.getppid()}"
    try:
        names = [n for n in os.listdir(home) if n.startswith("patch") and n.endswith(suffix)]
    except OSError:
        return None
    if not names:
        return None
    with open(os.path.join(home, max(names)), "rb") as fh:
        patch = fh.read()
    return {_unquote(m.group(1)) for m in _PATCH_PATH.finditer(patch)}


def _unquote(raw: bytes) -> str:
    """Undo git's C-style quoting of a path in a diff header."""
    if b"\\" not in raw:
        return raw.decode("utf-8", "surrogateescape")
    return raw.decode("unicode_escape").encode("latin-1").decode("utf-8", "surrogateescape")


def merge_file(current: str, base: str, other: str, path: str) -> bool:
    """Three-way merge `other` into `current` in place (git's text merge); True when no conflict was left."""
    proc = _run(["merge-file", "-L", f"{path} (ours)", "-L", f"{path} (base)", "-L", f"{path} (theirs)",
                 current, base, other], cwd=".", ok=tuple(range(128)), literal=False)
    return proc.returncode == 0


def set_config(root: str, key: str, value: str) -> None:
    """Set a repository-local git config value."""
    _run(["config", "--local", key, value], cwd=root, read_only=False, literal=False)
