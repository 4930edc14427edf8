"""Read one PyMuPDF page into a `PageRecord`: text lines in reading order, ruled tables, text-layer status."""
from __future__ import annotations

import functools
import re
import shutil
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ...options import Options
from .grid import Segment, Table, TooManyRulings, Word, bounds, fill, ruled_areas
from .layout import Box, Line, PageRecord, Unit, group_units, reading_order

MIN_COLUMN = 0.15
"""A text column is at least this fraction of the page width (narrower splits are form fields or cells)."""

_TEXT_FLAGS = 2 | 64 | 128 | 512
"""TEXT_PRESERVE_WHITESPACE | TEXT_MEDIABOX_CLIP | TEXT_USE_CID_FOR_UNKNOWN_UNICODE | TEXT_ACCURATE_BBOXES:
ligatures expanded, no images, nothing off the page, a glyph without a Unicode mapping read by its code (as
`get_text()` does) rather than as U+FFFD, and boxes from the glyphs rather than from font metrics (some fonts
claim a line height of 5 lines, which merges a table's rows); it costs no measurable time."""
_BOLD_FLAG = 16
_MONO_FLAG = 8
_MONO_FONT = re.compile(r"mono|courier|consol|menlo|code", re.IGNORECASE)
MAX_MONO_TABLE = 0.5
"""A ruled area whose text is mostly monospaced is a framed code listing, not a table."""
MIN_CODE_CHARS = 0.03
"""Monospaced text with at least this share of `_CODE_CHARS` is code (data tables in Courier have few)."""
_CODE_CHARS = frozenset("=()[]{};#<>\"'")
MIN_INSIDE = 0.2
"""A text line with more than this share of its width both inside and outside a grid is cut by the grid."""
"""A ruled area whose text is mostly monospaced is a framed code listing, not a table."""
RULE_WIDTH = 2.0
"""A filled rectangle thinner than this is a ruling line, not a cell background."""


def page_record(page: Any, options: Options) -> PageRecord:
    """Read `page` (a pymupdf.Page; rotation is removed in memory first) into a small record."""
    if page.rotation:
        page.remove_rotation()  # so text, drawings and tables share the upright coordinates a reader sees
    blocks = _text_blocks(page.get_text("dict", flags=_TEXT_FLAGS))
    ocr_needed = not blocks and bool(page.get_images())
    if ocr_needed and options.pdf_ocr:
        blocks = _ocr_blocks(page)
        ocr_needed = not blocks
    try:
        tables = _ruled_tables(page, [line for block in blocks for line in block])
    except TooManyRulings:
        tables, skipped = [], True
    else:
        skipped = False
    table_boxes = [table.box for table in tables]
    blocks = [kept for block in blocks if (kept := [ln for ln in block if not _inside(ln.box, table_boxes)])]
    units = _units(blocks, page.rect.width, page.rect.height)
    return PageRecord(page.number + 1, units, tuple(table.grid for table in tables), ocr_needed, skipped)


def _units(blocks: list[list[Line]], width: float, height: float) -> tuple[Unit, ...]:
    wrapped = [i for i, block in enumerate(blocks) if len(block) > 1]
    order = reading_order([bounds(line.box for line in block) for block in blocks], width * MIN_COLUMN, wrapped)
    return tuple(unit for i in order for unit in group_units(blocks[i], height))


def _text_blocks(page_dict: dict[str, Any]) -> list[list[Line]]:
    """Return the non-blank lines of each text block of a `get_text("dict")` result."""
    blocks = ([_line(line) for line in block["lines"]] for block in page_dict["blocks"] if block["type"] == 0)
    return [kept for block in blocks if (kept := [line for line in block if line.text.strip()])]


def _line(line: dict[str, Any]) -> Line:
    """Summarise a line's spans: text, dominant (rounded) font size, mostly bold, mostly monospaced, box."""
    sizes: Counter[float] = Counter()
    bold = mono = 0
    for span in line["spans"]:
        weight = len(span["text"].strip())
        sizes[round(span["size"] * 2) / 2] += weight
        if span["flags"] & _BOLD_FLAG or "bold" in span["font"].lower():
            bold += weight
        if span["flags"] & _MONO_FLAG or _MONO_FONT.search(span["font"]):
            mono += weight
    size = max(sizes, key=lambda s: (sizes[s], s), default=0.0)
    text = "".join(span["text"] for span in line["spans"])
    total = sum(sizes.values())
    return Line(text, size, bold * 2 > total, mono * 2 > total, _line_box(line, size))


