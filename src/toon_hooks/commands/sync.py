"""`toon-hooks sync` (the pre-commit hook) and `toon-hooks check` (CI): bring twins up to date, or only
say which are not, and print what happened.

The console script (`hook.py`) calls these without importing click.
"""
from __future__ import annotations

import os
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

from .. import config as config_mod
from ..formats.spec import SPECS
from ..output import err, excerpt, out
from ..paths import expand_paths, outside_root, project_root
from ..progress import progress_printer

if TYPE_CHECKING:
    from ..cache import Store
    from ..report import Problem, Report
    from ..sync import Pair


def sync(files: Sequence[str] = (), *, all_files: bool = False, jobs: int | None = None, no_cache: bool = False,
         verbose: bool = False, quiet: bool = False, diff: bool = False, report_file: str | None = None,
         stage: bool | None = None) -> int:
    """Regenerate the missing or stale twins of `files` (`all_files`: every tracked file) and stage them
    (`stage` None: only under pre-commit); checks instead where CI is set. Return the exit code."""
    return _run(False, files, all_files=all_files, jobs=jobs, no_cache=no_cache, verbose=verbose, quiet=quiet,
                diff=diff, report_file=report_file, stage=stage)


def check(files: Sequence[str] = (), *, all_files: bool = False, jobs: int | None = None, no_cache: bool = False,
          verbose: bool = False, quiet: bool = False, diff: bool = False, report_file: str | None = None,
          scheduler: str | None = None, worker_reads: bool = False) -> int:
    """Report every twin of `files` that sync would change, and the token budgets exceeded; write nothing.
    Heavy batches may run on the dask `scheduler`. Return the exit code."""
    return _run(True, files, all_files=all_files, jobs=jobs, no_cache=no_cache, verbose=verbose, quiet=quiet,
                diff=diff, report_file=report_file, scheduler=scheduler, worker_reads=worker_reads)


def _run(check: bool, files: Sequence[str], *, all_files: bool, jobs: int | None, no_cache: bool, verbose: bool,
         quiet: bool, diff: bool, report_file: str | None, stage: bool | None = None, scheduler: str | None = None,
         worker_reads: bool = False) -> int:
    from ..cache import store_for
    from ..report import Problem, Report
    from ..sync import Request
    from ..sync import sync as sync_twins

    started = time.perf_counter()
    root, in_git = project_root()
    config = config_mod.load(root)
    in_precommit = bool(os.environ.get("PRE_COMMIT"))
    on_cluster = check  # only the check command may reach a cluster, not sync turned into a check by CI
    if os.environ.get("CI") and not check:
        check = True  # re-staging in CI would hide stale twins
        if not quiet:
            err("toon-sync: CI is set, checking instead of writing")
    staging = in_git and not check and (in_precommit if stage is None else stage)
    paths = expand_paths(root, files, all_files, in_git)
    outside = [] if in_precommit else outside_root(root, paths)  # pre-commit names files in the index only
    request = Request([p for p in paths if p not in outside], check=check, stage=staging,
                      must_add=in_precommit and in_git and not staging, jobs=jobs,
                      count_tokens=not quiet or bool(report_file), in_git=in_git)
    store = store_for(config, enabled=not no_cache)
    report = Report()
    report.problems += [Problem(path, f"resolves outside the project root {root}: toon-hooks reads and writes "
                                      "only inside it") for path in outside]
    try:
        if on_cluster:  # `cluster` imports nothing heavy without an address
            from ..cluster import session

            place: AbstractContextManager[object] = session(scheduler, worker_reads=worker_reads, root=root)
        else:
            place = nullcontext()
        with place:
            stale = sync_twins(root, config, request, store, report, progress_printer())
        if check and config.budgets:
            report.problems += _budget_problems(root, request.paths, config, store)
    finally:
        store.close()
    _print(report, stale, check=check, verbose=verbose, quiet=quiet, diff=diff)
    if store.warning:
        err(f"toon-hooks: warning: {store.warning}")
    if report_file:
        _write_report(report_file, report, check, time.perf_counter() - started)
    return report.return_code


def _budget_problems(root: str, paths: Sequence[str], config: config_mod.Config, store: Store) -> list[Problem]:
    from ..report import Problem
    from ..tokens import TokenCounter, check_budgets

    texts = {}
    for path in paths:
        if path.endswith(SPECS["toon"].extensions) and os.path.isfile(os.path.join(root, path)):
            with open(os.path.join(root, path), encoding="utf-8", errors="replace") as fh:
                texts[path] = fh.read()
    messages = check_budgets(texts, dict(config.budgets), TokenCounter(config.encoding, store))
    return [Problem(m.split(":", 1)[0], m.split(": ", 1)[1]) for m in messages]


def _print(report: Report, stale: Sequence[Pair], *, check: bool, verbose: bool, quiet: bool, diff: bool) -> None:
    name = "toon-check" if check else "toon-sync"
    for problem in report.problems:
        err(problem.render())
        if problem.source_line:
            err(excerpt(problem.source_line, problem.column))
        if report.github():
            out(problem.annotation())
    if diff:
        from ..sync import unified_diff

        for pair in stale:
            out(unified_diff(pair))
    for note in report.notes:
        err(f"{name}: {note}")
    if verbose:
        for twin in report.up_to_date:
            err(f"  up to date: {twin}")
        for twin in report.updated:
            err(f"  {'stale' if check else 'updated'}: {twin}")
        for twin in report.removed:
            err(f"  {'to remove' if check else 'removed'}: {twin}")
        for path in report.skipped:
            err(f"  skipped: {path}")
        for entry in report.files:
            err(f"  tokens: {entry.render()}")
    if not quiet or report.return_code:
        err(report.summary(name, check=check))


def _write_report(path: str, report: Report, check: bool, seconds: float) -> None:
    import json

    from ..fsio import write_atomic

    data = {
        "mode": "check" if check else "sync",
        "exit_code": report.return_code,
        "updated": report.updated,
        "fresh": report.fresh,
        "cached": report.cached,
        "converted": report.converted,
        "skipped": report.skipped,
        "unstaged": report.unstaged,
        "problems": [{"path": p.path, "line": p.line, "column": p.column, "message": p.message}
                     for p in report.problems],
        "removed": report.removed,
        "tokens": {kind: {"files": count, "toon": toon, "baseline": baseline}
                   for kind, (toon, baseline, count) in report.token_totals().items()},
        "files": [{"source": f.source, "twin": f.twin, "toon_tokens": f.toon, "baseline": f.kind,
                   "baseline_tokens": f.baseline, "saved_percent": round(f.saved, 1), "twin_kept": f.kept}
                  for f in report.files],
        "seconds": round(seconds, 4),
        "timings": {phase: round(spent, 4) for phase, spent in report.timings.items()},
    }
    write_atomic(path, (json.dumps(data, indent=2) + "\n").encode())
