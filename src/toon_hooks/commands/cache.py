"""`toon-hooks cache info|clear`: where the cache lives, how big it is, and emptying it."""
from __future__ import annotations

import click

from .. import config as config_mod
from ..cache import store_for
from ..output import error_handler, out
from ..hook import project_root


def _store() -> Store:
    config = config_mod.load(project_root()[0])
    return store_for(config)


@click.group("cache")
def cache_cmd() -> None:
    """Inspect or empty the conversion and token-count cache."""


@cache_cmd.command("info")
def info() -> None:
    """Print the cache folder, entry count and size."""
    with error_handler():
        store = _store()
        details = store.info()
        store.close()
        for key, value in details.items():
            out(f"{key}: {value}")


@cache_cmd.command("clear")
def clear() -> None:
    """Remove every cached twin and token count."""
    with error_handler():
        store = _store()
        removed = store.clear()
        store.close()
        out(f"removed {removed} cache entries from {store.directory}")
