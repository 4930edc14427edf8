"""Benchmark the TOON codec against the other Python TOON codecs and stdlib json on seeded datasets.

    python3 benchmarks/codec.py                 # every dataset, then the hostile-document table
    python3 benchmarks/codec.py --quick         # the small datasets only (seconds, not minutes)
    python3 benchmarks/codec.py logs mixed      # named datasets only; `hostile` names the hostile table

Contenders: ours (pure: `toon_hooks.toon.encoder.encode` / `decoder.decode`), ours (compiled: the public
`toon_hooks.toon.encode` / `decode` when an accelerator stands behind them, see `ours_compiled`), toon_format
1.2.0 (the baseline of the ratios), ctoon 0.9.0, toons 0.9.0, toony 0.1.0rc3 and json. The third-party codecs are
benchmark-only (`pip install ctoon==0.9.0 toons==0.9.0 toony==0.1.0rc3`); one that is not installed is skipped
with a note.

Every number comes from the same run: best of REPEATS interleaved samples of CPU time (time.process_time: other
processes on a shared machine slow a codec down far less than they stretch wall time; `--clock wall` for
time.perf_counter), throughput in
MB/s of the document each codec produces or reads (our TOON text for the TOON codecs, compact JSON for json), so
a ratio is a ratio of times. Every TOON codec decodes *our* text; `same` tells whose encoding is byte-identical
to ours and whose decoding equals ours.

A last table times hostile documents (one huge line of escapes, huge inline arrays) against plain text of the
same size, through `loads` and through the `decode` command's conversion, at HOSTILE_MB and twice that.
"""
from __future__ import annotations

import argparse
import importlib
import json
import random
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import toon_hooks
import toon_hooks.toon
from toon_hooks.commands.codec import toon_to_json
from toon_hooks.toon.decoder import decode as pure_decode
from toon_hooks.toon.encoder import encode as pure_encode

REPEATS = 5
clock = time.process_time
"""The timer of every sample (see `--clock`)."""
MIN_SAMPLE = 0.05
"""Seconds each timing sample lasts at least (calls are repeated within it)."""
_WORDS = "alpha beta gamma delta error timeout retry cache disk user order queue: ready, set #1 go".split()


def employees(rng: random.Random, count: int = 2000) -> dict[str, Any]:
    """Uniform flat records: the tabular best case."""
    departments = ["Engineering", "Sales", "Support", "Finance", "Legal", "Ops"]
    return {
        "employees": [
            {
                "id": i,
                "name": f"{rng.choice(['Ada', 'Bob', 'Cy', 'Dee', 'Eve'])} {rng.choice(['Li', 'Ng', 'Ruiz', 'Okoro'])}",
                "email": f"user{i}@example.com",
                "department": rng.choice(departments),
                "salary": rng.randrange(40_000, 250_000),
                "hired": f"20{rng.randrange(10, 25)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                "active": rng.random() < 0.9,
                "rating": round(rng.uniform(1, 5), 2),
            }
            for i in range(count)
        ]
    }


def orders(rng: random.Random, count: int = 500) -> dict[str, Any]:
    """Nested orders: a customer object per order and a tabular item array inside each list item."""
    return {
        "orders": [
            {
                "id": f"ORD-{i:05d}",
                "placed": f"2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:00:00Z",
                "customer": {"id": rng.randrange(10_000), "name": f"Customer {rng.randrange(999)}", "tier": "gold"},
                "status": rng.choice(["new", "paid", "shipped", "returned"]),
                "items": [_order_item(rng) for _ in range(rng.randrange(1, 6))],
                "total": rng.randrange(100, 999_999) / 100,
                "note": rng.choice(["", "gift, wrap it", "leave at door", "call: 555-0100"]),
            }
            for i in range(count)
        ]
    }


def _order_item(rng: random.Random) -> dict[str, Any]:
    price = rng.randrange(99, 99999) / 100
    return {"sku": f"SKU-{rng.randrange(9999):04d}", "qty": rng.randrange(1, 9), "price": price}


