"""The exception hierarchy: raised in the library, translated to messages and exit codes once, in the CLI."""
from __future__ import annotations


class ToonHooksError(Exception):
    """Base class of every error toon-hooks reports to a user."""


class LocatedError(ToonHooksError):
    """An error at a 1-based line and column of some input (0 means unknown)."""

    def __init__(self, msg: str, line: int = 0, column: int = 0, source_line: str = "") -> None:
        self.msg = msg
        self.line = line
        self.column = column
        self.source_line = source_line
        super().__init__(msg, line, column, source_line)

    def __str__(self) -> str:
        if self.line:
            return f"{self.line}:{self.column}: {self.msg}"
        return self.msg

    def __reduce__(self) -> tuple[type, tuple[str, int, int, str]]:
        # Keep the location when the error crosses a process boundary (joblib workers).
        return (type(self), (self.msg, self.line, self.column, self.source_line))


class ToonDecodeError(LocatedError, ValueError):
    """Invalid TOON text; `line`/`column` are 1-based, `source_line` is the offending line."""


class ConversionError(LocatedError):
    """A source document that cannot be converted (bad JSON, unreadable PDF, …)."""


class ConfigError(ToonHooksError):
    """A bad `[tool.toon-hooks]` table or option value; the message names the key."""


class GitError(ToonHooksError):
    """A git command failed or git is in a state the hook cannot work in."""


class MissingDependencyError(ToonHooksError):
    """An optional extra (e.g. `toon-hooks[pdf]`) is needed for this input."""
