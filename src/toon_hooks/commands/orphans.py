"""`toon-hooks orphans` (hook `toon-orphans`): generated twins whose source was deleted or renamed.

pre-commit never passes deleted paths, so this reads the tracked files from git itself.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Sequence

from .. import git, pairing
from ..formats.spec import TWIN_SUFFIXES
from ..fsio import read_bytes
from ..output import EXIT_FAIL, EXIT_OK, err
from ..paths import expand_paths, project_root


def orphans(delete: bool = False) -> int:
    """Report generated twins whose source no longer exists (and delete them with `delete`); the exit code."""
    root, in_git = project_root()
    candidates = git.tracked_files(root) if in_git else expand_paths(root, [], True, False)
    found = find_orphans(root, candidates)
    for twin, source in found:
        err(f"{twin}:1:1: orphaned twin: its source {source} no longer exists")
    if delete and found and not os.environ.get("CI"):
        paths = [twin for twin, _ in found]
        if in_git:
            git.remove(root, paths)
        else:
            for path in paths:
                os.unlink(os.path.join(root, path))
        err(f"toon-orphans: deleted {len(paths)} orphaned twin{'s' * (len(paths) != 1)}"
            + (" and staged the removal" if in_git else ""))
        return EXIT_OK
    if found:
        import shlex

        how = ("args: [--delete] on toon-orphans in .pre-commit-config.yaml removes them"
               if os.environ.get("PRE_COMMIT") else "toon-hooks orphans --delete removes them")
        err(f"toon-orphans: {len(found)} orphaned twin{'s' * (len(found) != 1)}: git rm -- "
            + " ".join(shlex.quote(twin) for twin, _ in found) + f" ({how})")
    return EXIT_FAIL if found else EXIT_OK


def find_orphans(root: str, paths: Sequence[str]) -> list[tuple[str, str]]:
    """Return (twin, missing source) for every generated twin among `paths` whose source is gone."""
    named = []
    for path in paths:
        if not path.lower().endswith(TWIN_SUFFIXES):  # no other format carries a marker: not worth a read
            continue
        full = os.path.join(root, path)
        try:
            if not stat.S_ISREG(os.lstat(full).st_mode):  # symlinks, folders, FIFOs are no twins
                continue
            head = pairing.file_text(read_bytes(full, pairing.HEAD))  # as sync reads it: names stay exact
        except OSError:  # vanished meanwhile
            continue
        source = pairing.named_source(path, head)
        if source is not None:
            named.append((path, source))
    existing = {source for _, source in named if os.path.exists(os.path.join(root, source))}
    return pairing.orphans(named, existing)
