"""The `converting done/total` line a long conversion shows on a terminal."""
from __future__ import annotations

import sys
from collections.abc import Callable


def progress_printer() -> Callable[[int, int], None] | None:
    """Return a `done/total` progress callback when stderr is a terminal, else None."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        sys.stderr.write(f"\rtoon-hooks: converting {done}/{total}" + ("\n" if done == total else ""))
        sys.stderr.flush()

    return show
