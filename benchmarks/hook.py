"""Benchmark the hook: cold and warm `toon-hooks sync` against a per-file shell loop and pre-commit's floor.

Builds temporary git repositories with 10, 100 and 1,000 `.toon` sources and prints one table, every number
measured in this run:

- cold: no twins, empty cache; warm: twins present and cached (what a commit that touches nothing costs);
- loop: the approach toon-hooks replaces, one converter process and one `git add` per file;
- pre-commit floor: `pre-commit run` of a no-op hook on the same files (a Python no-op, since a
  `language: python` hook always starts an interpreter, and `true` for reference), versus warm toon-sync;
- -j 1 vs all cores on 1,000 cold files; and which heavy modules a warm run imports.

Run: python3 benchmarks/hook.py [--sizes 10,100,1000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = ("joblib", "pymupdf", "fitz", "markdown_it", "tiktoken", "diskcache")
BIN = Path(sys.executable).parent
TOON_HOOKS = str(BIN / "toon-hooks")
"""The console script beside this interpreter (PATH may hold slow shims, e.g. pyenv's)."""


def sh(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(args, cwd=cwd, env=env, check=True, capture_output=True)


def make_repo(root: Path, count: int, env: dict[str, str]) -> list[str]:
    """A repo with `count` committed task-list sources (no twins) and a pre-commit config of local hooks."""
    root.mkdir(parents=True)
    sh(["git", "init", "-q", "-b", "main"], root, env)
    names = []
    for i in range(count):
        rows = "\n".join(f"  {j},Task {i}-{j},{'true' if j % 2 else 'false'},owner{j % 5}" for j in range(12))
        name = f"docs/doc{i:04d}.toon"
        (root / "docs").mkdir(exist_ok=True)
        (root / name).write_text(f"title: Document {i}\nstatus: active\ntasks[12]{{id,title,done,owner}}:\n{rows}\n")
        names.append(name)
    (root / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: local\n  hooks:\n"
        f"  - id: noop\n    name: noop\n    entry: {sys.executable} -c pass\n    language: system\n"
        "    files: \\.toon$\n    require_serial: true\n"
        "  - id: shell-true\n    name: shell-true\n    entry: 'true'\n    language: system\n    files: \\.toon$\n"
        "    require_serial: true\n"
        f"  - id: toon-sync\n    name: toon-sync\n    entry: {TOON_HOOKS} sync\n    language: system\n"
        "    files: \\.(toon|md)$\n    require_serial: true\n"
    )
    sh(["git", "add", "-A"], root, env)
    sh(["git", "commit", "-q", "-m", "sources"], root, env)
    return names


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


def measure(count: int, base: Path, repeat: int) -> dict[str, float]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b",
           "GIT_COMMITTER_EMAIL": "b@x", "PRE_COMMIT_HOME": str(base / "pc-home")}
    env.pop("CI", None)
    root = base / f"repo{count}"
    names = make_repo(root, count, env)
    hook_env = {**env, "PRE_COMMIT": "1"}
    sync = [TOON_HOOKS, "sync", "-q", *names]
    results: dict[str, float] = {}

    def cold(jobs: str | None = None) -> float:
        reset(root, env)
        cache = base / "cache-cold"
        shutil.rmtree(cache, ignore_errors=True)
        extra = ["-j", jobs] if jobs else []
        return timed(sync + extra, root, {**hook_env, "TOON_HOOKS_CACHE_DIR": str(cache)})

    warm_env = {**hook_env, "TOON_HOOKS_CACHE_DIR": str(base / "cache-warm")}
    results["cold"] = best(cold, repeat)
    timed(sync, root, warm_env)  # fill the cache; twins now present and staged
    results["warm"] = best(lambda: timed(sync, root, warm_env), repeat)
    imports = subprocess.run([sys.executable, "-X", "importtime", "-m", "toon_hooks", *sync[1:]], cwd=root,
                             env=warm_env, capture_output=True, text=True).stderr
    results["heavy_imports"] = float(sum(bool(re.search(rf"\|\s+{m}$", imports, re.M)) for m in HEAVY))
    if count <= 100:
        loop = (f"for f in docs/*.toon; do {TOON_HOOKS} convert --no-cache \"$f\" >/dev/null "
                "&& git add \"${f%.toon}.md\"; done")
        results["loop"] = best(lambda: (reset(root, env), timed(["bash", "-c", loop], root, env))[1], 1)
    results["noop"] = best(lambda: timed([sys.executable, "-m", "pre_commit", "run", "noop", "--files", *names],
                                         root, env), repeat)
    results["true"] = best(lambda: timed([sys.executable, "-m", "pre_commit", "run", "shell-true", "--files", *names],
                                         root, env), repeat)
    timed(sync, root, warm_env)
    results["precommit_warm"] = best(lambda: timed([sys.executable, "-m", "pre_commit", "run", "toon-sync",
                                                    "--files", *names], root, warm_env), repeat)
    if count >= 1000:
        results["cold_j1"] = best(lambda: cold("1"), repeat)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        rows = {n: measure(n, Path(tmp), args.repeat) for n in sizes}
    print(f"cores: {len(os.sched_getaffinity(0))}, best of {args.repeat}\n")
    print("| files | cold sync | warm sync | per-file loop | loop / cold | pre-commit no-op (python / true) | "
          "pre-commit warm toon-sync | warm / no-op (python / true) | heavy imports (warm) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, r in rows.items():
        loop = f"{r['loop']:.2f} s" if "loop" in r else "–"
        ratio = f"{r['loop'] / r['cold']:.1f}×" if "loop" in r else "–"
        print(f"| {n} | {r['cold']:.3f} s | {r['warm']:.3f} s | {loop} | {ratio} | {r['noop']:.3f} / {r['true']:.3f} s | "
              f"{r['precommit_warm']:.3f} s | {r['precommit_warm'] / r['noop']:.2f}× / "
              f"{r['precommit_warm'] / r['true']:.2f}× | "
              f"{'none' if not r['heavy_imports'] else int(r['heavy_imports'])} |")
    for n, r in rows.items():
        if "cold_j1" in r:
            print(f"\n{n} cold files: -j 1 {r['cold_j1']:.2f} s, all cores {r['cold']:.2f} s, "
                  f"speed-up {r['cold_j1'] / r['cold']:.2f}×")


if __name__ == "__main__":
    main()