def events(rng: random.Random, count: int = 2000) -> list[dict[str, Any]]:
    """Semi-uniform log events: about one in six carries an `error` object, so the array is a list."""
    out = []
    for i in range(count):
        event: dict[str, Any] = {
            "ts": 1_700_000_000_000 + i * 137,
            "level": rng.choice(["debug", "info", "info", "warn", "error"]),
            "service": rng.choice(["api", "worker", "db", "auth"]),
            "message": " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(2, 8))),
            "latency_ms": round(rng.expovariate(1 / 40), 3),
        }
        if rng.random() < 0.17:
            event["error"] = {"code": rng.choice(["E_TIMEOUT", "E_REFUSED"]), "retryable": rng.random() < 0.5}
        out.append(event)
    return out


def config(rng: random.Random, depth: int = 5, width: int = 5) -> dict[str, Any]:
    """A 5-level nested configuration of mixed scalars, lists and small uniform maps."""
    if depth == 1:
        return {
            "enabled": rng.random() < 0.5,
            "threshold": round(rng.random(), 4),
            "label": rng.choice(_WORDS),
            "tags": rng.sample(_WORDS, 3),
        }
    node: dict[str, Any] = {f"section_{depth}_{i}": config(rng, depth - 1, width) for i in range(width)}
    node["limits"] = {name: {"soft": rng.randrange(100), "hard": rng.randrange(100, 200)} for name in ("cpu", "mem")}
    return node


def logs(rng: random.Random, count: int = 3000) -> list[dict[str, Any]]:
    """Log records whose strings are full of quotes, commas and colons: nearly every cell must be quoted."""
    paths = ["/api/v1/users", "/api/v1/orders?id=3,4", "/login", '/search?q="red, shoes"', "/health"]
    out = []
    for i in range(count):
        path = rng.choice(paths)
        out.append(
            {
                "ts": f"2025-06-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z",
                "level": rng.choice(["INFO", "WARN", "ERROR"]),
                "msg": f'GET "{path}" -> {rng.choice([200, 404, 500])}, took {rng.randrange(900)} ms, user "u{i}"',
                "ctx": f'{{"ip": "10.0.{rng.randrange(256)}.{rng.randrange(256)}", "retry": {rng.randrange(3)}}}',
                "tags": ", ".join(rng.sample(["a:b", "c,d", "e|f", '"g"', "h"], 2)),
            }
        )
    return out


def deep(rng: random.Random) -> dict[str, Any]:
    """A 6-level nested configuration (width 4): mostly `key:` blocks and short fields."""
    return config(rng, depth=6, width=4)


def mixed(rng: random.Random, count: int = 3000) -> dict[str, Any]:
    """Non-uniform arrays: arrays of arrays, objects of varying keys and bare strings mixed in one list."""
    def element(i: int) -> Any:
        kind = rng.randrange(5)
        if kind == 0:
            return [rng.randrange(1000), rng.choice(_WORDS), round(rng.random(), 3)]
        if kind == 1:
            return {"id": i, "name": rng.choice(_WORDS), **({"extra": [1, 2]} if rng.random() < 0.5 else {})}
        if kind == 2:
            return " ".join(rng.choice(_WORDS) for _ in range(3))
        if kind == 3:
            return [[rng.randrange(10), rng.randrange(10)], [rng.choice(_WORDS)], []]
        return rng.choice([True, None, i, -i / 7])

    return {"items": [element(i) for i in range(count)], "matrix": [[rng.randrange(99) for _ in range(8)]] * 200}


def escapes(rng: random.Random, count: int = 200, size: int = 2000) -> dict[str, Any]:
    """Long strings (~2 KB each) full of quotes, tabs, backslashes and newlines: every one escaped."""
    pieces = ['say "hi"', "\\server\\share", "col1\tcol2", "line\n", "plain words ", "C:\\path", "\r\n"]
    def text() -> str:
        out: list[str] = []
        length = 0
        while length < size:
            out.append(rng.choice(pieces))
            length += len(out[-1])
        return "".join(out)

    return {"docs": [{"id": i, "body": text()} for i in range(count)]}


