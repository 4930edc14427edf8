"""Conversions on a real dask.distributed cluster give the local outcomes, survive lost workers, refuse strangers.

One LocalCluster serves the module: two worker processes of one thread each (as `dask worker --nthreads 1`
would start them for CPU-bound conversions), configured as the README advises for a toon-hooks cluster: no
retries of its own (`allowed-failures: 0`, so a chunk whose worker died comes back at once, for the runner's
single retry), one task per thread on a worker (`worker-saturation: 1.0`, so a dying worker takes no queued
bystander with it) and no log of recent messages (`low-level-log-length: 0`: dask keeps its last 1,000
messages under 1 MB, chunks included, for debugging). A restarted worker may take more than LocalCluster's
15 s to return on a busy machine, after which LocalCluster would drop it for good: the tests wait longer.
Test converters reach the workers through a worker plugin, so restarted workers get them too.
"""
from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from toon_hooks import __version__, runner
from toon_hooks.errors import ToonHooksError
from toon_hooks.formats import registry
from toon_hooks.options import Options
from toon_hooks.output import located
from toon_hooks.runner import Outcome, Task

pytest.importorskip("distributed")
import cloudpickle  # type: ignore[import-untyped]  # noqa: E402 - after the skip: the tests need distributed
import dask  # noqa: E402
import distributed  # noqa: E402
from distributed import Client  # noqa: E402

from toon_hooks import cluster  # noqa: E402

DATA = Path(__file__).parent / "data" / "markdown"


class _Probe(registry.Converter):
    """Test converter: names the process that ran it, or kills it ("kill…") or hangs in it ("hang…")."""

    name, source, target, version = "toon-to-probe", "toon", "probe", "1"

    def convert(self, data: bytes, options: Options, path: str = "<stdin>") -> str:
        if data.startswith(b"kill"):
            os._exit(1)
        if data.startswith(b"hang"):
            time.sleep(3600)
        return str(os.getpid())


class _Converters(distributed.WorkerPlugin):
    """Registers the test converters in every worker, restarted ones included."""

    def setup(self, worker: object) -> None:
        registry.register(_Probe)


def _set_version(version: str) -> None:
    import toon_hooks

    toon_hooks.__version__ = version


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this module
    registry.register(_Probe)
    try:
        with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                              "distributed.scheduler.worker-saturation": 1.0,
                              "distributed.admin.low-level-log-length": 0,
                              "distributed.deploy.lost-worker-timeout": "300s"}), \
                distributed.LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local, \
                Client(local) as connected:  # type: ignore[no-untyped-call]
            connected.register_plugin(_Converters())
            yield connected
    finally:
        del registry._REGISTRY[("toon", "probe")]
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


@pytest.fixture(autouse=True)
def _both_workers(client: Client) -> None:
    """Start each test with both workers up (an earlier test may have killed or restarted one)."""
    client.wait_for_workers(2, timeout=60)


def on_workers(outcomes: list[Outcome]) -> bool:
    """True when every outcome is a probe's, from a process other than this one (workers restart: new pids)."""
    return all((o.text or "").isdigit() and o.text != str(os.getpid()) for o in outcomes)


def toon_source(i: int) -> bytes:
    rows = "\n".join(f"  {j},Task {i}-{j},{'true' if j % 2 else 'false'}" for j in range(12))
    return f"title: Document {i}\ntasks[12]{{id,title,done}}:\n{rows}\n".encode()


def probes(count: int, odd: dict[int, bytes] | None = None) -> list[Task]:
    """`count` probe tasks of 500 bytes each; `odd` replaces some tasks' bytes (b"kill", b"hang")."""
    odd = odd or {}
    return [Task(f"p{i}.toon", "toon", "probe", odd.get(i, b"x" * 500), Options()) for i in range(count)]


def pdf(text: str) -> bytes:
    import pymupdf

    doc = pymupdf.open()  # type: ignore[no-untyped-call]
    doc.new_page().insert_text((72, 72), text)
    return bytes(doc.tobytes())  # type: ignore[no-untyped-call]


