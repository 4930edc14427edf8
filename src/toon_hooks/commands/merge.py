"""`toon-hooks merge-driver`: a git merge driver so a generated twin never needs a hand merge.

Two branches that both regenerated a twin conflict in it even when their sources merge cleanly, and a
conflicted twin blocks the merge commit. For a file whose two sides both carry the generated marker the
driver keeps our side, which toon-sync then regenerates from the merged source at commit time (its marker no
longer matches the source, its body still matches its marker); for any other file it runs git's usual
three-way text merge. `--install` registers the driver in this clone and routes `.toon` and `.md` files to it.
"""
from __future__ import annotations

import os
from collections.abc import Sequence

from .. import git, twins
from ..command_table import UsageError
from ..fsio import read_bytes
from ..output import EXIT_FAIL, EXIT_OK, err

DRIVER = "toon-twins"
ATTRIBUTES = ("*.toon merge=toon-twins", "*.md merge=toon-twins")


def merge(base: str, current: str, other: str, path: str) -> int:
    """Merge `other` into `current` (the file git reads back); the exit code git expects (0: merged)."""
    ours, theirs = (read_bytes(name).decode("utf-8", "surrogateescape") for name in (current, other))
    if twins.parse_marker(ours) is not None and twins.parse_marker(theirs) is not None:
        return EXIT_OK  # our generated side stays; toon-sync regenerates it from the merged source
    return EXIT_OK if git.merge_file(current, base, other, path) else EXIT_FAIL


def install(root: str) -> None:
    """Register the driver in this clone's git config and route twins to it in `.gitattributes`."""
    git.set_config(root, f"merge.{DRIVER}.name", "toon-hooks: keep a generated twin, toon-sync regenerates it")
    git.set_config(root, f"merge.{DRIVER}.driver", "toon-hooks merge-driver %O %A %B %P")
    path = os.path.join(root, ".gitattributes")
    try:
        present = read_bytes(path).decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        present = ""
    missing = [line for line in ATTRIBUTES if line not in present.splitlines()]
    if missing:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(("" if not present or present.endswith("\n") else "\n") + "\n".join(missing) + "\n")


def merge_driver(do_install: bool = False, files: Sequence[str] = ()) -> int:
    """Run as git's merge driver on the four files git passes (`%O %A %B %P`), or install it."""
    if do_install:
        root = git.toplevel(".")
        if root is None:
            err("error: not inside a git work tree")
            return EXIT_FAIL
        install(root)
        err(f"toon-hooks: merge driver {DRIVER!r} registered; commit .gitattributes so every clone routes "
            "twins to it (each clone runs --install once)")
        return EXIT_OK
    if len(files) != 4:
        raise UsageError("expected the four files git passes: %O %A %B %P (or --install)")
    return merge(*files)
