"""`toon-hooks sync` (the pre-commit hook) and `toon-hooks check` (the CI lint stage) as click commands.

The work and the option table live in `toon_hooks.hook`, which the console script also uses directly.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from .. import hook
from ..output import error_handler


def click_options(options: Sequence[hook.Option]) -> list[Callable[[Any], Any]]:
    """Declare `hook.Option` rows as click options (a `--x`/`--no-x` pair becomes one tri-state switch)."""
    decorators = []
    by_param: dict[str, list[hook.Option]] = {}
    for option in options:
        by_param.setdefault(option[1], []).append(option)
    for param, rows in by_param.items():
        names, _, value, help_text = rows[0]
        if len(rows) == 2:  # on/off pair: None unless given
            off_names, _, _, off_help = rows[1]
            decorators.append(click.option(f"{names[0]}/{off_names[0]}", param, default=None,
                                           help=f"{help_text} {off_names[0]}: {off_help}"))
        elif isinstance(value, bool):
            decorators.append(click.option(*names, param, is_flag=True, help=help_text))
        elif value is hook.positive_int:
            decorators.append(click.option(*names, param, type=click.IntRange(min=1), help=help_text))
        elif param.endswith("_file"):
            decorators.append(click.option(*names, param, type=click.Path(dir_okay=False), help=help_text))
        else:
            decorators.append(click.option(*names, param, metavar=param.upper(), help=help_text))
    return decorators


def hook_command(name: str, doc: str) -> click.Command:
    """Build the click command for hook command `name` from its option table; it runs `hook.dispatch`."""
    def callback(files: tuple[str, ...] = (), **params: Any) -> None:
        with error_handler():
            code = hook.dispatch(name, files, params)
        raise SystemExit(code)

    callback.__doc__ = doc
    decorators = click_options(hook.COMMAND_OPTIONS[name])
    if name in hook.FILE_COMMANDS:
        decorators.insert(0, click.argument("files", nargs=-1, type=click.Path()))
    for decorator in reversed(decorators):
        callback = decorator(callback)
    return click.command(name)(callback)


sync_cmd = hook_command("sync", "Regenerate the twins of FILES (or folders) that are missing or stale; re-stage "
                                "them inside a commit.")
check_cmd = hook_command("check", "Fail on stale, missing, hand-edited or orphaned twins, invalid sources and "
                                  "token budgets; write nothing.")
