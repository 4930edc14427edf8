"""Build the optional compiled codec; everything else about the package is declared in pyproject.toml.

The C extensions follow CPython's `json`/`_json` split: the pure-Python codec is the reference, and the
compiled one is only a faster way to the same bytes. Without a C compiler (or with TOON_HOOKS_PURE_BUILD=1)
the build skips them with one line on stderr and the package works unchanged on the pure path.
"""
from __future__ import annotations

import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

_NOTE = "toon-hooks: compiled codec not built ({}); the pure-Python codec will be used"


class OptionalBuildExt(build_ext):
    """Build each extension if possible; a failure is one line on stderr, never a failed install."""

    failed: list[str]

    def run(self) -> None:
        if os.environ.get("TOON_HOOKS_PURE_BUILD"):
            print(_NOTE.format("TOON_HOOKS_PURE_BUILD is set"), file=sys.stderr)
            return
        self.failed = []
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - no compiler at all (raised before any extension): never a failed install
            self.failed.append(type(exc).__name__)
        if self.failed:
            print(_NOTE.format(", ".join(self.failed)), file=sys.stderr)

    def copy_file(self, infile: str, outfile: str, *args: object, **kwargs: object) -> tuple[str, bool]:
        """Put a built module in place by renaming a copy: overwriting the file a running process has mapped
        (an in-place rebuild while tests run) crashes that process."""
        if not outfile.endswith(tuple(EXTENSION_SUFFIXES)):
            return super().copy_file(infile, outfile, *args, **kwargs)
        staged, copied = super().copy_file(infile, f"{outfile}.new", *args, **kwargs)
        os.replace(staged, outfile)
        return outfile, copied

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001 - whatever the compiler's failure, the pure codec is used
            self.failed.append(f"{ext.name.rpartition('.')[2]}: {type(exc).__name__}")


def _extension(name: str) -> Extension:
    return Extension(
        f"toon_hooks.toon._c{name}",
        sources=[f"src/toon_hooks/toon/_c{name}.c"],
        extra_compile_args=["-O2", "-std=c99", "-Wall", "-Wextra", "-Wno-unused-parameter"],
    )


setup(ext_modules=[_extension("encoder"), _extension("decoder")], cmdclass={"build_ext": OptionalBuildExt})
