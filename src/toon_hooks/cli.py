"""The `toon-hooks` command line: click commands declared from `command_table`.

Declaring them imports no command module: a command's module is imported when it runs. Each one's function
returns the exit code; errors it raises become one message and the exit code of `output.error_handler`.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from . import __version__
from .command_table import (
    COMMANDS,
    Argument,
    AtLeast,
    Command,
    Group,
    OneOf,
    Option,
    Parser,
    PathArg,
    UsageError,
    function,
    options_of,
)
from .output import error_handler
from .paths import STDIN_LABEL, input_label


def _click_type(value: Parser) -> click.ParamType[Any] | None:
    """The click type of a row's parser (None: plain text)."""
    if isinstance(value, AtLeast):
        return click.IntRange(min=value.minimum)
    if isinstance(value, OneOf):
        return click.Choice(value.choices)
    if isinstance(value, PathArg):
        return click.Path(file_okay=value.file_okay, dir_okay=value.dir_okay, allow_dash=value.allow_dash,
                          exists=value.exists)
    return None


def _given(**attrs: Any) -> dict[str, Any]:
    """Keep the attributes a row sets, so click's own defaults apply to the others."""
    return {key: value for key, value in attrs.items() if value is not None and value is not False}


def _options(rows: Sequence[Option]) -> list[click.Option]:
    """Declare option rows; the two rows of one parameter become a `--x/--no-x` switch that is None unless given."""
    by_param: dict[str, list[Option]] = {}
    for row in rows:
        by_param.setdefault(row.param, []).append(row)
    declared = []
    for param, (row, *off) in by_param.items():
        if off:
            switch = f"{row.names[0]}/{off[0].names[0]}"
            declared.append(click.Option([switch, param], default=None,
                                         help=f"{row.help} {off[0].names[0]}: {off[0].help}"))
        elif isinstance(row.value, bool):
            declared.append(click.Option([*row.names, param], is_flag=True, help=row.help))
        else:
            declared.append(click.Option([*row.names, param], help=row.help, **_given(
                type=_click_type(row.value), default=row.default, metavar=row.metavar,
                show_default=row.show_default)))
    return declared


def _argument(row: Argument) -> click.Argument:
    return click.Argument([row.param], **_given(
        type=_click_type(row.value), nargs=-1 if row.many else None, required=row.required, default=row.default,
        metavar=row.metavar))


def _callback(command: Command) -> Callable[..., None]:
    """Run the command's function with the parsed parameters and exit with its code."""
    def run(**params: Any) -> None:
        path = input_label(params[command.located_in]) if command.located_in else STDIN_LABEL
        with error_handler(path):
            try:
                code = function(command)(**params)
            except UsageError as exc:
                raise click.UsageError(str(exc)) from None
        click.get_current_context().exit(code)

    return run


def _command(name: str, command: Command) -> click.Command:
    params: list[click.Parameter] = [_argument(row) for row in command.params if isinstance(row, Argument)]
    params += _options(options_of(command))
    return click.Command(name, callback=_callback(command), params=params, help=command.help)


def _declared(name: str, entry: Command | Group) -> click.Command:
    if isinstance(entry, Command):
        return _command(name, entry)
    return click.Group(name, commands=[_command(sub, command) for sub, command in entry.commands.items()],
                       help=entry.help)


class _LazyGroup(click.Group):
    """Declares a subcommand only when it runs (or help lists it): one command's options, not all ten, per run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        return None if entry is None else _declared(cmd_name, entry)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="toon-hooks")
def main() -> None:
    """Keep TOON and Markdown twins of your documents in sync; convert, check and count tokens."""
