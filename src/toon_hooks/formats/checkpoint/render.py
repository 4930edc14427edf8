"""Markdown writers shared by the checkpoint and task-list renderers: lists, tables, fences, front matter.

Each writer is the inverse of the matching reader in `checkpoint_blocks`: what it writes reads back to
the same items, cells, code or YAML values.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .text import Scalar, escape, meta_line, untyped
from ..markdown.parser import parser

SEPARATOR = "<!-- -->"
"""Written between two blocks that would otherwise read back as one; reading drops it."""

_ALIGN_RULE = {"": "{}", "left": ":{}", "right": "{}:", "center": ":{}:"}
_BARE_YAML_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_YAML_WORDS = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})
"""Keys YAML 1.1 (PyYAML) would read as booleans or null when bare."""
_YAML_LINE_BREAKS = str.maketrans({"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\ufeff"})


def join_blocks(parts: list[str]) -> str:
    """Return a document of `parts` one blank line apart, with a separator wherever two would merge
    (two lists with the same marker, two indented code blocks, an unclosed fence)."""
    out: list[str] = []
    for part in parts:
        if out and _block_count(out[-1] + "\n\n" + part) < _block_count(out[-1]) + _block_count(part):
            out.append(SEPARATOR)
        out.append(part)
    return "\n\n".join(out) + "\n"


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
        box = "" if done is None else "[x] " if done else "[ ] "
        written = escape(text, "bullet" if done is None else "task")
        indent = "  " * depth
        lines.append(f"{indent}- {box}" + written.replace("\n", "\n" + indent + "  "))
    return "\n".join(lines)


def render_table(header: Sequence[str], align: Sequence[str], rows: Iterable[Sequence[Scalar]]) -> str:
    """Return a GFM table; the rule under each header cell is as wide as the cell plus its padding."""
    written = [_cell(name) for name in header]
    rule = "|".join(_rule(len(name) + 2, how) for name, how in zip(written, align))
    out = ["| " + " | ".join(written) + " |", f"|{rule}|"]
    out.extend("| " + " | ".join(_cell(untyped(value)) for value in row) + " |" for row in rows)
    return "\n".join(out)


def table_part(table: Mapping[str, Any]) -> str:
    """Return the Markdown of a `tables` entry: {"rows": [...], optional "align": [...]}."""
    header = list(table["rows"][0])
    rows = [[row.get(name) for name in header] for row in table["rows"]]
    return render_table(header, table.get("align") or [""] * len(header), rows)


def _cell(text: str) -> str:
    """Return cell text with pipes escaped; a line break (never read from a cell) becomes a space."""
    return text.replace("\n", " ").replace("|", "\\|")


def _rule(width: int, align: str) -> str:
    """Return one delimiter-row cell `width` characters wide, with colons for its alignment."""
    colons = _ALIGN_RULE[align].count(":")
    return _ALIGN_RULE[align].format("-" * max(1, width - colons))


def render_fence(code: str) -> str:
    """Return a fence without info string holding `code`, longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{code}{fence}"


def render_front_matter(value: Any) -> str:
    """Return YAML front matter: one `key: value` line per entry, values as JSON (a YAML subset)."""
    if isinstance(value, Mapping) and value:
        body = "\n".join(f"{_yaml_key(key)}: {_yaml_value(item)}" for key, item in value.items())
    else:
        body = _yaml_value(value)
    return f"---\n{body}\n---"


def _yaml_key(key: str) -> str:
    """Return a mapping key bare when YAML reads it back as the same string, else double-quoted."""
    if _BARE_YAML_KEY.fullmatch(key) and key.lower() not in _YAML_WORDS:
        return key
    return _yaml_value(key)


def _yaml_value(value: Any) -> str:
    """Return a JSON-model value in YAML flow style that PyYAML reads back unchanged."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_yaml_value(str(k))}: {_yaml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_value(item) for item in value) + "]"
    if isinstance(value, float):
        return _yaml_float(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).translate(_YAML_LINE_BREAKS)
    return json.dumps(value)


def _yaml_float(value: float) -> str:
    """Return a float the way YAML 1.1 reads it as a float (it needs a dot before any exponent)."""
    if not math.isfinite(value):
        return "null"
    text = repr(value)
    if "e" in text and "." not in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


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
