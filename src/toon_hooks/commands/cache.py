"""`toon-hooks cache info|clear`: where the cache lives, how big it is, and emptying (or repairing) it."""
from __future__ import annotations

from .. import config as config_mod
from ..cache import Store, store_for
from ..errors import ToonHooksError
from ..output import EXIT_OK, out
from ..paths import project_root


def _store() -> Store:
    config = config_mod.load(project_root()[0])
    return store_for(config)


def info() -> int:
    """Print the cache folder, entry count and size."""
    store = _store()
    details = store.info()
    store.close()
    for key, value in details.items():
        out(f"{key}: {value}")
    return EXIT_OK


def clear() -> int:
    """Empty the cache, or rebuild it empty when it cannot be read; say which."""
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
    return EXIT_OK
