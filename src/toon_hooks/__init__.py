"""toon-hooks: keep TOON and Markdown twins of documents in sync.

The package root exposes the TOON codec; it is imported on first use (PEP 562), so the hook's warm path,
which never decodes anything, does not pay for it. Converters, the hook and the CLI load on demand too.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["ToonDecodeError", "__version__", "decode", "dump", "dumps", "encode", "load", "loads"]

if TYPE_CHECKING:
    from .errors import ToonDecodeError
    from .toon import decode, dump, dumps, encode, load, loads


def __getattr__(name: str) -> Any:
    if name == "ToonDecodeError":
        from .errors import ToonDecodeError

        return ToonDecodeError
    if name in __all__:
        from . import toon

        return getattr(toon, name)
    raise AttributeError(f"module 'toon_hooks' has no attribute {name!r}")
