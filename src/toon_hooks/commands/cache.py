"""`toon-hooks cache info|clear`: where the cache lives, how big it is, and emptying (or repairing) it."""
from __future__ import annotations

import click

from .. import config as config_mod
from ..cache import Store, store_for
from ..errors import ToonHooksError
from ..hook import project_root
from ..output import error_handler, out


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
    """Remove every cached twin and token count; rebuild a cache that cannot be read."""
    with error_handler():
        store = _store()
        try:
            removed = store.clear()
        except OSError as exc:
            raise ToonHooksError(f"cache not cleared: {exc}") from None
        finally:
            store.close()
        if store.repaired:
            out(f"rebuilt an empty cache in {store.directory} (it could not be read: {store.repaired})")
        else:
            out(f"removed {removed} cache entries from {store.directory}")
