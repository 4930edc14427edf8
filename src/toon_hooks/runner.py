"""Run conversions: in-process for small batches, in joblib worker processes otherwise.

Workers only compute: a task is plain data in, plain data out (text or a located error), so nothing but
the parent touches files, the cache or git. One failing file never stops the others.

Where processes fork (Linux up to Python 3.13), workers come from a forked multiprocessing pool: the parent
first converts the lightest task of each kind itself, so the forked workers inherit every converter module
already imported and start in ≈ 30 ms. Elsewhere joblib's loky spawns fresh interpreters that import
everything again (≈ 0.35 s on 2 cores), so only heavier batches go to workers there. Either way tasks travel
in a few chunks per worker, balanced on estimated conversion time, and come back in order as they finish.

A caller's own `joblib.parallel_config(backend=...)` replaces that choice (backend="dask" reaches a cluster).
joblib keeps that configuration in `joblib.parallel`, so a process that never imported joblib has none and
pays nothing to find out. Inside `executor(...)` (`toon_hooks.cluster`), heavy batches go to that executor.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple, Protocol

from .errors import LocatedError, ToonHooksError
from .formats.spec import SPECS
from .options import Options

FORK_MIN_WEIGHT = 256 * 1024
"""Forked workers pay off past ≈ 150 ms of conversion (≈ 400 small files): two start and stop in ≈ 30 ms
(measured on 2 cores with joblib, whose ≈ 45 ms import this path no longer pays)."""
SPAWN_MIN_WEIGHT = 1024 * 1024
"""Spawned loky workers start in ≈ 0.35 s on 2 cores: worth it past ≈ 2,000 small files or a few large ones."""
EXECUTOR_MIN_WEIGHT = SPAWN_MIN_WEIGHT
"""A cluster pays off from about the same size: importing dask.distributed and connecting take ≈ 0.5 s."""
TASK_WEIGHT = 256
"""Fixed cost of one conversion (parser set-up, rendering), in text bytes of conversion time; a source byte
costs its format's `byte_weight` (`formats.spec`), so that chunks balance on time."""
CHUNKS_PER_WORKER = 4
"""Tasks travel in this many chunks per worker: few round trips, balanced load, progress as each comes back."""

Progress = Callable[[int, int], None]
"""Told (tasks done, total) as work completes."""


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


class Executor(Protocol):
    """Somewhere else to convert heavy batches (a cluster), with `run`'s contract: every outcome, in task order."""

    def run(self, tasks: Sequence[Task], progress: Progress | None = None) -> list[Outcome]:
        """Convert every task; a failure is an error Outcome, never an exception."""


_EXECUTOR: ContextVar[Executor | None] = ContextVar("toon_hooks_executor", default=None)


@contextmanager
def executor(target: Executor) -> Iterator[None]:
    """Send the heavy batches `run` gets inside this block to `target`; light ones still convert here."""
    token = _EXECUTOR.set(target)
    try:
        yield
    finally:
        _EXECUTOR.reset(token)


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


def callers_n_jobs(jobs: int) -> int | None:
    """The n_jobs for the caller's `joblib.parallel_config` (its own, else `jobs`); None unless it names a backend.

    joblib keeps that configuration in `joblib.parallel`: without that module loaded there is none, and the
    in-process paths never import joblib to find out.
    """
    parallel = sys.modules.get("joblib.parallel")
    config = getattr(getattr(parallel, "_backend", None), "config", None)
    if parallel is None or config is None or config["backend"] is parallel.default_parallel_config["backend"]:
        return None
    return jobs if config["n_jobs"] is parallel.default_parallel_config["n_jobs"] else int(config["n_jobs"])


def weight(task: Task) -> int:
    """Estimated conversion cost of a task, in text bytes (a source of no known format weighs as TOON)."""
    spec = SPECS.get(task.source)
    return TASK_WEIGHT + int(len(task.data) * (spec.byte_weight if spec else 1.0))


def start_method() -> str:
    """How this platform starts worker processes by default: "fork", "spawn" or "forkserver"."""
    import multiprocessing

    return multiprocessing.get_start_method()


