"""Convert heavy batches on a dask.distributed cluster (`convert` and `check --all` with a scheduler address).

The client stays the single writer: workers get `runner.Task`s and return `runner.Outcome`s, chunk by chunk
(`distributed.as_completed`), with at most two chunks per worker thread in flight, so memory stays bounded
and progress moves however many files there are. A task carries its bytes, or with `worker_reads` only its
path and digest: the workers read storage they share with the client, and a file that differs from what the
client read is an error, never a twin of other bytes.

A chunk whose worker died, or that gave no result in time (its worker is then restarted), is retried once,
one task per future, so a file that kills its worker does not fail its neighbours; what fails again becomes
`path:1:1: worker lost ...`. A cluster running another toon-hooks is refused: its converters would put other
output under this client's cache keys. Workers are checked on connecting, and every chunk checks its worker's
version and converter ids again (workers that join later, converters edited in place).

Nothing here imports dask.distributed before a batch is heavy enough to leave this process.
"""
from __future__ import annotations

import hashlib
import math
import os
import threading
import time
from collections import deque
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext
from types import TracebackType
from typing import TYPE_CHECKING, NamedTuple

from . import runner
from .errors import ToonHooksError
from .fsio import read_bytes
from .runner import Outcome, Progress, Task

if TYPE_CHECKING:
    from distributed import Client, Future

ENV = "TOON_HOOKS_SCHEDULER"
"""Scheduler address used when none is given (`tcp://host:8786`)."""
CHUNK_WEIGHT = 1 << 20
"""Chunk size in task weight (`runner.weight`): ≈ 2-8 s of conversion here, 100× a scheduler round trip
(12-40 ms measured on a busy LocalCluster), and little to redo when a worker is lost."""
CHUNK_FILES = 1000
"""At most this many files per chunk, so that tiny files still report progress and spread over workers."""
CHUNK_BYTES = 8 << 20
"""At most this many source bytes per chunk (JSON weighs little per byte): below dask's 10 MB warning."""
IN_FLIGHT_PER_THREAD = 2
"""Chunks submitted per worker thread: one converting, one queued behind it, no idle gap and no backlog."""
TIMEOUT = 300.0
"""Seconds a chunk may take beyond its expected time before its worker counts as lost."""
MIN_RATE = 25_000
"""Task weight per second of the slowest worker allowed (≈ 10× below what one busy core converts here)."""
CONNECT_TIMEOUT = 30.0
"""Seconds to reach the scheduler and to see a first worker."""
WATCH_INTERVAL = 1.0
"""How often the deadlines are checked."""

Identity = tuple[str, tuple[tuple[str, str, str], ...]]
"""(toon-hooks version, (source, target, converter id) per pair): what makes a worker's output this client's."""


class Shared(NamedTuple):
    """A task whose bytes its worker reads from shared storage; the digest proves they are the client's."""

    task: Task
    """The task without its bytes."""
    path: str
    digest: str


def identity(pairs: Collection[tuple[str, str]]) -> Identity:
    """This process's toon-hooks version and the ids of its converters for `pairs`."""
    from . import __version__
    from .formats import registry

    def converter_id(source: str, target: str) -> str:
        try:
            return registry.get(source, target).cache_id()
        except ToonHooksError as exc:
            return f"missing ({exc})"

    return __version__, tuple((source, target, converter_id(source, target)) for source, target in sorted(pairs))


def convert_on_worker(expected: Identity, items: Sequence[Task | Shared]) -> list[Outcome]:
    """Convert a chunk on a worker, refusing it when the worker's toon-hooks differs from the client's."""
    here = identity([(source, target) for source, target, _ in expected[1]])
    if here != expected:
        from distributed import get_worker

        if here[0] != expected[0]:
            what = f"toon-hooks {here[0]}, the client {expected[0]}"
        else:
            what = ", ".join(f"{mine} where the client has {theirs}"
                             for (_, _, mine), (_, _, theirs) in zip(here[1], expected[1], strict=True)
                             if mine != theirs)
        raise ToonHooksError(f"cluster refused: worker {get_worker().address} runs {what}; install the client's "
                             f"toon-hooks on every worker")
    return [runner.convert_task(item) if isinstance(item, Task) else _read_and_convert(item) for item in items]


def _read_and_convert(item: Shared) -> Outcome:
    try:
        data = read_bytes(item.path)
    except OSError as exc:
        return Outcome(item.task.path, error=f"the worker cannot read {item.path}: {exc.strerror}")
    if hashlib.sha256(data).hexdigest() != item.digest:
        return Outcome(item.task.path, error=f"{item.path} differs on the worker from what the client read "
                                             f"(shared storage out of sync?)")
    return runner.convert_task(item.task._replace(data=data))


