"""The persistent cache (diskcache): content-hash keys to results, opened and written by the parent only.

The cache can only make a run faster, never wrong or failing: every problem (corrupt database, locked or
read-only folder, full disk) disables it for the rest of the run with one warning, and callers treat a
disabled store as always missing. CI starts cold and must reach the same result.

A cache folder may come from a less trusted place (a CI cache shared across branches), so it holds plain
data only: JSON text or raw bytes, never pickles (diskcache's default), and never files outside its
database. Whatever is read is checked, and anything unexpected is a miss.
"""
from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    from .config import Config

DEFAULT_SIZE_LIMIT = 256 * 1024 * 1024
"""Bytes kept before least-recently-used eviction."""
LOCK_TIMEOUT = 0.25
"""Seconds to wait for another process's lock on the store before this run goes without it."""
_DATABASE = "cache.db"
_DATABASE_FILES = (_DATABASE, f"{_DATABASE}-wal", f"{_DATABASE}-shm", f"{_DATABASE}-journal")
_VALUE_FILE = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{28}\.val")
"""diskcache's own value files (earlier versions stored large values in them)."""
_HEX_FOLDER = re.compile(r"[0-9a-f]{2}")


def _count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _conversion(value: Any) -> bool:
    """A conversion entry: the twin's body under "text", token counts (or None), the marker text."""
    return (isinstance(value, dict) and isinstance(value.get("text"), str)
            and all(isinstance(item, str) if name == "marker" else item is None or _count(item)
                    for name, item in value.items() if name != "text"))


_KINDS: dict[str, Callable[[Any], bool]] = {
    "conv": _conversion,
    "tok": _count,
    "tokrow": lambda value: isinstance(value, dict) and all(map(_count, value.values())),
    "bpe": lambda value: isinstance(value, bytes),
}
"""Key kind (the key up to its first colon) → the check its values pass; other kinds take any value."""


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
    """A string-keyed diskcache store of JSON values and bytes that degrades to "always missing"."""

    def __init__(self, directory: str | None = None, *, size_limit: int = DEFAULT_SIZE_LIMIT,
                 enabled: bool = True) -> None:
        self.directory = directory or cache_dir()
        self.size_limit = size_limit
        self.warning: str | None = None
        """Why the store was disabled, for the caller to report once."""
        self.locked = False
        """The store was disabled because another process holds its lock."""
        self.repaired: str | None = None
        """Why `clear` rebuilt the store: the error it could not be read with."""
        self._error = ""
        self._cache: Any = None
        self._enabled = enabled

    @property
    def enabled(self) -> bool:
        """True until the store was turned off or failed."""
        return self._enabled

    def _open(self) -> Any:
        if self._cache is None and self._enabled:
            try:
                import diskcache  # type: ignore[import-untyped]

                os.makedirs(self.directory, exist_ok=True)
                _wait_for_lock(os.path.join(self.directory, _DATABASE))
                self._cache = diskcache.Cache(
                    self.directory, timeout=LOCK_TIMEOUT, disk=_plain_disk(), size_limit=self.size_limit,
                    eviction_policy="least-recently-used",
                )
            except Exception as exc:  # noqa: BLE001 - any failure means: run without the cache
                self._disable(exc)
        return self._cache

    def _disable(self, exc: BaseException) -> None:
        if self._enabled:
            self.locked = _is_lock(exc)
            self._error = f"{type(exc).__name__}: {exc}"
            if self.locked:
                self.warning = f"cache locked by another process, running without it ({self.directory})"
            else:
                self.warning = f"cache disabled ({self.directory}): {self._error}"
                if _is_damage(exc):
                    self.warning += " (toon-hooks cache clear repairs it)"
        self._enabled = False
        cache, self._cache = self._cache, None
        if cache is not None:
            try:
                cache.close()
            except Exception:  # noqa: BLE001
                pass

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """Return the stored value of each key that is present and valid (no keys: the database is not
        even opened)."""
        keys = list(keys)
        cache = self._open() if keys else None
        if cache is None:
            return {}
        found: dict[str, Any] = {}
        try:
            # One transaction: with LRU eviction every read also writes its access time.
            with cache.transact():
                for key in keys:
                    value = _decode(key, cache.get(key))
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
        """Store every item (bytes as they are, anything else as JSON) in one transaction; failures disable
        the store silently until reported."""
        if not items:
            return
        cache = self._open()
        if cache is None:
            return
        try:
            with cache.transact():
                for key, value in items.items():
                    cache.set(key, _encode(value))
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
        """Remove every entry and return how many; rebuild a store that cannot be read (see `repaired`).

        Rebuilding deletes the database and diskcache's value files (nothing else in the folder) and
        creates an empty store, so that later runs stop warning. A store another process has locked is
        left alone, and so is one that cannot be rebuilt: OSError.
        """
        cache = self._open()
        if cache is not None:
            try:
                return int(cache.clear())
            except Exception as exc:  # noqa: BLE001
                self._disable(exc)
        if self.locked or not os.path.isdir(self.directory):
            raise OSError(self.warning)
        self.close()
        _remove_store_files(self.directory)
        self.repaired, self.warning, self._enabled = self._error, None, True
        if self._open() is None:
            raise OSError(self.warning)
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


