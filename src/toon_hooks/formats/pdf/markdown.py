"""Render the PDF document model as readable Markdown: headings by level, paragraphs, list items, GFM tables."""
from __future__ import annotations

import re
from typing import Any

from ..markdown.layout import Block, document_text, heading_lines, item_lines, join_blocks, quote_lines, table_lines

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
    blocks = [block for *_, block in sorted(items, key=lambda item: item[:3])]
    for key, note in (("ocr_needed", "Pages without a text layer (OCR needed)"),
                      ("tables_skipped", "Pages not searched for tables (too many ruling lines; text kept)")):
        if doc.get(key):
            blocks.append(quote_lines([f"{note}: {', '.join(map(str, doc[key]))}"]))
    return document_text(join_blocks(_lists(blocks)))


def _lists(blocks: list[Block]) -> list[Block]:
    """Merge consecutive list items into one block (a blank line between items would make the list loose)."""
    merged: list[Block] = []
    for block in blocks:
        if merged and _is_item(merged[-1][0]) and _is_item(block[0]):
            merged[-1] = merged[-1] + block
        else:
            merged.append(block)
    return merged


def _is_item(line: str) -> bool:
    return line.startswith("- ") or bool(_ORDERED_ITEM.match(line))


def _block(block: dict[str, Any]) -> Block:
    kind, text = block["kind"], block["text"]
    if kind == "heading":
        return heading_lines(block["level"], _CLOSING_HASHES.sub(r"\\\g<0>", escape(text)))
    if kind == "list_item":
        ordered = _ORDERED_ITEM.match(text)
        if ordered:
            return item_lines(ordered.group().rstrip(), [escape_paragraph(text[ordered.end():])])
        return item_lines("-", [escape_paragraph(text)])
    if kind == "caption":
        return ["*" + escape(text) + "*"]
    return [escape_paragraph(text)]


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


def _table(rows: list[dict[str, Any]]) -> Block:
    """Render row objects as a GFM table whose header is the field names."""
    names = list(rows[0])
    return table_lines([escape(name) for name in names], [[escape(_cell(row[name])) for name in names] for row in rows])


def _cell(value: Any) -> str:
    """Show a typed cell as its TOON token ("" for a merged-away cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
