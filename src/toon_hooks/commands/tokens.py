"""`toon-hooks tokens PATH...`: count each file's forms (`token_forms`) and print the report (`token_report`)."""
from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from .. import config as config_mod
from ..cache import store_for
from ..errors import LocatedError, ToonHooksError
from ..output import EXIT_FAIL, EXIT_OK, err, located, out
from ..paths import expand_sources, project_root, read_input
from ..token_forms import FileTokens, count_files
from ..token_report import format_table, report_json, report_rows
from ..tokens import TokenCounter


def _read(paths: Sequence[str]) -> tuple[list[tuple[str, bytes]], list[tuple[str, ToonHooksError]]]:
    files, errors = [], []
    for path in paths:
        try:
            files.append((path, read_input(path)))
        except OSError as exc:
            errors.append((path, ToonHooksError(f"cannot read: {exc.strerror or exc}")))
    return files, errors


def _warnings(counter: TokenCounter, results: Sequence[FileTokens]) -> list[str]:
    missing: dict[str, list[str]] = {}
    for result in results:
        for form, reason in result.unavailable.items():
            missing.setdefault(reason, [])
            if form not in missing[reason]:
                missing[reason].append(form)
    store_warning = counter.store.warning if counter.store is not None else None
    return [w for w in (store_warning, counter.warning) if w] + [
        f"forms unavailable ({', '.join(forms)}): {reason}" for reason, forms in missing.items()]


def tokens(paths: Sequence[str], encoding: str | None = None, as_json: bool = False) -> int:
    """Count the forms of the files in `paths` (folders searched), print the report and the problems; exit
    code 1 when a file is invalid or counts are missing."""
    config = config_mod.load(project_root()[0])
    encoding = encoding or config.encoding
    store = store_for(config)
    try:
        counter = TokenCounter(encoding, store)
        files, errors = _read([source.path for source in expand_sources(paths)])
        results, invalid = count_files(files, counter)
        errors += invalid
        warnings = _warnings(counter, results)
    finally:
        store.close()
    for path, exc in errors:
        err(located(path, exc) if isinstance(exc, LocatedError) else f"{path}: error: {exc}")
    for warning in warnings:
        err(f"warning: {warning}")
    if as_json:
        out(json.dumps(report_json(results, errors, encoding, warnings), indent=2, ensure_ascii=False))
    else:
        human = sys.stdout.isatty()
        rows = report_rows(results, encoding, human=human)
        out(format_table(rows) if human else "\n".join("\t".join(row) for row in rows))
    incomplete = any(count is None for result in results for count in result.tokens.values())
    return EXIT_FAIL if errors or incomplete else EXIT_OK
