"""Read one PyMuPDF page into a `PageRecord`: text lines in reading order, ruled tables, text-layer status."""
from __future__ import annotations

import functools
import shutil
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ...options import Options
from .layout import Box, Grid, Line, PageRecord, Unit, group_units, join_lines, reading_order

MIN_COLUMN = 0.15
"""A text column is at least this fraction of the page width (narrower splits are form fields or cells)."""

_TEXT_FLAGS = 2 | 64
"""TEXT_PRESERVE_WHITESPACE | TEXT_MEDIABOX_CLIP: ligatures expanded, no images, nothing off the page."""
_BOLD_FLAG = 16


def page_record(page: Any, options: Options) -> PageRecord:
    """Read `page` (a pymupdf.Page; rotation is removed in memory first) into a small record."""
    if page.rotation:
        page.remove_rotation()  # so text, drawings and tables share the upright coordinates a reader sees
    blocks = _text_blocks(page.get_text("dict", flags=_TEXT_FLAGS))
    ocr_needed = not blocks and bool(page.get_images())
    if ocr_needed and options.pdf_ocr:
        blocks = _ocr_blocks(page)
        ocr_needed = not blocks
    tables = _ruled_tables(page)
    table_boxes = [tuple(table.bbox) for table in tables]
    blocks = [kept for block in blocks if (kept := [ln for ln in block if not _inside(ln.box, table_boxes)])]
    units = _units(blocks, page.rect.width, page.rect.height)
    grids = tuple(_grid(table.extract()) for table in tables)
    return PageRecord(page.number + 1, units, grids, ocr_needed)


def _units(blocks: list[list[Line]], width: float, height: float) -> tuple[Unit, ...]:
    order = reading_order([_bounds(block) for block in blocks], width * MIN_COLUMN)
    return tuple(unit for i in order for unit in group_units(blocks[i], height))


def _text_blocks(page_dict: dict[str, Any]) -> list[list[Line]]:
    """Return the non-blank lines of each text block of a `get_text("dict")` result."""
    blocks = ([_line(line) for line in block["lines"]] for block in page_dict["blocks"] if block["type"] == 0)
    return [kept for block in blocks if (kept := [line for line in block if line.text.strip()])]


def _line(line: dict[str, Any]) -> Line:
    """Summarise a line's spans: its text, dominant (rounded) font size and whether it is mostly bold."""
    sizes: Counter[float] = Counter()
    bold = 0
    for span in line["spans"]:
        weight = len(span["text"].strip())
        sizes[round(span["size"] * 2) / 2] += weight
        if span["flags"] & _BOLD_FLAG or "bold" in span["font"].lower():
            bold += weight
    size = max(sizes, key=lambda s: (sizes[s], s), default=0.0)
    text = "".join(span["text"] for span in line["spans"])
    return Line(text, size, bold * 2 > sum(sizes.values()), tuple(line["bbox"]))


def _bounds(lines: Sequence[Line]) -> Box:
    return (
        min(line.box[0] for line in lines),
        min(line.box[1] for line in lines),
        max(line.box[2] for line in lines),
        max(line.box[3] for line in lines),
    )


def _inside(box: Box, areas: list[Box]) -> bool:
    """Tell whether the centre of `box` lies in one of `areas`."""
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in areas)


def _ruled_tables(page: Any) -> list[Any]:
    """Return the page's ruled tables of at least 2×2 cells, top to bottom (a framed box is not a table)."""
    if not page.get_cdrawings():
        return []  # line-based detection needs vector lines; skipping it saves most of its cost
    finder = page.find_tables(use_layout=False)
    tables = [t for t in (finder.tables if finder else []) if t.row_count >= 2 and t.col_count >= 2]
    return sorted(tables, key=lambda table: (table.bbox[1], table.bbox[0]))


def _grid(rows: list[list[str | None]]) -> Grid:
    return tuple(tuple(None if cell is None else join_lines(cell.split("\n")) for cell in row) for row in rows)


def _ocr_blocks(page: Any) -> list[list[Line]]:
    """OCR a page without a text layer when Tesseract is installed; return [] when it is not or fails."""
    if not tesseract_available():
        return []
    try:
        textpage = page.get_textpage_ocr(full=True)
    except RuntimeError:
        return []
    return _text_blocks(page.get_text("dict", flags=_TEXT_FLAGS, textpage=textpage))


@functools.lru_cache(maxsize=1)
def tesseract_available() -> bool:
    """Tell whether a Tesseract executable is on PATH (PyMuPDF's OCR needs it)."""
    return shutil.which("tesseract") is not None
