"""`toon-hooks convert`: one-off conversions between TOON, Markdown, JSON, JSONL, PDF and HTML."""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple, NoReturn

import click

from .. import config as config_mod
from .. import git, runner
from ..cache import Store, store_for
from ..conversions import convert_all, remember
from ..errors import ToonHooksError
from ..formats import registry
from ..fsio import write_atomic
from ..hook import expand_paths, progress_printer, project_root
from ..options import DELIMITERS, Options
from ..output import EXIT_FAIL, EXIT_USAGE, err, error_handler, located

TARGET_EXTENSION = {"toon": ".toon", "md": ".md", "json": ".json", "jsonl": ".jsonl", "html": ".html"}
STDIN = "-"
STDIN_LABEL = "<stdin>"
"""How messages name standard input."""


def default_target(source: str) -> str:
    """TOON converts to Markdown (for people); everything else converts to TOON (for agents)."""
    return "md" if source == "toon" else "toon"


def _not_json(constant: str) -> NoReturn:
    raise ValueError(constant)


def sniff(data: bytes) -> str:
    """Return the format of standard input without --from: "json" when it parses as JSON (without NaN or
    Infinity, as JavaScript's JSON.parse), else "toon" — the rule of the official TOON CLI. Input opening
    with `{` is JSON either way (no TOON document does), so broken JSON gets a JSON error."""
    if data.lstrip(b" \t\r\n").removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")[:1] == b"{":
        return "json"
    try:
        json.loads(data, parse_constant=_not_json)
    except RecursionError:  # nested too deeply for Python, but JSON: the JSON reader says so, located
        return "json"
    except ValueError:  # includes bad UTF-8, which the TOON reader then locates
        return "toon"
    return "json"


class Source(NamedTuple):
    """One input of a run."""

    path: str
    """The path as the user named it (a folder's files below the folder as named), or "-" for stdin."""
    below: str
    """Where its output goes under --out-dir: its path below the folder it was found in, or its file name."""
    in_folder: bool


def expand_sources(args: Sequence[str]) -> list[Source]:
    """Return files and stdin as given, and the files of each folder as `sync` finds them (`expand_paths`:
    recursively, files of the formats toon-hooks reads, hidden folders and .gitignore'd files skipped); a
    file named twice (also through a folder) comes once."""
    found: list[Source] = []
    for arg in args:
        if arg != STDIN and os.path.isdir(arg):
            folder = os.path.realpath(arg)
            top = git.toplevel(folder)
            root = top or folder
            for path in expand_paths(root, [folder], False, top is not None):
                below = os.path.relpath(os.path.join(root, path), folder)
                found.append(Source(os.path.normpath(os.path.join(arg, below)), below, True))
        else:
            found.append(Source(arg, "stdin" if arg == STDIN else os.path.basename(arg), False))
    unique: dict[str, Source] = {}
    for source in found:
        unique.setdefault(source.path if source.path == STDIN else os.path.realpath(source.path), source)
    return list(unique.values())


def output_path(source: Source, target: str, out_dir: str | None) -> str:
    """Return where a source's output goes: its stem with the target's extension, beside it or under out_dir."""
    base = os.path.join(out_dir, source.below) if out_dir is not None else source.path
    return os.path.splitext(base)[0] + TARGET_EXTENSION[target]


class _Job(NamedTuple):
    task: runner.Task
    dest: str
    """The output file, or "-" for stdout."""


def _stats(source_data: bytes, result: str, encoding: str, store: Store) -> str:
    from ..tokens import TokenCounter

    counter = TokenCounter(encoding, store)
    source_tokens, result_tokens = counter.count_many([source_data.decode("utf-8", "replace"), result])
    if source_tokens is None or result_tokens is None:
        return f"tokens: unavailable ({counter.warning or 'tokenizer not loaded'})"
    change = 100 * (result_tokens - source_tokens) / max(source_tokens, 1)
    return f"tokens ({encoding}): {source_tokens:,} → {result_tokens:,} ({change:+.0f}%)"


@click.command("convert")
@click.argument("sources", nargs=-1, required=True)
@click.option("--to", "target", type=click.Choice(sorted(TARGET_EXTENSION)),
              help="Target format (default: TOON → md, anything else → toon).")
@click.option("--from", "source_format", type=click.Choice(sorted(set(registry.EXTENSIONS.values()))),
              help="Source format: of stdin and files, instead of their extension; in folders, only files of "
                   "this format are converted.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Output file, or - for stdout (one source).")
@click.option("--out-dir", type=click.Path(file_okay=False),
              help="Write outputs into this folder (a folder's files keep their paths below it).")
@click.option("--delimiter", type=click.Choice(["comma", "tab", "pipe", "auto"]), help="TOON delimiter.")
@click.option("--indent", type=click.IntRange(min=1), help="TOON indentation.")
@click.option("--stats", is_flag=True, help="Print tokens of source and result.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--scheduler", metavar="ADDR",
              help="Convert heavy batches on this dask.distributed scheduler (default: $TOON_HOOKS_SCHEDULER; "
                   "needs toon-hooks[dist]).")
@click.option("--worker-reads", is_flag=True, help="Cluster workers read the files from storage they share.")
def convert_cmd(sources: tuple[str, ...], target: str | None, source_format: str | None, output: str | None,
                out_dir: str | None, delimiter: str | None, indent: int | None, stats: bool, jobs: int | None,
                no_cache: bool, scheduler: str | None, worker_reads: bool) -> None:
    """Convert SOURCES: files, folders or - for stdin.

    Folders are searched as `sync` searches them: recursively, for .toon, .md, .markdown, .json, .jsonl and
    .pdf files, skipping hidden folders and files .gitignore excludes.

    An output keeps its source's name with the target's extension, beside the source or under --out-dir;
    stdin goes to stdout unless -o or --out-dir says otherwise. Stdin without --from is JSON when it parses
    as JSON or opens with `{`, else TOON (the official TOON CLI's rule). In folders, files already in the
    target format are skipped. A failing file does not stop the others, and no output overwrites an input of
    the same run.
    """
    if output and (len(sources) > 1 or os.path.isdir(sources[0])):
        err("error: -o/--output takes one file; use --out-dir for several files or a folder")
        raise SystemExit(EXIT_USAGE)
    with error_handler():
        config = config_mod.load(project_root()[0])
        options = config.options._replace(
            delimiter={**DELIMITERS, "auto": "auto"}[delimiter] if delimiter else config.options.delimiter,
            indent=indent or config.options.indent,
        )
        expanded = expand_sources(sources)
        plan, failures = _plan(expanded, source_format, target, options, output, out_dir)
        store = store_for(config, enabled=not no_cache)
        written = 0
        try:
            from ..cluster import session

            with session(scheduler, worker_reads=worker_reads, root=os.getcwd()):
                results = _convert([job.task for job in plan], store, runner.resolve_jobs(jobs, config.jobs))
            remember(store, [(job.task, {"text": o.text}) for job, (o, e) in zip(plan, results)
                             if e is None and o.text])
            for job, (outcome, _) in zip(plan, results):
                if outcome.text is None:
                    failures.append(located(job.task.path, outcome.as_error()))
                    continue
                problem = _write(job.dest, outcome.text)
                if problem:
                    failures.append(f"{job.dest}: error: cannot write: {problem}")
                    continue
                written += job.dest != STDIN
                if stats:
                    err(f"{job.task.path}: {_stats(job.task.data, outcome.text, config.encoding, store)}")
        finally:
            store.close()
        for failure in failures:
            err(failure)
        if len(expanded) != 1 or expanded[0].in_folder or failures:
            err(f"toon-hooks convert: {written} written, {len(failures)} failed")
        if failures:
            raise SystemExit(EXIT_FAIL)


def _plan(sources: Sequence[Source], source_format: str | None, target: str | None, options: Options,
          output: str | None, out_dir: str | None) -> tuple[list[_Job], list[str]]:
    """Read the sources and decide each one's formats and output; return the jobs and the failures.

    An output that is also an input of the run, or the output of an earlier source, is a failure: converting
    a folder of twins in place must not turn one twin into the other.
    """
    plan: list[_Job] = []
    failures: list[str] = []
    sources = [source for source in sources if _picked(source, source_format, target)]
    inputs = {os.path.abspath(source.path) for source in sources if source.path != STDIN}
    claimed: dict[str, str] = {}
    for source in sources:
        fmt = registry.format_of(source.path) if source.path != STDIN else None
        fmt = fmt if source.in_folder else source_format or fmt
        label = STDIN_LABEL if source.path == STDIN else source.path
        if fmt is None and source.path != STDIN:
            failures.append(f"{label}: error: unknown format (use --from)")
            continue
        try:
            data = _read(source.path)
        except OSError as exc:
            failures.append(f"{label}: error: cannot read: {exc.strerror or exc}")
            continue
        fmt = fmt or sniff(data)
        goal = target or default_target(fmt)
        try:
            registry.get(fmt, goal)
        except ToonHooksError as exc:
            failures.append(f"{label}: error: {exc}")
            continue
        to_stdout = source.path == STDIN and out_dir is None
        dest = output or (STDIN if to_stdout else output_path(source, goal, out_dir))
        if dest != STDIN:
            key = os.path.abspath(dest)
            if key in inputs or key in claimed:
                why = ("an input of this run (use --to or --out-dir)" if key in inputs
                       else f"the output of {claimed[key]} (pick one with --from)")
                failures.append(f"{label}: error: its output {dest} is also {why}")
                continue
            claimed[key] = label
        plan.append(_Job(runner.Task(label, fmt, goal, data, options), dest))
    return plan, failures


def _picked(source: Source, source_format: str | None, target: str | None) -> bool:
    """In a folder, --from picks the files of one format, and files already in the target format stay as
    they are (they are no input then, so `convert DIR --to toon` refreshes the TOON files of DIR)."""
    fmt = registry.format_of(source.path)
    return not source.in_folder or not ((source_format and fmt != source_format) or fmt == target)


def _read(path: str) -> bytes:
    if path == STDIN:
        return sys.stdin.buffer.read()
    with open(path, "rb") as fh:
        return fh.read()


def _write(dest: str, text: str) -> str | None:
    """Write one output (stdout for "-"; a file atomically, its folders created); return why it failed."""
    text = text if not text or text.endswith("\n") else text + "\n"
    if dest == STDIN:
        sys.stdout.write(text)
        return None
    try:
        os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
        write_atomic(dest, text.encode("utf-8"))
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _convert(tasks: list[runner.Task], store: Store, jobs: int) -> list[tuple[runner.Outcome, dict[str, Any] | None]]:
    """One large PDF is split into page ranges across workers; everything else goes through the runner."""
    if len(tasks) == 1 and tasks[0].source == "pdf" and jobs > 1 and tasks[0].path != STDIN_LABEL:
        from ..formats.pdf import converters as pdf

        task = tasks[0]
        return [(runner.outcome_of(task.path, lambda: pdf.convert_path(task.path, task.options, jobs, task.target)),
                 None)]
    return convert_all(tasks, store, jobs, progress_printer())
