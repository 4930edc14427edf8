"""What the three pre-commit hook ids run (`sync`, `check`, `orphans`), without importing click.

A warm commit is mostly interpreter start-up, and importing click alone costs about as much as the rest
of a warm run (≈ 11 ms), so the console script parses plain hook invocations here from the same option
table that declares the click commands (`commands/sync.py`, `commands/orphans.py`); anything else (help,
an unusual spelling, a bad value) goes to click, which reports it the usual way.
"""
from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from . import config as config_mod
from . import git, twins
from .fsio import read_bytes
from .output import EXIT_FAIL, EXIT_OK, err, excerpt, out

if TYPE_CHECKING:
    from .cache import Store
    from .report import Problem, Report
    from .sync import Pair

_SUFFIXES = (".toon", ".md", ".markdown", ".json", ".jsonl", ".pdf")
_TWIN_SUFFIXES = (".toon", ".md", ".markdown")


def positive_int(text: str) -> int:
    """Parse a worker count (a whole number ≥ 1); ValueError otherwise."""
    if not text.isdigit() or int(text) < 1:
        raise ValueError(text)
    return int(text)


Option = tuple[tuple[str, ...], str, Any, str]
"""(spellings, parameter, value, help): `value` is what a flag sets, or the parser of the option's argument."""

SYNC_OPTIONS: tuple[Option, ...] = (
    (("--all",), "all_files", True, "Every tracked file (every file outside git)."),
    (("-j", "--jobs"), "jobs", positive_int, "Worker processes (default: all cores)."),
    (("--no-cache",), "no_cache", True, "Neither read nor write the cache."),
    (("-v", "--verbose"), "verbose", True, "One line per file."),
    (("-q", "--quiet"), "quiet", True, "Print nothing unless something needs you."),
    (("--diff",), "diff", True, "Print a unified diff for every stale twin."),
    (("--report",), "report_file", str, "Also write a JSON summary with timings here."),
)
"""Options shared by `sync` and `check`."""
STAGE_OPTIONS: tuple[Option, ...] = (
    (("--stage",), "stage", True, "Re-stage written twins (default: only when run by pre-commit)."),
    (("--no-stage",), "stage", False, "Never stage; exit 1 with the `git add` to run when twins were written."),
)
"""`sync` only."""
CLUSTER_OPTIONS: tuple[Option, ...] = (
    (("--scheduler",), "scheduler", str,
     "Convert heavy batches on this dask.distributed scheduler (default: $TOON_HOOKS_SCHEDULER; needs "
     "toon-hooks[dist])."),
    (("--worker-reads",), "worker_reads", True, "Cluster workers read the files from storage they share."),
)
"""`check` only: the hook (`sync`) never contacts a scheduler."""
ORPHANS_OPTIONS: tuple[Option, ...] = (
    (("--delete",), "delete", True, "Delete orphaned twins (only files carrying the marker) and stage that."),
)
COMMAND_OPTIONS: dict[str, tuple[Option, ...]] = {
    "sync": SYNC_OPTIONS + STAGE_OPTIONS,
    "check": SYNC_OPTIONS + CLUSTER_OPTIONS,
    "orphans": ORPHANS_OPTIONS,
}
"""Hook command → its options; the click commands are declared from this same table."""
FILE_COMMANDS = frozenset({"sync", "check"})
"""Hook commands that take file arguments (`orphans` reads git itself)."""


def parse_args(argv: Sequence[str]) -> tuple[str, list[str], dict[str, Any]] | None:
    """Parse a plain hook invocation into (command, files, parameters); None means "let click parse it".

    Accepts exactly the spellings in `COMMAND_OPTIONS` (`--opt value`, `--opt=value`), `--` and file
    arguments, in any order; clustered short flags, help and invalid values fall back to click.
    """
    if not argv or argv[0] not in COMMAND_OPTIONS:
        return None
    command = argv[0]
    spellings = {name: (param, value) for names, param, value, _ in COMMAND_OPTIONS[command] for name in names}
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
        param, value = spellings[name]
        if isinstance(value, bool):
            if eq:
                return None
            params[param] = value
            continue
        text = inline if eq else next(args, None)
        if text is None:
            return None
        try:
            params[param] = value(text)
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
    takes_value = {name for names, _, value, _ in COMMAND_OPTIONS[argv[0]] if not isinstance(value, bool)
                   for name in names}
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
    return orphans(**params) if command not in FILE_COMMANDS else run(command, files, **params)


def project_root() -> tuple[str, bool]:
    """Return the work tree root (or the current folder outside git) and whether it is a git work tree."""
    top = git.toplevel(".")
    return (top, True) if top else (os.path.abspath("."), False)


def expand_paths(root: str, args: Sequence[str], all_files: bool, in_git: bool) -> list[str]:
    """Turn arguments (files or folders, relative to the current folder) into root-relative paths."""
    if all_files:
        found = git.tracked_files(root) if in_git else _walk(root, root)
        return [p for p in found if p.lower().endswith(_SUFFIXES)]
    cwd = os.getcwd()
    paths: list[str] = []
    for arg in args:
        if cwd == root and _plain_relative(arg):
            paths.append(arg)  # how pre-commit passes files: already root-relative
            continue
        full = os.path.abspath(arg)
        if os.path.isdir(full) and not os.path.islink(full):
            walked = _walk(full, root)
            ignored = git.ignored_files(root, walked) if in_git else set()
            paths.extend(p for p in walked if p not in ignored)  # .gitignore'd files are not ours, as for black
        else:
            paths.append(os.path.relpath(full, root).replace(os.sep, "/"))
    return paths


