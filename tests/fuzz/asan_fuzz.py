"""Time-bounded differential fuzz of the compiled codec (`_cdecoder.decode`, `_cencoder.encode`) against the pure one.

Meant to run on an AddressSanitizer build (see asan_build.sh, which builds into a scratch folder and runs
this with libasan preloaded), where any out-of-bounds read or write, use-after-free or double free aborts
the process; it runs on a normal build too. Exit status 1 on the first mismatch, with the input printed:

- decode: random JSON-model values encoded by the pure encoder (every delimiter, indents 1-4), then garbled by
  random edits (deleted characters, structural noise, re-indented, duplicated, swapped or blank lines, changed
  counts, tabs, comments), as UTF-8 bytes with ill-formed sequences inserted, plus hostile shapes (deep
  nesting, long lines, huge declared lengths, escapes), and now and then with allocations made to fail
  (_testcapi.set_nomemory): MemoryError, a decline or the right value.
  The compiled value must equal the pure one type for type; where the pure decoder raises, the compiled one
  must answer NotImplemented. A valid document straight from the encoder must not fall back.
- encode: random JSON-model values; the compiled text must be byte-identical to the pure text, or
  NotImplemented; where the pure encoder raises, the compiled one must answer NotImplemented.

    python tests/fuzz/asan_fuzz.py --modules DIR [--seconds 60] [--seed 0]

DIR holds the built `_cdecoder*.so` and `_cencoder*.so` (default: the in-place build next to the package).
"""
from __future__ import annotations

import argparse
import gc
import importlib
import importlib.machinery
import importlib.util
import math
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from toon_hooks.errors import ToonDecodeError
from toon_hooks.toon import decoder, encoder

DELIMITERS = (",", "\t", "|")
_WORDS = ["", " ", "a", "id", "x y", "true", "null", "false", "-", "- x", "#", "a#b", "1", "-0", "01", "1e5", "1.5",
          "a:b", "a,b", "a|b", "a\tb", '"q"', "back\\slash", "new\nline", "cr\r", "é", "你好", "🚀", "[1]", "{x}",
          "[]", "\x00", "\x1f", "  pad  ", "\u2028", "key: value"]
_NOISE = list(' \t:,|"\\-#[]{}\n\r0123456789abcxyz.e+') + ["  ", "- ", ": ", "[2]", "{a,b}", '\\"', "\\u00e9", "\r\n",
                                                           "[999999999999]", "\\ud800", "\ufeff"]


