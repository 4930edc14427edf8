"""Merge per-page PDF records into the document model, using document-wide statistics.

Body size, heading levels and running headers/footers need the whole document, so they are decided here
and never inside a page range: the result is the same however the pages were split between workers.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from .layout import Grid, PageRecord, Unit

Cell = str | int | float | bool | None

HEADING_MAX_CHARS = 150
"""Longer runs of large text are paragraphs (pull quotes, large-print intros), not headings."""
SMALL_CAPS = 0.75
"""A numbered heading set in small capitals is mostly this much smaller than body text, or more."""
BOLD_HEADING_MAX_CHARS = 100
"""A bold or numbered run at body size is a heading only when it is this short and not a sentence."""

_DIGITS = re.compile(r"\d+")
_CAPTION = re.compile(r"(?:Figure|Fig\.|Table|Listing|Chart|Exhibit)\s*\d+\b")
_NUMBERED = re.compile(r"(?:(\d{1,2}(?:\.\d{1,2})+)\.?|([IVX]{1,5})\.)\s+\S*[A-Z]")
"""A section number opening a heading: "3.1.2 Title", "2.1. e-MERLIN" or "II. TITLE" (not "1. item", a list
item, nor "3.5 kg")."""
_BLOCK_MARK = re.compile(r"#{1,6}(?: |$)|[-*+>](?: |$)|\d{1,9}[.)](?: |$)|\\")
_ORDERED_MARK = re.compile(r"\d{1,9}[.)] ")
_LEADERS = re.compile(r"(?:\. ?){4,}")
_LETTERS = re.compile(r"[^\W\d_]")
_NOT_WORD = re.compile(r"[\W_]+")
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,14})")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]*[1-9]")
_LITERALS: dict[str, Cell] = {"true": True, "false": False, "null": None}

Style = tuple[float, bool]


def build_document(source: dict[str, Any], toc: list[dict[str, Any]], pages: Sequence[PageRecord]) -> dict[str, Any]:
    """Return the document model: source, toc, blocks, tables, running, ocr_needed, tables_skipped (empty
    parts omitted). `toc` keeps only the outline entries that no heading in the text matched."""
    units = [(page.number, unit) for page in pages for unit in page.units]
    body = body_size(unit for _, unit in units)
    repeated = _running_lines(units, len(pages))
    running = [{"page": number, "text": unit.text} for number, unit in units if _margin_key(unit) in repeated]
    units = [(number, unit) for number, unit in units if _margin_key(unit) not in repeated]
    levels, matched = _heading_levels(units, body, toc)
    doc: dict[str, Any] = {"source": source}
    unmatched = [entry for i, entry in enumerate(toc) if i not in matched]
    if unmatched:
        doc["toc"] = unmatched
    doc["blocks"] = [_block(number, unit, level) for (number, unit), level in zip(units, levels, strict=True)]
    tables = [{"page": page.number, "rows": table_rows(grid)} for page in pages for grid in page.tables]
    if tables:
        doc["tables"] = tables
    if running:
        doc["running"] = running
    for key, flagged in (("ocr_needed", [p.number for p in pages if p.ocr_needed]),
                         ("tables_skipped", [p.number for p in pages if p.tables_skipped])):
        if flagged:
            doc[key] = flagged
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


def _running_lines(units: list[tuple[int, Unit]], page_count: int) -> set[tuple[str, str]]:
    """Return margin keys of running headers/footers: on most pages of a 3+ page file, whatever their size."""
    if page_count < 3:
        return set()
    seen = {(number, _margin_key(unit)) for number, unit in units if unit.band}
    pages_per_key = Counter(key for _, key in seen)
    return {key for key, count in pages_per_key.items() if key and count * 2 > page_count}


def _heading_style(unit: Unit, body: float) -> Style | None:
    """Return the unit's (size, bold) when it reads as a heading, else None.

    A heading has letters, is short, is not code, a list item or a contents line (dot leaders), and is
    larger than body text, or bold at body size, or opened by a section number at body size or in small
    capitals, and not a sentence.
    """
    text = unit.text
    if unit.mono or unit.list_item or len(_LETTERS.findall(text)) < 2 or len(text) > HEADING_MAX_CHARS \
            or _LEADERS.search(text):
        return None
    if unit.size >= body + 1:
        return (unit.size, unit.bold)
    if len(text) > BOLD_HEADING_MAX_CHARS or text.endswith((".", ",", ";", ":")):
        return None
    if unit.bold and unit.size >= body or _NUMBERED.match(text) and unit.size >= body * SMALL_CAPS:
        return (unit.size, unit.bold)
    return None


def _heading_levels(units: list[tuple[int, Unit]], body: float, toc: list[dict[str, Any]]
                    ) -> tuple[list[int], set[int]]:
    """Return each unit's heading level (0: not a heading) and the indices of the outline entries used.

    The PDF outline decides where it names a unit on its page (its level, capped at 6); a numbered heading's
    level is its number's depth + 1 ("3.1.2" -> 4, "II." -> 2, the title being 1); other headings rank their
    styles, larger then bolder first. A style the outline uses keeps the outline's level elsewhere too.
    """
    styles = [_heading_style(unit, body) for _, unit in units]
    outline = _outline_matches(units, toc)
    by_style: dict[Style, Counter[int]] = defaultdict(Counter)
    for i, (level, _) in outline.items():
        style = styles[i]
        if style:
            by_style[style][level] += 1
    ranked = sorted({style for style in styles if style}, key=lambda style: (-style[0], not style[1]))
    rank = {style: min(i, 6) for i, style in enumerate(ranked, start=1)}
    levels = []
    for i, ((_, unit), style) in enumerate(zip(units, styles, strict=True)):
        numbered = _NUMBERED.match(unit.text)
        if i in outline:
            levels.append(outline[i][0])
        elif not style:
            levels.append(0)
        elif style in by_style:
            levels.append(by_style[style].most_common(1)[0][0])
        elif numbered:
            levels.append(min(6, 2 if numbered.group(2) else numbered.group(1).count(".") + 2))
        else:
            levels.append(rank[style])
    return levels, {entry for _, entry in outline.values()}


def _normal(text: str) -> str:
    """Compare headings by their letters and digits only, case-folded, without a leading section number."""
    return _NOT_WORD.sub("", _NUMBERED.sub(lambda m: m.group()[-1], text, count=1)).casefold()


def _outline_matches(units: list[tuple[int, Unit]], toc: list[dict[str, Any]]) -> dict[int, tuple[int, int]]:
    """Map the index of each unit that an outline entry names (same text, on the entry's page) to the entry's
    level (capped at 6) and index."""
    wanted: dict[tuple[int, str], tuple[int, int]] = {}
    for index, entry in enumerate(toc):
        if entry["page"]:
            wanted.setdefault((entry["page"], _normal(entry["title"])), (min(entry["level"], 6), index))
    found: dict[int, tuple[int, int]] = {}
    for i, (number, unit) in enumerate(units):
        key = (number, _normal(unit.text))
        if key[1] and key in wanted and len(unit.text) <= HEADING_MAX_CHARS:
            found[i] = wanted.pop(key)
    return found


def _block(number: int, unit: Unit, level: int) -> dict[str, Any]:
    if level:
        kind = "heading"
    elif unit.list_item:
        kind = "list_item"
    elif _CAPTION.match(unit.text):
        kind = "caption"
    else:
        kind = "text"
    return {"page": number, "kind": kind, "level": level, "text": unit.text}


def toon_model(doc: dict[str, Any]) -> dict[str, Any]:
    """Regroup the model by page for the TOON twin: source, toc, then per page its text, tables and running
    headers/footers, then ocr_needed and tables_skipped.

    A page's text is a list of strings marked as Markdown marks blocks ("## " + a level-2 heading, "- " + a
    bullet item; an ordered item keeps its number; text that would read as such a mark starts with "\\").
    One string per block, inline, costs about one token per block; a {page,kind,level,text} row per block
    cost 20 % more tokens than the PDF's raw text layer over PyMuPDF's test PDFs.
    """
    pages: dict[int, dict[str, Any]] = {}
    for block in doc["blocks"]:
        pages.setdefault(block["page"], {"page": block["page"]}).setdefault("text", []).append(_marked(block))
    for table in doc.get("tables", []):
        pages.setdefault(table["page"], {"page": table["page"]}).setdefault("tables", []).append(
            {"rows": table["rows"]})
    for line in doc.get("running", []):
        pages.setdefault(line["page"], {"page": line["page"]}).setdefault("running", []).append(line["text"])
    out: dict[str, Any] = {key: doc[key] for key in ("source", "toc") if key in doc}
    out["pages"] = [pages[number] for number in sorted(pages)]
    out.update((key, doc[key]) for key in ("ocr_needed", "tables_skipped") if key in doc)
    return out


def _marked(block: dict[str, Any]) -> str:
    text: str = block["text"]
    if block["kind"] == "heading":
        return f"{'#' * block['level']} {text}"
    if block["kind"] == "list_item":
        return text if _ORDERED_MARK.match(text) else f"- {text}"
    return "\\" + text if _BLOCK_MARK.match(text) else text


def table_rows(grid: Grid) -> list[dict[str, Cell]]:
    """Turn a grid into row objects keyed by the header row's (made unique) names, cells typed."""
    names = field_names(grid[0])
    return [dict(zip(names, map(typed_cell, row), strict=True)) for row in grid[1:]]


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
