"""The compiled codec, when it was built and is not refused: CPython's `json`/`_json` arrangement.

`_cencoder` and `_cdecoder` (C, built from the sdist by setup.py when a compiler is there) take the common
case only and answer `NotImplemented` for anything else (an error, an unusual option, a host type), which
the pure-Python codec then handles. The pure codec is the reference: both give the same bytes, and every
error comes from the pure path, so messages and positions are identical by construction.
Set TOON_HOOKS_PURE=1 to run without the compiled codec.
"""
from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Any

_OFF = os.environ.get("TOON_HOOKS_PURE", "") not in ("", "0")


def _load(module: str, function: str) -> Callable[..., Any] | None:
    """Return `function` of the compiled `module`, or None when it is refused or was not built."""
    if _OFF:
        return None
    try:
        found: Callable[..., Any] | None = getattr(importlib.import_module(f"{__package__}.{module}"), function, None)
    except ImportError:
        return None
    return found


c_encode = _load("_cencoder", "encode")
"""`c_encode(value, delimiter, indent_size)` → the TOON text, or NotImplemented."""
c_decode = _load("_cdecoder", "decode")
"""`c_decode(text, strict, indent_size)` → the value, or NotImplemented."""
