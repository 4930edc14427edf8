"""`toon-hooks convert`: one-off conversions between TOON, Markdown, JSON, JSONL, PDF and HTML.

`convert_plan` decides what each input becomes; this module converts (locally or on a cluster), writes the
outputs and reports.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from .. import config as config_mod
from .. import runner
from ..cache import Store, store_for
from ..conversions import convert_all, remember
from ..convert_plan import Job, plan
from ..fsio import write_atomic
from ..options import DELIMITERS
from ..output import EXIT_FAIL, EXIT_OK, EXIT_USAGE, err, located
from ..paths import STDIN, STDIN_LABEL, expand_sources, project_root
from ..progress import progress_printer


def convert(sources: Sequence[str], target: str | None = None, source_format: str | None = None,
            output: str | None = None, out_dir: str | None = None, delimiter: str | None = None,
            indent: int | None = None, stats: bool = False, jobs: int | None = None, no_cache: bool = False,
            scheduler: str | None = None, worker_reads: bool = False) -> int:
    """Convert `sources` (files, folders, "-" for stdin) and write the outputs; return the exit code.

    A failing file does not stop the others; every failure is printed at the end, then a summary line when
    there was more than one file or a failure.
    """
    if output and (len(sources) > 1 or os.path.isdir(sources[0])):
        err("error: -o/--output takes one file; use --out-dir for several files or a folder")
        return EXIT_USAGE
    config = config_mod.load(project_root()[0])
    options = config.options._replace(
        delimiter={**DELIMITERS, "auto": "auto"}[delimiter] if delimiter else config.options.delimiter,
        indent=indent or config.options.indent,
    )
    expanded = expand_sources(sources)
    planned, failures = plan(expanded, source_format, target, options, output, out_dir)
    store = store_for(config, enabled=not no_cache)
    try:
        from ..cluster import session

        with session(scheduler, worker_reads=worker_reads, root=os.getcwd()):
            results = _convert([job.task for job in planned], store, runner.resolve_jobs(jobs, config.jobs))
        written, unwritten = _write_all(planned, results, store, config.encoding if stats else None)
        failures += unwritten
    finally:
        store.close()
    for failure in failures:
        err(failure)
    if len(expanded) != 1 or expanded[0].in_folder or failures:
        err(f"toon-hooks convert: {written} written, {len(failures)} failed")
    return EXIT_FAIL if failures else EXIT_OK


def _write_all(planned: Sequence[Job], results: Sequence[tuple[runner.Outcome, dict[str, Any] | None]],
               store: Store, stats_encoding: str | None) -> tuple[int, list[str]]:
    """Cache the new results and write every output; return how many files were written and the failures.
    With `stats_encoding`, print each conversion's token counts."""
    remember(store, [(job.task, {"text": o.text})
                     for job, (o, e) in zip(planned, results, strict=True) if e is None and o.text])
    written = 0
    failures: list[str] = []
    for job, (outcome, _) in zip(planned, results, strict=True):
        if outcome.text is None:
            failures.append(located(job.task.path, outcome.as_error()))
            continue
        problem = _write(job.dest, outcome.text)
        if problem:
            failures.append(f"{job.dest}: error: cannot write: {problem}")
            continue
        written += job.dest != STDIN
        if stats_encoding:
            err(f"{job.task.path}: {_stats(job.task.data, outcome.text, stats_encoding, store)}")
    return written, failures


def _stats(source_data: bytes, result: str, encoding: str, store: Store) -> str:
    from ..tokens import TokenCounter

    counter = TokenCounter(encoding, store)
    source_tokens, result_tokens = counter.count_many([source_data.decode("utf-8", "replace"), result])
    if source_tokens is None or result_tokens is None:
        return f"tokens: unavailable ({counter.warning or 'tokenizer not loaded'})"
    change = 100 * (result_tokens - source_tokens) / max(source_tokens, 1)
    return f"tokens ({encoding}): {source_tokens:,} → {result_tokens:,} ({change:+.0f}%)"


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
