"""What a `toon-hooks convert` run does with each input: its formats, where its output goes, or why not.

Planning reads every input first, so that no output overwrites an input of the same run or another
input's output, and stdin's format can be told from its bytes.
"""
from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import NamedTuple, NoReturn

from . import runner
from .errors import ToonHooksError
from .formats import registry
from .formats.spec import OUTPUT_EXTENSION, SPECS
from .options import Options
from .paths import STDIN, Source, input_label, read_input


def default_target(source: str) -> str:
    """A source converts to its twin's format (TOON to Markdown for people, the others to TOON for agents);
    a format that has no twin converts to TOON."""
    return SPECS[source].twin or "toon"


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


def output_path(source: Source, target: str, out_dir: str | None) -> str:
    """Return where a source's output goes: its stem with the target's extension, beside it or under out_dir."""
    base = os.path.join(out_dir, source.below) if out_dir is not None else source.path
    return os.path.splitext(base)[0] + OUTPUT_EXTENSION[target]


class Job(NamedTuple):
    """One conversion of a run and where its output goes."""

    task: runner.Task
    dest: str
    """The output file, or "-" for stdout."""


def plan(sources: Sequence[Source], source_format: str | None, target: str | None, options: Options,
         output: str | None, out_dir: str | None) -> tuple[list[Job], list[str]]:
    """Read the sources and decide each one's formats and output; return the jobs and the failures.

    An output that is also an input of the run, or the output of an earlier source, is a failure: converting
    a folder of twins in place must not turn one twin into the other.
    """
    jobs: list[Job] = []
    failures: list[str] = []
    sources = [source for source in sources if _picked(source, source_format, target)]
    inputs = {os.path.abspath(source.path) for source in sources if source.path != STDIN}
    claimed: dict[str, str] = {}
    for source in sources:
        fmt = registry.format_of(source.path) if source.path != STDIN else None
        fmt = fmt if source.in_folder else source_format or fmt
        label = input_label(source.path)
        if fmt is None and source.path != STDIN:
            failures.append(f"{label}: error: unknown format (use --from)")
            continue
        try:
            data = read_input(source.path)
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
        jobs.append(Job(runner.Task(label, fmt, goal, data, options), dest))
    return jobs, failures


def _picked(source: Source, source_format: str | None, target: str | None) -> bool:
    """In a folder, --from picks the files of one format, and files already in the target format stay as
    they are (they are no input then, so `convert DIR --to toon` refreshes the TOON files of DIR)."""
    fmt = registry.format_of(source.path)
    return not source.in_folder or not ((source_format and fmt != source_format) or fmt == target)
