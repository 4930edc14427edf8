"""toon-hooks: keep TOON and Markdown twins of documents in sync.

The package root exposes the TOON codec only; converters, the hook and the CLI are imported on demand so
that `import toon_hooks` costs no more than the codec.
"""
from __future__ import annotations

from .errors import ToonDecodeError
from .toon import decode, dump, dumps, encode, load, loads

__version__ = "0.1.0"
__all__ = ["ToonDecodeError", "__version__", "decode", "dump", "dumps", "encode", "load", "loads"]
