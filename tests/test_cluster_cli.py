"""`convert` and `check --all` with `--scheduler`: a real LocalCluster does the work, the outputs are the local ones."""
from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from toon_hooks.cli import main

distributed = pytest.importorskip("distributed", reason="the dist extra (distributed) is not installed")

SOURCES = 40
"""Enough bytes that the batch outweighs the cluster's start (runner.EXECUTOR_MIN_WEIGHT)."""


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,  # type: ignore[no-untyped-call]
                                  dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


def corpus(folder: Path) -> None:
    folder.mkdir()
    for index in range(SOURCES):
        rows = [{"id": i, "name": f"agent {i}", "note": "x" * 200, "tags": ["a", "b"]} for i in range(150)]
        (folder / f"export{index}.json").write_text(json.dumps({"batch": index, "agents": rows}))
        (folder / f"notes{index}.md").write_text(f"# Notes {index}\n\n**Owner:** ops\n\n- [ ] item {index}\n" * 500)


def transitions(address: str) -> int:
    """How many task state transitions the scheduler has made: it grows only when the cluster does work."""
    with distributed.Client(address) as client:  # type: ignore[no-untyped-call]
        return int(client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter))


@pytest.mark.slow
def test_convert_on_a_cluster_writes_what_a_local_run_writes(tmp_path: Path, address: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    corpus(tmp_path / "docs")
    monkeypatch.chdir(tmp_path)
    local = CliRunner().invoke(main, ["convert", "docs", "--out-dir", "local", "--no-cache"])
    before = transitions(address)
    remote = CliRunner().invoke(main, ["convert", "docs", "--out-dir", "remote", "--no-cache",
                                       "--scheduler", address])
    assert local.exit_code == remote.exit_code == 0, remote.output
    assert transitions(address) > before  # the conversions ran on the cluster
    written = sorted(p.name for p in (tmp_path / "local").rglob("*.toon"))
    assert len(written) == 2 * SOURCES
    for name in written:
        assert (tmp_path / "remote" / name).read_text() == (tmp_path / "local" / name).read_text()


@pytest.mark.slow
def test_check_all_on_a_cluster_agrees_with_the_local_check(tmp_path: Path, address: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    corpus(docs)
    subprocess.run(["git", "init", "-q", "."], cwd=tmp_path, check=True)
    (tmp_path / "pyproject.toml").write_text('[tool.toon-hooks]\nsources = ["docs/*"]\n')
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["sync", "--all", "-q", "--no-cache"]).exit_code == 0
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    fresh = CliRunner().invoke(main, ["check", "--all", "--no-cache", "--scheduler", address])
    assert fresh.exit_code == 0, fresh.output  # every twin proven fresh by its marker: nothing to convert
    for notes in docs.glob("notes*.md"):
        notes.write_text(notes.read_text() + "\nOne more line.\n")
    local = CliRunner().invoke(main, ["check", "--all", "--no-cache"])
    before = transitions(address)
    remote = CliRunner().invoke(main, ["check", "--all", "--no-cache", "--scheduler", address])
    assert transitions(address) > before  # the changed documents were converted on the cluster
    assert local.exit_code == remote.exit_code == 1
    assert "docs/notes3.toon:1:1: stale" in remote.output and local.output == remote.output
