"""`toon-hooks sync` (the pre-commit hook) and `toon-hooks check` (the CI lint stage)."""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence

import click

from .. import config as config_mod
from .. import git
from ..cache import Store, store_for
from ..output import err, error_handler, out
from ..report import Problem, Report
from ..sync import Pair, Request, sync

_SUFFIXES = (".toon", ".md", ".markdown", ".json", ".jsonl", ".pdf")


def project_root() -> tuple[str, bool]:
    """Return the work tree root (or the current folder outside git) and whether it is a git work tree."""
    top = git.toplevel(".")
    return (top, True) if top else (os.path.abspath("."), False)


def expand_paths(root: str, args: Sequence[str], all_files: bool, in_git: bool) -> list[str]:
    """Turn arguments (files or folders, relative to the current folder) into root-relative paths."""
    if all_files:
        found = git.tracked_files(root) if in_git else _walk(root, root)
        return [p for p in found if p.lower().endswith(_SUFFIXES)]
    paths: list[str] = []
    for arg in args:
        full = os.path.abspath(arg)
        if os.path.isdir(full) and not os.path.islink(full):
            paths.extend(_walk(full, root))
        else:
            paths.append(os.path.relpath(full, root).replace(os.sep, "/"))
    return paths


def _walk(folder: str, root: str) -> list[str]:
    found = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [os.path.relpath(os.path.join(here, f), root).replace(os.sep, "/")
                  for f in sorted(files) if f.lower().endswith(_SUFFIXES)]
    return found


def _progress() -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        sys.stderr.write(f"\rtoon-hooks: converting {done}/{total}" + ("\n" if done == total else ""))
        sys.stderr.flush()

    return show


def run(args: Sequence[str], *, check: bool, all_files: bool, stage: bool | None, jobs: int | None,
        use_cache: bool, verbose: bool, quiet: bool, diff: bool, report_file: str | None) -> int:
    """Run a sync (or check) and print what happened; return the exit code."""
    started = time.perf_counter()
    root, in_git = project_root()
    config = config_mod.load(root)
    in_precommit = bool(os.environ.get("PRE_COMMIT"))
    if os.environ.get("CI") and not check:
        check = True  # re-staging in CI would hide stale twins
        if not quiet:
            err("toon-sync: CI is set, checking instead of writing")
    staging = in_git and not check and (in_precommit if stage is None else stage)
    request = Request(expand_paths(root, args, all_files, in_git), check=check, stage=staging,
                      must_add=in_precommit and in_git and not staging, jobs=jobs, use_cache=use_cache)
    store = store_for(config, enabled=use_cache)
    report = Report()
    try:
        stale = sync(root, config, request, store, report, _progress())
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
    from ..tokens import TokenCounter, check_budgets

    texts = {}
    for path in paths:
        if path.endswith(".toon") and os.path.isfile(os.path.join(root, path)):
            with open(os.path.join(root, path), encoding="utf-8", errors="replace") as fh:
                texts[path] = fh.read()
    messages = check_budgets(texts, dict(config.budgets), TokenCounter(config.encoding, store))
    return [Problem(m.split(":", 1)[0], m.split(": ", 1)[1]) for m in messages]


def _print(report: Report, stale: list[Pair], *, check: bool, verbose: bool, quiet: bool, diff: bool) -> None:
    name = "toon-check" if check else "toon-sync"
    for problem in report.problems:
        err(problem.render())
        if problem.source_line:
            err(f"    {problem.source_line[:200]}")
        if report.github():
            out(problem.annotation())
    if diff:
        from ..sync import unified_diff

        for pair in stale:
            out(unified_diff(pair))
    for note in report.notes:
        err(f"{name}: {note}")
    if verbose:
        for twin in report.updated:
            err(f"  {'stale' if check else 'updated'}: {twin}")
        for path in report.skipped:
            err(f"  skipped: {path}")
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
        "tokens": {"toon": report.toon_tokens, "json": report.json_tokens},
        "seconds": round(seconds, 4),
    }
    write_atomic(path, (json.dumps(data, indent=2) + "\n").encode())


def _common(func: Callable[..., None]) -> Callable[..., None]:
    for option in reversed([
        click.argument("files", nargs=-1, type=click.Path()),
        click.option("--all", "all_files", is_flag=True, help="Every tracked file (every file outside git)."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores)."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
        click.option("-v", "--verbose", is_flag=True, help="One line per file."),
        click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something needs you."),
        click.option("--diff", is_flag=True, help="Print a unified diff for every stale twin."),
        click.option("--report", "report_file", type=click.Path(dir_okay=False),
                     help="Also write a JSON summary with timings here."),
    ]):
        func = option(func)
    return func


@click.command("sync")
@_common
@click.option("--stage/--no-stage", default=None,
              help="Re-stage written twins (default: only when run by pre-commit).")
def sync_cmd(files: tuple[str, ...], all_files: bool, jobs: int | None, no_cache: bool, verbose: bool,
             quiet: bool, diff: bool, report_file: str | None, stage: bool | None) -> None:
    """Regenerate the twins of FILES (or folders) that are missing or stale; re-stage them inside a commit."""
    with error_handler():
        code = run(files, check=False, all_files=all_files, stage=stage, jobs=jobs, use_cache=not no_cache,
                   verbose=verbose, quiet=quiet, diff=diff, report_file=report_file)
    raise SystemExit(code)


@click.command("check")
@_common
def check_cmd(files: tuple[str, ...], all_files: bool, jobs: int | None, no_cache: bool, verbose: bool,
              quiet: bool, diff: bool, report_file: str | None) -> None:
    """Fail on stale, missing, hand-edited or orphaned twins, invalid sources and token budgets; write nothing."""
    with error_handler():
        code = run(files, check=True, all_files=all_files, stage=False, jobs=jobs, use_cache=not no_cache,
                   verbose=verbose, quiet=quiet, diff=diff, report_file=report_file)
    raise SystemExit(code)
