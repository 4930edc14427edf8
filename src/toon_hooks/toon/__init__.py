"""The TOON 4.0 codec: pure text <-> JSON-model values, json-module style API."""
from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any

from ..errors import ToonDecodeError

if TYPE_CHECKING:
    from .lines import Document

_accelerator: ModuleType | None = None
"""`accelerator`, once a call needed it: imported on first use, since option parsing imports this package on the
warm hook path, and kept here, since importing it again on every call costs more than a small document's encoding."""


def _compiled() -> ModuleType:
    """Return the `accelerator` module (its `c_encode`/`c_decode` are read at each call, so tests can swap them)."""
    global _accelerator
    if _accelerator is None:
        from . import accelerator

        _accelerator = accelerator
    return _accelerator

__all__ = ["ToonDecodeError", "accelerated", "decode", "dump", "dumps", "encode", "load", "loads"]


def encode(
    value: Any,
    *,
    delimiter: str = ",",
    indent_size: int = 2,
    default: Callable[[Any], Any] | None = None,
) -> str:
    """Return `value` as a TOON document (see `encoder.encode`); the compiled codec first when there is one."""
    fast = (_accelerator or _compiled()).c_encode
    if fast is not None:
        text = fast(value, delimiter, indent_size)
        if text is not NotImplemented:
            return text  # type: ignore[no-any-return]
    from .encoder import encode as pure

    return pure(value, delimiter=delimiter, indent_size=indent_size, default=default)


def decode(text: Document, *, strict: bool = True, indent_size: int = 2) -> Any:
    """Return the value of a TOON document (see `decoder.decode`); the compiled codec first when there is one."""
    fast = (_accelerator or _compiled()).c_decode
    if fast is not None:
        value = fast(text, strict, indent_size)
        if value is not NotImplemented:
            return value
    from .decoder import decode as pure

    return pure(text, strict=strict, indent_size=indent_size)


def accelerated() -> bool:
    """Whether `encode` and `decode` try the compiled codec (it was built and TOON_HOOKS_PURE is not set)."""
    accelerator = _compiled()
    return accelerator.c_encode is not None and accelerator.c_decode is not None


dumps = encode
"""The json-module name for `encode`."""
loads = decode
"""The json-module name for `decode`."""


def dump(
    value: Any,
    fp: IO[str],
    *,
    delimiter: str = ",",
    indent_size: int = 2,
    default: Callable[[Any], Any] | None = None,
) -> None:
    """Write `value` as TOON to the text stream `fp`."""
    fp.write(encode(value, delimiter=delimiter, indent_size=indent_size, default=default))


def load(fp: IO[str] | IO[bytes], *, strict: bool = True, indent_size: int = 2) -> Any:
    """Read a TOON document from a text or binary stream."""
    return decode(fp.read(), strict=strict, indent_size=indent_size)