class ClusterRunner:
    """A `runner.Executor` on a dask.distributed cluster; `with` it to send the block's heavy batches there.

    `scheduler` is an address (connected on first use, closed on exit) or a connected `distributed.Client`.
    With `worker_reads`, workers read each task's file at `root`/path (default: the current folder) themselves.
    """

    def __init__(self, scheduler: str | Client, *, worker_reads: bool = False, root: str | None = None,
                 timeout: float = TIMEOUT) -> None:
        self.scheduler = scheduler
        self.worker_reads = worker_reads
        self.root = os.path.abspath(root or os.curdir)
        self.timeout = timeout
        self.peak_in_flight = 0
        """Most chunks submitted and not yet received at once, over this runner's life."""
        self._client: Client | None = None
        self._routing = ExitStack()

    def __enter__(self) -> ClusterRunner:
        self._routing.enter_context(runner.executor(self))
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._routing.close()
        self.close()

    def close(self) -> None:
        """Disconnect, when this runner made the connection."""
        if self._client is not None and isinstance(self.scheduler, str):
            self._client.close()  # type: ignore[no-untyped-call]
        self._client = None

    def run(self, tasks: Sequence[Task], progress: Progress | None = None) -> list[Outcome]:
        """Convert every task on the cluster; return the outcomes in task order."""
        done: dict[int, Outcome] = {}
        for batch in self.stream(tasks):
            done.update(batch)
            if progress:
                progress(len(done), len(tasks))
        return [done[index] for index in range(len(tasks))]

    def stream(self, tasks: Sequence[Task]) -> Iterator[list[tuple[int, Outcome]]]:
        """Yield (task index, outcome) pairs chunk by chunk as they complete; each task exactly once."""
        from distributed import as_completed

        client = self._connect()
        expected = identity({(task.source, task.target) for task in tasks})
        weights = [runner.weight(task) for task in tasks]
        threads = max(1, sum(client.nthreads().values()))  # type: ignore[no-untyped-call]
        count = max(threads * runner.CHUNKS_PER_WORKER, math.ceil(sum(weights) / CHUNK_WEIGHT))
        queue = deque((chunk, False) for chunk in _chunks(tasks, weights, count))
        # chunks in flight: their task indices, whether this is their retry, and their time limit
        flights: dict[Future[list[Outcome]], tuple[Sequence[int], bool, float]] = {}
        completed = as_completed(loop=client.loop)  # type: ignore[no-untyped-call]
        deadlines = _Deadlines(client)

        def launch() -> None:
            while queue and len(flights) < threads * IN_FLIGHT_PER_THREAD:
                indices, retry = queue.popleft()
                limit = self.timeout + sum(weights[i] for i in indices) / MIN_RATE
                future = client.submit(convert_on_worker, expected, [self._ship(tasks[i]) for i in indices],
                                       pure=False)
                flights[future] = (indices, retry, limit)
                deadlines.add(future, limit)
                completed.add(future)  # type: ignore[no-untyped-call]
            self.peak_in_flight = max(self.peak_in_flight, len(flights))

        try:
            launch()
            for future in completed:
                indices, retry, limit = flights.pop(future)
                late = deadlines.settle(future)
                outcomes: list[Outcome] | None = None
                failure: Exception | None = None
                try:
                    if not late:  # a finished chunk whose worker died since is recomputed: wait no longer
                        outcomes = future.result(timeout=limit)
                except ToonHooksError as exc:  # a worker refused the chunk
                    raise ToonHooksError(str(exc)) from None
                except Exception as exc:  # noqa: BLE001 - whatever lost the chunk, it is retried, then reported
                    failure = exc
                future.release()
                if outcomes is not None:
                    yield list(zip(indices, outcomes, strict=True))
                elif not retry:  # one task per future: a file that kills its worker fails alone
                    queue.extendleft(([index], True) for index in reversed(indices))
                else:
                    error = f"worker lost: {_reason(failure, limit)} (retried once)"
                    yield [(i, Outcome(tasks[i].path, error=error, line=1, column=1)) for i in indices]
                launch()
        finally:
            deadlines.close()
            if flights:
                client.cancel(list(flights))  # type: ignore[no-untyped-call]

    def _connect(self) -> Client:
        """The client, connected, with a worker whose toon-hooks is this one's (checked once per connection)."""
        if self._client is not None:
            return self._client
        import dask
        from distributed import Client

        client = self.scheduler
        if isinstance(client, str):
            try:  # dask keeps its last 1,000 messages under 1 MB for debugging: chunks, here
                with dask.config.set({"distributed.admin.low-level-log-length": 0}):
                    client = Client(client, timeout=CONNECT_TIMEOUT,  # type: ignore[no-untyped-call]
                                    set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ToonHooksError(f"cannot reach the dask scheduler at {self.scheduler}: {exc}") from None
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
            client.get_versions(check=True)  # dask's own packages: a warning, or ValueError in older releases
        except (TimeoutError, ValueError) as exc:
            self._client = client
            self.close()
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "no worker"
            raise ToonHooksError(f"cluster at {getattr(client.scheduler, 'address', '?')} unusable: {first}") from None
        self._client = client
        from . import __version__

        # a lambda travels by value: workers with an older toon-hooks, or none, answer too
        answers = client.run(lambda: __import__("toon_hooks").__version__, on_error="return")
        others = {address: version if isinstance(version, str) else "none (cannot import toon_hooks)"
                  for address, version in answers.items() if version != __version__}
        if others:
            self.close()
            address, version = next(iter(others.items()))
            raise ToonHooksError(f"cluster refused: {len(others)} worker(s) (e.g. {address}) run toon-hooks "
                                 f"{version}, this client {__version__}; install the same toon-hooks on every worker")
        return client

    def _ship(self, task: Task) -> Task | Shared:
        if not self.worker_reads or task.path == "-":
            return task
        return Shared(task._replace(data=b""), os.path.join(self.root, task.path),
                      hashlib.sha256(task.data).hexdigest())


def _chunks(tasks: Sequence[Task], weights: Sequence[int], count: int) -> Iterator[Sequence[int]]:
    """`count` runs of task indices of similar weight (time), each cut again where it exceeds CHUNK_BYTES or
    CHUNK_FILES (a run of JSON files weighs little for its bytes)."""
    for run in runner.split(range(len(tasks)), weights, count):
        fill = [len(tasks[i].data) / CHUNK_BYTES + 1 / CHUNK_FILES for i in run]
        yield from runner.split(run, fill, math.ceil(sum(fill)))


def _reason(failure: Exception | None, limit: float) -> str:
    """Why a chunk came back without outcomes (None: cancelled for being late)."""
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    if failure is None or isinstance(failure, TimeoutError):
        return f"no result within {limit:.0f} s"
    if isinstance(failure, KilledWorker):
        return "its worker died"
    if isinstance(failure, CancelledError):
        return "the cluster cancelled it"
    return f"{type(failure).__name__}: {failure}"


class _Deadlines:
    """Cancel futures past their time limit from a thread of its own, so that `as_completed` hands them back.

    The worker still converting a late chunk is restarted: its thread would stay stuck on the chunk and hold
    up every chunk sent to it after.
    """

    def __init__(self, client: Client) -> None:
        self.client = client
        self.due: dict[Future[list[Outcome]], float] = {}
        self.late: set[Future[list[Outcome]]] = set()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="toon-hooks-deadlines", daemon=True)
        self.thread.start()

    def add(self, future: Future[list[Outcome]], seconds: float) -> None:
        with self.lock:
            self.due[future] = time.monotonic() + seconds

    def settle(self, future: Future[list[Outcome]]) -> bool:
        """Forget `future`; True when it was cancelled for being late."""
        with self.lock:
            self.due.pop(future, None)
            late = future in self.late
            self.late.discard(future)
        return late

    def close(self) -> None:
        self.stop.set()
        self.thread.join()

    def _watch(self) -> None:
        while not self.stop.wait(WATCH_INTERVAL):
            now = time.monotonic()
            with self.lock:
                overdue = [future for future, due in self.due.items() if due <= now]
                for future in overdue:
                    del self.due[future]
                self.late.update(overdue)
            if overdue:
                keys = {future.key for future in overdue}
                processing = self.client.processing()  # type: ignore[no-untyped-call]
                stuck = [worker for worker, running in processing.items() if keys & set(running)]
                if stuck:  # first: while the late chunk holds its slot, the scheduler sends that worker nothing
                    self.client.restart_workers(stuck, raise_for_error=False)
                self.client.cancel(overdue)  # type: ignore[no-untyped-call]


def session(scheduler: str | None = None, *, worker_reads: bool = False,
            root: str | None = None) -> AbstractContextManager[ClusterRunner | None]:
    """Send the block's heavy batches to `scheduler`, else to $TOON_HOOKS_SCHEDULER; with neither, change nothing."""
    address = scheduler or os.environ.get(ENV, "").strip()
    return ClusterRunner(address, worker_reads=worker_reads, root=root) if address else nullcontext()
