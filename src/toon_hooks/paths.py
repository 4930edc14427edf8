"""Which files a command works on: the project root, and the files named by arguments, folders and stdin.

Every command finds its files the same way: folders are walked for the formats toon-hooks reads, hidden
folders and files `.gitignore` excludes are skipped, and paths are made relative to the project root.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NamedTuple

from . import git
from .formats.spec import SOURCE_SUFFIXES

STDIN = "-"
"""The argument that names standard input."""
STDIN_LABEL = "<stdin>"
"""How messages name standard input."""


def input_label(arg: str) -> str:
    """Return how messages name the input an argument names."""
    return STDIN_LABEL if arg == STDIN else arg


def read_input(arg: str) -> bytes:
    """Return the bytes of the file `arg`, or of stdin for "-" (OSError as `open` raises it)."""
    if arg == STDIN:
        import sys

        return sys.stdin.buffer.read()
    with open(arg, "rb") as fh:
        return fh.read()


def project_root() -> tuple[str, bool]:
    """Return the work tree root (or the current folder outside git) and whether it is a git work tree."""
    top = git.toplevel(".")
    return (top, True) if top else (os.path.abspath("."), False)


def expand_paths(root: str, args: Sequence[str], all_files: bool, in_git: bool) -> list[str]:
    """Turn arguments (files or folders, relative to the current folder) into root-relative paths."""
    if all_files:
        found = git.tracked_files(root) if in_git else _walk(root, root)
        return [p for p in found if p.lower().endswith(SOURCE_SUFFIXES)]
    cwd = os.getcwd()
    paths: list[str] = []
    for arg in args:
        if cwd == root and _plain_relative(arg):
            paths.append(arg)  # how pre-commit passes files: already root-relative
            continue
        full = os.path.abspath(arg)
        if os.path.isdir(full) and not os.path.islink(full):
            walked = _walk(full, root)
            ignored = git.ignored_files(root, walked) if in_git else set()
            paths.extend(p for p in walked if p not in ignored)  # .gitignore'd files are not ours, as for black
        else:
            paths.append(os.path.relpath(full, root).replace(os.sep, "/"))
    return paths


def outside_root(root: str, paths: Sequence[str]) -> list[str]:
    """Return those of `paths` that resolve outside the project root (`..`, or through a symlinked folder)."""
    real_root = os.path.realpath(root)
    return [path for path in paths
            if os.path.commonpath([real_root, os.path.realpath(os.path.join(root, path))]) != real_root]


def _plain_relative(arg: str) -> bool:
    """True for `a/b.toon`-style arguments (relative, normalized, ending in a format suffix), as pre-commit
    passes them: they are taken as root-relative file paths without a stat. A folder named like a file
    (`notes.md/`) is walked when given with its trailing slash.
    """
    return (arg.lower().endswith(SOURCE_SUFFIXES) and not arg.startswith("/") and os.sep == "/"
            and "//" not in arg and not any(part in (".", "..") for part in arg.split("/")))


def _walk(folder: str, root: str) -> list[str]:
    found = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [os.path.relpath(os.path.join(here, f), root).replace(os.sep, "/")
                  for f in sorted(files) if f.lower().endswith(SOURCE_SUFFIXES)]
    return found


class Source(NamedTuple):
    """One input of a `convert` or `tokens` run."""

    path: str
    """The path as the user named it (a folder's files below the folder as named), or "-" for stdin."""
    below: str
    """Where its output goes under --out-dir: its path below the folder it was found in, or its file name."""
    in_folder: bool


def expand_sources(args: Sequence[str]) -> list[Source]:
    """Return files and stdin as given, and the files of each folder as `sync` finds them (`expand_paths`:
    recursively, files of the formats toon-hooks reads, hidden folders and .gitignore'd files skipped); a
    file named twice (also through a folder) comes once."""
    found: list[Source] = []
    for arg in args:
        if arg != STDIN and os.path.isdir(arg):
            folder = os.path.realpath(arg)
            top = git.toplevel(folder)
            root = top or folder
            for path in expand_paths(root, [folder], False, top is not None):
                below = os.path.relpath(os.path.join(root, path), folder)
                found.append(Source(os.path.normpath(os.path.join(arg, below)), below, True))
        else:
            found.append(Source(arg, "stdin" if arg == STDIN else os.path.basename(arg), False))
    unique: dict[str, Source] = {}
    for source in found:
        unique.setdefault(source.path if source.path == STDIN else os.path.realpath(source.path), source)
    return list(unique.values())
