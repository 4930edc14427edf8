"""Run conversions: in-process for small batches, in joblib worker processes otherwise.

Workers only compute: a task is plain data in, plain data out (text or a located error), so nothing but
the parent touches files, the cache or git. One failing file never stops the others.

Where processes fork (Linux up to Python 3.13), workers come from joblib's multiprocessing backend: the
parent first converts one task of each kind itself, so the forked workers inherit every converter module
already imported and start in ≈ 30 ms. Elsewhere loky spawns fresh interpreters that import everything
again (≈ 0.35 s on 2 cores), so only heavier batches go to workers there. Either way tasks travel in a few
weight-balanced chunks per worker.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from .errors import LocatedError, ToonHooksError
from .options import Options

FORK_MIN_WEIGHT = 256 * 1024
"""Forked workers pay off past ≈ 150 ms of conversion (≈ 400 small files): two start and stop in ≈ 30 ms and
importing joblib costs ≈ 45 ms (measured on 2 cores)."""
SPAWN_MIN_WEIGHT = 1024 * 1024
"""Spawned loky workers start in ≈ 0.35 s on 2 cores: worth it past ≈ 2,000 small files or a few large ones."""
TASK_WEIGHT = 256
"""Fixed cost of one conversion (parser set-up, rendering), in text bytes of conversion time."""
PDF_WEIGHT = 20
"""A PDF byte costs about this many text bytes of conversion time."""
CHUNKS_PER_WORKER = 4
"""Tasks travel in this many chunks per worker: few round trips, balanced load, and progress between groups."""


class Task(NamedTuple):
    """One conversion: the source's bytes and label, the formats and the options."""

    path: str
    source: str
    target: str
    data: bytes
    options: Options


class Outcome(NamedTuple):
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


def weight(task: Task) -> int:
    """Estimated conversion cost of a task, in text bytes."""
    return TASK_WEIGHT + len(task.data) * (PDF_WEIGHT if task.source == "pdf" else 1)


def start_method() -> str:
    """How this platform starts worker processes by default: "fork", "spawn" or "forkserver"."""
    import multiprocessing

    return multiprocessing.get_start_method()


def run(tasks: Sequence[Task], jobs: int, progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Convert every task, in order; small batches and `jobs == 1` never start a worker."""
    total = len(tasks)
    weights = [weight(t) for t in tasks]
    total_weight = sum(weights)
    if jobs <= 1 or total <= 1 or total_weight < FORK_MIN_WEIGHT:
        return _serial(tasks, progress)
    # PDFs go to loky even where fork is cheap: MuPDF may crash on a bad file, and loky reports a dead
    # worker where a multiprocessing pool would wait for it forever.
    forking = start_method() == "fork" and all(t.source != "pdf" for t in tasks)
    if not forking and total_weight < SPAWN_MIN_WEIGHT:
        return _serial(tasks, progress)
    done: dict[int, Outcome] = {}
    if forking:  # the first task of each kind converts here: forked workers inherit what it imported
        firsts: dict[tuple[str, str], int] = {}
        for index, task in enumerate(tasks):
            firsts.setdefault((task.source, task.target), index)
        done = {index: convert_task(tasks[index]) for index in firsts.values()}
    pending = [index for index in range(total) if index not in done]
    chunks = list(_chunks(pending, [weights[i] for i in pending], jobs * CHUNKS_PER_WORKER))
    try:
        from joblib import Parallel, delayed

        with Parallel(n_jobs=min(jobs, max(len(chunks), 1)),
                      backend="multiprocessing" if forking else "loky") as parallel:
            for first in range(0, len(chunks), jobs):
                group = chunks[first:first + jobs]
                parts = parallel(delayed(convert_chunk)([tasks[i] for i in chunk]) for chunk in group)
                for chunk, part in zip(group, parts):
                    done.update(zip(chunk, part))
                if progress:
                    progress(len(done), total)
    except (OSError, ImportError, NotImplementedError):  # no process support here: run in-process
        done.update((i, convert_task(tasks[i])) for i in range(total) if i not in done)
    return [done[index] for index in range(total)]


def convert_chunk(tasks: Sequence[Task]) -> list[Outcome]:
    """Convert a chunk of tasks in one worker call (module level, so workers can unpickle it)."""
    return [convert_task(task) for task in tasks]


def _chunks(items: Sequence[int], weights: Sequence[int], count: int) -> Iterator[Sequence[int]]:
    """Split `items`, in order, into about `count` runs of similar total weight."""
    target = sum(weights) / max(count, 1)
    start, load = 0, 0
    for index, item_weight in enumerate(weights):
        load += item_weight
        if load >= target:
            yield items[start:index + 1]
            start, load = index + 1, 0
    if start < len(items):
        yield items[start:]


def _serial(tasks: Sequence[Task], progress: Callable[[int, int], None] | None) -> list[Outcome]:
    outcomes = []
    for index, task in enumerate(tasks, 1):
        outcomes.append(convert_task(task))
        if progress:
            progress(index, len(tasks))
    return outcomes