def numbers(rng: random.Random, count: int = 100_000) -> dict[str, Any]:
    """One huge inline array of 100,000 numbers (ints and floats mixed)."""
    values = [rng.randrange(-(10**6), 10**6) if i % 2 else round(rng.uniform(-1e3, 1e3), 4) for i in range(count)]
    return {"values": values}


def big(rng: random.Random) -> dict[str, Any]:
    """A ~20 MB uniform array of objects (the employees table, 250,000 rows)."""
    return employees(rng, 250_000)


class Dataset(NamedTuple):
    build: Callable[[random.Random], Any]
    quick: bool
    """Part of `--quick`."""
    repeats: int | None = None
    """Samples per contender when fewer than REPEATS keep the run short (one call lasts seconds)."""


DATASETS: dict[str, Dataset] = {
    "employees": Dataset(employees, True),
    "orders": Dataset(orders, True),
    "events": Dataset(events, True),
    "config": Dataset(config, True),
    "logs": Dataset(logs, True),
    "deep": Dataset(deep, True),
    "mixed": Dataset(mixed, True),
    "escapes": Dataset(escapes, True),
    "numbers": Dataset(numbers, True),
    "big": Dataset(big, False, 2),
}


class Codec(NamedTuple):
    encode: Callable[[Any], str]
    decode: Callable[[str], Any]


def ours_compiled() -> Codec | None:
    """HOOK POINT for the C accelerator: the public `toon_hooks.toon.encode` / `decode`, when they are not the
    pure functions (an accelerator stands behind them) and `toon_hooks.toon.accelerated()`, once the integrator
    adds it, does not say False (e.g. under TOON_HOOKS_PURE=1). None until then: the column reads `not built`."""
    api = toon_hooks.toon
    accelerated = getattr(api, "accelerated", None)
    if accelerated is not None and not accelerated():
        return None
    if api.encode is pure_encode and api.decode is pure_decode:
        return None
    return Codec(api.encode, api.decode)


def third_party() -> tuple[dict[str, Codec], list[str]]:
    """Return the installed third-party codecs by name, and notes naming the missing ones."""
    codecs: dict[str, Codec] = {}
    notes: list[str] = []
    wanted = {"toon_format": "1.2.0", "ctoon": "0.9.0", "toons": "0.9.0", "toony": "0.1.0rc3"}
    for name, version in wanted.items():
        try:
            module: Any = importlib.import_module(name)
        except ImportError:
            notes.append(f"{name} skipped: not installed (pip install {name}=={version})")
            continue
        if name == "toony":  # its default limits (1,000,000 elements) would refuse the big dataset
            limits = module.Limits(max_input_bytes=1 << 34, max_output_bytes=1 << 34, max_elements=1 << 34)
            codecs[name] = Codec(partial(module.encode, limits=limits), partial(module.decode, limits=limits))
        elif name == "toons":
            codecs[name] = Codec(module.dumps, module.loads)
        else:
            codecs[name] = Codec(module.encode, module.decode)
    return codecs, notes


JSON = Codec(
    lambda value: json.dumps(value, separators=(",", ":"), ensure_ascii=False), json.loads
)


def race(contenders: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float | None]:
    """Return each contender's best seconds per call over `repeats` rounds (None if it raises).

    Rounds interleave the contenders so that load from other processes hits them alike, and each sample repeats
    the call until it lasts MIN_SAMPLE seconds, so timer resolution and scheduler noise stay small.
    """
    loops: dict[str, int] = {}
    for name, func in contenders.items():
        try:
            start = clock()
            func()
        except Exception:  # noqa: BLE001 - a placeholder or broken codec: reported as such, the others measured
            continue
        loops[name] = max(1, round(MIN_SAMPLE / max(clock() - start, 1e-6)))
    best = dict.fromkeys(loops, float("inf"))
    for _ in range(repeats):
        for name, count in loops.items():
            func = contenders[name]
            start = clock()
            for _ in range(count):
                func()
            best[name] = min(best[name], (clock() - start) / count)
    return {name: best.get(name) for name in contenders}


