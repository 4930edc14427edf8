"""The persistent cache (diskcache): content-hash keys to results, opened and written by the parent only.

The cache can only make a run faster, never wrong or failing: every problem (corrupt database, locked or
read-only folder, full disk) disables it for the rest of the run with one warning, and callers treat a
disabled store as always missing. CI starts cold and must reach the same result.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    from .config import Config

DEFAULT_SIZE_LIMIT = 256 * 1024 * 1024
"""Bytes kept before least-recently-used eviction."""


def cache_dir() -> str:
    """Return the cache folder: `TOON_HOOKS_CACHE_DIR`, else the per-user cache dir, per toon-hooks version."""
    override = os.environ.get("TOON_HOOKS_CACHE_DIR")
    if override:
        return os.path.join(override, __version__)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "toon-hooks", __version__)


class Store:
    """A string-keyed diskcache store that degrades to "always missing" instead of failing."""

    def __init__(self, directory: str | None = None, *, size_limit: int = DEFAULT_SIZE_LIMIT,
                 enabled: bool = True) -> None:
        self.directory = directory or cache_dir()
        self.size_limit = size_limit
        self.warning: str | None = None
        """Why the store was disabled, for the caller to report once."""
        self._cache: Any = None
        self._enabled = enabled

    @property
    def enabled(self) -> bool:
        """True until the store was turned off or failed."""
        return self._enabled

    def _open(self) -> Any:
        if self._cache is None and self._enabled:
            try:
                import diskcache

                os.makedirs(self.directory, exist_ok=True)
                self._cache = diskcache.Cache(
                    self.directory, size_limit=self.size_limit, timeout=2,
                    eviction_policy="least-recently-used",
                )
            except Exception as exc:  # noqa: BLE001 - any failure means: run without the cache
                self._disable(exc)
        return self._cache

    def _disable(self, exc: BaseException) -> None:
        if self._enabled:
            self.warning = f"cache disabled ({self.directory}): {type(exc).__name__}: {exc}"
        self._enabled = False
        cache, self._cache = self._cache, None
        if cache is not None:
            try:
                cache.close()
            except Exception:  # noqa: BLE001
                pass

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """Return the stored value of each key that is present (no keys: the database is not even opened)."""
        keys = list(keys)
        cache = self._open() if keys else None
        if cache is None:
            return {}
        found: dict[str, Any] = {}
        try:
            # One transaction: with LRU eviction every read also writes its access time.
            with cache.transact():
                for key in keys:
                    value = cache.get(key)
                    if value is not None:
                        found[key] = value
        except Exception as exc:  # noqa: BLE001
            self._disable(exc)
            return {}
        return found

    def get(self, key: str) -> Any:
        """Return the value stored under `key`, or None."""
        return self.get_many([key]).get(key)

    def set_many(self, items: Mapping[str, Any]) -> None:
        """Store every item in one transaction; failures disable the store silently until reported."""
        if not items:
            return
        cache = self._open()
        if cache is None:
            return
        try:
            with cache.transact():
                for key, value in items.items():
                    cache.set(key, value)
        except Exception as exc:  # noqa: BLE001
            self._disable(exc)

    def set(self, key: str, value: Any) -> None:
        """Store one value."""
        self.set_many({key: value})

    def info(self) -> dict[str, Any]:
        """Return location, entry count and size on disk, for `toon-hooks cache info`."""
        cache = self._open()
        if cache is None:
            return {"directory": self.directory, "enabled": False, "warning": self.warning}
        try:
            return {"directory": self.directory, "enabled": True, "entries": len(cache),
                    "bytes": cache.volume(), "size_limit": self.size_limit}
        except Exception as exc:  # noqa: BLE001
            self._disable(exc)
            return {"directory": self.directory, "enabled": False, "warning": self.warning}

    def clear(self) -> int:
        """Remove every entry; return how many were removed."""
        cache = self._open()
        if cache is None:
            return 0
        try:
            return int(cache.clear())
        except Exception as exc:  # noqa: BLE001
            self._disable(exc)
            return 0

    def close(self) -> None:
        """Close the database connection (a no-op when never opened)."""
        if self._cache is not None:
            try:
                self._cache.close()
            finally:
                self._cache = None


def store_for(config: Config, *, enabled: bool = True) -> Store:
    """Return the store a command uses: the configured folder and size, or a disabled one (`--no-cache`)."""
    return Store(config.cache_dir, size_limit=config.cache_size_mb * 1024 * 1024, enabled=enabled)
