"""Why the accelerator is hand-written C and not mypyc: compile the pure codec with mypyc and time it
(`python3 benchmarks/mypyc_trial.py`, needs mypy's mypyc, gcc and ctoon).

The pure modules are copied to a scratch folder, patched mechanically where mypyc refuses them (builtin
subclasses become non-native classes; surrogate code points in regex literals become regex escapes),
compiled, and timed in a child process against the same modules uncompiled and against ctoon, on the
datasets of `benchmarks/codec.py`: CPU time, best of REPEATS, one table, every ratio from the same run.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("delimiters", "quoting", "encoder", "tokens", "headers", "lines", "tables", "scopes", "decoder")
DATASETS = ("employees", "orders", "config", "mixed", "logs", "numbers")
REPEATS = 5
_BUILTIN_SUBCLASS = re.compile(r"^(class \w+\((?:dict|str)\b[^)]*\):)", re.M)
_SURROGATES = {"\\ud800": "\\\\ud800", "\\udfff": "\\\\udfff"}
"""Surrogates in regex literals: the Python escape becomes the regex engine's escape of the same code point."""

_CHILD = """
import random, sys, time
sys.path[:0] = [{src!r}, {benchmarks!r}]
import codec, ctoon
from toon_hooks.toon import decoder, encoder
def best(func):
    times = []
    for _ in range({repeats}):
        start = time.process_time(); func(); times.append(time.process_time() - start)
    return min(times)
for seed, name in enumerate(codec.DATASETS):
    if name not in {datasets!r}:
        continue
    value = codec.DATASETS[name].build(random.Random(seed))
    text = encoder.encode(value)
    assert ctoon.decode(text) == decoder.decode(text)
    print(name, best(lambda: encoder.encode(value)), best(lambda: ctoon.encode(value)),
          best(lambda: decoder.decode(text)), best(lambda: ctoon.decode(text)), encoder.__file__.endswith(".so"))
"""


def _patched_copy(dest: Path) -> None:
    """Copy the package to `dest` and patch the codec modules where mypyc refuses them (behaviour unchanged)."""
    skip = shutil.ignore_patterns("*.so", "__pycache__")
    shutil.copytree(ROOT / "src" / "toon_hooks", dest / "toon_hooks", ignore=skip)
    for name in MODULES:
        path = dest / "toon_hooks" / "toon" / f"{name}.py"
        text = _BUILTIN_SUBCLASS.sub(r"@__import__('mypy_extensions').mypyc_attr(native_class=False)\n\1",
                                     path.read_text(encoding="utf-8"))
        for escape, spelled in _SURROGATES.items():
            text = text.replace(escape, spelled)
        path.write_text(text, encoding="utf-8")


def _timings(src: Path) -> dict[str, list[float]]:
    child = _CHILD.format(src=str(src), benchmarks=str(ROOT / "benchmarks"), repeats=REPEATS, datasets=DATASETS)
    out = subprocess.run([sys.executable, "-c", child], check=True, capture_output=True, text=True, cwd=src).stdout
    return {line.split()[0]: [float(x) for x in line.split()[1:5]] for line in out.splitlines()}


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        compiled = Path(scratch) / "mypyc"
        _patched_copy(compiled)
        targets = [f"toon_hooks/toon/{name}.py" for name in MODULES]
        build = subprocess.run(["mypyc", *targets], cwd=compiled, capture_output=True, text=True)
        if build.returncode:
            print(build.stdout[-3000:], build.stderr[-3000:], sep="\n")
            return 1
        fast, pure = _timings(compiled), _timings(ROOT / "src")
    print("ms, CPU time, best of", REPEATS, "| mypyc = the pure codec compiled by mypyc")
    print("| dataset | encode pure | mypyc | ctoon | mypyc / pure | mypyc vs ctoon "
          "| decode pure | mypyc | ctoon | mypyc / pure | mypyc vs ctoon |")
    print("|---|" + "---:|" * 10)
    for name in DATASETS:
        enc_m, enc_c, dec_m, dec_c = fast[name]
        enc_p, _, dec_p, _ = pure[name]
        print(f"| {name} | {enc_p * 1e3:.1f} | {enc_m * 1e3:.1f} | {enc_c * 1e3:.1f} | {enc_p / enc_m:.2f}× | "
              f"{enc_c / enc_m:.2f}× | {dec_p * 1e3:.1f} | {dec_m * 1e3:.1f} | {dec_c * 1e3:.1f} | "
              f"{dec_p / dec_m:.2f}× | {dec_c / dec_m:.2f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