class Row(NamedTuple):
    kb: float
    enc: dict[str, float | None]
    dec: dict[str, float | None]
    same: dict[str, str]
    """Per codec: `yes` (encoding byte-identical to ours, decoding equal), or what differs or fails."""


def measure(value: Any, codecs: dict[str, Codec], repeats: int) -> Row:
    """Time encode and decode of `value` with every codec (ours pure first); return MB/s and output identity."""
    ours = pure_encode(value)
    data = pure_decode(ours)
    if data != json.loads(JSON.encode(value)):
        raise AssertionError("ours does not round-trip the dataset")
    compact = JSON.encode(value)
    sizes = {name: len((compact if name == "json" else ours).encode()) / 1e6 for name in codecs}
    same: dict[str, str] = {}
    for name, codec in codecs.items():
        if name == "json":
            continue
        try:
            encoded = codec.encode(value) == ours
        except Exception as exc:  # noqa: BLE001 - another codec's failure is a result to report
            same[name] = f"enc fails ({type(exc).__name__})"
            continue
        try:
            decoded = codec.decode(ours) == data
        except Exception as exc:  # noqa: BLE001 - another codec's failure is a result to report
            same[name] = f"dec fails ({type(exc).__name__})"
            continue
        same[name] = ("yes" if decoded else "dec differs") if encoded else ("enc differs" if decoded else "both differ")
    enc = race({name: partial(codec.encode, value) for name, codec in codecs.items()}, repeats)
    texts = {name: compact if name == "json" else ours for name in codecs}
    dec = race({name: partial(codec.decode, texts[name]) for name, codec in codecs.items()}, repeats)

    def rates(times: dict[str, float | None]) -> dict[str, float | None]:
        return {name: None if t is None else sizes[name] / t for name, t in times.items()}

    return Row(len(ours.encode()) / 1024, rates(enc), rates(dec), same)


def _ratio(ours: float | None, theirs: float | None) -> str:
    return "n/a" if ours is None or theirs is None else f"{ours / theirs:.2f}x"


def _rate(rate: float | None) -> str:
    return "failed" if rate is None else f"{rate:.1f}"


def _markdown(columns: list[str], rows: list[list[str]]) -> None:
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(columns) - 1)) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def datasets_table(names: list[str], repeats: int) -> bool:
    """Print the throughput tables of the named datasets; return False if a TOON codec of ours failed."""
    found, notes = third_party()
    compiled = ours_compiled()
    codecs: dict[str, Codec] = {"ours": Codec(pure_encode, pure_decode)}
    if compiled is not None:
        codecs["compiled"] = compiled
    else:
        notes.append("ours (compiled): not built (toon_hooks.toon.encode/decode are the pure functions)")
    codecs.update(found)
    codecs["json"] = JSON
    others = [name for name in codecs if name != "ours"]
    results: dict[str, Row] = {}
    ok = True
    for seed, name in enumerate(DATASETS):
        if name not in names:
            continue
        dataset = DATASETS[name]
        started = time.perf_counter()
        row = results[name] = measure(dataset.build(random.Random(seed)), codecs, dataset.repeats or repeats)
        ok &= row.enc["ours"] is not None and row.dec["ours"] is not None
        print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    for title, part in (("encode", "enc"), ("decode", "dec")):
        print(f"\n**{title}** MB/s (ours / that codec)\n")
        rows = []
        for name, row in results.items():
            rates = getattr(row, part)
            cells = [f"{_rate(rates[other])} ({_ratio(rates['ours'], rates[other])})" for other in others]
            rows.append([name, f"{row.kb:.0f}", _rate(rates["ours"]), *cells])
        _markdown(["dataset", "KB", "ours (pure)", *[_label(other) for other in others]], rows)
    print("\n**same** as ours: encoding byte-identical and decoding of our text equal\n")
    rows = [[name, *[row.same.get(other, "") for other in others if other != "json"]] for name, row in results.items()]
    _markdown(["dataset", *[_label(other) for other in others if other != "json"]], rows)
    print(f"\nbest of {repeats} interleaved samples of {'CPU' if clock is time.process_time else 'wall'} time (fewer on"
          " `big`); MB/s of our TOON text (of compact JSON for json)")
    for note in notes:
        print(f"note: {note}")
    return ok