def _line_box(line: dict[str, Any], size: float) -> Box:
    """The line's box; one far taller than its font (a Type 3 font with a bogus glyph box) is cut to the font
    size around the baseline, so it does not span the page and spoil the reading order."""
    x0, y0, x1, y1 = line["bbox"]
    if y1 - y0 <= 3 * size or not line["spans"]:
        return (x0, y0, x1, y1)
    baseline = line["spans"][0]["origin"][1]
    return (x0, baseline - size, x1, baseline + size / 4)


def _inside(box: Box, areas: list[Box]) -> bool:
    """Tell whether the centre of `box` lies in one of `areas`."""
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in areas)


def _ruled_tables(page: Any, lines: list[Line]) -> list[Table]:
    """Return the page's ruled tables, top to bottom; raise TooManyRulings when the search would be too slow."""
    horizontal, vertical = _rulings(page.get_cdrawings())
    areas = [area for area in ruled_areas(horizontal, vertical) if len(area) >= 2]  # one framed box is no table
    if not areas:
        return []
    words: list[Word] = [w[:5] for w in page.get_text("words", flags=_TEXT_FLAGS)]
    return [table for area in areas if (table := fill(area, words)) and _holds_table_text(table.box, lines)]


def _holds_table_text(box: Box, lines: list[Line]) -> bool:
    """Tell whether the text lines that reach into `box` make a table: none is cut by its border (a rule
    under a heading or a frame around part of a paragraph), and they are not mostly monospaced code (a
    framed listing)."""
    touching = [(line, _overlap(line.box, box)) for line in lines]
    touching = [(line, share) for line, share in touching if share > 0]
    if any(MIN_INSIDE < share < 1 - MIN_INSIDE for _, share in touching):
        return False
    mono = "".join(line.text for line, _ in touching if line.mono)
    code = sum(char in _CODE_CHARS for char in mono) >= MIN_CODE_CHARS * len(mono)
    return not code or len(mono) <= MAX_MONO_TABLE * sum(len(line.text) for line, _ in touching)


def _overlap(inner: Box, outer: Box) -> float:
    """Share of the width of `inner` that lies inside `outer` (0 when they do not meet vertically)."""
    if inner[1] >= outer[3] or inner[3] <= outer[1] or inner[2] <= inner[0]:
        return 0.0
    return max(0.0, min(inner[2], outer[2]) - max(inner[0], outer[0])) / (inner[2] - inner[0])


def _rulings(paths: list[dict[str, Any]]) -> tuple[list[Segment], list[Segment]]:
    """Return the horizontal and vertical ruling lines of vector paths: axis-parallel lines, the sides of
    rectangles (stroked or filled: cell backgrounds and zebra stripes bound cells too), thin bars as lines."""
    horizontal: list[Segment] = []
    vertical: list[Segment] = []
    for path in paths:
        for item in path["items"]:
            if item[0] == "l":
                (xa, ya), (xb, yb) = item[1], item[2]
                if abs(ya - yb) <= 1:
                    horizontal.append(((ya + yb) / 2, min(xa, xb), max(xa, xb)))
                elif abs(xa - xb) <= 1:
                    vertical.append(((xa + xb) / 2, min(ya, yb), max(ya, yb)))
                continue
            if item[0] == "re":
                xs, ys = item[1][0::2], item[1][1::2]
            elif item[0] == "qu" and _upright(item[1]):
                xs, ys = [p[0] for p in item[1]], [p[1] for p in item[1]]
            else:
                continue
            x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)  # a rectangle may come corner-swapped
            if y1 - y0 < RULE_WIDTH:
                horizontal.append(((y0 + y1) / 2, x0, x1))
            elif x1 - x0 < RULE_WIDTH:
                vertical.append(((x0 + x1) / 2, y0, y1))
            else:
                horizontal += [(y0, x0, x1), (y1, x0, x1)]
                vertical += [(x0, y0, y1), (x1, y0, y1)]
    return horizontal, vertical


def _upright(quad: Sequence[tuple[float, float]]) -> bool:
    """Tell whether a quad is an axis-parallel rectangle."""
    return len({round(p[0], 1) for p in quad}) == 2 and len({round(p[1], 1) for p in quad}) == 2


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
