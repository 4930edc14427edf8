"""Map (source format, target format) to a converter; converters register themselves on import.

Workers run converters in other processes, so a converter is a pure function of its input bytes, its
options and a path label (used in messages and path-pattern rules, never opened). Converter modules are
imported only when one of their formats is needed, so `import toon_hooks` stays light.
"""
from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from typing import ClassVar

from ..errors import ToonHooksError
from ..options import Options
from .spec import SPECS
from .spec import format_of as format_of

_REGISTRY: dict[tuple[str, str], Converter] = {}


class Converter(ABC):
    """A pure conversion from one format to another; subclasses set the class attributes."""

    name: ClassVar[str]
    """Short identifier shown in reports, e.g. "toon-to-md"."""
    source: ClassVar[str]
    """Format read, e.g. "toon"."""
    target: ClassVar[str]
    """Format written, e.g. "md"."""
    version: ClassVar[str]
    """Bumped whenever output changes for the same input; part of every cache key."""

    @abstractmethod
    def convert(self, data: bytes, options: Options, path: str = "<stdin>") -> str:
        """Return the target document for `data`; raise a LocatedError subclass on bad input."""

    def cache_id(self) -> str:
        """Identify this converter and its output version in cache keys."""
        return f"{self.name}@{self.version}"


def register(cls: type[Converter]) -> type[Converter]:
    """Class decorator: make `cls` the converter for its (source, target) pair."""
    _REGISTRY[(cls.source, cls.target)] = cls()
    return cls


def get(source: str, target: str) -> Converter:
    """Return the converter from `source` to `target`, importing its module on first use."""
    key = (source, target)
    for fmt in (source, target):
        if key in _REGISTRY:
            break
        spec = SPECS.get(fmt)
        module = spec.module if spec else None
        if module:
            try:
                importlib.import_module(module)
            except ImportError as exc:
                raise ToonHooksError(f"no converter from {source} to {target} ({exc})") from None
    try:
        return _REGISTRY[key]
    except KeyError:
        raise ToonHooksError(f"no converter from {source} to {target}") from None


def decode_text(data: bytes, path: str) -> str:
    """Decode UTF-8 input (a BOM is dropped); invalid bytes raise a located ConversionError."""
    from ..errors import ConversionError

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConversionError(f"invalid UTF-8 ({exc.reason})", line, column) from None
    return text[1:] if text.startswith("\ufeff") else text