def _label(name: str) -> str:
    return "ours (compiled)" if name == "compiled" else name


HOSTILE_MB = 5
"""Size of the hostile documents; each is also timed at twice this size, to show how the time scales."""


def hostile(size: int) -> dict[str, tuple[str, bool]]:
    """Return documents of about `size` bytes by name, each with whether it needs non-strict mode; the first,
    one line of plain text, is the baseline."""
    count = size // 2
    return {
        "plain text": ('a: "' + "xy" * count + '"', False),
        "escaped quotes": ('a: "' + '\\"' * count + '"', False),
        "mixed escapes": ('a: "' + "ab\\n\\\\\\u00e9" * (size // 12) + '"', False),
        "numbers [N]": (f"a[{count}]: " + ",".join(["7"] * count), False),
        "numbers, no-strict": ("a[999999999]: " + ",".join(["7"] * count), True),
        "quoted cells": (f"a[{size // 10}]: " + ",".join(f'"\\"{i:06}"' for i in range(size // 10)), False),
        "plain lines": ("".join(f"k{i}: some plain words\n" for i in range(size // 24)), False),
    }


def _best(func: Callable[[], Any]) -> float:
    """Return the best of REPEATS timings of one call (each takes long enough to time on its own)."""
    best = float("inf")
    for _ in range(REPEATS):
        start = clock()
        func()
        best = min(best, clock() - start)
    return best


def hostile_table() -> None:
    """Print seconds for `loads` and for the decode command's conversion (TOON bytes to JSON text) per hostile
    document, as ratios against plain text of the same size, and the time at twice the size over the time."""
    columns = ("document", "MB", "loads s", "vs plain", "command s", "vs plain", "x2 size")
    print(("{:<20}" + "{:>10}" * (len(columns) - 1)).format(*columns))
    size = HOSTILE_MB * 1_000_000
    small, large = hostile(size), hostile(2 * size)
    plain: tuple[float, float] | None = None
    for name, (text, lenient) in small.items():
        data = text.encode()
        api = _best(partial(toon_hooks.loads, data, strict=not lenient))
        command = _best(partial(toon_to_json, data, strict=not lenient))
        double = large[name][0].encode()
        scale = _best(partial(toon_to_json, double, strict=not lenient)) / command
        if plain is None:  # the first document, plain text, is the baseline
            plain = api, command
        cells = (name, f"{len(data) / 1e6:.1f}", f"{api:.3f}", f"{api / plain[0]:.1f}x", f"{command:.3f}",
                 f"{command / plain[1]:.1f}x", f"{scale:.2f}")
        print(("{:<20}" + "{:>10}" * (len(cells) - 1)).format(*cells))
    print(f"best of {REPEATS}; vs plain = time over that of the plain-text line; x2 size = command time at twice the"
          " size over this one (2.00 = linear)")


def main(argv: list[str] | None = None) -> int:
    """Print the tables; exit 1 when our codec fails or does not round-trip a dataset."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="dataset", help=f"any of {', '.join(DATASETS)} or hostile")
    parser.add_argument("--quick", action="store_true", help="the small datasets only, no hostile table")
    parser.add_argument("--repeats", type=int, default=REPEATS, help=f"samples per contender (default {REPEATS})")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu", help="CPU time (default) or wall time")
    args = parser.parse_args(argv)
    global clock
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    unknown = set(args.names) - {*DATASETS, "hostile"}
    if unknown:
        parser.error(f"unknown dataset(s): {', '.join(sorted(unknown))}")
    if args.names:
        names = args.names
    else:
        names = [name for name, dataset in DATASETS.items() if dataset.quick or not args.quick]
        names += [] if args.quick else ["hostile"]
    ok = datasets_table(names, args.repeats) if set(names) - {"hostile"} else True
    if "hostile" in names:
        print()
        hostile_table()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