def load(directory: Path, name: str) -> ModuleType:
    """Import the extension `name` from `directory` (not the package's own copy)."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = directory / f"{name}{suffix}"
        if path.exists():
            spec = importlib.util.spec_from_file_location(name, path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise SystemExit(f"asan_fuzz: no {name} extension in {directory}")


def same(expected: Any, actual: Any) -> bool:
    """Type-exact equality (1, 1.0 and True differ; so do 0.0 and -0.0; key order counts), iterative."""
    pending = [(expected, actual)]
    while pending:
        left, right = pending.pop()
        if type(left) is not type(right):
            return False
        if isinstance(left, dict):
            if list(left) != list(right):
                return False
            pending += [(value, right[key]) for key, value in left.items()]
        elif isinstance(left, list):
            if len(left) != len(right):
                return False
            pending += zip(left, right, strict=True)
        elif isinstance(left, float):
            if left != right or math.copysign(1.0, left) != math.copysign(1.0, right):
                return False
        elif left != right:
            return False
    return True


def primitive(rng: random.Random) -> Any:
    kind = rng.randrange(9)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.randint(-1000, 1000)
    if kind == 2:
        return rng.randint(-(2**90), 2**90)
    if kind == 3:
        return rng.choice([0.0, -0.0, 1.5, 1e-7, 1e21, 5e-324, 1.7976931348623157e308, 1 / 3, -2.5e-10])
    if kind == 4:
        return rng.uniform(-1e6, 1e6)
    if kind == 5:
        return "".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 3)))
    if kind == 6:
        return "".join(chr(rng.randint(1, 0x2FF)) for _ in range(rng.randint(0, 6)))
    return rng.choice(_WORDS)


def key(rng: random.Random) -> str:
    return rng.choice(["id", "name", "a.b", "_x", "k", "full name", "1", "", "a:b", "#c", "-d", "[e]", "{f}", 'q"t',
                       "é", "x", "y", "z", f"k{rng.randrange(50)}"])


def value(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON-model value, biased towards TOON's tabular and keyed forms."""
    if depth > 4 or rng.random() < 0.3:
        return primitive(rng)
    kind = rng.randrange(6)
    if kind == 0:
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind == 1:
        return {key(rng): value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    names = list({key(rng): None for _ in range(rng.randint(1, 4))})
    nested = {name: rng.random() < 0.2 for name in names}
    inner = [key(rng) + "i" for _ in range(rng.randint(1, 2))]

    def record() -> dict[str, Any]:
        return {name: ({n: primitive(rng) for n in inner} if nested[name] else primitive(rng)) for name in names}

    rows = [record() for _ in range(rng.randint(1, 5))]
    if kind == 2:
        return rows
    if kind == 3:
        return {f"e{i}": row for i, row in enumerate(rows)}
    if kind == 4:
        return [{key(rng): rows, "z": value(rng, depth + 1)}, value(rng, depth + 1)]
    return [[primitive(rng) for _ in range(rng.randint(0, 3))] for _ in range(rng.randint(0, 3))]


def mutate(text: str, rng: random.Random) -> str:
    """One to four random edits of a document."""
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(9)
        lines = text.split("\n")
        if kind == 0 and text:
            at = rng.randrange(len(text))
            text = text[:at] + text[at + rng.randint(1, 3):]
        elif kind == 1:
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(_NOISE) + text[at:]
        elif kind == 2:
            at = rng.randrange(len(lines))
            lines[at] = " " * rng.randint(0, 9) + lines[at].lstrip(" ")
            text = "\n".join(lines)
        elif kind == 3:
            text = text.replace(f"[{rng.randint(0, 5)}", f"[{rng.choice([0, 1, 2, 3, 6, 10**12, 10**18])}", 1)
        elif kind == 4:
            at = rng.randrange(len(lines))
            lines.insert(at, lines[at])
            text = "\n".join(lines)
        elif kind == 5:
            lines.insert(rng.randrange(len(lines) + 1), " " * rng.randint(0, 3))
            text = "\n".join(lines)
        elif kind == 6 and len(lines) > 1:
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
        elif kind == 7:
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(["\t", "#", "  # c", "\ta: 1", "- x", "k:"]))
            text = "\n".join(lines)
        elif kind == 8 and text:  # cut the document short
            text = text[: rng.randrange(len(text))]
    return text


def hostile(rng: random.Random) -> str:
    """Deep nesting, long lines, huge declared lengths, long escapes."""
    kind = rng.randrange(6)
    size = rng.randint(1, 4000)
    if kind == 0:
        return "".join(" " * (2 * i) + "k:\n" for i in range(size)) + " " * (2 * size) + "v: 1"
    if kind == 1:
        return "[1]:\n" + "".join(" " * (2 * i) + "- [1]:\n" for i in range(1, size)) + " " * (2 * size) + "- x"
    if kind == 2:
        return f"a[{rng.choice([size, 10**12, 10**17])}]: " + ",".join(str(rng.randint(-9, 9)) for _ in range(size))
    if kind == 3:
        escapes = ['\\"', "\\n", "\\u00e9", "x", "\\\\", "\\u4f60"]
        return 'a: "' + "".join(rng.choice(escapes) for _ in range(size)) + '"'
    if kind == 4:
        return f"t[{size}]{{a,b{{c,d}}}}:\n" + "".join(f"  {i},x,{i / 7}\n" for i in range(size))
    return "x" * size * 100


def check_decode(c_decode: Callable[..., Any], text: str, indent: int, must_handle: bool) -> str | None:
    """Return a description of a mismatch, or None."""
    try:
        expected = decoder.decode(text, indent_size=indent)
    except ToonDecodeError:
        got = c_decode(text, True, indent)
        return None if got is NotImplemented else f"pure raises, compiled returned {got!r}"
    got = c_decode(text, True, indent)
    if got is NotImplemented:
        return "a valid encoder document fell back" if must_handle else None
    return None if same(expected, got) else f"pure {expected!r} != compiled {got!r}"