def _encode(value: Any) -> bytes | str:
    """Bytes stay bytes (an SQLite BLOB); anything else becomes ASCII JSON text (SQLite TEXT)."""
    if isinstance(value, bytes):
        return value
    import json

    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _decode(key: str, stored: Any) -> Any:
    """Return the value `_encode` stored under `key`, or None for anything else (absent, not JSON, not
    what this kind of key holds)."""
    if isinstance(stored, str):
        import json

        try:
            stored = json.loads(stored)
        except (ValueError, RecursionError):
            return None
    elif not isinstance(stored, bytes):
        return None
    check = _KINDS.get(key.partition(":")[0])
    return stored if check is None or check(stored) else None


def _wait_for_lock(database: str) -> None:
    """Take and release the write lock within LOCK_TIMEOUT, else raise sqlite3.OperationalError.

    diskcache retries the writes of its own set-up for 60 seconds while another process holds the lock
    (a hung hook, a long transaction), whatever timeout it is given; this probe gives up in a fraction of
    a second instead. A database that is not one raises sqlite3.DatabaseError here too.
    """
    if not os.path.exists(database):
        return
    import sqlite3

    connection = sqlite3.connect(database, timeout=LOCK_TIMEOUT, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def _is_lock(exc: BaseException) -> bool:
    """True for SQLite's "database is locked" and diskcache's Timeout (a transaction that could not begin)."""
    import sqlite3

    diskcache = sys.modules.get("diskcache")
    return ((isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc))
            or (diskcache is not None and isinstance(exc, diskcache.Timeout)))


def _is_damage(exc: BaseException) -> bool:
    """True for a file that is no SQLite database or a damaged one: what `Store.clear` repairs."""
    import sqlite3

    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


def _remove_store_files(directory: str) -> None:
    """Delete the database files and diskcache's value files (`ab/cd/<28 hex digits>.val`) in `directory`,
    and the folders of value files left empty; nothing else."""
    for name in _DATABASE_FILES:
        with suppress(FileNotFoundError):
            os.unlink(os.path.join(directory, name))
    for outer in _hex_folders(directory):
        for inner in _hex_folders(outer):
            for name in os.listdir(inner):
                path = os.path.join(inner, name)
                if _VALUE_FILE.fullmatch(os.path.relpath(path, directory).replace(os.sep, "/")):
                    os.unlink(path)
            with suppress(OSError):  # not empty: not only ours
                os.rmdir(inner)
        with suppress(OSError):
            os.rmdir(outer)


def _hex_folders(folder: str) -> list[str]:
    with os.scandir(folder) as entries:
        return [entry.path for entry in entries
                if _HEX_FOLDER.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False)]


@functools.cache
def _plain_disk() -> type:
    """Return the diskcache Disk of this store (built on first use: diskcache is imported only then)."""
    import sqlite3

    import diskcache

    raw = diskcache.core.MODE_RAW

    class PlainDisk(diskcache.Disk):  # type: ignore[misc]
        """Values are bytes or JSON text kept in the database row itself; other rows read as missing."""

        def store(self, value: Any, read: bool, key: Any = None) -> tuple[int, int, None, Any]:
            if read or type(value) not in (bytes, str):
                raise TypeError(f"the store keeps bytes and JSON text, not {type(value).__name__}")
            return 0, raw, None, sqlite3.Binary(value) if isinstance(value, bytes) else value

        def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
            # A pickle or a value file was written by something else: never unpickle or open it.
            if mode == raw and filename is None and not read and isinstance(value, (bytes, str)):
                return value
            return None

        def remove(self, file_path: str) -> None:
            # A row names the file of its value; delete only diskcache's own value files.
            if _VALUE_FILE.fullmatch(file_path.replace(os.sep, "/")):
                super().remove(file_path)

    return PlainDisk
