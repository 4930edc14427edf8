"""File writes that never leave a half-written file: temp file in the same folder, then rename."""
from __future__ import annotations

import os
import stat
import tempfile
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
