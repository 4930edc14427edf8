"""`toon-hooks convert`: one-off conversions between TOON, Markdown, JSON, JSONL, PDF and HTML."""
from __future__ import annotations

import os
import sys

import click

from .. import config as config_mod
from .. import runner
from ..cache import Store, store_for
from ..conversions import convert_all, remember
from ..formats.registry import EXTENSIONS, format_of
from ..fsio import write_atomic
from ..options import DELIMITERS, Options
from ..output import EXIT_FAIL, EXIT_USAGE, err, error_handler, located, out
from ..hook import progress_printer, project_root

_TARGET_EXTENSION = {"toon": ".toon", "md": ".md", "json": ".json", "html": ".html"}


def default_target(source: str) -> str:
    """TOON converts to Markdown (for people); everything else converts to TOON (for agents)."""
    return "md" if source == "toon" else "toon"


def output_path(src: str, target: str, out_dir: str | None) -> str:
    """Return where the converted file goes: same stem, target extension, beside the source or in out_dir."""
    stem = os.path.splitext(os.path.basename(src))[0]
    folder = out_dir if out_dir is not None else os.path.dirname(src)
    return os.path.join(folder, stem + _TARGET_EXTENSION[target])


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
@click.option("--to", "target", type=click.Choice(sorted(_TARGET_EXTENSION)), help="Target format.")
@click.option("--from", "source_format", type=click.Choice(sorted(set(EXTENSIONS.values()))),
              help="Source format (needed for stdin, overrides extensions).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Output file, or - for stdout (one source).")
@click.option("--out-dir", type=click.Path(file_okay=False), help="Write outputs into this folder.")
@click.option("--delimiter", type=click.Choice(["comma", "tab", "pipe", "auto"]), help="TOON delimiter.")
@click.option("--indent", type=click.IntRange(min=1), help="TOON indentation.")
@click.option("--stats", is_flag=True, help="Print tokens of source and result.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
def convert_cmd(sources: tuple[str, ...], target: str | None, source_format: str | None, output: str | None,
                out_dir: str | None, delimiter: str | None, indent: int | None, stats: bool, jobs: int | None,
                no_cache: bool) -> None:
    """Convert SOURCES (files, or - for stdin with --from); a failing file does not stop the others."""
    if output and len(sources) > 1:
        err("error: -o/--output takes one source; use --out-dir for several")
        raise SystemExit(EXIT_USAGE)
    with error_handler():
        config = config_mod.load(project_root()[0])
        options = config.options._replace(
            delimiter={**DELIMITERS, "auto": "auto"}[delimiter] if delimiter else config.options.delimiter,
            indent=indent or config.options.indent,
        )
        tasks, failures = _tasks(sources, source_format, target, options)
        store = store_for(config, enabled=not no_cache)
        try:
            workers = runner.resolve_jobs(jobs, config.jobs)
            results = _convert(tasks, store, workers)
            remember(store, [(t, {"text": o.text}) for t, (o, e) in zip(tasks, results) if e is None and o.text])
            written = 0
            for task, (outcome, _) in zip(tasks, results):
                if outcome.text is None:
                    failures.append(located(task.path, outcome.as_error()))
                    continue
                dest = output or output_path(task.path if task.path != "-" else "stdin", task.target, out_dir)
                text = outcome.text if outcome.text.endswith("\n") else outcome.text + "\n"
                if dest == "-":
                    sys.stdout.write(text)
                else:
                    if out_dir:
                        os.makedirs(out_dir, exist_ok=True)
                    write_atomic(dest, text.encode("utf-8"))
                    written += 1
                if stats:
                    err(f"{task.path}: {_stats(task.data, outcome.text, config.encoding, store)}")
        finally:
            store.close()
        for failure in failures:
            err(failure)
        if len(sources) > 1 or failures:
            err(f"toon-hooks convert: {written} written, {len(failures)} failed")
        if failures:
            raise SystemExit(EXIT_FAIL)


def _tasks(sources: tuple[str, ...], source_format: str | None, target: str | None,
           options: Options) -> tuple[list[runner.Task], list[str]]:
    tasks, failures = [], []
    for src in sources:
        fmt = source_format or (None if src == "-" else format_of(src))
        if fmt is None:
            failures.append(f"{src}: error: unknown format (use --from)")
            continue
        try:
            data = sys.stdin.buffer.read() if src == "-" else open(src, "rb").read()
        except OSError as exc:
            failures.append(f"{src}: error: {exc.strerror}")
            continue
        tasks.append(runner.Task(src, fmt, target or default_target(fmt), data, options))
    return tasks, failures


def _convert(tasks: list[runner.Task], store: Store, jobs: int) -> list[tuple[runner.Outcome, dict | None]]:
    """One large PDF is split into page ranges across workers; everything else goes through the runner."""
    if len(tasks) == 1 and tasks[0].source == "pdf" and jobs > 1 and tasks[0].path != "-":
        from ..formats.pdf import converters as pdf

        task = tasks[0]
        return [(runner.outcome_of(task.path, lambda: pdf.convert_path(task.path, task.options, jobs, task.target)),
                 None)]
    return convert_all(tasks, store, jobs, progress_printer())
