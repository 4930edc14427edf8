"""Convert many sources with the cache in front of the worker pool (used by `sync` and `convert`)."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from . import runner
from .cache import Store


def cache_key(task: runner.Task) -> str:
    """Key a conversion on converter identity and version, the options and the source's content hash."""
    from .formats import registry

    converter = registry.get(task.source, task.target)
    return f"conv:{converter.cache_id()}:{task.options.cache_key()}:{hashlib.sha256(task.data).hexdigest()}"


def convert_all(tasks: Sequence[runner.Task], store: Store, jobs: int,
                progress: Callable[[int, int], None] | None = None,
                ) -> list[tuple[runner.Outcome, dict[str, Any] | None]]:
    """Return (outcome, cache entry or None) per task; only misses reach the workers, only successes are stored.

    A cache entry is a dict with the output under "text" plus whatever callers added (token counts).
    """
    keys = [cache_key(t) for t in tasks]
    hits = store.get_many(keys)
    misses = [i for i, key in enumerate(keys) if key not in hits]
    outcomes = runner.run([tasks[i] for i in misses], jobs, progress)
    results: list[tuple[runner.Outcome, dict[str, Any] | None]] = [
        (runner.Outcome(t.path, text=hits[k]["text"]), hits[k]) if k in hits else (runner.Outcome(t.path), None)
        for t, k in zip(tasks, keys, strict=True)
    ]
    for index, outcome in zip(misses, outcomes, strict=True):
        results[index] = (outcome, None)
    return results


def remember(store: Store, entries: Sequence[tuple[runner.Task, dict[str, Any]]]) -> None:
    """Store successful conversions (output under "text", plus extras) in one transaction."""
    store.set_many({cache_key(task): entry for task, entry in entries})