def outside_root(root: str, paths: Sequence[str]) -> list[str]:
    """Return those of `paths` that resolve outside the project root (`..`, or through a symlinked folder)."""
    real_root = os.path.realpath(root)
    return [path for path in paths
            if os.path.commonpath([real_root, os.path.realpath(os.path.join(root, path))]) != real_root]


def _plain_relative(arg: str) -> bool:
    """True for `a/b.toon`-style arguments (relative, normalized, ending in a format suffix), as pre-commit
    passes them: they are taken as root-relative file paths without a stat. A folder named like a file
    (`notes.md/`) is walked when given with its trailing slash.
    """
    return (arg.lower().endswith(_SUFFIXES) and not arg.startswith("/") and os.sep == "/"
            and "//" not in arg and not any(part in (".", "..") for part in arg.split("/")))


def _walk(folder: str, root: str) -> list[str]:
    found = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [os.path.relpath(os.path.join(here, f), root).replace(os.sep, "/")
                  for f in sorted(files) if f.lower().endswith(_SUFFIXES)]
    return found


def progress_printer() -> Callable[[int, int], None] | None:
    """Return a `done/total` progress callback when stderr is a terminal, else None."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        sys.stderr.write(f"\rtoon-hooks: converting {done}/{total}" + ("\n" if done == total else ""))
        sys.stderr.flush()

    return show


def run(command: str, files: Sequence[str], *, all_files: bool = False, jobs: int | None = None,
        no_cache: bool = False, verbose: bool = False, quiet: bool = False, diff: bool = False,
        report_file: str | None = None, stage: bool | None = None, scheduler: str | None = None,
        worker_reads: bool = False) -> int:
    """Run `sync` or `check` over `files` and print what happened; return the exit code."""
    from .cache import store_for
    from .report import Problem, Report
    from .sync import Request, sync

    started = time.perf_counter()
    check = command == "check"
    root, in_git = project_root()
    config = config_mod.load(root)
    in_precommit = bool(os.environ.get("PRE_COMMIT"))
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
        if check:  # only check may reach a cluster; `cluster` imports nothing heavy without an address
            from .cluster import session

            with session(scheduler, worker_reads=worker_reads, root=root):
                stale = sync(root, config, request, store, report, progress_printer())
        else:
            stale = sync(root, config, request, store, report, progress_printer())
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
    from .report import Problem
    from .tokens import TokenCounter, check_budgets

    texts = {}
    for path in paths:
        if path.endswith(".toon") and os.path.isfile(os.path.join(root, path)):
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
        from .sync import unified_diff

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

    from .fsio import write_atomic

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


def find_orphans(root: str, paths: Sequence[str]) -> list[tuple[str, str]]:
    """Return (twin, missing source) for every generated twin among `paths` whose source is gone."""
    orphaned = []
    for path in paths:
        if not path.lower().endswith(_TWIN_SUFFIXES):
            continue
        full = os.path.join(root, path)
        try:
            if not stat.S_ISREG(os.lstat(full).st_mode):  # symlinks, folders, FIFOs are no twins
                continue
            head = read_bytes(full, 1024).decode("utf-8", "replace")
        except OSError:  # vanished meanwhile
            continue
        marker = twins.parse_marker(head)
        if marker is None:
            continue
        source = twins.marker_source_path(path, marker)
        if not os.path.exists(os.path.join(root, source)):
            orphaned.append((path, source))
    return orphaned


def orphans(delete: bool = False) -> int:
    """Report generated twins whose source no longer exists (and delete them with `delete`); the exit code."""
    root, in_git = project_root()
    candidates = git.tracked_files(root) if in_git else expand_paths(root, [], True, False)
    found = find_orphans(root, candidates)
    for twin, source in found:
        err(f"{twin}:1:1: orphaned twin: its source {source} no longer exists")
    if delete and found and not os.environ.get("CI"):
        paths = [twin for twin, _ in found]
        if in_git:
            git.remove(root, paths)
        else:
            for path in paths:
                os.unlink(os.path.join(root, path))
        err(f"toon-orphans: deleted {len(paths)} orphaned twin{'s' * (len(paths) != 1)}"
            + (" and staged the removal" if in_git else ""))
        return EXIT_OK
    if found:
        import shlex

        how = ("args: [--delete] on toon-orphans in .pre-commit-config.yaml removes them"
               if os.environ.get("PRE_COMMIT") else "toon-hooks orphans --delete removes them")
        err(f"toon-orphans: {len(found)} orphaned twin{'s' * (len(found) != 1)}: git rm -- "
            + " ".join(shlex.quote(twin) for twin, _ in found) + f" ({how})")
    return EXIT_FAIL if found else EXIT_OK
