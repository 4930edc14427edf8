"""The `toon-hooks` command line: a click group whose subcommands are imported only when invoked."""
from __future__ import annotations

import importlib
from typing import Any

import click

from . import __version__

COMMANDS: dict[str, str] = {
    "encode": "toon_hooks.commands.codec:encode_cmd",
    "decode": "toon_hooks.commands.codec:decode_cmd",
    "convert": "toon_hooks.commands.convert:convert_cmd",
    "sync": "toon_hooks.commands.sync:sync_cmd",
    "check": "toon_hooks.commands.sync:check_cmd",
    "orphans": "toon_hooks.commands.orphans:orphans_cmd",
    "tokens": "toon_hooks.commands.tokens:tokens_cmd",
    "cache": "toon_hooks.commands.cache:cache_cmd",
    "merge-driver": "toon_hooks.commands.merge:merge_driver_cmd",
}
"""Subcommand name → "module:attribute" of its click command."""


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs (or help lists it)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        try:
            command: Any = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            return None  # not built yet: click reports "No such command"
        return command  # type: ignore[no-any-return]


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="toon-hooks")
def main() -> None:
    """Keep TOON and Markdown twins of your documents in sync; convert, check and count tokens."""