@pytest.fixture(scope="module")
def mixed() -> list[Task]:
    """Markdown, JSON, JSONL and TOON sources (some invalid), plus small PDFs when PyMuPDF is installed."""
    tasks = [Task(f"md/{path.name}", "md", "toon", path.read_bytes(), Options()) for path in sorted(DATA.glob("*.md"))]
    for i in range(150):
        records = [{"id": j, "title": f"Item {i}-{j}", "done": j % 3 == 0, "score": j * 1.5} for j in range(20)]
        tasks.append(Task(f"json/{i}.json", "json", "toon", json.dumps({"name": f"export {i}", "records": records},
                                                                     indent=2).encode(), Options()))
        tasks.append(Task(f"jsonl/{i}.jsonl", "jsonl", "toon", "".join(
            json.dumps(r) + "\n" for r in records[:8]).encode(), Options()))
        tasks.append(Task(f"toon/{i}.toon", "toon", "md", toon_source(i), Options()))
    tasks += [Task("bad/broken.json", "json", "toon", b'{"a": [1, 2,}', Options()),
              Task("bad/short.toon", "toon", "md", b"items[3]: 1,2\n", Options()),
              Task("bad/latin1.md", "md", "toon", b"# Caf\xe9\n", Options()),
              Task("bad/cut.jsonl", "jsonl", "toon", b'{"a": 1}\n{"a":\n', Options())]
    try:
        tasks += [Task(f"pdf/{i}.pdf", "pdf", "toon", pdf(f"Quarterly report {i}"), Options()) for i in range(3)]
        tasks.append(Task("bad/damaged.pdf", "pdf", "toon", b"%PDF-1.7 damaged", Options()))
    except ImportError:
        pass
    return tasks


@pytest.fixture(scope="module")
def local(mixed: list[Task]) -> list[Outcome]:
    outcomes = runner.run(mixed, 1)
    assert sum(o.text is None for o in outcomes) >= 4 and sum(o.text is not None for o in outcomes) > 400
    return outcomes


def test_under_a_joblib_dask_config_heavy_batches_run_on_the_cluster(
        client: Client, mixed: list[Task], local: list[Outcome]) -> None:
    from joblib import parallel_config  # type: ignore[import-untyped]

    heavy, twice = probes(1000), mixed * 2
    assert min(sum(map(runner.weight, batch)) for batch in (heavy, twice)) >= runner.FORK_MIN_WEIGHT
    with parallel_config(backend="dask"):
        probed = runner.run(heavy, 2)
        outcomes = runner.run(twice, 2)
    assert on_workers(probed) and {o.text for o in probed} <= {str(p) for p in client.run(os.getpid).values()}
    assert outcomes == local * 2


def test_the_cluster_gives_the_local_outcomes_in_order(
        client: Client, mixed: list[Task], local: list[Outcome]) -> None:
    seen: list[tuple[int, int]] = []
    assert cluster.ClusterRunner(client).run(mixed, lambda done, total: seen.append((done, total))) == local
    assert seen[-1] == (len(mixed), len(mixed)) and seen == sorted(seen) and len(seen) > 1
    heavy, light = probes(2500), probes(50)
    assert sum(map(runner.weight, heavy)) >= runner.EXECUTOR_MIN_WEIGHT
    with cluster.ClusterRunner(client) as routed:  # runner.run sends the heavy batch only
        assert {o.text for o in runner.run(light, 2)} == {str(os.getpid())} and routed.peak_in_flight == 0
        assert on_workers(runner.run(heavy, 2)) and routed.peak_in_flight > 0


def test_workers_read_shared_storage_and_refuse_bytes_the_client_did_not_read(
        client: Client, mixed: list[Task], local: list[Outcome], tmp_path: Path) -> None:
    for task in mixed:
        (tmp_path / task.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / task.path).write_bytes(task.data)
    shared = cluster.ClusterRunner(client, worker_reads=True, root=str(tmp_path))
    assert shared.run(mixed) == local
    (tmp_path / mixed[0].path).write_bytes(b"# Edited since the client read it\n")
    (tmp_path / mixed[1].path).unlink()
    outcomes = shared.run(mixed)
    assert "differs on the worker from what the client read" in (outcomes[0].error or "")
    assert outcomes[1].error == f"the worker cannot read {tmp_path / mixed[1].path}: No such file or directory"
    assert outcomes[2:] == local[2:]


