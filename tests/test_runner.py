"""The conversion runner: worker processes give the in-process result, in order, failures included."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Container, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toon_hooks import runner
from toon_hooks.formats import registry
from toon_hooks.options import Options

FORKS = runner.start_method() == "fork"


def toon_source(i: int) -> bytes:
    rows = "\n".join(f"  {j},Task {i}-{j},{'true' if j % 2 else 'false'}" for j in range(12))
    return f"title: Document {i}\ntasks[12]{{id,title,done}}:\n{rows}\n".encode()


def batch(count: int, bad: Container[int] = frozenset()) -> list[runner.Task]:
    return [runner.Task(f"d{i}.toon", "toon", "md", b"items[3]: 1,2\n" if i in bad else toon_source(i), Options())
            for i in range(count)]


def heavy_enough(tasks: list[runner.Task]) -> bool:
    return sum(map(runner.weight, tasks)) >= runner.FORK_MIN_WEIGHT


def test_workers_give_the_serial_outcomes_in_order_with_failures_located() -> None:
    tasks = batch(600, bad={3, 250, 599})
    assert heavy_enough(tasks)
    seen: list[tuple[int, int]] = []
    parallel = runner.run(tasks, 2, lambda done, total: seen.append((done, total)))
    assert parallel == runner.run(tasks, 1)
    assert [o.path for o in parallel] == [t.path for t in tasks]
    assert [i for i, o in enumerate(parallel) if o.text is None] == [3, 250, 599]
    assert (parallel[250].line, parallel[250].column) == (1, 7) and "expected 3 values" in (parallel[250].error or "")
    assert seen and seen[-1] == (600, 600) and seen == sorted(seen)


class _Pid(registry.Converter):
    """Test converter whose output names the process that ran it."""

    name, source, target, version = "toon-to-pid", "toon", "pid", "1"

    def convert(self, data: bytes, options: Options, path: str = "<stdin>") -> str:
        return str(os.getpid())


class _MdPid(_Pid):
    name, source = "md-to-pid", "md"


@pytest.fixture
def pid_converter() -> Iterator[None]:
    for converter in (_Pid, _MdPid):
        registry.register(converter)
    yield
    for key in (("toon", "pid"), ("md", "pid")):
        del registry._REGISTRY[key]


@pytest.mark.skipif(not FORKS, reason="forked workers inherit the test's converter; spawned ones cannot")
@pytest.mark.usefixtures("pid_converter")
def test_a_heavy_batch_uses_every_worker_and_a_light_one_none() -> None:
    heavy = [runner.Task(f"d{i}.toon", "toon", "pid", toon_source(i), Options()) for i in range(800)]
    assert heavy_enough(heavy)
    pids = {outcome.text for outcome in runner.run(heavy, 2)}
    assert len(pids - {str(os.getpid())}) == 2  # two worker processes besides this one
    parent = str(os.getpid())
    mixed = [o.text for o in runner.run([*heavy, runner.Task("z.md", "md", "pid", b"x", Options())], 2)]
    assert mixed.count(parent) == 2 and mixed[0] == mixed[-1] == parent  # the first of each kind, no more
    light = heavy[:20]
    assert {outcome.text for outcome in runner.run(light, 2)} == {str(os.getpid())}
    assert {outcome.text for outcome in runner.run(heavy, 1)} == {str(os.getpid())}


@given(st.lists(st.integers(min_value=0, max_value=5000), max_size=60), st.integers(min_value=1, max_value=40))
def test_chunks_keep_every_task_in_order(sizes: list[int], count: int) -> None:
    items = list(range(len(sizes)))
    chunks = list(runner.split(items, [runner.TASK_WEIGHT + size for size in sizes], count))
    assert [i for chunk in chunks for i in chunk] == items
    assert all(chunks) and len(chunks) <= count + 1


def test_mixed_kinds_keep_their_order() -> None:
    tasks = batch(500)
    tasks.insert(250, runner.Task("late.json", "json", "toon", b'{"a": [1, 2]}', Options()))
    tasks.append(runner.Task("last.md", "md", "toon", b"# Title\n\ntext\n", Options()))
    assert heavy_enough(tasks)
    assert runner.run(tasks, 2) == runner.run(tasks, 1)


@pytest.mark.usefixtures("pid_converter")
def test_a_callers_joblib_backend_replaces_the_runners_choice() -> None:
    from joblib import parallel_config  # type: ignore[import-untyped]

    heavy = [runner.Task(f"d{i}.toon", "toon", "pid", toon_source(i), Options()) for i in range(800)]
    assert heavy_enough(heavy)
    with parallel_config(backend="threading"):  # threads: every conversion in this process
        assert {outcome.text for outcome in runner.run(heavy, 2)} == {str(os.getpid())}
        assert runner.callers_n_jobs(2) == 2
    with parallel_config(backend="threading", n_jobs=3):
        assert runner.callers_n_jobs(2) == 3
    with parallel_config(n_jobs=3):  # no backend named: the runner still picks its own
        assert runner.callers_n_jobs(2) is None
    assert runner.callers_n_jobs(2) is None


def test_runner_and_cluster_import_no_executor_and_light_batches_no_joblib() -> None:
    code = """
import os
import sys
from toon_hooks import cluster, runner
from toon_hooks.options import Options
tasks = [runner.Task(f"d{i}.json", "json", "toon", b'{"a": [1, 2]}', Options()) for i in range(50)]
assert all(o.text for o in runner.run(tasks, 2)) and all(o.text for o in runner.run(tasks * 40, 1))
with cluster.session() as none:
    assert none is None
os.environ["TOON_HOOKS_SCHEDULER"] = "tcp://192.0.2.1:8786"
with cluster.session() as unused:  # connects on the first heavy batch only
    assert unused.scheduler == "tcp://192.0.2.1:8786"
    assert all(o.text for o in runner.run(tasks, 2)) and unused.peak_in_flight == 0
print(sorted({name.split(".")[0] for name in sys.modules} & {"joblib", "dask", "distributed"}))
"""
    env = {k: v for k, v in os.environ.items() if k != "TOON_HOOKS_SCHEDULER"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]"
