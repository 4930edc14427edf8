"""Merge per-page PDF records into the document model, using document-wide statistics.

Body size, heading levels and running headers/footers need the whole document, so they are decided here
and never inside a page range: the result is the same however the pages were split between workers.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Union

from .layout import Grid, PageRecord, Unit

Cell = Union[str, int, float, bool, None]

HEADING_MAX_CHARS = 200
"""Longer runs of large text are paragraphs (pull quotes, large-print intros), not headings."""
BOLD_HEADING_MAX_CHARS = 100
"""A bold run at body size is a heading only when it is this short and not a sentence."""

_DIGITS = re.compile(r"\d+")
_CAPTION = re.compile(r"(?:Figure|Fig\.|Table|Listing|Chart|Exhibit)\s*\d+\b")
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,14})")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]*[1-9]")
_LITERALS: dict[str, Cell] = {"true": True, "false": False, "null": None}

Style = tuple[float, bool]


def build_document(source: dict[str, Any], toc: list[dict[str, Any]], pages: Sequence[PageRecord]) -> dict[str, Any]:
    """Return the document model: source, toc, blocks, tables and ocr_needed (empty parts omitted)."""
    units = [(page.number, unit) for page in pages for unit in page.units]
    body = body_size(unit for _, unit in units)
    repeated = _running_lines(units, body, len(pages))
    units = [(number, unit) for number, unit in units if _margin_key(unit) not in repeated]
    levels = _heading_levels([unit for _, unit in units], body)
    doc: dict[str, Any] = {"source": source}
    if toc:
        doc["toc"] = toc
    doc["blocks"] = [_block(number, unit, body, levels) for number, unit in units]
    tables = [{"page": page.number, "rows": table_rows(grid)} for page in pages for grid in page.tables]
    if tables:
        doc["tables"] = tables
    ocr_needed = [page.number for page in pages if page.ocr_needed]
    if ocr_needed:
        doc["ocr_needed"] = ocr_needed
    return doc


def body_size(units: Iterable[Unit]) -> float:
    """Return the font size carrying the most characters (the smaller on ties); 0 for no text."""
    chars: Counter[float] = Counter()
    for unit in units:
        chars[unit.size] += len(unit.text)
    return max(chars, key=lambda size: (chars[size], -size), default=0.0)


def _margin_key(unit: Unit) -> tuple[str, str] | None:
    """Identify a margin-band line across pages, page numbers ignored."""
    return (unit.band, _DIGITS.sub("#", unit.text)) if unit.band else None


def _running_lines(units: list[tuple[int, Unit]], body: float, page_count: int) -> set[tuple[str, str]]:
    """Return margin keys of running headers/footers: body size or smaller, on most pages of a 3+ page file."""
    if page_count < 3:
        return set()
    seen = {(number, _margin_key(unit)) for number, unit in units if unit.band and unit.size <= body}
    pages_per_key = Counter(key for _, key in seen)
    return {key for key, count in pages_per_key.items() if key and count * 2 > page_count}


def _heading_style(unit: Unit, body: float) -> Style | None:
    """Return the unit's (size, bold) when it reads as a heading, else None."""
    if unit.size >= body + 1 and len(unit.text) <= HEADING_MAX_CHARS:
        return (unit.size, unit.bold)
    short = len(unit.text) <= BOLD_HEADING_MAX_CHARS and not unit.text.endswith((".", ",", ";", ":"))
    if unit.bold and unit.size == body and short and not unit.list_item:
        return (unit.size, unit.bold)
    return None


def _heading_levels(units: list[Unit], body: float) -> dict[Style, int]:
    """Rank the heading styles in use, larger then bolder first, as levels 1..6."""
    styles = {style for unit in units if (style := _heading_style(unit, body))}
    ranked = sorted(styles, key=lambda style: (-style[0], not style[1]))
    return {style: min(rank, 6) for rank, style in enumerate(ranked, start=1)}


def _block(number: int, unit: Unit, body: float, levels: dict[Style, int]) -> dict[str, Any]:
    style = _heading_style(unit, body)
    if style:
        kind, level = "heading", levels[style]
    elif unit.list_item:
        kind, level = "list_item", 0
    elif _CAPTION.match(unit.text):
        kind, level = "caption", 0
    else:
        kind, level = "text", 0
    return {"page": number, "kind": kind, "level": level, "text": unit.text}


def table_rows(grid: Grid) -> list[dict[str, Cell]]:
    """Turn a grid into row objects keyed by the header row's (made unique) names, cells typed."""
    names = field_names(grid[0])
    return [dict(zip(names, map(typed_cell, row))) for row in grid[1:]]


def field_names(header: Sequence[str | None]) -> list[str]:
    """Return unique, non-empty field names: an empty cell becomes colN, a repeat gets _2, _3, …"""
    names: list[str] = []
    for column, cell in enumerate(header, start=1):
        base = cell or f"col{column}"
        name, n = base, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


def typed_cell(text: str | None) -> Cell:
    """Type a cell like a TOON scalar only when its text is exactly that scalar's canonical token.

    "3" -> 3, "1.5" -> 1.5, "true" -> True, "null" -> None; "1.50", "05", "-0", "1e3" stay strings so no
    text is lost. Integers stay below 2**53 so every JSON reader gets the same value.
    """
    if text is None:
        return None
    if text in _LITERALS:
        return _LITERALS[text]
    if _INT.fullmatch(text) and text != "-0":
        return int(text)
    if _FLOAT.fullmatch(text) and repr(float(text)) == text:
        return float(text)
    return text