def test_a_worker_killed_mid_run_costs_a_retry_not_an_outcome(
        client: Client, mixed: list[Task], local: list[Outcome]) -> None:
    victims = list(client.run(os.getpid).values())[:1]

    def kill_one_worker(done: int, total: int) -> None:
        while victims:
            os.kill(victims.pop(), signal.SIGKILL)

    assert cluster.ClusterRunner(client).run(mixed * 3, kill_one_worker) == local * 3


def test_a_file_that_kills_its_worker_fails_alone_after_one_retry(client: Client) -> None:
    outcomes = cluster.ClusterRunner(client).run(probes(300, {137: b"kill"}))
    lost = outcomes.pop(137)
    assert lost == Outcome("p137.toon", error="worker lost: its worker died (retried once)", line=1, column=1)
    assert located(lost.path, lost.as_error()) == "p137.toon:1:1: error: worker lost: its worker died (retried once)"
    assert on_workers(outcomes)


@pytest.mark.slow
def test_a_conversion_that_hangs_times_out_and_its_worker_restarts(client: Client) -> None:
    started = time.monotonic()
    outcomes = cluster.ClusterRunner(client, timeout=2).run(probes(40, {7: b"hang"}))
    assert outcomes.pop(7).error == "worker lost: no result within 2 s (retried once)"
    assert on_workers(outcomes), [o for o in outcomes if not o.text]
    assert time.monotonic() - started < 60


def test_a_cluster_with_another_toon_hooks_is_refused(client: Client) -> None:
    connected = cluster.ClusterRunner(client)
    connected.run(probes(10))
    client.run(_set_version, "0.0.0-other")
    try:
        with pytest.raises(ToonHooksError) as refused:
            cluster.ClusterRunner(client.scheduler_info()["address"]).run(probes(10))
        assert re.fullmatch(rf"cluster refused: 2 worker\(s\) \(e\.g\. tcp://\S+\) run toon-hooks 0\.0\.0-other, "
                            rf"this client {re.escape(__version__)}; install the same toon-hooks on every worker",
                            str(refused.value))
        with pytest.raises(ToonHooksError, match=r"^cluster refused: worker tcp://\S+ runs toon-hooks 0\.0\.0-other, "
                                                 r"the client \S+; install the client's toon-hooks on every worker$"):
            connected.run(probes(10))  # connected before: each chunk checks again
    finally:
        client.run(_set_version, __version__)


def test_an_unreachable_scheduler_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 0.5)
    with pytest.raises(ToonHooksError, match=r"^cannot reach the dask scheduler at tcp://127\.0\.0\.1:9: [^\n]+$"):
        cluster.ClusterRunner("tcp://127.0.0.1:9").run(probes(2))


@pytest.mark.slow
def test_memory_stays_bounded_on_20000_files(client: Client) -> None:
    """Chunks stream: the client (and this in-process scheduler) never hold more than a few chunks' bytes.

    Submitting every chunk at once holds them all: 48 MB traced for these 36 MB of files, 11 MB streaming.
    """
    tasks = [Task(f"f{i}.toon", "toon", "probe", b"%06d" % i * 300, Options()) for i in range(20_000)]
    streaming = cluster.ClusterRunner(client)
    window = cluster.IN_FLIGHT_PER_THREAD * 2  # threads
    chunks = done = 0
    tracemalloc.start()
    try:
        for batch in streaming.stream(tasks):
            chunks, done = chunks + 1, done + len(batch)
            assert len(batch) <= cluster.CHUNK_FILES
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert done == len(tasks) and chunks >= 20 and streaming.peak_in_flight == window < chunks
    assert peak < sum(len(task.data) for task in tasks) // 2, peak
