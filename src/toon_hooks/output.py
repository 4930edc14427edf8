"""Everything toon-hooks prints goes through here: messages, located errors, exit-code translation."""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from .errors import ConfigError, LocatedError, MissingDependencyError, ToonHooksError

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


def out(message: str = "") -> None:
    """Write a line to stdout."""
    sys.stdout.write(message + "\n")


def err(message: str) -> None:
    """Write a line to stderr."""
    sys.stderr.write(message + "\n")


def located(path: str, error: LocatedError, *, show_source: bool = True) -> str:
    """Render `path:line:col: error: message`, plus the source line and a caret when known."""
    where = f"{path}:{error.line}:{error.column}" if error.line else path
    text = f"{where}: error: {error.msg}"
    if show_source and error.line and error.source_line:
        text += "\n" + excerpt(error.source_line, error.column)
    return text


def excerpt(source_line: str, column: int) -> str:
    """The offending source line (first 200 characters) and a caret under `column`, indented by four."""
    shown = source_line[:200].expandtabs(1)
    caret = " " * max(0, min(column, len(shown) + 1) - 1) + "^"
    return f"    {shown}\n    {caret}"


@contextlib.contextmanager
def error_handler(path: str = "<stdin>") -> Iterator[None]:
    """Translate toon-hooks exceptions into one message on stderr and an exit code (no traceback)."""
    try:
        yield
    except LocatedError as exc:
        err(located(path, exc))
        raise SystemExit(EXIT_FAIL) from None
    except (ConfigError, MissingDependencyError) as exc:
        err(f"error: {exc}")
        raise SystemExit(EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_FAIL) from None
    except ToonHooksError as exc:
        err(f"error: {exc}")
        raise SystemExit(EXIT_FAIL) from None
    except KeyboardInterrupt:
        err("interrupted")
        raise SystemExit(EXIT_INTERRUPTED) from None
