"""File I/O of the parent process: writes that never leave a half-written file, and lean reads."""
from __future__ import annotations

import errno
import os
import re
import stat
import time
from collections.abc import Sequence
from contextlib import suppress

_TEMP_NAME = re.compile(r"\.toon-hooks-[a-z0-9_]{8}\.tmp")
"""Our temporary files: 8 hex digits now, `tempfile.mkstemp`'s 8 characters in earlier versions."""
STALE_TEMP_SECONDS = 300.0
"""A temporary file this old is left by a killed run: a live run renames its files within seconds."""
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


class WriteFailed(OSError):
    """Writing `filename` failed (errno and strerror of the cause); `written` lists the files replaced
    before the failure: empty unless a rename failed after every file had been written."""

    def __init__(self, cause: OSError, path: str, written: list[str]) -> None:
        super().__init__(cause.errno, cause.strerror or str(cause), path)
        self.written = written


def write_atomic(path: str, data: bytes) -> None:
    """Replace `path` with `data` atomically (see `write_all`); raise WriteFailed."""
    write_all([(path, data)])


def write_all(files: Sequence[tuple[str, bytes]]) -> None:
    """Replace every (path, data) file or, when a write fails, none: raise WriteFailed.

    Every file is first written to a temporary file next to it and renamed over its target only once all
    of them were written, so a full disk leaves every target as it was and no temporary file behind.
    Existing files keep their mode; new ones honour the umask. Temporary files that killed runs left in
    these folders are removed first (`remove_stale_temps`).
    """
    for folder in dict.fromkeys(os.path.dirname(os.path.abspath(path)) for path, _ in files):
        remove_stale_temps(folder)
    temps: list[str] = []
    try:
        for path, data in files:
            try:
                temps.append(_write_temp(path, data))
            except OSError as exc:
                raise WriteFailed(exc, path, []) from exc
        for index, (path, _) in enumerate(files):
            try:
                os.replace(temps[index], path)
            except OSError as exc:
                raise WriteFailed(exc, path, [p for p, _ in files[:index]]) from exc
            temps[index] = ""
    except BaseException:
        for tmp in filter(None, temps):
            with suppress(OSError):
                os.unlink(tmp)
        raise


def _write_temp(path: str, data: bytes) -> str:
    """Write `data` to a new temporary file in `path`'s folder, with `path`'s mode; return its path."""
    try:
        mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    folder = os.path.dirname(os.path.abspath(path))
    while True:
        tmp = os.path.join(folder, f".toon-hooks-{os.urandom(4).hex()}.tmp")
        try:
            fd = os.open(tmp, _CREATE, 0o666 if mode is None else 0o600)
            break
        except FileExistsError:
            continue
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def remove_stale_temps(folder: str) -> None:
    """Delete the temporary files of our naming in `folder` older than STALE_TEMP_SECONDS.

    A run killed between writing and renaming (kill -9, power loss) leaves them; nothing else would ever
    remove them. Only regular files whose whole name matches our pattern are touched, and only old ones,
    so a run writing in the same folder right now keeps its files.
    """
    oldest = time.time() - STALE_TEMP_SECONDS
    try:
        entries = os.scandir(folder)
    except OSError:
        return
    with entries:
        for entry in entries:
            if not _TEMP_NAME.fullmatch(entry.name):
                continue
            with suppress(OSError):  # gone meanwhile, or not ours to delete
                if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < oldest:
                    os.unlink(entry.path)


_READ = os.O_RDONLY | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_bytes(path: str, limit: int = -1, *, follow: bool = True) -> bytes:
    """Return a file's bytes (at most `limit` when ≥ 0) with plain system calls: open, fstat, read, close.

    The warm hook reads every source and twin, and Python's buffered `open()` adds several calls per file.
    With `follow=False` a symbolic link raises OSError(ELOOP) instead of being read.
    """
    if not follow and not _NOFOLLOW and os.path.islink(path):  # pragma: no cover - Windows
        raise OSError(errno.ELOOP, "is a symbolic link", path)
    fd = os.open(path, _READ if follow else _READ | _NOFOLLOW)
    try:
        if limit >= 0:
            return os.read(fd, limit)  # a regular file returns `limit` bytes unless it ends first
        size = os.fstat(fd).st_size
        parts = [os.read(fd, size + 1)]
        if len(parts[0]) > size:  # it grew since fstat: read on to its end
            while parts[-1]:
                parts.append(os.read(fd, 1 << 16))
        return b"".join(parts)
    finally:
        os.close(fd)