def run(tasks: Sequence[Task], jobs: int, progress: Progress | None = None) -> list[Outcome]:
    """Convert every task, in order; small batches and `jobs == 1` never start a worker.

    Heavy batches go to the `executor` of the block, else to joblib workers: under the caller's
    `parallel_config` when it names a backend, else under the one chosen here (fork or loky).
    """
    total = len(tasks)
    weights = [weight(t) for t in tasks]
    total_weight = sum(weights)
    elsewhere = _EXECUTOR.get()
    if elsewhere is not None and total > 1 and total_weight >= EXECUTOR_MIN_WEIGHT:
        return elsewhere.run(tasks, progress)
    if jobs <= 1 or total <= 1 or total_weight < FORK_MIN_WEIGHT:
        return _serial(tasks, progress)
    configured = callers_n_jobs(jobs)
    # Formats not fork-safe (PDF) go to loky even where fork is cheap: MuPDF may crash on a bad file, and loky
    # reports a dead worker where a multiprocessing pool would wait for it forever.
    forking = configured is None and start_method() == "fork" and all(
        SPECS[t.source].fork_safe for t in tasks if t.source in SPECS)
    if configured is None and not forking and total_weight < SPAWN_MIN_WEIGHT:
        return _serial(tasks, progress)
    done: dict[int, Outcome] = {}
    if forking:  # the lightest task of each kind converts here: forked workers inherit what it imported
        lightest: dict[tuple[str, str], int] = {}
        for index, task in enumerate(tasks):
            kind = (task.source, task.target)
            if kind not in lightest or weights[index] < weights[lightest[kind]]:
                lightest[kind] = index
        done = {index: convert_task(tasks[index]) for index in sorted(lightest.values())}
    pending = [index for index in range(total) if index not in done]
    try:
        if configured is None:
            workers = jobs
        else:  # the caller's backend says what its n_jobs means (dask: every worker thread of the cluster)
            from joblib import effective_n_jobs  # type: ignore[import-untyped]

            workers = effective_n_jobs(configured)
        chunks = list(split(pending, [weights[i] for i in pending], workers * CHUNKS_PER_WORKER))
        batches = ([tasks[i] for i in chunk] for chunk in chunks)
        backend = None if configured is not None else "fork" if forking else "loky"
        for chunk, part in zip(chunks, _in_workers(batches, max(1, min(workers, len(chunks))), backend), strict=True):
            done.update(zip(chunk, part, strict=True))
            if progress:
                progress(len(done), total)
    except (OSError, ImportError, NotImplementedError):  # no process support here: run in-process
        done.update((i, convert_task(tasks[i])) for i in range(total) if i not in done)
    return [done[index] for index in range(total)]


def _in_workers(batches: Iterable[list[Task]], workers: int, backend: str | None) -> Iterator[list[Outcome]]:
    """Each batch's outcomes, in order, as workers finish them: a worker never waits for another to start anew.

    `backend` "fork" is a forked multiprocessing pool (joblib is not even imported), "loky" joblib's loky, and
    None the backend of the caller's `joblib.parallel_config`.
    """
    if backend == "fork":
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(convert_chunk, batches)
        return
    from joblib import Parallel, delayed

    with Parallel(n_jobs=workers, return_as="generator", **({"backend": backend} if backend else {})) as parallel:
        yield from parallel(delayed(convert_chunk)(batch) for batch in batches)


def convert_chunk(tasks: Sequence[Task]) -> list[Outcome]:
    """Convert a chunk of tasks in one worker call (module level, so workers can unpickle it)."""
    return [convert_task(task) for task in tasks]


def split(items: Sequence[int], weights: Sequence[float], count: int) -> Iterator[Sequence[int]]:
    """Split `items`, in order, into about `count` runs of similar total weight."""
    target = sum(weights) / max(count, 1)
    start, load = 0, 0.0
    for index, item_weight in enumerate(weights):
        load += item_weight
        if load >= target:
            yield items[start:index + 1]
            start, load = index + 1, 0
    if start < len(items):
        yield items[start:]


def _serial(tasks: Sequence[Task], progress: Progress | None) -> list[Outcome]:
    outcomes = []
    for index, task in enumerate(tasks, 1):
        outcomes.append(convert_task(task))
        if progress:
            progress(index, len(tasks))
    return outcomes
