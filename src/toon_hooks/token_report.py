"""The `toon-hooks tokens` report: what each form saves, totals per source format, the table and `--json`.

Savings are against the baselines `file`, `json-pretty` and `json-compact` of the same file (positive = fewer
tokens). Totals are per source format: the forms of different formats are different texts (a Markdown file's
`toon` is its twin, a JSON file's `toon-comma` its encoding), so they are never added together; the table
shows the total of each format with several files.

`--json` prints one object (schema 2):
  {"schema": 2, "encoding": str,
   "files": [{"path": str, "format": str | null, "tokens": {form: int | null},
              "saved_percent": {form: {baseline: float}}, "unavailable": {form: reason}}],
   "totals": [{"format": str | null, "files": int, "tokens": {form: int | null},
               "saved_percent": {form: {baseline: float}}}],
   "errors": [{"path": str, "line": int, "column": int, "message": str}], "warnings": [str]}
Token counts are null when the tokenizer is unavailable; line and column are 0 when unknown; a total has one
entry per source format (null: files of no known format), the total of a form sums that format's files that
have it, and its savings compare only files that have both forms.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import LocatedError, ToonHooksError
from .token_forms import BASELINES, FileTokens
from .tokens import savings


def saved_percent(tokens: Mapping[str, int | None], form: str) -> dict[str, float]:
    """Return the percent `form` saves against each other baseline the file has."""
    result: dict[str, float] = {}
    for baseline in BASELINES:
        pct = savings(tokens.get(baseline), tokens[form]) if baseline != form else None
        if pct is not None:
            result[baseline] = pct
    return result


@dataclasses.dataclass
class Total:
    """The summed counts of every file of one source format."""

    format: str | None
    files: int
    tokens: dict[str, int | None]
    """Form → tokens summed over the files that have that form."""
    saved: dict[str, dict[str, float]]
    """Form → baseline → percent saved, over the files that have both forms."""


def totals(results: Sequence[FileTokens]) -> list[Total]:
    """Return one total per source format, in the order the formats first appear (see the module doc)."""
    groups: dict[str | None, list[FileTokens]] = {}
    for result in results:
        groups.setdefault(result.format, []).append(result)
    return [Total(fmt, len(group), *_total(group)) for fmt, group in groups.items()]


def _total(results: Sequence[FileTokens]) -> tuple[dict[str, int | None], dict[str, dict[str, float]]]:
    """Return tokens per form summed over files, and savings computed over the files having both forms."""
    forms = list(dict.fromkeys(form for result in results for form in result.tokens))
    tokens = {form: _sum(result.tokens.get(form) for result in results) for form in forms}
    saved: dict[str, dict[str, float]] = {}
    for form in forms:
        pairs = {baseline: [(r.tokens[baseline], r.tokens[form]) for r in results
                            if r.tokens.get(baseline) is not None and r.tokens.get(form) is not None]
                 for baseline in BASELINES if baseline != form}
        saved[form] = {baseline: pct for baseline, both in pairs.items()
                       if (pct := savings(_sum(b for b, _ in both), _sum(f for _, f in both))) is not None}
    return tokens, saved


def _sum(values: Any) -> int | None:
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def report_json(results: Sequence[FileTokens], errors: Sequence[tuple[str, ToonHooksError]], encoding: str,
                warnings: Sequence[str]) -> dict[str, Any]:
    """Return the `--json` report (schema in the module docstring)."""
    return {
        "schema": 2,
        "encoding": encoding,
        "files": [{"path": r.path, "format": r.format, "tokens": r.tokens,
                   "saved_percent": _rounded({form: saved_percent(r.tokens, form) for form in r.tokens}),
                   "unavailable": r.unavailable} for r in results],
        "totals": [{"format": t.format, "files": t.files, "tokens": t.tokens, "saved_percent": _rounded(t.saved)}
                   for t in totals(results)],
        "errors": [_error_json(path, exc) for path, exc in errors],
        "warnings": list(warnings),
    }


def _error_json(path: str, exc: ToonHooksError) -> dict[str, Any]:
    if isinstance(exc, LocatedError):
        return {"path": path, "line": exc.line, "column": exc.column, "message": exc.msg}
    return {"path": path, "line": 0, "column": 0, "message": str(exc)}


def _rounded(saved: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    return {form: {baseline: round(pct, 2) for baseline, pct in by.items()} for form, by in saved.items()}


def report_rows(results: Sequence[FileTokens], encoding: str, *, human: bool) -> list[list[str]]:
    """Return header and cell rows: one per form of each file, then those of each format's total.

    The header names the encoding. `human` (a terminal) shows each path once and groups thousands;
    otherwise every cell is plain for tools. A format with a single file has no total row: it is that file.
    """
    rows = [["path", "form", f"tokens ({encoding})", *(f"saved vs {baseline}" for baseline in BASELINES)]]
    groups = [(r.path, r.tokens, {form: saved_percent(r.tokens, form) for form in r.tokens}) for r in results]
    groups += [(f"total {t.format or 'other'} ({t.files} files)", t.tokens, t.saved)
               for t in totals(results) if t.files > 1]
    for path, tokens, saved in groups:
        for index, (form, count) in enumerate(tokens.items()):
            shown_path = path if index == 0 or not human else ""
            pct = saved[form]
            rows.append([shown_path, form, _count_cell(count, human),
                         *(f"{pct[b]:.1f}%" if b in pct else "" for b in BASELINES)])
    return rows


def _count_cell(count: int | None, human: bool) -> str:
    if count is None:
        return "n/a"
    return f"{count:,}" if human else str(count)


def format_table(rows: Sequence[Sequence[str]]) -> str:
    """Align columns: the first two to the left, the numbers to the right."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) if column < 2 else cell.rjust(width)
                 for column, (cell, width) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
