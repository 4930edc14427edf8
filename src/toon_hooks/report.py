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


class FileTokens(NamedTuple):
    """What one twin costs against its source, in tokens of the configured encoding."""

    source: str
    twin: str
    toon: int
    """The TOON side: the twin file as written (marker line included), or a TOON source itself."""
    baseline: int
    """The source as written (Markdown, JSON, JSONL), or compact JSON of a TOON source's data."""
    kind: str
    """What `baseline` is: "Markdown" or "JSON"."""
    kept: bool = True
    """False when `min-savings` left this source without a twin."""

    @property
    def saved(self) -> float:
        """Percent of the baseline's tokens the TOON side saves (negative: it costs more)."""
        return 100 * (self.baseline - self.toon) / max(self.baseline, 1)

    def render(self) -> str:
        """`source → twin: 192 vs 178 Markdown tokens (+7.9 %)`, the per-file line of `-v`."""
        change = "no twin kept, " if not self.kept else ""
        return (f"{self.source} → {self.twin}: {change}TOON {self.toon} vs {self.kind} {self.baseline} tokens "
                f"({-self.saved:+.1f}%)")


class Report:
    """Counts and problems of one run; `return_code` is the only place exit codes are decided."""

    def __init__(self) -> None:
        self.updated: list[str] = []
        """Twins written (or, in check mode, that would be)."""
        self.removed: list[str] = []
        """Twins deleted because `min-savings` no longer keeps them (or, in check mode, that would be)."""
        self.fresh = 0
        self.up_to_date: list[str] = []
        """Twins that were checked and found current (listed by `-v`)."""
        self.cached = 0
        self.converted = 0
        self.skipped: list[str] = []
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        """Advice printed after the problems (e.g. the exact `git add` to run)."""
        self.unstaged: list[str] = []
        """Twins written but deliberately left unstaged: the user must `git add` them."""
        self.files: list[FileTokens] = []
        """Token counts per twin, when they were counted."""
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
        # a stale twin is counted once, as stale (or as one to remove)
        failed = len(self.problems) - (len(self.updated) + len(self.removed) if check else 0)
        parts = [f"{len(self.updated)} twin{'s' * (len(self.updated) != 1)} {verb}",
                 f"{self.fresh} up to date", f"{self.cached} cached", f"{failed} failed"]
        if self.removed:
            parts.insert(1, f"{len(self.removed)} {'to remove' if check else 'removed'} (min-savings)")
        if self.unstaged:
            parts.append(f"{len(self.unstaged)} left for you to stage (see above)")
        without = sum(not entry.kept for entry in self.files)
        if without:
            parts.append(f"{without} without twin (min-savings)")
        line = f"{name}: " + ", ".join(parts)
        if self.skipped:
            line += f", {len(self.skipped)} skipped"
        for kind, (toon, baseline, count) in self.token_totals().items():
            saved = 100 * (baseline - toon) / max(baseline, 1)
            line += (f" · TOON {'saves' if saved >= 0 else 'costs'} {abs(saved):.0f}% tokens vs {kind} "
                     f"({count} file{'s' * (count != 1)})")
        return line

    def token_totals(self) -> dict[str, tuple[int, int, int]]:
        """Per baseline kind: (TOON tokens, baseline tokens, files), over the twins that were kept."""
        totals: dict[str, tuple[int, int, int]] = {}
        for entry in self.files:
            if entry.kept:
                toon, baseline, count = totals.get(entry.kind, (0, 0, 0))
                totals[entry.kind] = (toon + entry.toon, baseline + entry.baseline, count + 1)
        return totals

    def github(self) -> bool:
        """True when problems should also be printed as GitHub Actions annotations."""
        return os.environ.get("GITHUB_ACTIONS") == "true"
