"""TOON data as HTML that shows every key and value exactly as written: nothing in it is read as Markdown.

Objects become sections under headings (down to `<h6>`); deeper ones, objects of primitives only and objects
inside a table or list become definition lists (key, value). List rows as the Markdown reader makes them
(`{[depth,] [done,] text}`) become nested lists, `done` a disabled checkbox; other arrays of objects become
tables (their keys in first-seen order as columns), other arrays lists, and primitives their text: strings as
they are, the rest as TOON writes them. All text is escaped, and the stylesheet keeps newlines and runs of
spaces (`white-space: pre-wrap` inside `.data`), so the markup holds no white space of its own except between
top-level blocks.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from html import escape
from typing import Any

from .markdown.scalar import is_scalar, scalar_text

Slug = Callable[[str], str]
"""Return a page-unique id for a heading's text."""


def data_html(value: Any, level: int, slug: Slug) -> str:
    """Return the blocks for `value`, objects with containers in them as sections under `<h{level}>`."""
    return "".join(_blocks(value, level, slug))


def _value_html(value: Any) -> str:
    """Return the markup of one value without headings: text, a definition list, a list or a table."""
    if is_scalar(value):
        return escape(scalar_text(value))
    if isinstance(value, dict):
        if not value:
            return '<span class="empty">{}</span>'
        pairs = "".join(f"<dt>{escape(key)}</dt><dd>{_value_html(item)}</dd>" for key, item in value.items())
        return f"<dl>{pairs}</dl>"
    if not value:
        return '<span class="empty">[]</span>'
    from .markdown.write import _row_kind

    if _row_kind(value):
        return _list_rows(value)
    if all(isinstance(item, dict) and item for item in value):
        return _rows_table(value)
    return "<ul>" + "".join(f"<li>{_value_html(item)}</li>" for item in value) + "</ul>"


def _blocks(value: Any, level: int, slug: Slug) -> Iterator[str]:
    """Yield a heading and its blocks per key of an object that holds containers, else the value's one block."""
    if isinstance(value, dict) and level <= 6 and not all(map(is_scalar, value.values())):
        for key, item in value.items():
            yield f'<h{level} id="{escape(slug(key))}">{escape(key)}</h{level}>\n'
            yield from _blocks(item, level + 1, slug)
    elif is_scalar(value):
        yield f"<p>{_value_html(value)}</p>\n"
    else:
        yield _value_html(value) + "\n"


def _list_rows(rows: list[dict[str, Any]]) -> str:
    """Nested lists, a row's `depth` its level (one deeper at most); a row whose `done` is not null is a task item."""
    parts, depth = [], -1
    for row in rows:
        level, done = row.get("depth", 0), row.get("done")
        parts.append("<ul>" if level > depth else "</li>" + "</ul></li>" * (depth - level))
        if done is None:
            parts.append(f"<li>{_value_html(row['text'])}")
        else:
            box = '<input type="checkbox" disabled checked>' if done else '<input type="checkbox" disabled>'
            parts.append(f'<li class="task-list-item">{box}{_value_html(row["text"])}')
        depth = level
    return "".join(parts) + "</li>" + "</ul></li>" * depth + "</ul>"


def _rows_table(rows: list[dict[str, Any]]) -> str:
    """A table of objects: one column per key; a cell whose row lacks the key is empty and marked absent."""
    keys = list(dict.fromkeys(key for row in rows for key in row))
    head = "".join(f'<th scope="col">{escape(key)}</th>' for key in keys)
    body = "".join(
        "<tr>" + "".join(f"<td>{_value_html(row[key])}</td>" if key in row else '<td class="absent"></td>'
                         for key in keys) + "</tr>"
        for row in rows
    )
    # The wrapper scrolls sideways by itself when the table is wider than the screen.
    return f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
