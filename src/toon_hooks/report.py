"""What a sync or check run found, the one summary line, and the exit-code policy."""
from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from typing import NamedTuple

from .output import EXIT_FAIL, EXIT_OK


class Problem(NamedTuple):
    """Something the user must act on, at a file position (line 1 column 1 when it is the whole file)."""

    path: str
    message: str
    line: int = 1
    column: int = 1
    source_line: str = ""

    def render(self) -> str:
        """`path:line:col: message`, the form editors and CI logs link to."""
        return f"{self.path}:{self.line}:{self.column}: {self.message}"

    def annotation(self) -> str:
        """The GitHub Actions workflow command for this problem."""
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::error file={self.path},line={self.line},col={self.column}::{message}"


class Report:
    """Counts and problems of one run; `return_code` is the only place exit codes are decided."""

    def __init__(self) -> None:
        self.updated: list[str] = []
        """Twins written (or, in check mode, that would be)."""
        self.fresh = 0
        self.cached = 0
        self.converted = 0
        self.skipped: list[str] = []
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        """Advice printed after the problems (e.g. the exact `git add` to run)."""
        self.unstaged: list[str] = []
        """Twins written but deliberately left unstaged: the user must `git add` them."""
        self.toon_tokens = 0
        self.json_tokens = 0
        self.timings: dict[str, float] = {}
        """Seconds spent per phase (read, convert, tokens, cache, write, stage), for `--report`."""

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Add the time spent in this block to `timings[name]`."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start

    @property
    def return_code(self) -> int:
        """0 when clean or safely re-staged; 1 when anything needs the user."""
        return EXIT_FAIL if self.problems or self.unstaged else EXIT_OK

    def summary(self, name: str, *, check: bool) -> str:
        """The one line a committer reads."""
        verb = "stale" if check else "updated"
        failed = len(self.problems) - (len(self.updated) if check else 0)  # a stale twin is counted once, as stale
        parts = [f"{len(self.updated)} twin{'s' * (len(self.updated) != 1)} {verb}",
                 f"{self.fresh} up to date", f"{self.cached} cached", f"{failed} failed"]
        line = f"{name}: " + ", ".join(parts)
        if self.skipped:
            line += f", {len(self.skipped)} skipped"
        if self.toon_tokens and self.json_tokens:
            saved = 100 * (self.json_tokens - self.toon_tokens) / self.json_tokens
            line += f" · TOON {'saves' if saved >= 0 else 'costs'} {abs(saved):.0f}% tokens vs JSON"
        return line

    def github(self) -> bool:
        """True when problems should also be printed as GitHub Actions annotations."""
        return os.environ.get("GITHUB_ACTIONS") == "true"
