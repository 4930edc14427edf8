"""Markdown parts shared by the checkpoint and task-list renderers: head, items, tables, front matter, joins.

Each writer is the inverse of the matching reader in `blocks`: what it writes reads back to the same items,
cells or YAML values. The line layout itself is `markdown.layout`'s, as for every Markdown writer.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..markdown.front import dump_json_front_matter
from ..markdown.layout import checkbox, document_text, front_matter_lines, item_lines, join_blocks, table_lines
from ..markdown.parser import parser
from .text import Scalar, escape, meta_line, untyped

SEPARATOR = "<!-- -->"
"""Written between two blocks that would otherwise read back as one; reading drops it."""


def join_parts(parts: list[str]) -> str:
    """Return the document of `parts` (Markdown text) one blank line apart, with a separator wherever two would
    read back as one (two lists with the same marker, two indented code blocks, an unclosed fence)."""
    out: list[str] = []
    for part in parts:
        if out and _block_count(out[-1] + "\n\n" + part) < _block_count(out[-1]) + _block_count(part):
            out.append(SEPARATOR)
        out.append(part)
    return document_text(join_blocks(part.split("\n") for part in out))


def _block_count(text: str) -> int:
    """Return how many top-level blocks `text` reads as."""
    return sum(1 for tok in parser().parse(text) if tok.level == 0 and tok.nesting >= 0)


def header_parts(header: Mapping[str, Any]) -> list[str]:
    """Return the H1 title (when not null) and the metadata paragraph of a document's head."""
    parts = [] if header.get("title") is None else [f"# {header['title']}".rstrip()]
    metadata = {key: value for key, value in header.items() if key != "title"}
    return parts + ([metadata_paragraph(metadata)] if metadata else [])


def metadata_paragraph(metadata: Mapping[str, Scalar]) -> str:
    """Return one `**Key:** value` line per entry."""
    return "\n".join(meta_line(key, value) for key, value in metadata.items())


def render_items(items: Iterable[tuple[int, bool | None, str]]) -> str:
    """Return a (nested) bullet list of (depth, done, text) items; None `done` writes a plain bullet."""
    lines = []
    for depth, done, text in items:
        body = escape(text, "bullet" if done is None else "task").split("\n")
        lines += ["  " * depth + line for line in item_lines("-", body if done is None else checkbox(done, body))]
    return "\n".join(lines)


def table_part(table: Mapping[str, Any]) -> str:
    """Return the Markdown of a `tables` entry: {"rows": [...], optional "align": [...]}; the rule under each
    header cell is as wide as the cell plus its padding."""
    header = list(table["rows"][0])
    cells = [[_cell(untyped(row.get(name))) for name in header] for row in table["rows"]]
    align = table.get("align") or [""] * len(header)
    return "\n".join(table_lines([_cell(name) for name in header], cells, align))


def _cell(text: str) -> str:
    """Return cell text with pipes escaped; a line break (never read from a cell) becomes a space."""
    return text.replace("\n", " ").replace("|", "\\|")


def render_front_matter(value: Any) -> str:
    """Return YAML front matter: one `key: value` line per entry, values as JSON (a YAML subset)."""
    return "\n".join(front_matter_lines(dump_json_front_matter(value)))


def kept_parts(data: Mapping[str, Any], section: str) -> list[str]:
    """Return the tables, then the verbatim notes, a checkpoint keeps for the H2 titled `section`."""
    tables = [entry for entry in data.get("tables", ()) if entry["section"] == section]
    notes = [entry["md"] for entry in data.get("notes", ()) if entry["section"] == section]
    return rest_parts(tables, notes)


def rest_parts(tables: Iterable[Mapping[str, Any]], notes: Iterable[str]) -> list[str]:
    """Return the Markdown of `split_rest`'s tables, then its verbatim notes."""
    return [table_part(table) for table in tables] + list(notes)


def task_list(rows: Iterable[Mapping[str, Any]]) -> str:
    """Return the list of task rows {depth?, done?, text}; a missing column holds its `ITEM_DEFAULTS` value."""
    return render_items((row.get("depth", 0), row.get("done"), untyped(row["text"])) for row in rows)
