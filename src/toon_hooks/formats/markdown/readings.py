"""The ways a Markdown document becomes data, the one way back, and the rule that picks a reading.

Three readings exist: the lines reading (`lines`: the document verbatim, always lossless), the general
mapping (`read`: headings as keys, lists, tables and typed scalars; exact for Markdown written from data)
and the checkpoint model (`checkpoint`: table-first shapes for checkpoint and task-list documents). A
structured reading is kept only when the TOON it encodes to, read back through `markdown_of`, renders to
the same HTML as the document (the pinned parser, nothing normalised away) — so no twin ever loses a word,
a block or its position. Among the lossless readings the one with the fewest estimated tokens wins, a
structured one on a tie; a document matched by `checkpoint-globs` gets the checkpoint model whenever that
is lossless, whatever it costs.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...errors import ConversionError, ToonHooksError
from ...options import Options

Reading = Callable[[str], Any]


def markdown_of(value: Any) -> str:
    """Return the Markdown for decoded TOON: checkpoint data, a lines reading, or any other data."""
    from .. import checkpoint
    from .lines import is_lines_data, write_lines
    from .write import data_to_markdown

    if checkpoint.is_checkpoint_data(value):
        return checkpoint.data_to_markdown(value)
    if is_lines_data(value):
        return write_lines(value)
    return data_to_markdown(value)


def toon_of(text: str, path: str, options: Options) -> str:
    """Return the TOON document of the cheapest lossless reading of Markdown `text` (see the module doc)."""
    from .. import checkpoint
    from ..cost import estimate_tokens
    from ..json_fmt import toon_document
    from .lines import read_lines
    from .read import markdown_to_data

    best = toon_document(read_lines(text), options)
    best_cost = estimate_tokens(best)
    pinned = any(_glob_match(path, glob) for glob in options.checkpoint_globs)
    structured: list[tuple[Reading, bool]] = [(markdown_to_data, False)]
    if checkpoint.detect(text, path, options):
        structured.insert(0, (checkpoint.markdown_to_data, pinned))
    html = None
    for reading, forced in structured:
        try:
            candidate = toon_document(reading(text), options)
        except (ConversionError, RecursionError):  # e.g. front matter that is not YAML: it does not apply
            continue
        cost = estimate_tokens(candidate)
        if cost > best_cost and not forced:
            continue
        html = _render(text) if html is None else html
        if _lossless(candidate, html, options):
            if forced:
                return candidate
            best, best_cost = candidate, cost
    return best


def _lossless(toon: str, html: str, options: Options) -> bool:
    """True when `toon`, decoded and written back as Markdown, renders to `html`."""
    from ...toon import decode

    try:
        return _render(markdown_of(decode(toon, strict=True, indent_size=options.indent))) == html
    except (ToonHooksError, RecursionError):
        return False


def _render(text: str) -> str:
    from .parser import parser

    return str(parser().render(text))


def _glob_match(path: str, glob: str) -> bool:
    from ...twins import glob_match

    return glob_match(path, glob)
