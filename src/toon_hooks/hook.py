"""The console script: runs plain invocations of the hook commands (`sync`, `check`, `orphans`) without click.

A warm commit is mostly interpreter start-up, and importing click alone costs about as much as the rest
of a warm run (≈ 11 ms), so plain hook invocations are parsed here, from the same rows of `command_table`
that declare the click commands; anything else (help, an unusual spelling, a bad value) goes to click,
which reports it the usual way.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from .command_table import HOOK_COMMANDS, Argument, Option, function, options_of

COMMAND_OPTIONS: dict[str, tuple[Option, ...]] = {name: options_of(cmd) for name, cmd in HOOK_COMMANDS.items()}
"""Hook command → its options."""
FILE_COMMANDS = frozenset(name for name, cmd in HOOK_COMMANDS.items()
                          if any(isinstance(param, Argument) for param in cmd.params))
"""Hook commands that take file arguments (`orphans` reads git itself)."""


def parse_args(argv: Sequence[str]) -> tuple[str, list[str], dict[str, Any]] | None:
    """Parse a plain hook invocation into (command, files, parameters); None means "let click parse it".

    Accepts exactly the spellings in `COMMAND_OPTIONS` (`--opt value`, `--opt=value`), `--` and file
    arguments, in any order; clustered short flags, help and invalid values fall back to click.
    """
    if not argv or argv[0] not in COMMAND_OPTIONS:
        return None
    command = argv[0]
    spellings = {name: option for option in COMMAND_OPTIONS[command] for name in option.names}
    params: dict[str, Any] = {}
    files: list[str] = []
    args = iter(argv[1:])
    for arg in args:
        if arg == "--":
            files.extend(args)
            break
        if not arg.startswith("-") or arg == "-":
            files.append(arg)
            continue
        name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name not in spellings:
            return None
        option = spellings[name]
        if isinstance(option.value, bool):
            if eq:
                return None
            params[option.param] = option.value
            continue
        text = inline if eq else next(args, None)
        if text is None:
            return None
        try:
            params[option.param] = option.value(text)
        except ValueError:
            return None
    if files and command not in FILE_COMMANDS:
        return None  # click reports the unexpected arguments
    return command, files, params


def files_last(argv: list[str]) -> list[str]:
    """Return a pre-commit invocation with `--` before the file names, so that no file (`-rf.toon`) is an option.

    pre-commit runs `entry *args *files` and passes only names of existing paths, without `--`: the files
    start at the first argument that names an existing path or is no option (nor an option's value).
    """
    if not argv or argv[0] not in FILE_COMMANDS:
        return argv
    takes_value = {name for option in COMMAND_OPTIONS[argv[0]] if not isinstance(option.value, bool)
                   for name in option.names}
    index = 1
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            return argv
        if not arg.startswith("-") or arg == "-" or os.path.lexists(arg):
            return [*argv[:index], "--", *argv[index:]]
        index += 2 if arg in takes_value else 1
    return argv


def main(argv: Sequence[str] | None = None) -> None:
    """Console script: run a plain hook invocation directly, hand everything else to the click group."""
    args = list(sys.argv[1:] if argv is None else argv)
    if os.environ.get("PRE_COMMIT"):
        args = files_last(args)
    parsed = parse_args(args)
    if parsed is None:
        from .cli import main as group

        group.main(args=args, prog_name="toon-hooks")
        return
    from .output import error_handler

    with error_handler():
        code = dispatch(*parsed)
    raise SystemExit(code)


def dispatch(command: str, files: Sequence[str], params: dict[str, Any]) -> int:
    """Run hook command `command` with parsed parameters; return the exit code."""
    if command in FILE_COMMANDS:
        params = {"files": files, **params}
    return function(HOOK_COMMANDS[command])(**params)
