"""File I/O of the parent process: writes that never leave a half-written file, and lean reads."""
from __future__ import annotations

import errno
import os
import stat
from contextlib import suppress


def write_atomic(path: str, data: bytes) -> None:
    """Replace `path` with `data` atomically, keeping an existing file's mode (new files honour the umask)."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".toon-hooks-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


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
