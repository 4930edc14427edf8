"""Pure page layout for PDF conversion: per-page record types, reading order, text clean-up, line grouping.

Nothing here imports PyMuPDF: the reader (`pdf_page`) turns a page into `Line`s, this module orders and groups
them into `Unit`s, and `pdf_model` merges the per-page `PageRecord`s into the document.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

Box = tuple[float, float, float, float]
"""x0, y0, x1, y1 in PDF points, y growing downwards."""

Grid = tuple[tuple[str | None, ...], ...]
"""A table's cell texts row by row; None marks a cell covered by a merged neighbour."""

MARGIN_BAND = 0.1
"""Fraction of the page height at the top and at the bottom where running headers and footers live."""

FULL_LINE = 0.1
"""A line ending within this fraction of its block's width from the block's right edge fills the line."""

_BULLET = re.compile(r"[•◦▪▫‣⁃●○■□·∙*\-–]\s+")
_ORDERED = re.compile(r"(?:\d{1,3}[.)]|[a-z]\))\s+")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Line(NamedTuple):
    """One visual line of a page as read from the PDF."""

    text: str
    size: float
    """Dominant font size, rounded to 0.5 pt."""
    bold: bool
    """True when most of the line's characters are bold."""
    mono: bool
    """True when most of the line's characters are monospaced (code)."""
    box: Box


@dataclass(frozen=True)
class Unit:
    """A run of lines of one style within a text block: a paragraph, a heading or one list item."""

    text: str
    """Cleaned, de-hyphenated text on one line (a bullet glyph is dropped, an ordered marker kept)."""
    size: float
    bold: bool
    """True when most of the unit's characters are bold."""
    mono: bool
    """True when most of the unit's characters are monospaced (code)."""
    list_item: bool
    band: str
    """"top" or "bottom" when the unit lies in the page's margin band, else ""."""


@dataclass(frozen=True)
class PageRecord:
    """Everything the document merge needs from one page; small and picklable (crosses process boundaries)."""

    number: int
    """1-based page number."""
    units: tuple[Unit, ...]
    """Text in reading order, table areas excluded."""
    tables: tuple[Grid, ...]
    """Ruled tables, top to bottom."""
    ocr_needed: bool
    """The page shows images but has no text layer (and OCR was not run or found nothing)."""
    tables_skipped: bool
    """Table search was skipped: too many ruling lines to search in time (its text is kept as text)."""


def clean(text: str) -> str:
    """Drop soft hyphens, collapse whitespace runs to one space, strip the ends.

    A control character is a glyph without a Unicode mapping read by its code (often an apostrophe, 0x19):
    it becomes a space, so it still separates the words it stood between ("l\x19impresa" -> "l impresa").
    """
    return _SPACE.sub(" ", _CONTROL.sub(" ", text.replace("\xad", ""))).strip()


def join_lines(lines: Iterable[str]) -> str:
    """Join line texts with spaces; a word hyphenated at a line end is rejoined.

    A letter followed by "-" at a line end loses the hyphen when the next line starts lowercase
    ("inter-" + "national"); before anything else the hyphen stays and no space is added ("Jean-" + "Paul").
    """
    out = ""
    for raw in lines:
        line = clean(raw)
        if not line:
            continue
        if len(out) > 1 and out.endswith("-") and out[-2].isalpha():
            out = (out[:-1] if line[0].islower() else out) + line
        else:
            out = f"{out} {line}" if out else line
    return out


def reading_order(boxes: Sequence[Box], min_column: float, wrapped: Collection[int] = ()) -> list[int]:
    """Return the indices of text-block boxes in reading order.

    Columns (separated by a vertical gap) are read left to right; within a column, bands separated by
    horizontal gaps top to bottom. Consecutive bands that together still split into columns are read as one
    multi-column region, so aligned paragraph gaps do not interleave columns. Columns are at least
    `min_column` wide, or each holds a block of wrapped prose (indices in `wrapped`): a narrow sidebar is a
    column, side-by-side form fields of one line each are rows.
    """
    return _order(list(range(len(boxes))), _Layout(boxes, min_column, frozenset(wrapped)))


class _Layout(NamedTuple):
    boxes: Sequence[Box]
    min_column: float
    wrapped: frozenset[int]