def check_nomemory(c_decode: Callable[..., Any], testcapi: Any, text: str, indent: int, start: int) -> str | None:
    """Decode with every allocation from the `start`-th on failing: MemoryError, a decline or the right value."""
    expected = decoder.decode(text, indent_size=indent)
    testcapi.set_nomemory(start, 0)
    try:
        got = c_decode(text, True, indent)
    except MemoryError:
        return None
    finally:
        testcapi.remove_mem_hooks()
    return None if got is NotImplemented or same(expected, got) else f"after failed allocations: {got!r}"


def check_encode(c_encode: Callable[..., Any], data: Any, delimiter: str, indent: int) -> str | None:
    try:
        expected = encoder.encode(data, delimiter=delimiter, indent_size=indent)
    except Exception as exc:  # noqa: BLE001  # any error of the pure encoder must be left to it by the compiled one
        got = c_encode(data, delimiter, indent)
        return None if got is NotImplemented else f"pure raises {type(exc).__name__}, compiled returned {got!r}"
    got = c_encode(data, delimiter, indent)
    if got is NotImplemented or got == expected:
        return None
    return f"pure {expected!r} != compiled {got!r}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=Path, default=Path(decoder.__file__).parent)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    c_decode = load(args.modules, "_cdecoder").decode
    c_encode = load(args.modules, "_cencoder").encode
    nomemory: Any
    try:
        nomemory = importlib.import_module("_testcapi")  # allocation-failure injection, where it ships
    except ImportError:
        nomemory = None
    rng = random.Random(args.seed)
    deadline = time.monotonic() + args.seconds
    counts = {"decode": 0, "garbled": 0, "bytes": 0, "hostile": 0, "no memory": 0, "encode": 0}
    while time.monotonic() < deadline:
        data = value(rng)
        delimiter, indent = rng.choice(DELIMITERS), rng.randint(1, 4)
        problems = [("encode", data, check_encode(c_encode, data, delimiter, indent))]
        counts["encode"] += 1
        try:
            text = encoder.encode(data, delimiter=delimiter, indent_size=indent)
        except Exception:  # noqa: BLE001  # (a value the pure encoder refuses: nothing to decode)
            text = None
        if text is not None:
            problems.append(("decode", text, check_decode(c_decode, text, indent, must_handle=True)))
            counts["decode"] += 1
            for _ in range(4):
                garbled = mutate(text, rng)
                problems.append(("garbled", garbled, check_decode(c_decode, garbled, indent, must_handle=False)))
                counts["garbled"] += 1
            blob = bytearray(text.encode("utf-8"))
            for _ in range(rng.randint(0, 3)):  # UTF-8 bytes, some of them made ill-formed
                blob.insert(rng.randrange(len(blob) + 1), rng.choice([0x80, 0xC3, 0xE4, 0xED, 0xF0, 0xFF, 0x0A]))
            data = rng.choice([bytes, bytearray, memoryview])(bytes(blob))
            problems.append(("bytes", data, check_decode(c_decode, data, indent, must_handle=False)))
            counts["bytes"] += 1
        if text is not None and nomemory is not None and rng.random() < 0.05:
            problems.append(("no memory", text, check_nomemory(c_decode, nomemory, text, indent, rng.randrange(200))))
            counts["no memory"] += 1
        if rng.random() < 0.05:
            doc = hostile(rng)
            problems.append(("hostile", doc, check_decode(c_decode, doc, 2, must_handle=False)))
            counts["hostile"] += 1
        if sum(counts.values()) % 500 < 6:
            gc.collect()  # traverse what was decoded: a bad reference count shows up here under ASan
        for kind, subject, problem in problems:
            if problem is not None:
                print(f"asan_fuzz: {kind} mismatch (seed {args.seed}, indent {indent}, delimiter {delimiter!r})")
                print(f"input: {subject!r}"[:4000])
                print(problem[:4000])
                return 1
    print(f"asan_fuzz: ok in {args.seconds:.0f} s: " + ", ".join(f"{n} {k}" for k, n in counts.items())
          + f" (modules from {args.modules})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
