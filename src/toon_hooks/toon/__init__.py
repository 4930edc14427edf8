"""The TOON 4.0 codec: pure text <-> JSON-model values, json-module style API."""
from __future__ import annotations

from typing import IO, Any, Callable

from ..errors import ToonDecodeError
from .decoder import decode
from .encoder import encode
from .lines import Document

__all__ = ["ToonDecodeError", "decode", "dump", "dumps", "encode", "load", "loads"]


def dumps(
    value: Any,
    *,
    delimiter: str = ",",
    indent_size: int = 2,
    default: Callable[[Any], Any] | None = None,
) -> str:
    """Return `value` as a TOON document (alias of `encode`)."""
    return encode(value, delimiter=delimiter, indent_size=indent_size, default=default)


def loads(text: Document, *, strict: bool = True, indent_size: int = 2) -> Any:
    """Return the value of a TOON document (alias of `decode`)."""
    return decode(text, strict=strict, indent_size=indent_size)


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
