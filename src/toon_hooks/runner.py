"""Run conversions: in-process for small batches, in joblib worker processes otherwise.

Workers only compute: a task is plain data in, plain data out (text or a located error), so nothing but
the parent touches files, the cache or git. One failing file never stops the others.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence

from .errors import LocatedError, ToonHooksError
from .options import Options

INLINE_MAX_WEIGHT = 1024 * 1024
"""Batches lighter than this run in-process. Measured on 2 cores: starting loky workers costs ≈ 0.35 s and a
small twin converts in ≈ 0.4 ms, so two workers only win past ≈ 2,000 small files (or a few large ones)."""
TASK_WEIGHT = 256
"""Fixed cost of one conversion (parser set-up, rendering), in text bytes of conversion time."""
PDF_WEIGHT = 20
"""A PDF byte costs about this many text bytes of conversion time."""


@dataclasses.dataclass(frozen=True)
class Task:
    """One conversion: the source's bytes and label, the formats and the options."""

    path: str
    source: str
    target: str
    data: bytes
    options: Options


@dataclasses.dataclass(frozen=True)
class Outcome:
    """The result of a Task: `text` on success, else an error message with its location."""

    path: str
    text: str | None = None
    error: str | None = None
    line: int = 0
    column: int = 0
    source_line: str = ""

    def as_error(self) -> LocatedError:
        """Rebuild the located error for reporting."""
        return LocatedError(self.error or "", self.line, self.column, self.source_line)


def convert_task(task: Task) -> Outcome:
    """Convert one task; every expected failure becomes an error Outcome (picklable, module level)."""
    from .formats import registry

    return outcome_of(task.path, lambda: registry.get(task.source, task.target).convert(
        task.data, task.options, task.path))


def outcome_of(path: str, convert: Callable[[], str]) -> Outcome:
    """Run `convert`, turning its text or any failure into an Outcome, so one bad file never stops the rest."""
    try:
        return Outcome(path, text=convert())
    except LocatedError as exc:
        return Outcome(path, error=exc.msg, line=exc.line, column=exc.column, source_line=exc.source_line)
    except ToonHooksError as exc:
        return Outcome(path, error=str(exc))
    except RecursionError:
        return Outcome(path, error="document nested too deeply to convert")
    except Exception as exc:  # noqa: BLE001 - a converter bug must not take the other files down
        return Outcome(path, error=f"internal error in converter: {type(exc).__name__}: {exc}")


def resolve_jobs(requested: int | None = None, configured: int | None = None) -> int:
    """Pick the worker count: PRE_COMMIT_NO_CONCURRENCY, then -j, TOON_HOOKS_JOBS, config, usable cores."""
    if os.environ.get("PRE_COMMIT_NO_CONCURRENCY"):
        return 1
    if requested:
        return max(1, requested)
    env = os.environ.get("TOON_HOOKS_JOBS", "").strip()
    if env:
        if not env.isdigit() or int(env) < 1:
            raise ToonHooksError(f"TOON_HOOKS_JOBS must be a whole number ≥ 1, got {env!r}")
        return int(env)
    if configured:
        return configured
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run(tasks: Sequence[Task], jobs: int, progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Convert every task, in order; small batches and `jobs == 1` never start a worker."""
    total = len(tasks)
    weight = sum(TASK_WEIGHT + len(t.data) * (PDF_WEIGHT if t.source == "pdf" else 1) for t in tasks)
    if jobs <= 1 or total <= 1 or weight < INLINE_MAX_WEIGHT:
        return _serial(tasks, progress)
    try:
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=min(jobs, total), return_as="generator", batch_size="auto")
        outcomes: list[Outcome] = []
        for outcome in parallel(delayed(convert_task)(t) for t in tasks):
            outcomes.append(outcome)
            if progress:
                progress(len(outcomes), total)
        return outcomes
    except (OSError, ImportError, NotImplementedError):  # no process support here: run in-process
        return _serial(tasks, progress)


def _serial(tasks: Sequence[Task], progress: Callable[[int, int], None] | None) -> list[Outcome]:
    outcomes = []
    for index, task in enumerate(tasks, 1):
        outcomes.append(convert_task(task))
        if progress:
            progress(index, len(tasks))
    return outcomes