def _order(indices: list[int], page: _Layout) -> list[int]:
    if len(indices) <= 1:
        return indices
    columns = _columns(indices, page)
    if len(columns) > 1:
        return [i for column in columns for i in _order(column, page)]
    bands = _gap_groups(indices, page.boxes, axis=1)
    if len(bands) == 1:
        return sorted(indices, key=lambda i: (page.boxes[i][1], page.boxes[i][0], i))
    return [i for region in _regions(bands, page) for i in _order(region, page)]


def _gap_groups(indices: list[int], boxes: Sequence[Box], axis: int) -> list[list[int]]:
    """Split boxes into groups separated by empty gaps along an axis (0: x, 1: y), in axis order."""
    ordered = sorted(indices, key=lambda i: (boxes[i][axis], boxes[i][axis + 2], i))
    groups: list[list[int]] = []
    reach = float("-inf")
    for i in ordered:
        if boxes[i][axis] > reach:
            groups.append([])
        groups[-1].append(i)
        reach = max(reach, boxes[i][axis + 2])
    return groups


def _columns(indices: list[int], page: _Layout) -> list[list[int]]:
    """Split into columns, or return one group when a column would be narrow and not all hold prose."""
    groups = _gap_groups(indices, page.boxes, axis=0)
    if len(groups) < 2:
        return [indices]
    wide = all(max(page.boxes[i][2] for i in g) - min(page.boxes[i][0] for i in g) >= page.min_column
               for g in groups)
    if wide or all(page.wrapped.intersection(g) for g in groups):
        return groups
    return [indices]


def _regions(bands: list[list[int]], page: _Layout) -> list[list[int]]:
    """Merge consecutive bands while their union still splits into columns."""
    regions: list[list[int]] = []
    for band in bands:
        if regions and len(_columns(regions[-1] + band, page)) > 1:
            regions[-1] = regions[-1] + band
        else:
            regions.append(list(band))
    return regions


def group_units(lines: Sequence[Line], page_height: float) -> list[Unit]:
    """Split one text block's lines (in order) into units: runs of one style, each list item on its own."""
    right = max(line.box[2] for line in lines)
    width = right - min(line.box[0] for line in lines)
    runs: list[list[Line]] = []
    for line in lines:
        if runs and _continues(runs[-1], line, right - width * FULL_LINE):
            runs[-1].append(line)
        else:
            runs.append([line])
    units = (_unit(run, page_height) for run in runs)
    return [unit for unit in units if unit.text]


def _continues(run: list[Line], line: Line, full: float) -> bool:
    """Tell whether `line` carries on the current run: same size, no new list marker, and the same weight
    unless the run's last line fills the block's width or breaks a sentence (bold words inside a paragraph
    do not end it)."""
    first, last = run[0], run[-1]
    if line.size != last.size or list_marker(line.text):
        return False
    if line.bold != last.bold and last.box[2] < full and not _mid_sentence(last.text, line.text):
        return False
    # Continuation lines of a list item are indented past the item's marker.
    return not list_marker(first.text) or line.box[0] > first.box[0] + 1


def _mid_sentence(before: str, after: str) -> bool:
    """Tell whether a line break falls inside a sentence: no closing punctuation, next line lowercase."""
    before, after = before.rstrip(), after.lstrip()
    return bool(before and after) and not before.endswith((".", "!", "?", ":")) and after[0].islower()


def list_marker(text: str) -> str:
    """Return the list marker (with its trailing space) opening `text`, or ""."""
    stripped = text.lstrip()
    found = _BULLET.match(stripped) or _ORDERED.match(stripped)
    return found.group() if found else ""


def _unit(run: list[Line], page_height: float) -> Unit:
    first = run[0]
    text = join_lines(line.text for line in run)
    marker = list_marker(first.text)
    if _BULLET.match(marker):
        text = clean(text[len(clean(marker)):])
    top = min(line.box[1] for line in run)
    bottom = max(line.box[3] for line in run)
    if bottom <= page_height * MARGIN_BAND:
        band = "top"
    elif top >= page_height * (1 - MARGIN_BAND):
        band = "bottom"
    else:
        band = ""
    chars = sum(len(line.text) for line in run)
    bold = sum(len(line.text) for line in run if line.bold) * 2 > chars
    mono = sum(len(line.text) for line in run if line.mono) * 2 > chars
    return Unit(text, first.size, bold, mono, bool(marker), band)
