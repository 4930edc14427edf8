"""`toon-hooks orphans`: generated twins whose source was deleted or renamed."""
from __future__ import annotations

import os

import click

from .. import git, twins
from ..output import EXIT_FAIL, EXIT_OK, err, error_handler
from .sync import project_root

_TWIN_SUFFIXES = (".toon", ".md", ".markdown")


def find_orphans(root: str, paths: list[str]) -> list[tuple[str, str]]:
    """Return (twin, missing source) for every generated twin among `paths` whose source is gone."""
    orphans = []
    for path in paths:
        full = os.path.join(root, path)
        if not path.lower().endswith(_TWIN_SUFFIXES) or os.path.islink(full) or not os.path.isfile(full):
            continue
        with open(full, "rb") as fh:
            head = fh.read(1024).decode("utf-8", "replace")
        marker = twins.parse_marker(head)
        if marker is None:
            continue
        source = twins.marker_source_path(path, marker)
        if not os.path.exists(os.path.join(root, source)):
            orphans.append((path, source))
    return orphans


@click.command("orphans")
@click.option("--delete", is_flag=True, help="Delete orphaned twins (only files carrying the marker) and stage that.")
def orphans_cmd(delete: bool) -> None:
    """Report generated twins whose source no longer exists (reads git itself; pass no files)."""
    with error_handler():
        root, in_git = project_root()
        if in_git:
            candidates = git.tracked_files(root)
        else:
            from .sync import expand_paths

            candidates = expand_paths(root, [], True, False)
        orphans = find_orphans(root, candidates)
        for twin, source in orphans:
            err(f"{twin}:1:1: orphaned twin: its source {source} no longer exists")
        if delete and orphans and not os.environ.get("CI"):
            paths = [twin for twin, _ in orphans]
            if in_git:
                git.remove(root, paths)
            else:
                for path in paths:
                    os.unlink(os.path.join(root, path))
            err(f"toon-orphans: deleted {len(paths)} orphaned twin{'s' * (len(paths) != 1)}"
                + (" and staged the removal" if in_git else ""))
            raise SystemExit(EXIT_OK)
        if orphans:
            err(f"toon-orphans: {len(orphans)} orphaned twin{'s' * (len(orphans) != 1)} "
                "(toon-hooks orphans --delete removes them)")
        raise SystemExit(EXIT_FAIL if orphans else EXIT_OK)
