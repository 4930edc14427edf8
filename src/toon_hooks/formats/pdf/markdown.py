"""Render the PDF document model as readable Markdown: headings by level, paragraphs, list items, GFM tables."""
from __future__ import annotations

import re
from typing import Any

_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
"""Characters that would start emphasis, code, links, HTML, strikethrough, entities or end a table cell."""
_BLOCK_START = re.compile(r"[#+=>-]")
_ORDERED_START = re.compile(r"(\d{1,9})([.)])")
_ORDERED_ITEM = re.compile(r"\d{1,9}[.)] ")
_CLOSING_HASHES = re.compile(r"#+$")


def render_markdown(doc: dict[str, Any]) -> str:
    """Return the blocks and tables of `doc` in page order (a page's tables after its text)."""
    items = [(block["page"], 0, i, _block(block)) for i, block in enumerate(doc["blocks"])]
    items += [(table["page"], 1, i, _table(table["rows"])) for i, table in enumerate(doc.get("tables", []))]
    chunks = [chunk for *_, chunk in sorted(items, key=lambda item: item[:3])]
    if doc.get("ocr_needed"):
        pages = ", ".join(map(str, doc["ocr_needed"]))
        chunks.append(f"> Pages without a text layer (OCR needed): {pages}")
    return _join(chunks)


def _join(chunks: list[str]) -> str:
    """Separate chunks by blank lines, except consecutive list items, which form one list."""
    if not chunks:
        return ""
    out = chunks[0]
    for previous, chunk in zip(chunks, chunks[1:]):
        out += ("\n" if _is_item(previous) and _is_item(chunk) else "\n\n") + chunk
    return out + "\n"


def _is_item(chunk: str) -> bool:
    return chunk.startswith("- ") or bool(_ORDERED_ITEM.match(chunk))


def _block(block: dict[str, Any]) -> str:
    kind, text = block["kind"], block["text"]
    if kind == "heading":
        return "#" * block["level"] + " " + _CLOSING_HASHES.sub(r"\\\g<0>", escape(text))
    if kind == "list_item":
        ordered = _ORDERED_ITEM.match(text)
        if ordered:
            return ordered.group() + escape_paragraph(text[ordered.end():])
        return "- " + escape_paragraph(text)
    if kind == "caption":
        return "*" + escape(text) + "*"
    return escape_paragraph(text)


def escape(text: str) -> str:
    """Backslash-escape inline Markdown syntax so the text reads back literally."""
    return _INLINE.sub(r"\\\1", text)


def escape_paragraph(text: str) -> str:
    """Escape `text` and whatever at its start would open a heading, list, quote or rule."""
    text = escape(text)
    if _BLOCK_START.match(text):
        return "\\" + text
    ordered = _ORDERED_START.match(text)
    if ordered:
        return ordered.group(1) + "\\" + text[ordered.end(1):]
    return text


def _table(rows: list[dict[str, Any]]) -> str:
    """Render row objects as a GFM table whose header is the field names."""
    names = list(rows[0])
    lines = [_row(names), "|" + " --- |" * len(names)]
    lines += [_row([_cell(row[name]) for name in names]) for row in rows]
    return "\n".join(lines)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(escape(cell) for cell in cells) + " |"


def _cell(value: Any) -> str:
    """Show a typed cell as its TOON token ("" for a merged-away cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
